"""Query pieces the ORM does not write the way a database's planner needs."""

from __future__ import annotations

import re
from typing import Any

from django.db import connections
from django.db.models import Func, Lookup

_CONSTANTE = re.compile(r"[A-Za-z0-9_]+")


class EmLiteral(Lookup):
    """``campo IN ('a', 'b')`` with the values written in the SQL rather than passed as parameters:
    ``qs.filter(EmLiteral(F("status"), ["Aguardando", "EmAndamento"]))``.

    SQLite uses a partial index whose condition is an ``IN`` list only for a query holding the
    same list, and it compares an ``IN`` list's items without looking at the parameters bound to
    them (it does for ``=``): with ``status__in=[...]`` it reads the whole table where the index
    holds a few rows. So the list must be the index condition's own, in its order. Only for the
    code's constants (choice values): anything that is not a plain word is refused."""

    lookup_name = "em_literal"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        lhs, params = self.process_lhs(compiler, connection)
        valores = [str(valor) for valor in self.rhs]
        if not valores or not all(_CONSTANTE.fullmatch(valor) for valor in valores):
            raise ValueError(f"EmLiteral takes constant words, not {valores!r}")
        return f"{lhs} IN ({', '.join(repr(valor) for valor in valores)})", list(params)


class SemIndice(Func):
    """A column as a value no index serves (SQLite's unary ``+``; as is elsewhere), for a filter
    that must not choose the plan: ``qs.filter(In(SemIndice("spec_ref"), specs))``.

    SQLite prefers an equality on an index to a scan of a small partial index, even when the
    equality matches 14,000 rows and the partial index holds 67 (the releases to decide of one
    spec among 70,000: 22 ms instead of 0.1, bench/inbox.py); PostgreSQL weighs both itself."""

    template = "%(expressions)s"
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def parametros_de_escuta(alias: str, nome: str) -> dict[str, Any]:
    """Django's own connection parameters for ``alias``, for a plain psycopg connection in
    autocommit that holds a ``LISTEN`` (the backlog's long poll, the task queue's pusher), named
    ``nome`` in ``pg_stat_activity``."""
    parametros = connections[alias].get_connection_params()
    for chave in ("cursor_factory", "context", "prepare_threshold"):
        parametros.pop(chave, None)
    return {
        **parametros,
        "autocommit": True,
        "application_name": nome,
        # A silently dropped connection is noticed by TCP, not by a query every so often.
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
