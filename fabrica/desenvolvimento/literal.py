"""Literais Python legíveis para o código gerado: ``literal(valor)`` escreve dicionários, listas
e tuplas numa linha quando cabem, senão um item por linha com vírgula no fim (o estilo do
``ruff format``), indentados a partir de ``nivel``. Textos e números saem pelo ``repr`` — nunca
por interpolação —, então nada da spec vira código."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LARGURA = 100
INDENTACAO = "    "


def em_uma_linha(valor: dict[str, Any] | list[Any] | tuple[Any, ...], escrever: Callable[[Any], str]) -> str:
    """Um dicionário, lista ou tupla numa linha, cada chave e item escrito por ``escrever``."""
    if isinstance(valor, dict):
        return "{" + ", ".join(f"{escrever(k)}: {escrever(v)}" for k, v in valor.items()) + "}"
    if isinstance(valor, list):
        return "[" + ", ".join(escrever(v) for v in valor) + "]"
    itens = [escrever(v) for v in valor]
    return "(" + ", ".join(itens) + ("," if len(itens) == 1 else "") + ")"


def em_linhas(
    valor: dict[str, Any] | list[Any] | tuple[Any, ...],
    escrever: Callable[[Any], str],
    escrever_item: Callable[[Any], str],
    dentro: str,
    fora: str,
) -> str:
    """Um item por linha com vírgula no fim (o estilo do ``ruff format``): as chaves por
    ``escrever``, os itens por ``escrever_item``, cada linha começando em ``dentro``, o fecho em
    ``fora``. Vazio, só o par de delimitadores."""
    if isinstance(valor, dict):
        itens = [f"{escrever(k)}: {escrever_item(v)}" for k, v in valor.items()]
        abre, fecha = "{", "}"
    else:
        itens = [escrever_item(v) for v in valor]
        abre, fecha = ("[", "]") if isinstance(valor, list) else ("(", ")")
    if not itens:
        return abre + fecha
    return abre + "\n" + "".join(f"{dentro}{item},\n" for item in itens) + fora + fecha


def _uma_linha(valor: Any) -> str:
    if isinstance(valor, dict | list | tuple):
        return em_uma_linha(valor, _uma_linha)
    return repr(valor)


def literal(valor: Any, nivel: int = 0, largura: int = LARGURA) -> str:
    """O literal de ``valor`` para entrar numa linha que começa em ``nivel`` indentações."""
    linha = _uma_linha(valor)
    if not isinstance(valor, (dict, list, tuple)) or not valor or len(linha) + len(INDENTACAO) * nivel <= largura:
        return linha
    return em_linhas(
        valor,
        _uma_linha,
        lambda v: literal(v, nivel + 1, largura),
        INDENTACAO * (nivel + 1),
        INDENTACAO * nivel,
    )
