"""Context processors of the base layout."""

from __future__ import annotations

from django.http import HttpRequest


def navegacao(request: HttpRequest) -> dict:
    """What the navigation shows: only the places this user's role may open, and which one is
    the current (``aria-current``)."""
    usuario = getattr(request, "user", None)
    if usuario is None or not usuario.is_authenticated:
        return {"nav": []}
    from prometheus_site import navegacao as nav

    return {"nav": nav.itens_para(request)}
