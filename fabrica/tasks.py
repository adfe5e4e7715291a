"""django-q2 entry points: thin, each finds its work and calls a service."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica import consumidor


def processar(tipo: str) -> int | None:
    return consumidor.processar_proximo([tipo])


def despachar(ids: list[int]) -> None:
    """Listener of MS_Backlog: items of our types became claimable; one task per item."""
    for tipo in Item.objects.filter(pk__in=ids).values_list("tipo", flat=True):
        async_task("fabrica.tasks.processar", tipo, group="prometheus", task_name=None)


def varrer() -> dict[str, int]:
    """The schedule's sweep: rescue expired leases, repair missed unblocks, and dispatch any
    claimable item of our types whose dispatch was lost (e.g. the cluster was down)."""
    resgatados = backlog.resgatar_expirados()
    desbloqueados = backlog.desbloquear_orfaos()
    from fabrica.implantacao.services import encerrar_abandonadas

    encerrar_abandonadas()
    # Only claimable items: one still waiting out its retry delay would make an idle task.
    tipos = list(
        Item.objects.filter(status=Status.PENDENTE, tipo__in=list(consumidor.HANDLERS))
        .filter(Q(disponivel_em__isnull=True) | Q(disponivel_em__lte=timezone.now()))
        .values_list("tipo", flat=True)[:100]
    )
    for tipo in tipos:
        async_task("fabrica.tasks.processar", tipo, group="prometheus")
    return {"resgatados": resgatados, "desbloqueados": desbloqueados, "despachados": len(tipos)}
