"""MS_Backlog operations (docs/arquitetura.md, "The backlog contract"). Every state change of an
item goes through here.

``produzir``, ``consumir`` and ``concluir`` (and their batches) take ``por``, the authenticated
user of the request that asks (the REST API, a page): its access rules (``backlog.acesso``) are
checked, and a decision item it may conclude is concluded by its owner's decision service.
Without ``por`` the caller is the owning system's own code, in its own process.

Each operation runs in one transaction that also writes its ``Evento``. The two hot operations,
``consumir`` and ``concluir``, run as single SQL statements on PostgreSQL (see ``backlog.sql``),
because the idiomatic ORM path costs a dozen statements per cycle; the ORM path below is the
portable one (SQLite for ``make run``) and the reference the SQL path is tested against.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, NoReturn, cast, overload

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from backlog import acesso, espera, sql
from backlog import tipos as registro
from backlog.erros import DadosInvalidos, ItemNaoEncontrado, LeaseInvalido, TransicaoInvalida
from backlog.models import SATISFAZ_DEPENDENCIA, Dependencia, Evento, Item, Operacao, Status
from prometheus_site.erros import ErroDominio
from prometheus_site.observabilidade import item_concluido

# The one table of allowed transitions: operation → statuses it may start from.
TRANSICOES: dict[str, frozenset[str]] = {
    "consumir": frozenset({Status.PENDENTE}),
    "concluir": frozenset({Status.EM_PROCESSAMENTO}),
    "falhar": frozenset({Status.EM_PROCESSAMENTO}),
    "renovar": frozenset({Status.EM_PROCESSAMENTO}),
    # A gap solved outside the backlog (an admin registers the capability) is concluded
    # whether or not someone had claimed it.
    "resolver": frozenset({Status.PENDENTE, Status.EM_PROCESSAMENTO}),
    "cancelar": frozenset({Status.PENDENTE, Status.BLOQUEADO, Status.EM_PROCESSAMENTO, Status.FALHA}),
    "reenfileirar": frozenset({Status.FALHA, Status.CANCELADO}),
    # A claim whose consumer never received it (its long poll was abandoned) goes back untouched.
    "devolver": frozenset({Status.EM_PROCESSAMENTO}),
    # A producer completes the payload of an item nobody has taken yet.
    "anotar": frozenset({Status.PENDENTE, Status.BLOQUEADO}),
}

MAX_PRIORIDADE = 32767
MAX_ID = 2**63 - 1
# A batch (``consumir(quantidade=…)``, ``concluir_varios``) holds at most this many items, as
# SQS and Pub/Sub bound theirs; the REST API documents the same limit.
MAX_QUANTIDADE = 100
# The longest ``espera_segundos`` of a long poll (SQS's WaitTimeSeconds has the same bound).
MAX_ESPERA_SEGUNDOS = 20


@dataclass
class NovoItem:
    """What a producer asks for; ``depende_de_gerados`` points to earlier items of the same batch."""

    tipo: str
    produtor: str
    contexto: dict[str, Any] = field(default_factory=dict)
    spec_ref: str = ""
    prioridade: int = 0
    depende_de: Sequence[int] = ()
    depende_de_gerados: Sequence[int] = ()


def _exigir_transicao(item: Item, operacao: str) -> None:
    if item.status not in TRANSICOES[operacao]:
        # The sentence names the statuses with their words; ``campos`` keeps the stored value.
        permitidos = ", ".join(str(Status(s).label) for s in sorted(TRANSICOES[operacao]))
        raise TransicaoInvalida(
            gettext("O item #%(n)s está %(status)s; '%(operacao)s' só é permitido a partir de: %(permitidos)s.")
            % {"n": item.pk, "status": Status(item.status).label, "operacao": operacao, "permitidos": permitidos},
            {"status": [item.status]},
        )


def _token(lease_token: uuid.UUID | str | None) -> uuid.UUID | None:
    try:
        return lease_token if isinstance(lease_token, uuid.UUID) else uuid.UUID(str(lease_token))
    except ValueError:
        return None


def _exigir_lease(item: Item, lease_token: uuid.UUID | str | None) -> None:
    if item.lease_token is None or item.lease_token != _token(lease_token):
        raise LeaseInvalido(
            gettext(
                "O item #%(n)s não está reservado por este lease: ele expirou e o item foi "
                "resgatado ou entregue a outro consumidor."
            )
            % {"n": item.pk},
            {"lease_token": [gettext("Lease inválido ou expirado.")]},
        )


class _Sem(enum.Enum):
    LEASE = enum.auto()


_SEM_LEASE = _Sem.LEASE  # the operation is not the lease holder's: no lease to check


def _travar(item_id: int, operacao: str, lease_token: uuid.UUID | str | None | _Sem = _SEM_LEASE) -> Item:
    """The start of every change of one item: lock its row, check that ``operacao`` may start
    from its status (``TRANSICOES``) and, for the lease holder's operations, that
    ``lease_token`` is the current lease. Raises the precise refusal, changing nothing."""
    try:
        item = Item.objects.select_for_update(no_key=True).get(pk=item_id)
    except Item.DoesNotExist:
        raise ItemNaoEncontrado(_nao_existe(item_id)) from None
    _exigir_transicao(item, operacao)
    if not isinstance(lease_token, _Sem):
        _exigir_lease(item, lease_token)
    return item


# The fields ``_soltar_lease`` changes, for ``save(update_fields=…)``.
CAMPOS_LEASE = ["lease_token", "lease_expira_em"]


def _soltar_lease(item: Item) -> None:
    """The item leaves ``EmProcessamento``: nobody holds it any more."""
    item.lease_token = None
    item.lease_expira_em = None


def _evento(item_id: int, tipo: str, ator: str, dados: dict[str, Any] | None = None) -> Evento:
    return Evento(item_id=item_id, tipo=tipo, ator=ator[:200], dados=dados or {})


def _avisar_disponiveis(itens: Iterable[tuple[int, str]]) -> None:
    """Inside the transaction that made these items claimable: after its commit, each type's
    listeners get their ids (``tipos.registrar_ouvinte``) and this process's long polls of those
    types wake; on PostgreSQL the commit also notifies every other process's long polls."""
    por_tipo: dict[str, list[int]] = {}
    for pk, tipo in itens:
        por_tipo.setdefault(tipo, []).append(pk)
    if not por_tipo:
        return
    if connection.vendor == "postgresql":
        sql.avisar(espera.CANAL, sorted(por_tipo))
    transaction.on_commit(partial(espera.avisos.avisar, list(por_tipo)), robust=True)
    for tipo, ids in por_tipo.items():
        for funcao in registro.ouvintes(tipo):
            transaction.on_commit(partial(funcao, tipo, ids), robust=True)


