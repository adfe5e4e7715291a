"""What a view receives once its access check passed, as types for mypy (nothing at run time):
the signed-in user instead of ``User | AnonymousUser``, and django-htmx's ``request.htmx``."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request


class PedidoAutenticado(HttpRequest):
    """A page's request behind ``login_required``."""

    user: User
    htmx: HtmxDetails


class PedidoApi(Request):
    """An API request its permission classes let through (they all require a signed-in user)."""

    user: User
