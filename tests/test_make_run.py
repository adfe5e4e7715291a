"""``make run`` as a person runs it (issues 8, 12 and 16): it serves the site with the production
server (the one answering is read from the response, not guessed from a time) with DEBUG off
over plain http, and Ctrl-C stops the web server and the cluster in order, leaving no process behind.

It runs on its own SQLite database in a temporary ``var/``, whatever database the suite uses.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid

import pytest
import requests

from tests.servidores import MARCA, PRAZO, RAIZ, porta_livre, processos_com_marca


@pytest.fixture
def make_run(tmp_path):
    porta = porta_livre()
    marca = uuid.uuid4().hex
    registro = (tmp_path / "make-run.log").open("w+")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'prometheus.sqlite3'}",
        "PROMETHEUS_VAR_DIR": str(tmp_path / "var"),
        "PROMETHEUS_WEB_BIND": f"127.0.0.1:{porta}",
        "PYTHONUNBUFFERED": "1",
        MARCA: marca,
    }
    env.pop("MAKEFLAGS", None)
    # Its own session, like a terminal's foreground job: Ctrl-C is SIGINT to this whole group.
    processo = subprocess.Popen(
        ["make", "run"], cwd=RAIZ, env=env, stdout=registro, stderr=subprocess.STDOUT, start_new_session=True
    )

    def log() -> str:
        registro.flush()
        registro.seek(0)
        return registro.read()[-6000:]

    try:
        yield processo, f"http://127.0.0.1:{porta}", log, marca
    finally:
        try:
            os.killpg(processo.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid in processos_com_marca(marca):
            os.kill(pid, signal.SIGKILL)
        processo.wait(timeout=PRAZO)
        registro.close()


def test_make_run_serve_com_gunicorn_e_ctrl_c_para_tudo_em_ordem(make_run):
    processo, url, log, marca = make_run
    limite = time.monotonic() + PRAZO * 3  # migrations, demo data and collectstatic come first
    while True:
        assert processo.poll() is None, f"make run saiu com {processo.returncode}:\n{log()}"
        assert time.monotonic() < limite, f"make run não respondeu:\n{log()}"
        try:
            resposta = requests.get(url + "/contas/login/", timeout=5)
            if resposta.status_code == 200 and "running." in log():
                break
        except requests.RequestException:
            pass
        time.sleep(0.2)

    assert resposta.headers["Server"] == "gunicorn"
    assert requests.get(url + "/static/css/prometheus.css", timeout=5).status_code == 200
    # DEBUG is off: an unknown address gets the site's own 404 page, not Django's debug page.
    desconhecida = requests.get(url + "/nao-existe/", timeout=5)
    assert desconhecida.status_code == 404
    assert "Página não encontrada" in desconhecida.text and "URLconf" not in desconhecida.text
    assert "script-src 'self'" in desconhecida.headers["Content-Security-Policy"]
    # Plain http on 127.0.0.1: no redirect to https, and the login's cookies come back over http.
    sessao = requests.Session()
    cookie = sessao.get(url + "/contas/login/", timeout=5).headers["Set-Cookie"]
    assert "csrftoken=" in cookie and "HttpOnly" in cookie and "Secure" not in cookie, cookie
    entrada = sessao.post(
        url + "/contas/login/",
        data={"username": "po", "password": "po-demo-123", "csrfmiddlewaretoken": sessao.cookies["csrftoken"]},
        headers={"Referer": url + "/contas/login/"},
        timeout=5,
    )
    assert entrada.status_code == 200 and entrada.url == url + "/", entrada.url

    os.killpg(processo.pid, signal.SIGINT)  # Ctrl-C
    processo.wait(timeout=PRAZO)

    saida = log()
    assert "sending SIGKILL" not in saida, saida  # nobody had to be killed at honcho's deadline
    assert "Q Cluster" in saida and "has stopped." in saida, saida
    assert "Shutting down: Master" in saida, saida
    assert processos_com_marca(marca) == []
