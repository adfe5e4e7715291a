"""``/metrics`` and ``/saude/`` from the real server (gunicorn as the Procfile starts it): request
histograms add up across workers, a killed worker's counts stay (marked dead, not lost), and
``/saude/`` answers 503 when the database can't be reached."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.servidores import PRAZO, ServidorWeb

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _contagem(url: str, rota: str) -> float:
    texto = requests.get(url + "/metrics", timeout=30).text
    return sum(
        amostra.value
        for familia in text_string_to_metric_families(texto)
        for amostra in familia.samples
        if amostra.name == "http_request_duration_seconds_count" and amostra.labels.get("rota") == rota
    )


def _filhos(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def test_histogramas_somam_os_workers_e_sobrevivem_a_um_worker_morto(tmp_path):
    servidor = ServidorWeb(tmp_path, PROMETHEUS_WEB_WORKERS="2")
    try:
        for _ in range(10):
            assert requests.get(servidor.url + "/saude/", timeout=30, headers={"Connection": "close"}).status_code in (
                200,
                503,
            )
        antes = _filhos(servidor.processo.pid)
        assert len(antes) == 2
        os.kill(sorted(antes)[0], signal.SIGKILL)
        limite = time.monotonic() + PRAZO
        while len(_filhos(servidor.processo.pid) - antes) < 1:
            assert time.monotonic() < limite, servidor.log()
            time.sleep(0.2)
        for _ in range(10):
            requests.get(servidor.url + "/saude/", timeout=30, headers={"Connection": "close"})
        assert _contagem(servidor.url, "saude") == 20
        arquivos = list((tmp_path / "var" / "metricas-processos").iterdir())
        assert arquivos, "the workers write their histograms to the directory"
    finally:
        servidor.parar()


def test_diretorio_limpo_ao_iniciar(tmp_path):
    velho = tmp_path / "var" / "metricas-processos"
    velho.mkdir(parents=True)
    (velho / "histogram_99999.db").write_bytes(b"lixo de uma execucao anterior")
    servidor = ServidorWeb(tmp_path)
    try:
        assert not (velho / "histogram_99999.db").exists()
        assert requests.get(servidor.url + "/metrics", timeout=30).status_code == 200
    finally:
        servidor.parar()


def test_saude_503_com_o_banco_inalcancavel(tmp_path):
    servidor = ServidorWeb(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:9/inexistente?connect_timeout=2")
    try:
        resposta = requests.get(servidor.url + "/saude/", timeout=30)
        assert resposta.status_code == 503
        assert resposta.json()["verificacoes"]["banco"]["ok"] is False
    finally:
        servidor.parar()
