from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fabrica import palavras
from fabrica.models import Capacidade, Gap, Orcamento, Spec
from fabrica.precificacao.modelo import SECOES


class SpecResumo(serializers.ModelSerializer):
    vertentes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Spec
        fields = [
            "id",
            "spec_id",
            "titulo",
            "vertentes",
            "sha256",
            "commit",
            "caminho",
            "origem",
            "importado_por",
            "criado_em",
        ]
        read_only_fields = fields


class SpecDetalhe(SpecResumo):
    class Meta(SpecResumo.Meta):
        fields = [*SpecResumo.Meta.fields, "texto", "conteudo"]
        read_only_fields = fields


class SpecEntrada(serializers.Serializer):
    yaml = serializers.CharField(
        required=False, max_length=512 * 1024, trim_whitespace=False, help_text=_("O texto YAML da spec.")
    )
    spec = serializers.DictField(required=False, help_text=_("Ou a spec como objeto JSON."))

    def validate(self, dados):
        if bool(dados.get("yaml")) == bool(dados.get("spec")):
            raise serializers.ValidationError({"yaml": [_("Envie 'yaml' (texto) ou 'spec' (objeto), um dos dois.")]})
        return dados


class CapacidadeSaida(serializers.ModelSerializer):
    class Meta:
        model = Capacidade
        fields = ["id", "tipo", "nome", "descricao", "habilitada", "registrada_por", "criado_em", "atualizado_em"]
        read_only_fields = fields


class CapacidadeEntrada(serializers.Serializer):
    tipo = serializers.RegexField(r"^[a-z0-9_]+$", max_length=40)
    nome = serializers.RegexField(r"^[a-z0-9_]+$", max_length=100)
    descricao = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    habilitada = serializers.BooleanField(required=False, default=True)


class CapacidadeAlteracao(serializers.Serializer):
    descricao = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    habilitada = serializers.BooleanField(required=False)


class GapSaida(serializers.ModelSerializer):
    item_status = serializers.CharField(source="item.status", read_only=True)
    resolucao = serializers.JSONField(source="item.resultado", read_only=True)
    concluido_em = serializers.DateTimeField(source="item.concluido_em", read_only=True, allow_null=True)
    titulo = serializers.SerializerMethodField(help_text=_("O gap numa frase, no idioma pedido, conforme a situação."))

    class Meta:
        model = Gap
        fields = [
            "id",
            "item",
            "tipo_recurso",
            "recurso",
            "titulo",
            "descricao",
            "item_status",
            "resolucao",
            "concluido_em",
        ]
        read_only_fields = fields

    def get_titulo(self, gap: Gap) -> str:
        return palavras.titulo_do_gap(gap.tipo_recurso, gap.recurso, gap.item)


class CapacidadeSalva(CapacidadeSaida):
    gaps_resolvidos = GapSaida(many=True, read_only=True)
    orcamentos_desbloqueados = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("Orçamentos que esta capacidade deixou prontos para o PO decidir."),
    )

    class Meta(CapacidadeSaida.Meta):
        fields = [*CapacidadeSaida.Meta.fields, "gaps_resolvidos", "orcamentos_desbloqueados"]
        read_only_fields = fields


class OrcamentoResumo(serializers.ModelSerializer):
    modelo_versao = serializers.IntegerField(source="modelo.versao", read_only=True)
    item_status = serializers.CharField(source="item_aprovacao.status", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Orcamento
        fields = [
            "id",
            "spec_ref",
            "spec_commit",
            "spec_sha256",
            "status",
            "item_orcar",
            "item_aprovacao",
            "item_status",
            "modelo_versao",
            "esforco",
            "custo",
            "criado_em",
            "decidido_em",
            "motivo",
        ]
        read_only_fields = fields


class OrcamentoDetalhe(OrcamentoResumo):
    gaps = GapSaida(many=True, read_only=True)
    explicacao = serializers.SerializerMethodField(
        help_text=_("Cada número com a regra (no idioma pedido), as entradas e os coeficientes que o produziram.")
    )

    def get_explicacao(self, orc: Orcamento) -> dict:
        return {
            chave: {
                **{k: v for k, v in e.items() if k != "regra_params"},
                "regra": palavras.regra(e),
            }
            for chave, e in orc.explicacao.items()
        }

    dependencias = serializers.JSONField(source="dependencias_atuais", read_only=True)

    class Meta(OrcamentoResumo.Meta):
        fields = [
            *OrcamentoResumo.Meta.fields,
            *(secao for secao in SECOES if secao not in OrcamentoResumo.Meta.fields),
            "explicacao",
            "casos_teste",
            "gaps",
            "horas_reais",
            "tokens_gastos",
        ]
        read_only_fields = fields


class DecisaoEntrada(serializers.Serializer):
    motivo = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
