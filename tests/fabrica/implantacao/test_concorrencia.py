"""Deployments on real PostgreSQL with real processes: two deploys at once to one environment
never interleave (the second waits for the environment's lock), and a deploy whose worker is
SIGKILLed mid-way leaves ``current`` on a complete release and is rescued and finished once.

Each worker is a fresh Python process (``_WORKER``) running the PROMETHEUS consumer on the test
database; the rows the tests create are committed (``transaction=True``) so the workers see them.
The release's smoke check writes to a journal the test reads (when each deploy ran, in order).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.consumidor import processar_proximo
from fabrica.implantacao.alvos import alvo_de
from fabrica.implantacao.arquivo import manifesto_confere
from fabrica.implantacao.models import Implantacao
from tests.fabrica.implantacao.conftest import produzir_implantar
from tests.fabrica.test_qcluster import url_do_banco_de_teste
from tests.processos import parar_com_grupo

RAIZ = Path(__file__).resolve().parents[3]
PRAZO = 60  # seconds: a bound for a stuck worker, not a performance figure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

_WORKER = """
import sys
import django
django.setup()
from fabrica.consumidor import processar_proximo
print("processou", processar_proximo(["implantar"]), flush=True)
"""

# The smoke check: journals its start, waits while a flag file exists (or a moment), journals its end.
_SMOKE = """
import os, sys, time, app
diario, espera = sys.argv[1], sys.argv[2]
with open(diario, "a") as f:
    f.write(f"inicio {app.VERSAO}\\n")
prazo = time.time() + 60
while os.path.exists(espera) and time.time() < prazo:
    time.sleep(0.05)
time.sleep(0.3)
with open(diario, "a") as f:
    f.write(f"fim {app.VERSAO}\\n")
