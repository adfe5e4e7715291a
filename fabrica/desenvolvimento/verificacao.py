"""Generated artefacts are checked before anything runs: Python must parse, Django templates must
compile. A template (the project's or a spec repository's override) that produces broken code is
refused naming the file and the line, instead of surfacing later as a failing test run."""

from __future__ import annotations

from fabrica.desenvolvimento.base import Artefato
from fabrica.erros import DadosInvalidos


def verificar(artefatos: list[Artefato]) -> list[Artefato]:
    """Returns ``artefatos`` unchanged, or raises ``DadosInvalidos`` for the first that is broken."""
    for artefato in artefatos:
        if artefato.caminho.endswith(".py"):
            try:
                compile(artefato.conteudo, artefato.caminho, "exec")
            except SyntaxError as exc:
                raise DadosInvalidos(
                    f"O código gerado em {artefato.caminho} não é Python válido (linha {exc.lineno}): {exc.msg}."
                ) from None
        elif artefato.caminho.endswith(".html") and "/templates/" in artefato.caminho:
            _compilar_template_django(artefato)
    return artefatos


def _compilar_template_django(artefato: Artefato) -> None:
    from django.template import Engine, TemplateSyntaxError

    try:
        # Only parsing: {% extends %} and {% include %} are resolved when the page renders.
        Engine().from_string(artefato.conteudo)
    except TemplateSyntaxError as exc:
        raise DadosInvalidos(f"O template Django gerado em {artefato.caminho} não compila: {exc}.") from None
