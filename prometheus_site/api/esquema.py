"""The API's OpenAPI schema (drf-spectacular): every operation lists every status it can answer.

Views declare their successes (``@extend_schema(responses=...)``); the refusals come from one
place, here, derived from what the view is: who it authenticates and what it permits, whether it
addresses a record, takes a body, writes. Each refusal has the one error shape of
``prometheus_site.api.erros``. ``tests/test_esquema_api.py`` runs schemathesis against the
published schema and fails on any answer this does not document.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from prometheus_site.api.erros import ErroSaida

_ESCRITAS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Why each refusal happens; the sentence goes into the schema as the response's description.
_MOTIVOS = {
    400: _("Dados ou filtros inválidos: `campos` nomeia cada um (`corpo`: o corpo como um todo)."),
    401: _("Sem credenciais, ou credenciais inválidas."),
    403: _("O usuário não tem permissão para esta operação (ou, numa sessão, falta o token CSRF)."),
    404: _("O registro (ou a página da lista) não existe."),
    409: _("O estado atual do registro não permite a operação."),
    413: _("O corpo passa do limite de tamanho."),
    415: _("Tipo de conteúdo não suportado: envie application/json."),
}


def _exige_permissao(permissao) -> bool:
    """A permission that may refuse an authenticated user (not merely "anyone" or "logged in")."""
    return not isinstance(permissao, (AllowAny, IsAuthenticated))  # noqa: UP038 (DRF overloads |)


class Esquema(AutoSchema):
    """drf-spectacular's AutoSchema, adding the refusals each operation can answer."""

    def recusas_possiveis(self) -> set[int]:
        """The error statuses this operation can answer, from the view's own declarations."""
        view, metodo = self.view, self.method.upper()
        autenticadores = view.get_authenticators()
        permissoes = view.get_permissions()
        recusas: set[int] = set()
        if autenticadores:
            recusas.add(401)  # an invalid token is refused even where anyone may enter
        if any(_exige_permissao(p) for p in permissoes) or (
            metodo in _ESCRITAS and any(isinstance(a, SessionAuthentication) for a in autenticadores)
        ):
            recusas.add(403)
        if "{" in self.path or (self._is_list_view() and self._get_paginator() is not None):
            recusas.add(404)  # the addressed record, or a page past the end of a list
        # A query string with a NUL character is refused anywhere (api.middleware); filters and
        # bodies are validated.
        recusas.add(400)
        if metodo in _ESCRITAS and self.get_request_serializer() is not None:
            recusas |= {413, 415}
        if metodo in _ESCRITAS and "{" in self.path:
            recusas.add(409)  # a decision or change the record's current status refuses
        return recusas

    def _get_response_bodies(self, direction="response"):
        respostas = super()._get_response_bodies(direction)
        if direction != "response":
            return respostas
        for codigo in sorted(self.recusas_possiveis()):
            declarada = respostas.get(str(codigo))
            descricao = (declarada or {}).get("description") or _MOTIVOS[codigo]
            if declarada is None or "content" not in declarada:
                respostas[str(codigo)] = self._get_response_for_code(
                    OpenApiResponse(ErroSaida, description=descricao), str(codigo), direction=direction
                )
        return dict(sorted(respostas.items()))
