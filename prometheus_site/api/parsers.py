"""The API's JSON parser: DRF's, refusing with a 400 a body nested too deep to handle."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No payload of the contract comes near this; Python's recursion limit (~1000 frames) does,
# and a body nested just under it decodes but then fails when saved or rendered (a 500).
MAX_ANINHAMENTO = 100


def _aninhamento_excede(dados, limite: int) -> bool:
    pilha = [(dados, 1)]
    while pilha:
        valor, nivel = pilha.pop()
        if isinstance(valor, dict):
            filhos = list(valor.values())
        elif isinstance(valor, list):
            filhos = valor
        else:
            continue
        if nivel > limite:
            return True
        pilha.extend((filho, nivel + 1) for filho in filhos)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        recusa = f"JSON parse error - more than {MAX_ANINHAMENTO} levels of nesting."
        try:
            dados = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(recusa) from None
        if _aninhamento_excede(dados, MAX_ANINHAMENTO):
            raise ParseError(recusa)
        return dados
