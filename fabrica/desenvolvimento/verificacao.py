"""Generated artefacts are checked before anything runs: Python parses, Django templates compile,
XML is well-formed, JSON and TOML load. Nothing is executed or imported here.

Two doors onto the same checks:

- ``problemas(artefatos)``: every problem, one per artefact at most (the development loop turns
  them into failing results of the vertente, and runs nothing);
- ``verificar(artefatos)``: returns the artefacts unchanged, or raises ``DadosInvalidos`` for the
  first broken one (a worker refusing, at generation, a template that produced broken code).
"""

from __future__ import annotations

import ast
import functools
import json
import tomllib
import warnings
from dataclasses import dataclass
from typing import Any

from lxml import etree

from fabrica.desenvolvimento.base import Artefato
from fabrica.erros import DadosInvalidos

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_XML = (".xml", ".bpmn", ".dmn", ".xsd", ".svg")


@dataclass(frozen=True)
class Problema:
    caminho: str
    linha: int | None
    mensagem: str
    detalhe: str = ""  # the parser's own words (SyntaxError.msg, TemplateSyntaxError)

    def como_dict(self) -> dict[str, Any]:
        return {"caminho": self.caminho, "linha": self.linha, "mensagem": self.mensagem}


def problemas(artefatos: list[Artefato]) -> list[Problema]:
    """Every problem found, one per artefact at most; an empty list when all of them are sound."""
    encontrados = []
    for artefato in artefatos:
        problema = verificar_um(artefato.caminho, artefato.conteudo)
        if problema is not None:
            encontrados.append(problema)
    return encontrados


def verificar(artefatos: list[Artefato]) -> list[Artefato]:
    """Returns ``artefatos`` unchanged, or raises ``DadosInvalidos`` for the first that is broken."""
    for p in problemas(artefatos):
        if p.caminho.endswith(".py"):
            raise DadosInvalidos(f"O código gerado em {p.caminho} não é Python válido (linha {p.linha}): {p.detalhe}.")
        if p.caminho.endswith(".html"):
            raise DadosInvalidos(f"O template Django gerado em {p.caminho} não compila: {p.detalhe}.")
        linha = f" (linha {p.linha})" if p.linha else ""
        raise DadosInvalidos(f"O artefato gerado {p.caminho} não passou na verificação{linha}: {p.mensagem}.")
    return artefatos


# Texts up to this size keep their tree for the next reader; a larger one (an override of the
# spec repository can generate megabytes) is parsed each time rather than held in memory.
MAIOR_EM_CACHE = 1 << 20


def arvore_python(conteudo: str) -> ast.Module:
    """The syntax tree of a generated module, parsed once per text: the worker's check at
    generation, the checks before a run and the release's requirements (``pacote.importados``)
    read the same files. Raises ``SyntaxError`` (or ``ValueError`` for a NUL byte). Shared: its
    readers must not change it."""
    return _analisar(conteudo) if len(conteudo) > MAIOR_EM_CACHE else _arvore_guardada(conteudo)


def _analisar(conteudo: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(conteudo)


_arvore_guardada = functools.lru_cache(maxsize=64)(_analisar)


def verificar_um(caminho: str, conteudo: str) -> Problema | None:
    if caminho.endswith(".py"):
        try:
            arvore_python(conteudo)
        except SyntaxError as exc:  # IndentationError and TabError are SyntaxErrors too
            return Problema(caminho, exc.lineno, f"Python inválido: {type(exc).__name__}: {exc.msg}", exc.msg)
        except ValueError as exc:  # a NUL byte in the source
            return Problema(caminho, None, f"Python inválido: {exc}", str(exc))
    elif caminho.endswith(".html") and "/templates/" in caminho:
        return _template_django(caminho, conteudo)
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


def _template_django(caminho: str, conteudo: str) -> Problema | None:
    from django.template import Engine, TemplateSyntaxError

    try:
        # Only parsing: {% extends %} and {% include %} are resolved when the page renders.
        Engine().from_string(conteudo)
    except TemplateSyntaxError as exc:
        return Problema(caminho, None, f"o template Django não compila: {exc}", str(exc))
    return None
