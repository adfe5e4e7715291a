"""Vertente E (estrutural): classes, attributes and methods — ``spec_poo``.

The format, the rules the schema does not express (unique names, reserved words, known types,
constraints that apply to the type, the methods' machine form) and what it counts for size.

A method has two forms. With ``regras`` only (natural language), worker E generates a method that
raises ``NotImplementedError`` and the release lists it as pending. With ``expressao`` (and,
optionally, preconditions in ``exige``), the worker builds it: the expression is in the language
of ``fabrica.specs.expressoes`` (arithmetic, comparisons, logic, text slices and the functions
abs/len/max/min/round over the required attributes and the parameters), checked here — names,
constructs and types — with the error on the field (``spec_poo.classes[0].metodos[1].expressao``).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop

from fabrica.specs import expressoes, padroes
from fabrica.specs.formato.comum import (
    DESCRICAO,
    MAX_TAMANHO,
    TEXTO,
    TIPOS_BASICOS,
    Caminho,
    Erros,
    Vertente,
    contar,
    do_tipo,
    duplicados,
    lista,
    mesmo_valor,
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
                "min": {"type": "number", "description": "menor valor aceito (inclusive)"},
                "max": {"type": "number", "description": "maior valor aceito (inclusive)"},
                "min_len": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_TAMANHO,
                    "description": "tamanho mínimo (texto ou lista)",
                },
                "max_len": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_TAMANHO,
                    "description": "tamanho máximo (texto ou lista)",
                },
                "padrao": {**TEXTO, "description": "expressão regular que o texto inteiro deve casar"},
                "escolhas": lista(ref("escalar"), 1, unicos=True),
            },
            minProperties=1,
        ),
        "exemplo": {
            "type": ["string", "number", "boolean", "array", "object"],
            "description": "um valor válido do atributo (datas como 'AAAA-MM-DD'): os testes o usam para "
            "os atributos que um caso não dá; sem ele, o PROMETHEUS deriva um das restrições",
        },
    },
    ("nome", "tipo"),
)

_METODO = objeto(
    {
        "nome": ref("nome"),
        "descricao": DESCRICAO,
        "parametros": lista(objeto({"nome": ref("nome"), "tipo": ref("nome")}, ("nome", "tipo"))),
        "retorna": ref("nome"),
        "regras": {**lista(TEXTO), "description": "o que o método faz, em linguagem natural"},
        "exige": {
            **lista(
                objeto(
                    {
                        "condicao": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": expressoes.MAX_CARACTERES,
                            "description": "expressão booleana (a mesma linguagem de expressao)",
                        },
                        "mensagem": DESCRICAO,
                    },
                    ("condicao",),
                )
            ),
            "description": "pré-condições, na ordem: a primeira que não vale levanta PreCondicaoViolada",
        },
        "expressao": {
            "type": "string",
            "minLength": 1,
            "maxLength": expressoes.MAX_CARACTERES,
            "description": "o resultado do método como expressão: constantes, atributos obrigatórios e "
            "parâmetros; + - * / // %; == != < <= > >= in; and or not; a if c else b; texto[i], "
            "texto[i:j]; abs len max min round. Sem expressao, o método só tem regras e fica pendente",
        },
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
    erros = duplicados(classes, "nome", ("spec_poo", "classes"), gettext_noop("nome de classe"))
    for i, classe in enumerate(classes):
        base = ("spec_poo", "classes", i)
        erros += nome_python(classe["nome"], (*base, "nome"))
        erros += _nome_reservado(classe["nome"], (*base, "nome"))
        erros += _nome_de_classe_reservado(classe["nome"], (*base, "nome"))
        atributos, metodos = classe.get("atributos", []), classe.get("metodos", [])
        erros += duplicados(atributos, "nome", (*base, "atributos"), gettext_noop("nome de atributo"))
        erros += duplicados(metodos, "nome", (*base, "metodos"), gettext_noop("nome de método"))
        for j, atributo in enumerate(atributos):
            erros += nome_python(atributo["nome"], (*base, "atributos", j, "nome"))
            erros += _nome_reservado(atributo["nome"], (*base, "atributos", j, "nome"))
            erros += _checar_restricoes(atributo, (*base, "atributos", j, "restricoes"))
            if "exemplo" in atributo:
                erros += _checar_exemplo(atributo, (*base, "atributos", j, "exemplo"))
        nomes_atributos = {a["nome"] for a in atributos}
        for j, metodo in enumerate(metodos):
            mb = (*base, "metodos", j)
            erros += nome_python(metodo["nome"], (*mb, "nome"))
            erros += _nome_reservado(metodo["nome"], (*mb, "nome"))
            if metodo["nome"] in nomes_atributos:
                erros.append(
                    (
                        (*mb, "nome"),
                        gettext("já há um atributo %(nome)s na classe %(nome2)s")
                        % {"nome": metodo["nome"], "nome2": classe["nome"]},
                    )
                )
            parametros = metodo.get("parametros", [])
            erros += duplicados(parametros, "nome", (*mb, "parametros"), gettext_noop("nome de parâmetro"))
            usados: list[tuple[Caminho, Any]] = [
                ((*mb, "parametros", k, "tipo"), p["tipo"]) for k, p in enumerate(parametros)
            ]
            usados += [((*mb, "retorna"), metodo["retorna"])] if "retorna" in metodo else []
            erros += [
                (
                    c,
                    gettext(
                        "tipo desconhecido: %(t)s; use um tipo básico (%(TIPOS_BASICOS)s) ou uma classe de spec_poo"
                    )
                    % {"t": t, "TIPOS_BASICOS": ", ".join(TIPOS_BASICOS)},
                )
                for c, t in usados
                if t not in tipos_validos
            ]
            erros += [
                e for k, p in enumerate(parametros) for e in nome_python(p["nome"], (*mb, "parametros", k, "nome"))
            ]
            erros += [
                e for k, p in enumerate(parametros) for e in _nome_reservado(p["nome"], (*mb, "parametros", k, "nome"))
            ]
            if ("expressao" in metodo or "exige" in metodo) and not any(t not in tipos_validos for _, t in usados):
                erros += _checar_forma_de_maquina(classe, metodo, mb)
    return erros


def _nome_reservado(nome: str, caminho: Caminho) -> Erros:
    # The generated code uses self, __init__, _REGRAS…: a name of the spec cannot collide with them.
    if nome.startswith("_"):
        return [
            (caminho, gettext("nomes que começam por _ são reservados ao código gerado: %(nome)s") % {"nome": nome})
        ]
    if nome == "self":
        return [(caminho, gettext("self é reservado ao código gerado"))]
    return []


# Modules of the generated package (``<pacote>/estrutural/erros.py``…): a class with that name would hide it.
_MODULOS_GERADOS = ("erros", "modelos", "validacao")


def _nome_de_classe_reservado(nome: str, caminho: Caminho) -> Erros:
    # A class "str" or "object" would change the meaning of the annotations and of the generated code.
    if nome in _MODULOS_GERADOS or nome in dir(builtins):
        return [
            (
                caminho,
                gettext("o nome de classe %(nome)s esconderia um nome do Python ou do pacote gerado") % {"nome": nome},
            )
        ]
    return []


def _checar_forma_de_maquina(classe: dict, metodo: dict, base: Caminho) -> Erros:
    """A method's expression and preconditions: names in scope, constructs from the list, types."""
    atributos = {a["nome"] for a in classe.get("atributos", [])}
    erros: Erros = []
    for k, parametro in enumerate(metodo.get("parametros", [])):
        caminho = (*base, "parametros", k, "nome")
        if parametro["nome"] in atributos:
            erros.append(
                (
                    caminho,
                    gettext("o parâmetro %(nome)s tem o nome de um atributo: a expressão seria ambígua")
                    % {"nome": parametro["nome"]},
                )
            )
        elif parametro["nome"] in expressoes.NOMES_DO_CODIGO:
            erros.append(
                (caminho, gettext("o parâmetro %(nome)s esconderia a função %(nome)s") % {"nome": parametro["nome"]})
            )
    if erros:
        return erros
    escopo = expressoes.escopo_do_metodo(classe, metodo)
    for k, pre in enumerate(metodo.get("exige", [])):
        try:
            expressoes.analisar_condicao(pre["condicao"], escopo)
        except expressoes.ErroExpressao as exc:
            erros.append(((*base, "exige", k, "condicao"), str(exc)))
    if "expressao" in metodo:
        try:
            expressoes.analisar_retorno(metodo["expressao"], escopo, metodo.get("retorna"))
        except expressoes.ErroExpressao as exc:
            erros.append(((*base, "expressao"), str(exc)))
    return erros


