"""Deployments over REST: environments, implantacao records and the PO's decisions on them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog.api.serializers import ItemSaida
from fabrica.erros import DadosInvalidos, NaoEncontrado
from fabrica.implantacao import selectors
from fabrica.implantacao import services as servicos
from fabrica.implantacao.api import serializers as s
from fabrica.models import Ambiente
from prometheus_site.api.filtros import id_do_filtro
from prometheus_site.api.permissoes import exige
from prometheus_site.tipos import PedidoApi


def _ambiente(pk: int) -> Ambiente:
    ambiente = selectors.ambientes().filter(pk=pk).first()
    if ambiente is None:
        raise NaoEncontrado(f"O ambiente #{pk} não existe.")
    return ambiente


def _dados_do_ambiente(entrada: s.AmbienteEntrada) -> tuple[dict, list | None, list | None]:
    dados = dict(entrada.validated_data)
    grupos = dados.pop("grupos_aprovadores", None)
    usuarios = dados.pop("usuarios_aprovadores", None)
    if "configuracao" in dados and dados["configuracao"] is None:
        dados["configuracao"] = {}
    return dados, grupos, usuarios


class AmbientesView(generics.ListAPIView):
    """GET: environments in order, with what serves in each (per spec) and since when; POST
    (admins): a new environment, its target and settings validated field by field."""

    permission_classes = [exige("fabrica.view_ambiente", "fabrica.add_ambiente")]
    serializer_class = s.AmbienteSaida
    pagination_class = None

    def get_queryset(self):
        return selectors.ambientes()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "servindo": selectors.servindo()}

    @extend_schema(request=s.AmbienteEntrada, responses={201: s.AmbienteSaida})
    def post(self, request: Request) -> Response:
        entrada = s.AmbienteEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        dados, grupos, usuarios = _dados_do_ambiente(entrada)
        if not dados.get("nome"):
            raise DadosInvalidos("Informe o nome do ambiente.", {"nome": ["Campo obrigatório."]})
        ambiente = servicos.ambiente_salvar(
            ambiente=None, dados=dados, grupos_aprovadores=grupos, usuarios_aprovadores=usuarios
        )
        return Response(
            s.AmbienteSaida(_ambiente(ambiente.pk), context={"servindo": {}}).data, status=status.HTTP_201_CREATED
        )


class AmbienteView(APIView):
    permission_classes = [exige("fabrica.view_ambiente", "fabrica.change_ambiente")]

    @extend_schema(responses=s.AmbienteSaida)
    def get(self, request: Request, pk: int) -> Response:
        ambiente = _ambiente(pk)
        return Response(s.AmbienteSaida(ambiente, context={"servindo": selectors.servindo([pk])}).data)

    @extend_schema(request=s.AmbienteEntrada, responses=s.AmbienteSaida)
    def patch(self, request: Request, pk: int) -> Response:
        ambiente = _ambiente(pk)
        entrada = s.AmbienteEntrada(data=request.data, partial=True)
        entrada.is_valid(raise_exception=True)
        dados, grupos, usuarios = _dados_do_ambiente(entrada)
        servicos.ambiente_salvar(
            ambiente=ambiente, dados=dados, grupos_aprovadores=grupos, usuarios_aprovadores=usuarios
        )
        return Response(s.AmbienteSaida(_ambiente(pk), context={"servindo": selectors.servindo([pk])}).data)


class ReverterAmbienteView(APIView):
    """An admin rolls a spec back, in this environment, to an earlier release it still keeps
    (``{spec_ref, release, motivo}``); 202 with the ``implantar`` item that runs the rollback."""

    permission_classes = [exige("fabrica.reverter_implantacao", "fabrica.reverter_implantacao")]

    @extend_schema(request=s.ReverterEntrada, responses={202: ItemSaida})
    def post(self, request: PedidoApi, pk: int) -> Response:
        _ambiente(pk)
        entrada = s.ReverterEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        dados = entrada.validated_data
        item = servicos.reversao_solicitar(
            ambiente_id=pk,
            spec_ref=dados["spec_ref"],
            release_id=dados["release"],
            por=request.user,
            motivo=dados["motivo"],
        )
        return Response(ItemSaida(item).data, status=status.HTTP_202_ACCEPTED)


class ImplantacoesView(generics.ListAPIView):
    """Deployment records, newest first; filters ``ambiente`` (name), ``spec_ref``, ``release``
    (id), ``status``, ``validacao``, ``tipo``."""

    permission_classes = [exige("fabrica.view_implantacao")]
    serializer_class = s.ImplantacaoResumo

    def get_queryset(self):
        q = self.request.query_params
        release = q.get("release", "")
        if release and not release.isdecimal():
            raise DadosInvalidos("O filtro release é o id de uma release.", {"release": ["Informe um número."]})
        return selectors.implantacoes(
            ambiente=q.get("ambiente"),
            spec_ref=q.get("spec_ref"),
            release_id=id_do_filtro(q, "release"),
            status=q.get("status"),
            validacao=q.get("validacao"),
            tipo=q.get("tipo"),
        ).defer("log")

    @extend_schema(
        parameters=[
            OpenApiParameter(nome, str) for nome in ("ambiente", "spec_ref", "release", "status", "validacao", "tipo")
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ImplantacaoView(generics.RetrieveAPIView):
    """One record with its full log (complete once it ends; growing while it runs)."""

    permission_classes = [exige("fabrica.view_implantacao")]
    serializer_class = s.ImplantacaoDetalhe

    def get_queryset(self):
        return selectors.implantacoes()


class ValidarImplantacaoView(APIView):
    """The PO's validation (seed ``validar_implantacao``): ``{aprovado, observacao}``."""

    permission_classes = [exige("fabrica.decidir_implantacao", "fabrica.decidir_implantacao")]

    @extend_schema(request=s.ValidarEntrada, responses=s.ImplantacaoDetalhe)
    def post(self, request: PedidoApi, pk: int) -> Response:
        entrada = s.ValidarEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        servicos.implantacao_validar(
            implantacao_id=pk,
            por=request.user,
            aprovado=entrada.validated_data["aprovado"],
            observacao=entrada.validated_data["observacao"],
        )
        return Response(s.ImplantacaoDetalhe(selectors.implantacoes().get(pk=pk)).data)


