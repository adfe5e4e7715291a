"""The seed's example 3.3 through a real cluster process on PostgreSQL (issue 4): an ``orcar_spec``
committed by a producer is dispatched on commit to django-q2 (ORM broker), priced by a worker of
another process, and its budget appears with the two gaps. The cluster is started as the
Procfile starts it (``manage.py cluster``), and stops as honcho stops it (issue 8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.models import Gap, Orcamento
from fabrica.specs.services import spec_importar
from tests.processos import parar_com_grupo
from tests.servidores import MARCA, processos_com_marca

RAIZ = Path(__file__).resolve().parents[2]
EXEMPLOS = RAIZ / "examples" / "specs-repo" / "specs"
PRAZO = 60  # seconds: a bound for a stuck cluster, not a performance figure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def url_do_banco_de_teste() -> str:
    """The test database (not the project's), as a URL for the cluster process."""
    d = connection.settings_dict
    credencial = quote(d["USER"] or "", safe="") + (f":{quote(d['PASSWORD'], safe='')}" if d["PASSWORD"] else "")
    return f"postgres://{credencial}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


@pytest.fixture
def cluster(tmp_path):
    """A real ``manage.py cluster`` with 2 workers on the test database; always ended."""
    marca = uuid.uuid4().hex
    env = {
        **os.environ,
        "DATABASE_URL": url_do_banco_de_teste(),
        "PROMETHEUS_Q_WORKERS": "2",
        "PROMETHEUS_Q_SYNC": "false",
        "PYTHONUNBUFFERED": "1",
        MARCA: marca,
    }
    registro = (tmp_path / "qcluster.log").open("w+")
    processo = subprocess.Popen(
        [sys.executable, str(RAIZ / "manage.py"), "cluster"],
        cwd=RAIZ,
        env=env,
        stdout=registro,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: workers too
    )
    processo.marca = marca
    try:
        yield processo, registro
    finally:
        parar_com_grupo(processo)
        for pid in processos_com_marca(marca):  # whatever left the group
            os.kill(pid, signal.SIGKILL)
        registro.close()


def _log(registro) -> str:
    registro.flush()
    registro.seek(0)
    return registro.read()[-4000:]


def test_orcar_spec_pelo_qcluster_real(cluster):
    processo, registro = cluster
    for arquivo in sorted(EXEMPLOS.glob("*.yaml")):
        spec_importar(
            texto=arquivo.read_text(encoding="utf-8"), origem="git", commit="ab" * 20, caminho=f"specs/{arquivo.name}"
        )

    # Autocommit here (transaction=True): produzir's transaction commits, and its on-commit
    # listener enqueues the django-q2 task in the ORM broker's table for the cluster to pick.
    item = backlog.produzir(tipo="orcar_spec", produtor="Epistemologia", contexto={"spec_ref": "spec_001"})
    assert not connection.in_atomic_block

    limite = time.monotonic() + PRAZO
    while not Orcamento.objects.filter(item_orcar=item).exists():
        assert processo.poll() is None, f"qcluster saiu com {processo.returncode}:\n{_log(registro)}"
        assert time.monotonic() < limite, f"sem orçamento em {PRAZO} s; log do qcluster:\n{_log(registro)}"
        time.sleep(0.05)

    orc = Orcamento.objects.select_related("item_aprovacao").get(item_orcar=item)
    item.refresh_from_db()
    assert item.status == Status.CONCLUIDO
    # Claimed by a worker of the cluster, not by this process.
    assert item.consumidor.startswith("PROMETHEUS@") and not item.consumidor.endswith(f":{os.getpid()}")
    assert {(g.tipo_recurso, g.recurso) for g in Gap.objects.filter(orcamento=orc)} == {
        ("api_externa", "whisper_api"),
        ("hardware", "gpu"),
    }
    assert orc.item_aprovacao.tipo == "aprovar_orcamento"
    assert orc.item_aprovacao.status == Status.BLOQUEADO
    assert Item.objects.filter(tipo="entrevistar_dor", produzido_por=item, status=Status.PENDENTE).count() == 2


def test_sigterm_ao_grupo_para_o_cluster_em_ordem_sem_deixar_processos(cluster):
    """What honcho does on Ctrl-C (``killpg(SIGTERM)``): a bare ``qcluster`` then hangs in
    "stopping" (its sentinel dies at once and ``stop_event.set()`` waits for it forever);
    ``manage.py cluster`` stops in order, and nothing of it is left running."""
    processo, registro = cluster
    limite = time.monotonic() + PRAZO
    while "running." not in _log(registro):
        assert processo.poll() is None, _log(registro)
        assert time.monotonic() < limite, f"the cluster did not start in {PRAZO} s:\n{_log(registro)}"
        time.sleep(0.1)

    os.killpg(processo.pid, signal.SIGTERM)
    assert processo.wait(timeout=PRAZO) == 0

    log = _log(registro)
    assert "has stopped." in log, log
    assert "à força" not in log, log  # stopped in order, not killed at the deadline
    assert processos_com_marca(processo.marca) == []
