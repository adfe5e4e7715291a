"""django-q2 entry points: thin, each finds its work and calls a service."""

from __future__ import annotations

from django.urls import get_resolver
from django_q.tasks import async_task

from backlog import selectors
from backlog import services as backlog
from fabrica import consumidor, contratos
from fabrica.avisos import services as avisos
from fabrica.desenvolvimento.gerador import compilar_os_do_projeto
from fabrica.desenvolvimento.pacote import distribuicoes
from fabrica.implantacao.services import implantacoes_abandonadas_encerrar


def aquecer() -> None:
    """Loads, once in the cluster's main process before it forks its workers (``manage.py
    cluster``), what a worker's first item would otherwise load on its own time: the URLconf (a
    build's result links its assembly with ``reverse``: about 1.4 s, DRF and drf-spectacular
    imported), the installed distributions (a release's requirements: about 0.8 s) and the
    shipped templates compiled (about 0.2 s). Forked workers, recycled ones too, inherit them;
    without it each worker's first build paid them."""
    get_resolver().reverse_dict  # noqa: B018 - imports the URLconf and its views, fills the lookup
    distribuicoes()
    compilar_os_do_projeto()


# The vertentes' internal types: a task for one of them takes the first claimable item of any.
_VERTENTES = sorted(str(t) for t in contratos.TIPO_DA_VERTENTE.values())


def processar(tipo: str) -> int | None:
    """A task is a poke, one per dispatched item: claim the next item of its type. A vertente's
    poke takes the first claimable vertente item of any type, in the backlog's order (a build
    queues its vertentes shortest first): a node's pusher holds the tasks it fetched while its
    workers are busy, so the free worker of another node may get, say, E's poke while P's waits
    on the busy node; it takes P. Pokes and items stay one to one, so every item is taken."""
    return consumidor.processar_proximo(_VERTENTES if tipo in _VERTENTES else [tipo])


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
    # Notices of decisions whose announcement was missed, and retries of failed ones: recorded
    # here (cheap), sent by a task (an SMTP server's slowness never delays the sweep).
    avisos.avisos_preparar()
    if avisos.a_enviar():
        async_task("fabrica.tasks.avisar", group="prometheus-avisos")
    # Only claimable items: one still waiting out its retry delay would make an idle task.
    despachados = 0
    for tipo, ids in selectors.consumiveis_por_tipo(list(consumidor.HANDLERS), limite=100).items():
        despachar(tipo, ids)
        despachados += len(ids)
    return {"resgatados": resgatados, "desbloqueados": desbloqueados, "despachados": despachados}


def avisos_anunciar(tipo: str | None = None, ids: list[int] | None = None) -> None:
    """Listener: a decision started waiting (its item became claimable, or a deployment failed);
    called after that commit, it hands the notices to the cluster."""
    async_task("fabrica.tasks.avisar", group="prometheus-avisos")


def avisar() -> dict[str, int]:
    """Records the notices of every waiting decision and sends those not sent yet."""
    novos = avisos.avisos_preparar()
    return {"novos": novos, **avisos.avisos_enviar()}


def resumo_diario() -> dict[str, int]:
    """The daily schedule's task: today's digest for each person with something waiting > 1 day."""
    novos = avisos.resumo_preparar()
    return {"resumos": novos, **avisos.avisos_enviar()}
