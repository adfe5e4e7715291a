"""Vertente D (decisional): DMN decision tables — ``spec_dmn``.

The format, the rules the schema does not express and what it counts for size. The rules:

- known inputs and outputs, cells of the column's type, every rule defines every output;
- ``saidas[].valores``: the output's possible values, in decreasing priority (DMN's
  ``outputValues``); required by PRIORITY and OUTPUT ORDER, which sort by them; with them, every
  rule gives one of those values;
- ``agregacao`` (COLLECT): a single output; SUM needs it numeric, MIN and MAX numeric or a date;
- UNIQUE: two rules matching the same inputs are refused, both named, with an example of inputs;
  ANY: the same, when the two give different outputs (DMN 1.3 §8.2.11: the engine would fail
  evaluating);
- requirements between decisions (an input named as another decision's output): an output comes
  from one decision only, of the input's type, from a decision with a single result (single hit
  or aggregation), and without cycles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop

from fabrica.specs import condicoes
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
_SAIDA_DMN = objeto(
    {
        "nome": ref("nome"),
        "tipo": {"enum": list(TIPOS_ESCALARES)},
        "descricao": DESCRICAO,
        "valores": {
            **lista(ref("escalar"), 1, unicos=True),
            "description": "valores possíveis da saída, do mais prioritário ao menos (outputValues do DMN); "
            "obrigatório nas políticas PRIORITY e OUTPUT ORDER",
        },
    },
    ("nome", "tipo"),
)
_DECISAO = objeto(
    {
        "id": ref("id"),
        "nome": TEXTO,
        "descricao": DESCRICAO,
        "politica": {"enum": list(POLITICAS_DMN)},
        "agregacao": {
            "enum": ["SUM", "MIN", "MAX", "COUNT"],
            "description": "só em COLLECT, com uma única saída: soma, mínimo, máximo ou contagem das saídas",
        },
        "entradas": lista(_COLUNA_DMN, 1),
        "saidas": lista(_SAIDA_DMN, 1),
        "regras": lista(
            objeto(
                {
                    "quando": mapa(
                        {
                            "description": gettext_noop("'-' (qualquer valor) ou uma condição {operador, valor}"),
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
    erros = duplicados(decisoes, "id", ("spec_dmn", "decisoes"), gettext_noop("id de decisão"))
    for i, d in enumerate(decisoes):
        base = ("spec_dmn", "decisoes", i)
        erros += duplicados(d["entradas"], "nome", (*base, "entradas"), gettext_noop("nome de entrada"))
        erros += duplicados(d["saidas"], "nome", (*base, "saidas"), gettext_noop("nome de saída"))
        if "agregacao" in d and d["politica"] != "COLLECT":
            erros.append(((*base, "agregacao"), gettext("agregacao só se aplica à política COLLECT")))
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
                    erros.append(
                        (
                            (*rb, "entao", nome),
                            gettext("saída desconhecida: %(nome)s; saídas: %(saidas)s")
                            % {"nome": nome, "saidas": ", ".join(saidas)},
                        )
                    )
                elif not do_tipo(valor, saidas[nome]):
                    erros.append(
                        (
                            (*rb, "entao", nome),
                            gettext("valor %(valor)s não é do tipo %(v)s")
                            % {"valor": mostrar(valor), "v": saidas[nome]},
                        )
                    )
            erros += [
                (
                    (*rb, "entao", nome),
                    gettext("campo obrigatório ausente: %(nome)s (toda regra define todas as saídas)") % {"nome": nome},
                )
                for nome in saidas
                if nome not in regra["entao"]
            ]
        antes = len(erros)
        erros += _checar_saidas(d, base)
        erros += _checar_agregacao(d, base)
        if len(erros) == antes and not any(c[: len(base)] == base for c, _ in erros):
            erros += _checar_sobreposicao(d, base)
    erros += _checar_requisitos(decisoes)
    return erros


_MULTIPLAS = ("RULE ORDER", "OUTPUT ORDER")


def _checar_saidas(d: dict, base: Caminho) -> Erros:
    erros: Erros = []
    for k, saida in enumerate(d["saidas"]):
        sb = (*base, "saidas", k)
        if "valores" not in saida:
            if d["politica"] in ("PRIORITY", "OUTPUT ORDER"):
                erros.append(
                    (
                        (*sb, "valores"),
                        gettext(
                            "campo obrigatório ausente: valores (a política %(politica)s ordena as regras pela prioridade dos valores de saída)"
                        )
                        % {"politica": d["politica"]},
                    )
                )
            continue
        valores = saida["valores"]
        ruins = [v for v in valores if not do_tipo(v, saida["tipo"])]
        if ruins:
            erros.append(
                (
                    (*sb, "valores"),
                    gettext("valor %(v)s não é do tipo %(tipo)s") % {"v": mostrar(ruins[0]), "tipo": saida["tipo"]},
                )
            )
            continue
        for r, regra in enumerate(d["regras"]):
            valor = regra["entao"].get(saida["nome"])
            if valor is not None and not any(condicoes.casa({"operador": "==", "valor": v}, valor) for v in valores):
                erros.append(
                    (
                        (*base, "regras", r, "entao", saida["nome"]),
                        gettext("valor %(valor)s fora de saidas[%(k)s].valores: %(v)s")
                        % {"valor": mostrar(valor), "k": k, "v": ", ".join(map(mostrar, valores))},
                    )
                )
    return erros


def _checar_agregacao(d: dict, base: Caminho) -> Erros:
    agregacao = d.get("agregacao")
    if agregacao is None or d["politica"] != "COLLECT":
        return []
    if len(d["saidas"]) != 1:
        return [
            (
                (*base, "agregacao"),
                gettext("a agregação %(agregacao)s exige uma única saída (a decisão tem %(v)s)")
                % {"agregacao": agregacao, "v": len(d["saidas"])},
            )
        ]
    tipo = d["saidas"][0]["tipo"]
    if agregacao == "SUM" and tipo not in ("int", "float", "decimal"):
        return [((*base, "agregacao"), gettext("SUM exige saída numérica (a saída é %(tipo)s)") % {"tipo": tipo})]
    if agregacao in ("MIN", "MAX") and tipo not in TIPOS_ORDENAVEIS:
        return [
            (
                (*base, "agregacao"),
                gettext("%(agregacao)s exige saída numérica ou data (a saída é %(tipo)s)")
                % {"agregacao": agregacao, "tipo": tipo},
            )
        ]
    return []


def _checar_sobreposicao(d: dict, base: Caminho) -> Erros:
    """UNIQUE: no pair of rules matches together; ANY: the pairs that match together give the
    same output.

    Per column, the representatives of all its cells (``condicoes.mascaras``): two rules overlap
    when, in every column, their cells' masks intersect — a bitwise AND per column and pair, fast
    even on large tables.
    """
    politica = d["politica"]
    if politica not in ("UNIQUE", "ANY"):
        return []
    colunas = []
    for e in d["entradas"]:
        celulas = [regra["quando"].get(e["nome"], condicoes.QUALQUER) for regra in d["regras"]]
        pontos, mascaras = condicoes.mascaras(celulas, e["tipo"])
        colunas.append((e["nome"], pontos, mascaras))
    erros: Erros = []
    regras = d["regras"]
    for j in range(1, len(regras)):
        for i in range(j):
            if politica == "ANY" and regras[i]["entao"] == regras[j]["entao"]:
                continue
            if all(m[i] & m[j] for _, _, m in colunas):
                exemplo = ", ".join(
                    f"{nome}={mostrar(pontos[((m[i] & m[j]) & -(m[i] & m[j])).bit_length() - 1])}"
                    for nome, pontos, m in colunas
                )
                regra = (
                    gettext("no máximo uma regra pode casar")
                    if politica == "UNIQUE"
                    else gettext("regras que casam juntas devem dar a mesma saída")
                )
                erros.append(
                    (
                        (*base, "regras", j),
                        gettext(
                            "a regra %(v)s se sobrepõe à regra %(v2)s (regras[%(i)s]): na política %(politica)s %(regra)s, e as duas casam com %(exemplo)s"
                        )
                        % {"v": j + 1, "v2": i + 1, "i": i, "politica": politica, "regra": regra, "exemplo": exemplo},
                    )
                )
                break
    return erros


def _checar_requisitos(decisoes: list[dict]) -> Erros:
    erros: Erros = []
    produtor: dict[str, tuple[int, int]] = {}
    for i, d in enumerate(decisoes):
        for k, s in enumerate(d["saidas"]):
            if s["nome"] in produtor:
                outra = decisoes[produtor[s["nome"]][0]]["id"]
                erros.append(
                    (
                        ("spec_dmn", "decisoes", i, "saidas", k, "nome"),
                        gettext(
                            "a saída %(nome)s já é produzida pela decisão %(outra)s: uma entrada de mesmo nome não saberia de qual decisão vem"
                        )
                        % {"nome": s["nome"], "outra": outra},
                    )
                )
            else:
                produtor[s["nome"]] = (i, k)
    if erros:
        return erros
    requer: dict[str, set[str]] = {}
    for i, d in enumerate(decisoes):
        requer[d["id"]] = set()
        for k, e in enumerate(d["entradas"]):
            if e["nome"] not in produtor:
                continue
            pi, pk = produtor[e["nome"]]
            origem = decisoes[pi]
            caminho = ("spec_dmn", "decisoes", i, "entradas", k)
            if origem["id"] == d["id"]:
                erros.append(
                    ((*caminho, "nome"), gettext("a entrada %(nome)s é saída da própria decisão") % {"nome": e["nome"]})
                )
                continue
            requer[d["id"]].add(origem["id"])
            saida = origem["saidas"][pk]
            numericos = ("int", "float", "decimal")
            if saida["tipo"] != e["tipo"] and not (saida["tipo"] in numericos and e["tipo"] in numericos):
                erros.append(
                    (
                        (*caminho, "tipo"),
                        gettext("a entrada %(nome)s (%(tipo)s) vem da saída %(nome)s de %(id)s, que é %(tipo2)s")
                        % {"nome": e["nome"], "tipo": e["tipo"], "id": origem["id"], "tipo2": saida["tipo"]},
                    )
                )
            if origem["politica"] in _MULTIPLAS or (origem["politica"] == "COLLECT" and "agregacao" not in origem):
                erros.append(
                    (
                        (*caminho, "nome"),
                        gettext(
                            "a entrada %(nome)s vem de %(id)s, de política %(politica)s sem agregação: o resultado é uma lista, não um valor"
                        )
                        % {"nome": e["nome"], "id": origem["id"], "politica": origem["politica"]},
                    )
                )
    # cycles: repeatedly remove the decisions whose requirements are already out
    restantes = dict(requer)
    while restantes:
        livres = [d for d, r in restantes.items() if not (r & set(restantes))]
        if not livres:
            ciclo = sorted(restantes)
            i = next(n for n, d in enumerate(decisoes) if d["id"] == ciclo[0])
            erros.append(
                (
                    ("spec_dmn", "decisoes", i, "entradas"),
                    gettext("requisitos em ciclo entre as decisões %(ciclo)s") % {"ciclo": ", ".join(ciclo)},
                )
            )
            break
        for livre in livres:
            del restantes[livre]
    return erros


def _checar_celula(cond: dict, tipo: str, caminho: Caminho) -> Erros:
    # The types are checked here so that the generator writes correct cells (docs/arquitetura.md,
    # "Specs": a mistyped cell only fails when its rule is reached, or silently never matches).
    operador, valor = cond["operador"], cond["valor"]
    if operador in ("<", "<=", ">", ">=", "entre") and tipo not in TIPOS_ORDENAVEIS:
        return [
            (
                (*caminho, "operador"),
                gettext("o operador %(operador)s exige entrada numérica ou data (a entrada é %(tipo)s)")
                % {"operador": operador, "tipo": tipo},
            )
        ]
    for v in valor if isinstance(valor, list) else [valor]:
        if not do_tipo(v, tipo):
            return [
                ((*caminho, "valor"), gettext("valor %(v)s não é do tipo %(tipo)s") % {"v": mostrar(v), "tipo": tipo})
            ]
    return checar_entre(cond, caminho)


def medir(dmn: dict) -> dict[str, int]:
    """regras, entradas and saidas summed over the decisions."""
    return contar(dmn.get("decisoes", []), ("regras", "entradas", "saidas"))


VERTENTE = Vertente(codigo="D", secao="spec_dmn", schema=SCHEMA, checar=checar, medir=medir, defs=DEFS)