Por = AbstractBaseUser | AnonymousUser | None


def _usa_sql_rapido() -> bool:
    return connection.vendor == "postgresql" and sql.HABILITADO


def _lease_ate(agora: datetime, segundos: int | None) -> datetime:
    return agora + timedelta(seconds=segundos or settings.PROMETHEUS_LEASE_SEGUNDOS)


# --- produzir ---------------------------------------------------------------------------------


def _tem_nul(valor: Any) -> bool:
    """PostgreSQL's jsonb refuses the NUL character (a DataError, a 500); refuse it as bad input
    on every backend."""
    if isinstance(valor, str):
        return "\x00" in valor
    if isinstance(valor, dict):
        return any(_tem_nul(k) or _tem_nul(v) for k, v in valor.items())
    if isinstance(valor, list):
        return any(_tem_nul(v) for v in valor)
    return False


_NUL = _("O JSON não pode conter o caractere nulo (\\u0000).")


def _nao_existe(item_id: object) -> str:
    return gettext("Item #%(n)s não existe.") % {"n": item_id}


def _validar_lote(novos: Sequence[NovoItem], prefixo: str) -> dict[str, list[str]]:
    erros: dict[str, list[str]] = {}
    for i, novo in enumerate(novos):
        base = f"{prefixo}[{i}]." if prefixo else ""
        if not novo.tipo or len(novo.tipo) > 64:
            erros.setdefault(f"{base}tipo", []).append(gettext("Informe um tipo de 1 a 64 caracteres."))
        if not novo.produtor or len(novo.produtor) > 100:
            erros.setdefault(f"{base}produtor", []).append(gettext("Informe um produtor de 1 a 100 caracteres."))
        if not isinstance(novo.contexto, dict):
            erros.setdefault(f"{base}contexto", []).append(gettext("O contexto deve ser um objeto JSON."))
        elif _tem_nul(novo.contexto):
            erros.setdefault(f"{base}contexto", []).append(str(_NUL))
        else:
            erros.update(registro.erros_do_contexto(novo.tipo, novo.contexto, f"{base}contexto"))
        if not -MAX_PRIORIDADE <= novo.prioridade <= MAX_PRIORIDADE:
            erros.setdefault(f"{base}prioridade", []).append(
                gettext("A prioridade deve estar entre %(min)s e %(max)s.")
                % {"min": -MAX_PRIORIDADE, "max": MAX_PRIORIDADE}
            )
        if len(novo.spec_ref) > 100:
            erros.setdefault(f"{base}spec_ref", []).append(gettext("No máximo 100 caracteres."))
        if len(set(novo.depende_de)) != len(novo.depende_de):
            erros.setdefault(f"{base}depende_de", []).append(gettext("Dependência repetida."))
        for ref in novo.depende_de_gerados:
            if not 0 <= ref < i:
                erros.setdefault(f"{base}depende_de_gerados", []).append(
                    gettext("%(ref)s não é o índice de um item anterior deste lote.") % {"ref": ref}
                )
    return erros


