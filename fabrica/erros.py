"""Domain errors of the factory: each is an ``ErroFabrica`` and one of the project's kinds
(``prometheus_site.erros``), which decides its HTTP status."""

from __future__ import annotations

from prometheus_site import erros


class ErroFabrica(erros.ErroDominio):
    """Base of every refusal by a fabrica service."""


class DadosInvalidos(ErroFabrica, erros.DadosInvalidos):
    """The input breaks a rule of the factory (400)."""


class NaoEncontrado(ErroFabrica, erros.NaoEncontrado):
    """No budget, capability, release… has that id (404)."""


class TransicaoInvalida(ErroFabrica, erros.TransicaoInvalida):
    """The record's status does not allow the decision (409)."""


class SemPermissao(ErroFabrica):
    """The person may not do this here, e.g. approve deploys to an environment that names its
    approvers (403)."""

    status_http = 403
