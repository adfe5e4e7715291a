"""Long polling: a consumer waits for claimable items without holding a transaction, a lock or
a database query per second (issue 12; what SQS calls ``WaitTimeSeconds``).

On PostgreSQL the transaction that makes items claimable (``produzir``, a conclusion that
unblocks, ``reenfileirar``, a failure retried at once) runs ``pg_notify(CANAL, tipo)``; the
server learns of it at commit. Each server process keeps **one** listening connection, opened by
a daemon thread on the first wait, and wakes the waiting requests of that type. A waiter then
tries its claim again: the claim itself stays the one door (``services.consumir``), so a
notification is only a hint and a lost one costs latency, never an item. What no transaction
announces, a retry whose backoff ends, is found by the waiter's own re-check at the moment the
nearest backoff ends.

On SQLite (``make run``'s default) there is no NOTIFY: waiters poll with a cheap read every
``INTERVALO_SEM_AVISO`` seconds, and a commit in the same process wakes them at once.

The wait itself (``reservar_esperando``) lives here too; the claim it repeats stays
``services.consumir``'s, passed in as a function.

Waiting requests hold a server thread each, so a process lets at most
``settings.PROMETHEUS_ESPERAS_POR_PROCESSO`` of them wait at once (``vaga``); beyond that a
long poll answers like a short one. The server's threads are sized against that limit
(``prometheus_site.servidor``), so waiting consumers cannot starve the pages.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Min
from django.utils import timezone

from backlog.models import Item, Status
from prometheus_site.consultas import parametros_de_escuta

log = logging.getLogger(__name__)

CANAL = "backlog_disponivel"
# A wait wakes at least this often (no query) to ask whether its client left or the server stops.
INTERVALO_MAXIMO = 1.0
# SQLite, or PostgreSQL while the listening connection is down: re-check this often.
INTERVALO_SEM_AVISO = 0.25
# How long the first wait of a process gives the listener to start listening.
PRAZO_PARA_OUVIR = 2.0


class Avisos:
    """The process's wake-ups: a counter per type, bumped when items of that type became
    claimable; a waiter remembers the counters (``marca``) before its last re-check and sleeps
    until they move."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._por_tipo: dict[str, int] = {}
        self._geral = 0  # bumped when every waiter must re-check (listener reconnected, stop)
        self._ouvindo = threading.Event()
        self._fio: threading.Thread | None = None
        self._pid: int | None = None
        self._encerrando: list[Callable[[], bool]] = []
        self._vagas: threading.BoundedSemaphore | None = None
        self._vagas_total = 0

    # --- waking --------------------------------------------------------------------------------

    def _marca(self, tipos: Iterable[str]) -> tuple[Any, ...]:
        return (self._geral, *(self._por_tipo.get(t, 0) for t in tipos))

    def marca(self, tipos: Iterable[str]) -> tuple[Any, ...]:
        with self._cond:
            return self._marca(tipos)

    def avisar(self, tipos: Iterable[str]) -> None:
        with self._cond:
            for tipo in tipos:
                self._por_tipo[tipo] = self._por_tipo.get(tipo, 0) + 1
            self._cond.notify_all()

    def avisar_todos(self) -> None:
        with self._cond:
            self._geral += 1
            self._cond.notify_all()

    def esperar(self, tipos: list[str], marca: tuple[Any, ...], segundos: float) -> bool:
        """Sleeps until items of ``tipos`` were announced since ``marca`` (True) or ``segundos``
        passed (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._marca(tipos) != marca, timeout=max(segundos, 0))

    # --- the listening connection (PostgreSQL) -------------------------------------------------

    def ouvindo(self) -> bool:
        return self._ouvindo.is_set()

    def garantir_ouvinte(self, alias: str = DEFAULT_DB_ALIAS) -> bool:
        """Starts this process's listener if it is not running (once per process: a forked
        child gets its own); returns whether notifications reach us now."""
        if connections[alias].vendor != "postgresql":
            return False
        with self._cond:
            if self._fio is None or self._pid != os.getpid() or not self._fio.is_alive():
                self._pid = os.getpid()
                self._ouvindo = threading.Event()
                self._fio = threading.Thread(
                    target=self._ouvir,
                    args=(parametros_de_escuta(alias, "prometheus-backlog-espera"),),
                    name="backlog-espera",
                    daemon=True,
                )
                self._fio.start()
            ouvindo = self._ouvindo
        return ouvindo.wait(PRAZO_PARA_OUVIR)

    def _ouvir(self, parametros: dict[str, Any]) -> None:
        import psycopg

        pausa = 0.5
        ouvindo = self._ouvindo
        while True:
            try:
                with psycopg.connect(**parametros) as conexao:
                    conexao.execute(f"LISTEN {CANAL}")
                    ouvindo.set()
                    pausa = 0.5
                    # Whatever was announced while nobody listened: every waiter re-checks.
                    self.avisar_todos()
                    while True:
                        for aviso in conexao.notifies(timeout=60):
                            self.avisar([aviso.payload])
            except Exception:  # noqa: BLE001 - the listener must outlive a lost connection
                log.warning("Conexão de escuta do backlog perdida; nova tentativa em %.1f s.", pausa, exc_info=True)
            finally:
                if ouvindo.is_set():
                    ouvindo.clear()
                    self.avisar_todos()  # waiters fall back to short polls until it is back
            time.sleep(pausa)
            pausa = min(pausa * 2, 10.0)

    # --- stopping, and how many may wait -----------------------------------------------------

    def ao_encerrar(self, verificar: Callable[[], bool]) -> None:
        """``verificar()`` says when the server is stopping (e.g. gunicorn's worker is no longer
        ``alive``): waits then end at their next wake-up, so a stop is never held by them."""
        self._encerrando.append(verificar)

    def encerrando(self) -> bool:
        return any(verificar() for verificar in self._encerrando)

    @contextmanager
    def vaga(self) -> Iterator[bool]:
        """A place among the requests that may wait in this process, if one is free (True)."""
        total = settings.PROMETHEUS_ESPERAS_POR_PROCESSO
        with self._cond:
            if self._vagas is None or self._vagas_total != total:
                self._vagas, self._vagas_total = threading.BoundedSemaphore(total), total
            vagas = self._vagas
        obtida = vagas.acquire(blocking=False)
        try:
            yield obtida
        finally:
            if obtida:
                vagas.release()


avisos = Avisos()


# --- the long poll ----------------------------------------------------------------------------


def reservar_esperando(
    tipos: list[str],
    reservar: Callable[[], list[Item]],
    espera_segundos: float,
    desistir: Callable[[], bool] | None,
) -> list[Item]:
    """``reservar()`` (the claim, ``services.consumir``'s one door), and while it finds nothing,
    sleep until this process hears of items of ``tipos`` (or the nearest backoff of theirs ends,
    or a short-poll interval passes) and claim again, for up to ``espera_segundos``. Without a
    free place among this process's waiters (``Avisos.vaga``) it answers like a short poll."""
    with avisos.vaga() as pode_esperar:
        if not pode_esperar:
            return reservar()
        return _esperar(tipos, reservar, espera_segundos, desistir)


def _esperar(
    tipos: list[str],
    reservar: Callable[[], list[Item]],
    espera_segundos: float,
    desistir: Callable[[], bool] | None,
) -> list[Item]:
    prazo = time.monotonic() + espera_segundos

    def parar() -> bool:
        return avisos.encerrando() or (desistir is not None and desistir())

    avisos.garantir_ouvinte()
    while True:
        # The mark before the claim: whatever is announced after it wakes the sleep below.
        marca = avisos.marca(tipos)
        itens = reservar()
        if itens:
            return itens
        ouvindo = avisos.ouvindo()
        # What no transaction announces: a retry whose backoff ends. The wait re-checks then.
        backoff_fim = _fim_do_proximo_backoff(tipos) if ouvindo else None
        while True:
            restante = prazo - time.monotonic()
            if restante <= 0 or parar():
                return []
            passo = min(restante, INTERVALO_MAXIMO if ouvindo else INTERVALO_SEM_AVISO)
            if backoff_fim is not None:
                passo = min(passo, max((backoff_fim - timezone.now()).total_seconds(), 0))
            if avisos.esperar(tipos, marca, passo):
                break  # announced: claim again
            if not ouvindo:
                # A short poll reads before it claims: a claim would take SQLite's write lock.
                if avisos.ouvindo() or Item.objects.consumiveis(timezone.now()).filter(tipo__in=tipos).exists():
                    break  # (listening now: start over with notifications)
            elif backoff_fim is not None and timezone.now() >= backoff_fim:
                break
        if parar():  # woken: but the client may have left meanwhile, and then nobody takes it
            return []


def _fim_do_proximo_backoff(tipos: list[str]) -> datetime | None:
    """When the nearest retry delay among these types' ``Pendente`` items ends (None if none)."""
    fim: datetime | None = (
        Item.objects.filter(status=Status.PENDENTE, tipo__in=tipos, disponivel_em__gt=timezone.now())
        .order_by()
        .aggregate(fim=Min("disponivel_em"))["fim"]
    )
    return fim
