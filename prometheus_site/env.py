"""Typed readers of the environment: the one place that reads ``os.environ``.

Each helper raises ``ImproperlyConfigured`` with a sentence naming the variable and what was
expected, so a bad value stops the start instead of surfacing later as a strange error.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_VERDADEIROS = {"1", "true", "yes", "on", "sim"}
_FALSOS = {"0", "false", "no", "off", "nao", "não", ""}


def env_str(nome: str, padrao: str | None = None) -> str:
    valor = os.environ.get(nome)
    if valor is None:
        if padrao is None:
            raise ImproperlyConfigured(f"The environment variable {nome} is required and is not set.")
        return padrao
    return valor


def env_bool(nome: str, padrao: bool = False) -> bool:
    valor = os.environ.get(nome)
    if valor is None:
        return padrao
    normal = valor.strip().lower()
    if normal in _VERDADEIROS:
        return True
    if normal in _FALSOS:
        return False
    raise ImproperlyConfigured(f"{nome}={valor!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def env_int(nome: str, padrao: int, *, minimo: int | None = None) -> int:
    valor = os.environ.get(nome)
    if valor is None:
        return padrao
    try:
        numero = int(valor)
    except ValueError:
        raise ImproperlyConfigured(f"{nome}={valor!r} is not an integer.") from None
    if minimo is not None and numero < minimo:
        raise ImproperlyConfigured(f"{nome}={numero} must be at least {minimo}.")
    return numero


def env_list(nome: str, padrao: list[str]) -> list[str]:
    valor = os.environ.get(nome)
    if valor is None:
        return padrao
    itens = [parte.strip() for parte in valor.split(",") if parte.strip()]
    if not itens:
        raise ImproperlyConfigured(f"{nome} is set but empty: give a comma-separated list.")
    return itens


def env_database(nome: str, padrao: str) -> dict[str, Any]:
    """Parses a database URL with dj-database-url; refuses unknown schemes with a sentence."""
    import dj_database_url

    url = os.environ.get(nome) or padrao
    try:
        config = dj_database_url.parse(url)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{nome}={url!r} is not a database URL this project understands "
            f"(use postgres://user@host:port/name or sqlite:///path): {exc}"
        ) from None
    if config.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured(f"{nome}={url!r}: only PostgreSQL and SQLite are supported.")
    return dict(config)


def env_repassar(nomes: list[str]) -> dict[str, str]:
    """The values of these variables in PROMETHEUS' own environment, for a deployment command an
    admin configured to receive them (``herdar``); variables that are not set are left out."""
    return {nome: os.environ[nome] for nome in nomes if nome in os.environ}


def env_exportar(nome: str, valor: str) -> None:
    """Puts a variable in this process's environment for the processes it starts (gunicorn's
    master, before its workers fork: ``prometheus_site.gunicorn``)."""
    os.environ[nome] = valor


def env_redes(nome: str, padrao: list[str]) -> list:
    """A comma-separated list of networks (``10.0.0.0/8``, ``::1/128``, or one address)."""
    import ipaddress

    redes = []
    for texto in env_list(nome, padrao):
        try:
            redes.append(ipaddress.ip_network(texto, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{nome}: {texto!r} is not a network (use 10.0.0.0/8 or an address).") from None
    return redes
