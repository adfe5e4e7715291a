"""Project-level API views."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def endereco_desconhecido(request: HttpRequest, resto: str = "") -> JsonResponse:
    """Any other address under the API answers in the one error shape, not Django's HTML page;
    a missing trailing slash is named (under DEBUG, APPEND_SLASH would answer a POST with a 500)."""
    mensagem = f"Endereço desconhecido na API: {request.path}."
    if not request.path.endswith("/"):
        try:
            encontrado = resolve(request.path + "/").url_name != "api-desconhecido"
        except Resolver404:
            encontrado = False
        if encontrado:
            mensagem += f" Use {request.path}/ (com a barra final)."
    return JsonResponse({"erro": mensagem, "campos": {}}, status=404)
