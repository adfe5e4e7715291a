"""Checagens do texto gerado antes de ele rodar: o XML é bem formado, o Python compila."""

from __future__ import annotations

from lxml import etree

from fabrica.erros import DadosInvalidos


def checar_xml(texto: str, caminho: str) -> None:
    try:
        # o texto é nosso (templates), mas um template sobreposto pelo repositório de specs não:
        # sem entidades externas nem rede
        etree.fromstring(texto.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise DadosInvalidos(f"O artefato {caminho} não é XML bem formado: {exc}.") from None


def checar_python(texto: str, caminho: str) -> None:
    try:
        compile(texto, caminho, "exec")
    except SyntaxError as exc:
        raise DadosInvalidos(f"O artefato {caminho} não é Python válido (linha {exc.lineno}): {exc.msg}.") from None
