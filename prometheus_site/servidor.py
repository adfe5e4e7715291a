"""The production WSGI server's sizing, shared by its configuration (``prometheus_site/gunicorn.py``)
and the settings, and what a request may ask of the connection it came on.

gunicorn's ``gthread`` workers: ``PROMETHEUS_WEB_WORKERS`` processes of ``PROMETHEUS_WEB_THREADS``
threads each answer that many requests at once; a kept-alive connection between two requests
costs no thread. A long-polling consumer (``consumir`` with ``espera_segundos``) holds its thread
while it waits, so at most ``esperas_por_processo()`` requests of a process may wait at once,
and the rest of the threads always serve pages and short requests.
"""

from __future__ import annotations

import select
import socket
from pathlib import Path

from prometheus_site.env import env_exportar, env_int, env_str

# prometheus-client's own variable: set, every process writes its histograms to files there and a
# scrape adds them up (multiprocess mode).
VARIAVEL_MULTIPROCESSO = "PROMETHEUS_MULTIPROC_DIR"


def workers() -> int:
    return env_int("PROMETHEUS_WEB_WORKERS", 2, minimo=1)


def threads() -> int:
    return env_int("PROMETHEUS_WEB_THREADS", 8, minimo=2)


def esperas_por_processo() -> int:
    """Half of a process's threads by default: the other half always answers everyone else."""
    padrao = max(threads() // 2, 1)
    return env_int("PROMETHEUS_WEB_ESPERAS", padrao, minimo=0)


def diretorio_metricas() -> Path:
    """Where gunicorn's workers keep their metric files: ``PROMETHEUS_MULTIPROC_DIR``, else
    ``metricas-processos`` in ``PROMETHEUS_VAR_DIR``."""
    padrao = (
        Path(env_str("PROMETHEUS_VAR_DIR", str(Path(__file__).resolve().parents[1] / "var"))) / "metricas-processos"
    )
    return Path(env_str(VARIAVEL_MULTIPROCESSO, str(padrao)))


def preparar_metricas_multiprocesso() -> Path:
    """In gunicorn's master, before any worker starts: an empty directory (files of an earlier
    run would add dead processes' counts to the new ones), exported for the workers."""
    import shutil

    diretorio = diretorio_metricas()
    if diretorio.exists():
        shutil.rmtree(diretorio)
    diretorio.mkdir(parents=True)
    env_exportar(VARIAVEL_MULTIPROCESSO, str(diretorio))
    return diretorio


def endereco() -> str:
    return env_str("PROMETHEUS_WEB_BIND", "127.0.0.1:8000")


def url_do_site() -> str:
    """Where a person opens the site gunicorn serves (``make run`` prints it): the real bind
    address, never a guessed :8000; a wildcard host reads as this machine, a unix socket as is."""
    bind = endereco()
    if bind.startswith(("unix:", "fd://")):
        return bind
    host, _, porta = bind.rpartition(":")
    if not host:
        host, porta = bind, "8000"  # gunicorn's own default port for a bare host
    if host in ("0.0.0.0", "::", "[::]", ""):  # noqa: S104 -- read from the bind, not binding
        host = "127.0.0.1"
    return f"http://{host}:{porta}"


def cliente_saiu(meta: dict) -> bool:
    """Whether the client of this request closed its connection (gunicorn hands the socket to
    the application as ``gunicorn.socket``; other servers don't, and then the answer is no).

    A closed connection reads as end-of-file; HTTP/1.1 clients send nothing else while they
    wait for an answer, so a readable socket with data is a client still there."""
    conexao = meta.get("gunicorn.socket")
    if conexao is None:
        return False
    try:
        prontos, _, _ = select.select([conexao], [], [], 0)
        return bool(prontos) and conexao.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True
