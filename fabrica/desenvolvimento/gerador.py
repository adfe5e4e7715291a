"""The default code generator: deterministic, from Jinja2 templates.

Templates ship with the project under ``fabrica/desenvolvimento/templates/<vertente>/`` and a
spec repository may override any of them under ``_catalogo/templates/<vertente>/`` (same file
name). ``StrictUndefined`` makes a template that names an undefined variable fail at generation,
before anything runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from fabrica.erros import DadosInvalidos

TEMPLATES_DO_PROJETO = Path(__file__).resolve().parent / "templates"


class GeradorTemplates:
    nome = "templates"

    def __init__(self, repositorio: Path | str | None = None) -> None:
        caminhos = []
        if repositorio is not None:
            sobrepostos = Path(repositorio) / "_catalogo" / "templates"
            if sobrepostos.is_dir():
                caminhos.append(str(sobrepostos))
        caminhos.append(str(TEMPLATES_DO_PROJETO))
        self.ambiente = jinja2.Environment(  # noqa: S701 — generates code and XML, not HTML
            loader=jinja2.FileSystemLoader(caminhos),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def origem(self, vertente: str, template: str) -> str:
        """Where the template of this artefact came from: the repository's or the project's."""
        carregador = self.ambiente.loader
        assert carregador is not None  # built with one in __init__
        fonte, arquivo, _ = carregador.get_source(self.ambiente, f"{vertente}/{template}")
        return "projeto" if arquivo and Path(arquivo).is_relative_to(TEMPLATES_DO_PROJETO) else "repositorio"

    def gerar(self, vertente: str, template: str, contexto: dict[str, Any]) -> str:
        try:
            return self.ambiente.get_template(f"{vertente}/{template}").render(**contexto)
        except jinja2.TemplateNotFound as exc:
            raise DadosInvalidos(f"Template {exc.name} não existe.") from None
        except jinja2.UndefinedError as exc:
            raise DadosInvalidos(
                f"O template {vertente}/{template} usa uma variável indefinida: {exc.message}."
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            raise DadosInvalidos(
                f"O template {vertente}/{template} tem um erro de sintaxe na linha {exc.lineno}: {exc.message}."
            ) from None
