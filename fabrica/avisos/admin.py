"""The notices sent (docs/avisos.md), read-only: who was told of what, and what failed."""

from __future__ import annotations

from django.contrib import admin

from fabrica.avisos.models import Aviso


@admin.register(Aviso)
class AvisoAdmin(admin.ModelAdmin):
    """Written by the notice services only; a failed one is retried by the sweep."""

    list_display = ["id", "tipo", "referencia", "usuario", "status", "tentativas", "criado_em", "enviado_em"]
    list_filter = ["status", "tipo"]
    search_fields = ["referencia", "usuario__username", "erro"]
    list_select_related = ["usuario"]
    readonly_fields = [f.name for f in Aviso._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
