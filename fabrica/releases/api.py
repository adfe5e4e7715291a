"""Releases over REST: list, detail, zip, and the PO's decisions and real hours."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
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


class TesteComparadoSaida(serializers.Serializer):
    id = serializers.CharField(help_text="arquivo::nome do teste (ou [vertente] nome, sem arquivo).")
    vertente = serializers.CharField()
    nome = serializers.CharField()
    arquivo = serializers.CharField(allow_blank=True)
    antes = serializers.CharField(allow_null=True, help_text="Resultado na release corrigida; null: não existia.")
    depois = serializers.CharField(allow_null=True, help_text="Resultado nesta release; null: não existe mais.")
    mensagem = serializers.CharField(allow_blank=True)


class ArtefatoResumoSaida(serializers.Serializer):
    caminho = serializers.CharField()
    vertente = serializers.CharField(allow_blank=True)
    papel = serializers.CharField(allow_blank=True)


class ArquivoAlteradoSaida(ArtefatoResumoSaida):
    diff = serializers.CharField(help_text="Diff unificado do arquivo.")
    mais = serializers.IntegerField()
    menos = serializers.IntegerField()


class ComparacaoSaida(serializers.Serializer):
    """A hotfix against the release it fixes (fabrica.desenvolvimento.comparacao)."""

    corrige_ref = serializers.CharField(default="")
    nada_mudou = serializers.BooleanField(help_text="O código e os resultados dos testes são os da release corrigida.")
    codigo_igual = serializers.BooleanField()
    por_que = serializers.CharField(
        default="",
        allow_blank=True,
        help_text="Quando nada mudou: gerador_deterministico, spec_sem_efeito ou corretor_sem_efeito.",
    )
    adicionados = ArtefatoResumoSaida(many=True)
    removidos = ArtefatoResumoSaida(many=True)
    alterados = ArquivoAlteradoSaida(many=True)
    iguais = serializers.IntegerField()
    corrigidos = TesteComparadoSaida(many=True)
    ainda_falhando = TesteComparadoSaida(many=True)
    novas_falhas = TesteComparadoSaida(many=True)
    novos_passando = TesteComparadoSaida(many=True)
    sumidos = TesteComparadoSaida(many=True)
    mantidos = serializers.IntegerField()


class NadaACorrigirSaida(serializers.Serializer):
    item = serializers.IntegerField(source="pk", help_text="O pedido de correção que terminou sem release.")
    concluido_em = serializers.DateTimeField()
    resultado = serializers.JSONField(help_text="nada_a_corrigir, corrige, por_que, motivo, testes.")


class TokensVertenteSaida(serializers.Serializer):
    vertente = serializers.CharField()
    estimado = serializers.IntegerField(allow_null=True, help_text="Nulo: o orçamento não estimou tokens.")
    real = serializers.IntegerField()


class TokensModeloSaida(serializers.Serializer):
    vertentes = TokensVertenteSaida(many=True)
    estimado = serializers.IntegerField(allow_null=True)
    real = serializers.IntegerField()
    custo_estimado = serializers.CharField(allow_null=True)
    custo_real = serializers.CharField(allow_null=True)
    modelo_precificacao = serializers.CharField(help_text="Versão dos coeficientes da estimativa, ex.: v3.")
    gastos_orcamento = serializers.IntegerField(allow_null=True, help_text="Contador do teto do orçamento.")
    teto_orcamento = serializers.IntegerField(allow_null=True)
    teto_release = serializers.IntegerField(allow_null=True)
    recusadas_pelo_teto = serializers.ListField(child=serializers.CharField())


class ReleaseDetalhe(ReleaseResumo):
    comparacao = serializers.SerializerMethodField(help_text="Só numa correção (hotfix): o que mudou.")
    tentativas_contadas = serializers.SerializerMethodField(
        help_text="Tentativas de correção que mudaram algum artefato (as sem alteração não contam)."
    )
    nada_a_corrigir = serializers.SerializerMethodField(
        help_text="Pedidos de correção desta release que terminaram sem release: nada a corrigir automaticamente."
    )
    tokens_modelo = serializers.SerializerMethodField(
        help_text="Tokens do modelo: estimados pelo orçamento e gastos por esta release, por vertente e no total, "
        "o custo, o gasto do orçamento contra o seu teto e as chamadas que um teto recusou. Nulo sem modelo."
    )

    class Meta(ReleaseResumo.Meta):
        fields = [
            *ReleaseResumo.Meta.fields,
            "artefatos",
            "testes",
            "cobertura",
            "tentativas",
            "tentativas_contadas",
            "recursos",
            "pendencias",
            "nao_testaveis",
            "casos",
            "correcao",
            "geracao",
            "comparacao",
            "nada_a_corrigir",
            "tokens_modelo",
        ]
        read_only_fields = fields

    @extend_schema_field(TokensModeloSaida(allow_null=True))
    def get_tokens_modelo(self, obj: Release) -> dict | None:
        return selectors.tokens_do_modelo(obj)

    @extend_schema_field(ComparacaoSaida(allow_null=True))
    def get_comparacao(self, obj: Release) -> dict | None:
        comparacao = selectors.comparacao_com_a_corrigida(obj)
        if comparacao is None or obj.corrige is None:
            return None
        dados = dict(ComparacaoSaida(comparacao).data)
        dados["corrige_ref"] = obj.corrige.rotulo_versao
        dados["por_que"] = selectors.por_que_nada_mudou(obj) if comparacao.nada_mudou else ""
        return dados

    def get_tentativas_contadas(self, obj: Release) -> int:
        return len(selectors.tentativas(obj)["contadas"])

    @extend_schema_field(NadaACorrigirSaida(many=True))
    def get_nada_a_corrigir(self, obj: Release) -> list:
        return list(NadaACorrigirSaida(selectors.correcoes_sem_release(obj), many=True).data)


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
