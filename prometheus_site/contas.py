"""Account pages that need a word more than Django's: logging out says so, and a login paused
after too many failures says why."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views
from django.shortcuts import render
from django.utils.translation import gettext as _


class Sair(views.LogoutView):
    """Django's logout, then "Você saiu." on the login page it leads to."""

    def post(self, request, *args, **kwargs):
        resposta = super().post(request, *args, **kwargs)
        messages.info(request, _("Você saiu. Até a próxima!"))
        return resposta


def bloqueado(request, original_response=None, credentials=None):
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``): a page saying why, for how long
    and what to do, with 429 — in the language of the login page that was used."""
    minutos = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    contexto = {"tentativas": settings.AXES_FAILURE_LIMIT, "minutos": minutos}
    return render(request, "registration/bloqueado.html", contexto, status=429)
