"""The PO's decision inbox: a registry of kinds of decision, each able to list its rows.

Budgets are one kind (``ORCAMENTO``); releases and deployments add their own, and the inbox
shows them together. Kinds are registered in ``FabricaConfig.ready``, never on import. Each kind
lists its rows in a constant number of queries.

Whoever may decide a kind sees its rows with their decisions; whoever may only read it (its
``leitura`` permission: the admin) sees the same inbox read-only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backlog.models import Status
from fabrica.models import Gap, Orcamento, Spec
from prometheus_site.busca import normalizar

ABAS = ("decidir", "espera", "decididos")
# Rows per page: a page renders in a bounded time whatever the backlog (bench/inbox.py).
POR_PAGINA = 50


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
    status: str = ""  # the status as words (a kind without a vocabulary set shows this)
    decidido_por: str = ""
    decidido_em: datetime | None = None
    motivo: str = ""
    resumo: str = ""  # a kind's one-line state, shown in place of the gaps (e.g. tests of a release)
    alerta: str = ""  # something the PO must notice (real effort over the budget)
    versao: str = ""  # which version of the spec: "v2"
    # The row's situation as a value of a prometheus_site.vocabulario set, shown as a coloured chip.
    vocabulario: str = ""
    situacao: str = ""
    # One line saying what the decision is about, for kinds without costs or gaps (deployments).
    detalhe: str = ""
    # The failing part of a log (a failed deployment), shown folded under the row.
    trecho: str = ""


@dataclass(frozen=True)
class TipoDecisao:
    nome: str
    rotulo: Any
    permissao: str
    listar: Callable[[str, str, int, int], list[Linha]]  # (aba, busca, limite, deslocamento) → rows
    contar: Callable[[str], dict[str, int]]  # busca → count per tab
    leitura: str = ""  # who may see the rows without deciding them (empty: only who decides)


_tipos: dict[str, TipoDecisao] = {}


def registrar(tipo: TipoDecisao) -> None:
    """Adds a kind of decision to the inbox (from an ``AppConfig.ready``); again replaces it."""
    _tipos[tipo.nome] = tipo


def tipos_para(usuario) -> list[TipoDecisao]:
    """The kinds this user decides."""
    return [t for t in _tipos.values() if usuario.has_perm(t.permissao)]


def tipos_visiveis(usuario) -> list[TipoDecisao]:
    """The kinds this user decides or may read."""
    return [t for t in _tipos.values() if usuario.has_perm(t.permissao) or (t.leitura and usuario.has_perm(t.leitura))]


def proximo(usuario, *, exceto: tuple[str, int] | None = None) -> Linha | None:
    """The item waiting longest for this user's decision (what to open after deciding one), or
    None; ``exceto`` (kind, id) is the one just decided. Two rows per kind, so constant queries."""
    candidatas = [
        linha
        for t in tipos_para(usuario)
        for linha in t.listar("decidir", "", 2, 0)
        if (linha.tipo, linha.id) != exceto
    ]
    return min(candidatas, key=lambda linha: linha.criado_em, default=None)


def caixa(
    usuario, *, aba: str = "decidir", busca: str = "", tipo: str = "", pagina: int = 1, por_pagina: int | None = None
) -> dict[str, Any]:
    """One page of a tab: newest decisions first in history, oldest waits first otherwise.

    With one kind of decision its page is read directly (offset and limit); with several, each
    lists its first ``pagina * por_pagina`` rows and the page is cut from the merge, so it is exact
    whatever the mix. Either way the number of queries does not depend on the data.
    """
    por_pagina = por_pagina or POR_PAGINA
    decide = {t.nome for t in tipos_para(usuario)}
    todos = tipos_visiveis(usuario)
    visiveis = [t for t in todos if not tipo or t.nome == tipo]
    # The tabs count everything they hold, whatever the search; the search counts what it found.
    contagens = dict.fromkeys(ABAS, 0)
    for t in visiveis:
        for nome, n in t.contar("").items():
            contagens[nome] += n
    encontrados = sum(t.contar(busca)[aba] for t in visiveis) if busca else contagens[aba]
    paginas = max(1, math.ceil(encontrados / por_pagina))
    pagina = min(max(1, pagina), paginas)
    inicio = (pagina - 1) * por_pagina
    linhas: list[Linha] = []
    if len(visiveis) == 1:
        linhas = visiveis[0].listar(aba, busca, por_pagina, inicio)
    else:
        for t in visiveis:
            linhas.extend(t.listar(aba, busca, inicio + por_pagina, 0))
        if aba == "decididos":
            linhas.sort(key=lambda linha: linha.decidido_em or linha.criado_em, reverse=True)
        else:
            linhas.sort(key=lambda linha: linha.criado_em)
        linhas = linhas[inicio : inicio + por_pagina]
    return {
        "linhas": linhas,
        "contagens": contagens,
        "encontrados": encontrados,
        "tipos": todos,
        "pagina": pagina,
        "paginas": paginas,
        "somente_leitura": not any(t.nome in decide for t in visiveis),
    }


# --- budgets ------------------------------------------------------------------------------------


def _orcamentos_da_aba(aba: str, busca: str) -> QuerySet[Orcamento]:
    qs = Orcamento.objects.all()
    if busca:
        # Matched against the few spec versions, then found through the spec foreign key's index:
        # matching the budgets' own columns would read every budget of the history.
        # Spec.busca is id and title without accents or case, so is the query ("transcricao").
        qs = qs.filter(spec__in=Spec.objects.filter(busca__contains=normalizar(busca)).values("pk"))
    if aba == "decidir":
        return qs.filter(status=Orcamento.Status.ABERTO, item_aprovacao__status=Status.PENDENTE)
    if aba == "espera":
        return qs.filter(status=Orcamento.Status.ABERTO, item_aprovacao__status=Status.BLOQUEADO)
    # Same condition as the partial index fabrica_orcamento_decididos, which serves its order and count.
    return qs.exclude(status=Orcamento.Status.ABERTO)


# A row shows a summary: only these columns are read (the JSON of explanations, test cases and
# the spec's text stay in the database), with no model for the pricing version or the item.
_CAMPOS_DA_LINHA = (
    "id",
    "spec_ref",
    "criado_em",
    "custo",
    "esforco",
    "status",
    "decidido_em",
    "motivo",
    "spec__titulo",
    "spec__versao",
    "decidido_por__username",
)


def _gaps_por_orcamento(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The gaps of these budgets in one query, as plain values (no model, no queryset per row)."""
    rotulos = {valor: str(rotulo) for valor, rotulo in Status.choices}
    gaps: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for g in (
        Gap.objects.filter(orcamento_id__in=ids)
        .order_by("id")
        .values("orcamento_id", "recurso", "tipo_recurso", "item_id", "item__status")
    ):
        gaps[g["orcamento_id"]].append(
            {
                "recurso": g["recurso"],
                "tipo": g["tipo_recurso"],
                "item": g["item_id"],
                "status": g["item__status"],
                "rotulo": rotulos[g["item__status"]],
            }
        )
    return gaps


