"""Who may produce, consume and conclude items of each type through a request (issue 16).

The broker is shared: a system's token may use its own types and must not decide in another
system's place (a ``Sistema`` token concluding ``aprovar_orcamento`` would leave a concluded item
beside an undecided budget). Each type's ``RegraAcesso`` grants each operation to roles (Django
groups) or users; the rule ``*`` governs the types without a rule of their own; a type with a
rule that grants nothing is reserved to the services of the system that owns it. The services
(``backlog.services``) check the caller they are given (``por``): a request's authenticated
user. A service called without ``por`` is the owning system's own code, in its own process.

The rules are few and read on every request of the hot endpoints, so each process remembers
them for ``PROMETHEUS_API_CACHE_SEGUNDOS`` (as ``backlog.api.autenticacao`` remembers tokens): a
rule changed in another process holds there within that time; the admin of this process forgets
them at once. A user's roles are remembered on the user object, which a remembered token keeps
for the same time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.utils.translation import gettext, gettext_lazy

from backlog import tipos as registro
from backlog.erros import AcessoNegado
from backlog.models import QUALQUER_TIPO, Operacao, RegraAcesso

Usuario = AbstractBaseUser | AnonymousUser

# What one rule grants for one operation: the roles (group ids) and the users (ids).
Concedido = tuple[frozenset[int], frozenset[int]]
_NADA: Concedido = (frozenset(), frozenset())


@dataclass(frozen=True)
class _Regras:
    expira: float
    por_tipo: dict[str, dict[str, Concedido]]
    # (user id, its roles) -> what it may conclude, computed once per reading of the rules.
    filtros: dict[tuple[object, frozenset[int]], Filtro] = field(default_factory=dict)


_lembradas: _Regras | None = None
_trava = threading.Lock()


def esquecer() -> None:
    """Reads the rules again on the next check (the admin after a change; tests)."""
    global _lembradas
    with _trava:
        _lembradas = None


def _ler() -> dict[str, dict[str, Concedido]]:
    """Every rule with its grants, in one query."""
    concedido: dict[str, dict[str, tuple[set[int], set[int]]]] = {}
    linhas = RegraAcesso.objects.values_list(
        "tipo",
        "concessoes__grupo_id",
        "concessoes__usuario_id",
        "concessoes__produzir",
        "concessoes__consumir",
        "concessoes__concluir",
    )
    for tipo, grupo, usuario, *flags in linhas:
        por_operacao = concedido.setdefault(tipo, {op: (set(), set()) for op in Operacao.values})
        for operacao, sim in zip(Operacao.values, flags, strict=True):
            if sim:
                grupos, usuarios = por_operacao[operacao]
                if grupo is not None:
                    grupos.add(grupo)
                if usuario is not None:
                    usuarios.add(usuario)
    return {tipo: {op: (frozenset(g), frozenset(u)) for op, (g, u) in ops.items()} for tipo, ops in concedido.items()}


def _lidas() -> _Regras:
    global _lembradas
    agora = time.monotonic()
    lembradas = _lembradas
    if lembradas is not None and lembradas.expira > agora:
        return lembradas
    lidas = _Regras(agora + settings.PROMETHEUS_API_CACHE_SEGUNDOS, _ler())
    if settings.PROMETHEUS_API_CACHE_SEGUNDOS > 0:
        with _trava:
            _lembradas = lidas
    return lidas


def _regras() -> dict[str, dict[str, Concedido]]:
    return _lidas().por_tipo


def _grupos(usuario: Usuario) -> frozenset[int]:
    grupos: frozenset[int] | None = getattr(usuario, "_grupos_do_backlog", None)
    if grupos is None:
        grupos = frozenset(Group.objects.filter(user=usuario.pk).values_list("pk", flat=True))
        usuario._grupos_do_backlog = grupos  # type: ignore[union-attr]
    return grupos


def _concedido(regras: dict[str, dict[str, Concedido]], tipo: str, operacao: str) -> Concedido:
    regra = regras.get(tipo)
    if regra is None:
        regra = regras.get(QUALQUER_TIPO)
    return regra[operacao] if regra is not None else _NADA


def concedido(tipo: str, operacao: Operacao) -> Concedido:
    """The groups and users granted ``operacao`` on items of ``tipo`` (those of ``*`` when the
    type has no rule of its own): who, besides PROMETHEUS's services, may act on them."""
    return _concedido(_regras(), tipo, operacao)


def permitido(usuario: Usuario, tipo: str, operacao: Operacao) -> bool:
    """Whether ``usuario`` may ``operacao`` items of ``tipo`` through a request."""
    if not usuario.is_authenticated:
        return False
    grupos, usuarios = _concedido(_regras(), tipo, operacao)
    return usuario.pk in usuarios or not grupos.isdisjoint(_grupos(usuario))


_VERBOS = {
    Operacao.PRODUZIR: gettext_lazy("produzir"),
    Operacao.CONSUMIR: gettext_lazy("consumir"),
    Operacao.CONCLUIR: gettext_lazy("concluir"),
}


def exigir(usuario: Usuario, tipos: Iterable[str], operacao: Operacao, *, campo: str = "tipo") -> None:
    """Refuses (``AcessoNegado``, 403, naming each type) unless ``usuario`` may ``operacao``
    items of every one of ``tipos``."""
    negados = sorted({tipo for tipo in tipos if not permitido(usuario, tipo, operacao)})
    if negados:
        lista = ", ".join(f"'{t}'" for t in negados)
        raise AcessoNegado(
            gettext(
                "Seu papel não pode %(verbo)s itens do tipo %(lista)s: esse tipo é reservado a quem "
                "o administrador concedeu (Regras de acesso do backlog)."
            )
            % {"verbo": _VERBOS[operacao], "lista": lista},
            {campo: negados},
        )


@dataclass(frozen=True)
class Filtro:
    """The types a caller may conclude in one statement (``backlog.sql``): those of
    ``permitidos``, and when ``padrao`` every type not in ``proibidos``. A type whose conclusion
    belongs to a decision service (``tipos.registrar_decisor``) is never among them: its
    conclusion goes through that service."""

    padrao: bool
    permitidos: list[str]
    proibidos: list[str]


SEM_FILTRO = Filtro(padrao=True, permitidos=[], proibidos=[])


def filtro_de_conclusao(usuario: Usuario | None) -> Filtro:
    """What ``usuario`` (None: the owning system's own code) may conclude without a decision
    service, for the fast statement to check as it concludes."""
    if usuario is None:
        return SEM_FILTRO
    lidas = _lidas()
    chave = (usuario.pk, _grupos(usuario) if usuario.is_authenticated else frozenset[int]())
    lembrado = lidas.filtros.get(chave)
    if lembrado is None:
        lembrado = lidas.filtros[chave] = _filtro(usuario, lidas.por_tipo)
    return lembrado


def _filtro(usuario: Usuario, regras: dict[str, dict[str, Concedido]]) -> Filtro:
    decididos = registro.tipos_com_decisor()
    com_regra = [t for t in regras if t != QUALQUER_TIPO]
    return Filtro(
        padrao=permitido(usuario, QUALQUER_TIPO, Operacao.CONCLUIR),
        permitidos=[t for t in com_regra if t not in decididos and permitido(usuario, t, Operacao.CONCLUIR)],
        proibidos=sorted({*com_regra, *decididos}),
    )
