"""The semantics of the specs' structured conditions (BPMN gateways, DMN cells), without ``eval``.

A condition is ``{operador, valor}`` (plus ``variavel`` in gateways) or ``"-"`` (any value, only
in DMN cells). This module is PROMETHEUS's reading of those conditions: it decides whether a value
matches, finds values that represent each region of truth of a set of conditions and, with them,
answers whether conditions on the same variable can hold together. Who uses it: the specs'
validation (overlapping UNIQUE/ANY rules), the P and D workers (the walk through the flow, each
rule's inputs, the expected results) and the tests that check the artefacts with a FEEL engine.

A pure module: no Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from fabrica.specs.traducao import _

QUALQUER = "-"


class Incomparavel(ValueError):
    """The value does not compare with the condition (different types, or a missing value)."""


def _eh_numero(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _familia(v: object) -> str:
    if isinstance(v, bool):
        return "bool"
    if _eh_numero(v):
        return "numero"
    if isinstance(v, str):
        return "texto"
    return type(v).__name__


def _igual(a: object, b: object) -> bool:
    if _familia(a) != _familia(b):
        raise Incomparavel(_("%(a)s e %(b)s não são do mesmo tipo") % {"a": repr(a), "b": repr(b)})
    return a == b


def _ordem(a: Any, b: Any) -> int:
    fa, fb = _familia(a), _familia(b)
    if fa != fb or fa == "bool":
        raise Incomparavel(_("%(a)s e %(b)s não se ordenam") % {"a": repr(a), "b": repr(b)})
    return (a > b) - (a < b)


def casa(condicao: dict | str, valor: object) -> bool:
    """Does the value satisfy the condition? ``"-"`` matches everything; ``entre`` is a closed
    interval.

    Raises ``Incomparavel`` when the value and the condition are not of the same type (a text
    compared with ``<`` to a number, say, or a missing value): neither PROMETHEUS nor a FEEL engine
    would give a meaningful result there, so the caller decides what it means.
    """
    if condicao == QUALQUER:
        return True
    assert isinstance(condicao, dict)
    operador, alvo = condicao["operador"], condicao["valor"]
    if valor is None:
        raise Incomparavel("valor ausente")
    if operador == "==":
        return _igual(valor, alvo)
    if operador == "!=":
        return not _igual(valor, alvo)
    if operador == "in":
        return any(_igual(valor, a) for a in alvo)
    if operador == "entre":
        return _ordem(valor, alvo[0]) >= 0 and _ordem(valor, alvo[1]) <= 0
    comparacao = _ordem(valor, alvo)
    return {"<": comparacao < 0, "<=": comparacao <= 0, ">": comparacao > 0, ">=": comparacao >= 0}[operador]


def constantes(condicao: dict | str) -> list:
    if condicao == QUALQUER:
        return []
    assert isinstance(condicao, dict)
    valor = condicao["valor"]
    return list(valor) if isinstance(valor, list) else [valor]


def _unicos(valores: Iterable) -> list:
    vistos: list = []
    for v in valores:
        if not any(_familia(v) == _familia(w) and v == w for w in vistos):
            vistos.append(v)
    return vistos


def _data(v: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(v) if isinstance(v, str) else None
    except ValueError:
        return None


def candidatos(condicoes: Iterable[dict | str], tipo: str | None = None) -> list:
    """Values that represent each region of truth of the conditions on one variable.

    Between two consecutive constants (and before the first, after the last) every condition
    ``{operador, valor}`` has the same result; so it is enough to try each constant, one point of
    each interval and one point outside. ``tipo`` is the spec's basic type (``int``, ``float``,
    ``decimal``, ``str``, ``bool``, ``date``); without it (BPMN gateways, untyped variables) the type
    comes from the constants themselves, and integers come before fractions. The list is never
    empty.
    """
    consts = _unicos(c for cond in condicoes for c in constantes(cond))
    if tipo == "bool" or (tipo is None and consts and all(isinstance(c, bool) for c in consts)):
        return [True, False]
    numeros = sorted(c for c in consts if _eh_numero(c))
    textos = sorted(c for c in consts if isinstance(c, str))
    if tipo == "date":
        dias = sorted({d for d in map(_data, textos) if d is not None})
        if not dias:
            return ["2024-01-01"]
        datas = [dias[0] - datetime.timedelta(days=1)]
        for d in dias:
            datas += [d, d + datetime.timedelta(days=1)]
        return [p.isoformat() for p in dict.fromkeys(datas)]
    saida: list = []
    if tipo in ("int", "float", "decimal") or (tipo is None and numeros):
        if not numeros:
            saida = [0]
        else:
            inteiros = tipo == "int" or all(isinstance(n, int) for n in numeros)
            pontos: list = [numeros[0] - 1]
            for i, n in enumerate(numeros):
                pontos += [n, n + 1] if inteiros else [n]
                if i + 1 < len(numeros):
                    proximo = numeros[i + 1]
                    if not inteiros or tipo != "int":
                        pontos.append((n + proximo) / 2)
            pontos.append(numeros[-1] + 1)
            if tipo == "int":
                pontos = [p for p in pontos if isinstance(p, int) or float(p).is_integer()]
                pontos = [int(p) for p in pontos]
            vistos = _unicos(pontos)
            # integers first: "round" values in the generated tests when they serve
            saida = sorted(vistos, key=lambda p: (not float(p).is_integer(), p))
            saida = [int(p) if isinstance(p, float) and p.is_integer() and inteiros else p for p in saida]
        if tipo is not None:
            return _unicos(saida)
    if tipo == "str" or (tipo is None and (textos or not numeros)):
        novo = "outro"
        while novo in textos:
            novo += "_"
        saida += [*textos, novo]
    return _unicos(saida)


def satisfaz(restricoes: Sequence[tuple[dict | str, bool]], tipo: str | None = None) -> tuple[bool, Any]:
    """Is there a value that gives each condition the result asked for? Returns ``(True, valor)``
    or ``(False, None)``. A value that does not compare with some condition does not serve."""
    for valor in candidatos((c for c, _esperado in restricoes), tipo):
        try:
            if all(casa(c, valor) == esperado for c, esperado in restricoes):
                return True, valor
        except Incomparavel:
            continue
    return False, None


def sobreposicao(
    regra_a: dict[str, dict | str], regra_b: dict[str, dict | str], tipos: dict[str, str]
) -> dict[str, Any] | None:
    """Inputs that make both rules match at once, or None when there are none.

    ``regra_*`` maps input → cell (missing is ``"-"``); ``tipos`` gives each input's type. The
    inputs are independent (each cell looks only at its own), so the rules overlap exactly when,
    input by input, the two cells can hold together.
    """
    exemplo: dict[str, Any] = {}
    for entrada, tipo in tipos.items():
        a, b = regra_a.get(entrada, QUALQUER), regra_b.get(entrada, QUALQUER)
        if a == QUALQUER and b == QUALQUER:
            continue
        ok, valor = satisfaz([(a, True), (b, True)], tipo)
        if not ok:
            return None
        exemplo[entrada] = valor
    return exemplo


def mostrar(valor: object) -> str:
    if isinstance(valor, bool):
        return "true" if valor else "false"
    return f"'{valor}'" if isinstance(valor, str) else str(valor)


def mascaras(celulas: Sequence[dict | str], tipo: str | None) -> tuple[list, list[int]]:
    """The column's representatives (``candidatos`` of all its cells) and, per cell, the bit mask
    of the representatives it matches. Two cells of one column can hold together exactly when their
    masks intersect (the representatives cover each region of truth of every cell of the
    column)."""
    pontos = candidatos(celulas, tipo)
    saida = []
    for celula in celulas:
        mascara = 0
        for i, valor in enumerate(pontos):
            try:
                if casa(celula, valor):
                    mascara |= 1 << i
            except Incomparavel:
                continue
        saida.append(mascara)
    return pontos, saida
