"""Literais Python legíveis para o código gerado: ``literal(valor)`` escreve dicionários, listas
e tuplas numa linha quando cabem, senão um item por linha com vírgula no fim (o estilo do
``ruff format``), indentados a partir de ``nivel``. Textos e números saem pelo ``repr`` — nunca
por interpolação —, então nada da spec vira código."""

from __future__ import annotations

from typing import Any

LARGURA = 100
INDENTACAO = "    "


def _uma_linha(valor: Any) -> str:
    if isinstance(valor, dict):
        return "{" + ", ".join(f"{_uma_linha(k)}: {_uma_linha(v)}" for k, v in valor.items()) + "}"
    if isinstance(valor, list):
        return "[" + ", ".join(_uma_linha(v) for v in valor) + "]"
    if isinstance(valor, tuple):
        itens = [_uma_linha(v) for v in valor]
        return "(" + ", ".join(itens) + ("," if len(itens) == 1 else "") + ")"
    return repr(valor)


def literal(valor: Any, nivel: int = 0, largura: int = LARGURA) -> str:
    """O literal de ``valor`` para entrar numa linha que começa em ``nivel`` indentações."""
    linha = _uma_linha(valor)
    if not isinstance(valor, (dict, list, tuple)) or not valor or len(linha) + len(INDENTACAO) * nivel <= largura:
        return linha
    dentro = INDENTACAO * (nivel + 1)
    if isinstance(valor, dict):
        itens = [f"{_uma_linha(k)}: {literal(v, nivel + 1, largura)}" for k, v in valor.items()]
        abre, fecha = "{", "}"
    else:
        itens = [literal(v, nivel + 1, largura) for v in valor]
        abre, fecha = ("[", "]") if isinstance(valor, list) else ("(", ")")
    return abre + "\n" + "".join(f"{dentro}{item},\n" for item in itens) + INDENTACAO * nivel + fecha
