"""The hot statements of MS_Backlog on PostgreSQL, one round trip each.

Measured on this machine kind (bench/README.md), the idiomatic ORM cycle runs at a tenth of a bare
claim; these single statements claim (or conclude) and write their ``Evento`` together. They
implement exactly the transitions of ``services.TRANSICOES``, and the test suite runs the same
contract tests against them and against the portable ORM path.

They run on a server-binding cursor and are prepared once per connection: on the 2-core
machine of ``bench/backlog_throughput.py`` parsing and planning the CTEs on every call cost the
server more than executing them. (A transaction-pooling proxy such as pgbouncer < 1.21 would
need ``HABILITADO = False``: it cannot carry prepared statements across connections.)
"""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from backlog.acesso import SEM_FILTRO, Filtro
from backlog.models import Item

# Tests switch this off to run the ORM path on PostgreSQL too.
HABILITADO = True

_CAMPOS = [f.attname for f in Item._meta.concrete_fields]
_POSICOES_JSON = [i for i, f in enumerate(Item._meta.concrete_fields) if f.attname in {"contexto", "resultado"}]
# Returned in the order of ``_CAMPOS``, so a row becomes an ``Item`` without a lookup per column.
_RETORNO = ", ".join(f"i.{f.column}" for f in Item._meta.concrete_fields)

# Times come from the application's clock (``agora``), as on the ORM path: ``falhar`` and
# ``resgatar_expirados`` set and compare ``disponivel_em`` and the lease with it, and PostgreSQL's
# ``now()`` is the start of the transaction, so a failed item would not be claimable again in
# the caller's transaction.


# Every returned item carries its dependency ids, which the API shows: no second query for them.
def _dependencias_de(alvo: str) -> str:
    return f"ARRAY(SELECT d.depende_de_id FROM backlog_dependencia d WHERE d.item_id = {alvo}.id ORDER BY 1)"  # noqa: S608


# The broker's rules (``backlog.models``) as these statements spell them; tests/backlog/test_regras.py
# evaluates each one and its ORM twin over the same rows. Claimable:
CONSUMIVEL = "i.status = 'Pendente' AND (i.disponivel_em IS NULL OR i.disponivel_em <= %(agora)s::timestamptz)"


def bloqueados_por(alvo: str) -> str:
    """Whether the item ``alvo`` has ``Bloqueado`` dependents (``ItemQuerySet.bloqueados_por``)."""
    return (
        "EXISTS (SELECT 1 FROM backlog_dependencia d JOIN backlog_item b ON b.id = d.item_id "  # noqa: S608
        f"WHERE d.depende_de_id = {alvo}.id AND b.status = 'Bloqueado')"
    )


# After the candidates are chosen: claim them, write their events, return the whole rows.
_RESERVAR = f"""
), reservado AS (
    UPDATE backlog_item i
    SET status = 'EmProcessamento', consumidor = %(consumidor)s, consumido_em = %(agora)s::timestamptz,
        tentativas = i.tentativas + 1, lease_token = gen_random_uuid(),
        lease_expira_em = %(agora)s::timestamptz + make_interval(secs => %(segundos)s::int)
    WHERE i.id = ANY(ARRAY(SELECT id FROM candidato))
    RETURNING {_RETORNO}
), evento AS (
    INSERT INTO backlog_evento (tipo, item_id, ator, dados, criado_em)
    SELECT 'consumido', id, consumidor, jsonb_build_object('tentativa', tentativas), %(agora)s::timestamptz
    FROM reservado
)
SELECT reservado.*, {_dependencias_de("reservado")} AS depende_de_ids FROM reservado
"""  # noqa: S608 (the column list, from the model's metadata)

# One type: the first ``quantidade`` entries of the partial index ``backlog_item_claim`` (tipo,
# prioridade DESC, id) that nobody holds are the answer, in one walk of the index.
CONSUMIR_UM_TIPO = f"""
WITH candidato AS (
    SELECT i.id
    FROM backlog_item i
    WHERE i.tipo = %(tipo)s::text AND {CONSUMIVEL}
    ORDER BY i.prioridade DESC, i.id
    LIMIT %(quantidade)s::int
    FOR NO KEY UPDATE SKIP LOCKED{_RESERVAR}"""  # noqa: S608 (the column list, from the model's metadata)

# Several types: one such walk per type, then the best ``quantidade`` of those candidates; a
# plain ``tipo = ANY(...)`` would make PostgreSQL sort every pending row on each claim. The
# candidates of a type that lose to better ones stay locked only until this statement commits.
CONSUMIR_VARIOS_TIPOS = f"""
WITH candidato AS (
    SELECT c.id
    FROM unnest(%(tipos)s::text[]) AS t(tipo)
    CROSS JOIN LATERAL (
        SELECT i.id, i.prioridade
        FROM backlog_item i
        WHERE i.tipo = t.tipo AND {CONSUMIVEL}
        ORDER BY i.prioridade DESC, i.id
        LIMIT %(quantidade)s::int
        FOR NO KEY UPDATE SKIP LOCKED
    ) c
    ORDER BY c.prioridade DESC, c.id
    LIMIT %(quantidade)s::int{_RESERVAR}"""  # noqa: S608 (the column list, from the model's metadata)

