"""Reads shared by PROMETHEUS pages and API, with their joins decided here."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from fabrica.erros import NaoEncontrado
from fabrica.models import Capacidade, Gap, Orcamento, Spec


def specs(spec_id: str | None = None) -> QuerySet[Spec]:
    qs = Spec.objects.order_by("-id")
    return qs.filter(spec_id=spec_id) if spec_id else qs


def capacidades() -> QuerySet[Capacidade]:
    return Capacidade.objects.order_by("tipo", "nome")


def capacidade(pk: int) -> Capacidade:
    """The capability with this id; ``NaoEncontrado`` (404) when there is none."""
    encontrada = Capacidade.objects.filter(pk=pk).first()
    if encontrada is None:
        raise NaoEncontrado(f"Capacidade #{pk} não existe.")
    return encontrada


def orcamentos(*, spec_ref: str | None = None, status: str | None = None) -> QuerySet[Orcamento]:
    qs = (
        Orcamento.objects.select_related("modelo", "item_aprovacao", "spec")
        .prefetch_related(Prefetch("gaps", queryset=Gap.objects.select_related("item")))
        .order_by("-id")
    )
    if spec_ref:
        qs = qs.filter(spec_ref=spec_ref)
    if status:
        qs = qs.filter(status=status)
    return qs
