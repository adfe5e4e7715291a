"""One error shape for every 4xx of the API: ``{"erro": sentence, "campos": {path: [msgs]}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from prometheus_site.erros import ErroDominio

_FRASES = {
    exceptions.NotAuthenticated: gettext_lazy("Autenticação necessária: envie um token ou entre no sistema."),
    exceptions.AuthenticationFailed: gettext_lazy("Credenciais inválidas."),
    exceptions.PermissionDenied: gettext_lazy("Você não tem permissão para esta operação."),
    exceptions.NotFound: gettext_lazy("Não encontrado."),
    exceptions.ParseError: gettext_lazy("O corpo da requisição não é um JSON válido."),
    exceptions.UnsupportedMediaType: gettext_lazy("Tipo de conteúdo não suportado: envie application/json."),
    exceptions.MethodNotAllowed: gettext_lazy("Método não permitido neste endereço."),
}


class ErroSaida(serializers.Serializer):
    """Every refusal of the API: a sentence, and each refused field with its messages."""

    erro = serializers.CharField(help_text=gettext_lazy("O motivo, numa frase."))
    campos = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy('Cada campo recusado e suas mensagens ("a.b[0].c"; "corpo": o corpo inteiro).'),
    )

    class Meta:
        ref_name = "Erro"


def _achatar(detalhe, prefixo: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors → ``{"a.b[0].c": ["..."]}``."""
    campos: dict[str, list[str]] = {}
    if isinstance(detalhe, dict):
        for chave, valor in detalhe.items():
            if isinstance(chave, int):
                # Lists (ListField, many=True) report their errors keyed by position.
                caminho = f"{prefixo}[{chave}]"
            else:
                caminho = chave if chave != "non_field_errors" else ""
                caminho = f"{prefixo}.{caminho}" if prefixo and caminho else (prefixo or caminho)
            campos.update(_achatar(valor, caminho))
    elif isinstance(detalhe, list) and detalhe and all(not isinstance(v, dict | list) for v in detalhe):
        campos.setdefault(prefixo, []).extend(str(v) for v in detalhe)
    elif isinstance(detalhe, list):
        for i, valor in enumerate(detalhe):
            if valor:
                campos.update(_achatar(valor, f"{prefixo}[{i}]"))
    else:
        campos.setdefault(prefixo, []).append(str(detalhe))
    return campos


def resposta_de_erro(mensagem: str, campos: dict[str, list[str]] | None = None, status_http: int = 400) -> Response:
    return Response({"erro": mensagem, "campos": campos or {}}, status=status_http)


def tratar_excecao(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ErroDominio):
        return resposta_de_erro(exc.mensagem, exc.campos, exc.status_http)
    if isinstance(exc, SuspiciousOperation):
        # Django's refusals while reading the body (too many fields or files, too big a form):
        # the client's fault, said in the one shape instead of Django's HTML 400 page.
        status_http = 413 if isinstance(exc, RequestDataTooBig) else 400
        return resposta_de_erro(_("O corpo da requisição foi recusado."), {"corpo": [str(exc)]}, status_http)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    resposta = exception_handler(exc, context)
    if resposta is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        campos = _achatar(exc.detail)
        if "" in campos:
            # An error about the body as a whole (not a JSON object, no data at all).
            campos["corpo"] = campos.pop("")
        resposta.data = {"erro": _("Os dados enviados não são válidos."), "campos": campos}
    else:
        frase = next((f for classe, f in _FRASES.items() if isinstance(exc, classe)), None)
        detalhe = exc.detail if isinstance(exc, exceptions.APIException) else ""
        resposta.data = {"erro": str(frase or detalhe), "campos": {}}
        if isinstance(exc, exceptions.ParseError) and detalhe:
            resposta.data["campos"] = {"corpo": [str(detalhe)]}
    if resposta.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in resposta:
        resposta["WWW-Authenticate"] = "Token"
    return resposta
