"""django-q2's ORM broker woken by NOTIFY (``prometheus_site.fila``): an idle pusher's wait ends
when a task is enqueued, not at its bound; two pushers never take one task; without the
listening connection the pusher still finds tasks by polling."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from prometheus_site import fila

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Not a performance figure: a bound that the wait below only reaches if the notification was lost.
ESPERA_LONGA = 120.0


def _tarefa(nome: str) -> bytes:
    return SignedPackage.dumps({"id": nome, "name": nome, "func": "math.floor", "args": (1.5,), "kwargs": {}})


def test_o_pusher_acorda_com_a_tarefa_e_nao_com_o_prazo(monkeypatch):
    monkeypatch.setattr(fila, "ESPERA_MAXIMA", ESPERA_LONGA)
    broker = fila.OrmComAviso(list_key="teste-fila")
    assert broker._ouvir() is not None  # listening before the other process enqueues
    vistas: list = []
    acordou, leu_vazia = threading.Event(), threading.Event()
    tomar = broker._tomar

    def tomar_e_contar():
        tomadas = tomar()
        leu_vazia.set()
        return tomadas

    monkeypatch.setattr(broker, "_tomar", tomar_e_contar)

    def pusher() -> None:
        try:
            vistas.append(broker.dequeue())  # empty queue: waits on its LISTEN
            vistas.append(broker.dequeue())  # woken: reads again and takes the task
        finally:
            acordou.set()
            connection.close()  # this thread's own connection

    fio = threading.Thread(target=pusher)
    fio.start()
    assert leu_vazia.wait(ESPERA_LONGA / 2)
    # Found nothing; it now waits (or is about to: the LISTEN came before its read, so a notification
    # sent now is held for it). Another process's enqueue, as a web request or a worker does it (its own connection).
    fila.OrmComAviso(list_key="teste-fila").enqueue(_tarefa("a"))
    assert acordou.wait(ESPERA_LONGA / 2), "the pusher slept through the notification"
    fio.join()
    assert vistas[0] is None
    [(pk, payload)] = vistas[1]
    assert SignedPackage.loads(payload)["name"] == "a"
    assert OrmQ.objects.get(pk=pk).lock > timezone.now()  # taken: handed out again only after `retry`
    broker._fechar()


def test_dois_pushers_nunca_tomam_a_mesma_tarefa():
    enfileirador = fila.OrmComAviso(list_key="teste-fila")
    for i in range(6):
        enfileirador.enqueue(_tarefa(f"t{i}"))
    um, outro = fila.OrmComAviso(list_key="teste-fila"), fila.OrmComAviso(list_key="teste-fila")
    tomadas = []
    while True:
        lote = [t for b in (um, outro) for t in (b.dequeue() or [])]
        if not lote:
            break
        tomadas.extend(pk for pk, _ in lote)
    assert len(tomadas) == len(set(tomadas)) == 6
    um._fechar()
    outro._fechar()


def test_sem_conexao_de_escuta_le_a_fila_a_cada_poll(monkeypatch):
    """The listening connection cannot be opened (a PgBouncer in transaction mode refuses what it
    needs, say): the pusher sleeps ``poll`` between reads, as django-q2's broker does, and still
    takes the task."""
    import psycopg

    def recusa(**kwargs):
        raise psycopg.OperationalError("no session")

    monkeypatch.setattr(psycopg, "connect", recusa)
    broker = fila.OrmComAviso(list_key="teste-fila")
    assert broker._ouvir() is None
    assert broker.dequeue() is None  # slept Conf.POLL
    broker.enqueue(_tarefa("b"))
    [(_, payload)] = broker.dequeue()
    assert SignedPackage.loads(payload)["name"] == "b"
    assert Conf.POLL == 0.2
