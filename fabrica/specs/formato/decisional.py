"""Vertente D (decisional): tabelas de decisão DMN — ``spec_dmn``.

Formato, regras que o schema não exprime (entradas e saídas conhecidas, células do tipo da
coluna, toda regra define todas as saídas) e o que ela conta para o tamanho.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fabrica.specs.formato.comum import (
    DESCRICAO,
    TEXTO,
    TIPOS_ESCALARES,
    TIPOS_ORDENAVEIS,
    Caminho,
    Erros,
    Vertente,
    checar_entre,
    condicao,
    contar,
    do_tipo,
    duplicados,
    lista,
    mapa,
    mostrar,
    objeto,
    ref,
)

POLITICAS_DMN = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")

_COLUNA_DMN = objeto(
    {"nome": ref("nome"), "tipo": {"enum": list(TIPOS_ESCALARES)}, "descricao": DESCRICAO}, ("nome", "tipo")
)
_DECISAO = objeto(
    {
        "id": ref("id"),
        "nome": TEXTO,
        "descricao": DESCRICAO,
        "politica": {"enum": list(POLITICAS_DMN)},
        "agregacao": {"enum": ["SUM", "MIN", "MAX", "COUNT"]},
        "entradas": lista(_COLUNA_DMN, 1),
        "saidas": lista(_COLUNA_DMN, 1),
        "regras": lista(
            objeto(
                {
                    "quando": mapa(
                        {
                            "description": "'-' (qualquer valor) ou uma condição {operador, valor}",
                            "anyOf": [{"const": "-"}, {"type": "object", **ref("condicao_dmn")}],
                        }
                    ),
                    "entao": mapa(ref("escalar"), minimo=1),
                    "descricao": DESCRICAO,
                },
                ("quando", "entao"),
            ),
            1,
        ),
    },
    ("id", "nome", "politica", "entradas", "saidas", "regras"),
)

SCHEMA = objeto({"decisoes": lista(_DECISAO, 1)}, ("decisoes",))
DEFS = {"condicao_dmn": condicao({})}


def checar(dmn: dict, limpas: Mapping[str, Any]) -> Erros:
    decisoes = dmn["decisoes"]
    erros = duplicados(decisoes, "id", ("spec_dmn", "decisoes"), "id de decisão")
    for i, d in enumerate(decisoes):
        base = ("spec_dmn", "decisoes", i)
        erros += duplicados(d["entradas"], "nome", (*base, "entradas"), "nome de entrada")
        erros += duplicados(d["saidas"], "nome", (*base, "saidas"), "nome de saída")
        if "agregacao" in d and d["politica"] != "COLLECT":
            erros.append(((*base, "agregacao"), "agregacao só se aplica à política COLLECT"))
        entradas = {e["nome"]: e["tipo"] for e in d["entradas"]}
        saidas = {s["nome"]: s["tipo"] for s in d["saidas"]}
        for r, regra in enumerate(d["regras"]):
            rb = (*base, "regras", r)
            for nome, celula in regra["quando"].items():
                if nome not in entradas:
                    erros.append(
                        ((*rb, "quando", nome), f"entrada desconhecida: {nome}; entradas: {', '.join(entradas)}")
                    )
                elif celula != "-":
                    erros += _checar_celula(celula, entradas[nome], (*rb, "quando", nome))
            for nome, valor in regra["entao"].items():
                if nome not in saidas:
                    erros.append(((*rb, "entao", nome), f"saída desconhecida: {nome}; saídas: {', '.join(saidas)}"))
                elif not do_tipo(valor, saidas[nome]):
                    erros.append(((*rb, "entao", nome), f"valor {mostrar(valor)} não é do tipo {saidas[nome]}"))
            erros += [
                ((*rb, "entao", nome), f"campo obrigatório ausente: {nome} (toda regra define todas as saídas)")
                for nome in saidas
                if nome not in regra["entao"]
            ]
    return erros


def _checar_celula(cond: dict, tipo: str, caminho: Caminho) -> Erros:
    # Os tipos são verificados aqui para que o gerador escreva células corretas (DESIGN §6:
    # uma célula mal tipada só falha quando a regra é alcançada, ou nunca casa em silêncio).
    operador, valor = cond["operador"], cond["valor"]
    if operador in ("<", "<=", ">", ">=", "entre") and tipo not in TIPOS_ORDENAVEIS:
        return [((*caminho, "operador"), f"o operador {operador} exige entrada numérica ou data (a entrada é {tipo})")]
    for v in valor if isinstance(valor, list) else [valor]:
        if not do_tipo(v, tipo):
            return [((*caminho, "valor"), f"valor {mostrar(v)} não é do tipo {tipo}")]
    return checar_entre(cond, caminho)


def medir(dmn: dict) -> dict[str, int]:
    """regras, entradas e saidas somadas nas decisões."""
    return contar(dmn.get("decisoes", []), ("regras", "entradas", "saidas"))


VERTENTE = Vertente(codigo="D", secao="spec_dmn", schema=SCHEMA, checar=checar, medir=medir, defs=DEFS)