def _produzir_lote(
    novos: Sequence[NovoItem],
    *,
    produzido_por: int | None,
    ator: str,
    prefixo: str = "items_gerados",
    por: Por = None,
) -> list[Item]:
    """Creates the items, their dependencies and ``produzido`` events in a constant number of
    queries. Must run inside a transaction; dependencies are locked so that a concurrent
    ``concluir`` of one of them waits for this commit and then sees the new dependents.

    An item produced through a request (``por``) says so in its ``produzido`` event
    (``requisicao_de``: the request's user), whatever ``ator`` and ``produtor`` the caller
    wrote: the owner of a type can tell its own services' items from the API's
    (``selectors.autoria``)."""
    if not novos:
        return []
    erros = _validar_lote(novos, prefixo)
    # An id beyond a 64-bit integer cannot exist; SQLite would fail on it (OverflowError).
    ids_deps = {d for novo in novos for d in novo.depende_de if 0 < d <= MAX_ID}
    status_deps: dict[int, str] = {}
    if ids_deps:
        status_deps = dict(
            Item.objects.select_for_update(no_key=True)
            .filter(pk__in=ids_deps)
            .order_by("pk")
            .values_list("pk", "status")
        )
    for i, novo in enumerate(novos):
        faltando = sorted(d for d in novo.depende_de if d not in status_deps)
        if faltando:
            chave = f"{prefixo}[{i}].depende_de" if prefixo else "depende_de"
            erros.setdefault(chave, []).append(
                gettext("Itens inexistentes: %(lista)s.") % {"lista": ", ".join(f"#{d}" for d in faltando)}
            )
    if erros:
        raise DadosInvalidos(gettext("Os dados do item não são válidos."), erros)

    agora = timezone.now()
    criados: list[Item] = []
    for novo in novos:
        bloqueado = bool(novo.depende_de_gerados) or any(
            status_deps[d] != SATISFAZ_DEPENDENCIA for d in novo.depende_de
        )
        tipo_item = registro.tipo_registrado(novo.tipo)
        spec_ref = novo.spec_ref or str(novo.contexto.get("spec_ref", "") or "")[:100]
        criados.append(
            Item(
                tipo=novo.tipo,
                produtor=novo.produtor,
                contexto=novo.contexto,
                spec_ref=spec_ref,
                prioridade=novo.prioridade,
                produzido_por_id=produzido_por,
                status=Status.BLOQUEADO if bloqueado else Status.PENDENTE,
                max_tentativas=tipo_item.max_tentativas if tipo_item else registro.MAX_TENTATIVAS_PADRAO,
                criado_em=agora,
            )
        )
    # One INSERT per item keeps ids in creation order on every backend, which the acyclic
    # constraint (a dependency is always older) relies on; bulk_create returns them in order.
    Item.objects.bulk_create(criados)
    Dependencia.objects.bulk_create(
        [
            Dependencia(item_id=item.pk, depende_de_id=d)
            for item, novo in zip(criados, novos, strict=True)
            for d in novo.depende_de
        ]
        + [
            Dependencia(item_id=item.pk, depende_de_id=criados[ref].pk)
            for item, novo in zip(criados, novos, strict=True)
            for ref in novo.depende_de_gerados
        ]
    )
    Evento.objects.bulk_create(
        [
            _evento(
                item.pk,
                "produzido",
                ator,
                {
                    "status": item.status,
                    "depende_de": list(novo.depende_de) + [criados[r].pk for r in novo.depende_de_gerados],
                    **({"produzido_por": produzido_por} if produzido_por else {}),
                    **({"requisicao_de": por.get_username()} if por is not None else {}),
                },
            )
            for item, novo in zip(criados, novos, strict=True)
        ]
    )
    for item, novo in zip(criados, novos, strict=True):
        item.depende_de_ids = sorted([*novo.depende_de, *(criados[r].pk for r in novo.depende_de_gerados)])
    _avisar_disponiveis((i.pk, i.tipo) for i in criados if i.status == Status.PENDENTE)
    return criados


def produzir(
    *,
    tipo: str,
    produtor: str,
    contexto: dict[str, Any] | None = None,
    spec_ref: str = "",
    prioridade: int = 0,
    depende_de: Iterable[int] = (),
    ator: str | None = None,
    por: Por = None,
) -> Item:
    """Creates an item: ``Bloqueado`` if any dependency is not ``Concluido``, else ``Pendente``.

    A registered type's ``contexto`` must match its schema; unknown dependency ids are refused;
    nothing is written when anything is refused (``DadosInvalidos`` names every bad field).
    Refused (403) when ``por`` may not produce this type.
    """
    if por is not None:
        acesso.exigir(por, [tipo], Operacao.PRODUZIR)
    novo = NovoItem(
        tipo=tipo,
        produtor=produtor,
        contexto=contexto if contexto is not None else {},
        spec_ref=spec_ref,
        prioridade=prioridade,
        depende_de=list(depende_de),
    )
    with transaction.atomic():
        (item,) = _produzir_lote([novo], produzido_por=None, ator=ator or produtor, prefixo="", por=por)
    return item


