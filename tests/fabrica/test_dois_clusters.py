"""Two cluster nodes against one PostgreSQL (issue 20): two ``manage.py cluster`` process groups,
each with its own name (``PROMETHEUS_NO``), ``PROMETHEUS_VAR_DIR`` and sandbox uids, on each
broker, build a batch of specs as internal items. One node is killed with SIGKILL while it builds
a vertente: its item is rescued by its lease and finished by the other node. Every internal item
is concluded once, and each ``desenvolvimento`` gets one release.

The schedule's sweep (every minute in production) runs here every half second in a third process
with the nodes' settings, so the rescue takes the lease's few seconds, not a minute."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count, Q

from backlog.models import Evento, Item, Status
from fabrica.contratos import TIPOS_INTERNOS, TipoItem
from fabrica.decisoes.services import orcamento_aprovar
from fabrica.models import Capacidade, Construcao, Release
from tests.apoio import RAIZ_DO_PROJETO, orcar
from tests.conftest import NO_CI
from tests.fabrica.test_qcluster import url_do_banco_de_teste
from tests.processos import parar_com_grupo
from tests.servidores import MARCA, processos_com_marca

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PRAZO = 240  # seconds: a bound for a stuck batch on a loaded 2-core machine, not a performance figure
LEASE = 8  # seconds: short, so the dead node's item comes back quickly (renewed every LEASE/3)
VERTENTES_DO_LOTE = {"spec_002": ["D", "E"], "spec_003": ["P"], "spec_004": ["I"]}

_VARREDOR = """
import time
import django
django.setup()
from fabrica.tasks import varrer
while True:
    varrer()
    time.sleep(0.5)
