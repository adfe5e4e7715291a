from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework import serializers

from fabrica.implantacao.models import Implantacao
from fabrica.implantacao.services import CAMPOS_EDITAVEIS_DO_AMBIENTE
from fabrica.models import Ambiente, Release


class ReleaseCurta(serializers.ModelSerializer):
    rotulo = serializers.CharField(source="rotulo_versao", read_only=True)

    class Meta:
        model = Release
        fields = ["id", "rotulo", "spec_ref", "versao", "tipo", "status"]
        read_only_fields = fields


class ImplantacaoResumo(serializers.ModelSerializer):
    ambiente = serializers.CharField(source="ambiente.nome", read_only=True)
    release = ReleaseCurta(read_only=True, allow_null=True)
    release_anterior = ReleaseCurta(read_only=True, allow_null=True)
    aprovado_por = serializers.CharField(source="aprovado_por.username", read_only=True, default=None, allow_null=True)
    validado_por = serializers.CharField(source="validado_por.username", read_only=True, default=None, allow_null=True)
    promover_para = serializers.CharField(source="promover_para.nome", read_only=True, default=None, allow_null=True)
    duracao_segundos = serializers.FloatField(read_only=True, allow_null=True)
    promocao = serializers.ChoiceField(choices=Implantacao.Promocao.choices, allow_blank=True, read_only=True)
    falha = serializers.ChoiceField(
        choices=Implantacao.Falha.choices,
        allow_blank=True,
        read_only=True,
        help_text="A decisão sobre uma implantação que falhou (vazia: nenhuma esperada).",
    )

    class Meta:
        model = Implantacao
        fields = [
            "id",
            "tipo",
            "status",
            "ambiente",
            "alvo",
            "spec_ref",
            "versao",
            "release",
            "release_anterior",
            "aprovado_por",
            "solicitado_por",
            "motivo",
            "iniciado_em",
            "terminado_em",
            "duracao_segundos",
            "url",
            "caminho",
            "erro",
            "validacao",
            "validado_por",
            "validado_em",
            "observacao",
            "falha",
            "repete",
            "promocao",
            "promover_para",
            "item",
            "item_validacao",
            "reverte",
            "origem",
            "criado_em",
        ]
        read_only_fields = fields


class ImplantacaoDetalhe(ImplantacaoResumo):
    class Meta(ImplantacaoResumo.Meta):
        fields = [*ImplantacaoResumo.Meta.fields, "log"]
        read_only_fields = fields


class ValidarEntrada(serializers.Serializer):
    aprovado = serializers.BooleanField(help_text="true valida; false recusa (reverte e pede uma correção).")
    observacao = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text="Obrigatória para recusar."
    )


class ReverterEntrada(serializers.Serializer):
    spec_ref = serializers.RegexField(r"^[a-z0-9_]+$", max_length=100)
    release = serializers.IntegerField(min_value=1, help_text="O id da release anterior para onde reverter.")
    motivo = serializers.CharField(max_length=5000)


class ServindoSaida(serializers.Serializer):
    spec_ref = serializers.CharField()
    release = ReleaseCurta(source="implantacao.release")
    implantacao = serializers.IntegerField(source="implantacao.pk")
    desde = serializers.DateTimeField()
    validacao = serializers.CharField(source="implantacao.validacao")
    url = serializers.CharField(source="implantacao.url")


class AmbienteSaida(serializers.ModelSerializer):
    exige_validacao_em = serializers.CharField(
        source="exige_validacao_em.nome", read_only=True, default=None, allow_null=True
    )
    grupos_aprovadores: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    usuarios_aprovadores: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="username"
    )
    servindo = serializers.SerializerMethodField()

    class Meta:
        model = Ambiente
        fields = ["id", *CAMPOS_EDITAVEIS_DO_AMBIENTE, "servindo", "criado_em"]
        read_only_fields = fields

    def get_servindo(self, ambiente: Ambiente) -> list[dict[str, Any]]:
        servindo = (self.context.get("servindo") or {}).get(ambiente.pk, [])
        return list(ServindoSaida(servindo, many=True).data)


class AmbienteEntrada(serializers.Serializer):
    """Every field optional on PATCH; ``nome`` required to create."""

    nome = serializers.RegexField(r"^[a-z0-9_]+$", max_length=50, required=False)
    descricao = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    ordem = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    ativo = serializers.BooleanField(required=False)
    alvo = serializers.ChoiceField(choices=Ambiente.Alvo.choices, required=False)
    configuracao = serializers.DictField(required=False)
    url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    diretorio = serializers.CharField(required=False, allow_blank=True, max_length=500)
    exige_validacao_em = serializers.SlugRelatedField(
        slug_field="nome", queryset=Ambiente.objects.all(), required=False, allow_null=True
    )
    grupos_aprovadores = serializers.SlugRelatedField(
        slug_field="name", queryset=Group.objects.all(), many=True, required=False
    )
    usuarios_aprovadores = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), many=True, required=False
    )
    retencao = serializers.IntegerField(required=False, allow_null=True, min_value=2, max_value=1000)
