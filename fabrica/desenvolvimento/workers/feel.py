"""Texto FEEL das condições estruturadas de uma spec: o que vai nos artefatos BPMN e DMN.

Só o PROMETHEUS escreve estes textos, a partir de condições ``{operador, valor}`` já validadas;
nada aqui lê texto de usuário. Duas formas (DMN 1.3, capítulo 10):

- célula de tabela (S-FEEL, *simple unary tests*): ``< 18``, ``[18..70]``, ``"ruim"``,
  ``"recusado", "alto"``, ``not("a")``, ``-``;
- expressão booleana de um fluxo condicional (FEEL, com o ``=`` inicial das expressões do
  Camunda 8): ``=valor_total > 5000``, ``=risco in ("alto", "medio")``.

Datas (tipo ``date``) viram ``date("2024-01-31")``; textos vão entre aspas com ``\\`` e ``"``
escapados; números sem expoente (FEEL não tem notação científica).
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
    """Célula de entrada S-FEEL de uma condição de regra DMN."""
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
    """Expressão FEEL (com ``=`` inicial) de uma condição de gateway ``{variavel, operador, valor}``."""
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
    """Rótulo curto de um fluxo condicional no diagrama (a expressão sem o ``=``)."""
    return expressao(condicao)[1:]
