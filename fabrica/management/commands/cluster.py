"""``manage.py cluster``: the django-q2 cluster (``qcluster``), stopped cleanly by a signal sent to
its whole process group, as honcho (``make run``), systemd and container runtimes do.

Why it exists (issue 8): honcho stops a process with ``killpg(SIGTERM)``. A ``qcluster``'s sentinel,
pusher, workers and monitor are in its process group and keep SIGTERM's default action, so they
all die at once; the main process's handler then calls ``stop_event.set()``, a
``multiprocessing.Event`` whose ``notify_all`` waits for every process asleep in ``wait()`` to
acknowledge, and the dead sentinel never does: the cluster logs "stopping" and hangs until
honcho's SIGKILL 5 s later. (A lone ``qcluster`` given SIGTERM alone stops in order: its sentinel
stops the pusher, lets the workers finish and stops the monitor.) django-q2 also calls ``stop()``
from inside its signal handler, which can deadlock on its own (django-q2 issue #346).

So this command runs the cluster in a child process of its own session, where no group signal
reaches it, and turns a SIGTERM or SIGINT into an orderly stop, run outside signal context.
Work still running after ``--prazo`` seconds is killed with the whole child session, so nothing
is left behind; the items it held are rescued by their lease (``backlog.services.resgatar_expirados``).
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

_PR_SET_PDEATHSIG = 1


def _morrer_com_o_pai() -> None:
    """In the child, before exec: SIGTERM it when this process dies, however it dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the stop below still covers the usual paths
        pass


class Command(BaseCommand):
    help = "Inicia o cluster django-q2 (qcluster) e o encerra de forma ordenada com SIGTERM ou SIGINT."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--prazo",
            type=float,
            default=4.0,
            help="Segundos para o cluster parar em ordem antes de ser morto (padrão 4: honcho mata em 5).",
        )
        parser.add_argument("--filho", action="store_true", help="(interno) roda o próprio cluster.")

    def handle(self, *args, **options) -> None:
        if options["filho"]:
            self._rodar_cluster()
        else:
            sys.exit(self._supervisionar(options["prazo"]))

    def _supervisionar(self, prazo: float) -> int:
        pedido: list[int] = []

        def pedir_parada(signum, frame) -> None:
            pedido.append(signum)

        signal.signal(signal.SIGTERM, pedir_parada)
        signal.signal(signal.SIGINT, pedir_parada)
        filho = subprocess.Popen(
            [sys.executable, os.path.abspath(sys.argv[0]), "cluster", "--filho"],
            start_new_session=True,  # its own process group: no group signal reaches its processes
            preexec_fn=_morrer_com_o_pai,  # safe here: this process runs no other thread
        )
        try:
            while filho.poll() is None and not pedido:
                time.sleep(0.1)
            if filho.poll() is None:
                filho.send_signal(signal.SIGTERM)  # to the cluster's main process only
                try:
                    filho.wait(timeout=prazo)
                except subprocess.TimeoutExpired:
                    self.stderr.write(f"O cluster não parou em {prazo:.0f} s; encerrando à força.")
        finally:
            # Whatever of the child's session is still alive (work past the deadline, an orphan).
            try:
                os.killpg(filho.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            filho.wait()
        return 0 if pedido else (filho.returncode or 0)

    def _rodar_cluster(self) -> None:
        from django_q.cluster import Cluster

        from fabrica.tasks import aquecer

        aquecer()  # before the fork: every worker starts warm
        # What is loaded now lives as long as the process: out of the collector's sight (the
        # permanent generation, inherited by every forked process). Else each full collection
        # in a worker walks Django's ~190,000 objects again: 0.1-0.15 s, about once per build.
        gc.freeze()
        pedido: list[int] = []
        cluster = Cluster()  # installs its own handlers, which stop from signal context: replace them

        def pedir_parada(signum, frame) -> None:
            pedido.append(signum)

        signal.signal(signal.SIGTERM, pedir_parada)
        signal.signal(signal.SIGINT, pedir_parada)
        cluster.start()
        while not pedido and cluster.sentinel.is_alive():
            time.sleep(0.1)
        cluster.stop()
