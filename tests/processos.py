"""Stopping a child process tree (a ``qcluster``), shared by the tests and the benchmarks; no Django."""

from __future__ import annotations

import os
import signal
import subprocess


def parar_com_grupo(processo: subprocess.Popen, *, espera: float = 10) -> None:
    """SIGTERM to the main process (a qcluster stops its sentinel, pusher, workers and monitor
    in order), then SIGKILL to whatever of its process group is left. The child must have been
    started with ``start_new_session=True``: the group is its own."""
    if processo.poll() is None:
        processo.terminate()
        try:
            processo.wait(timeout=espera)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(processo.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the whole group is gone
    processo.wait(timeout=10)