# The caller's access rules (``backlog.acesso.Filtro``): a type it may not conclude, or whose
# conclusion is a decision service's, matches no row and the caller diagnoses why.
PODE_CONCLUIR = (
    "(i.tipo = ANY(%(permitidos)s::text[]) OR (%(padrao)s::boolean AND i.tipo <> ALL(%(proibidos)s::text[])))"
)

_CONCLUIDO_EVENTO = """
), evento AS (
    INSERT INTO backlog_evento (tipo, item_id, ator, dados, criado_em)
    SELECT 'concluido', id, COALESCE(%(ator)s::text, consumidor), '{}'::jsonb, %(agora)s::timestamptz
    FROM concluido
)
"""

CONCLUIR = f"""
WITH concluido AS (
    UPDATE backlog_item i
    SET status = 'Concluido', resultado = %(resultado)s::jsonb, concluido_em = %(agora)s::timestamptz,
        lease_token = NULL, lease_expira_em = NULL
    -- The lease holds only while EmProcessamento (constraint backlog_item_lease_so_em_processamento),
    -- so the token alone checks the status too, and the plan is always the primary key: a
    -- spelled-out status lets the planner pick the partial lease index and filter on id.
    WHERE i.id = %(id)s::bigint AND i.lease_token = %(lease)s::uuid AND {PODE_CONCLUIR}
    RETURNING {_RETORNO}
{_CONCLUIDO_EVENTO}
SELECT concluido.*, {_dependencias_de("concluido")} AS depende_de_ids,
       {bloqueados_por("concluido")} AS tem_dependentes
FROM concluido
"""  # noqa: S608 (the column list, from the model's metadata)

# A batch: each (id, lease, resultado) triple concludes its item if it holds the lease; the rows
# that did not match are diagnosed one by one by the caller.
CONCLUIR_VARIOS = f"""
WITH entrada AS (
    SELECT e.id, e.lease, e.resultado::jsonb AS resultado
    FROM unnest(%(ids)s::bigint[], %(leases)s::uuid[], %(resultados)s::text[]) AS e(id, lease, resultado)
), concluido AS (
    UPDATE backlog_item i
    SET status = 'Concluido', resultado = entrada.resultado, concluido_em = %(agora)s::timestamptz,
        lease_token = NULL, lease_expira_em = NULL
    FROM entrada
    WHERE i.id = entrada.id AND i.lease_token = entrada.lease AND {PODE_CONCLUIR}
    RETURNING {_RETORNO}
{_CONCLUIDO_EVENTO}
SELECT concluido.*, {_dependencias_de("concluido")} AS depende_de_ids,
       {bloqueados_por("concluido")} AS tem_dependentes
FROM concluido
"""  # noqa: S608 (the column list, from the model's metadata)

# Wakes the long-polling consumers of these types (``backlog.espera``) when the transaction
# that runs it commits; PostgreSQL folds repeated notifications of one transaction into one.
AVISAR = "SELECT pg_notify(%(canal)s::text, t) FROM unnest(%(tipos)s::text[]) AS t"


def consumo(tipos: list[str], consumidor: str, segundos: int, quantidade: int = 1) -> tuple[str, dict[str, Any]]:
    """The claim statement for these (distinct, non-empty) types and its parameters."""
    parametros: dict[str, Any] = {
        "consumidor": consumidor,
        "segundos": segundos,
        "agora": timezone.now(),
        "quantidade": quantidade,
    }
    if len(tipos) == 1:
        parametros["tipo"] = tipos[0]
        return CONSUMIR_UM_TIPO, parametros
    parametros["tipos"] = tipos
    return CONSUMIR_VARIOS_TIPOS, parametros


def _filtro(filtro: Filtro) -> dict[str, Any]:
    return {"padrao": filtro.padrao, "permitidos": filtro.permitidos, "proibidos": filtro.proibidos}


def conclusao(
    item_id: int, lease: str | None, resultado: dict[str, Any], ator: str | None, filtro: Filtro = SEM_FILTRO
) -> tuple[str, dict[str, Any]]:
    """The concluding statement and its parameters."""
    return CONCLUIR, {
        "id": item_id,
        "lease": lease,
        "resultado": json.dumps(resultado),
        "ator": ator,
        "agora": timezone.now(),
        **_filtro(filtro),
    }


@cache
def _classe_cursor() -> type[Any]:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class CursorPreparado(ServerBindingCursor):
        """Prepared once per connection; rows come back in binary, which spares both the
        server's text formatting and Django's Python-level timestamp parsing."""

        def execute(self, query: Any, params: Any = None, *, prepare: bool = True, binary: bool = True) -> Any:
            # django-stubs declares the cursor without psycopg's methods.
            return super().execute(query, params, prepare=prepare, binary=binary)  # type: ignore[misc]

    return CursorPreparado


