"""The PO's decision inbox: a registry of kinds of decision, each able to list its rows.

Budgets are one kind (``ORCAMENTO``); releases, deployments to validate and failed deployments
add their own, and the inbox shows them together, filtered by kind if asked. Kinds are
registered in ``FabricaConfig.ready``, never on import. Each kind lists its rows in a constant
number of queries.

Whoever may decide a kind sees its rows with their decisions; whoever may only read it (its
``leitura`` permission: the admin) sees the same inbox read-only, told who decides.

A search is resolved once (``Busca``): the few spec ids whose id or title matches are found
first, by a loose scan of the distinct search texts of the specs, then each kind filters its rows
by ``spec_ref`` on an index; no kind joins its history to the specs' versions (bench/inbox.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backlog.models import Status
from fabrica.models import Gap, Orcamento, Spec
from prometheus_site.busca import normalizar

ABAS = ("decidir", "espera", "decididos")
# Rows per page: a page renders in a bounded time whatever the backlog (bench/inbox.py).
POR_PAGINA = 50
# The history is counted up to this many rows per kind (past it a counter says "1000+"): its
# order and pages come from indexes, but an exact count would read every index entry of 100,000
# decisions on each page. The open tabs are small and counted exactly.
LIMITE_DA_CONTAGEM = 1000

# The columns of the open tabs beyond item, spec and age, in this order; a row fills the ones of
# its kind (``Linha.colunas``) and shows "—" under the others, so a column means one thing.
COLUNAS: dict[str, Any] = {
    "custo": _("Custo"),
    "horas": _("Horas estimadas"),
    "gaps": _("Gaps"),
    "testes": _("Testes"),
    "construcao": _("Construção"),
    "implantacao": _("Implantação"),
}


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
    resumo: str = ""  # a kind's one-line state (a build's progress)
    alerta: str = ""  # something the PO must notice (real effort over the budget)
    versao: str = ""  # which version of the spec: "v2"
    # The row's situation as a value of a prometheus_site.vocabulario set, shown as a coloured chip.
    vocabulario: str = ""
    situacao: str = ""
    # One line saying what the decision is about, for kinds without costs or gaps (deployments).
    detalhe: str = ""
    # The failing part of a log (a failed deployment), shown folded under the row.
    trecho: str = ""
    # A release's tests: {"passaram": 84, "total": 86, "cobertura": 97.0}.
    testes: dict[str, Any] = field(default_factory=dict)
    # Which of COLUNAS this row fills.
    colunas: tuple[str, ...] = ()
    # Whether the person looking may decide it (set by ``caixa``; False: read-only).
    decide: bool = False

    @property
    def testes_tom(self) -> str:
        """The chip's colour: all passed is ok, any failure is danger, none at all a warning."""
        if not self.testes.get("total"):
            return "alerta"
        return "ok" if self.testes["passaram"] == self.testes["total"] else "perigo"


@dataclass(frozen=True)
class Busca:
    """What a person typed, and the spec ids it matches (any version's id or title)."""

    texto: str = ""
    specs: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.texto)

    @classmethod
    def de(cls, texto: str) -> Busca:
        texto = texto.strip()
        return cls(texto, tuple(specs_que_casam(texto))) if texto else cls()


SEM_BUSCA = Busca()


def specs_que_casam(texto: str) -> list[str]:
    """The spec ids whose id or title (in any version) contains ``texto``, accents and case
    ignored. One query: a recursive walk of the index on ``Spec.busca`` visits each distinct
    search text once (a spec has thousands of versions, but few titles), and only those are
    matched, so the cost follows the number of titles, not of versions."""
    tabela = connection.ops.quote_name(Spec._meta.db_table)
    padrao = normalizar(texto).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sql = f"""
        WITH RECURSIVE textos(busca) AS (
            SELECT MIN(busca) FROM {tabela}
            UNION ALL
            SELECT (SELECT MIN(s.busca) FROM {tabela} s WHERE s.busca > t.busca) FROM textos t
            WHERE t.busca IS NOT NULL
        )
        SELECT DISTINCT (SELECT s.spec_id FROM {tabela} s WHERE s.busca = t.busca LIMIT 1)
        FROM textos t WHERE t.busca LIKE %s ESCAPE '\\'
    """  # noqa: S608 (the table name is the model's, the text a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"%{padrao}%"])
        return sorted(linha[0] for linha in cursor.fetchall())


