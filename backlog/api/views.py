"""MS_Backlog over REST (DESIGN §3): one view per operation, each calling a service."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog import selectors, services
from backlog.api import serializers as s
from backlog.api.permissoes import OperaBacklog
from backlog.erros import ItemNaoEncontrado
from backlog.models import Item

_FILTROS = [
    OpenApiParameter(nome, OpenApiTypes.STR, description=f"Filtra por {nome}.") for nome in selectors.FILTROS_ITEM
]


def _ator(request: Request) -> str:
    return f"usuario:{request.user.get_username()}"


def _recarregar(item: Item) -> Item:
    """The item with its dependency ids, as the output serializer shows it (one query)."""
    selectors.com_dependencias([item])
    return item


class ItensView(generics.ListAPIView):
    """GET lists items (filters: tipo, status, spec_ref, produtor, consumidor); POST produces one."""

    permission_classes = [OperaBacklog]
    serializer_class = s.ItemSaida

    def get_queryset(self):
        return selectors.itens(self.request.query_params)

    @extend_schema(parameters=_FILTROS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.ProduzirEntrada, responses={201: s.ItemSaida})
    def post(self, request: Request) -> Response:
        entrada = s.ProduzirEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        novo = s.novo_item(entrada.validated_data, request.user.get_username())
        item = services.produzir(
            tipo=novo.tipo,
            produtor=novo.produtor,
            contexto=novo.contexto,
            spec_ref=novo.spec_ref,
            prioridade=novo.prioridade,
            depende_de=novo.depende_de,
            ator=_ator(request),
        )
        return Response(s.ItemSaida(_recarregar(item)).data, status=status.HTTP_201_CREATED)


class _ItemMixin:
    def _item(self, pk: int) -> Item:
        try:
            return selectors.item(pk)
        except Item.DoesNotExist:
            raise ItemNaoEncontrado(f"Item #{pk} não existe.") from None


class ItemView(_ItemMixin, APIView):
    permission_classes = [OperaBacklog]

    @extend_schema(responses=s.ItemSaida)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ItemSaida(self._item(pk)).data)


class LinhagemView(_ItemMixin, APIView):
    permission_classes = [OperaBacklog]

    @extend_schema(responses=s.LinhagemSaida, summary="Itens que produziram este e os que ele produziu")
    def get(self, request: Request, pk: int) -> Response:
        alvo = self._item(pk)
        linhagem = selectors.linhagem(alvo)
        selectors.com_dependencias([*linhagem["ancestrais"], *linhagem["descendentes"]])
        return Response(s.LinhagemSaida({"item": alvo, **linhagem}).data)


class ConsumirView(APIView):
    permission_classes = [OperaBacklog]

    @extend_schema(
        request=s.ConsumirEntrada,
        responses={200: s.ItemReservado, 204: None},
        summary="Reserva o próximo item Pendente dos tipos pedidos",
    )
    def post(self, request: Request) -> Response:
        entrada = s.ConsumirEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        item = services.consumir(**entrada.validated_data)
        if item is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.ItemReservado(_recarregar(item)).data)


class ConcluirView(APIView):
    permission_classes = [OperaBacklog]

    @extend_schema(request=s.ConcluirEntrada, responses=s.ItemSaida)
    def post(self, request: Request, pk: int) -> Response:
        entrada = s.ConcluirEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        dados = entrada.validated_data
        item_atual = Item.objects.filter(pk=pk).only("consumidor").first()
        padrao = item_atual.consumidor if item_atual else request.user.get_username()
        item = services.concluir(
            item_id=pk,
            lease_token=dados["lease_token"],
            resultado=dados["resultado"],
            items_gerados=[s.novo_item(g, padrao) for g in dados["items_gerados"]],
            ator=None,
        )
        return Response(s.ItemSaida(_recarregar(item)).data)


class FalharView(APIView):
    permission_classes = [OperaBacklog]

    @extend_schema(request=s.FalharEntrada, responses=s.ItemSaida)
    def post(self, request: Request, pk: int) -> Response:
        entrada = s.FalharEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        item = services.falhar(item_id=pk, **entrada.validated_data)
        return Response(s.ItemSaida(_recarregar(item)).data)


class RenovarView(APIView):
    permission_classes = [OperaBacklog]

    @extend_schema(request=s.RenovarEntrada, responses=s.ItemSaida, summary="Heartbeat: estende o lease")
    def post(self, request: Request, pk: int) -> Response:
        entrada = s.RenovarEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        item = services.renovar_lease(item_id=pk, **entrada.validated_data)
        return Response(s.ItemSaida(_recarregar(item)).data)


class EventosView(generics.ListAPIView):
    """The audit trail, newest first; filters: item, tipo."""

    permission_classes = [OperaBacklog]
    serializer_class = s.EventoSaida

    def get_queryset(self):
        item = self.request.query_params.get("item")
        return selectors.eventos(
            item_id=int(item) if item and item.isdigit() else None, tipo=self.request.query_params.get("tipo")
        )

    @extend_schema(parameters=[OpenApiParameter("item", OpenApiTypes.INT), OpenApiParameter("tipo", OpenApiTypes.STR)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
