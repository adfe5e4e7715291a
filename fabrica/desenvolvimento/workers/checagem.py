"""Checks of the generated text before it runs: the XML is well-formed, the Python compiles."""

from __future__ import annotations

from lxml import etree

from fabrica.desenvolvimento.verificacao import arvore_python
from fabrica.erros import DadosInvalidos


def checar_xml(texto: str, caminho: str) -> None:
    try:
        # the text is ours (templates), but a template overridden by the spec repository is not:
        # no external entities nor network
        etree.fromstring(texto.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise DadosInvalidos(f"O artefato {caminho} não é XML bem formado: {exc}.") from None


def checar_python(texto: str, caminho: str) -> None:
    try:
        compile(arvore_python(texto), caminho, "exec")
    except SyntaxError as exc:
        raise DadosInvalidos(f"O artefato {caminho} não é Python válido (linha {exc.lineno}): {exc.msg}.") from None
