"""django-q2's ORM broker, woken by PostgreSQL's ``NOTIFY`` instead of looking every ``poll`` seconds.

django-q2's ORM broker (``django_q/brokers/orm.py``, 1.11) has its pusher read the queue table
and, when it is empty, ``sleep(Conf.POLL)`` before reading again: a task enqueued while the
pusher sleeps waits up to ``poll`` (0.2 s here, 0.1 s on average) before a worker sees it, and
an idle node reads the table ``1 / poll`` times a second (5 queries/s per node). A build crosses
that wait twice on its critical path (its ``desenvolvimento`` task, then the first vertente
task of each other worker; bench/README.md, "escala"); a batch once per item.

Here every enqueue also runs ``pg_notify(CANAL, queue)`` (delivered when the task's row commits),
and the pusher, finding the queue empty, waits on a ``LISTEN`` of its own for at most
``ESPERA_MAXIMA`` seconds instead of sleeping: a task wakes it within milliseconds, and an idle
node reads the table once a second instead of five times. The notification is only a wake-up:
the pusher reads and locks tasks exactly as django-q2's broker does (the same ``lock``
compare-and-set, so two nodes never take one task), and what no enqueue announces (a task handed
out again after ``retry``) is found at the next read, within ``ESPERA_MAXIMA``. The cost: one
more connection per node (the pusher's ``LISTEN``), which must be a session connection (PgBouncer
in transaction mode cannot hold a ``LISTEN``: README, "Several nodes").

On SQLite, or while the listening connection is down, the pusher sleeps ``poll`` between reads,
as django-q2's own broker does.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from django.db import connections, transaction
from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf

from prometheus_site.consultas import parametros_de_escuta

log = logging.getLogger(__name__)

CANAL = "django_q_ormq"
# The longest an idle pusher waits without reading the queue: how late a task no enqueue
# announced (handed out again after ``retry``) is seen, and how long a stopping cluster waits
# for its pusher. One read a second per idle node.
ESPERA_MAXIMA = 1.0
# After the listening connection failed, how long the pusher polls before connecting again.
PAUSA_APOS_FALHA = 5.0


class OrmComAviso(ORM):
    """django-q2's ORM broker (``Q_CLUSTER["broker_class"]``) whose enqueue notifies and whose
    pusher waits for that notification instead of polling (module docstring)."""

    def __init__(self, list_key: str | None = None) -> None:
        super().__init__(list_key=list_key)
        self._escuta: Any = None
        self._escuta_pid: int | None = None
        self._reconectar_em = 0.0

    def __setstate__(self, state) -> None:  # a broker passed to another process listens anew
        super().__setstate__(state)
        self._escuta, self._escuta_pid, self._reconectar_em = None, None, 0.0

    def _postgresql(self) -> bool:
        return connections[Conf.ORM].vendor == "postgresql"

    def enqueue(self, task):
        if not self._postgresql():
            return super().enqueue(task)
        self.get_connection()  # django-q2's hygiene (closing a stale connection) before the transaction
        # The row and its notification in one transaction, so one commit (one WAL flush), the
        # notification delivered when the row is visible; inside a caller's transaction, at its commit.
        with transaction.atomic(using=Conf.ORM, savepoint=False):
            pk = super().enqueue(task)
            with connections[Conf.ORM].cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [CANAL, self.list_key])
        return pk

    def dequeue(self):
        # LISTEN before reading: a task enqueued after the read is announced on this connection,
        # so the wait below cannot miss it.
        escuta = self._ouvir()
        tarefas = self._tomar()
        if tarefas:
            return tarefas
        if escuta is None:
            time.sleep(Conf.POLL)
            return None
        try:
            for _ in escuta.notifies(timeout=ESPERA_MAXIMA, stop_after=1):
                pass
            # Whatever else was announced meanwhile is covered by the read that follows.
            for _ in escuta.notifies(timeout=0):
                pass
        except Exception:  # noqa: BLE001 - the pusher must outlive a lost connection
            log.warning("Conexão de escuta da fila perdida; lendo a cada %.1f s.", Conf.POLL, exc_info=True)
            self._fechar()
        return None

    def _tomar(self) -> list[tuple[int, Any]]:
        """django-q2's ORM broker's read (1.11): up to ``bulk`` unlocked tasks, each taken by
        moving its ``lock`` forward from the value read (another node that moved it first wins)."""
        tarefas = self.get_connection().filter(key=self.list_key, lock__lt=timezone.now())[0 : Conf.BULK]
        tomadas = []
        for tarefa in tarefas:
            if self.get_connection().filter(id=tarefa.id, lock=tarefa.lock).update(lock=self.timeout(tarefa)):
                tomadas.append((tarefa.pk, tarefa.payload))
        return tomadas

    def _ouvir(self) -> Any:
        """This process's listening connection, opened on first use (None on SQLite, or while it
        is down: the pusher then polls and connects again ``PAUSA_APOS_FALHA`` later)."""
        if self._escuta is not None and self._escuta_pid == os.getpid() and not self._escuta.closed:
            return self._escuta
        self._escuta = None  # a connection inherited through fork belongs to the parent
        if not self._postgresql() or time.monotonic() < self._reconectar_em:
            return None
        import psycopg

        try:
            escuta = psycopg.connect(**parametros_de_escuta(Conf.ORM, "prometheus-fila-escuta"))
            escuta.execute(f"LISTEN {CANAL}")
        except Exception:  # noqa: BLE001 - without it the pusher polls, as django-q2's broker does
            log.warning("Sem conexão de escuta da fila; lendo a cada %.1f s.", Conf.POLL, exc_info=True)
            self._reconectar_em = time.monotonic() + PAUSA_APOS_FALHA
            return None
        self._escuta, self._escuta_pid = escuta, os.getpid()
        return escuta

    def _fechar(self) -> None:
        if self._escuta is not None:
            try:
                self._escuta.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection: nothing to do
                pass
        self._escuta = None
        self._reconectar_em = time.monotonic() + PAUSA_APOS_FALHA