class PromoverImplantacaoView(APIView):
    """Takes the promotion offered after a validation: 202 with the ``implantar`` item."""

    permission_classes = [exige("fabrica.decidir_implantacao", "fabrica.decidir_implantacao")]

    @extend_schema(request=None, responses={202: ItemSaida})
    def post(self, request: PedidoApi, pk: int) -> Response:
        item = servicos.implantacao_promover(implantacao_id=pk, por=request.user)
        return Response(ItemSaida(item).data, status=status.HTTP_202_ACCEPTED)


class DispensarPromocaoView(APIView):
    permission_classes = [exige("fabrica.decidir_implantacao", "fabrica.decidir_implantacao")]

    @extend_schema(request=None, responses=s.ImplantacaoDetalhe)
    def post(self, request: PedidoApi, pk: int) -> Response:
        servicos.implantacao_dispensar_promocao(implantacao_id=pk, por=request.user)
        return Response(s.ImplantacaoDetalhe(selectors.implantacoes().get(pk=pk)).data)


class RepetirImplantacaoView(APIView):
    """Retries a failed deployment whose decision waits: a new ``implantar`` of the same release to
    the same environment, approved by the caller (one of the environment's approvers); 202 with
    the item. 409 when the deployment has no failure waiting (decided, superseded, not failed)."""

    permission_classes = [exige("fabrica.decidir_implantacao", "fabrica.decidir_implantacao")]

    @extend_schema(request=None, responses={202: ItemSaida})
    def post(self, request: PedidoApi, pk: int) -> Response:
        item = servicos.implantacao_repetir(implantacao_id=pk, por=request.user)
        return Response(ItemSaida(item).data, status=status.HTTP_202_ACCEPTED)