def produzir_varios(
    novos: Sequence[NovoItem], *, ator: str, produzido_por: int | None = None, por: Por = None
) -> list[Item]:
    """Produces several items at once (``depende_de_gerados`` may link them), all or none;
    refused (403) when ``por`` may not produce one of their types."""
    if por is not None:
        acesso.exigir(por, [n.tipo for n in novos], Operacao.PRODUZIR, campo="items_gerados")
    with transaction.atomic():
        return _produzir_lote(novos, produzido_por=produzido_por, ator=ator, por=por)


# --- consumir ---------------------------------------------------------------------------------


@overload
def consumir(
    *,
    tipos: Sequence[str],
    consumidor: str,
    lease_segundos: int | None = None,
    quantidade: None = None,
    espera_segundos: float = 0,
    desistir: Callable[[], bool] | None = None,
    por: Por = None,
) -> Item | None: ...


@overload
def consumir(
    *,
    tipos: Sequence[str],
    consumidor: str,
    lease_segundos: int | None = None,
    quantidade: int,
    espera_segundos: float = 0,
    desistir: Callable[[], bool] | None = None,
    por: Por = None,
) -> list[Item]: ...


def consumir(
    *,
    tipos: Sequence[str],
    consumidor: str,
    lease_segundos: int | None = None,
    quantidade: int | None = None,
    espera_segundos: float = 0,
    desistir: Callable[[], bool] | None = None,
    por: Por = None,
) -> Item | None | list[Item]:
    """Claims the next claimable item of these types (``models.consumivel``), highest
    ``prioridade`` first, then oldest; returns it ``EmProcessamento`` with a fresh lease, or None
    when there is none. With ``quantidade`` (1 to ``MAX_QUANTIDADE``) claims up to that many at
    once and returns them as a list, in claim order (empty when none).

    Two consumers never get the same item (``FOR NO KEY UPDATE SKIP LOCKED`` on PostgreSQL; a
    single writer on SQLite). The lease token of each returned item is the consumer's proof of
    ownership for ``concluir``/``falhar``.

    With ``espera_segundos`` (up to ``MAX_ESPERA_SEGUNDOS``) and nothing to claim, waits that
    long for items of these types to become claimable (``backlog.espera``): outside any
    transaction, holding no lock, and ending early when ``desistir()`` becomes true (the client
    left) or the server stops. Refused inside a transaction, which the wait would hold open.

    Refused (403, naming them) when ``por`` may not consume some of ``tipos``.
    """
    erros: dict[str, list[str]] = {}
    if not tipos:
        erros["tipos"] = [gettext("Informe ao menos um tipo.")]
    if not consumidor or len(consumidor) > 200:
        erros["consumidor"] = [gettext("Informe de 1 a 200 caracteres.")]
    if quantidade is not None and not 1 <= quantidade <= MAX_QUANTIDADE:
        erros["quantidade"] = [gettext("Informe de 1 a %(max)s.") % {"max": MAX_QUANTIDADE}]
    if not 0 <= espera_segundos <= MAX_ESPERA_SEGUNDOS:
        erros["espera_segundos"] = [gettext("Informe de 0 a %(max)s segundos.") % {"max": MAX_ESPERA_SEGUNDOS}]
    if erros:
        raise DadosInvalidos(gettext("O pedido de consumo não é válido."), erros)
    if por is not None:
        acesso.exigir(por, tipos, Operacao.CONSUMIR, campo="tipos")
    if espera_segundos and connection.in_atomic_block:
        raise TransactionManagementError("consumir com espera_segundos não pode rodar dentro de uma transação.")
    tipos = list(dict.fromkeys(tipos))
    segundos = lease_segundos or settings.PROMETHEUS_LEASE_SEGUNDOS
    limite = quantidade or 1

    def reservar() -> list[Item]:
        return _reservar_consumiveis(tipos, consumidor, segundos, limite)

    itens = espera.reservar_esperando(tipos, reservar, espera_segundos, desistir) if espera_segundos else reservar()
    if quantidade is not None:
        return itens
    return itens[0] if itens else None


def _reservar_consumiveis(tipos: list[str], consumidor: str, segundos: int, quantidade: int) -> list[Item]:
    if _usa_sql_rapido():
        return sql.consumir(tipos, consumidor, segundos, quantidade)
    with transaction.atomic():
        agora = timezone.now()
        itens = list(
            Item.objects.select_for_update(skip_locked=True, no_key=True)
            .consumiveis(agora)
            .filter(tipo__in=tipos)
            .order_by("-prioridade", "id")[:quantidade]
        )
        if len(itens) == 1:
            return [_reservar(itens[0], consumidor, agora, segundos)]
        for item in itens:
            _marcar_reservado(item, consumidor, agora, segundos)
        Item.objects.bulk_update(itens, _CAMPOS_RESERVA)
        Evento.objects.bulk_create(
            [_evento(item.pk, "consumido", consumidor, {"tentativa": item.tentativas}) for item in itens]
        )
        return itens


