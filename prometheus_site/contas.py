"""Account pages that need a word more than Django's: logging out says so."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views
from django.utils.translation import gettext as _


class Sair(views.LogoutView):
    """Django's logout, then "Você saiu." on the login page it leads to."""

    def post(self, request, *args, **kwargs):
        resposta = super().post(request, *args, **kwargs)
        messages.info(request, _("Você saiu. Até a próxima!"))
        return resposta
