"""The REST contract through the production server (issue 12): gunicorn as the Procfile starts it,
in its own processes, on the test database; the producer is this test process, so a long poll is
woken by PostgreSQL's NOTIFY and nothing else.

What the database says about the server's connections (``pg_stat_activity``, ``pg_locks``) is
the evidence that a waiting request holds no transaction or lock and runs no query.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections import Counter

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from backlog import services
from backlog.models import Evento, Item, Status
from tests.servidores import PRAZO, ServidorWeb, processos_com_marca

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CONSUMIR = "/api/backlog/consumir/"
CONCLUIR = "/api/backlog/concluir/"


@pytest.fixture
def servidor(tmp_path):
    iniciados: list[ServidorWeb] = []

    def iniciar(**ambiente: str) -> ServidorWeb:
        iniciados.append(ServidorWeb(tmp_path, **ambiente))
        return iniciados[-1]

    yield iniciar
    for s in iniciados:
        s.parar()


@pytest.fixture
def sessao(elenco):
    cliente = requests.Session()
    cliente.headers["Authorization"] = f"Token {Token.objects.create(user=elenco['sistema']).key}"
    yield cliente
    cliente.close()


def _conexoes_web() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, state_change, query FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'prom-web-teste'"
        )
        return cursor.fetchall()


def _travas_da_web() -> int:
    # This database's servers only: another pytest-xdist worker's gunicorn has the same name.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE a.datname = current_database() AND a.application_name = 'prom-web-teste'"
        )
        return cursor.fetchone()[0]


def _esperar_espera_ociosa() -> tuple:
    """Until one of the server's connections sits idle after the wait's last query (the nearest
    backoff): the request is then asleep in its wait. Returns that connection's row."""
    limite = time.monotonic() + PRAZO
    while time.monotonic() < limite:
        for linha in _conexoes_web():
            if linha[1] == "idle" and "MIN(" in linha[3] and "disponivel_em" in linha[3]:
                return linha
        time.sleep(0.05)
    pytest.fail(f"no waiting request in {PRAZO} s: {_conexoes_web()}")


def _em_fundo(funcao):
    resultado: dict = {}

    def rodar() -> None:
        try:
            resultado["valor"] = funcao()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            resultado["erro"] = exc

    fio = threading.Thread(target=rodar)
    fio.start()
    return fio, resultado


def test_long_poll_acorda_com_o_commit_de_outro_processo_sem_consultar_nem_travar(servidor, sessao):
    web = servidor()
    fio, resultado = _em_fundo(
        lambda: sessao.post(
            web.url + CONSUMIR,
            json={"tipos": ["lp_teste"], "consumidor": "lp", "espera_segundos": 20},
            timeout=PRAZO,
        )
    )
    pid, _, mudou_em, _ = _esperar_espera_ociosa()
    time.sleep(1.5)  # more than a wake-up interval of the wait (1 s)
    agora = {linha[0]: linha for linha in _conexoes_web()}
    # The waiting request's connection ran no query since, and holds no transaction or lock.
    assert agora[pid][1] == "idle" and agora[pid][2] == mudou_em
    assert not [linha for linha in agora.values() if linha[1].startswith("idle in transaction")]
    assert _travas_da_web() == 0

    item = services.produzir(tipo="lp_teste", produtor="outro-processo")
    fio.join(timeout=PRAZO)

    assert "erro" not in resultado, resultado
    resposta = resultado["valor"]
    assert resposta.status_code == 200, resposta.text
    assert resposta.json()["id"] == item.pk
    item.refresh_from_db()
    assert (item.status, item.consumidor) == (Status.EM_PROCESSAMENTO, "lp")


def test_long_poll_sem_item_e_204_depois_da_espera(servidor, sessao):
    web = servidor()
    services.produzir(tipo="outro_tipo", produtor="p")

    resposta = sessao.post(
        web.url + CONSUMIR, json={"tipos": ["lp_nada"], "consumidor": "lp", "espera_segundos": 1}, timeout=PRAZO
    )

    assert resposta.status_code == 204
    assert not Evento.objects.filter(tipo="consumido").exists()


def test_long_poll_interrompido_pelo_cliente_nao_deixa_lease_nem_trava(servidor, sessao):
    web = servidor()
    corpo = json.dumps({"tipos": ["lp_teste"], "consumidor": "lp", "espera_segundos": 20}).encode()
    cliente = socket.create_connection(("127.0.0.1", web.porta))
    cliente.sendall(
        (
            f"POST {CONSUMIR} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {sessao.headers['Authorization']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(corpo)}\r\n\r\n"
        ).encode()
        + corpo
    )
    _esperar_espera_ociosa()
    cliente.close()  # the consumer gives up (killed, timed out on its side)

    item = services.produzir(tipo="lp_teste", produtor="outro-processo")
    limite = time.monotonic() + 3  # long enough for any claim after the wake-up to have happened
    while time.monotonic() < limite:
        item.refresh_from_db()
        assert item.status == Status.PENDENTE, "the abandoned long poll claimed the item"
        time.sleep(0.05)

    assert (item.lease_token, item.tentativas) == (None, 0)
    assert list(Evento.objects.filter(item=item).values_list("tipo", flat=True)) == ["produzido"]
    assert _travas_da_web() == 0
    # And the item goes to the next consumer at once.
    resposta = sessao.post(web.url + CONSUMIR, json={"tipos": ["lp_teste"], "consumidor": "outro"}, timeout=PRAZO)
    assert resposta.status_code == 200 and resposta.json()["id"] == item.pk