_CAMPOS_RESERVA = ["status", "consumidor", "consumido_em", "tentativas", "lease_token", "lease_expira_em"]


def _marcar_reservado(item: Item, consumidor: str, agora: datetime, segundos: int) -> None:
    item.status = Status.EM_PROCESSAMENTO
    item.consumidor = consumidor
    item.consumido_em = agora
    item.tentativas += 1
    item.lease_token = uuid.uuid4()
    item.lease_expira_em = _lease_ate(agora, segundos)


def _reservar(item: Item, consumidor: str, agora: datetime, segundos: int) -> Item:
    _marcar_reservado(item, consumidor, agora, segundos)
    item.save(update_fields=_CAMPOS_RESERVA)
    _evento(item.pk, "consumido", consumidor, {"tentativa": item.tentativas}).save()
    return item


def reservar(*, item_id: int, consumidor: str, lease_segundos: int | None = None) -> Item:
    """Claims one given ``Pendente`` item (a person deciding on it), like ``consumir`` does."""
    with transaction.atomic():
        item = _travar(item_id, "consumir")
        return _reservar(item, consumidor, timezone.now(), lease_segundos or settings.PROMETHEUS_LEASE_SEGUNDOS)


def renovar_lease(*, item_id: int, lease_token: uuid.UUID | str | None, lease_segundos: int | None = None) -> Item:
    """Heartbeat of long work: pushes the lease forward; refused if the lease is no longer held."""
    with transaction.atomic():
        item = _travar(item_id, "renovar", lease_token)
        item.lease_expira_em = _lease_ate(timezone.now(), lease_segundos)
        item.save(update_fields=["lease_expira_em"])
        return item


# --- concluir ---------------------------------------------------------------------------------


@dataclass
class Conclusao:
    """One entry of ``concluir_varios``: what ``concluir`` takes for one item."""

    item_id: int
    lease_token: uuid.UUID | str | None
    resultado: dict[str, Any] | None = None
    items_gerados: Sequence[NovoItem] = ()


def _validar_conclusao(c: Conclusao) -> None:
    if c.resultado is not None and not isinstance(c.resultado, dict):
        raise DadosInvalidos(
            gettext("O resultado deve ser um objeto JSON."), {"resultado": [gettext("Deve ser um objeto.")]}
        )
    if c.resultado and _tem_nul(c.resultado):
        raise DadosInvalidos(gettext("O resultado não é válido."), {"resultado": [str(_NUL)]})
    if not isinstance(c.item_id, int) or not 0 < c.item_id <= MAX_ID:
        # Beyond bigint: PostgreSQL would refuse the fast statement's parameter (a 500).
        raise ItemNaoEncontrado(_nao_existe(c.item_id))
    if c.items_gerados:
        erros = _validar_lote(c.items_gerados, "items_gerados")
        if erros:
            raise DadosInvalidos(gettext("Os itens gerados não são válidos."), erros)


def concluir(
    *,
    item_id: int,
    lease_token: uuid.UUID | str | None,
    resultado: dict[str, Any] | None = None,
    items_gerados: Sequence[NovoItem] = (),
    ator: str | None = None,
    por: Por = None,
) -> Item:
    """Concludes an item held by this lease and produces ``items_gerados`` (with
    ``produzido_por``) in the same transaction, then unblocks every dependent whose
    dependencies are now all ``Concluido`` (docs/arquitetura.md, "The backlog contract": concluir),
    in a constant number of queries.

    Refused, changing nothing: an unknown item (404), an item not ``EmProcessamento`` (409),
    a lease that is not the current one (409: a late consumer whose item went to another),
    a type ``por`` may not conclude or generated items of a type it may not produce (403).
    An item whose type has a decision service (``tipos.registrar_decisor``) concluded with
    ``por`` is concluded by that service, which records ``por``'s decision.
    The returned item carries the items it generated in ``item.gerados_agora`` (in order).
    """
    resultado = resultado if resultado is not None else {}
    _validar_conclusao(Conclusao(item_id, lease_token, resultado, items_gerados))
    if por is not None and items_gerados:
        acesso.exigir(por, [n.tipo for n in items_gerados], Operacao.PRODUZIR, campo="items_gerados")
    if _usa_sql_rapido():
        # Without generated items the statement is its own transaction (one round trip).
        with transaction.atomic() if items_gerados else nullcontext():
            token = _token(lease_token)
            concluido = sql.concluir(
                item_id, str(token) if token else None, resultado, ator, acesso.filtro_de_conclusao(por)
            )
            if concluido is None:
                decidido = _concluir_por_decisor(item_id, lease_token, resultado, items_gerados, por)
                if decidido is not None:
                    return decidido
                _diagnosticar(item_id, "concluir", lease_token)
            item, tem_dependentes = concluido
            item.gerados_agora = _produzir_lote(
                items_gerados, produzido_por=item.pk, ator=ator or item.consumidor, por=por
            )
        if tem_dependentes:
            _desbloquear(item.pk)
        item_concluido(item.tipo, item.consumido_em, item.concluido_em)
        return item
    decidido = _concluir_por_decisor(item_id, lease_token, resultado, items_gerados, por)
    if decidido is not None:
        return decidido
    with transaction.atomic():
        item = _travar(item_id, "concluir", lease_token)
        _marcar_concluido(item, resultado, ator or item.consumidor, "concluido")
        item.gerados_agora = _produzir_lote(items_gerados, produzido_por=item.pk, ator=ator or item.consumidor, por=por)
        _desbloquear(item.pk)
    item_concluido(item.tipo, item.consumido_em, item.concluido_em)
    return item


