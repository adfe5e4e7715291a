"""PROMETHEUS over REST: specs, capabilities, budgets."""

from __future__ import annotations

from collections.abc import Callable

import yaml
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog.api.serializers import ItemSaida
from fabrica import selectors
from fabrica.api import serializers as s
from fabrica.capacidades.services import capacidade_salvar
from fabrica.decisoes import services as decisoes
from fabrica.erros import DadosInvalidos, NaoEncontrado
from fabrica.models import Orcamento, Spec
from fabrica.precificacao.services import orcamento_pedir
from fabrica.specs.formato import SPEC_SCHEMA, SpecInvalida
from fabrica.specs.limite import validar_spec_limitada
from fabrica.specs.services import spec_importar
from prometheus_site.api.permissoes import exige
from prometheus_site.tipos import PedidoApi


class SpecsView(generics.ListAPIView):
    """GET lists imported spec versions (``?spec_id=``); POST submits a spec (YAML text or object)."""

    permission_classes = [exige("fabrica.view_spec", "fabrica.add_spec")]
    serializer_class = s.SpecResumo

    def get_queryset(self):
        return selectors.specs(self.request.query_params.get("spec_id"))

    @extend_schema(parameters=[OpenApiParameter("spec_id", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.SpecEntrada, responses={201: s.SpecDetalhe, 200: s.SpecDetalhe})
    def post(self, request: PedidoApi) -> Response:
        entrada = s.SpecEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        objeto = entrada.validated_data.get("spec")
        try:
            if objeto is not None:
                # Validated as sent: errors of the YAML made from it would cite lines the client never wrote.
                erros = validar_spec_limitada(objeto)
                if erros:
                    raise SpecInvalida(erros)
            texto = entrada.validated_data.get("yaml") or yaml.safe_dump(objeto, allow_unicode=True, sort_keys=False)
            spec, criada = spec_importar(texto=texto, origem=Spec.Origem.API, por=request.user)
        except SpecInvalida as exc:
            campos: dict[str, list[str]] = {}
            for erro in exc.erros:
                campos.setdefault(erro.campo or ("spec" if objeto is not None else "yaml"), []).append(erro.mensagem)
            raise DadosInvalidos(_("A spec não é válida."), campos) from None
        return Response(s.SpecDetalhe(spec).data, status=status.HTTP_201_CREATED if criada else status.HTTP_200_OK)


class SpecView(generics.RetrieveAPIView):
    permission_classes = [exige("fabrica.view_spec")]
    serializer_class = s.SpecDetalhe
    queryset = Spec.objects.all()


class OrcarSpecView(APIView):
    """Asks for the budget of a spec version, once (``orcamento_pedir``)."""

    permission_classes = [exige("fabrica.view_spec", "fabrica.solicitar_orcamento")]

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(
                s.OrcamentoDetalhe, description=gettext_lazy("Esta versão já tem orçamento: ele mesmo.")
            ),
            202: OpenApiResponse(
                ItemSaida, description=gettext_lazy("O pedido de orçamento que a precifica (novo ou já em curso).")
            ),
            409: OpenApiResponse(description=gettext_lazy("A versão foi substituída por uma mais nova.")),
        },
        summary=gettext_lazy("Pede o orçamento de uma versão de spec"),
    )
    def post(self, request: PedidoApi, pk: int) -> Response:
        spec = Spec.objects.filter(pk=pk).first()
        if spec is None:
            raise NaoEncontrado(_("A spec #%(n)s não existe.") % {"n": pk})
        pedido = orcamento_pedir(spec=spec, por=request.user)
        if pedido.orcamento is not None:
            orc = selectors.orcamentos().get(pk=pedido.orcamento.pk)
            return Response(
                s.OrcamentoDetalhe(orc).data,
                status=status.HTTP_200_OK,
                headers={"Location": reverse("api-orcamento", args=[orc.pk])},
            )
        assert pedido.item is not None  # no budget yet: the item pricing it
        return Response(
            ItemSaida(pedido.item).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api-backlog-item", args=[pedido.item.pk])},
        )


class SpecSchemaView(APIView):
    """The JSON Schema every spec must follow."""

    permission_classes = [exige("fabrica.view_spec")]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(SPEC_SCHEMA)


