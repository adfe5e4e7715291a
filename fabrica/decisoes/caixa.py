"""The PO's decision inbox: a registry of kinds of decision, each able to list its rows.

Budgets register here now; releases and deployments register their own kinds later, and the
inbox shows them together. Each kind lists its rows in a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backlog.models import Status
from fabrica.models import SpecRecursos
from fabrica.selectors import orcamentos

ABAS = ("decidir", "espera", "decididos")


@dataclass
class Linha:
    tipo: str
    rotulo: Any
    id: int
    titulo: str
    spec_ref: str
    criado_em: datetime
    url: str
    custo: dict[str, Any] = field(default_factory=dict)
    horas: float | None = None
    gaps: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""
    decidido_por: str = ""
    decidido_em: datetime | None = None
    motivo: str = ""


@dataclass(frozen=True)
class TipoDecisao:
    nome: str
    rotulo: Any
    permissao: str
    listar: Callable[[str, str, int], list[Linha]]  # (aba, busca, limite) → rows
    contar: Callable[[str], dict[str, int]]  # busca → count per tab


_tipos: dict[str, TipoDecisao] = {}


def registrar(tipo: TipoDecisao) -> None:
    _tipos[tipo.nome] = tipo


def tipos_para(usuario) -> list[TipoDecisao]:
    return [t for t in _tipos.values() if usuario.has_perm(t.permissao)]


def caixa(usuario, *, aba: str = "decidir", busca: str = "", tipo: str = "", limite: int = 200) -> dict[str, Any]:
    """Rows of one tab, newest decisions first in history, oldest waits first otherwise."""
    visiveis = [t for t in tipos_para(usuario) if not tipo or t.nome == tipo]
    linhas: list[Linha] = []
    contagens = dict.fromkeys(ABAS, 0)
    for t in visiveis:
        linhas.extend(t.listar(aba, busca, limite))
        for nome, n in t.contar(busca).items():
            contagens[nome] += n
    if aba == "decididos":
        linhas.sort(key=lambda linha: linha.decidido_em or linha.criado_em, reverse=True)
    else:
        linhas.sort(key=lambda linha: linha.criado_em)
    return {"linhas": linhas[:limite], "contagens": contagens, "tipos": tipos_para(usuario)}


# --- budgets ------------------------------------------------------------------------------------

def _orcamentos_da_aba(aba: str, busca: str) -> QuerySet[SpecRecursos]:
    # The inbox shows summaries: leave the big JSON columns in the database.
    qs = orcamentos().defer("spec__texto", "spec__conteudo", "casos_teste", "explicacao", "runtime", "teste",
                            "carga", "dependencias")
    if busca:
        qs = qs.filter(Q(spec_ref__icontains=busca) | Q(spec__titulo__icontains=busca))
    if aba == "decidir":
        return qs.filter(status=SpecRecursos.Status.ABERTO, item_aprovacao__status=Status.PENDENTE)
    if aba == "espera":
        return qs.filter(status=SpecRecursos.Status.ABERTO, item_aprovacao__status=Status.BLOQUEADO)
    return qs.exclude(status=SpecRecursos.Status.ABERTO).select_related("decidido_por")


def _linha_orcamento(orc: SpecRecursos) -> Linha:
    return Linha(
        tipo="orcamento", rotulo=_("Orçamento"), id=orc.pk, titulo=orc.spec.titulo, spec_ref=orc.spec_ref,
        criado_em=orc.criado_em, url=reverse("orcamento", args=[orc.pk]), custo=orc.custo,
        horas=orc.esforco.get("total"), status=orc.get_status_display(),
        gaps=[{"recurso": g.recurso, "tipo": g.tipo_recurso, "status": g.item.status, "item": g.item_id}
              for g in orc.gaps.all()],
        decidido_por=orc.decidido_por.get_username() if orc.status != SpecRecursos.Status.ABERTO and orc.decidido_por
        else "",
        decidido_em=orc.decidido_em, motivo=orc.motivo,
    )


def _listar_orcamentos(aba: str, busca: str, limite: int) -> list[Linha]:
    qs = _orcamentos_da_aba(aba, busca)
    qs = qs.order_by("-decidido_em") if aba == "decididos" else qs.order_by("id")
    return [_linha_orcamento(o) for o in qs[:limite]]


def _contar_orcamentos(busca: str) -> dict[str, int]:
    return {aba: _orcamentos_da_aba(aba, busca).count() for aba in ABAS}


registrar(TipoDecisao(nome="orcamento", rotulo=_("Orçamentos"), permissao="fabrica.decidir_orcamento",
                      listar=_listar_orcamentos, contar=_contar_orcamentos))