def concluir_varios(
    conclusoes: Sequence[Conclusao], *, ator: str | None = None, por: Por = None
) -> list[Item | ErroDominio]:
    """Concludes each entry as ``concluir`` would and answers, in the same order, the concluded
    item or the refusal (``ErroDominio``: the broker's, or a decision service's) of that entry: a bad entry never spoils the others,
    and each item is concluded whole or not at all (its generated items, its event and its
    unblocking commit with it). At most ``MAX_QUANTIDADE`` entries.

    On PostgreSQL the entries without generated items are concluded by one statement; an id
    repeated in the batch is concluded by its first entry (the others find it concluded).
    ``por`` is checked entry by entry, as ``concluir`` checks it.
    """
    if not 1 <= len(conclusoes) <= MAX_QUANTIDADE:
        raise DadosInvalidos(
            gettext("Envie de 1 a %(max)s conclusões.") % {"max": MAX_QUANTIDADE},
            {"itens": [gettext("Entre 1 e %(max)s itens.") % {"max": MAX_QUANTIDADE}]},
        )
    respostas: list[Item | ErroDominio | None] = [None] * len(conclusoes)
    juntas: dict[int, int] = {}  # item id -> entry, for the one statement
    vistos: set[int] = set()
    for posicao, c in enumerate(conclusoes):
        try:
            _validar_conclusao(c)
        except ErroDominio as exc:
            respostas[posicao] = exc
            continue
        if _usa_sql_rapido() and not c.items_gerados and c.item_id not in vistos:
            juntas[c.item_id] = posicao
        vistos.add(c.item_id)
    if juntas:
        entradas = []
        for item_id, posicao in juntas.items():
            token = _token(conclusoes[posicao].lease_token)
            entradas.append((item_id, str(token) if token else None, conclusoes[posicao].resultado or {}))
        concluidos = sql.concluir_varios(entradas, ator, acesso.filtro_de_conclusao(por))
        for item_id, (item, tem_dependentes) in concluidos.items():
            item.gerados_agora = []
            respostas[juntas[item_id]] = item
            if tem_dependentes:
                _desbloquear(item.pk)
            item_concluido(item.tipo, item.consumido_em, item.concluido_em)
        for item_id, posicao in juntas.items():
            # A caller's miss may be a refusal of access or a decision: ``concluir`` says which.
            if item_id not in concluidos and por is None:
                try:
                    _diagnosticar(item_id, "concluir", conclusoes[posicao].lease_token)
                except ErroDominio as exc:
                    respostas[posicao] = exc
    for posicao, c in enumerate(conclusoes):
        if respostas[posicao] is None:
            try:
                respostas[posicao] = concluir(
                    item_id=c.item_id,
                    lease_token=c.lease_token,
                    resultado=c.resultado,
                    items_gerados=c.items_gerados,
                    ator=ator,
                    por=por,
                )
            except ErroDominio as exc:
                respostas[posicao] = exc
    return cast(list[Item | ErroDominio], respostas)  # every entry was answered above


def devolver(*, item_id: int, lease_token: uuid.UUID | str | None, ator: str) -> Item:
    """Gives back a claim its consumer never received (a long poll whose client left): the item
    is ``Pendente`` again as it was, the attempt not counted, and announced."""
    with transaction.atomic():
        item = _travar(item_id, "devolver", lease_token)
        item.status = Status.PENDENTE
        item.tentativas = max(item.tentativas - 1, 0)
        _soltar_lease(item)
        item.save(update_fields=["status", "tentativas", *CAMPOS_LEASE])
        _evento(item.pk, "devolvido", ator).save()
        _avisar_disponiveis([(item.pk, item.tipo)])
    return item