# One cursor per psycopg connection, reused: a new connection (Django reconnected) gets its own.
_cursores: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


def _executar(texto: str, parametros: dict[str, Any], *, todas: bool = False) -> Any:
    """Runs a hot statement and returns its one row (or ``todas`` its rows): Django's checks and
    error translation, server-side binding and a prepared statement instead of client-side
    interpolation."""
    # The wrapper itself, once: each ``connection.x`` is a lookup through a context-local proxy,
    # and they were a fifth of the client's time per cycle.
    db = connections[DEFAULT_DB_ALIAS]
    db.close_if_health_check_failed()
    db.ensure_connection()
    conexao = db.connection
    if conexao.prepare_threshold is None and db.get_autocommit():
        _preparar_sessao(db, conexao)
    cursor = _cursores.get(conexao)
    if cursor is None:
        cursor = _cursores[conexao] = _classe_cursor()(conexao)
    if db.queries_logged or db.execute_wrappers:
        # DEBUG, assertNumQueries, the debug toolbar: through Django's wrapper, so they see
        # these statements like any other (its ``with`` would close the shared cursor).
        db._prepare_cursor(cursor).execute(texto, parametros)  # type: ignore[attr-defined]
        return cursor.fetchall() if todas else cursor.fetchone()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor.execute(texto, parametros)
        return cursor.fetchall() if todas else cursor.fetchone()


def _preparar_sessao(db: BaseDatabaseWrapper, conexao: Any) -> None:
    """Once per connection, outside any transaction (a SET inside one would be undone by its
    rollback); until then the statements simply run unprepared.

    Django switches psycopg's preparation off; a threshold never reached lets only the
    statements executed with ``prepare=True`` be prepared (client-binding cursors, which the
    rest of Django uses, never prepare). The generic plan is the same walk of the claim index
    as a custom one, but PostgreSQL would keep re-planning the claim on every call because it
    estimates ten rows for ``unnest`` of a parameter; no other statement of this connection is
    prepared, so forcing generic plans touches only the statements of this module. (The
    generic plan of ``LIMIT %(quantidade)s`` assumes a tenth of the rows; the claim index
    already yields them in order, so it is still the index walk: ``bench/rest.py`` prints it.)
    """
    with db.wrap_database_errors:
        conexao.execute("SET plan_cache_mode = force_generic_plan")
    conexao.prepare_threshold = sys.maxsize


def _item(linha: tuple[Any, ...]) -> Item:
    """An ``Item`` from a row of ``_RETORNO`` followed by its dependency ids."""
    valores = list(linha[: len(_CAMPOS)])
    for posicao in _POSICOES_JSON:
        if isinstance(valores[posicao], str):
            valores[posicao] = json.loads(valores[posicao])
    item = Item.from_db(DEFAULT_DB_ALIAS, _CAMPOS, valores)
    item.depende_de_ids = list(linha[len(_CAMPOS)])
    return item


def consumir(tipos: list[str], consumidor: str, segundos: int, quantidade: int = 1) -> list[Item]:
    """Claims up to ``quantidade`` items in one statement; highest priority first, then oldest."""
    linhas = _executar(*consumo(tipos, consumidor, segundos, quantidade), todas=True)
    itens = [_item(linha) for linha in linhas]
    # UPDATE … RETURNING keeps no order.
    itens.sort(key=lambda item: (-item.prioridade, item.pk))
    return itens


def concluir(
    item_id: int, lease: str | None, resultado: dict[str, Any], ator: str | None, filtro: Filtro = SEM_FILTRO
) -> tuple[Item, bool] | None:
    """Returns the concluded item and whether it has blocked dependents, or None if no row
    matched (wrong status, lease or access: the caller diagnoses which)."""
    linha = _executar(*conclusao(item_id, lease, resultado, ator, filtro))
    if linha is None:
        return None
    return _item(linha), bool(linha[-1])


def concluir_varios(
    conclusoes: list[tuple[int, str | None, dict[str, Any]]], ator: str | None, filtro: Filtro = SEM_FILTRO
) -> dict[int, tuple[Item, bool]]:
    """Concludes in one statement each (id, lease, resultado) whose lease holds; returns, by id,
    the concluded items and whether each has blocked dependents. Ids must be distinct."""
    parametros = {
        "ids": [item_id for item_id, _, _ in conclusoes],
        "leases": [lease for _, lease, _ in conclusoes],
        "resultados": [json.dumps(resultado) for _, _, resultado in conclusoes],
        "ator": ator,
        "agora": timezone.now(),
        **_filtro(filtro),
    }
    concluidos = {}
    for linha in _executar(CONCLUIR_VARIOS, parametros, todas=True):
        item = _item(linha)
        concluidos[item.pk] = (item, bool(linha[-1]))
    return concluidos


def avisar(canal: str, tipos: list[str]) -> None:
    """Inside the caller's transaction: notifies ``canal`` once per type at its commit."""
    _executar(AVISAR, {"canal": canal, "tipos": tipos}, todas=True)
