"""A consumer process killed in the middle of a build (SIGKILL, no chance to clean up): the
vertente it was building is rescued when its lease expires and built again, and the build ends in
exactly one release. On PostgreSQL, with a real process, since the claim is about processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.consumidor import processar_proximo
from fabrica.decisoes.services import orcamento_aprovar
from fabrica.models import Capacidade, Construcao, Release
from tests.apoio import RAIZ_DO_PROJETO, orcar
from tests.fabrica import dubles

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PRAZO = 60

# Builds with a double whose E generation never ends: the process is killed while it "generates".
_CONSUMIDOR_LENTO = """
import sys, time
import django
django.setup()
from fabrica.consumidor import processar_proximo
from fabrica.desenvolvimento import base
from tests.fabrica import dubles

class Lento(dubles.WorkerDeTeste):
    vertente = "D"
    def gerar_codigo(self, entrada):
        print("gerando", flush=True)
        time.sleep(600)

base._workers.clear()
base._workers.update({"D": Lento, "E": dubles.worker("E")})
processar_proximo(["desenvolvimento"])
while processar_proximo(["worker_estrutura", "worker_dados", "montar_release"]) is not None:
    pass
"""


def _url_do_banco_de_teste() -> str:
    d = connection.settings_dict
    credencial = quote(d["USER"] or "", safe="") + (f":{quote(d['PASSWORD'], safe='')}" if d["PASSWORD"] else "")
    return f"postgres://{credencial}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def test_consumidor_morto_no_meio_da_construcao_gera_uma_release(specs_exemplo, elenco, workers, settings):
    settings.PROMETHEUS_SANDBOX = {**settings.PROMETHEUS_SANDBOX, "tempo_total_s": 60, "tempo_por_teste_s": 5}
    Capacidade.objects.create(tipo="container", nome="postgres")
    orcamento_aprovar(orcamento_id=orcar("spec_002").pk, por=elenco["po"])
    item = Item.objects.get(tipo="desenvolvimento")

    processo = subprocess.Popen(
        [sys.executable, "-c", _CONSUMIDOR_LENTO],
        cwd=RAIZ_DO_PROJETO,
        env={**os.environ, "DATABASE_URL": _url_do_banco_de_teste(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert processo.stdout.readline().strip() == "gerando", processo.stderr.read()
        # E is built (by the worker that split the build), D is being generated: the progress row
        # says so, no release exists yet.
        etapas = Construcao.objects.get(item=item).etapas
        assert (etapas["E"]["estado"], etapas["D"]["estado"]) == ("concluida", "gerando")
        processo.send_signal(signal.SIGKILL)
        assert processo.wait(timeout=PRAZO) == -signal.SIGKILL
    finally:
        if processo.poll() is None:
            processo.kill()
        processo.wait(timeout=PRAZO)
    # The desenvolvimento was split, E concluded, D is held by the dead process; nothing packaged.
    item.refresh_from_db()
    assert item.status == Status.CONCLUIDO and not Release.objects.exists()
    vertente_d = Item.objects.get(tipo="worker_dados", produzido_por=item)
    assert vertente_d.status == Status.EM_PROCESSAMENTO
    assert Item.objects.get(tipo="worker_estrutura", produzido_por=item).status == Status.CONCLUIDO
    assert Item.objects.get(tipo="montar_release", produzido_por=item).status == Status.BLOQUEADO

    # The lease runs out (made to here, rather than waited for), the sweep rescues the item.
    Item.objects.filter(pk=vertente_d.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))
    assert backlog.resgatar_expirados() == 1
    workers(dubles.worker("D"), dubles.worker("E"))
    limite = time.monotonic() + PRAZO
    while processar_proximo(["worker_dados"]) != vertente_d.pk:  # the backoff of a rescue is zero
        assert time.monotonic() < limite
        time.sleep(0.1)
    # The rescuing worker concluded the last vertente, so it packaged the release too.
    assert Item.objects.get(tipo="montar_release", produzido_por=item).status == Status.CONCLUIDO
    assert processar_proximo(["montar_release"]) is None

    (release,) = Release.objects.all()
    assert release.item_origem_id == item.pk and release.testes_passaram
    vertente_d.refresh_from_db()
    assert vertente_d.status == Status.CONCLUIDO and vertente_d.tentativas == 2
    assert Item.objects.filter(tipo="aprovar_release").count() == 1


def test_duas_decisoes_ao_mesmo_tempo_sobre_a_release_dao_uma(specs_exemplo, elenco, workers, settings):
    """Two PO tabs: one approves, the other rejects, at the same moment; one decision wins."""
    import threading

    from django.db import connections, transaction

    from fabrica.erros import TransicaoInvalida
    from fabrica.models import Ambiente
    from fabrica.releases import services
    from tests.apoio import desenvolver

    settings.PROMETHEUS_SANDBOX = {**settings.PROMETHEUS_SANDBOX, "tempo_total_s": 60, "tempo_por_teste_s": 5}
    Capacidade.objects.create(tipo="container", nome="postgres")
    Ambiente.objects.create(nome="homologacao")
    workers(dubles.worker("D"), dubles.worker("E"))
    release = desenvolver(orcar("spec_002"), elenco["po"])
    resultados: list = [None, None]
    barreira = threading.Barrier(2, timeout=10)
    chamadas = [
        lambda: services.release_aprovar(release_id=release.pk, por=elenco["po"]),
        lambda: services.release_rejeitar(release_id=release.pk, por=elenco["po"], motivo="não"),
    ]

    def rodar(i):
        try:
            barreira.wait()
            resultados[i] = ("ok", chamadas[i]())
        except Exception as exc:  # inspected below
            resultados[i] = ("erro", exc)
        finally:
            connections.close_all()

    with transaction.atomic():  # hold the row until both decisions wait for it
        Release.objects.select_for_update().get(pk=release.pk)
        fios = [threading.Thread(target=rodar, args=(i,)) for i in range(2)]
        for fio in fios:
            fio.start()
        time.sleep(1)
    for fio in fios:
        fio.join(timeout=60)
    assert sorted(r[0] for r in resultados) == ["erro", "ok"]
    (erro,) = [r[1] for r in resultados if r[0] == "erro"]
    assert isinstance(erro, TransicaoInvalida) and "já foi decidida" in erro.mensagem
    release.refresh_from_db()
    assert release.status in (Release.Status.APROVADA, Release.Status.REJEITADA)
    assert Item.objects.filter(tipo__in=["implantar", "corrigir_bug"]).count() == 1