def test_lotes_entregam_cada_item_a_exatamente_um_de_8_clientes(servidor, elenco):
    web = servidor(PROMETHEUS_WEB_WORKERS="2", PROMETHEUS_WEB_THREADS="4")
    Item.objects.bulk_create(Item(tipo="lote_http", produtor="teste", prioridade=n % 3) for n in range(700))
    ids = set(Item.objects.values_list("pk", flat=True))
    chave = Token.objects.create(user=elenco["sistema"]).key
    partida = threading.Barrier(8)

    def drenar(n: int) -> list[int]:
        with requests.Session() as cliente:
            cliente.headers["Authorization"] = f"Token {chave}"
            concluidos: list[int] = []
            partida.wait(timeout=PRAZO)
            while True:
                resposta = cliente.post(
                    web.url + CONSUMIR,
                    json={"tipos": ["lote_http"], "consumidor": f"cliente-{n}", "quantidade": 7},
                    timeout=PRAZO,
                )
                if resposta.status_code == 204:
                    return concluidos
                assert resposta.status_code == 200, resposta.text
                lote = resposta.json()
                feito = cliente.post(
                    web.url + CONCLUIR,
                    json={
                        "itens": [{"id": i["id"], "lease_token": i["lease_token"], "resultado": {"n": n}} for i in lote]
                    },
                    timeout=PRAZO,
                ).json()
                assert feito["concluidos"] == len(lote), feito
                concluidos.extend(i["id"] for i in lote)

    fios = [_em_fundo(lambda n=n: drenar(n)) for n in range(8)]
    for fio, _ in fios:
        fio.join(timeout=PRAZO * 3)
    resultados = [r for _, r in fios]
    assert all("erro" not in r for r in resultados), [r.get("erro") for r in resultados]
    todos = [pk for r in resultados for pk in r["valor"]]

    assert len(todos) == len(set(todos)) == len(ids) and set(todos) == ids
    assert set(Item.objects.values_list("status", flat=True)) == {Status.CONCLUIDO}
    por_item = Counter(Evento.objects.values_list("item_id", "tipo"))
    assert set(por_item.values()) == {1} and len(por_item) == 2 * len(ids)
    for n, r in enumerate(resultados):
        assert set(Item.objects.filter(pk__in=r["valor"]).values_list("consumidor", flat=True)) <= {f"cliente-{n}"}


def test_esperas_nao_tomam_as_threads_das_paginas(servidor, sessao):
    # 1 process of 2 threads: at most 1 request waits, the other thread always answers.
    web = servidor(PROMETHEUS_WEB_THREADS="2")
    pedido = {"tipos": ["lp_fome"], "consumidor": "lp", "espera_segundos": 20}
    esperando, resultado = _em_fundo(lambda: sessao.post(web.url + CONSUMIR, json=pedido, timeout=PRAZO))
    _esperar_espera_ociosa()

    # A second long poll finds no place to wait: it answers at once, like a short poll.
    assert sessao.post(web.url + CONSUMIR, json=pedido, timeout=PRAZO).status_code == 204
    assert requests.get(web.url + "/contas/login/", timeout=PRAZO).status_code == 200
    assert esperando.is_alive()  # the pages were answered while the first one still waits

    item = services.produzir(tipo="lp_fome", produtor="p")
    esperando.join(timeout=PRAZO)
    assert resultado["valor"].status_code == 200 and resultado["valor"].json()["id"] == item.pk


def test_parar_o_servidor_encerra_as_esperas_e_nao_deixa_processos(servidor, sessao):
    web = servidor()
    fio, resultado = _em_fundo(
        lambda: sessao.post(
            web.url + CONSUMIR, json={"tipos": ["lp_parada"], "consumidor": "lp", "espera_segundos": 20}, timeout=PRAZO
        )
    )
    _esperar_espera_ociosa()

    os.killpg(web.processo.pid, signal.SIGTERM)  # what honcho does on Ctrl-C
    web.processo.wait(timeout=PRAZO)
    fio.join(timeout=PRAZO)

    assert resultado["valor"].status_code == 204  # answered, not cut off
    assert "Shutting down: Master" in web.log()
    assert processos_com_marca(web.marca) == []


def test_arquivos_estaticos_servidos_pelo_whitenoise_comprimidos(servidor, tmp_path):
    import subprocess
    import sys

    from tests.servidores import RAIZ

    ambiente = {**os.environ, "PROMETHEUS_VAR_DIR": str(tmp_path / "var"), "DEBUG": "false", "SECRET_KEY": "x" * 40}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=RAIZ, env=ambiente, check=True
    )
    web = servidor()

    resposta = requests.get(web.url + "/static/css/prometheus.css", headers={"Accept-Encoding": "gzip"}, timeout=PRAZO)

    assert resposta.status_code == 200
    assert resposta.headers["Server"] == "gunicorn"
    assert resposta.headers["Content-Encoding"] == "gzip"
    assert "max-age" in resposta.headers["Cache-Control"]
    assert b"{" in resposta.content  # decoded CSS