@dataclass(frozen=True)
class TipoDecisao:
    nome: str
    rotulo: Any
    permissao: str
    listar: Callable[[str, Busca, int, int], list[Linha]]  # (aba, busca, limite, deslocamento) → rows
    # (aba, busca) → the tab's rows as a queryset, only counted: ``caixa`` counts every kind's
    # tabs in one query (``contar``).
    da_aba: Callable[[str, Busca], QuerySet]
    leitura: str = ""  # who may see the rows without deciding them (empty: only who decides)
    # Said to a reader after the groups that hold ``permissao`` (deployments: the environment's approvers).
    quem_mais: Any = ""
    # (busca, limite) → when each of its first ``limite`` decided rows was decided, in the order
    # ``listar("decididos", ...)`` gives them: lets the history of several kinds be paged from the
    # index alone, building only the rows of the page (``caixa``).
    chaves: Callable[[Busca, int], list[datetime]] | None = None
    # (aba, busca, limite) → when each of the first ``limite`` rows of an open tab ("decidir",
    # "espera") started waiting, with its id, in the order ``listar`` gives them; and
    # (aba, ids) → the rows of these ids. With both, the open tabs of several kinds are merged on
    # the keys alone and only the page's rows are built (``caixa``), not a page of every kind.
    abertas: Callable[[str, Busca, int], list[tuple[datetime, int]]] | None = None
    construir: Callable[[str, list[int]], list[Linha]] | None = None


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


def quem_decide(tipos: Sequence[TipoDecisao]) -> list[dict[str, Any]]:
    """For each kind, the groups whose members decide it (one query), for a reader to know whom
    to ask: ``[{"tipo": TipoDecisao, "grupos": ["PO"]}]``."""
    codigos = {t.permissao.split(".", 1)[1]: t.permissao.split(".", 1)[0] for t in tipos}
    grupos: dict[str, list[str]] = {}
    for nome, app, codigo in (
        Group.objects.filter(
            permissions__codename__in=list(codigos), permissions__content_type__app_label__in=set(codigos.values())
        )
        .order_by("name")
        .values_list("name", "permissions__content_type__app_label", "permissions__codename")
    ):
        grupos.setdefault(f"{app}.{codigo}", []).append(nome)
    return [{"tipo": t, "grupos": grupos.get(t.permissao, [])} for t in tipos]


def proximo(usuario, *, exceto: tuple[str, int] | None = None) -> Linha | None:
    """The item waiting longest for this user's decision (what to open after deciding one), or
    None; ``exceto`` (kind, id) is the one just decided. Two rows per kind, so constant queries."""
    candidatas = [
        linha
        for t in tipos_para(usuario)
        for linha in t.listar("decidir", SEM_BUSCA, 2, 0)
        if (linha.tipo, linha.id) != exceto
    ]
    return min(candidatas, key=lambda linha: linha.criado_em, default=None)


