"""One worker per vertente (docs/desenvolvimento.md), each in its own module; ``registrar_todos`` is
called
from ``FabricaConfig.ready``."""

from __future__ import annotations


def registrar_todos() -> None:
    from fabrica.desenvolvimento.base import registrar_worker
    from fabrica.desenvolvimento.workers.decisional import WorkerDecisional
    from fabrica.desenvolvimento.workers.estrutural import WorkerEstrutural
    from fabrica.desenvolvimento.workers.integracao import WorkerIntegracao
    from fabrica.desenvolvimento.workers.interface import WorkerInterface
    from fabrica.desenvolvimento.workers.processual import WorkerProcessual

    for classe in (WorkerEstrutural, WorkerProcessual, WorkerDecisional, WorkerInterface, WorkerIntegracao):
        registrar_worker(classe)