def _concluir_por_decisor(
    item_id: int,
    lease_token: uuid.UUID | str | None,
    resultado: dict[str, Any],
    items_gerados: Sequence[NovoItem],
    por: Por,
) -> Item | None:
    """For a caller with ``por``: refuses a type it may not conclude (403), and concludes an item
    of a type with a decision service through that service (its records change with the item;
    what follows from the decision is the service's to produce, not the caller's). None: the
    item is the broker's to conclude (or does not exist: the caller diagnoses)."""
    if por is None:
        return None
    # The type never changes: read without a lock, before the decision service takes its own
    # locks in its own order (its record, then the item).
    tipo = Item.objects.filter(pk=item_id).values_list("tipo", flat=True).first()
    if tipo is None:
        return None
    acesso.exigir(por, [tipo], Operacao.CONCLUIR)
    decidir = registro.decisor(tipo)
    if decidir is None:
        return None
    if items_gerados:
        raise DadosInvalidos(
            gettext("Um item '%(tipo)s' é concluído pela decisão que ele pede, que produz o que segue dela.")
            % {"tipo": tipo},
            {"items_gerados": [gettext("Não envie itens gerados na conclusão de uma decisão.")]},
        )
    decidir(item_id=item_id, lease_token=lease_token, resultado=resultado, por=por)
    item = Item.objects.get(pk=item_id)
    item.gerados_agora = list(item.gerados.order_by("pk"))
    return item


