"""django-q2 entry points: thin, each finds its work and calls a service."""

from __future__ import annotations

from django_q.tasks import async_task

from backlog import selectors
from backlog import services as backlog
from fabrica import consumidor
from fabrica.implantacao.services import implantacoes_abandonadas_encerrar


def processar(tipo: str) -> int | None:
    return consumidor.processar_proximo([tipo])


def despachar(tipo: str, ids: list[int]) -> None:
    """Listener of MS_Backlog: items of one of our types became claimable; one task per item
    (each task claims the next item of the type, whichever it is)."""
    for _ in ids:
        async_task("fabrica.tasks.processar", tipo, group="prometheus", task_name=None)


def varrer() -> dict[str, int]:
    """The schedule's sweep: rescue expired leases, repair missed unblocks, and dispatch any
    claimable item of our types whose dispatch was lost (e.g. the cluster was down)."""
    resgatados = backlog.resgatar_expirados()
    desbloqueados = backlog.desbloquear_orfaos()
    implantacoes_abandonadas_encerrar()
    # Only claimable items: one still waiting out its retry delay would make an idle task.
    despachados = 0
    for tipo, ids in selectors.consumiveis_por_tipo(list(consumidor.HANDLERS), limite=100).items():
        despachar(tipo, ids)
        despachados += len(ids)
    return {"resgatados": resgatados, "desbloqueados": desbloqueados, "despachados": despachados}