def caixa(
    usuario,
    *,
    aba: str = "decidir",
    busca: str | Busca = "",
    tipo: str = "",
    pagina: int = 1,
    por_pagina: int | None = None,
) -> dict[str, Any]:
    """One page of a tab: newest decisions first in history, oldest waits first otherwise.

    ``tipo`` keeps one kind (an unknown or unseen one is ignored: every kind). With one kind its
    page is read directly (offset and limit); with several, the sort keys of each kind's first
    ``pagina * por_pagina`` rows are merged and only the page's rows are built, so it is exact
    whatever the mix. Either way the number of queries does not grow with the data (a kind with
    no row on the page of several saves its queries).
    """
    por_pagina = por_pagina or POR_PAGINA
    if not isinstance(busca, Busca):
        busca = Busca.de(busca)
    decide = {t.nome for t in tipos_para(usuario)}
    todos = tipos_visiveis(usuario)
    if tipo not in {t.nome for t in todos}:
        tipo = ""
    visiveis = [t for t in todos if not tipo or t.nome == tipo]
    # Every count of the page in one query. The tabs count everything the chosen kind holds,
    # whatever the search; the kinds (the filter) and the search count what the search finds in
    # this tab. The history is counted up to ``base`` per kind (its counters say "1000+"), and the
    # kinds shown up to ``limite``: far enough to know whether the page asked for and a next one
    # exist, so only they read further on a deep page.
    pagina = max(1, pagina)
    base = LIMITE_DA_CONTAGEM + 1
    limite = max(LIMITE_DA_CONTAGEM, pagina * por_pagina) + 1

    def limite_de(a: str, ate: int = base) -> int | None:
        return ate if a == "decididos" else None

    pedidos = [(t, a, SEM_BUSCA, limite_de(a)) for t in todos for a in ABAS]
    if busca or limite_de(aba, limite) != limite_de(aba):
        pedidos += [(t, aba, busca, limite_de(aba, limite if t in visiveis else base)) for t in todos]
    numeros = contar([(t.da_aba(a, b), lim) for t, a, b, lim in pedidos])
    sem_busca: dict[tuple[str, str], int] = {}
    com_busca: dict[str, tuple[int, int | None]] = {}  # kind → (count, its limit)
    for (t, a, b, lim), n in zip(pedidos, numeros, strict=True):
        if (t.nome, a) not in sem_busca and not b:
            sem_busca[t.nome, a] = n
        if a == aba:
            com_busca[t.nome] = (n, lim)  # the last: with the search and the page's limit, if asked
    contagens = {a: _contagem([(sem_busca[t.nome, a], limite_de(a)) for t in visiveis]) for a in ABAS}
    achados = [com_busca[t.nome][0] for t in visiveis]
    exato = aba != "decididos" or all(n < limite for n in achados)
    # Past the count's limit the page asked for is full and another follows it.
    paginas = max(1, math.ceil(sum(achados) / por_pagina)) if exato else None
    pagina = min(pagina, paginas or pagina)
    inicio = (pagina - 1) * por_pagina
    linhas: list[Linha] = []
    if len(visiveis) == 1:
        linhas = _marcar(visiveis[0], visiveis[0].listar(aba, busca, por_pagina, inicio), decide)
    elif aba == "decididos" and all(t.chaves for t in visiveis):
        linhas = _historico_misturado(visiveis, busca, inicio, por_pagina, decide)
    elif aba != "decididos" and all(t.abertas and t.construir for t in visiveis):
        linhas = _abertas_misturadas(visiveis, aba, busca, inicio, por_pagina, decide)
    else:
        for t in visiveis:
            linhas.extend(_marcar(t, t.listar(aba, busca, inicio + por_pagina, 0), decide))
        if aba == "decididos":
            linhas.sort(key=lambda linha: linha.decidido_em or linha.criado_em, reverse=True)
        else:
            linhas.sort(key=lambda linha: linha.criado_em)
        linhas = linhas[inicio : inicio + por_pagina]
    preenchidas = {c for linha in linhas for c in linha.colunas}
    return {
        "linhas": linhas,
        "contagens": contagens,
        # What the search found in this tab: exact, or (past the limit) "more than".
        "encontrados": sum(achados) if exato else LIMITE_DA_CONTAGEM,
        "encontrados_exato": exato,
        "tipos": todos,
        "tipo": tipo,
        "por_tipo": [{"tipo": t, "n": _contagem([com_busca[t.nome]])} for t in todos],
        "todos_os_tipos": _contagem(list(com_busca.values())),
        "colunas": [{"chave": c, "nome": nome} for c, nome in COLUNAS.items() if c in preenchidas],
        "pagina": pagina,
        "paginas": paginas,  # None: more pages than were counted
        "proxima": paginas is None or pagina < paginas,
        "somente_leitura": not any(t.nome in decide for t in visiveis),
        "quem_decide": quem_decide([t for t in visiveis if t.nome not in decide]),
    }


def _contagem(numeros: list[tuple[int, int | None]]) -> str:
    """A counter as shown, from (count, its limit) pairs: the exact sum, or "1000+" when a kind's
    count stopped at its limit."""
    if any(limite is not None and n >= limite for n, limite in numeros):
        return f"{LIMITE_DA_CONTAGEM}+"
    return str(sum(n for n, _limite in numeros))


def contar(consultas: Sequence[tuple[QuerySet, int | None]]) -> list[int]:
    """The number of rows of each queryset, up to its limit (None: all), in one query: each count
    is a scalar subquery of one ``SELECT``, so a page pays one round trip for all its counters
    and each count still walks its own index (a limited one stops after ``limite`` entries)."""
    partes: list[str] = []
    parametros: list[Any] = []
    for n, (qs, limite) in enumerate(consultas):
        linhas = qs.order_by().values("pk")
        try:
            sql, params = (linhas[:limite] if limite is not None else linhas).query.sql_with_params()
        except EmptyResultSet:  # qs.none(): nothing to ask the database
            partes.append("0")
            continue
        partes.append(f"(SELECT COUNT(*) FROM ({sql}) AS contagem_{n})")  # noqa: S608 (the ORM's SQL, its parameters apart)
        parametros.extend(params)
    if not partes:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(partes), parametros)
        return [int(n) for n in cursor.fetchone()]


def _historico_misturado(
    tipos: list[TipoDecisao], busca: Busca, inicio: int, por_pagina: int, decide: set[str]
) -> list[Linha]:
    """One page of the history of several kinds, newest decision first: the decision times of
    each kind's first rows (from its index) are merged to find which rows of each kind fall on
    the page, then only those rows are built, each kind's slice read at its own offset."""
    marcas = [
        (quando, n, posicao)
        for n, t in enumerate(tipos)
        for posicao, quando in enumerate(t.chaves(busca, inicio + por_pagina))  # type: ignore[misc]
    ]
    marcas.sort(key=lambda m: (-m[0].timestamp(), m[1], m[2]))
    ordem = {(n, posicao): k for k, (_q, n, posicao) in enumerate(marcas)}
    antes = [sum(1 for _q, n, _p in marcas[:inicio] if n == k) for k in range(len(tipos))]
    na_pagina = [sum(1 for _q, n, _p in marcas[inicio : inicio + por_pagina] if n == k) for k in range(len(tipos))]
    linhas: list[tuple[int, Linha]] = []
    for n, t in enumerate(tipos):
        if na_pagina[n]:
            lidas = _marcar(t, t.listar("decididos", busca, na_pagina[n], antes[n]), decide)
            linhas.extend((ordem[n, antes[n] + i], linha) for i, linha in enumerate(lidas))
    return [linha for _k, linha in sorted(linhas, key=lambda par: par[0])]


