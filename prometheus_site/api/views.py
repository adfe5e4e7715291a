"""Project-level API views."""

from __future__ import annotations

from csp.decorators import csp_update
from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularSwaggerSplitView


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


class DocsDaApi(SpectacularSwaggerSplitView):
    """Swagger UI without any inline script or style: its settings are a script of their own
    (drf-spectacular's split view, ``/api/docs/?script``) and its page style a static file."""

    template_name = "api/docs.html"


# swagger-ui's stylesheet draws its icons as data: images; only this page allows them.
docs_da_api = csp_update({"img-src": ["data:"]})(DocsDaApi.as_view(url_name="api-schema"))
