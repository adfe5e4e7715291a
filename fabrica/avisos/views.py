"""The person's profile page: their e-mail and which notices they want (docs/avisos.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fabrica.avisos import selectors, services
from fabrica.avisos.forms import PerfilForm


@login_required
def perfil(request: HttpRequest) -> HttpResponse:
    # Anyone logged in, whatever their role: it changes only their own preferences.
    usuario = request.user
    assert isinstance(usuario, User)  # login_required
    atual = selectors.perfil_de(usuario)
    if request.method == "POST":
        form = PerfilForm(request.POST)
        if form.is_valid():
            services.perfil_salvar(usuario=usuario, **form.cleaned_data)
            messages.success(request, _("Preferências de aviso salvas."))
            return redirect("perfil")
        status = 400
    else:
        form = PerfilForm(
            initial={
                "email": usuario.email,
                "avisos": atual.avisos,
                "resumo_diario": atual.resumo_diario,
                "idioma": atual.idioma,
            }
        )
        status = 200
    return render(
        request,
        "fabrica/perfil.html",
        {"form": form, "recentes": selectors.avisos_recentes(usuario), "tipos": selectors.tipos_de(usuario)},
        status=status,
    )
