"""Helpers shared by the benchmarks: a throwaway PostgreSQL database and Django pointed at it.

A benchmark never touches the database named by ``DATABASE_URL``: it derives a sibling
database (same server and user, another name), drops and recreates it, and migrates it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RAIZ = Path(__file__).absolute().parent.parent
if str(RAIZ) not in sys.path:
    sys.path.insert(0, str(RAIZ))


def url_do_banco(nome: str) -> str:
    """The URL of the throwaway database ``nome``, on the server of ``DATABASE_URL``."""
    from prometheus_site.env import env_str

    original = env_str("DATABASE_URL", "")
    partes = urlsplit(original)
    if partes.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(
            "The benchmarks need PostgreSQL: run them with DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus"
        )
    if partes.path.lstrip("/") == nome:
        sys.exit(f"DATABASE_URL already names {nome!r}; point it at the project database instead.")
    return urlunsplit(partes._replace(path="/" + nome))


def conninfo(url: str) -> str:
    """A libpq connection string for a postgres:// URL (psycopg takes URLs as they are)."""
    return url.replace("pgsql://", "postgresql://", 1)


def recriar_banco(url: str) -> None:
    """Drops and creates the database of ``url`` (connected to the server's ``postgres`` DB)."""
    import psycopg
    from psycopg import sql

    nome = urlsplit(url).path.lstrip("/")
    manutencao = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(conninfo(manutencao), autocommit=True) as conexao:
        conexao.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nome)))
        conexao.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nome)))


def sem_espera_de_fsync(url: str) -> None:
    """``synchronous_commit = off`` for every session of the throwaway database: commits stop
    waiting for the WAL flush, so a run measures CPU work rather than this disk's fsync."""
    import psycopg
    from psycopg import sql

    nome = urlsplit(url).path.lstrip("/")
    with psycopg.connect(conninfo(url), autocommit=True) as conexao:
        conexao.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(nome)))


def configurar_django(url: str) -> None:
    """Points Django at ``url`` and sets it up; call before importing any model."""
    import django

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prometheus_site.settings")
    django.setup()


def migrar() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class Cronometro:
    """A query wrapper (``connection.execute_wrapper``) adding up the time spent in the database."""

    def __init__(self) -> None:
        self.segundos = 0.0

    def __call__(self, execute, sql, params, many, context):
        inicio = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.segundos += time.perf_counter() - inicio
