"""Runs a deployment's commands (smoke checks, a command target's deploy/verify/revert) in a child
process with the sandbox's process discipline: its own session and process group (a timeout ends
the whole group, children included), an environment made only of what the caller names, stdin
closed, and its output streamed line by line while it runs.

No Django here: the caller decides what the lines become (the implantacao's log).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

# After SIGTERM to the group, how long before SIGKILL.
CARENCIA_SEGUNDOS = 3.0
# One line of output is cut here: a command printing a megabyte without a newline must not grow
# the log without bound.
MAX_LINHA = 4000


@dataclass(frozen=True)
class Execucao:
    codigo: int | None  # exit status; negative for a signal; None if it never started
    tempo_esgotado: bool
    duracao: float
    erro_ao_iniciar: str = ""

    @property
    def sucesso(self) -> bool:
        return self.codigo == 0 and not self.tempo_esgotado and not self.erro_ao_iniciar


def _matar_grupo(pgid: int, sinal: int) -> None:
    try:
        os.killpg(pgid, sinal)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone


def executar(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    linha: Callable[[str], None],
    enquanto_espera: Callable[[], None] | None = None,
) -> Execucao:
    """Runs ``argv`` and returns how it ended; never raises for the child's failure.

    ``linha`` receives each line of stdout+stderr (from a reader thread); ``enquanto_espera`` is
    called from the calling thread about four times a second while the child runs (to flush the
    log to the database from the thread that owns the connection).
    """
    inicio = time.monotonic()
    try:
        processo = subprocess.Popen(  # noqa: S603 - argv comes from the environment's validated settings
            list(argv),
            cwd=str(cwd),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        return Execucao(None, False, time.monotonic() - inicio, f"{type(exc).__name__}: {exc}")

    def ler() -> None:
        assert processo.stdout is not None
        for bruto in iter(processo.stdout.readline, b""):
            texto = bruto.decode("utf-8", errors="replace").rstrip("\r\n")
            linha(texto if len(texto) <= MAX_LINHA else texto[:MAX_LINHA] + " […]")

    leitor = threading.Thread(target=ler, daemon=True, name=f"saida-{processo.pid}")
    leitor.start()
    esgotado = False
    limite = inicio + timeout
    while True:
        try:
            processo.wait(timeout=0.25)
            break
        except subprocess.TimeoutExpired:
            if enquanto_espera:
                enquanto_espera()
            if time.monotonic() >= limite:
                esgotado = True
                _matar_grupo(processo.pid, signal.SIGTERM)
                try:
                    processo.wait(timeout=CARENCIA_SEGUNDOS)
                except subprocess.TimeoutExpired:
                    _matar_grupo(processo.pid, signal.SIGKILL)
                    processo.wait()
                break
    # Whatever the child left running in its group (a daemonised helper) ends with it.
    _matar_grupo(processo.pid, signal.SIGKILL)
    leitor.join(timeout=5)
    if processo.stdout:
        processo.stdout.close()
    return Execucao(processo.returncode, esgotado, time.monotonic() - inicio)
