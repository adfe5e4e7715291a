"""Releases over REST: list, detail, zip, and the PO's decisions and real hours."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fabrica.erros import NaoEncontrado
from fabrica.models import Release
from fabrica.releases import selectors, services
from fabrica.releases.views import resposta_zip
from prometheus_site.api.permissoes import exige
from prometheus_site.tipos import PedidoApi


class ReleaseResumo(serializers.ModelSerializer):
    release_ref = serializers.CharField(source="rotulo_versao", read_only=True)
    corrige_ref = serializers.CharField(source="corrige.rotulo_versao", read_only=True, default=None, allow_null=True)
    item_status = serializers.CharField(source="item_aprovacao.status", read_only=True, default=None, allow_null=True)
    decidido_por = serializers.CharField(source="decidido_por.username", read_only=True, default=None, allow_null=True)
    estouro = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "id",
            "release_ref",
            "spec_ref",
            "spec_commit",
            "spec_sha256",
            "versao",
            "tipo",
            "orcamento",
            "corrige",
            "corrige_ref",
            "item_origem",
            "item_aprovacao",
            "item_status",
            "testes_passaram",
            "cobertura_total",
            "duracao_segundos",
            "tokens",
            "construida_por",
            "horas_reais",
            "estouro",
            "status",
            "decidido_por",
            "decidido_em",
            "motivo",
            "criado_em",
        ]
        read_only_fields = fields

    def get_estouro(self, obj: Release) -> dict | None:
        return selectors.estouro(obj)


class ReleaseDetalhe(ReleaseResumo):
    class Meta(ReleaseResumo.Meta):
        fields = [
            *ReleaseResumo.Meta.fields,
            "artefatos",
            "testes",
            "cobertura",
            "tentativas",
            "recursos",
            "pendencias",
            "nao_testaveis",
            "casos",
            "correcao",
            "geracao",
        ]
        read_only_fields = fields


class AprovarEntrada(serializers.Serializer):
    ambiente = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="Nome do ambiente; vazio: o primeiro ativo."
    )
    motivo = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RejeitarEntrada(serializers.Serializer):
    motivo = serializers.CharField(max_length=5000, help_text="O que está errado; vira o erro da correção pedida.")


class HorasEntrada(serializers.Serializer):
    horas = serializers.DictField(
        child=serializers.JSONField(), help_text='Horas reais por vertente, ex.: {"E": 12.5, "D": 4}.'
    )


class ReleasesView(generics.ListAPIView):
    """Releases, newest first; filters ``spec_ref``, ``status``, ``tipo`` and ``ref`` (spec_001-v2)."""

    permission_classes = [exige("fabrica.view_release")]
    serializer_class = ReleaseResumo

    def get_queryset(self):
        q = self.request.query_params
        return selectors.resumo_de_listagem(
            selectors.releases(spec_ref=q.get("spec_ref"), status=q.get("status"), tipo=q.get("tipo"), ref=q.get("ref"))
        )

    @extend_schema(parameters=[OpenApiParameter(p, str) for p in ("spec_ref", "status", "tipo", "ref")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _obter(pk: int) -> Release:
    release = selectors.releases().filter(pk=pk).first()
    if release is None:
        raise NaoEncontrado(f"Release #{pk} não existe.")
    return release


class ReleaseView(APIView):
    """One release: artefacts with their contents, test results, coverage, attempts."""

    permission_classes = [exige("fabrica.view_release")]

    @extend_schema(responses=ReleaseDetalhe)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ReleaseDetalhe(_obter(pk)).data)


class ZipReleaseView(APIView):
    """The artefacts as a zip with a README: ``pip install -r requirements.txt`` and ``pytest``."""

    permission_classes = [exige("fabrica.view_release")]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int):
        return resposta_zip(_obter(pk))


class AprovarReleaseView(APIView):
    """The PO approves: ``implantar`` with ``release_ref`` and ``ambiente`` is produced."""

    permission_classes = [exige("fabrica.decidir_release", "fabrica.decidir_release")]

    @extend_schema(request=AprovarEntrada, responses=ReleaseDetalhe)
    def post(self, request: PedidoApi, pk: int) -> Response:
        entrada = AprovarEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        dados = entrada.validated_data
        services.release_aprovar(
            release_id=pk, por=request.user, ambiente=dados.get("ambiente") or None, motivo=dados["motivo"]
        )
        return Response(ReleaseDetalhe(_obter(pk)).data)


class RejeitarReleaseView(APIView):
    """The PO rejects with a reason: ``corrigir_bug`` naming this release is produced."""

    permission_classes = [exige("fabrica.decidir_release", "fabrica.decidir_release")]

    @extend_schema(request=RejeitarEntrada, responses=ReleaseDetalhe)
    def post(self, request: PedidoApi, pk: int) -> Response:
        entrada = RejeitarEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        services.release_rejeitar(release_id=pk, por=request.user, motivo=entrada.validated_data["motivo"])
        return Response(ReleaseDetalhe(_obter(pk)).data)


class RejeitarPorFalhaEntrada(serializers.Serializer):
    motivo = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Comentário opcional; o erro da correção pedida leva também a falha e o trecho do log.",
    )


class RejeitarReleaseDaFalhaView(APIView):
    """Rejects the release of a failed deployment whose decision waits: the release becomes
    ``Rejeitada`` and ``corrigir_bug`` is produced with the failure as ``erro``. 409 when the
    deployment has no failure waiting or its release is no longer approved."""

    permission_classes = [
        exige("fabrica.decidir_release", "fabrica.decidir_release"),
        exige("fabrica.decidir_implantacao", "fabrica.decidir_implantacao"),
    ]

    @extend_schema(request=RejeitarPorFalhaEntrada, responses=ReleaseDetalhe)
    def post(self, request: PedidoApi, pk: int) -> Response:
        entrada = RejeitarPorFalhaEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        release = services.release_rejeitar_por_falha(
            implantacao_id=pk, por=request.user, motivo=entrada.validated_data["motivo"]
        )
        return Response(ReleaseDetalhe(_obter(release.pk)).data)


class HorasReleaseView(APIView):
    """The real hours per vertente of a release; they re-calibrate the pricing model."""

    permission_classes = [exige("fabrica.decidir_release", "fabrica.decidir_release")]

    @extend_schema(request=HorasEntrada, responses=ReleaseDetalhe)
    def post(self, request: PedidoApi, pk: int) -> Response:
        entrada = HorasEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        services.release_horas_registrar(release_id=pk, horas=entrada.validated_data["horas"], por=request.user)
        return Response(ReleaseDetalhe(_obter(pk)).data)


urlpatterns = [
    path("releases/", ReleasesView.as_view(), name="api-releases"),
    path("releases/<int:pk>/", ReleaseView.as_view(), name="api-release"),
    path("releases/<int:pk>/zip/", ZipReleaseView.as_view(), name="api-release-zip"),
    path("releases/<int:pk>/aprovar/", AprovarReleaseView.as_view(), name="api-release-aprovar"),
    path("releases/<int:pk>/rejeitar/", RejeitarReleaseView.as_view(), name="api-release-rejeitar"),
    path("releases/<int:pk>/horas/", HorasReleaseView.as_view(), name="api-release-horas"),
    path(
        "implantacoes/<int:pk>/rejeitar-release/",
        RejeitarReleaseDaFalhaView.as_view(),
        name="api-implantacao-rejeitar-release",
    ),
]
