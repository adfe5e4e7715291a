"""Real server processes for the tests: gunicorn as the Procfile starts it, against the test
database; and how to find every process a test started, whatever session it moved to."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests
from django.db import connection

from tests.processos import parar_com_grupo

RAIZ = Path(__file__).resolve().parents[1]
PRAZO = 60  # seconds: a bound for a stuck process, not a performance figure
MARCA = "PROMETHEUS_TESTE_MARCA"


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url_do_banco_de_teste(**opcoes: str) -> str:
    """The test database (not the project's), as a URL for a child process."""
    d = connection.settings_dict
    credencial = quote(d["USER"] or "", safe="") + (f":{quote(d['PASSWORD'], safe='')}" if d["PASSWORD"] else "")
    url = f"postgres://{credencial}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"
    return url + ("?" + "&".join(f"{k}={v}" for k, v in opcoes.items()) if opcoes else "")


def processos_com_marca(marca: str) -> list[int]:
    """Every live process whose environment carries ``MARCA=marca``: all descendants of a test's
    child inherit it, even those that left its process group or session."""
    encontrados = []
    procurado = f"{MARCA}={marca}".encode()
    for entrada in Path("/proc").iterdir():
        if not entrada.name.isdigit():
            continue
        try:
            ambiente = (entrada / "environ").read_bytes()
            estado = (entrada / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if procurado in ambiente.split(b"\0") and estado != "Z":
            encontrados.append(int(entrada.name))
    return encontrados


class ServidorWeb:
    """``gunicorn -c python:prometheus_site.gunicorn`` (the Procfile's web) on a free port."""

    def __init__(self, pasta: Path, **ambiente: str) -> None:
        self.porta = porta_livre()
        self.url = f"http://127.0.0.1:{self.porta}"
        self.marca = uuid.uuid4().hex
        self.registro = (pasta / f"gunicorn-{self.porta}.log").open("w+")
        env = {
            **os.environ,
            "DATABASE_URL": url_do_banco_de_teste(application_name="prom-web-teste"),
            "PROMETHEUS_WEB_BIND": f"127.0.0.1:{self.porta}",
            "PROMETHEUS_WEB_WORKERS": "1",
            "PROMETHEUS_WEB_THREADS": "4",
            "PROMETHEUS_VAR_DIR": str(pasta / "var"),
            "DEBUG": "false",
            "SECRET_KEY": "teste-servidor-nao-secreto",
            "PYTHONUNBUFFERED": "1",
            MARCA: self.marca,
            **ambiente,
        }
        self.processo = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:prometheus_site.gunicorn"],
            cwd=RAIZ,
            env=env,
            stdout=self.registro,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        limite = time.monotonic() + PRAZO
        while True:
            assert self.processo.poll() is None, f"gunicorn saiu:\n{self.log()}"
            assert time.monotonic() < limite, f"gunicorn não respondeu em {PRAZO} s:\n{self.log()}"
            try:
                if requests.get(self.url + "/contas/login/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still importing Django
                time.sleep(0.1)

    def log(self) -> str:
        self.registro.flush()
        self.registro.seek(0)
        return self.registro.read()[-4000:]

    def parar(self) -> None:
        parar_com_grupo(self.processo)
        self.registro.close()