"""


def _redis_url() -> str:
    url = f"redis://127.0.0.1:6379/{random.randint(8, 15)}"  # noqa: S311 - a scratch database, not a secret
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no usable Redis here
        mensagem = f"needs Redis at 127.0.0.1:6379 ({exc})"
        if NO_CI:
            pytest.fail(mensagem + " (CI=true: this test must not skip)")
        pytest.skip(mensagem)
    return url


class _Grupo:
    """A process started in its own process group (its children with it), logging to a file."""

    def __init__(self, nome: str, argv: list[str], env: dict[str, str], pasta: Path) -> None:
        self.nome = nome
        self.marca = uuid.uuid4().hex
        self.log = (pasta / f"{nome}.log").open("w+")
        self.processo = subprocess.Popen(
            argv,
            cwd=RAIZ_DO_PROJETO,
            env={**env, MARCA: self.marca},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def matar(self) -> None:
        """The node dies: SIGKILL to every process of it (``manage.py cluster`` runs its qcluster
        in a process group of its own, so the marker finds them all), none of them warned."""
        os.killpg(self.processo.pid, signal.SIGKILL)
        for pid in processos_com_marca(self.marca):
            os.kill(pid, signal.SIGKILL)
        self.processo.wait(timeout=30)

    def encerrar(self) -> None:
        parar_com_grupo(self.processo)
        for pid in processos_com_marca(self.marca):  # whatever left the group
            os.kill(pid, signal.SIGKILL)
        self.log.close()

    def texto(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]


@pytest.fixture
def lote(specs_exemplo, elenco):
    """One approved budget per spec of the batch: a desenvolvimento each, waiting for a node."""
    Capacidade.objects.create(tipo="container", nome="postgres")
    for spec_ref in VERTENTES_DO_LOTE:
        orcamento_aprovar(orcamento_id=orcar(spec_ref).pk, por=elenco["po"])
    return list(Item.objects.filter(tipo=TipoItem.DESENVOLVIMENTO).order_by("pk"))


@pytest.mark.parametrize("broker", ["orm", "redis"])
def test_dois_nos_constroem_o_lote_e_um_no_morto_e_resgatado(lote, broker, tmp_path):
    comum = {
        **os.environ,
        "DATABASE_URL": url_do_banco_de_teste(),
        "PROMETHEUS_Q_BROKER": broker if broker == "orm" else _redis_url(),
        "PROMETHEUS_Q_SYNC": "false",
        "PROMETHEUS_LEASE_SEGUNDOS": str(LEASE),
        "PROMETHEUS_BACKOFF_SEGUNDOS": "0",
        "PROMETHEUS_SANDBOX_TEMPO_S": "60",
        "PROMETHEUS_SANDBOX_TEMPO_TESTE_S": "10",
        "PROMETHEUS_SPECS_REPO": str(settings.PROMETHEUS_SPECS_REPO),
        "PYTHONUNBUFFERED": "1",
    }

    def no(nome: str, uid: int) -> dict[str, str]:
        return {
            **comum,
            "PROMETHEUS_NO": nome,
            "PROMETHEUS_VAR_DIR": str(tmp_path / nome),
            "PROMETHEUS_Q_WORKERS": "2",
            "PROMETHEUS_SANDBOX_UID": str(uid),
        }

    cluster = [sys.executable, str(RAIZ_DO_PROJETO / "manage.py"), "cluster"]
    grupos = []
    try:
        a = _Grupo("no-a", cluster, no("no-a", 61100), tmp_path)
        grupos.append(a)
        # Node A starts first: it is building a vertente when it is killed.
        limite = time.monotonic() + PRAZO
        while not (
            morto := Item.objects.filter(
                tipo__in=TIPOS_INTERNOS, status=Status.EM_PROCESSAMENTO, consumidor__startswith="PROMETHEUS@no-a:"
            )
            .exclude(tipo=TipoItem.MONTAR_RELEASE)
            .first()
        ):
            assert a.processo.poll() is None, a.texto()
            assert time.monotonic() < limite, f"no-a não pegou uma vertente em {PRAZO} s:\n{a.texto()}"
            time.sleep(0.05)
        a.matar()
        grupos.append(_Grupo("no-b", cluster, no("no-b", 61200), tmp_path))
        grupos.append(_Grupo("varredor", [sys.executable, "-c", _VARREDOR], no("varredor", 61300), tmp_path))

        while Release.objects.filter(item_origem__in=lote).count() < len(lote):
            for g in grupos[1:]:
                assert g.processo.poll() is None, f"{g.nome} saiu:\n{g.texto()}"
            assert time.monotonic() < limite, "\n".join(f"--- {g.nome}\n{g.texto()}" for g in grupos)
            time.sleep(0.2)
    finally:
        for g in grupos:
            g.encerrar()

    # One release per desenvolvimento, one aprovar_release each, every vertente in it.
    for origem in lote:
        release = Release.objects.get(item_origem=origem)
        assert sorted(release.recursos) == sorted(VERTENTES_DO_LOTE[origem.spec_ref])
        assert sorted(Construcao.objects.get(item=origem).resultados) == sorted(VERTENTES_DO_LOTE[origem.spec_ref])
    assert Item.objects.filter(tipo=TipoItem.APROVAR_RELEASE).count() == len(lote)
    # Every internal item concluded exactly once; the batch's work was spread over both nodes.
    internos = Item.objects.filter(tipo__in=TIPOS_INTERNOS)
    assert internos.count() == sum(len(v) + 1 for v in VERTENTES_DO_LOTE.values())
    assert set(internos.values_list("status", flat=True)) == {Status.CONCLUIDO}
    conclusoes = Evento.objects.filter(item__in=internos, tipo="concluido").values("item").annotate(n=Count("pk"))
    assert sorted(c["n"] for c in conclusoes) == [1] * internos.count()
    # The dead node's vertente was rescued by its lease and finished by the other node.
    morto.refresh_from_db()
    assert morto.tentativas >= 2 and morto.consumidor.startswith("PROMETHEUS@no-b:")
    assert Evento.objects.filter(item=morto, tipo="lease_expirado").exists()
    assert morto.resultado["no"] == "no-b"
    assert internos.filter(consumidor__startswith="PROMETHEUS@no-b:").exists()
    assert not internos.filter(~Q(consumidor__startswith="PROMETHEUS@no-"), status=Status.CONCLUIDO).exists()
