"""Context processors of the base layout."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def idiomas(request: HttpRequest) -> dict:
    """The language menu's options, each named in its own language (Django's
    ``get_available_languages`` would translate the names into the page's language)."""
    return {"idiomas": settings.LANGUAGES}


def navegacao(request: HttpRequest) -> dict:
    """What the navigation shows: only the places this user's role may open, and which one is
    the current (``aria-current``)."""
    usuario = getattr(request, "user", None)
    if usuario is None or not usuario.is_authenticated:
        return {"nav": []}
    from prometheus_site import navegacao as nav

    return {"nav": nav.itens_para(request)}
