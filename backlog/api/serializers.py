from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from rest_framework import serializers

from backlog.models import Evento, Item
from backlog.services import MAX_ESPERA_SEGUNDOS, MAX_PRIORIDADE, MAX_QUANTIDADE, NovoItem


class ItemSaida(serializers.ModelSerializer[Item]):
    depende_de = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id",
            "tipo",
            "status",
            "produtor",
            "contexto",
            "resultado",
            "erro",
            "depende_de",
            "spec_ref",
            "prioridade",
            "produzido_por",
            "criado_em",
            "consumido_em",
            "concluido_em",
            "desbloqueado_em",
            "desbloqueado_por",
            "consumidor",
            "tentativas",
            "max_tentativas",
            "disponivel_em",
            "lease_expira_em",
        ]
        read_only_fields = fields

    def get_depende_de(self, item: Item) -> list[int]:
        ids = getattr(item, "depende_de_ids", None)
        return ids if ids is not None else sorted(d.depende_de_id for d in item.dependencias.all())

    def to_representation(self, item: Item) -> dict[str, Any]:
        """What DRF's fields would answer (tests/backlog/test_api_lotes.py compares the two),
        without building the model serializer's fields for every response: on the hot
        endpoints that was a fifth of a request's CPU (bench/README.md)."""
        dados: dict[str, Any] = {}
        for nome, tipo in _FORMA[type(self)]:
            valor = getattr(item, nome)
            if valor is None:
                dados[nome] = None
            elif tipo == "data":
                texto = timezone.localtime(valor).isoformat()
                dados[nome] = texto[:-6] + "Z" if texto.endswith("+00:00") else texto
            elif tipo == "texto":
                dados[nome] = str(valor)
            else:
                dados[nome] = valor
        dados["depende_de"] = self.get_depende_de(item)
        for rotulo, atributo in (("produzido_por", "produzido_por_id"), ("desbloqueado_por", "desbloqueado_por_id")):
            dados[rotulo] = getattr(item, atributo)
        return {campo: dados[campo] for campo in self.Meta.fields}


class ItemReservado(ItemSaida):
    """The claimed item as its consumer sees it: with the lease token that proves ownership."""

    class Meta(ItemSaida.Meta):
        fields = [*ItemSaida.Meta.fields, "lease_token"]
        read_only_fields = fields


def _forma(classe: type[ItemSaida]) -> list[tuple[str, str]]:
    """(attribute, how it is written) for the plain model fields of an output serializer."""
    forma = []
    for nome in classe.Meta.fields:
        if nome in {"depende_de", "produzido_por", "desbloqueado_por"}:
            continue
        campo = Item._meta.get_field(nome)
        if isinstance(campo, models.DateTimeField):
            forma.append((nome, "data"))
        elif isinstance(campo, models.CharField | models.TextField | models.UUIDField):
            forma.append((nome, "texto"))
        else:
            forma.append((nome, "valor"))  # integers and JSON, as they are
    return forma


_FORMA = {classe: _forma(classe) for classe in (ItemSaida, ItemReservado)}


class EventoSaida(serializers.ModelSerializer[Evento]):
    class Meta:
        model = Evento
        fields = ["id", "tipo", "item", "ator", "dados", "criado_em"]
        read_only_fields = fields


class _NovoItemBase(serializers.Serializer[Any]):
    tipo = serializers.CharField(max_length=64)
    contexto = serializers.DictField(required=False, default=dict)
    spec_ref = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    prioridade = serializers.IntegerField(
        required=False, default=0, min_value=-MAX_PRIORIDADE, max_value=MAX_PRIORIDADE
    )
    depende_de = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000
    )


class ProduzirEntrada(_NovoItemBase):
    produtor = serializers.CharField(
        max_length=100, required=False, help_text="Quem produz; por padrão, o usuário autenticado."
    )


class ItemGeradoEntrada(_NovoItemBase):
    produtor = serializers.CharField(max_length=100, required=False, help_text="Por padrão, o consumidor que conclui.")
    depende_de_gerados = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        default=list,
        help_text="Índices de itens anteriores desta mesma lista dos quais este depende.",
    )


def novo_item(dados: dict[str, Any], produtor_padrao: str) -> NovoItem:
    return NovoItem(
        tipo=dados["tipo"],
        produtor=dados.get("produtor") or produtor_padrao,
        contexto=dados["contexto"],
        spec_ref=dados["spec_ref"],
        prioridade=dados["prioridade"],
        depende_de=dados["depende_de"],
        depende_de_gerados=dados.get("depende_de_gerados", []),
    )


class ConsumirEntrada(serializers.Serializer[Any]):
    tipos = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=50)
    consumidor = serializers.CharField(max_length=200)
    lease_segundos = serializers.IntegerField(required=False, min_value=1, max_value=86_400)
    quantidade = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_QUANTIDADE,
        help_text=f"Reserva até este número de itens de uma vez (no máximo {MAX_QUANTIDADE}) e responde "
        "uma lista; sem ele, a resposta é um item só.",
    )
    espera_segundos = serializers.FloatField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_ESPERA_SEGUNDOS,
        help_text=f"Sem item disponível, espera até este tempo (no máximo {MAX_ESPERA_SEGUNDOS} s) que um "
        "apareça e responde assim que aparecer; 204 se nenhum aparecer (long polling).",
    )


class ConcluirEntrada(serializers.Serializer[Any]):
    lease_token = serializers.UUIDField(help_text="O lease recebido de consumir.")
    resultado = serializers.DictField(required=False, default=dict)
    items_gerados = ItemGeradoEntrada(many=True, required=False, default=list)


class ConcluirItemEntrada(ConcluirEntrada):
    """One entry of a batch conclusion: the item's id and what ``concluir`` takes."""

    id = serializers.IntegerField(min_value=1)


class ConcluirVariosEntrada(serializers.Serializer[Any]):
    # Each entry is validated on its own (ConcluirItemEntrada), so a bad one spoils no other.
    itens = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=MAX_QUANTIDADE,
        help_text=f"Até {MAX_QUANTIDADE} conclusões: {{id, lease_token, resultado?, items_gerados?}}.",
    )


class ResultadoConclusao(serializers.Serializer[Any]):
    """One entry's outcome: the concluded item (status 200), or its refusal in the error shape."""

    id = serializers.IntegerField(allow_null=True)
    status = serializers.IntegerField(help_text="200, ou o status HTTP que esta conclusão receberia sozinha.")
    item = ItemSaida(required=False)
    erro = serializers.CharField(required=False)
    campos = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class ConcluirVariosSaida(serializers.Serializer[Any]):
    concluidos = serializers.IntegerField()
    recusados = serializers.IntegerField()
    resultados = ResultadoConclusao(many=True)


class FalharEntrada(serializers.Serializer[Any]):
    lease_token = serializers.UUIDField()
    erro = serializers.CharField(max_length=10_000)


class RenovarEntrada(serializers.Serializer[Any]):
    lease_token = serializers.UUIDField()
    lease_segundos = serializers.IntegerField(required=False, min_value=1, max_value=86_400)


class LinhagemSaida(serializers.Serializer[Any]):
    item = ItemSaida()
    ancestrais = ItemSaida(many=True)
    descendentes = ItemSaida(many=True)
