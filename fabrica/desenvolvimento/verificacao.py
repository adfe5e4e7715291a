"""Generated artefacts are checked before anything runs: Python parses, XML is well-formed,
JSON and TOML load. Nothing is executed or imported here. Pure Python: no Django."""

from __future__ import annotations

import ast
import json
import tomllib
import warnings
from dataclasses import dataclass

from lxml import etree

from fabrica.desenvolvimento.base import Artefato

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_XML = (".xml", ".bpmn", ".dmn", ".xsd", ".svg")


@dataclass(frozen=True)
class Problema:
    caminho: str
    linha: int | None
    mensagem: str

    def como_dict(self) -> dict:
        return {"caminho": self.caminho, "linha": self.linha, "mensagem": self.mensagem}


def verificar(artefatos: list[Artefato]) -> list[Problema]:
    """Every problem found, one per artefact at most; an empty list when all of them are sound."""
    problemas = []
    for artefato in artefatos:
        problema = verificar_um(artefato.caminho, artefato.conteudo)
        if problema is not None:
            problemas.append(problema)
    return problemas


def verificar_um(caminho: str, conteudo: str) -> Problema | None:
    if caminho.endswith(".py"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                ast.parse(conteudo, filename=caminho)
        except SyntaxError as exc:  # IndentationError and TabError are SyntaxErrors too
            return Problema(caminho, exc.lineno, f"Python inválido: {type(exc).__name__}: {exc.msg}")
        except ValueError as exc:  # a NUL byte in the source
            return Problema(caminho, None, f"Python inválido: {exc}")
    elif caminho.endswith(_XML):
        try:
            etree.fromstring(conteudo.encode("utf-8"), _PARSER)
        except etree.XMLSyntaxError as exc:
            return Problema(caminho, exc.lineno, f"XML malformado: {exc.msg}")
    elif caminho.endswith(".json"):
        try:
            json.loads(conteudo)
        except json.JSONDecodeError as exc:
            return Problema(caminho, exc.lineno, f"JSON inválido: {exc.msg}")
    elif caminho.endswith(".toml"):
        try:
            tomllib.loads(conteudo)
        except tomllib.TOMLDecodeError as exc:
            return Problema(caminho, None, f"TOML inválido: {exc}")
    return None