def _checar_exemplo(atributo: dict, caminho: Caminho) -> Erros:
    """The example must be a value the attribute itself accepts."""
    exemplo, tipo = atributo["exemplo"], atributo["tipo"]
    # Only the constraints that apply to the type: the others are already errors in restricoes.
    restricoes = {k: v for k, v in atributo.get("restricoes", {}).items() if tipo in _RESTRICAO_SE_APLICA[k]}
    if tipo in ("list", "dict"):
        certo = isinstance(exemplo, list if tipo == "list" else dict)
    else:
        certo = do_tipo(exemplo, tipo)
    if not certo:
        return [
            (
                caminho,
                gettext("o exemplo %(exemplo)s não é do tipo %(tipo)s") % {"exemplo": mostrar(exemplo), "tipo": tipo},
            )
        ]
    falhas = []
    if "min" in restricoes and exemplo < restricoes["min"]:
        falhas.append(gettext("é menor que min (%(min)s)") % {"min": restricoes["min"]})
    if "max" in restricoes and exemplo > restricoes["max"]:
        falhas.append(gettext("é maior que max (%(max)s)") % {"max": restricoes["max"]})
    if "min_len" in restricoes and len(exemplo) < restricoes["min_len"]:
        falhas.append(gettext("é mais curto que min_len (%(min_len)s)") % {"min_len": restricoes["min_len"]})
    if "max_len" in restricoes and len(exemplo) > restricoes["max_len"]:
        falhas.append(gettext("é mais longo que max_len (%(max_len)s)") % {"max_len": restricoes["max_len"]})
    if "padrao" in restricoes:
        try:
            if not padroes.casa_inteiro(restricoes["padrao"], exemplo):
                falhas.append(gettext("não casa com o padrao"))
        except padroes.TextoLongoDemais:
            falhas.append(
                gettext("tem mais de %(MAX_TEXTO)s caracteres (o máximo de um texto com padrao)")
                % {"MAX_TEXTO": padroes.MAX_TEXTO}
            )
        except padroes.PadraoInvalido:
            pass  # the invalid padrao is already an error in restricoes.padrao
    if "escolhas" in restricoes and not any(mesmo_valor(e, exemplo) for e in restricoes["escolhas"]):
        falhas.append(gettext("não é uma das escolhas"))
    return [(caminho, f"o exemplo {mostrar(exemplo)} {'; '.join(falhas)}")] if falhas else []


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
        (
            (*base, chave),
            gettext("a restrição %(chave)s não se aplica ao tipo %(tipo)s") % {"chave": chave, "tipo": tipo},
        )
        for chave in restricoes
        if tipo not in _RESTRICAO_SE_APLICA[chave]
    ]
    for menor, maior in (("min", "max"), ("min_len", "max_len")):
        if menor in restricoes and maior in restricoes and restricoes[menor] > restricoes[maior]:
            erros.append(
                (
                    (*base, maior),
                    gettext("%(maior)s deve ser maior ou igual a %(menor)s") % {"maior": maior, "menor": menor},
                )
            )
    if "padrao" in restricoes and (motivo := padroes.validar(restricoes["padrao"])):
        erros.append(((*base, "padrao"), motivo))
    if tipo in _RESTRICAO_SE_APLICA["escolhas"]:
        erros += [
            ((*base, "escolhas", k), gettext("valor %(v)s não é do tipo %(tipo)s") % {"v": mostrar(v), "tipo": tipo})
            for k, v in enumerate(restricoes.get("escolhas", []))
            if not do_tipo(v, tipo)
        ]
    return erros


def medir(poo: dict) -> dict[str, int]:
    """classes, and atributos and metodos summed over the classes."""
    return contar(poo.get("classes", []), ("atributos", "metodos"), contagem="classes")


VERTENTE = Vertente(codigo="E", secao="spec_poo", schema=SCHEMA, checar=checar, medir=medir)
