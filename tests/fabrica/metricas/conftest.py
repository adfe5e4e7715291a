"""Fixtures of the metrics tests: a clock the services read (so every recorded instant is known
and each metric has a hand-computed value), and the deployment fixtures of
``tests/fabrica/implantacao`` (environments deploying under a temporary folder, release rows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from backlog import sql

# A Monday, noon UTC (09:00 in São Paulo): every instant of a test's history is T0 + something.
T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


class Relogio:
    def __init__(self, agora: datetime) -> None:
        self.agora = agora

    def __call__(self) -> datetime:
        return self.agora

    def ir(self, **delta: float) -> datetime:
        """Sets the clock to T0 + delta (hours=…, minutes=…)."""
        self.agora = T0 + timedelta(**delta)
        return self.agora


@pytest.fixture
def relogio(monkeypatch):
    """``timezone.now()`` answers this clock's time, for services and ``auto_now_add`` alike; the
    backlog's SQL fast path (which asks PostgreSQL's own clock) is off for these tests."""
    r = Relogio(T0)
    monkeypatch.setattr(timezone, "now", r)
    monkeypatch.setattr(sql, "HABILITADO", False)
    return r


@pytest.fixture(autouse=True)
def sem_cache():
    """/metrics keeps its numbers in the process's cache; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def implantacoes_dir(settings, tmp_path):
    settings.PROMETHEUS_IMPLANTACOES_DIR = tmp_path / "implantacoes"
    settings.PROMETHEUS_IMPLANTACAO_ESPERA = 30
    return settings.PROMETHEUS_IMPLANTACOES_DIR


# The deployment tests' environments (``rapidos``: no smoke checks), release rows (as development
# records them) and their spec.
from tests.fabrica.implantacao.conftest import ambientes, fazer_release, rapidos, spec_teste  # noqa: E402, F401
