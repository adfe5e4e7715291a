"""Which decisions wait, since when, and who may decide each one (docs/avisos.md).

The four kinds a person is told about: a budget ready for approval, a release ready, a
deployment to validate, a failed deployment. Who may decide is the permission of the decision's
kind (``fabrica.papeis``: the PO group holds them) and, for deployments, the environment's
approvers (``fabrica.implantacao.services.aprovador_do_ambiente``: when an environment names
approving groups or users, only they decide its deployments). Superusers are not told: they may
do anything, but deciding is the PO's (the admin's role has no ``decidir_*``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from backlog import acesso
from backlog.models import Operacao
from backlog.models import Status as StatusItem
from fabrica.avisos.models import Aviso, Perfil
from fabrica.contratos import TipoItem
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente, Orcamento, Release

# Authentication has two backends (django-axes first); permissions are ModelBackend's.
_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class Espera:
    """One decision waiting: its kind, the record, since when, its page, and who may decide it."""

    tipo: str  # Aviso.Tipo
    objeto: Any
    desde: datetime
    caminho: str
    destinatarios: list[User] = field(default_factory=list)

    @property
    def referencia(self) -> str:
        return str(self.objeto.pk)


@dataclass(frozen=True)
class Tipo:
    tipo: str
    permissao: str
    aguardando: Callable[[], QuerySet[Any]]
    desde: Callable[[Any], datetime]
    url: str  # the URL name of the decision's page
    ambiente: Callable[[Any], Ambiente | None] = lambda objeto: None
    # The decision's item type when a role an admin granted may conclude it over the broker, and
    # the permission that opens the decision's page (a grantee without it could not follow the link).
    item: str = ""
    leitura: str = ""


# What a notice says of a budget or a release: the sweep reads them every minute, never their
# JSON (explanations, artefacts, test results) nor the spec's text.
_CAMPOS = ("id", "spec_ref", "spec__titulo", "item_aprovacao__criado_em", "item_aprovacao__desbloqueado_em")


def _orcamentos() -> QuerySet[Orcamento]:
    return (
        Orcamento.objects.filter(status=Orcamento.Status.ABERTO, item_aprovacao__status=StatusItem.PENDENTE)
        .select_related("spec", "item_aprovacao")
        .only(*_CAMPOS)
    )


def _releases() -> QuerySet[Release]:
    return (
        Release.objects.filter(status=Release.Status.ABERTA, item_aprovacao__status=StatusItem.PENDENTE)
        .select_related("spec", "item_aprovacao")
        .only(*_CAMPOS, "versao")
    )


def _implantacoes(condicao: Q) -> Callable[[], QuerySet[Implantacao]]:
    def listar() -> QuerySet[Implantacao]:
        return (
            Implantacao.objects.filter(condicao, tipo=Implantacao.Tipo.IMPLANTACAO)
            .select_related("ambiente", "release__spec")
            .only("id", "versao", "erro", "terminado_em", "criado_em", "ambiente", "release__spec__titulo")
        )

    return listar


def _desde_do_item(objeto: Orcamento | Release) -> datetime:
    # A budget waits from when its gaps were resolved (its item unblocked), else from its making.
    item = objeto.item_aprovacao
    assert item is not None
    return item.desbloqueado_em or item.criado_em


def _terminada(impl: Implantacao) -> datetime:
    return impl.terminado_em or impl.criado_em


TIPOS: tuple[Tipo, ...] = (
    # Only a budget is decided over the broker by a grant (the release's and the validation's
    # items refuse it: fabrica.decisoes.services.decisao_pelo_backlog_recusar).
    Tipo(
        Aviso.Tipo.ORCAMENTO,
        "fabrica.decidir_orcamento",
        _orcamentos,
        _desde_do_item,
        "orcamento",
        item=TipoItem.APROVAR_ORCAMENTO,
        leitura="fabrica.view_orcamento",
    ),
    Tipo(Aviso.Tipo.RELEASE, "fabrica.decidir_release", _releases, _desde_do_item, "release"),
    Tipo(
        Aviso.Tipo.VALIDACAO,
        "fabrica.decidir_implantacao",
        _implantacoes(Q(validacao=Implantacao.Validacao.PENDENTE)),
        _terminada,
        "implantacao",
        ambiente=lambda impl: impl.ambiente,
    ),
    Tipo(
        Aviso.Tipo.FALHA,
        "fabrica.decidir_implantacao",
        _implantacoes(Q(falha=Implantacao.Falha.PENDENTE)),
        _terminada,
        "implantacao",
        ambiente=lambda impl: impl.ambiente,
    ),
)
POR_TIPO = {t.tipo: t for t in TIPOS}


def _com_permissao(permissao: str) -> QuerySet[User]:
    return User.objects.with_perm(permissao, include_superusers=False, backend=_BACKEND)


def _quem_decide(tipo: Tipo, preferencia: str) -> list[User]:
    """Active people holding the kind's permission (by group or by themselves) or granted to
    conclude its item over the broker (and able to open its page), with an e-mail, who did not
    turn ``preferencia`` (``avisos`` or ``resumo_diario``) off on their profile."""
    quem = Q(pk__in=_com_permissao(tipo.permissao).values("pk"))
    if tipo.item:
        grupos, usuarios = acesso.concedido(tipo.item, Operacao.CONCLUIR)
        concedidos = Q(pk__in=usuarios) | Q(
            pk__in=User.groups.through.objects.filter(group_id__in=grupos).values("user_id")
        )
        quem |= concedidos & Q(pk__in=_com_permissao(tipo.leitura).values("pk"))
    return list(
        User.objects.filter(quem)
        .exclude(email="")
        .exclude(**{f"perfil__{preferencia}": False})
        .select_related("perfil")
        .order_by("pk")
    )


def _aprovadores(ambiente: Ambiente, candidatos: list[User]) -> list[User]:
    """``candidatos`` who approve deploys to ``ambiente`` (everyone, when it names nobody)."""
    grupos = {g.pk for g in ambiente.grupos_aprovadores.all()}
    usuarios = {u.pk for u in ambiente.usuarios_aprovadores.all()}
    if not grupos and not usuarios:
        return candidatos
    nos_grupos = set(
        User.groups.through.objects.filter(user_id__in=[u.pk for u in candidatos], group_id__in=grupos).values_list(
            "user_id", flat=True
        )
    )
    return [u for u in candidatos if u.pk in usuarios or u.pk in nos_grupos]


def esperando(
    *, preferencia: str = "avisos", ha_mais_de: timedelta | None = None, agora: datetime | None = None
) -> list[Espera]:
    """Every decision waiting now (of the four kinds), each with the people to tell: those who
    may decide it and want ``preferencia``. With ``ha_mais_de``, only those waiting longer."""
    agora = agora or timezone.now()
    esperas: list[Espera] = []
    pessoas: dict[str, list[User]] = {}  # per kind
    por_ambiente: dict[tuple[str, int], list[User]] = {}
    for tipo in TIPOS:
        for objeto in tipo.aguardando().order_by("pk"):
            desde = tipo.desde(objeto)
            if ha_mais_de is not None and agora - desde <= ha_mais_de:
                continue
            if tipo.tipo not in pessoas:
                pessoas[tipo.tipo] = _quem_decide(tipo, preferencia)
            destinatarios = pessoas[tipo.tipo]
            ambiente = tipo.ambiente(objeto)
            if ambiente is not None:
                chave = (tipo.tipo, ambiente.pk)
                if chave not in por_ambiente:
                    por_ambiente[chave] = _aprovadores(ambiente, destinatarios)
                destinatarios = por_ambiente[chave]
            esperas.append(Espera(tipo.tipo, objeto, desde, reverse(tipo.url, args=[objeto.pk]), list(destinatarios)))
    return esperas


def espera_de(tipo: str, referencia: str) -> Espera | None:
    """The decision of a notice, if it still waits (with no recipients: the caller knows who)."""
    definicao = POR_TIPO.get(tipo)
    if definicao is None or not referencia.isdecimal():
        return None
    objeto = definicao.aguardando().filter(pk=int(referencia)).first()
    if objeto is None:
        return None
    return Espera(tipo, objeto, definicao.desde(objeto), reverse(definicao.url, args=[objeto.pk]))


def tipos_de(usuario: User) -> list[str]:
    """The kinds of notice this person's role may receive (words, in the active language)."""
    rotulos = dict(Aviso.Tipo.choices)
    return [str(rotulos[t.tipo]) for t in TIPOS if not usuario.is_superuser and _decide(usuario, t)]


def _decide(usuario: User, tipo: Tipo) -> bool:
    if usuario.has_perm(tipo.permissao):
        return True
    return (
        bool(tipo.item) and acesso.permitido(usuario, tipo.item, Operacao.CONCLUIR) and usuario.has_perm(tipo.leitura)
    )


def perfil_de(usuario: User) -> Perfil:
    """The person's preferences (the defaults, unsaved, when they never changed them)."""
    return Perfil.objects.filter(usuario=usuario).first() or Perfil(usuario=usuario)


def avisos_recentes(usuario: User, limite: int = 10) -> list[tuple[Aviso, str]]:
    """The person's last notices, each with the page of its decision (a digest has none): the
    profile opens what a notice announced, as the e-mail's link does."""
    urls = {t.tipo: t.url for t in TIPOS}
    return [
        (aviso, reverse(urls[aviso.tipo], args=[aviso.referencia]) if aviso.tipo in urls else "")
        for aviso in Aviso.objects.filter(usuario=usuario).order_by("-id")[:limite]
    ]
