"""Reads of the factory's capabilities: what is enabled, and the open gaps one would resolve."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from fabrica.models import Capacidade, Gap


def gaps_que_resolveria(*, tipo: str, nome: str) -> QuerySet[Gap]:
    """Open gaps a capability of this type and name would resolve (shown before saving)."""
    return (
        Gap.objects.select_related("item", "orcamento").abertos().filter(tipo_recurso=tipo, recurso=nome).order_by("id")
    )


def registrar_url(gap: Gap) -> str:
    """Where an admin resolves ``gap``: the Capacidades admin's add form, prefilled with the type
    and name the spec asked for (the form keeps an unknown type as "outro")."""
    return reverse("admin:fabrica_capacidade_add") + "?" + urlencode({"tipo": gap.tipo_recurso, "nome": gap.recurso})


def pode_registrar(usuario) -> bool:
    """Whether ``usuario`` may open the Capacidades admin's add form."""
    return bool(usuario.is_active and usuario.is_staff and usuario.has_perm("fabrica.add_capacidade"))


def disponiveis() -> dict[str, set[str]]:
    """Enabled capability names per type, for identificar_gaps."""
    mapa: dict[str, set[str]] = {}
    for tipo, nome in Capacidade.objects.filter(habilitada=True).values_list("tipo", "nome"):
        mapa.setdefault(tipo, set()).add(nome)
    return mapa