class CapacidadesView(generics.ListAPIView):
    """GET lists capabilities; POST registers one (admins) and resolves the gaps it satisfies."""

    permission_classes = [exige("fabrica.view_capacidade", "fabrica.add_capacidade")]
    serializer_class = s.CapacidadeSaida
    pagination_class = None

    def get_queryset(self):
        return selectors.capacidades()

    @extend_schema(request=s.CapacidadeEntrada, responses={201: s.CapacidadeSalva})
    def post(self, request: PedidoApi) -> Response:
        entrada = s.CapacidadeEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        dados = entrada.validated_data
        capacidade, resolvidos = capacidade_salvar(por=request.user, **dados)
        capacidade.gaps_resolvidos = resolvidos
        capacidade.orcamentos_desbloqueados = [o.pk for o in selectors.orcamentos_desbloqueados(resolvidos)]
        return Response(s.CapacidadeSalva(capacidade).data, status=status.HTTP_201_CREATED)


class CapacidadeView(APIView):
    permission_classes = [exige("fabrica.view_capacidade", "fabrica.change_capacidade")]

    @extend_schema(responses=s.CapacidadeSaida)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.CapacidadeSaida(selectors.capacidade(pk)).data)

    @extend_schema(request=s.CapacidadeAlteracao, responses=s.CapacidadeSalva)
    def patch(self, request: PedidoApi, pk: int) -> Response:
        capacidade = selectors.capacidade(pk)
        entrada = s.CapacidadeAlteracao(data=request.data)
        entrada.is_valid(raise_exception=True)
        dados = entrada.validated_data
        capacidade, resolvidos = capacidade_salvar(
            capacidade=capacidade,
            tipo=capacidade.tipo,
            nome=capacidade.nome,
            por=request.user,
            descricao=dados.get("descricao", capacidade.descricao),
            habilitada=dados.get("habilitada", capacidade.habilitada),
        )
        capacidade.gaps_resolvidos = resolvidos
        capacidade.orcamentos_desbloqueados = [o.pk for o in selectors.orcamentos_desbloqueados(resolvidos)]
        return Response(s.CapacidadeSalva(capacidade).data)


class OrcamentosView(generics.ListAPIView):
    """Budgets (specs_recursos), newest first; filters ``spec_ref`` and ``status``."""

    permission_classes = [exige("fabrica.view_orcamento")]
    serializer_class = s.OrcamentoResumo

    def get_queryset(self):
        q = self.request.query_params
        return selectors.orcamentos(spec_ref=q.get("spec_ref"), status=q.get("status"))

    @extend_schema(parameters=[OpenApiParameter("spec_ref", str), OpenApiParameter("status", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrcamentoView(generics.RetrieveAPIView):
    """One budget with the explanation of every number, its test cases and its gaps."""

    permission_classes = [exige("fabrica.view_orcamento")]
    serializer_class = s.OrcamentoDetalhe

    def get_queryset(self):
        return selectors.orcamentos()


class DecisaoOrcamentoView(APIView):
    """The PO's decision over REST (for MS_Produto or any system acting as the PO)."""

    permission_classes = [exige("fabrica.decidir_orcamento", "fabrica.decidir_orcamento")]
    servico: Callable[..., Orcamento]  # the decision, set by each subclass

    @extend_schema(request=s.DecisaoEntrada, responses=s.OrcamentoDetalhe)
    def post(self, request: PedidoApi, pk: int) -> Response:
        entrada = s.DecisaoEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        self.servico(orcamento_id=pk, por=request.user, motivo=entrada.validated_data["motivo"])
        return Response(s.OrcamentoDetalhe(selectors.orcamentos().get(pk=pk)).data)


class AprovarOrcamentoView(DecisaoOrcamentoView):
    servico = staticmethod(decisoes.orcamento_aprovar)


class AjustarOrcamentoView(DecisaoOrcamentoView):
    servico = staticmethod(decisoes.orcamento_ajustar)


class RejeitarOrcamentoView(DecisaoOrcamentoView):
    servico = staticmethod(decisoes.orcamento_rejeitar)
