"""The PO's decision, written once: every kind (a budget, a release, a deployment's validation)
locks its row, checks the transition against its table, records who, when and why, and closes
the backlog item that waited for it, in the caller's transaction.

The kinds differ only in their table of transitions, the fields they record into (``Campos``)
and what the decision produces (the caller builds those items with ``fabrica.contratos``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backlog import services as backlog
from fabrica.erros import DadosInvalidos, NaoEncontrado, TransicaoInvalida
from prometheus_site.atores import ator_de

M = TypeVar("M", bound=models.Model)
# A reason longer than this is cut: a page shows it whole.
MAX_MOTIVO = 5000


@dataclass(frozen=True)
class Campos:
    """Where a kind of decision records itself: its state, who, when and why."""

    estado: str = "status"
    por: str = "decidido_por"
    em: str = "decidido_em"
    motivo: str = "motivo"


# Budgets and releases (``fabrica.models.DecisaoDoPO``).
DO_PO = Campos()


def travar(modelo: type[M], pk: int, *, nao_existe: str, relacionados: Iterable[str] = ()) -> M:
    """The row, locked for the decision (``NaoEncontrado`` with ``nao_existe`` when it is gone).

    Only ``of=self`` is locked, and the decider is not joined: after waiting for the lock,
    PostgreSQL re-reads the locked row but not the joined ones, so a decision that lost the race
    would see the winner's ``decidido_por_id`` with no user; the refusal loads the user after."""
    try:
        return (
            modelo._default_manager.select_for_update(no_key=True, of=("self",))
            .select_related(*relacionados)
            .get(pk=pk)
        )
    except ObjectDoesNotExist:
        raise NaoEncontrado(nao_existe) from None


def quando(momento: datetime | None) -> str:
    return date_format(timezone.localtime(momento), "SHORT_DATETIME_FORMAT") if momento else "?"


def exigir_transicao(
    objeto: models.Model, destino: str, transicoes: Mapping[str, set[str]], *, frase: str, campos: Campos = DO_PO
) -> None:
    """Refuses (``TransicaoInvalida``, 409) a decision its table does not allow from the current
    state; ``frase`` says it was already decided, with ``%(decisao)s``, ``%(quem)s`` and
    ``%(quando)s`` filled from the record."""
    atual = getattr(objeto, campos.estado)
    if destino in transicoes.get(atual, set()):
        return
    quem = getattr(objeto, campos.por)
    raise TransicaoInvalida(
        frase
        % {
            "decisao": getattr(objeto, f"get_{campos.estado}_display")(),
            "quem": quem.get_username() if quem else "?",
            "quando": quando(getattr(objeto, campos.em)),
        },
        {campos.estado: [atual]},
    )


def motivo_opcional(motivo: str | None) -> str:
    return (motivo or "").strip()[:MAX_MOTIVO]


def motivo_obrigatorio(motivo: str | None, *, frase: str = "", campo: str = "motivo", falta: str = "") -> str:
    """The reason, required (``DadosInvalidos`` naming ``campo`` when blank)."""
    limpo = motivo_opcional(motivo)
    if not limpo:
        raise DadosInvalidos(frase or _("Informe o motivo da decisão."), {campo: [falta or _("Campo obrigatório.")]})
    return limpo


def registrar(
    objeto: models.Model,
    estado: str,
    *,
    por: User,
    motivo: str,
    campos: Campos = DO_PO,
    outros: Iterable[str] = (),
) -> None:
    """Records the decision on the locked row: the new state, who, now, why (and ``outros``
    fields the caller changed with it)."""
    setattr(objeto, campos.estado, estado)
    setattr(objeto, campos.por, por)
    setattr(objeto, campos.em, timezone.now())
    setattr(objeto, campos.motivo, motivo)
    objeto.save(update_fields=[campos.estado, campos.por, campos.em, campos.motivo, *outros])


def fechar_item(
    item_id: int | None,
    *,
    por: User,
    resultado: dict[str, Any],
    gerados: list[backlog.NovoItem],
    lease_token: uuid.UUID | str | None = None,
) -> None:
    """Concludes the item that waited for the decision as the person who decided (claiming it
    first: another system holding it makes the decision fail whole), producing what follows;
    with no item, only produces it. A decider that already holds the item (a role deciding over
    the broker) passes its ``lease_token`` and concludes under the name it claimed it with."""
    if item_id is None:
        backlog.produzir_varios(gerados, ator=ator_de(por))
        return
    if lease_token is not None:
        backlog.concluir(item_id=item_id, lease_token=lease_token, resultado=resultado, items_gerados=gerados)
        return
    reservado = backlog.reservar(item_id=item_id, consumidor=ator_de(por))
    backlog.concluir(
        item_id=item_id,
        lease_token=reservado.lease_token,
        resultado=resultado,
        items_gerados=gerados,
        ator=ator_de(por),
    )


# Called after the commit of a transaction that made a decision wait without making a backlog item
# claimable (a failed deployment); decisions waiting on an item are announced by the broker's
# listeners of their item types. Registered in ``FabricaConfig.ready`` (the e-mail notices).
_ao_esperar: list[Callable[[], None]] = []


def espera_ouvinte_registrar(funcao: Callable[[], None]) -> None:
    if funcao not in _ao_esperar:
        _ao_esperar.append(funcao)


def espera_anunciar() -> None:
    """Inside the transaction that made a decision wait: after its commit, its listeners run
    (robustly: a listener that fails never undoes nor fails the decision)."""
    for funcao in _ao_esperar:
        transaction.on_commit(funcao, robust=True)
