"""Readable Python literals for the generated code: ``literal(valor)`` writes dicts, lists and
tuples on one line when they fit, else one item per line with a trailing comma (``ruff format``'s
style), indented from ``nivel``. Texts and numbers go through ``repr`` — never through
interpolation —, so nothing of the spec becomes code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LARGURA = 100
INDENTACAO = "    "


def em_uma_linha(valor: dict[str, Any] | list[Any] | tuple[Any, ...], escrever: Callable[[Any], str]) -> str:
    """A dict, list or tuple on one line, each key and item written by ``escrever``."""
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
    """One item per line with a trailing comma (``ruff format``'s style): keys written by
    ``escrever``, items by ``escrever_item``, each line starting with ``dentro``, the closing one
    with ``fora``. Empty, only the pair of delimiters."""
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
    """The literal of ``valor`` for a line that starts ``nivel`` indentations in."""
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
