"""The PROMETHEUS consumer (docs/arquitetura.md, "Background work"): one handler per consumed type,
run by django-q2 workers.

A handler receives the claimed item and must conclude it (through ``backlog.services``);
whatever it raises becomes ``falhar`` with the error text, so an item is never lost.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from backlog import services as backlog
from backlog.erros import ErroBacklog, LeaseInvalido
from backlog.models import Item
from backlog.tipos import registrar_ouvinte

log = logging.getLogger(__name__)

Handler = Callable[[Item], object]
HANDLERS: dict[str, Handler] = {}
# Sends a claimable item of one of our types to the cluster: ``tasks.despachar``, which imports
# this module; set in ``AppConfig.ready`` (``registrar_despachante``).
Despachante = Callable[[str, list[int]], None]
_despachante: list[Despachante] = []


class ErroDefinitivo(Exception):
    """The item itself is wrong (an unknown spec, …): retrying cannot help."""


def registrar_handler(tipo: str, funcao: Handler) -> None:
    """PROMETHEUS consumes ``tipo`` with ``funcao``: from now on every item of that type that
    becomes claimable is dispatched to the cluster at its commit (the listener comes with the
    handler, so a handler registered late never waits for the sweep). Call it from
    ``AppConfig.ready``."""
    HANDLERS[tipo] = funcao
    for despachar in _despachante:
        registrar_ouvinte([tipo], despachar)


def registrar_despachante(despachar: Despachante) -> None:
    """Every handler's type, registered before or after this call, is dispatched by ``despachar``."""
    if despachar in _despachante:
        return
    _despachante.append(despachar)
    registrar_ouvinte(list(HANDLERS), despachar)


def nome_consumidor() -> str:
    """PROMETHEUS@<node>:<pid>: the node's name (``PROMETHEUS_NO``) goes on every item it claims."""
    return f"PROMETHEUS@{settings.PROMETHEUS_NO}:{os.getpid()}"


class Batimento:
    """Renews the item's lease from a side thread while long work runs (heartbeat), so a live
    worker is never mistaken for a dead one; stops with the block."""

    def __init__(self, item: Item) -> None:
        self.item = item
        self.parar = threading.Event()
        self.intervalo = max(settings.PROMETHEUS_LEASE_SEGUNDOS / 3, 1)
        self.fio = threading.Thread(target=self._bater, daemon=True, name=f"batimento-{item.pk}")

    def __enter__(self) -> Batimento:
        self.fio.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.parar.set()
        self.fio.join()

    def _bater(self) -> None:
        try:
            while not self.parar.wait(self.intervalo):
                try:
                    backlog.renovar_lease(item_id=self.item.pk, lease_token=self.item.lease_token)
                except ErroBacklog as exc:
                    log.warning("Lease do item #%s não renovado: %s", self.item.pk, exc)
                    return
        finally:
            connection.close()  # the thread's own connection


@dataclass(frozen=True)
class Seguinte:
    """What a handler may return after concluding its item: the worker claims the first of
    ``ids`` still claimable (``backlog.reservar``, each with its own lease and heartbeat) and runs
    it next, without waiting for the cluster to hand it a task (commit, broker, the pusher's poll,
    a worker). Each claim is the backlog's: an item another worker of any node took first is
    skipped, and the task dispatched for an item taken here finds it taken, so nothing runs twice."""

    ids: tuple[int, ...]


def processar_item(item: Item) -> None:
    """Runs the handler of a claimed item, then whatever it hands on (``Seguinte``) on this
    worker; failures go back to the backlog as ``falhar``."""
    seguinte: Item | None = item
    while seguinte is not None:
        continuacao = _processar_um(seguinte)
        seguinte = _tomar(continuacao.ids) if continuacao is not None else None


def _tomar(ids: tuple[int, ...]) -> Item | None:
    for item_id in ids:
        try:
            return backlog.reservar(item_id=item_id, consumidor=nome_consumidor())
        except ErroBacklog:
            continue  # taken by another worker meanwhile
    return None


def _processar_um(item: Item) -> Seguinte | None:
    handler = HANDLERS.get(item.tipo)
    try:
        if handler is None:
            raise ErroDefinitivo(f"PROMETHEUS não consome itens do tipo {item.tipo!r}.")
        with Batimento(item):
            resposta = handler(item)
        return resposta if isinstance(resposta, Seguinte) else None
    except LeaseInvalido:
        log.warning("Item #%s: o lease foi perdido; outro consumidor ficou com ele.", item.pk)
    except Exception as exc:  # noqa: BLE001 - any failure must reach the backlog, never vanish
        if not Item.objects.filter(pk=item.pk, lease_token=item.lease_token).exists():
            # Its lease expired and another consumer took (and maybe concluded) it: not ours to fail.
            log.warning("Item #%s: o lease foi perdido (%s); outro consumidor ficou com ele.", item.pk, exc)
            return None
        definitivo = isinstance(exc, ErroDefinitivo)
        if not definitivo:
            log.exception("Falha ao processar o item #%s", item.pk)
        try:
            backlog.falhar(
                item_id=item.pk,
                lease_token=item.lease_token,
                erro=f"{type(exc).__name__}: {exc}",
                definitivo=definitivo,
            )
        except LeaseInvalido:
            log.warning("Item #%s falhou, mas o lease já tinha sido perdido.", item.pk)
    return None


def processar_proximo(tipos: list[str] | None = None) -> int | None:
    """Claims and processes the next item of the consumed types; returns its id or None."""
    item = backlog.consumir(tipos=tipos or sorted(HANDLERS), consumidor=nome_consumidor())
    if item is None:
        return None
    processar_item(item)
    return item.pk
