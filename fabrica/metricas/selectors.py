"""Every metric of the factory (docs/arquitetura.md, "Metrics"), of its workers and DORA's four
keys, computed
in the database from the rows that record what happened — never typed in.

Each number is a ``Numero``: its value (``None`` when its inputs are empty: "sem dados", never
0), its unit, the counts behind it and the slice it describes (``recorte``: a pricing model
version, a vertente, an environment, a statistic). Durations are computed by the database
(``Segundos``); means with ``Avg`` and percentiles by rank (nearest rank: the p-th percentile is
the value at position ⌈p·n/100⌉ in ascending order) with window functions, one query per
percentile for every group at once. ``painel`` costs a constant number of queries whatever the
size of the history (tests/fabrica/metricas count them; bench/metrics.py times them).

Which rows each metric counts, and the instant that puts a row in a period, are in
``DEFINICOES`` (shown by the page and ``/api/metricas/``) and in the function that computes it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backlog.models import Evento, Item, Status
from fabrica.implantacao.models import Implantacao
from fabrica.metricas import faixas
from fabrica.models import Ambiente, ExecucaoVertente, Gap, HorasVertente, Orcamento, Release, Spec
from fabrica.specs.formato.vertentes import VERTENTES

# The period a page opens with: the last twelve weeks, today included.
DIAS_PADRAO = 84


class Segundos(Func):
    """Seconds from ``inicio`` to ``fim`` (a float), computed by the database."""

    output_field = FloatField()

    def __init__(self, fim: Any, inicio: Any) -> None:
        super().__init__(fim, inicio)

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps datetimes as UTC text; julianday reads it as a double whose last digits are
        # noise at this scale (tens of microseconds): rounded to the millisecond.
        return self.as_sql(
            compiler,
            connection,
            template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)",
            arg_joiner=" - ",
            **extra,
        )


@dataclass(frozen=True)
class Filtros:
    """What the PO asked to see: a period (dates, both included, in the site's time zone) and
    optionally one spec, one vertente, one environment, and a table of DORA bands."""

    de: date
    ate: date
    spec: str = ""
    vertente: str = ""
    ambiente: str = ""
    faixas: str = ""

    @classmethod
    def padrao(cls, hoje: date | None = None) -> Filtros:
        hoje = hoje or timezone.localdate()
        return cls(de=hoje - timedelta(days=DIAS_PADRAO - 1), ate=hoje)

    @property
    def inicio(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.de, time.min))

    @property
    def fim(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.ate + timedelta(days=1), time.min))

    @property
    def dias(self) -> int:
        return (self.ate - self.de).days + 1

    def no_periodo(self, campo: str) -> Q:
        return Q(**{f"{campo}__gte": self.inicio, f"{campo}__lt": self.fim})

    def como_query(self) -> dict[str, str]:
        query = {"de": self.de.isoformat(), "ate": self.ate.isoformat()}
        for nome in ("spec", "vertente", "ambiente", "faixas"):
            if getattr(self, nome):
                query[nome] = getattr(self, nome)
        return query


@dataclass
class Numero:
    chave: str
    valor: float | None
    unidade: str  # razao | segundos | por_dia | contagem
    contagens: dict[str, int] = field(default_factory=dict)
    recorte: dict[str, str] = field(default_factory=dict)
    faixa: str = ""

    @property
    def sem_dados(self) -> bool:
        return self.valor is None


@dataclass
class Ponto:
    semana: date
    valor: float | None
    n: int


@dataclass
class Painel:
    filtros: Filtros
    numeros: list[Numero]
    tendencias: dict[str, list[Ponto]]
    ambiente_dora: str
    tabela: faixas.Tabela

    def achar(self, chave: str, **recorte: str) -> Numero | None:
        for numero in self.numeros:
            if numero.chave == chave and all(numero.recorte.get(k) == v for k, v in recorte.items()):
                return numero
        return None

    def todos(self, chave: str) -> list[Numero]:
        return [n for n in self.numeros if n.chave == chave]


# key → (name, definition, which facts it counts). The definitions are what the page and the API show.
DEFINICOES: dict[str, tuple[Any, Any, str]] = {
    "fabrica.precisao_orcamento": (
        _("Precisão de orçamento"),
        _(
            "Esforço real ÷ esforço estimado (horas de desenvolvimento), somados sobre os orçamentos "
            "aprovados no período que têm horas reais registradas; só as vertentes com horas reais "
            "entram nas duas somas. 1 é exato; acima de 1, a fábrica estimou de menos."
        ),
        "orcamentos",
    ),
    "fabrica.mmre": (
        _("MMRE"),
        _("Média de |real − estimado| ÷ real por orçamento, por versão do modelo de precificação que o estimou."),
        "orcamentos",
    ),
    "fabrica.pred25": (
        _("PRED(25)"),
        _("Parte dos orçamentos cuja estimativa ficou a até 25% do real, por versão do modelo de precificação."),
        "orcamentos",
    ),
    "fabrica.taxa_gaps": (
        _("Taxa de gaps"),
        _("Specs com ao menos um gap ÷ specs precificadas (orçamentos criados no período, por spec)."),
        "orcamentos",
    ),
    "fabrica.tempo_desbloqueio": (
        _("Tempo de desbloqueio"),
        _(
            "Da espera (a aprovação de um orçamento espera pelos seus gaps) até os gaps serem resolvidos "
            "e o orçamento poder ser decidido, para os desbloqueios do período."
        ),
        "desbloqueios",
    ),
    "fabrica.lead_time_orcamento_release": (
        _("Lead time: orçamento aprovado → release pronta"),
        _("Da aprovação do orçamento à criação da sua release (não as correções), releases criadas no período."),
        "releases",
    ),
    "fabrica.lead_time_desenvolvimento": (
        _("Lead time: desenvolvimento iniciado → release pronta"),
        _("Do início de cada desenvolvimento à criação da sua release, releases criadas no período."),
        "itens",
    ),
    "fabrica.retrabalho": (
        _("Taxa de retrabalho"),
        _(
            "Correções pedidas ÷ releases criadas no período; uma correção conta quando foi pedida pela "
            "decisão sobre uma delas (release rejeitada, ou implantação dela recusada), pela linhagem dos itens."
        ),
        "releases",
    ),
    "dora.frequencia": (
        _("Frequência de implantação"),
        _("Implantações concluídas no ambiente ÷ dias do período."),
        "implantacoes",
    ),
    "dora.lead_time": (
        _("Lead time de mudanças"),
        _(
            "Do commit da versão da spec (a data do último commit que alterou o arquivo dela no repositório "
            "git de specs; para uma spec enviada pela API REST, o momento do envio; para uma versão "
            "importada antes de essa data ser registrada, o momento da importação) até a release dela "
            "servir no ambiente (implantação concluída no período)."
        ),
        "implantacoes",
    ),
    "dora.falhas": (
        _("Taxa de falha de mudanças"),
        _(
            "Implantações que falharam ÷ implantações terminadas no período. Cada implantação conta uma vez; "
            "falhou quando suas verificações falharam, sua validação foi recusada ou ela foi revertida."
        ),
        "implantacoes",
    ),
    "dora.restauracao": (
        _("Tempo de restauração"),
        _(
            "De uma implantação que falhou até a próxima implantação da mesma spec no mesmo ambiente "
            "que foi validada (o fim dela), para as falhas do período que já foram restauradas."
        ),
        "implantacoes",
    ),
    "workers.tempo": (
        _("Tempo por vertente"),
        _(
            "Segundos de cada etapa do worker (gerar, testar, corrigir, total) da vertente, por release "
            "criada no período, como o desenvolvimento os registrou com a release. O tempo de corrigir "
            "conta só as execuções que corrigiram (ao menos uma tentativa de correção): uma vertente "
            "nunca corrigida no período fica sem dados, não com 0."
        ),
        "releases",
    ),
    "workers.passou_primeira": (
        _("Testes que passam na primeira"),
        _(
            "Parte das releases em que os testes da vertente passaram na primeira execução (sem "
            "nenhuma tentativa de correção e sem erro do worker)."
        ),
        "releases",
    ),
    "workers.tentativas": (
        _("Tentativas de correção"),
        _("Média de tentativas de correção da vertente por release."),
        "releases",
    ),
    "workers.precisou_correcao": (
        _("Releases que precisaram de correção"),
        _("Parte das releases com ao menos uma tentativa de correção (na vertente, ou em qualquer uma)."),
        "releases",
    ),
    "workers.sandbox": (
        _("Sandbox"),
        _("Tempo de CPU (s, soma) e memória máxima (bytes) das execuções no sandbox, por release."),
        "releases",
    ),
}


def definicao(chave: str) -> tuple[Any, Any]:
    nome, texto, _fatos = DEFINICOES[chave]
    return nome, texto


# --- helpers --------------------------------------------------------------------------------------


def _razao(numerador: float | int | None, denominador: float | int | None) -> float | None:
    """numerador ÷ denominador; None (sem dados) when there is nothing to divide by."""
    if not denominador or numerador is None:
        return None
    return float(numerador) / float(denominador)


class PercentilDisc(Aggregate):
    """PostgreSQL's ``percentile_disc(p) WITHIN GROUP (ORDER BY x)``: the first value whose
    cumulative share reaches p — the nearest rank, ⌈p·n⌉ — sorted per group inside the aggregate.
    On SQLite, which lacks it, the same aggregate registered on the connection (``_PercentilSqlite``)."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fracao)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expressao: Any, fracao: float, **extra: Any) -> None:
        super().__init__(expressao, fracao=f"{float(fracao)!r}", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # On a copy: Aggregate.as_sql with a FILTER rejects a template passed as an argument.
        copia = self.copy()
        copia.template = f"{PERCENTIL_SQLITE}(%(expressions)s, %(fracao)s)"
        return copia.as_sql(compiler, connection, **extra)


PERCENTIL_SQLITE = "prometheus_percentil_disc"


class _PercentilSqlite:
    """``percentile_disc`` for SQLite, as Django's SQLite backend supplies the aggregates SQLite
    lacks (``STDDEV_POP``, ``VAR_SAMP``...): SQLite feeds it each row's value (NULLs skipped, as
    PostgreSQL's does) and takes the value at the nearest rank, ⌈p·n⌉ (PostgreSQL's own rule)."""

    def __init__(self) -> None:
        self.valores: list[float] = []
        self.fracao = 0.0

    def step(self, valor: float | None, fracao: float) -> None:
        self.fracao = fracao
        if valor is not None:
            self.valores.append(valor)

    def finalize(self) -> float | None:
        if not self.valores:
            return None
        self.valores.sort()
        return self.valores[max(math.ceil(self.fracao * len(self.valores)), 1) - 1]


def _preparar_conexao() -> None:
    """PostgreSQL: no JIT for this read (it guesses 100 rows for each JSON function and each
    window's input, so these plans crossed jit_above_cost: compiling them took seconds for queries
    that run in milliseconds); SQLite: the percentile aggregate. Inside ``painel``'s transaction."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.create_aggregate(PERCENTIL_SQLITE, 2, _PercentilSqlite)


def _percentil_sql(coluna: str, fracao: float) -> str:
    """``PercentilDisc`` in hand-written SQL (``coluna`` is this module's own, never input)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"{PERCENTIL_SQLITE}({coluna}, {fracao!r})"
    return f"PERCENTILE_DISC({fracao!r}) WITHIN GROUP (ORDER BY {coluna})"


def _sem_achatar() -> str:
    """What keeps a derived table from being merged into the query that aggregates it (so an
    expression in it is computed once per row, not copied into each aggregate)."""
    from django.db import connection

    return " LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else " OFFSET 0"


def _duracoes(
    qs: QuerySet, duracao: Any, *, grupo: str | None = None, percentis: Iterable[int] = (90,)
) -> dict[Any, dict[str, float | int]]:
    """Per group: ``n``, ``media`` and ``p<N>`` (nearest rank) of ``duracao`` over ``qs`` (rows
    without one left out). One query for every percentile and group, whatever the number of rows:
    a ``GROUP BY`` with ``PercentilDisc`` over a derived table that the database may not merge into
    it (``_sem_achatar``): merged, it copied the duration — a subquery by primary key, for some —
    into each aggregate. The aggregates skip rows without a duration (COUNT of it, not of rows):
    no WHERE repeating the expression."""
    from django.db import connection

    percentis = tuple(percentis)
    resultado: dict[Any, dict[str, float | int]] = {}
    colunas = ["_d", *([grupo] if grupo else [])]
    sql, params = qs.order_by().annotate(_d=duracao).values(*colunas).query.sql_with_params()
    ps = ", ".join(_percentil_sql("t._d", p / 100) for p in percentis)
    g = connection.ops.quote_name(grupo) if grupo else ""
    consulta = (
        f"SELECT {f't.{g}' if grupo else 'NULL'}, COUNT(t._d), AVG(t._d), {ps} "  # noqa: S608 - fixed SQL, values as parameters
        f"FROM ({sql}{_sem_achatar()}) t{f' GROUP BY t.{g}' if grupo else ''}"
    )
    with connection.cursor() as cursor:
        cursor.execute(consulta, params)
        for chave, n, media, *valores in cursor.fetchall():
            if n:
                resultado[chave] = {"n": n, "media": media} | dict(
                    zip((f"p{p}" for p in percentis), valores, strict=True)
                )
    return resultado


def _numeros_de_duracao(
    chave: str, estat: dict[str, float | int] | None, recorte: dict[str, str], percentis: Iterable[int] = (90,)
) -> list[Numero]:
    n = int(estat["n"]) if estat else 0
    numeros = [
        Numero(chave, estat["media"] if estat else None, "segundos", {"n": n}, {**recorte, "estatistica": "media"})
    ]
    for p in percentis:
        numeros.append(
            Numero(chave, estat[f"p{p}"] if estat else None, "segundos", {"n": n}, {**recorte, "estatistica": f"p{p}"})
        )
    return numeros


class SemanaDoPeriodo(Func):
    """Which week of the period an instant falls in (0 for the period's first seven days), from
    the seconds since the period began: arithmetic in the database, where a calendar week would
    cost SQLite a Python function per row."""

    output_field = IntegerField()

    def __init__(self, campo: str, inicio: datetime) -> None:
        super().__init__(Segundos(F(campo), Value(inicio, output_field=DateTimeField())))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s / 604800.0 AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(FLOOR(%(expressions)s / 604800.0) AS integer)", **extra)


def _por_semana(qs: QuerySet, campo: str, f: Filtros, **agregados: Any) -> list[dict[str, Any]]:
    """Per week of the period (weeks start on the period's first day), with ``_semana`` the date
    the week begins."""
    linhas = list(
        qs.order_by().annotate(_k=SemanaDoPeriodo(campo, f.inicio)).values("_k").annotate(**agregados).order_by("_k")
    )
    for linha in linhas:
        linha["_semana"] = f.de + timedelta(days=7 * linha["_k"])
    return linhas


# --- the facts behind each number -------------------------------------------------------------------


def horas_com_real(f: Filtros) -> QuerySet[HorasVertente]:
    """The hours (``HorasVertente``) with real hours recorded of the approved budgets decided in
    the period (one vertente with ``f.vertente``): what budget accuracy, MMRE and PRED(25) sum."""
    qs = HorasVertente.objects.filter(
        reais__isnull=False,
        orcamento__status=Orcamento.Status.APROVADO,
        orcamento__decidido_em__gte=f.inicio,
        orcamento__decidido_em__lt=f.fim,
    )
    if f.vertente:
        qs = qs.filter(vertente=f.vertente)
    if f.spec:
        qs = qs.filter(orcamento__spec_ref=f.spec)
    return qs


def orcamentos_com_real(f: Filtros) -> QuerySet[Orcamento]:
    """The budgets of ``horas_com_real`` (the facts behind budget accuracy), each annotated with
    ``m_real`` and ``m_est``: its sums of those rows' real and estimated hours."""
    horas = horas_com_real(f).filter(orcamento_id=OuterRef("pk")).order_by().values("orcamento_id")
    real = Subquery(horas.annotate(s=Sum("reais")).values("s"), output_field=FloatField())
    estimadas = Subquery(horas.annotate(s=Sum("estimadas")).values("s"), output_field=FloatField())
    return (
        Orcamento.objects.filter(f.no_periodo("decidido_em"), status=Orcamento.Status.APROVADO)
        .annotate(m_real=real, m_est=estimadas)
        .filter(m_real__gt=0, m_est__gt=0)
    )


def orcamentos_precificados(f: Filtros) -> QuerySet[Orcamento]:
    qs = Orcamento.objects.filter(f.no_periodo("criado_em"))
    if f.spec:
        qs = qs.filter(spec__spec_id=f.spec)
    return qs.annotate(m_tem_gap=Exists(Gap.objects.filter(orcamento=OuterRef("pk"))))


def desbloqueios(f: Filtros) -> QuerySet[Evento]:
    qs = Evento.objects.filter(f.no_periodo("criado_em"), tipo="desbloqueio", item__tipo="aprovar_orcamento")
    if f.spec:
        qs = qs.filter(item__spec_ref=f.spec)
    return qs


def releases_do_periodo(f: Filtros) -> QuerySet[Release]:
    qs = Release.objects.filter(f.no_periodo("criado_em"))
    if f.spec:
        qs = qs.filter(spec__spec_id=f.spec)
    return qs


def releases_de_orcamento(f: Filtros) -> QuerySet[Release]:
    return releases_do_periodo(f).filter(tipo=Release.Tipo.NORMAL, orcamento__decidido_em__isnull=False)


def desenvolvimentos(f: Filtros) -> QuerySet[Item]:
    """``desenvolvimento`` items whose release was made in the period (the item concludes when its
    vertentes are handed out as internal items; the build ends with the release)."""
    qs = Item.objects.filter(
        f.no_periodo("release_produzida__criado_em"),
        tipo="desenvolvimento",
        status=Status.CONCLUIDO,
        consumido_em__isnull=False,
    )
    if f.spec:
        qs = qs.filter(spec_ref=f.spec)
    return qs


def releases_de_desenvolvimento(f: Filtros) -> QuerySet[Release]:
    """The releases of ``desenvolvimentos(f)``, one per item, read from the release's side and
    annotated with ``m_consumido_em`` (when its development began): the period's releases by
    their period index, each one's item looked up by primary key in a subquery — a join let
    PostgreSQL's planner merge against every item's primary key (350 ms at 200,000 items,
    growing with the history)."""
    return (
        Release.objects.filter(f.no_periodo("criado_em"))
        .annotate(
            m_consumido_em=Subquery(
                _desenvolvimento_da_release(f).values("consumido_em")[:1], output_field=DateTimeField()
            )
        )
        .filter(m_consumido_em__isnull=False)
    )


def _desenvolvimento_da_release(f: Filtros) -> QuerySet[Item]:
    """The ``desenvolvimento`` item of the outer release (``item_origem``), if it counts."""
    itens = Item.objects.filter(
        pk=OuterRef("item_origem_id"),
        tipo="desenvolvimento",
        status=Status.CONCLUIDO,
        consumido_em__isnull=False,
    )
    return itens.filter(spec_ref=f.spec) if f.spec else itens


def _segundos_de_desbloqueio(f: Filtros) -> Subquery:
    """For an event: seconds from its ``aprovar_orcamento`` item's creation to it (``desbloqueios``'s
    duration), the item looked up by primary key — a join read every item of that type (a
    sequential scan of the history's items)."""
    itens = Item.objects.filter(pk=OuterRef("item_id"), tipo="aprovar_orcamento")
    if f.spec:
        itens = itens.filter(spec_ref=f.spec)
    duracoes = itens.annotate(m_s=Segundos(OuterRef("criado_em"), F("criado_em")))
    return Subquery(duracoes.values("m_s")[:1], output_field=FloatField())


def _segundos_de_desenvolvimento(f: Filtros) -> Subquery:
    """For a release: seconds from its development's start to it (``releases_de_desenvolvimento``'s
    duration), one subquery by primary key returning the duration itself (not the start, which
    the outer query would repeat for the duration and its filter)."""
    itens = _desenvolvimento_da_release(f).annotate(m_s=Segundos(OuterRef("criado_em"), F("consumido_em")))
    return Subquery(itens.values("m_s")[:1], output_field=FloatField())


def correcoes_de(releases: QuerySet[Release]) -> QuerySet[Item]:
    """The ``corrigir_bug`` items born of a decision on one of these releases: its rejection
    (concluding its ``aprovar_release``) or the refusal of a deployment of it (concluding the
    deployment's ``validar_implantacao``) — the item lineage, not names."""
    return Item.objects.filter(tipo="corrigir_bug").filter(
        Q(produzido_por__release__in=releases) | Q(produzido_por__implantacao_a_validar__release__in=releases)
    )


def _revertida() -> Q:
    """Whether a deployment was rolled back: its id among the concluded rollbacks' ``reverte``.
    An uncorrelated ``IN`` the database reads once per query (PostgreSQL hashes it; SQLite builds
    a temporary index), where a correlated ``EXISTS`` was an index lookup per deployment."""
    reversoes = Implantacao.objects.filter(
        tipo=Implantacao.Tipo.REVERSAO, status=Implantacao.Status.CONCLUIDA, reverte__isnull=False
    ).values("reverte_id")
    return Q(pk__in=reversoes)


# Where DORA's lead time for changes starts: the spec version's commit (Spec.commit_em); the
# import time only for a row that has none.
INICIO_DA_MUDANCA = Coalesce(F("release__spec__commit_em"), F("release__spec__criado_em"))

FALHOU = Q(status=Implantacao.Status.FALHOU) | Q(validacao=Implantacao.Validacao.RECUSADA) | _revertida()


def implantacoes_do_periodo(f: Filtros, ambiente: str | None = None) -> QuerySet[Implantacao]:
    """Deployments (not rollbacks) that ended in the period, each annotated with ``m_revertida``
    and ``m_falhou`` (the change failure rate's definition)."""
    qs = Implantacao.objects.filter(
        f.no_periodo("terminado_em"),
        tipo=Implantacao.Tipo.IMPLANTACAO,
        status__in=[Implantacao.Status.CONCLUIDA, Implantacao.Status.FALHOU],
    )
    if ambiente:
        qs = qs.filter(ambiente__nome=ambiente)
    if f.spec:
        qs = qs.filter(spec_ref=f.spec)
    return qs.annotate(
        m_revertida=Case(When(_revertida(), then=Value(True)), default=Value(False), output_field=BooleanField())
    ).annotate(m_falhou=Case(When(FALHOU, then=Value(1)), default=Value(0), output_field=IntegerField()))


def m_restaurada_em() -> Subquery:
    """When the next validated deployment of the same spec to the same environment ended."""
    return Subquery(
        Implantacao.objects.filter(
            ambiente_id=OuterRef("ambiente_id"),
            spec_ref=OuterRef("spec_ref"),
            tipo=Implantacao.Tipo.IMPLANTACAO,
            validacao=Implantacao.Validacao.VALIDADA,
            pk__gt=OuterRef("pk"),
        )
        .order_by("pk")
        .values("terminado_em")[:1]
    )


def _restauracoes(f: Filtros, nomes: dict[int, str]) -> dict[str, dict[str, float | int]]:
    """Per environment (``nomes``: id → name): n, mean, p50 and p90 of the time to restore of the
    failures of the period that were restored. The next validated deployment of the same spec in the same environment is
    found by a window over the deployments since the period began (deployments to one environment
    are serialised, so the earliest end among the later validated ones is the next one's), not by
    a subquery per failure. One query."""
    from django.db import connection

    # m_falhou is annotated by implantacoes_do_periodo, which the stubs' plugin does not see.
    falhas = implantacoes_do_periodo(f).filter(m_falhou=1)  # type: ignore[misc]
    falhas_sql, falhas_params = falhas.order_by().values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        segundos = "CAST(EXTRACT(EPOCH FROM (b.restaurada_em - b.terminado_em)) AS double precision)"
        # Partitions are only compared for equality: bytewise, not by the language's rules.
        spec_ref = 'i.spec_ref COLLATE "C"'
    else:
        segundos = "ROUND((julianday(b.restaurada_em) - julianday(b.terminado_em)) * 86400.0, 3)"
        spec_ref = "i.spec_ref"
    spec = "AND i.spec_ref = %s " if f.spec else ""
    # The rows after each one, read backwards: a frame that starts at the partition's head, so the
    # database keeps a running MIN instead of recomputing it over every row's following ones.
    sql = (
        "WITH base AS (SELECT i.id, i.ambiente_id, i.terminado_em, "  # noqa: S608 - fixed SQL, values as parameters
        "MIN(CASE WHEN i.validacao = 'Validada' THEN i.terminado_em END) OVER ("
        f"PARTITION BY i.ambiente_id, {spec_ref} ORDER BY i.id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
        ") AS restaurada_em FROM fabrica_implantacao i "
        f"WHERE i.tipo = 'implantacao' AND i.terminado_em >= %s {spec}), "
        f"d AS (SELECT b.ambiente_id AS ambiente_id, {segundos} AS d FROM base b "
        f"WHERE b.restaurada_em IS NOT NULL AND b.id IN ({falhas_sql})) "
        f"SELECT ambiente_id, COUNT(d), AVG(d), {_percentil_sql('d', 0.5)}, {_percentil_sql('d', 0.9)} "
        "FROM d GROUP BY ambiente_id"
    )
    params = [connection.ops.adapt_datetimefield_value(f.inicio), *([f.spec] if f.spec else []), *falhas_params]
    resultado: dict[str, dict[str, float | int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for ambiente_id, n, media, p50, p90 in cursor.fetchall():
            resultado[nomes[ambiente_id]] = {"n": n, "media": media, "p50": p50, "p90": p90}
    return resultado


def falhas_restauradas(f: Filtros, ambiente: str | None = None) -> QuerySet[Implantacao]:
    return (
        implantacoes_do_periodo(f, ambiente)
        # m_falhou is annotated by implantacoes_do_periodo, which the stubs' plugin does not see.
        .filter(m_falhou=1)  # type: ignore[misc]
        .annotate(m_restaurada_em=m_restaurada_em())
        .filter(m_restaurada_em__isnull=False)
    )


# --- §8.1 ---------------------------------------------------------------------------------------


def _precisao(f: Filtros) -> tuple[list[Numero], list[Ponto]]:
    """Budget accuracy, MMRE and PRED(25), overall and per pricing model version, and the weekly
    accuracy trend: one query, a ``GROUP BY`` (model version, week) over the budgets of
    ``orcamentos_com_real`` (each one's sums of hour columns); the totals are sums of those
    groups (a mean of errors is their sum ÷ the count)."""
    from django.db import connection

    por_orcamento = (
        horas_com_real(f)
        .order_by()
        .values(
            "orcamento_id",
            m_versao=F("orcamento__modelo__versao"),
            m_semana=SemanaDoPeriodo("orcamento__decidido_em", f.inicio),
        )
        .annotate(m_real=Sum("reais"), m_est=Sum("estimadas"))
        .filter(m_real__gt=0, m_est__gt=0)
    )
    sql, params = por_orcamento.query.sql_with_params()
    consulta = (
        "SELECT m_versao, m_semana, COUNT(*), SUM(m_real), SUM(m_est), "  # noqa: S608 - fixed SQL, values as parameters
        "SUM(ABS(m_real - m_est) / m_real), SUM(CASE WHEN ABS(m_real - m_est) / m_real <= 0.25 THEN 1 ELSE 0 END) "
        f"FROM ({sql}) t GROUP BY m_versao, m_semana"
    )
    with connection.cursor() as cursor:
        cursor.execute(consulta, params)
        grupos = cursor.fetchall()
    modelos: dict[int, list[float]] = {}
    semanas: dict[int, list[float]] = {}
    for versao, semana, *somas in grupos:
        for destino in (modelos.setdefault(versao, [0, 0.0, 0.0, 0.0, 0]), semanas.setdefault(semana, [0, 0.0, 0.0])):
            for i in range(len(destino)):
                destino[i] += somas[i]
    n, real, est, erros, dentro = (sum(m[i] for m in modelos.values()) for i in range(5))
    numeros = [
        Numero("fabrica.precisao_orcamento", _razao(real, est), "razao", {"orcamentos": int(n)}),
        Numero("fabrica.mmre", _razao(erros, n), "razao", {"orcamentos": int(n)}),
        Numero("fabrica.pred25", _razao(dentro, n), "razao", {"orcamentos": int(n)}),
    ]
    for versao, (n_m, real_m, est_m, erros_m, dentro_m) in sorted(modelos.items()):
        recorte = {"modelo": f"v{versao}"}
        contagens = {"orcamentos": int(n_m)}
        numeros += [
            Numero("fabrica.precisao_orcamento", _razao(real_m, est_m), "razao", contagens, recorte),
            Numero("fabrica.mmre", _razao(erros_m, n_m), "razao", contagens, recorte),
            Numero("fabrica.pred25", _razao(dentro_m, n_m), "razao", contagens, recorte),
        ]
    tendencia = [
        Ponto(f.de + timedelta(days=7 * k), _razao(real_k, est_k), int(n_k))
        for k, (n_k, real_k, est_k) in sorted(semanas.items())
    ]
    return numeros, tendencia


def _taxa_gaps(f: Filtros) -> list[Numero]:
    contagem = orcamentos_precificados(f).aggregate(
        specs=Count("spec__spec_id", distinct=True),
        com_gap=Count("spec__spec_id", distinct=True, filter=Q(m_tem_gap=True)),
    )
    return [
        Numero(
            "fabrica.taxa_gaps",
            _razao(contagem["com_gap"], contagem["specs"]),
            "razao",
            {"specs_com_gap": contagem["com_gap"], "specs_precificadas": contagem["specs"]},
        )
    ]


def _lead_times(f: Filtros) -> list[Numero]:
    """The unblocking and development durations: each row's item by primary key in a subquery
    that returns the duration (its aggregates skip rows without one) — a join read every item of
    the type (a sequential scan of the history's items on PostgreSQL)."""
    eventos = Evento.objects.filter(f.no_periodo("criado_em"), tipo="desbloqueio")
    desbloq = _duracoes(eventos, _segundos_de_desbloqueio(f)).get(None)
    dev = _duracoes(Release.objects.filter(f.no_periodo("criado_em")), _segundos_de_desenvolvimento(f)).get(None)
    orc_rel = _duracoes(releases_de_orcamento(f), Segundos(F("criado_em"), F("orcamento__decidido_em"))).get(None)
    return [
        *_numeros_de_duracao("fabrica.tempo_desbloqueio", desbloq, {}),
        *_numeros_de_duracao("fabrica.lead_time_orcamento_release", orc_rel, {}),
        *_numeros_de_duracao("fabrica.lead_time_desenvolvimento", dev, {}),
    ]


def _retrabalho(f: Filtros) -> list[Numero]:
    """The same items as ``correcoes_de``, counted from the decisions' side: per release (and per
    deployment of one), its decision item's ``corrigir_bug`` children, found by the
    ``produzido_por`` index — a lookup per decision of the period, never a pass over every item.
    Two queries."""
    releases = releases_do_periodo(f)

    def filhos(campo: str) -> Coalesce:
        contagem = (
            Item.objects.filter(tipo="corrigir_bug", produzido_por_id=OuterRef(campo))
            .order_by()
            .values("produzido_por_id")
            .annotate(c=Count("pk"))
            .values("c")
        )
        return Coalesce(Sum(Subquery(contagem, output_field=IntegerField())), 0)

    contagem = releases.order_by().aggregate(n=Count("pk"), rejeicoes=filhos("item_aprovacao_id"))
    n_releases = contagem["n"]
    n_correcoes = contagem["rejeicoes"]
    if n_releases:
        recusas = Implantacao.objects.filter(release__in=releases.order_by().values("pk"), item_validacao__isnull=False)
        n_correcoes += recusas.order_by().aggregate(n=filhos("item_validacao_id"))["n"]
    return [
        Numero(
            "fabrica.retrabalho",
            _razao(n_correcoes, n_releases),
            "razao",
            {"corrigir_bug": n_correcoes, "releases": n_releases},
        )
    ]


# --- DORA -----------------------------------------------------------------------------------------


def ambientes_ativos() -> list[str]:
    """The active environments in the path's order; the last one is DORA's production."""
    return list(Ambiente.objects.filter(ativo=True).order_by("ordem", "nome").values_list("nome", flat=True))


def ambiente_final(ativos: list[str] | None = None) -> str:
    """The last environment of the path (the highest order among active ones): DORA's production."""
    ativos = ambientes_ativos() if ativos is None else ativos
    return ativos[-1] if ativos else ""


def _contagens_dora(f: Filtros) -> dict[int, dict[str, Any]]:
    """Per environment id: DORA's counts and the lead time's n, mean, p50 and p90, in one
    ``GROUP BY`` over the period's deployments. Each deployment's facts (failed, rolled back, the
    lead time when it served a release: joined to its release's spec) are computed once, in a
    derived table the database may not merge into the aggregates (``_sem_achatar``); grouped by
    the environment's id, not joined to its name."""
    from django.db import connection

    serviu = Q(status=Implantacao.Status.CONCLUIDA, release__isnull=False)
    # m_revertida and m_falhou are annotated by implantacoes_do_periodo, which the stubs' plugin
    # does not see.
    linhas = (
        implantacoes_do_periodo(f)
        .order_by()
        .values(  # type: ignore[misc]
            "ambiente_id",
            "status",
            "validacao",
            "m_revertida",
            "m_falhou",
            m_lead=Case(When(serviu, then=Segundos(F("terminado_em"), INICIO_DA_MUDANCA)), default=None),
        )
    )
    sql, params = linhas.query.sql_with_params()
    consulta = (
        "SELECT t.ambiente_id, COUNT(*), "  # noqa: S608 - fixed SQL, values as parameters
        "SUM(CASE WHEN t.status = %s THEN 1 ELSE 0 END), SUM(t.m_falhou), "
        "SUM(CASE WHEN t.status = %s THEN 1 ELSE 0 END), SUM(CASE WHEN t.validacao = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.m_revertida THEN 1 ELSE 0 END), COUNT(t.m_lead), AVG(t.m_lead), "
        f"{_percentil_sql('t.m_lead', 0.5)}, {_percentil_sql('t.m_lead', 0.9)} "
        f"FROM ({sql}{_sem_achatar()}) t GROUP BY t.ambiente_id"
    )
    literais = [Implantacao.Status.CONCLUIDA, Implantacao.Status.FALHOU, Implantacao.Validacao.RECUSADA]
    campos = ("total", "concluidas", "falhas", "falharam", "recusadas", "revertidas", "lead_n", "lead_media")
    resultado = {}
    with connection.cursor() as cursor:
        cursor.execute(consulta, [*(str(v) for v in literais), *params])
        for ambiente_id, *valores in cursor.fetchall():
            resultado[ambiente_id] = dict(zip((*campos, "lead_p50", "lead_p90"), valores, strict=True))
    return resultado


def _dora(f: Filtros, tab: faixas.Tabela, ativos: list[str], nomes: dict[int, str]) -> list[Numero]:
    """The counts, rates and durations of DORA per environment: the counts and the lead time are
    ``_contagens_dora``, the time to restore ``_restauracoes`` (``nomes``: environment id → name)."""
    contagens = {nomes[pk]: c for pk, c in _contagens_dora(f).items()}
    lead = {
        nome: {"n": c["lead_n"], "media": c["lead_media"], "p50": c["lead_p50"], "p90": c["lead_p90"]}
        for nome, c in contagens.items()
        if c["lead_n"]
    }
    restauro = _restauracoes(f, nomes)
    mostrar = [*ativos, *sorted(set(contagens) - set(ativos))]
    if f.ambiente:
        mostrar = [n for n in mostrar if n == f.ambiente]
    numeros: list[Numero] = []
    for nome in mostrar:
        c: Any = contagens.get(nome) or {}  # a row of counts, or none
        total, concluidas, falhas = c.get("total", 0), c.get("concluidas", 0), c.get("falhas") or 0
        recorte = {"ambiente": nome}
        frequencia = _razao(concluidas, f.dias) if total else None
        taxa = _razao(falhas, total)
        numeros.append(
            Numero(
                "dora.frequencia",
                frequencia,
                "por_dia",
                {"implantacoes_concluidas": concluidas, "dias": f.dias},
                recorte,
                faixas.classificar(tab, "frequencia", frequencia),
            )
        )
        numeros.append(
            Numero(
                "dora.falhas",
                taxa,
                "razao",
                {
                    "falhas": falhas,
                    "implantacoes": total,
                    "falharam": c.get("falharam", 0),
                    "recusadas": c.get("recusadas", 0),
                    "revertidas": c.get("revertidas", 0),
                },
                recorte,
                faixas.classificar(tab, "falhas", taxa),
            )
        )
        for chave, estat, banda in (
            ("dora.lead_time", lead.get(nome), "lead_time"),
            ("dora.restauracao", restauro.get(nome), "restauracao"),
        ):
            grupo = _numeros_de_duracao(chave, estat, recorte, (50, 90))
            mediana = grupo[1]  # DORA reads the median
            mediana.faixa = faixas.classificar(tab, banda, mediana.valor)
            if chave == "dora.restauracao":
                for numero in grupo:
                    numero.contagens["falhas_sem_restauracao"] = max(falhas - (int(estat["n"]) if estat else 0), 0)
            numeros += grupo
    return numeros


# --- §8.2: workers ----------------------------------------------------------------------------------

ETAPAS = ("gerar_s", "testar_s", "corrigir_s", "total_s")
# The stages timed only over the executions with a correction attempt (``workers.tempo``'s definition).
ETAPAS_SO_CORRIGIDAS = frozenset({"corrigir_s"})


def execucoes_do_periodo(f: Filtros, *, vertente: bool = True) -> QuerySet[ExecucaoVertente]:
    """Each vertente's execution for the releases created in the period (the columns development
    writes with the release, ``ExecucaoVertente``): this table alone, by its period index."""
    qs = ExecucaoVertente.objects.filter(f.no_periodo("criado_em"))
    if f.spec:
        qs = qs.filter(spec_ref=f.spec)
    if vertente and f.vertente:
        qs = qs.filter(vertente=f.vertente)
    return qs


def _workers(f: Filtros) -> list[Numero]:
    """Per vertente, in the database: each stage's mean and p90 and the first-run, correction
    and sandbox aggregates (one ``GROUP BY vertente``, an aggregate per stage: the stages are
    this module's fixed names), and the share of releases that needed any correction (one
    query)."""
    execucoes = execucoes_do_periodo(f)
    vertentes = [f.vertente] if f.vertente else list(VERTENTES)
    numeros: list[Numero] = []
    agregados: dict[str, Any] = {}
    for e in ETAPAS:
        # Correcting is timed over the executions that corrected: the others record 0 s, which
        # is no correction time (a vertente never corrected reads "sem dados", not "0,0 s").
        so = Q(tentativas_correcao__gt=0) if e in ETAPAS_SO_CORRIGIDAS else None
        agregados |= {
            f"n_{e}": Count(e, filter=so),
            f"media_{e}": Avg(e, filter=so),
            f"p90_{e}": PercentilDisc(e, 0.9, filter=so),
        }
    por_vertente = {
        linha["vertente"]: linha
        for linha in execucoes.order_by()
        .values("vertente")
        .annotate(
            n=Count("pk"),
            primeira=Count("pk", filter=Q(passou_primeira=True)),
            tentativas=Sum("tentativas_correcao"),
            corrigidas=Count("pk", filter=Q(tentativas_correcao__gt=0)),
            n_sandbox=Count("sandbox_cpu_s"),
            cpu=Avg("sandbox_cpu_s"),
            memoria=Avg("sandbox_memoria_max_bytes"),
            **agregados,
        )
    }
    for etapa in ETAPAS:
        for v in vertentes:
            linha: Any = por_vertente.get(v) or {}
            estat = (
                {"n": linha[f"n_{etapa}"], "media": linha[f"media_{etapa}"], "p90": linha[f"p90_{etapa}"]}
                if linha.get(f"n_{etapa}")
                else None
            )
            numeros += _numeros_de_duracao("workers.tempo", estat, {"vertente": v, "etapa": etapa.removesuffix("_s")})
    for v in vertentes:
        linha = por_vertente.get(v) or {}
        n = linha.get("n", 0)
        tentativas, corrigidas = linha.get("tentativas") or 0, linha.get("corrigidas", 0)
        contagens = {"releases": n, "corrigidas": corrigidas, "tentativas": tentativas}
        recorte = {"vertente": v}
        numeros += [
            Numero(
                "workers.passou_primeira",
                _razao(linha.get("primeira", 0), n),
                "razao",
                {"releases": n, "passou_primeira": linha.get("primeira", 0)},
                recorte,
            ),
            Numero("workers.tentativas", _razao(tentativas, n), "contagem", dict(contagens), recorte),
            Numero("workers.precisou_correcao", _razao(corrigidas, n), "razao", dict(contagens), recorte),
        ]
    geral = execucoes_do_periodo(f, vertente=False).aggregate(
        releases=Count("release_id", distinct=True),
        corrigidas=Count("release_id", distinct=True, filter=Q(tentativas_correcao__gt=0)),
    )
    numeros.append(
        Numero(
            "workers.precisou_correcao",
            _razao(geral["corrigidas"], geral["releases"]),
            "razao",
            {"releases": geral["releases"], "corrigidas": geral["corrigidas"]},
        )
    )
    for v in vertentes:
        linha = por_vertente.get(v) or {}
        n = linha.get("n_sandbox", 0)
        numeros += [
            Numero("workers.sandbox", linha.get("cpu"), "segundos", {"releases": n}, {"vertente": v, "recurso": "cpu"}),
            Numero(
                "workers.sandbox",
                linha.get("memoria"),
                "bytes",
                {"releases": n},
                {"vertente": v, "recurso": "memoria_max"},
            ),
        ]
    return numeros


# --- trends ----------------------------------------------------------------------------------------


def _tendencias(f: Filtros, ambiente: str, precisao: list[Ponto]) -> dict[str, list[Ponto]]:
    implantacoes = implantacoes_do_periodo(f, ambiente)
    concluida = Q(status=Implantacao.Status.CONCLUIDA)
    # One query for the three weekly DORA lines; the lead time only over the deployments that
    # served a release (a LEFT JOIN to the release and its spec: the rest have no start).
    por_semana = _por_semana(
        implantacoes,
        "terminado_em",
        f,
        n=Count("pk"),
        concluidas=Count("pk", filter=concluida),
        falhas=Sum("m_falhou"),
        n_lead=Count("pk", filter=concluida & Q(release__isnull=False)),
        lead=Avg(Segundos(F("terminado_em"), INICIO_DA_MUDANCA), filter=concluida & Q(release__isnull=False)),
    )
    dev = _por_semana(
        releases_de_orcamento(f),
        "criado_em",
        f,
        n=Count("pk"),
        media=Avg(Segundos(F("criado_em"), F("orcamento__decidido_em"))),
    )
    return {
        "dora.frequencia": [Ponto(p["_semana"], float(p["concluidas"]), p["n"]) for p in por_semana],
        "dora.falhas": [Ponto(p["_semana"], _razao(p["falhas"], p["n"]), p["n"]) for p in por_semana],
        "dora.lead_time": [Ponto(p["_semana"], p["lead"], p["n_lead"]) for p in por_semana if p["n_lead"]],
        "fabrica.precisao_orcamento": precisao,
        "fabrica.lead_time_orcamento_release": [Ponto(p["_semana"], p["media"], p["n"]) for p in dev],
    }


# --- the whole panel --------------------------------------------------------------------------------


def painel(f: Filtros, *, tendencias: bool = True) -> Painel:
    """Every metric for these filters. A constant number of queries (about 15), whatever the
    size of the history. ``tendencias=False``: the same numbers without the weekly lines (two
    queries less; what ``/metrics`` exports, which has no trends)."""
    from django.db import transaction

    with transaction.atomic():
        _preparar_conexao()
        tab = faixas.tabela(f.faixas)
        # Every environment (a retired one keeps its deployments), in the path's order: one query.
        todos = list(Ambiente.objects.order_by("ordem", "nome").values_list("pk", "nome", "ativo"))
        ativos = [nome for _pk, nome, ativo in todos if ativo]
        nomes = {pk: nome for pk, nome, _ativo in todos}
        ambiente = f.ambiente or ambiente_final(ativos)
        precisao, tendencia_precisao = _precisao(f)
        numeros = [
            *precisao,
            *_taxa_gaps(f),
            *_lead_times(f),
            *_retrabalho(f),
            *_dora(f, tab, ativos, nomes),
            *_workers(f),
        ]
        linhas = _tendencias(f, ambiente, tendencia_precisao) if tendencias else {}
        return Painel(f, numeros, linhas, ambiente, tab)


def versao_dos_fatos() -> tuple[int | None, ...]:
    """The newest row of each table the numbers are computed from (every item transition writes
    a backlog event): a new fact changes it. One query, each ``MAX`` of a primary key (read from
    the end of its index)."""
    from django.db import connection

    tabelas = [m._meta.db_table for m in (Evento, Orcamento, Release, ExecucaoVertente, Implantacao, Spec)]
    partes = ", ".join(f"(SELECT MAX(id) FROM {connection.ops.quote_name(t)})" for t in tabelas)  # noqa: S608 - the models' own table names
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {partes}")
        return tuple(cursor.fetchone())


# --- the backlog's live state (admins) ------------------------------------------------------------


# The statuses of the queue: what waits, runs, or failed and waits for an admin. Concluido and
# Cancelado are the history (the metrics above read it), not the queue: counting them would read
# every item ever made at each scrape.
NA_FILA = (Status.PENDENTE, Status.BLOQUEADO, Status.EM_PROCESSAMENTO, Status.FALHA)


def estado_do_backlog(agora: datetime | None = None) -> dict[str, Any]:
    """The queue's items per status and type (``NA_FILA``, read by the ``(status, tipo)`` index:
    the size of the queue, not of the history), the oldest waiting item per type (claimable now:
    the consumers' lag), and failures and lease rescues in the last hour. Two queries: the queue's
    groups (type, status) with their counts and oldest instants, and the last hour's events."""
    agora = agora or timezone.now()
    grupos = list(
        Item.objects.filter(status__in=NA_FILA)
        .values("tipo", "status")
        .annotate(
            n=Count("pk"),
            mais_antigo=Min("criado_em"),
            id_mais_antigo=Min("pk"),
            consumido=Min("consumido_em"),
            lease=Max("lease_expira_em"),
        )
        .order_by("tipo", "status")
    )
    por_status = [{"tipo": g["tipo"], "status": g["status"], "n": g["n"]} for g in grupos]
    esperando: dict[str, dict[str, Any]] = {
        g["tipo"]: {k: g[k] for k in ("tipo", "n", "mais_antigo", "id_mais_antigo")}
        for g in grupos
        if g["status"] == Status.PENDENTE
    }
    rodando = [g for g in grupos if g["status"] == Status.EM_PROCESSAMENTO]
    em_processamento = {
        "n": sum(g["n"] for g in rodando),
        "mais_antigo": min((g["consumido"] for g in rodando if g["consumido"]), default=None),
        "lease": max((g["lease"] for g in rodando if g["lease"]), default=None),
    }
    ultima_hora = dict(
        Evento.objects.filter(criado_em__gte=agora - timedelta(hours=1), tipo__in=["falha", "lease_expirado"])
        .values("tipo")
        .annotate(n=Count("pk"))
        .values_list("tipo", "n")
    )
    return {
        "por_status": por_status,
        "esperando": [
            {**linha, "idade_s": (agora - linha["mais_antigo"]).total_seconds()}
            for _tipo, linha in sorted(esperando.items())
        ],
        "falhas_ultima_hora": ultima_hora.get("falha", 0),
        "resgates_ultima_hora": ultima_hora.get("lease_expirado", 0),
        "em_processamento": em_processamento,
    }
