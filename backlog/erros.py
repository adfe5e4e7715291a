"""Domain errors of MS_Backlog: each is an ``ErroBacklog`` and one of the project's kinds
(``prometheus_site.erros``), which decides its HTTP status."""

from __future__ import annotations

from prometheus_site import erros


class ErroBacklog(erros.ErroDominio):
    """Base of every refusal by a backlog service."""


class DadosInvalidos(ErroBacklog, erros.DadosInvalidos):
    """The input breaks a schema or names an item that does not exist (400)."""


class ItemNaoEncontrado(ErroBacklog, erros.NaoEncontrado):
    """No item has that id (404)."""


class TransicaoInvalida(ErroBacklog, erros.TransicaoInvalida):
    """The item's status does not allow the operation (409)."""


class LeaseInvalido(TransicaoInvalida):
    """The caller does not hold the item's lease: it expired and the item went to another."""


class AcessoNegado(ErroBacklog, erros.Proibido):
    """The caller may not produce, consume or conclude items of this type (403)."""
