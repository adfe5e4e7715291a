"""Vertente E (estrutural): classes, atributos e métodos — ``spec_poo``.

Formato, regras que o schema não exprime (nomes únicos, palavras reservadas, tipos conhecidos,
restrições que se aplicam ao tipo) e o que ela conta para o tamanho.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fabrica.specs.formato.comum import (
    DESCRICAO,
    TEXTO,
    TIPOS_BASICOS,
    Caminho,
    Erros,
    Vertente,
    contar,
    do_tipo,
    duplicados,
    lista,
    mostrar,
    nome_python,
    objeto,
    ref,
)

_ATRIBUTO = objeto(
    {
        "nome": ref("nome"),
        "tipo": {"enum": list(TIPOS_BASICOS)},
        "obrigatorio": {"type": "boolean", "default": True},
        "descricao": DESCRICAO,
        "restricoes": objeto(
            {
                "min": {"type": "number"},
                "max": {"type": "number"},
                "min_len": {"type": "integer", "minimum": 0},
                "max_len": {"type": "integer", "minimum": 0},
                "padrao": TEXTO,
                "escolhas": lista(ref("escalar"), 1, unicos=True),
            },
            minProperties=1,
        ),
    },
    ("nome", "tipo"),
)

_METODO = objeto(
    {
        "nome": ref("nome"),
        "descricao": DESCRICAO,
        "parametros": lista(objeto({"nome": ref("nome"), "tipo": ref("nome")}, ("nome", "tipo"))),
        "retorna": ref("nome"),
        "regras": lista(TEXTO),
    },
    ("nome",),
)

SCHEMA = objeto(
    {
        "classes": lista(
            objeto(
                {
                    "nome": ref("nome"),
                    "descricao": DESCRICAO,
                    "atributos": lista(_ATRIBUTO),
                    "metodos": lista(_METODO),
                },
                ("nome",),
            ),
            1,
        )
    },
    ("classes",),
)


def checar(poo: dict, limpas: Mapping[str, Any]) -> Erros:
    classes = poo["classes"]
    tipos_validos = set(TIPOS_BASICOS) | {c["nome"] for c in classes}
    erros = duplicados(classes, "nome", ("spec_poo", "classes"), "nome de classe")
    for i, classe in enumerate(classes):
        base = ("spec_poo", "classes", i)
        erros += nome_python(classe["nome"], (*base, "nome"))
        atributos, metodos = classe.get("atributos", []), classe.get("metodos", [])
        erros += duplicados(atributos, "nome", (*base, "atributos"), "nome de atributo")
        erros += duplicados(metodos, "nome", (*base, "metodos"), "nome de método")
        for j, atributo in enumerate(atributos):
            erros += nome_python(atributo["nome"], (*base, "atributos", j, "nome"))
            erros += _checar_restricoes(atributo, (*base, "atributos", j, "restricoes"))
        for j, metodo in enumerate(metodos):
            mb = (*base, "metodos", j)
            erros += nome_python(metodo["nome"], (*mb, "nome"))
            parametros = metodo.get("parametros", [])
            erros += duplicados(parametros, "nome", (*mb, "parametros"), "nome de parâmetro")
            usados = [((*mb, "parametros", k, "tipo"), p["tipo"]) for k, p in enumerate(parametros)]
            usados += [((*mb, "retorna"), metodo["retorna"])] if "retorna" in metodo else []
            erros += [
                (
                    c,
                    f"tipo desconhecido: {t}; use um tipo básico ({', '.join(TIPOS_BASICOS)}) "
                    "ou uma classe de spec_poo",
                )
                for c, t in usados
                if t not in tipos_validos
            ]
            erros += [
                e for k, p in enumerate(parametros) for e in nome_python(p["nome"], (*mb, "parametros", k, "nome"))
            ]
    return erros


_RESTRICAO_SE_APLICA = {
    "min": ("int", "float", "decimal"),
    "max": ("int", "float", "decimal"),
    "min_len": ("str", "list"),
    "max_len": ("str", "list"),
    "padrao": ("str",),
    "escolhas": ("str", "int", "float", "decimal"),
}


def _checar_restricoes(atributo: dict, base: Caminho) -> Erros:
    restricoes, tipo = atributo.get("restricoes", {}), atributo["tipo"]
    erros: Erros = [
        ((*base, chave), f"a restrição {chave} não se aplica ao tipo {tipo}")
        for chave in restricoes
        if tipo not in _RESTRICAO_SE_APLICA[chave]
    ]
    for menor, maior in (("min", "max"), ("min_len", "max_len")):
        if menor in restricoes and maior in restricoes and restricoes[menor] > restricoes[maior]:
            erros.append(((*base, maior), f"{maior} deve ser maior ou igual a {menor}"))
    if "padrao" in restricoes:
        try:
            re.compile(restricoes["padrao"])
        except (re.error, OverflowError, RecursionError) as exc:
            erros.append(((*base, "padrao"), f"expressão regular inválida: {exc}"))
    if tipo in _RESTRICAO_SE_APLICA["escolhas"]:
        erros += [
            ((*base, "escolhas", k), f"valor {mostrar(v)} não é do tipo {tipo}")
            for k, v in enumerate(restricoes.get("escolhas", []))
            if not do_tipo(v, tipo)
        ]
    return erros


def medir(poo: dict) -> dict[str, int]:
    """classes, e atributos e metodos somados nas classes."""
    return contar(poo.get("classes", []), ("atributos", "metodos"), contagem="classes")


VERTENTE = Vertente(codigo="E", secao="spec_poo", schema=SCHEMA, checar=checar, medir=medir)
