"""Reads shared by the board pages and the API; each costs a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from backlog.models import Dependencia, Evento, Item, Status

FILTROS_ITEM = ("tipo", "status", "spec_ref", "produtor", "consumidor")


@dataclass(frozen=True)
class Autoria:
    """Who produced an item, as the broker recorded it (the ``produzido`` event), not as its
    ``contexto`` or ``produtor`` say: ``ator`` as the producing service named it, and
    ``requisicao_de``, the authenticated user of the request, when it came through one."""

    ator: str
    requisicao_de: str | None


def autoria(item_id: int) -> Autoria | None:
    evento = Evento.objects.filter(item_id=item_id, tipo="produzido").order_by("pk").first()
    if evento is None:
        return None
    requisicao_de = evento.dados.get("requisicao_de") if isinstance(evento.dados, dict) else None
    return Autoria(ator=evento.ator, requisicao_de=str(requisicao_de) if requisicao_de else None)


def _deps() -> Prefetch[str, QuerySet[Dependencia], str]:
    return Prefetch("dependencias", queryset=Dependencia.objects.only("id", "item_id", "depende_de_id"))


def com_dependencias(lista: Iterable[Item]) -> None:
    """Gives already fetched items their ``depende_de_ids`` (sorted), in one query for those that
    don't carry them yet (the hot statements of ``backlog.sql`` return them with the row)."""
    faltando = [item for item in lista if getattr(item, "depende_de_ids", None) is None]
    if faltando:
        prefetch_related_objects(faltando, _deps())
        for item in faltando:
            item.depende_de_ids = sorted(d.depende_de_id for d in item.dependencias.all())


def itens(filtros: Mapping[str, str] | None = None, *, produzido_por: int | None = None) -> QuerySet[Item]:
    """Items newest first, with their dependency ids prefetched (one extra query per page);
    ``produzido_por``: only the items the conclusion of that item produced."""
    qs = Item.objects.prefetch_related(_deps()).order_by("-id")
    if produzido_por is not None:
        qs = qs.filter(produzido_por_id=produzido_por)
    for nome in FILTROS_ITEM:
        valor = (filtros or {}).get(nome)
        if valor:
            qs = qs.filter(**{nome: valor})
    return qs


def item(pk: int) -> Item:
    return itens().get(pk=pk)


def consumiveis_por_tipo(tipos: list[str], *, limite: int) -> dict[str, list[int]]:
    """Ids of claimable items of these types (at most ``limite``, in claim order), by type."""
    por_tipo: dict[str, list[int]] = {}
    linhas = (
        Item.objects.consumiveis(timezone.now())
        .filter(tipo__in=tipos)
        .order_by("-prioridade", "id")
        .values_list("tipo", "pk")[:limite]
    )
    for tipo, pk in linhas:
        por_tipo.setdefault(tipo, []).append(pk)
    return por_tipo


def eventos(*, item_id: int | None = None, tipo: str | None = None) -> QuerySet[Evento]:
    qs = Evento.objects.order_by("-id")
    if item_id:
        qs = qs.filter(item_id=item_id)
    if tipo:
        qs = qs.filter(tipo=tipo)
    return qs


def contagens() -> dict[str, object]:
    """Counts per status and per (tipo, status), for the board."""
    por_status = {s: 0 for s in Status.values}
    por_status.update(dict(Item.objects.order_by().values_list("status").annotate(n=Count("id"))))
    por_tipo: dict[str, dict[str, int]] = {}
    for tipo, status, n in Item.objects.order_by().values_list("tipo", "status").annotate(n=Count("id")):
        por_tipo.setdefault(tipo, {s: 0 for s in Status.values})[status] = n
    return {"por_status": por_status, "por_tipo": dict(sorted(por_tipo.items()))}


def linhagem(alvo: Item, *, limite: int = 500) -> dict[str, list[Item]]:
    """The chain of items that produced ``alvo`` (root first) and everything it produced,
    level by level (one query per generation, bounded by ``limite`` items)."""
    ancestrais: list[Item] = []
    atual = alvo
    vistos = {alvo.pk}
    while atual.produzido_por_id and atual.produzido_por_id not in vistos and len(ancestrais) < limite:
        atual = Item.objects.get(pk=atual.produzido_por_id)
        vistos.add(atual.pk)
        ancestrais.append(atual)
    ancestrais.reverse()
    descendentes: list[Item] = []
    fronteira = [alvo.pk]
    while fronteira and len(descendentes) < limite:
        geracao = list(Item.objects.filter(produzido_por_id__in=fronteira).order_by("id")[: limite - len(descendentes)])
        descendentes.extend(geracao)
        fronteira = [i.pk for i in geracao]
    return {"ancestrais": ancestrais, "descendentes": descendentes}