"""


@pytest.fixture
def palco(ambientes, tmp_path):
    homologacao = ambientes["homologacao"]
    homologacao.diretorio = str(tmp_path / "homologacao")
    diario, espera = tmp_path / "diario.txt", tmp_path / "esperar"
    homologacao.configuracao = {"smoke": ["{python}", "-c", _SMOKE, str(diario), str(espera)], "timeout": PRAZO}
    homologacao.save()
    return {"ambiente": homologacao, "diario": diario, "espera": espera, "pasta": tmp_path}


def _worker(nome: str, pasta: Path) -> tuple[subprocess.Popen, Path]:
    saida = pasta / f"{nome}.log"
    env = {**os.environ, "DATABASE_URL": url_do_banco_de_teste(), "PYTHONUNBUFFERED": "1"}
    processo = subprocess.Popen(
        [sys.executable, "-c", _WORKER],
        cwd=RAIZ,
        env=env,
        stdout=saida.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: the smoke check it runs too
    )
    return processo, saida


def _esperar(condicao, descricao: str) -> None:
    prazo = time.monotonic() + PRAZO
    while not condicao():
        if time.monotonic() > prazo:
            pytest.fail(f"timed out waiting for {descricao}")
        time.sleep(0.05)


def _linhas(diario: Path) -> list[str]:
    return diario.read_text().splitlines() if diario.exists() else []


def test_duas_implantacoes_ao_mesmo_tempo_no_mesmo_ambiente_nunca_se_intercalam(fazer_release, palco):
    v1, v2 = fazer_release(1), fazer_release(2)
    itens = [produzir_implantar(v1), produzir_implantar(v2)]
    palco["espera"].touch()  # the first smoke check holds the environment until told
    workers = [_worker(f"w{i}", palco["pasta"]) for i in range(2)]
    try:
        _esperar(lambda: len(_linhas(palco["diario"])) == 1, "the first smoke check to start")
        primeiro_id = Implantacao.objects.get(status=Implantacao.Status.EM_ANDAMENTO).pk
        # The other worker is waiting for the environment, its record says so, nothing interleaves.
        _esperar(
            lambda: Implantacao.objects.filter(
                status=Implantacao.Status.AGUARDANDO, log__contains="Aguardando a implantação"
            ).exists(),
            "the second deploy to wait",
        )
        assert len(_linhas(palco["diario"])) == 1
        palco["espera"].unlink()
        for processo, saida in workers:
            assert processo.wait(timeout=PRAZO) == 0, saida.read_text()
    finally:
        for processo, _ in workers:
            parar_com_grupo(processo)

    registros = list(Implantacao.objects.filter(item__in=itens).order_by("iniciado_em"))
    assert [r.status for r in registros] == [Implantacao.Status.CONCLUIDA] * 2
    primeiro, segundo = registros
    assert primeiro.pk == primeiro_id
    assert segundo.iniciado_em >= primeiro.terminado_em  # serialised, not interleaved
    assert segundo.release_anterior == primeiro.release
    versoes = [str(primeiro.release.versao), str(segundo.release.versao)]
    assert _linhas(palco["diario"]) == [
        f"inicio {versoes[0]}",
        f"fim {versoes[0]}",
        f"inicio {versoes[1]}",
        f"fim {versoes[1]}",
    ]
    assert alvo_de(palco["ambiente"]).atual("spec_teste") == segundo.versao
    assert Item.objects.filter(tipo="validar_implantacao").count() == 2


def test_implantacao_morta_por_sigkill_deixa_current_completo_e_e_retomada_uma_vez(fazer_release, palco, settings):
    settings.PROMETHEUS_IMPLANTACOES_DIR = palco["pasta"]
    v1, v2 = fazer_release(1), fazer_release(2)
    primeiro = produzir_implantar(v1)
    assert processar_proximo(["implantar"]) == primeiro.pk  # v1 serves
    alvo = alvo_de(palco["ambiente"])
    assert alvo.atual("spec_teste") == "spec_teste-v1"

    item = produzir_implantar(v2)
    palco["espera"].touch()
    processo, saida = _worker("morto", palco["pasta"])
    try:
        _esperar(lambda: "inicio 2" in _linhas(palco["diario"]), "the smoke check of v2 to start")
        os.killpg(processo.pid, signal.SIGKILL)  # the worker and its smoke check, mid-deploy
        processo.wait(timeout=PRAZO)
    finally:
        parar_com_grupo(processo)
    palco["espera"].unlink()

    # current still points at v1, complete; v2 is unpacked but not switched to.
    corrente = alvo.current("spec_teste")
    assert os.readlink(corrente) == "releases/spec_teste-v1"
    assert manifesto_confere(corrente) == []
    (registro,) = Implantacao.objects.filter(item=item)
    assert registro.status == Implantacao.Status.EM_ANDAMENTO
    item.refresh_from_db()
    assert item.status == Status.EM_PROCESSAMENTO

    # Its lease expires; the sweep rescues it; another worker finishes it.
    Item.objects.filter(pk=item.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))
    assert backlog.resgatar_expirados() == 1
    outro, saida_outro = _worker("resgate", palco["pasta"])
    try:
        assert outro.wait(timeout=PRAZO) == 0, saida_outro.read_text()
    finally:
        parar_com_grupo(outro)

    (registro,) = Implantacao.objects.filter(item=item)
    assert registro.status == Implantacao.Status.CONCLUIDA, registro.log
    assert "Retomando a implantação interrompida" in registro.log
    assert registro.release_anterior == v1
    item.refresh_from_db()
    assert item.status == Status.CONCLUIDO and item.tentativas == 2
    assert Item.objects.filter(tipo="validar_implantacao", contexto__implantacao_ref=str(registro.pk)).count() == 1
    assert os.readlink(corrente) == "releases/spec_teste-v2" and manifesto_confere(corrente) == []
    pasta_spec = Path(palco["ambiente"].diretorio) / "spec_teste"
    assert sorted(p.name for p in pasta_spec.iterdir()) == ["current", "releases"]
    assert sorted(p.name for p in (pasta_spec / "releases").iterdir()) == ["spec_teste-v1", "spec_teste-v2"]
