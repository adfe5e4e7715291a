"""MS_Backlog over REST (docs/arquitetura.md, "The backlog contract"): one view per operation, each
calling a service."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backlog import selectors, services
from backlog.api import serializers as s
from backlog.api.autenticacao import AUTENTICACAO
from backlog.api.permissoes import OperaBacklog
from backlog.erros import DadosInvalidos, ItemNaoEncontrado
from backlog.models import Evento, Item
from prometheus_site import servidor
from prometheus_site.api.erros import tratar_excecao
from prometheus_site.api.filtros import id_do_filtro
from prometheus_site.erros import ErroDominio

_FILTROS = [
    *(OpenApiParameter(nome, OpenApiTypes.STR, description=f"Filtra por {nome}.") for nome in selectors.FILTROS_ITEM),
    OpenApiParameter(
        "produzido_por",
        OpenApiTypes.INT,
        description="Só os itens que a conclusão deste item (id) produziu.",
    ),
]


def _produzido_por(parametros: Any) -> int | None:
    """The ``produzido_por`` filter: an item id, or absent; anything else is refused (400 naming it)."""
    if not parametros.get("produzido_por"):
        return None
    numero = id_do_filtro(parametros, "produzido_por")
    if numero is None:
        raise DadosInvalidos(
            gettext("O filtro produzido_por não é o id de um item."),
            {"produzido_por": [gettext("Informe o número de um item.")]},
        )
    return numero


def _ator(request: Request) -> str:
    return f"usuario:{request.user.get_username()}"


def _recarregar(item: Item) -> Item:
    """The item with its dependency ids, as the output serializer shows it (one query)."""
    selectors.com_dependencias([item])
    return item


class ItensView(generics.ListAPIView[Item]):
    """GET lists items (filters: tipo, status, spec_ref, produtor, consumidor, produzido_por); POST
    produces one."""

    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]
    serializer_class = s.ItemSaida

    def get_queryset(self) -> QuerySet[Item]:
        parametros = self.request.query_params
        return selectors.itens(parametros, produzido_por=_produzido_por(parametros))

    @extend_schema(parameters=_FILTROS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
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
            por=request.user,
        )
        return Response(s.ItemSaida(_recarregar(item)).data, status=status.HTTP_201_CREATED)


class _ItemMixin:
    def _item(self, pk: int) -> Item:
        try:
            return selectors.item(pk)
        except Item.DoesNotExist:
            raise ItemNaoEncontrado(gettext("Item #%(n)s não existe.") % {"n": pk}) from None


class ItemView(_ItemMixin, APIView):
    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]

    @extend_schema(responses=s.ItemSaida)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ItemSaida(self._item(pk)).data)


class LinhagemView(_ItemMixin, APIView):
    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]

    @extend_schema(responses=s.LinhagemSaida, summary="Itens que produziram este e os que ele produziu")
    def get(self, request: Request, pk: int) -> Response:
        alvo = self._item(pk)
        linhagem = selectors.linhagem(alvo)
        selectors.com_dependencias([*linhagem["ancestrais"], *linhagem["descendentes"]])
        return Response(s.LinhagemSaida({"item": alvo, **linhagem}).data)


class ConsumirView(APIView):
    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]

    @extend_schema(
        request=s.ConsumirEntrada,
        responses={
            200: OpenApiResponse(
                s.ItemReservado, description="O item reservado; com `quantidade`, a lista dos itens reservados."
            ),
            204: OpenApiResponse(description="Nenhum item disponível (depois da espera, se pedida)."),
        },
        summary="Reserva o próximo item Pendente dos tipos pedidos (ou vários, com quantidade)",
    )
    def post(self, request: Request) -> Response:
        entrada = s.ConsumirEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        dados = entrada.validated_data
        quantidade = dados.get("quantidade")

        def saiu() -> bool:
            return servidor.cliente_saiu(request.META)

        resultado = services.consumir(
            tipos=dados["tipos"],
            consumidor=dados["consumidor"],
            lease_segundos=dados.get("lease_segundos"),
            quantidade=quantidade,
            espera_segundos=dados["espera_segundos"],
            desistir=saiu,
            por=request.user,
        )
        itens = resultado if quantidade is not None else [resultado] if resultado is not None else []
        if itens and dados["espera_segundos"] and saiu():
            # The client gave up while we waited: nobody would ever receive these leases.
            for item in itens:
                services.devolver(item_id=item.pk, lease_token=item.lease_token, ator="MS_Backlog")
            itens = []
        if not itens:
            return Response(status=status.HTTP_204_NO_CONTENT)
        selectors.com_dependencias(itens)
        if quantidade is None:
            return Response(s.ItemReservado(itens[0]).data)
        return Response(s.ItemReservado(itens, many=True).data)


class ConcluirView(APIView):
    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]

    @extend_schema(request=s.ConcluirEntrada, responses=s.ItemSaida)
    def post(self, request: Request, pk: int) -> Response:
        entrada = s.ConcluirEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        dados = entrada.validated_data
        gerados = []
        if dados["items_gerados"]:
            # Generated items are produced by the consumer that concludes, unless they say.
            item_atual = Item.objects.filter(pk=pk).only("consumidor").first()
            padrao = item_atual.consumidor if item_atual else request.user.get_username()
            gerados = [s.novo_item(g, padrao) for g in dados["items_gerados"]]
        item = services.concluir(
            item_id=pk,
            lease_token=dados["lease_token"],
            resultado=dados["resultado"],
            items_gerados=gerados,
            ator=None,
            por=request.user,
        )
        return Response(s.ItemSaida(_recarregar(item)).data)


def _recusa(item_id: int | None, exc: Exception) -> dict[str, Any]:
    """One entry's refusal in the API's error shape, with the status it would get alone."""
    resposta = tratar_excecao(exc, {})
    assert resposta is not None  # a domain error or a validation error: both have their answer
    campos = dict(resposta.data["campos"])
    if "corpo" in campos:  # the entry as a whole (not an object), not the request's body
        campos["item"] = campos.pop("corpo")
    return {"id": item_id, "status": resposta.status_code, "erro": resposta.data["erro"], "campos": campos}


class ConcluirVariosView(APIView):
    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]

    @extend_schema(
        request=s.ConcluirVariosEntrada,
        responses=s.ConcluirVariosSaida,
        summary="Conclui vários itens; responde o resultado de cada um",
        description=(
            "Cada entrada é concluída como em `itens/{id}/concluir/`, por inteiro ou não: uma entrada "
            "recusada (lease perdido, item inexistente, dados inválidos) não impede as outras. "
            f"No máximo {services.MAX_QUANTIDADE} entradas; `resultados` segue a ordem do pedido."
        ),
    )
    def post(self, request: Request) -> Response:
        entrada = s.ConcluirVariosEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        brutos = entrada.validated_data["itens"]
        resultados: list[dict[str, Any] | None] = [None] * len(brutos)
        validos: list[tuple[int, dict[str, Any]]] = []
        validador = s.ConcluirItemEntrada()  # one instance: its fields are built once, not per entry
        for posicao, bruto in enumerate(brutos):
            item_id = bruto.get("id") if isinstance(bruto, dict) and isinstance(bruto.get("id"), int) else None
            try:
                validos.append((posicao, validador.run_validation(bruto)))
            except ValidationError as exc:
                resultados[posicao] = _recusa(item_id, exc)
        padroes: dict[int, str] = {}
        if any(dados["items_gerados"] for _, dados in validos):
            # Generated items are produced by the consumer that concludes, as in concluir/.
            padroes = dict(Item.objects.filter(pk__in=[d["id"] for _, d in validos]).values_list("pk", "consumidor"))
        usuario = request.user.get_username()
        respostas = (
            services.concluir_varios(
                [
                    services.Conclusao(
                        item_id=d["id"],
                        lease_token=d["lease_token"],
                        resultado=d["resultado"],
                        items_gerados=[s.novo_item(g, padroes.get(d["id"]) or usuario) for g in d["items_gerados"]],
                    )
                    for _, d in validos
                ],
                por=request.user,
            )
            if validos
            else []
        )
        concluidos = []
        for (posicao, dados), resposta in zip(validos, respostas, strict=True):
            if isinstance(resposta, ErroDominio):
                resultados[posicao] = _recusa(dados["id"], resposta)
            else:
                concluidos.append(resposta)
                resultados[posicao] = {"id": resposta.pk, "status": status.HTTP_200_OK, "item": resposta}
        selectors.com_dependencias(concluidos)
        corpo = {"concluidos": len(concluidos), "recusados": len(brutos) - len(concluidos), "resultados": resultados}
        return Response(s.ConcluirVariosSaida(corpo).data)


class FalharView(APIView):
    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]

    @extend_schema(request=s.FalharEntrada, responses=s.ItemSaida)
    def post(self, request: Request, pk: int) -> Response:
        entrada = s.FalharEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        item = services.falhar(item_id=pk, **entrada.validated_data)
        return Response(s.ItemSaida(_recarregar(item)).data)


class RenovarView(APIView):
    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]

    @extend_schema(request=s.RenovarEntrada, responses=s.ItemSaida, summary="Heartbeat: estende o lease")
    def post(self, request: Request, pk: int) -> Response:
        entrada = s.RenovarEntrada(data=request.data)
        entrada.is_valid(raise_exception=True)
        item = services.renovar_lease(item_id=pk, **entrada.validated_data)
        return Response(s.ItemSaida(_recarregar(item)).data)


class EventosView(generics.ListAPIView[Evento]):
    """The audit trail, newest first; filters: item, tipo."""

    authentication_classes = AUTENTICACAO
    permission_classes = [OperaBacklog]
    serializer_class = s.EventoSaida

    def get_queryset(self) -> QuerySet[Evento]:
        parametros = self.request.query_params
        return selectors.eventos(item_id=id_do_filtro(parametros, "item"), tipo=parametros.get("tipo"))

    @extend_schema(parameters=[OpenApiParameter("item", OpenApiTypes.INT), OpenApiParameter("tipo", OpenApiTypes.STR)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