def _abertas_misturadas(
    tipos: list[TipoDecisao], aba: str, busca: Busca, inicio: int, por_pagina: int, decide: set[str]
) -> list[Linha]:
    """One page of an open tab of several kinds, the longest waiting first: each kind's first
    ``inicio + por_pagina`` keys (when each row started waiting, in that order) are merged, ties
    in the order of the kinds, and only the rows of the page are built."""
    marcas = [
        (quando, n, pk)
        for n, t in enumerate(tipos)
        for quando, pk in t.abertas(aba, busca, inicio + por_pagina)  # type: ignore[misc]
    ]
    marcas.sort(key=lambda m: m[0])
    na_pagina = marcas[inicio : inicio + por_pagina]
    ordem = {(n, pk): k for k, (_q, n, pk) in enumerate(na_pagina)}
    linhas: list[tuple[int, Linha]] = []
    for n, t in enumerate(tipos):
        ids = [pk for _q, m, pk in na_pagina if m == n]
        if ids:
            linhas.extend((ordem[n, linha.id], linha) for linha in _marcar(t, t.construir(aba, ids), decide))  # type: ignore[misc]
    return [linha for _k, linha in sorted(linhas, key=lambda par: par[0])]


def _marcar(tipo: TipoDecisao, linhas: list[Linha], decide: set[str]) -> list[Linha]:
    for linha in linhas:
        linha.decide = tipo.nome in decide
    return linhas


# --- budgets ------------------------------------------------------------------------------------


def _orcamentos_da_aba(aba: str, busca: Busca) -> QuerySet[Orcamento]:
    qs = Orcamento.objects.all()
    if busca:
        # The spec ids the search matched, as values: the history is then read through
        # fabrica_orcamento_decididos_spec (spec_ref, decidido_em), in its order; a subquery on
        # the specs' versions would make the database check every budget of those specs.
        qs = qs.filter(spec_ref__in=busca.specs)
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


def _ordem(aba: str) -> tuple[str, ...]:
    # The history newest decision first; the open tabs longest waiting first.
    return ("-decidido_em", "id") if aba == "decididos" else ("criado_em", "id")


def _listar_orcamentos(aba: str, busca: Busca, limite: int, deslocamento: int) -> list[Linha]:
    # The history's page ids come from the index alone (fabrica_orcamento_decididos holds the
    # order and the id), so a page deep in the history skips index entries, not budget rows; the
    # open budgets are few (fabrica_orcamento_abertos) and sorted by age.
    ids = _orcamentos_da_aba(aba, busca).order_by(*_ordem(aba)).values("pk")[deslocamento : deslocamento + limite]
    return _construir_orcamentos(aba, ids)


def _abertas_orcamentos(aba: str, busca: Busca, limite: int) -> list[tuple[datetime, int]]:
    return list(_orcamentos_da_aba(aba, busca).order_by(*_ordem(aba)).values_list("criado_em", "pk")[:limite])


def _construir_orcamentos(aba: str, ids: QuerySet | list[int]) -> list[Linha]:
    orcamentos = list(
        Orcamento.objects.filter(pk__in=ids)
        .select_related("spec", "decidido_por")
        .only(*_CAMPOS_DA_LINHA)
        .order_by(*_ordem(aba))
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
            colunas=("custo", "horas", "gaps"),
        )
        for o in orcamentos
    ]


def _chaves_orcamentos(busca: Busca, limite: int) -> list[datetime]:
    qs = _orcamentos_da_aba("decididos", busca).order_by("-decidido_em", "id")
    # A decided budget always says when (fabrica_orcamento_decisao_registrada).
    return [quando for quando in qs.values_list("decidido_em", flat=True)[:limite] if quando is not None]


# Registered by ``FabricaConfig.ready`` (not on import), like every other registration.
ORCAMENTO = TipoDecisao(
    nome="orcamento",
    rotulo=_("Orçamentos"),
    permissao="fabrica.decidir_orcamento",
    listar=_listar_orcamentos,
    da_aba=_orcamentos_da_aba,
    leitura="fabrica.view_orcamento",
    chaves=_chaves_orcamentos,
    abertas=_abertas_orcamentos,
    construir=_construir_orcamentos,
)
