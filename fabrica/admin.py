from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fabrica import palavras, selectors
from fabrica.capacidades import selectors as capacidades
from fabrica.capacidades.selectors import gaps_que_resolveria
from fabrica.capacidades.services import capacidade_salvar
from fabrica.forms import OUTRO, CapacidadeAdminForm
from fabrica.models import Capacidade, Construcao, Gap, ModeloPrecificacao, Orcamento, Release, Spec
from fabrica.specs.repositorio import RepositorioInvalido
from fabrica.specs.services import specs_sincronizar
from prometheus_site.admin import InlineSomenteLeitura


class SomenteLeitura(admin.ModelAdmin):
    """Records written by services only: admins read them here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Capacidade)
class CapacidadeAdmin(admin.ModelAdmin):
    list_display = ["nome", "tipo", "habilitada", "gaps_abertos", "registrada_por", "atualizado_em"]
    list_filter = ["tipo", "habilitada"]
    search_fields = ["nome", "descricao"]
    form = CapacidadeAdminForm
    fields = ["tipo", "tipo_outro", "nome", "descricao", "habilitada"]
    actions = ["habilitar", "desabilitar"]
    change_list_template = "admin/fabrica/capacidade/change_list.html"

    class Media:
        # The preview of what saving would resolve follows the form as it is typed (htmx).
        js = ["django_htmx/htmx-2.min.js", "js/admin_capacidade.js"]

    def get_urls(self):
        return [
            path("previa/", self.admin_site.admin_view(self.previa_view), name="fabrica_capacidade_previa"),
            *super().get_urls(),
        ]

    def previa_view(self, request):
        """The form's preview, for htmx: the open gaps a capability of this kind and name resolves."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tipo = request.GET.get("tipo", "")
        if tipo == OUTRO:
            tipo = request.GET.get("tipo_outro", "").strip()
        nome = request.GET.get("nome", "").strip()
        return render(request, "admin/fabrica/capacidade/_previa.html", self._previa(tipo, nome))

    def _previa(self, tipo: str, nome: str) -> dict:
        gaps = list(gaps_que_resolveria(tipo=tipo, nome=nome)) if tipo and nome else []
        return {
            "gaps_previstos": gaps,
            "previstos": [(g, palavras.titulo_do_gap(g.tipo_recurso, g.recurso, g.item)) for g in gaps],
            "tipo_previsto": tipo,
            "nome_previsto": nome,
        }

    @admin.display(description=_("gaps abertos que resolveria"))
    def gaps_abertos(self, obj: Capacidade) -> int:
        return gaps_que_resolveria(tipo=obj.tipo, nome=obj.nome).count()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["gaps_abertos"] = [
            (gap, palavras.titulo_do_gap(gap.tipo_recurso, gap.recurso, gap.item))
            for gap in Gap.objects.abertos()
            .select_related("item", "orcamento")
            .order_by("tipo_recurso", "recurso", "id")
        ]
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST":
            tipo = request.POST.get("tipo", "")
            tipo = request.POST.get("tipo_outro", "").strip() if tipo == OUTRO else tipo
            nome = request.POST.get("nome", "")
        else:
            tipo = obj.tipo if obj else request.GET.get("tipo", "")
            nome = obj.nome if obj else request.GET.get("nome", "")
        context.update(self._previa(tipo, nome))
        context["url_previa"] = reverse("admin:fabrica_capacidade_previa")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        # Through the service: enabling a capability concludes the gaps it satisfies.
        _cap, resolvidos = capacidade_salvar(
            capacidade=obj if change else None,
            tipo=obj.tipo,
            nome=obj.nome,
            descricao=obj.descricao,
            habilitada=obj.habilitada,
            por=request.user,
        )
        obj.pk = _cap.pk
        if resolvidos:
            self.message_user(
                request,
                ngettext(
                    "%(n)d gap resolvido: %(lista)s.",
                    "%(n)d gaps resolvidos: %(lista)s.",
                    len(resolvidos),
                )
                % {
                    "n": len(resolvidos),
                    "lista": ", ".join(f"#{g.item_id} ({g.orcamento.spec_ref})" for g in resolvidos),
                },
                messages.SUCCESS,
            )
        self._avisar_desbloqueados(request, resolvidos)

    def _avisar_desbloqueados(self, request, resolvidos: list[Gap]) -> None:
        """Links each budget this save unblocked: the admin's next step is telling the PO."""
        for orc in selectors.orcamentos_desbloqueados(resolvidos):
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Orçamento #%(n)s de %(spec)s agora pronto para decidir:") % {"n": orc.pk, "spec": orc.spec_ref},
                    reverse("orcamento", args=[orc.pk]),
                    _("abrir o orçamento"),
                ),
                messages.SUCCESS,
            )

    def _alternar(self, request, queryset, habilitada: bool) -> None:
        total, todos = 0, []
        for cap in queryset:
            _cap, resolvidos = capacidade_salvar(
                capacidade=cap,
                tipo=cap.tipo,
                nome=cap.nome,
                descricao=cap.descricao,
                habilitada=habilitada,
                por=request.user,
            )
            total += len(resolvidos)
            todos.extend(resolvidos)
        self.message_user(
            request, _("Capacidades atualizadas; gaps resolvidos: %(n)d.") % {"n": total}, messages.SUCCESS
        )
        self._avisar_desbloqueados(request, todos)

    @admin.action(description=_("Habilitar (resolve os gaps que esperam por elas)"), permissions=["change"])
    def habilitar(self, request, queryset):
        self._alternar(request, queryset, True)

    @admin.action(description=_("Desabilitar"), permissions=["change"])
    def desabilitar(self, request, queryset):
        self._alternar(request, queryset, False)


