from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backlog import acesso, services
from backlog.erros import ErroBacklog
from backlog.models import Concessao, Evento, Item, RegraAcesso
from prometheus_site.admin import InlineSomenteLeitura


class EventoInline(InlineSomenteLeitura):
    model = Evento
    fields = ["criado_em", "tipo", "ator", "dados"]
    ordering = ["id"]


def _aplicar(
    modeladmin: admin.ModelAdmin[Item],
    request: HttpRequest,
    queryset: QuerySet[Item],
    operacao: Callable[..., Any],
    rotulo: str,
) -> None:
    """Runs a service on each selected item; refusals are reported, never half-applied."""
    feitos, recusas = 0, []
    for pk in queryset.values_list("pk", flat=True):
        try:
            operacao(item_id=pk, ator=f"admin:{request.user.get_username()}")
            feitos += 1
        except ErroBacklog as exc:
            recusas.append(exc.mensagem)
    if feitos:
        modeladmin.message_user(
            request,
            ngettext("%(n)d item %(rotulo)s.", "%(n)d itens %(rotulo)s.", feitos) % {"n": feitos, "rotulo": rotulo},
            messages.SUCCESS,
        )
    for recusa in recusas:
        modeladmin.message_user(request, recusa, messages.WARNING)


def no_do_consumidor(consumidor: str) -> str:
    _, arroba, resto = consumidor.partition("@")
    return resto.rpartition(":")[0] or resto if arroba else ""


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    list_display = [
        "id",
        "tipo",
        "status",
        "spec_ref",
        "produtor",
        "prioridade",
        "tentativas",
        "no",
        "consumidor",
        "criado_em",
    ]
    list_filter = ["status", "tipo"]
    search_fields = ["=id", "spec_ref", "produtor", "consumidor"]
    list_select_related = True
    date_hierarchy = "criado_em"
    inlines = [EventoInline]
    actions = ["reenfileirar", "cancelar"]
    readonly_fields = [f.name for f in Item._meta.concrete_fields]
    fieldsets = [
        (None, {"fields": ["tipo", "status", "produtor", "spec_ref", "prioridade", "contexto", "resultado", "erro"]}),
        (
            _("Ciclo"),
            {
                "fields": [
                    "consumidor",
                    "tentativas",
                    "max_tentativas",
                    "disponivel_em",
                    "lease_expira_em",
                    "criado_em",
                    "consumido_em",
                    "concluido_em",
                    "desbloqueado_em",
                    "desbloqueado_por",
                    "produzido_por",
                ]
            },
        ),
    ]

    @admin.display(description=_("nó"), ordering="consumidor")
    def no(self, obj: Item) -> str:
        """The node that claimed it, from a consumer named ``<system>@<node>:<pid>`` (PROMETHEUS's
        cluster nodes: ``PROMETHEUS_NO``); other consumers' names are shown as they are."""
        return no_do_consumidor(obj.consumidor)

    # Items are produced through the contract, never typed in; state changes go through actions.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Reenfileirar (Falha/Cancelado → Pendente)"), permissions=["change"])
    def reenfileirar(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        _aplicar(self, request, queryset, services.reenfileirar, str(_("reenfileirado(s)")))

    @admin.action(description=_("Cancelar"), permissions=["change"])
    def cancelar(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        _aplicar(self, request, queryset, services.cancelar, str(_("cancelado(s)")))


@admin.register(Evento)
class EventoAdmin(admin.ModelAdmin[Evento]):
    list_display = ["id", "criado_em", "tipo", "item", "ator"]
    list_filter = ["tipo"]
    search_fields = ["=item__id", "ator"]
    raw_id_fields = ["item"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConcessaoInline(admin.TabularInline[Concessao, RegraAcesso]):
    model = Concessao
    extra = 1
    fields = ["grupo", "usuario", "produzir", "consumir", "concluir"]
    autocomplete_fields = ["usuario"]


@admin.register(RegraAcesso)
class RegraAcessoAdmin(admin.ModelAdmin[RegraAcesso]):
    """Who may produce, consume and conclude each type through the API; a rule without grants
    reserves its type to the services of the system that owns it."""

    list_display = ["tipo", "descricao", "concedido_a"]
    search_fields = ["tipo", "descricao"]
    inlines = [ConcessaoInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegraAcesso]:
        return super().get_queryset(request).prefetch_related("concessoes__grupo", "concessoes__usuario")

    @admin.display(description=_("concedido a"))
    def concedido_a(self, obj: RegraAcesso) -> str:
        return "; ".join(str(c).split(": ", 1)[1] for c in obj.concessoes.all()) or str(_("ninguém (reservado)"))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        acesso.esquecer()  # this process applies the change at once; the others within seconds

    def delete_model(self, request: HttpRequest, obj: RegraAcesso) -> None:
        super().delete_model(request, obj)
        acesso.esquecer()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RegraAcesso]) -> None:
        super().delete_queryset(request, queryset)
        acesso.esquecer()
