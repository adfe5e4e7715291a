"""Reads of the factory's capabilities: what is enabled, and the open gaps one would resolve."""

from __future__ import annotations

from django.db.models import QuerySet

from fabrica.models import Capacidade, Gap


def gaps_que_resolveria(*, tipo: str, nome: str) -> QuerySet[Gap]:
    """Open gaps a capability of this type and name would resolve (shown before saving)."""
    return (
        Gap.objects.select_related("item", "orcamento").abertos().filter(tipo_recurso=tipo, recurso=nome).order_by("id")
    )


def disponiveis() -> dict[str, set[str]]:
    """Enabled capability names per type, for identificar_gaps."""
    mapa: dict[str, set[str]] = {}
    for tipo, nome in Capacidade.objects.filter(habilitada=True).values_list("tipo", "nome"):
        mapa.setdefault(tipo, set()).add(nome)
    return mapa
