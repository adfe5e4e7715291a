from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from rest_framework.test import APIClient

from backlog import sql

NO_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def _senhas_rapidas(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PROMETHEUS_BACKOFF_SEGUNDOS = 0


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        mensagem = "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus"
        if NO_CI:
            pytest.fail(mensagem + " (CI=true: this test must not skip)")
        pytest.skip(mensagem)


def _usuario(nome: str, grupo: str | None, staff: bool = False) -> User:
    usuario = User.objects.create_user(username=nome, password="senha-teste-123", is_staff=staff)
    if grupo:
        usuario.groups.add(Group.objects.get(name=grupo))
    return usuario


@pytest.fixture
def elenco(db):
    """The cast every view is tested with: who may, and who may not."""
    return {
        "sistema": _usuario("sistema", "Sistema"),
        "admin": _usuario("admin", "Administrador", staff=True),
        "po": _usuario("po", "PO"),
        "outsider": _usuario("outsider", None),
        "anon": None,
    }


@pytest.fixture
def api_como(elenco):
    def fazer(quem: str) -> APIClient:
        cliente = APIClient()
        if elenco[quem] is not None:
            cliente.force_authenticate(elenco[quem])
        return cliente

    return fazer


@pytest.fixture(params=["sql", "orm"])
def caminho(request, monkeypatch):
    """Runs a contract test through both implementations of the hot path (SQL on PostgreSQL)."""
    if request.param == "sql" and connection.vendor != "postgresql":
        pytest.skip("the SQL fast path exists only on PostgreSQL")
    monkeypatch.setattr(sql, "HABILITADO", request.param == "sql")
    return request.param


@pytest.fixture
def cliente_como(elenco):
    """A browser session (Django test client) logged in as one of the cast, or anonymous."""
    from django.test import Client

    def fazer(quem: str) -> Client:
        cliente = Client()
        if elenco[quem] is not None:
            cliente.force_login(elenco[quem])
        return cliente

    return fazer


def _garantir_papeis() -> None:
    from django.db.migrations.loader import MigrationLoader

    from fabrica.papeis import PAPEIS, sincronizar_papeis

    if Group.objects.filter(name__in=PAPEIS).count() < len(PAPEIS):
        # The historical models, as the data migration sees them.
        sincronizar_papeis(MigrationLoader(connection).project_state().apps)


@pytest.fixture(scope="session")
def _papeis_da_sessao(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _garantir_papeis()


@pytest.fixture(autouse=True)
def _papeis_presentes(request):
    """The roles come from a data migration; a ``transaction=True`` test flushes the reused test
    database and takes them away from every later test (and later run, with --reuse-db). Puts
    them back for the tests that need the cast: once per run, and again after such a flush."""
    if "elenco" not in request.fixturenames:
        return
    request.getfixturevalue("_papeis_da_sessao")
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    _garantir_papeis()
