"""Domain errors of MS_Backlog; the API maps each to one HTTP status and the one error shape."""

from __future__ import annotations


class ErroBacklog(Exception):
    """Base of every refusal by a backlog service; ``mensagem`` is a sentence for a person."""

    status_http = 400

    def __init__(self, mensagem: str, campos: dict[str, list[str]] | None = None) -> None:
        super().__init__(mensagem)
        self.mensagem = mensagem
        self.campos = campos or {}


class DadosInvalidos(ErroBacklog):
    """The input breaks a schema or names something that does not exist (400)."""


class ItemNaoEncontrado(ErroBacklog):
    status_http = 404


class TransicaoInvalida(ErroBacklog):
    """The item's status does not allow the operation (409)."""

    status_http = 409


class LeaseInvalido(TransicaoInvalida):
    """The caller does not hold the item's lease: it expired and the item went to another."""