def _diagnosticar(item_id: int, operacao: str, lease_token: uuid.UUID | str | None) -> NoReturn:
    """Raises the precise refusal after a fast statement matched no row."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise ItemNaoEncontrado(_nao_existe(item_id))
    _exigir_transicao(item, operacao)
    _exigir_lease(item, lease_token)
    raise TransicaoInvalida(gettext("O item #%(n)s mudou durante a operação; tente de novo.") % {"n": item_id})


def _marcar_concluido(item: Item, resultado: dict[str, Any], ator: str, evento: str) -> None:
    item.status = Status.CONCLUIDO
    item.resultado = resultado
    item.concluido_em = timezone.now()
    _soltar_lease(item)
    item.save(update_fields=["status", "resultado", "concluido_em", *CAMPOS_LEASE])
    _evento(item.pk, evento, ator).save()


def resolver(*, item_id: int, resultado: dict[str, Any], ator: str) -> Item:
    """Concludes an open item from outside the consume cycle (a gap solved by an admin who
    registered the capability); a consumer still holding it loses its lease. Then unblocks."""
    with transaction.atomic():
        item = _travar(item_id, "resolver")
        _marcar_concluido(item, resultado, ator, "resolvido")
        _desbloquear(item.pk)
    return item


def _desbloquear(concluido_id: int) -> list[int]:
    """Seed §3.1 in four queries whatever the number of dependents: lock the blocked dependents
    (waiting for any concurrent conclusion of their other dependencies to commit), then, in a
    new statement that sees those commits, unblock the ones with nothing left to wait for."""
    with transaction.atomic():
        candidatos = list(
            Item.objects.select_for_update(no_key=True)
            .bloqueados_por(concluido_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not candidatos:
            return []
        prontos = list(Item.objects.filter(pk__in=candidatos).desbloqueaveis().values_list("pk", flat=True))
        if prontos:
            agora = timezone.now()
            Item.objects.filter(pk__in=prontos).update(
                status=Status.PENDENTE,
                desbloqueado_em=agora,
                desbloqueado_por_id=concluido_id,
            )
            Evento.objects.bulk_create(
                [_evento(pk, "desbloqueio", "MS_Backlog", {"desbloqueado_por": concluido_id}) for pk in prontos]
            )
            _avisar_disponiveis(Item.objects.filter(pk__in=prontos).values_list("pk", "tipo"))
        return prontos


def desbloquear_orfaos() -> int:
    """Repairs ``Bloqueado`` items whose dependencies are all ``Concluido`` (a process that died
    between a conclusion and its unblocking); run by the sweep. Returns how many were freed."""
    ids = Item.objects.desbloqueaveis().values_list("pk", flat=True)[:1000]
    total = 0
    for pk in ids:
        ultima = Dependencia.objects.filter(item_id=pk).order_by("-depende_de__concluido_em").first()
        if ultima is not None:
            total += len(_desbloquear(ultima.depende_de_id))
    return total


# --- falhar, cancelar, reenfileirar, resgatar ----------------------------------------------------


def falhar(
    *, item_id: int, lease_token: uuid.UUID | str | None, erro: str, ator: str | None = None, definitivo: bool = False
) -> Item:
    """Records a failure of the lease holder: back to ``Pendente`` after an exponential backoff
    while attempts remain (the type's maximum, 3 by default), else ``Falha``. A ``definitivo``
    failure (the input itself is wrong, retrying cannot help) goes to ``Falha`` at once. A type
    registered with ``falha_conclui`` ends ``Concluido`` instead, its failure as its result
    (``tipos.registrar_tipo``), and its dependents are unblocked."""
    if not isinstance(erro, str) or not erro.strip():
        raise DadosInvalidos(gettext("Descreva o erro."), {"erro": [gettext("Campo obrigatório.")]})
    with transaction.atomic():
        item = _travar(item_id, "falhar", lease_token)
        _registrar_falha(item, erro, ator or item.consumidor, "falha", definitivo=definitivo)
    return item


def _registrar_falha(
    item: Item, erro: str, ator: str, evento: str, *, com_atraso: bool = True, definitivo: bool = False
) -> None:
    agora = timezone.now()
    item.erro = erro.replace("\x00", "\ufffd")[:10_000]  # PostgreSQL text refuses NUL
    _soltar_lease(item)
    if item.tentativas < item.max_tentativas and not definitivo:
        # A failing item waits longer each time; a rescued one (its consumer died) does not.
        atraso = settings.PROMETHEUS_BACKOFF_SEGUNDOS * 2 ** max(item.tentativas - 1, 0) if com_atraso else 0
        item.status = Status.PENDENTE
        item.disponivel_em = agora + timedelta(seconds=atraso)
        dados = {
            "erro": item.erro[:500],
            "tentativa": item.tentativas,
            "nova_tentativa_em": item.disponivel_em.isoformat(),
        }
        if not atraso:
            # Claimable again at once (a rescued lease, or no backoff configured): announced
            # like a new item. A delayed retry is found when its backoff ends (the sweep, or a
            # long poll's own re-check).
            _avisar_disponiveis([(item.pk, item.tipo)])
    elif _falha_conclui(item.tipo):
        # A part its dependents assemble: its failure is its result (tipos.registrar_tipo).
        item.status = Status.CONCLUIDO
        item.resultado = {"falhou": True, "erro": item.erro[:2000], "tentativas": item.tentativas}
        item.concluido_em = agora
        dados = {"erro": item.erro[:500], "tentativa": item.tentativas, "definitiva": True, "concluido": True}
    else:
        item.status = Status.FALHA
        dados = {"erro": item.erro[:500], "tentativa": item.tentativas, "definitiva": True}
    item.save(update_fields=["status", "erro", "disponivel_em", "resultado", "concluido_em", *CAMPOS_LEASE])
    _evento(item.pk, evento, ator, dados).save()
    if item.status == Status.CONCLUIDO:
        _desbloquear(item.pk)


def _falha_conclui(tipo: str) -> bool:
    registrado = registro.tipo_registrado(tipo)
    return registrado is not None and registrado.falha_conclui


def anotar(*, item_id: int, contexto: dict[str, Any], ator: str) -> Item:
    """Adds keys to the ``contexto`` of an item nobody has taken yet (a producer completing a
    payload with ids known only after creation, e.g. ``bloqueando`` of a gap)."""
    with transaction.atomic():
        item = _travar(item_id, "anotar")
        novo = {**item.contexto, **contexto}
        erros = registro.erros_do_contexto(item.tipo, novo)
        if erros:
            raise DadosInvalidos(gettext("O contexto anotado não é válido."), erros)
        item.contexto = novo
        item.save(update_fields=["contexto"])
        _evento(item.pk, "anotado", ator, {"chaves": sorted(contexto)}).save()
    return item


def cancelar(*, item_id: int, ator: str, motivo: str = "") -> Item:
    """An admin withdraws an item that is not finished; its dependents stay ``Bloqueado``."""
    with transaction.atomic():
        item = _travar(item_id, "cancelar")
        item.status = Status.CANCELADO
        _soltar_lease(item)
        item.save(update_fields=["status", *CAMPOS_LEASE])
        _evento(item.pk, "cancelado", ator, {"motivo": motivo}).save()
    return item


def reenfileirar(*, item_id: int, ator: str) -> Item:
    """An admin gives a failed or cancelled item a fresh start with all its attempts; it waits
    again (``Bloqueado``) if a dependency is not ``Concluido``."""
    with transaction.atomic():
        item = _travar(item_id, "reenfileirar")
        pendencias = item.dependencias.em_aberto().exists()
        item.status = Status.BLOQUEADO if pendencias else Status.PENDENTE
        item.tentativas = 0
        item.disponivel_em = None
        item.save(update_fields=["status", "tentativas", "disponivel_em"])
        _evento(item.pk, "reenfileirado", ator, {"status": item.status}).save()
        if item.status == Status.PENDENTE:
            _avisar_disponiveis([(item.pk, item.tipo)])
    return item


def resgatar_expirados(*, limite: int = 500) -> int:
    """Items whose lease expired (their consumer died or hung) go back to ``Pendente``, or to
    ``Falha`` when they had used all their attempts (``Concluido`` with that failure as result,
    unblocking their dependents, for a type registered with ``falha_conclui``); each with a
    ``lease_expirado`` event."""
    with transaction.atomic():
        expirados = list(
            Item.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(status=Status.EM_PROCESSAMENTO, lease_expira_em__lt=timezone.now())
            .order_by("lease_expira_em")[:limite]
        )
        for item in expirados:
            _registrar_falha(
                item,
                gettext_noop("Lease de %(consumidor)s expirou.") % {"consumidor": item.consumidor},
                "MS_Backlog",
                "lease_expirado",
                com_atraso=False,
            )
    return len(expirados)
