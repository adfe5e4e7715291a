"""Environments and deployment records in the Django admin (registered by ``fabrica.admin``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fabrica.implantacao import services as servicos
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente
from prometheus_site.admin import AdminSomenteLeitura


class AmbienteForm(forms.ModelForm):
    class Meta:
        model = Ambiente
        fields = list(servicos.CAMPOS_EDITAVEIS_DO_AMBIENTE)
        help_texts = {
            "configuracao": _(
                'Diretório: {"smoke": true | false | ["comando", …], "timeout": 300}. '
                'Comando: {"implantar": ["/opt/deploy.sh", "{arquivo}", "{versao}", "{ambiente}"], '
                '"verificar": [...], "reverter": [...], "timeout": 600, "variaveis": {"NOME": "valor"}, '
                '"herdar": ["KUBECONFIG"]}.'
            )
        }

    def clean(self):
        dados = super().clean()
        if self.errors:
            return dados
        valores = {campo: dados.get(campo) for campo in servicos.CAMPOS_DO_AMBIENTE if campo in dados}
        if valores.get("configuracao") is None:
            valores["configuracao"] = {}
            dados["configuracao"] = {}
        for chave, mensagens in servicos.erros_do_ambiente(
            valores, self.instance if self.instance.pk else None
        ).items():
            campo, _ponto, resto = chave.partition(".")
            for mensagem in mensagens:
                self.add_error(campo if campo in self.fields else None, f"{resto}: {mensagem}" if resto else mensagem)
        return dados


@admin.register(Ambiente)
class AmbienteAdmin(admin.ModelAdmin):
    form = AmbienteForm
    list_display = ["nome", "ordem", "alvo", "exige_validacao_em", "ativo", "pagina"]
    list_filter = ["ativo", "alvo"]
    search_fields = ["nome", "descricao"]
    filter_horizontal = ["grupos_aprovadores", "usuarios_aprovadores"]
    list_select_related = ["exige_validacao_em"]

    @admin.display(description=_("o que roda, histórico e reversão"))
    def pagina(self, obj: Ambiente) -> str:
        return format_html('<a href="{}">{}</a>', reverse("ambiente", args=[obj.nome]), _("abrir"))

    def save_model(self, request, obj, form, change):
        # Through the service (same rules as the API); the approvers are saved by save_related.
        servicos.ambiente_salvar(
            ambiente=obj, dados={campo: getattr(obj, campo) for campo in servicos.CAMPOS_DO_AMBIENTE}
        )


@admin.register(Implantacao)
class ImplantacaoAdmin(AdminSomenteLeitura):
    """Written by the deployment services only: read here; decisions are in the app's pages."""

    list_display = ["id", "tipo", "versao", "ambiente", "status", "validacao", "iniciado_em", "terminado_em"]
    list_filter = ["status", "validacao", "tipo", "ambiente"]
    search_fields = ["spec_ref", "versao"]
    list_select_related = ["ambiente"]