def _listar_orcamentos(aba: str, busca: str, limite: int, deslocamento: int) -> list[Linha]:
    ordem = ("-decidido_em", "id") if aba == "decididos" else ("id",)
    # The page's ids come from the index alone (fabrica_orcamento_abertos / _decididos hold the
    # order and the id), so a page deep in the history skips index entries, not budget rows.
    ids = _orcamentos_da_aba(aba, busca).order_by(*ordem).values("pk")[deslocamento : deslocamento + limite]
    orcamentos = list(
        Orcamento.objects.filter(pk__in=ids)
        .select_related("spec", "decidido_por")
        .only(*_CAMPOS_DA_LINHA)
        .order_by(*ordem)
    )
    # The history shows no gaps; the open tabs show each one with its item's status.
    gaps = _gaps_por_orcamento([o.pk for o in orcamentos]) if aba != "decididos" else {}
    rotulos = {valor: str(rotulo) for valor, rotulo in Orcamento.Status.choices}
    rotulo_tipo = str(_("Orçamento"))
    return [
        Linha(
            tipo="orcamento",
            rotulo=rotulo_tipo,
            id=o.pk,
            titulo=o.spec.titulo,
            spec_ref=o.spec_ref,
            criado_em=o.criado_em,
            url=reverse("orcamento", args=[o.pk]),
            custo=o.custo,
            horas=o.esforco.get("total"),
            status=rotulos[o.status],
            gaps=gaps.get(o.pk, []),
            decidido_por=o.decidido_por.get_username()
            if o.status != Orcamento.Status.ABERTO and o.decidido_por
            else "",
            decidido_em=o.decidido_em,
            motivo=o.motivo,
            versao=f"v{o.spec.versao}",
            vocabulario="orcamento",
            situacao=o.status if aba == "decididos" else ("a_decidir" if aba == "decidir" else "em_espera"),
        )
        for o in orcamentos
    ]


def _contar_orcamentos(busca: str) -> dict[str, int]:
    return {aba: _orcamentos_da_aba(aba, busca).count() for aba in ABAS}


# Registered by ``FabricaConfig.ready`` (not on import), like every other registration.
ORCAMENTO = TipoDecisao(
    nome="orcamento",
    rotulo=_("Orçamentos"),
    permissao="fabrica.decidir_orcamento",
    listar=_listar_orcamentos,
    contar=_contar_orcamentos,
    leitura="fabrica.view_orcamento",
)
