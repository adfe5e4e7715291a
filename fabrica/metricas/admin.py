"""Django admin for the tables of DORA bands: an admin edits the bands of a table (one row per
band, a limit and its unit per key), checked as a whole before saving, and marks the table the
metrics page shows by default."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fabrica.metricas.faixas import erros_da_linha, erros_da_tabela
from fabrica.metricas.models import Faixa, TabelaFaixas
from fabrica.metricas.services import tabela_faixas_desmarcar_padrao, tabela_faixas_tornar_padrao


class FaixasFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        formularios = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and form.cleaned_data.get("DELETE"))
        ]
        if any(form.errors for form in formularios):
            return  # each row's own errors first
        for indice, campo, mensagem in erros_da_tabela([form.cleaned_data for form in formularios]):
            if campo in formularios[indice].fields:
                formularios[indice].add_error(campo, mensagem)
            else:
                raise forms.ValidationError(mensagem)


class FaixaForm(forms.ModelForm):
    def clean(self):
        dados = super().clean()
        # Beside the field at fault, before the database's constraints (which would say it for
        # the whole row) are checked.
        for campo, mensagem in erros_da_linha(dados):
            if campo in self.fields and campo not in self.errors:
                self.add_error(campo, mensagem)
        return dados


class FaixaInline(admin.StackedInline):
    model = Faixa
    form = FaixaForm
    formset = FaixasFormSet
    extra = 0
    min_num = 2
    max_num = 4
    validate_min = True
    fieldsets = [
        (None, {"fields": ["nome"]}),
        (
            _("Frequência de implantação (mínimo: a faixa pede pelo menos isto)"),
            {"fields": [("frequencia_minima", "frequencia_unidade"), "frequencia_texto"]},
        ),
        (
            _("Lead time de mudanças (máximo, mediana)"),
            {"fields": [("lead_time_maximo", "lead_time_unidade"), "lead_time_texto"]},
        ),
        (_("Taxa de falha de mudanças (máximo, em %)"), {"fields": ["falhas_maxima", "falhas_texto"]}),
        (
            _("Tempo de restauração (máximo, mediana)"),
            {"fields": [("restauracao_maxima", "restauracao_unidade"), "restauracao_texto"]},
        ),
    ]


class TabelaFaixasForm(forms.ModelForm):
    # Not the model's field: the service moves the mark from the previous default in one
    # transaction, where saving the field would break the single-default constraint first.
    mostrar_por_padrao = forms.BooleanField(
        label=_("Padrão"),
        required=False,
        help_text=_(
            "A tabela que o painel de métricas e /api/metricas/ usam quando ninguém pede outra (?faixas=). "
            "Marcar esta desmarca a anterior; sem nenhuma marcada vale a configuração PROMETHEUS_METRICAS_FAIXAS."
        ),
    )

    class Meta:
        model = TabelaFaixas
        fields = ["chave", "titulo", "fonte"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mostrar_por_padrao"].initial = bool(self.instance.pk and self.instance.padrao)


@admin.register(TabelaFaixas)
class TabelaFaixasAdmin(admin.ModelAdmin):
    form = TabelaFaixasForm
    inlines = [FaixaInline]
    list_display = ["titulo", "chave", "padrao", "n_faixas", "fonte", "atualizado_em", "no_painel"]
    search_fields = ["chave", "titulo", "fonte"]
    actions = ["tornar_padrao"]
    fields = ["chave", "titulo", "fonte", "mostrar_por_padrao"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_n_faixas=Count("faixas"))

    @admin.display(description=_("faixas"), ordering="_n_faixas")
    def n_faixas(self, obj: TabelaFaixas) -> int:
        return obj._n_faixas  # type: ignore[attr-defined]

    @admin.display(description=_("no painel"))
    def no_painel(self, obj: TabelaFaixas) -> str:
        return format_html('<a href="{}?faixas={}">{}</a>', reverse("metricas"), obj.chave, _("ver"))

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("mostrar_por_padrao"):
            tabela_faixas_tornar_padrao(tabela_id=obj.pk)
        elif obj.padrao:
            tabela_faixas_desmarcar_padrao(tabela_id=obj.pk)

    @admin.action(description=_("Tornar a tabela padrão do painel"), permissions=["change"])
    def tornar_padrao(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Escolha uma tabela só: uma é a padrão."), messages.ERROR)
            return
        tabela = tabela_faixas_tornar_padrao(tabela_id=queryset.get().pk)
        self.message_user(
            request, _("%(tabela)s é agora a tabela padrão do painel.") % {"tabela": tabela.titulo}, messages.SUCCESS
        )
