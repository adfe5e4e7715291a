from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render


def _tamanho_declarado(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class LimiteDeCorpoMiddleware:
    """Refuses API bodies over ``PROMETHEUS_MAX_CORPO`` with 413 before anything reads them.

    DRF streams the body to its parsers without Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` check,
    so the limit is enforced here, on the declared length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            tamanho = _tamanho_declarado(request)
            limite = settings.PROMETHEUS_MAX_CORPO
            if tamanho > limite:
                return JsonResponse(
                    {
                        "erro": f"O corpo da requisição tem {tamanho} bytes; o limite é {limite} bytes (1 MiB).",
                        "campos": {},
                    },
                    status=413,
                )
        return self.get_response(request)


class LimiteDeCorpoDasPaginasMiddleware:
    """A page's body over the limit answers the app's 413 page, in the person's language.

    Django raises ``RequestDataTooBig`` when something reads ``request.POST`` (the CSRF check
    first), which would be a 400 or, under DEBUG, its traceback. Placed after the locale and
    authentication middleware, this checks the declared length before any ``process_view`` reads
    the body; a body whose length was not declared meets Django's check in the view, and
    ``process_exception`` turns that one into the same page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _tamanho_declarado(request) > settings.PROMETHEUS_MAX_CORPO and not request.path.startswith("/api/"):
            return self._pagina(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return self._pagina(request)
        return None

    @staticmethod
    def _pagina(request):
        return render(request, "413.html", {"limite_kib": settings.PROMETHEUS_MAX_CORPO // 1024}, status=413)


def parametro_com_nulo(request) -> str | None:
    """The first query-string parameter whose name or value carries a NUL character, written
    with ``\\x00`` (None when there is none): no filter or search means one, and PostgreSQL cannot
    even compare a text with it (a 500 otherwise)."""
    for nome, valores in request.GET.lists():
        if "\x00" in nome or any("\x00" in valor for valor in valores):
            return nome.replace("\x00", "\\x00")
    return None


class ConsultaSemNuloMiddleware:
    """Refuses with 400, naming the parameter, an API query string carrying a NUL character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and (nome := parametro_com_nulo(request)) is not None:
            return JsonResponse(
                {
                    "erro": f"O parâmetro {nome} da consulta contém o caractere nulo.",
                    "campos": {nome: ["O caractere nulo (\\x00) não é permitido."]},
                },
                status=400,
            )
        return self.get_response(request)


class ConsultaSemNuloDasPaginasMiddleware:
    """The same refusal for pages (the inbox's search, the board's and the admin's filters): the
    app's 400 page naming the parameter, in the person's language (placed after the locale and
    authentication middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and (nome := parametro_com_nulo(request)) is not None:
            return render(request, "400.html", {"parametro": nome}, status=400)
        return self.get_response(request)
