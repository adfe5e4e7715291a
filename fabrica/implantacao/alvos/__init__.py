"""Deployment targets behind one interface (``implantar``, ``verificar``, ``reverter``), one kind
per ``Ambiente.alvo``, registered in ``FabricaConfig.ready``.

A target does the work; the services (``fabrica.implantacao.services``) decide when, hold the
environment, and record what happened. A target reports failure by raising ``FalhaNoAlvo`` with a
sentence (the record's ``erro``), after writing the details to the log.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

_NOME_VARIAVEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class FalhaNoAlvo(Exception):
    """The target could not do what was asked; the environment is as the message says."""


@dataclass
class Contexto:
    """One operation on one environment, for one spec."""

    implantacao_id: int
    ambiente: Any  # fabrica.models.Ambiente
    spec_ref: str
    versao: str  # the release to serve ("spec_001-v3"); "" to take the spec down (a rollback to nothing)
    release_id: int | None
    arquivo: Path | None  # that release's archive
    anterior: str  # what served before ("" when nothing did)
    arquivo_anterior: Path | None
    trabalho: Path  # a fresh temporary directory for this operation
    escrever: Callable[[str], None]
    esperando: Callable[[], None] = lambda: None  # called while a child process runs (log flush)
    # Builds ``arquivo`` when the service left it out (a rollback to a release the target keeps).
    fazer_arquivo: Callable[[], Path | None] = lambda: None


@dataclass
class Resultado:
    caminho: str = ""  # where the release lives in the target, when it has such a place
    url: str = ""  # where the target says it serves, when it says


class Alvo(ABC):
    tipo: ClassVar[str]
    rotulo: ClassVar[str]

    def __init__(self, ambiente: Any) -> None:
        self.ambiente = ambiente
        self.config: dict[str, Any] = dict(ambiente.configuracao or {})

    @abstractmethod
    def implantar(self, ctx: Contexto) -> Resultado:
        """Makes ``ctx.versao`` serve, verified; on failure what served before still serves."""

    @abstractmethod
    def verificar(self, ctx: Contexto) -> None:
        """Checks the release where it is (smoke checks, a verify command)."""

    @abstractmethod
    def reverter(self, ctx: Contexto) -> Resultado:
        """Makes the earlier release ``ctx.versao`` serve again ("" takes the spec down)."""

    def guardadas(self, spec_ref: str) -> list[str] | None:
        """The versions the target still holds for a rollback, or None when any earlier release
        can be deployed again from its archive."""
        return None

    def atual(self, spec_ref: str) -> str | None:
        """What the target itself says serves (None when it cannot tell)."""
        return None

    def podar(self, spec_ref: str, manter: set[str], escrever: Callable[[str], None]) -> list[str]:
        """Removes kept releases outside ``manter``; returns what it removed."""
        return []

    @classmethod
    def validar_configuracao(cls, config: dict[str, Any]) -> dict[str, list[str]]:
        """Errors of the environment's settings for this target, keyed ``configuracao.<chave>``."""
        return {}


_alvos: dict[str, type[Alvo]] = {}


def registrar_alvo(classe: type[Alvo]) -> type[Alvo]:
    _alvos[classe.tipo] = classe
    return classe


def alvo_de(ambiente: Any) -> Alvo:
    try:
        return _alvos[ambiente.alvo](ambiente)
    except KeyError:
        raise FalhaNoAlvo(f"Nenhum alvo de implantação registrado para {ambiente.alvo!r}.") from None


def registrar_padrao() -> None:
    from fabrica.implantacao.alvos.comando import AlvoComando
    from fabrica.implantacao.alvos.diretorio import AlvoDiretorio

    registrar_alvo(AlvoDiretorio)
    registrar_alvo(AlvoComando)


def erros_de_configuracao(alvo: str, config: Any) -> dict[str, list[str]]:
    """Validates an environment's target settings: ``{"configuracao.<chave>": [mensagens]}``."""
    if alvo not in _alvos:
        return {"alvo": [f"Alvo desconhecido: {alvo!r}; use um de {', '.join(sorted(_alvos))}."]}
    if not isinstance(config, dict):
        return {"configuracao": ["A configuração deve ser um objeto JSON."]}
    return _alvos[alvo].validar_configuracao(config)


# --- helpers the targets share --------------------------------------------------------------------


def erro_argv(valor: Any) -> str | None:
    if not isinstance(valor, list) or not valor:
        return 'Informe o comando como lista não vazia de argumentos, ex.: ["/opt/deploy.sh", "{arquivo}"].'
    if not all(isinstance(a, str) and a and "\x00" not in a for a in valor):
        return "Cada argumento deve ser um texto não vazio."
    return None


def erro_timeout(valor: Any) -> str | None:
    if isinstance(valor, bool) or not isinstance(valor, int) or not 1 <= valor <= 86400:
        return "Informe o tempo limite em segundos, de 1 a 86400."
    return None


def nome_de_variavel_valido(nome: Any) -> bool:
    return isinstance(nome, str) and bool(_NOME_VARIAVEL.fullmatch(nome))
