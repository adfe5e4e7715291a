"""FEEL text of a spec's structured conditions: what goes into the BPMN and DMN artefacts.

Only PROMETHEUS writes these texts, from ``{operador, valor}`` conditions already validated;
nothing here reads a user's text. Two forms (DMN 1.3, chapter 10):

- a table cell (S-FEEL, *simple unary tests*): ``< 18``, ``[18..70]``, ``"ruim"``,
  ``"recusado", "alto"``, ``not("a")``, ``-``;
- the boolean expression of a conditional flow (FEEL, with the leading ``=`` of Camunda 8's
  expressions): ``=valor_total > 5000``, ``=risco in ("alto", "medio")``.

Dates (type ``date``) become ``date("2024-01-31")``; texts go between quotes with ``\\`` and
``"`` escaped; numbers without an exponent (FEEL has no scientific notation).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

QUALQUER = "-"
_OPERADORES_ORDEM = ("<", "<=", ">", ">=")


def literal(valor: object, tipo: str | None = None) -> str:
    if isinstance(valor, bool):
        return "true" if valor else "false"
    if isinstance(valor, int):
        return str(valor)
    if isinstance(valor, float):
        texto = format(Decimal(repr(valor)), "f")
        return texto[:-2] if texto.endswith(".0") else texto
    if isinstance(valor, str):
        texto = '"' + valor.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"date({texto})" if tipo == "date" else texto
    raise TypeError(f"sem literal FEEL para {valor!r}")


def celula(condicao: dict[str, Any] | str, tipo: str | None = None) -> str:
    """The S-FEEL input cell of a DMN rule's condition."""
    if condicao == QUALQUER:
        return QUALQUER
    assert isinstance(condicao, dict)
    operador, valor = condicao["operador"], condicao["valor"]
    if operador == "==":
        return literal(valor, tipo)
    if operador == "!=":
        return f"not({literal(valor, tipo)})"
    if operador == "in":
        return ", ".join(literal(v, tipo) for v in valor)
    if operador == "entre":
        return f"[{literal(valor[0], tipo)}..{literal(valor[1], tipo)}]"
    if operador in _OPERADORES_ORDEM:
        return f"{operador} {literal(valor, tipo)}"
    raise ValueError(f"operador desconhecido: {operador}")


def expressao(condicao: dict[str, Any]) -> str:
    """The FEEL expression (with a leading ``=``) of a gateway condition ``{variavel, operador, valor}``."""
    variavel, operador, valor = condicao["variavel"], condicao["operador"], condicao["valor"]
    if operador == "==":
        corpo = f"{variavel} = {literal(valor)}"
    elif operador == "!=":
        corpo = f"{variavel} != {literal(valor)}"
    elif operador == "in":
        corpo = f"{variavel} in ({', '.join(literal(v) for v in valor)})"
    elif operador == "entre":
        corpo = f"{variavel} in [{literal(valor[0])}..{literal(valor[1])}]"
    elif operador in _OPERADORES_ORDEM:
        corpo = f"{variavel} {operador} {literal(valor)}"
    else:
        raise ValueError(f"operador desconhecido: {operador}")
    return "=" + corpo


def rotulo(condicao: dict[str, Any]) -> str:
    """The short label of a conditional flow in the diagram (the expression without the ``=``)."""
    return expressao(condicao)[1:]
