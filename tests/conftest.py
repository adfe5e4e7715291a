from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from rest_framework.test import APIClient

from backlog import sql

NO_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def _tokens_esquecidos():
    """Each test starts with no API token nor access rule remembered by this process."""
    from backlog import acesso
    from backlog.api.autenticacao import esquecer_todos

    esquecer_todos()
    acesso.esquecer()


@pytest.fixture(autouse=True)
def _idioma_padrao():
    """Each test starts in the site's default language and leaves it behind: a request made with
    Django's test client activates its language in this thread (LocaleMiddleware never
    deactivates it), and the next test's messages would come out in that language."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _senhas_rapidas(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PROMETHEUS_BACKOFF_SEGUNDOS = 0


def pytest_configure(config):
    """What ``manage.py`` makes before a command (settings create nothing), the SQLite test
    database's directory among them, so ``pytest`` alone works on a fresh clone too."""
    from django.conf import settings

    for pasta in settings.PROMETHEUS_DIRETORIOS:
        pasta.mkdir(parents=True, exist_ok=True)
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        config.pluginmanager.register(TodosRodaram(), "prometheus-todos-rodaram")


class TodosRodaram:
    """Under pytest-xdist, on the controller: a run in which fewer tests ran than were collected
    fails. Schemathesis's cases of tests/test_esquema_api.py share one node id; a scheduler that
    hands out tests by node id (``--dist loadfile``, ``loadgroup``) ran one of the 43 and the run
    still passed. The default ``--dist load`` hands them out by position and runs them all."""

    def __init__(self) -> None:
        self.rodados = 0
        self.falta = 0

    def pytest_runtest_logreport(self, report):
        if report.when == "teardown":  # one per test that ran, whatever its outcome
            self.rodados += 1

    def pytest_sessionfinish(self, session, exitstatus):
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            self.falta = session.testscollected - self.rodados
            if self.falta > 0:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if self.falta > 0:
            terminalreporter.write_line(
                f"{self.falta} of {self.rodados + self.falta} collected tests never ran (pytest-xdist's --dist?)",
                red=True,
            )


def pytest_terminal_summary(terminalreporter, config):
    """The order of this run, so a failure that depends on it can be replayed (``-q`` hides
    pytest-randomly's own header line). Under pytest-xdist every worker shuffles with this seed and
    runs, in this order, the share of the tests it was handed as the run went: one process
    (``-n 0``) runs the whole order, each worker's share within it."""
    semente = getattr(config.option, "randomly_seed", None)
    em_paralelo = bool(getattr(config.option, "numprocesses", None))
    if getattr(config.option, "reverse", False):
        terminalreporter.write_line("order: reversed (--reverse)")
    elif semente is not None and config.pluginmanager.has_plugin("randomly"):
        replay = f"--randomly-seed={semente}" + (" (-n 0: all of it in one process)" if em_paralelo else "")
        terminalreporter.write_line(f"order: shuffled, replay with {replay}")


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


def _restaurar_dados_iniciais() -> None:
    """Writes back what the data migrations wrote (roles, pricing model v1, the sweep schedule,
    the access rules, the published tables of DORA bands), as they write it, on the historical models; idempotent."""
    from importlib import import_module

    from django.db.migrations.loader import MigrationLoader

    apps = MigrationLoader(connection).project_state().apps
    import_module("fabrica.migrations.0003_dados_iniciais").dados_iniciais(apps, None)
    import_module("fabrica.migrations.0015_regras_de_acesso").regras_de_acesso(apps, None)
    import_module("fabrica.migrations.0018_avisos").agendar_resumo(apps, None)
    import_module("fabrica.migrations.0027_tabelas_de_faixas").publicadas(apps, None)


@pytest.fixture(autouse=True)
def _dados_iniciais_presentes(request):
    """A ``transaction=True`` test ends by flushing the test database, which takes away what the
    data migrations wrote (and from later runs, with --reuse-db): before each database test,
    put it back if it is missing (one cheap query otherwise)."""
    marca = request.node.get_closest_marker("django_db")
    transacional = "transactional_db" in request.fixturenames or bool(
        marca and (marca.kwargs.get("transaction") or (marca.args and marca.args[0]))
    )
    if not (marca or transacional or "db" in request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if transacional else "db")
    if not _dados_iniciais_completos():
        _restaurar_dados_iniciais()


def _dados_iniciais_completos() -> bool:
    """One sign of each thing ``_restaurar_dados_iniciais`` writes back. Checking the roles alone
    is not enough: with --reuse-db, a later data migration applied to a database that an earlier
    run left flushed writes the roles again, and the schedule or the pricing model stays missing."""
    from django_q.models import Schedule

    from backlog.models import RegraAcesso
    from fabrica.models import ModeloPrecificacao, TabelaFaixas

    return (
        Group.objects.filter(name="PO").exists()
        and ModeloPrecificacao.objects.filter(versao=1).exists()
        and Schedule.objects.filter(name="prometheus-varredura").exists()
        and Schedule.objects.filter(name="prometheus-resumo-diario").exists()
        and RegraAcesso.objects.exists()
        and TabelaFaixas.objects.exists()
    )


@pytest.fixture
def specs_exemplo(db):
    """Every sample spec imported, as the demo does (from the files, without git)."""
    from fabrica.specs.services import spec_importar
    from tests.apoio import EXEMPLOS

    return {
        caminho.stem: spec_importar(
            texto=caminho.read_text(encoding="utf-8"),
            origem="git",
            commit="c0ffee" * 6 + "c0ff",
            caminho=f"specs/{caminho.name}",
        )[0]
        for caminho in sorted(EXEMPLOS.glob("*.yaml"))
    }


@pytest.fixture
def orcamento_pronto(specs_exemplo):
    """spec_002's budget, approvable at once (its only need, postgres, is a capability)."""
    from fabrica.models import Capacidade
    from tests.apoio import orcar

    Capacidade.objects.create(tipo="container", nome="postgres")
    return orcar("spec_002")


@pytest.fixture
def orcamento_bloqueado(specs_exemplo):
    """The seed's example 3.3: spec_001 waits for the Whisper API and a GPU the factory lacks."""
    from tests.apoio import orcar

    return orcar("spec_001")
