"""The project's one root of domain errors: every refusal a person may read.

The API's exception handler (``prometheus_site.api.erros``) maps any ``ErroDominio`` to the one
error shape with its ``status_http``; pages show ``mensagem``. Each app derives its own errors
from these kinds, so no bare ``ValueError`` reaches a user as a 500.
"""

from __future__ import annotations


class ErroDominio(Exception):
    """Base of every refusal by a service; ``mensagem`` is a sentence for a person."""

    status_http = 400

    def __init__(self, mensagem: str, campos: dict[str, list[str]] | None = None) -> None:
        super().__init__(mensagem)
        self.mensagem = str(mensagem)
        self.campos = campos or {}


class DadosInvalidos(ErroDominio):
    """The input breaks a rule or names something that does not exist (400)."""


class NaoEncontrado(ErroDominio):
    """The addressed record does not exist (404)."""

    status_http = 404


class TransicaoInvalida(ErroDominio):
    """The record's status does not allow the operation (409)."""

    status_http = 409


class Proibido(ErroDominio):
    """The caller's role may not do this (403)."""

    status_http = 403
