"""The rules a deploy must meet: the default environment, who approves deploys to an
environment, an earlier validation it may demand; and the ``implantar`` item that passed them."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from backlog import services as backlog
from fabrica import contratos
from fabrica.erros import DadosInvalidos, SemPermissao, TransicaoInvalida
from fabrica.implantacao import selectors
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente, Release


def exigir_ambiente_padrao() -> Ambiente:
    """The default environment (``selectors.ambiente_padrao``); ``DadosInvalidos`` when none is active."""
    ambiente = selectors.ambiente_padrao()
    if ambiente is None:
        raise DadosInvalidos(
            _("Não há ambiente ativo para implantar: um administrador precisa cadastrar um."),
            {"ambiente": [_("Nenhum ambiente ativo.")]},
        )
    return ambiente


def aprovador_do_ambiente(usuario: User | None, ambiente: Ambiente) -> bool:
    """Whether this person may approve deploys to the environment: anyone (with the role's
    permission) unless the environment names its approving groups or users."""
    grupos = list(ambiente.grupos_aprovadores.all())
    usuarios = list(ambiente.usuarios_aprovadores.all())
    if not grupos and not usuarios:
        return True
    if usuario is None:
        return False
    return usuario in usuarios or usuario.groups.filter(pk__in=[g.pk for g in grupos]).exists()


def exigir_aprovador(usuario: User | None, ambiente: Ambiente) -> None:
    if not aprovador_do_ambiente(usuario, ambiente):
        nomes = [g.name for g in ambiente.grupos_aprovadores.all()] + [
            u.get_username() for u in ambiente.usuarios_aprovadores.all()
        ]
        raise SemPermissao(
            _("%(quem)s não aprova implantações em %(ambiente)s; quem aprova: %(nomes)s.")
            % {
                "quem": usuario.get_username() if usuario else "?",
                "ambiente": ambiente.nome,
                "nomes": ", ".join(nomes),
            },
            {"ambiente": [_("Aprovadores: %(nomes)s.") % {"nomes": ", ".join(nomes)}]},
        )


def exigir_validacao_anterior(release: Release, ambiente: Ambiente) -> None:
    exigido = ambiente.exige_validacao_em
    if exigido is None:
        return
    if not Implantacao.objects.filter(
        release=release, ambiente=exigido, validacao=Implantacao.Validacao.VALIDADA
    ).exists():
        raise TransicaoInvalida(
            _("A release %(release)s precisa ser validada em %(exigido)s antes de ir para %(ambiente)s.")
            % {"release": release.rotulo_versao, "exigido": exigido.nome, "ambiente": ambiente.nome},
            {"ambiente": [_("Valide antes em %(exigido)s.") % {"exigido": exigido.nome}]},
        )


def exigir_pode_implantar(*, release: Release, ambiente: Ambiente, por: User | None) -> None:
    """Every rule a deploy of ``release`` to ``ambiente`` approved by ``por`` must meet; the
    release approval (development) calls it before producing ``implantar``, and the consumer
    checks it again before deploying."""
    if release.status != Release.Status.APROVADA:
        raise TransicaoInvalida(
            _("A release %(release)s não está aprovada (%(status)s).")
            % {"release": release.rotulo_versao, "status": release.get_status_display()},
            {"release_ref": [release.status]},
        )
    if not ambiente.ativo:
        raise TransicaoInvalida(
            _("O ambiente %(ambiente)s está desativado.") % {"ambiente": ambiente.nome}, {"ambiente": [_("Inativo.")]}
        )
    exigir_validacao_anterior(release, ambiente)
    exigir_aprovador(por, ambiente)


def item_implantar_preparar(
    *,
    release: Release,
    ambiente: Ambiente | None = None,
    por: User,
    origem: Implantacao | None = None,
    repete: Implantacao | None = None,
) -> backlog.NovoItem:
    """The ``implantar`` item for an approved release (checked against the environment's rules),
    to produce or to conclude an approval with."""
    ambiente = ambiente or exigir_ambiente_padrao()
    exigir_pode_implantar(release=release, ambiente=ambiente, por=por)
    return contratos.item_implantar(
        rotulo_versao=release.rotulo_versao,
        spec_ref=release.spec_ref,
        ambiente=ambiente.nome,
        aprovado_por=por.get_username(),
        origem_ref=str(origem.pk) if origem is not None else "",
        repete_ref=str(repete.pk) if repete is not None else "",
    )
