"""The worker interface (docs/desenvolvimento.md) and what flows through it.

A worker turns its vertente's section of a validated spec into artefacts: the code
(``gerar_codigo``) and pytest tests derived from the budget's test cases (``gerar_testes``).
``executar_testes`` and ``corrigir`` are the development loop's (``fabrica.desenvolvimento``):
the sandbox runs every test file of the release, and a corrector proposes changes.

Conventions every worker keeps, so the loop can read the results without knowing the vertente:
- artefact paths are relative POSIX paths under the release root; the code of a vertente lives in
  the Python package ``<pacote>/<nome>/`` (``nome`` from ``NOME_DA_VERTENTE``: estrutural,
  processual, decisional, interface, integracao) and its tests flat at the release root as
  ``tests/test_<nome>_*.py`` (the loop runs each vertente's test files on their own and measures
  the coverage of its package); the release root itself (``<pacote>/__init__.py``,
  ``tests/__init__.py``, README, pyproject) is written by the loop, not by a worker;
- the sandbox runs ``python -m pytest`` at the release root (on ``sys.path``) with the project's
  interpreter, an empty environment, no network but loopback, and no Django settings of the app;
- a worker lists the packages its generated code needs at run time in ``dependencias``
  (``"SpiffWorkflow==3.2.0"``); they go into the release's requirements and README;
- a test generated from a case is parametrized over cases with the pytest id equal to
  ``CasoDeTeste.nome`` (``test_decisao[combinacao_03]``), so each JUnit row names its case;
  tests that check the artefact itself (schema, lint) carry no case;
- every test asserts an outcome derived from the spec, never a constant.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

PAPEIS_ARTEFATO = ("codigo", "teste", "apoio")
# The name of each vertente in paths and modules (``<pacote>/estrutural/``, ``tests/test_estrutural_*.py``).
NOME_DA_VERTENTE = {"E": "estrutural", "P": "processual", "D": "decisional", "I": "interface", "C": "integracao"}


@dataclass(frozen=True)
class Artefato:
    caminho: str
    vertente: str
    papel: str  # one of PAPEIS_ARTEFATO
    conteudo: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.conteudo.encode()).hexdigest()

    def como_dict(self) -> dict[str, str]:
        return {
            "caminho": self.caminho,
            "vertente": self.vertente,
            "papel": self.papel,
            "conteudo": self.conteudo,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class CasoDeTeste:
    """One test to generate: a covering-array row of the budget or an explicit ``casos`` entry.

    ``nome`` is the stable test id (``combinacao_03``, ``caso_02``, ``regressao_01``);
    ``dado`` holds concrete values (each equivalence class already replaced by its
    representative, ``schema_tdd.representantes``); ``espera`` is the spec's explicit
    expectation, or None when the worker derives the expected outcome from the spec itself;
    ``classes`` is the covering-array row it came from (parameter → equivalence class), None
    for explicit cases.
    """

    nome: str
    origem: str  # "combinacao" | "caso" | "regressao"
    titulo: str
    dado: dict[str, Any]
    espera: dict[str, Any] | None = None
    classes: dict[str, Any] | None = None

    def como_dict(self) -> dict[str, Any]:
        return {
            "nome": self.nome,
            "origem": self.origem,
            "titulo": self.titulo,
            "dado": self.dado,
            "espera": self.espera,
            "classes": self.classes,
        }


@dataclass(frozen=True)
class NaoTestavel:
    """A case a vertente cannot turn into a test, reported on the release (never hidden)."""

    caso: str
    motivo: str


class Gerador(Protocol):
    """Produces the text of one artefact from a named template and its context. The default is
    deterministic (Jinja2 templates with StrictUndefined); a language-model generator would sit
    behind the same call."""

    nome: str

    def gerar(self, vertente: str, template: str, contexto: dict[str, Any]) -> str: ...


@dataclass
class Entrada:
    spec: dict[str, Any]
    casos: list[CasoDeTeste]
    pacote: str  # Python package of the release's code, e.g. "spec_001"
    gerador: Gerador
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Producao:
    """What a worker produced for its vertente."""

    codigo: list[Artefato]
    testes: list[Artefato]
    nao_testaveis: list[NaoTestavel] = field(default_factory=list)
    # Parts of the spec given only in natural language: built to raise NotImplementedError,
    # listed on the release as "needs an implementation".
    pendencias: list[str] = field(default_factory=list)


class Worker(ABC):
    vertente: ClassVar[str]  # E P D I C
    secao: ClassVar[str]  # spec_poo, spec_bpmn, spec_dmn, spec_interface, spec_integracao
    # pip requirements of the generated code and its tests, beyond pytest (``"SpiffWorkflow==3.2.0"``)
    dependencias: ClassVar[tuple[str, ...]] = ()

    @property
    def nome(self) -> str:
        return NOME_DA_VERTENTE[self.vertente]

    @abstractmethod
    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]: ...

    @abstractmethod
    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]: ...

    def pendencias(self, entrada: Entrada) -> list[str]:
        return []

    def produzir(self, entrada: Entrada) -> Producao:
        testes, nao_testaveis = self.gerar_testes(entrada)
        return Producao(self.gerar_codigo(entrada), testes, nao_testaveis, self.pendencias(entrada))


_workers: dict[str, type[Worker]] = {}


def registrar_worker(classe: type[Worker]) -> type[Worker]:
    """Registers the worker of a vertente (called from ``AppConfig.ready``)."""
    _workers[classe.vertente] = classe
    return classe


def worker_de(vertente: str) -> Worker:
    try:
        return _workers[vertente]()
    except KeyError:
        raise LookupError(f"Nenhum worker registrado para a vertente {vertente!r}.") from None


def vertentes_registradas() -> list[str]:
    return sorted(_workers)
