"""The default code generator: deterministic, from Jinja2 templates.

Templates ship with the project under ``fabrica/desenvolvimento/templates/<vertente>/`` and a
spec repository may override any of them under ``_catalogo/templates/<vertente>/`` (same file
name). ``StrictUndefined`` makes a template that names an undefined variable fail at generation,
before anything runs.

Every template renders in Jinja's ``ImmutableSandboxedEnvironment``: an override comes from a spec
repository, whose authors are not trusted with the cluster's process. The sandbox refuses
attributes that lead out of the template (``__globals__``, ``__class__``, ``func_globals``…) and
methods that mutate what the template was given; repetition and power are bounded below, so an
override cannot build a string or number of gigabytes. Such a template fails its vertente with a
sentence (``DadosInvalidos``), like a syntax error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from fabrica.erros import DadosInvalidos
from fabrica.specs.limite import LimiteExcedido, executar_limitado

TEMPLATES_DO_PROJETO = Path(__file__).resolve().parent / "templates"
# What a template may build with * and **: far above any real artefact, far below the memory of
# a worker. ``range`` is already capped by the sandbox (MAX_RANGE).
MAX_REPETICAO = 1_000_000  # itens de "x" * n (texto ou lista)
MAX_BITS = 100_000  # inteiros de a * b e a ** b (uns 30 mil dígitos)
# A template of the spec repository renders within these (each one; the shipped ones take milliseconds).
TEMPO_S = 30.0
MEMORIA_MB = 512


class _AmbienteSeguro(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        sequencia, vezes = (left, right) if isinstance(left, str | list | tuple) else (right, left)
        if operator == "*" and isinstance(sequencia, str | list | tuple) and isinstance(vezes, int):
            if len(sequencia) * max(vezes, 0) > MAX_REPETICAO:
                raise SecurityError(f"repetição acima de {MAX_REPETICAO} itens")
        elif isinstance(left, int) and isinstance(right, int):
            bits = left.bit_length() + right.bit_length() if operator == "*" else left.bit_length() * abs(right)
            if bits > MAX_BITS:
                raise SecurityError(f"número acima de {MAX_BITS} bits")
        return super().call_binop(context, operator, left, right)


class _CompiladosDoProcesso(jinja2.BytecodeCache):
    """Compiled templates shared by every generator of the process. Each build makes its own
    environment (the spec repository's overrides may change between builds), and a new
    environment compiles each template again: about 30 ms of a vertente's generation, on the
    same cores as the other workers' sandbox runs. An entry is keyed by the template's name and
    file and keeps its source's checksum, so an edited override compiles anew; there is one entry
    per template file at most."""

    def __init__(self) -> None:
        self._codigo: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        codigo = self._codigo.get(bucket.key)
        if codigo is not None:
            bucket.bytecode_from_string(codigo)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._codigo[bucket.key] = bucket.bytecode_to_string()


_COMPILADOS = _CompiladosDoProcesso()


def compilar_os_do_projeto() -> int:
    """Compiles every shipped template (the vertentes' ``.j2`` and the model's instructions) into
    the process's cache; ``fabrica.tasks.aquecer`` calls it before the cluster forks its workers,
    so no worker compiles them on a build's time. Returns how many."""
    ambiente = GeradorTemplates().ambiente
    nomes = sorted(
        p.relative_to(TEMPLATES_DO_PROJETO).as_posix()
        for p in TEMPLATES_DO_PROJETO.rglob("*")
        if p.is_file() and p.suffix in (".j2", ".md")
    )
    for nome in nomes:
        ambiente.get_template(nome)
    return len(nomes)


class GeradorTemplates:
    nome = "templates"

    def __init__(self, repositorio: Path | str | None = None) -> None:
        caminhos = []
        # With any override, every template renders in the bounded child: a shipped template may
        # include an overridden one (E/test_casos.py.j2 includes E/_apoio_testes.py.j2).
        self.com_sobreposicoes = False
        if repositorio is not None:
            sobrepostos = Path(repositorio) / "_catalogo" / "templates"
            if sobrepostos.is_dir():
                caminhos.append(str(sobrepostos))
                self.com_sobreposicoes = any(p.is_file() for p in sobrepostos.rglob("*"))
        caminhos.append(str(TEMPLATES_DO_PROJETO))
        # No autoescape: it generates code and XML, whose templates escape where XML needs it.
        self.ambiente = _AmbienteSeguro(
            loader=jinja2.FileSystemLoader(caminhos),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=_COMPILADOS,
        )

    def origem(self, vertente: str, template: str) -> str:
        """Where the template of this artefact came from: the repository's or the project's."""
        carregador = self.ambiente.loader
        assert carregador is not None  # built with one in __init__
        fonte, arquivo, _ = carregador.get_source(self.ambiente, f"{vertente}/{template}")
        return "projeto" if arquivo and Path(arquivo).is_relative_to(TEMPLATES_DO_PROJETO) else "repositorio"

    def gerar(self, vertente: str, template: str, contexto: dict[str, Any]) -> str:
        """The artefact's text. When the spec repository overrides any template, rendering happens
        in a forked child within ``TEMPO_S`` and ``MEMORIA_MB`` (``fabrica.specs.limite``): the
        sandbox keeps an override from the process's data, the child keeps it from the process's
        memory and time (``("a" * 10**6)|replace("a", "a" * 10**6)``, loops of loops). Without
        overrides, the shipped templates render in the process."""
        return self.renderizar(f"{vertente}/{template}", contexto)

    def renderizar(self, caminho: str, contexto: dict[str, Any]) -> str:
        """Any template by its path under the template roots (``E/modelos.py.j2``, the model's
        instructions ``M3_E_POO.md``), within the same sandbox and limits as ``gerar``."""
        if not self.com_sobreposicoes:
            return self._renderizar((caminho, contexto))
        try:
            texto: str = executar_limitado(
                self._renderizar, (caminho, contexto), tempo_s=TEMPO_S, memoria_mb=MEMORIA_MB
            )
        except LimiteExcedido as exc:
            limite = f"{TEMPO_S:g} s" if exc.recurso == "tempo" else f"{MEMORIA_MB} MB"
            raise DadosInvalidos(
                f"A geração de {caminho}, com os templates sobrepostos pelo repositório de specs, "
                f"passou do limite de {exc.recurso} ({limite})."
            ) from None
        return texto

    def _renderizar(self, pedido: tuple[str, dict[str, Any]]) -> str:
        caminho, contexto = pedido
        try:
            return self.ambiente.get_template(caminho).render(**contexto)
        except jinja2.TemplateNotFound as exc:
            raise DadosInvalidos(f"Template {exc.name} não existe.") from None
        except jinja2.UndefinedError as exc:
            raise DadosInvalidos(f"O template {caminho} usa uma variável indefinida: {exc.message}.") from None
        except SecurityError as exc:
            raise DadosInvalidos(
                f"O template {caminho} foi recusado pelo sandbox de templates: {str(exc).rstrip('.')}. "
                "Templates só leem o contexto que recebem (sem atributos internos como __globals__ "
                "nem métodos que alteram valores)."
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            raise DadosInvalidos(
                f"O template {caminho} tem um erro de sintaxe na linha {exc.lineno}: {exc.message}."
            ) from None
