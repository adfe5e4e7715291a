"""Settings read the environment through typed helpers that stop the start with a sentence."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from prometheus_site.env import env_bool, env_database, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("valor", "esperado"), [("1", True), ("true", True), ("SIM", True), ("off", False), ("0", False), ("", False)]
)
def test_env_bool_aceita_as_formas_usuais(monkeypatch, valor, esperado):
    monkeypatch.setenv("PROMETHEUS_TESTE_BOOL", valor)
    assert env_bool("PROMETHEUS_TESTE_BOOL") is esperado


def test_env_bool_ausente_usa_o_padrao(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_TESTE_BOOL", raising=False)
    assert env_bool("PROMETHEUS_TESTE_BOOL", True) is True


def test_env_bool_recusa_talvez_com_uma_frase(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_TESTE_BOOL", "talvez")
    with pytest.raises(ImproperlyConfigured, match=r"PROMETHEUS_TESTE_BOOL='talvez' is not a boolean") as exc:
        env_bool("PROMETHEUS_TESTE_BOOL")
    assert "true/false" in str(exc.value)


def test_env_int_le_um_inteiro(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_TESTE_INT", "42")
    assert env_int("PROMETHEUS_TESTE_INT", 7) == 42


def test_env_int_recusa_abc_com_uma_frase(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_TESTE_INT", "abc")
    with pytest.raises(ImproperlyConfigured, match=r"PROMETHEUS_TESTE_INT='abc' is not an integer"):
        env_int("PROMETHEUS_TESTE_INT", 7)


def test_env_int_recusa_abaixo_do_minimo(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_TESTE_INT", "0")
    with pytest.raises(ImproperlyConfigured, match=r"PROMETHEUS_TESTE_INT=0 must be at least 1"):
        env_int("PROMETHEUS_TESTE_INT", 7, minimo=1)


def test_env_str_obrigatoria_ausente(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_TESTE_STR", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"PROMETHEUS_TESTE_STR is required"):
        env_str("PROMETHEUS_TESTE_STR")


def test_env_list_vazia_e_recusada(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_TESTE_LISTA", " , ")
    with pytest.raises(ImproperlyConfigured, match=r"PROMETHEUS_TESTE_LISTA is set but empty"):
        env_list("PROMETHEUS_TESTE_LISTA", ["x"])


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("postgres://postgres@127.0.0.1:5432/prometheus", "django.db.backends.postgresql"),
        ("sqlite:////tmp/prometheus-teste.sqlite3", "django.db.backends.sqlite3"),
    ],
)
def test_env_database_aceita_postgres_e_sqlite(monkeypatch, url, engine):
    monkeypatch.setenv("PROMETHEUS_TESTE_DB", url)
    assert env_database("PROMETHEUS_TESTE_DB", "sqlite:///x.sqlite3")["ENGINE"] == engine


def test_env_database_recusa_mysql(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_TESTE_DB", "mysql://root@localhost/prometheus")
    with pytest.raises(ImproperlyConfigured, match=r"only PostgreSQL and SQLite are supported"):
        env_database("PROMETHEUS_TESTE_DB", "sqlite:///x.sqlite3")


@pytest.mark.parametrize("lixo", ["garbage", "http://example.com/db", "postgres://u@h:notaport/db"])
def test_env_database_recusa_lixo_com_uma_frase(monkeypatch, lixo):
    monkeypatch.setenv("PROMETHEUS_TESTE_DB", lixo)
    with pytest.raises(ImproperlyConfigured, match=r"is not a database URL this project understands") as exc:
        env_database("PROMETHEUS_TESTE_DB", "sqlite:///x.sqlite3")
    assert "PROMETHEUS_TESTE_DB" in str(exc.value)
