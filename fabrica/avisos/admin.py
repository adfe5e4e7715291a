"""The notices sent (docs/avisos.md), read-only: who was told of what, and what failed."""

from __future__ import annotations

from django.contrib import admin

from fabrica.avisos.models import Aviso
from prometheus_site.admin import AdminSomenteLeitura


@admin.register(Aviso)
class AvisoAdmin(AdminSomenteLeitura):
    """Written by the notice services only; a failed one is retried by the sweep."""

    list_display = ["id", "tipo", "referencia", "usuario", "status", "tentativas", "criado_em", "enviado_em"]
    list_filter = ["status", "tipo"]
    search_fields = ["referencia", "usuario__username", "erro"]
    list_select_related = ["usuario"]
