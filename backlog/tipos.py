"""Registry of item types known to the broker: the schema of their ``contexto`` and retry limit.

MS_Backlog knows nothing of specs or budgets: other apps register their types here at start-up
(``AppConfig.ready``). Unknown types are accepted as they come, because other systems share
the broker; only registered types are validated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext
from jsonschema import Draft202012Validator

MAX_TENTATIVAS_PADRAO = 3


# contexto → {field path under contexto: [messages]}: rules a schema cannot hold (a reference
# that must exist), run only on a contexto that passed the schema.
Validador = Callable[[dict[str, Any]], dict[str, list[str]]]


@dataclass(frozen=True)
class TipoItem:
    nome: str
    schema: dict[str, Any]
    max_tentativas: int = MAX_TENTATIVAS_PADRAO
    descricao: str = ""
    validar: Validador | None = None
    # Its final failure is an outcome its dependents wait for, not a stop (``registrar_tipo``).
    falha_conclui: bool = False

    def validador(self) -> Draft202012Validator:
        return _validadores[self.nome]


_tipos: dict[str, TipoItem] = {}
_validadores: dict[str, Draft202012Validator] = {}
Ouvinte = Callable[[str, list[int]], None]
_ouvintes: dict[str, list[Ouvinte]] = {}


def registrar_ouvinte(tipos: Iterable[str], funcao: Ouvinte) -> None:
    """``funcao(tipo, ids)`` is called after each commit that made items of ``tipo`` claimable
    (produced ``Pendente``, unblocked, requeued, or retried at once), with their ids: how a
    consumer in this process learns of work without polling. Listeners registered later get the
    items of later commits (none is replayed: the consumer's own sweep finds older ones)."""
    for tipo in tipos:
        if funcao not in _ouvintes.setdefault(tipo, []):
            _ouvintes[tipo].append(funcao)


def ouvintes(tipo: str) -> list[Ouvinte]:
    return _ouvintes.get(tipo, [])


class Decisor(Protocol):
    """Concludes an item of its type on behalf of ``por`` through the owning system's decision
    service, which changes its own records and concludes the item with ``lease_token``."""

    def __call__(self, *, item_id: int, lease_token: Any, resultado: dict[str, Any], por: Any) -> Any: ...


_decisores: dict[str, Decisor] = {}


def registrar_decisor(tipo: str, funcao: Decisor) -> None:
    """Items of ``tipo`` concluded through a request (a role the admin granted) are concluded by
    ``funcao``, never by the broker alone: a decision item concluded beside an undecided
    decision would be a lie. The owning app registers it at start-up (``AppConfig.ready``)."""
    _decisores[tipo] = funcao


def decisor(tipo: str) -> Decisor | None:
    return _decisores.get(tipo)


def tipos_com_decisor() -> frozenset[str]:
    return frozenset(_decisores)


def registrar_tipo(
    nome: str,
    schema: dict[str, Any],
    *,
    max_tentativas: int = MAX_TENTATIVAS_PADRAO,
    descricao: str = "",
    validar: Validador | None = None,
    falha_conclui: bool = False,
) -> TipoItem:
    """Registers (or replaces) a type; the schema is checked now so a bad one fails at start.
    ``validar`` adds the registering app's own rules, checked at produce time after the schema.

    ``falha_conclui``: an item of this type is one part of a whole its dependents assemble (a
    vertente of a build), so its failure is an outcome they wait for: when its attempts run out
    (``falhar``, or an expired lease on its last attempt) or it fails definitively, it ends
    ``Concluido`` with ``resultado = {"falhou": true, "erro", "tentativas"}`` (``erro`` kept too)
    instead of resting in ``Falha``, and the unblocking rule, unchanged (every dependency
    ``Concluido``), frees its dependents, which read the failure and its reason there."""
    Draft202012Validator.check_schema(schema)
    tipo = TipoItem(
        nome=nome,
        schema=schema,
        max_tentativas=max_tentativas,
        descricao=descricao,
        validar=validar,
        falha_conclui=falha_conclui,
    )
    _tipos[nome] = tipo
    _validadores[nome] = Draft202012Validator(schema)
    return tipo


def tipo_registrado(nome: str) -> TipoItem | None:
    return _tipos.get(nome)


def tipos_registrados() -> dict[str, TipoItem]:
    return dict(_tipos)


def caminho(prefixo: str, partes: Iterable[str | int]) -> str:
    """Turns a jsonschema path into ``contexto.a[0].b``."""
    texto = prefixo
    for parte in partes:
        texto += f"[{parte}]" if isinstance(parte, int) else f".{parte}"
    return texto


def erros_do_contexto(nome: str, contexto: Any, prefixo: str = "contexto") -> dict[str, list[str]]:
    """Field path → messages for a ``contexto`` that breaks its type's schema; empty if valid."""
    tipo = _tipos.get(nome)
    if tipo is None:
        return {}
    erros: dict[str, list[str]] = {}
    for erro in sorted(_validadores[nome].iter_errors(contexto), key=lambda e: list(e.absolute_path)):
        partes = list(erro.absolute_path)
        if erro.validator == "required":
            # Report a missing key at its own path, which is what a person looks for.
            faltando = erro.message.split("'")[1] if "'" in erro.message else ""
            partes.append(faltando)
            mensagem = gettext("Campo obrigatório.")
        else:
            mensagem = erro.message
        erros.setdefault(caminho(prefixo, partes), []).append(mensagem)
    if not erros and tipo.validar is not None:
        for campo, mensagens in tipo.validar(contexto).items():
            erros.setdefault(f"{prefixo}.{campo}", []).extend(mensagens)
    return erros