@admin.register(ModeloPrecificacao)
class ModeloPrecificacaoAdmin(SomenteLeitura):
    list_display = ["versao", "amostras", "mmre", "pred25", "mmre_anterior", "criado_em", "motivo"]
    readonly_fields = ["versao", "coeficientes", "motivo", "amostras", "mmre", "pred25", "mmre_anterior", "criado_em"]


@admin.register(Spec)
class SpecAdmin(admin.ModelAdmin):
    list_display = ["spec_id", "titulo", "origem", "commit_curto", "sha_curto", "criado_em"]
    list_filter = ["origem"]
    search_fields = ["spec_id", "titulo"]
    readonly_fields = [
        "spec_id",
        "titulo",
        "origem",
        "commit",
        "caminho",
        "sha256",
        "importado_por",
        "criado_em",
        "texto",
    ]
    exclude = ["conteudo"]
    actions = ["sincronizar"]
    change_list_template = "admin/fabrica/spec/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="commit")
    def commit_curto(self, obj: Spec) -> str:
        return obj.commit[:10]

    @admin.display(description="sha256")
    def sha_curto(self, obj: Spec) -> str:
        return obj.sha256[:10]

    @admin.action(description=_("Sincronizar specs do repositório git"), permissions=["view"])
    def sincronizar(self, request, queryset):
        self._sincronizar(request)

    def get_urls(self):
        # Admin actions need a selected row and are hidden while the list is empty, so the first
        # import (and any other) also has a button on the list page.
        return [
            path("sincronizar/", self.admin_site.admin_view(self.sincronizar_view), name="fabrica_spec_sincronizar"),
            *super().get_urls(),
        ]

    def sincronizar_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        self._sincronizar(request)
        return redirect("admin:fabrica_spec_changelist")

    def _sincronizar(self, request) -> None:
        try:
            r = specs_sincronizar(caminho_repo=settings.PROMETHEUS_SPECS_REPO, por=request.user)
        except RepositorioInvalido as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            _("Commit %(c)s: %(i)d importada(s), %(u)d inalterada(s).")
            % {"c": r.commit[:10], "i": len(r.importadas), "u": len(r.inalteradas)},
            messages.SUCCESS,
        )
        for caminho, erros in r.invalidas.items():
            self.message_user(request, f"{caminho}: " + "; ".join(erros), messages.WARNING)


class GapInline(InlineSomenteLeitura):
    model = Gap
    fields = ["item", "tipo_recurso", "recurso", "descricao", "resolver"]

    @admin.display(description=_("Resolver"))
    def resolver(self, gap: Gap) -> str:
        """An open gap links the Capacidades add form, prefilled (what resolves it)."""
        if gap.item.status == "Concluido":
            return str(_("resolvido"))
        return format_html(
            '<a class="registrar-capacidade" href="{}">{}</a>',
            capacidades.registrar_url(gap),
            _("Registrar a capacidade %(nome)s") % {"nome": gap.recurso},
        )


@admin.register(Orcamento)
class OrcamentoAdmin(SomenteLeitura):
    list_display = ["id", "spec_ref", "status", "modelo", "criado_em"]
    list_filter = ["status"]
    search_fields = ["spec_ref"]
    inlines = [GapInline]
    list_select_related = ["modelo"]


@admin.register(Release)
class ReleaseAdmin(SomenteLeitura):
    """Releases are recorded by the build and decided by the PO on their page (/releases/<id>/)."""

    list_display = ["id", "rotulo_versao", "tipo", "status", "testes_passaram", "cobertura_total", "criado_em"]
    list_filter = ["status", "tipo", "testes_passaram"]
    search_fields = ["spec_ref"]
    list_select_related = ["spec"]
    exclude = ["artefatos", "testes", "tentativas", "casos"]


@admin.register(Construcao)
class ConstrucaoAdmin(SomenteLeitura):
    list_display = ["id", "item", "spec_ref", "consumidor", "iniciada_em", "atualizada_em"]
    search_fields = ["spec_ref"]


# Environments and deployments, and the e-mail notices: their admin lives with them.
from fabrica.avisos import admin as _admin_avisos  # noqa: E402, F401
from fabrica.implantacao import admin as _admin_implantacao  # noqa: E402, F401
from fabrica.metricas import admin as _admin_metricas  # noqa: E402, F401

admin.site.site_header = _("Administração do PROMETHEUS")
admin.site.site_title = _("PROMETHEUS")
admin.site.index_title = _("Capacidades, ambientes, specs, orçamentos e o backlog")
