"""The PO's decisions on a deployment: validate or refuse it, take or decline the promotion to the
next environment; and an admin's rollback request."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from backlog import services as backlog
from backlog.models import Item
from fabrica import contratos
from fabrica.decisoes import base
from fabrica.erros import DadosInvalidos, NaoEncontrado, TransicaoInvalida
from fabrica.implantacao import selectors
from fabrica.implantacao.models import Implantacao
from fabrica.implantacao.selectors import proximo_ambiente, releases_para_reverter
from fabrica.implantacao.services.execucao import _travar
from fabrica.implantacao.services.regras import exigir_aprovador, item_implantar_preparar
from fabrica.models import Ambiente, Release
from prometheus_site.atores import ator_de

Validacao = Implantacao.Validacao
Promocao = Implantacao.Promocao


# The PO's validation of a deployment, recorded like every decision (fabrica.decisoes.base).
VALIDACAO = base.Campos(estado="validacao", por="validado_por", em="validado_em", motivo="observacao")
TRANSICOES_VALIDACAO: Mapping[str, set[str]] = {Validacao.PENDENTE: {Validacao.VALIDADA, Validacao.RECUSADA}}


def implantacao_validar(*, implantacao_id: int, por: User, aprovado: bool, observacao: str = "") -> Implantacao:
    """The PO validates a deployment once (seed ``validar_implantacao``). Validated: produces
    ``avaliar_efetividade`` and offers promotion to the next environment. Refused (observation
    required): produces ``corrigir_bug`` (``erro`` = the observation, ``feature_ref`` = the release)
    and, if the deployment still serves, the rollback to the release before it (its own record,
    run in the background as an ``implantar`` item)."""
    if aprovado:
        observacao = base.motivo_opcional(observacao)
    else:
        observacao = base.motivo_obrigatorio(
            observacao,
            frase=_("Diga o que está errado: a observação vira o pedido de correção."),
            campo="observacao",
            falta=_("Obrigatória para recusar."),
        )
    destino = Validacao.VALIDADA if aprovado else Validacao.RECUSADA
    with transaction.atomic():
        impl = _travar(implantacao_id)
        if impl.validacao not in (Validacao.PENDENTE, Validacao.VALIDADA, Validacao.RECUSADA):
            raise TransicaoInvalida(
                _("Esta implantação não espera validação (%(estado)s).")
                % {"estado": impl.get_validacao_display() or impl.get_status_display()},
                {"validacao": [impl.validacao or impl.status]},
            )
        base.exigir_transicao(
            impl,
            destino,
            TRANSICOES_VALIDACAO,
            frase=_("Esta implantação já foi %(decisao)s por %(quem)s em %(quando)s."),
            campos=VALIDACAO,
        )
        exigir_aprovador(por, impl.ambiente)
        assert impl.release is not None
        ref = impl.release.rotulo_versao
        gerados: list[backlog.NovoItem] = []
        outros: list[str] = []
        if aprovado:
            gerados.append(
                contratos.item_avaliar_efetividade(
                    rotulo_versao=ref,
                    spec_ref=impl.spec_ref,
                    implantacao_ref=str(impl.pk),
                    ambiente=impl.ambiente.nome,
                    observacao=observacao,
                )
            )
            proximo = proximo_ambiente(impl.ambiente)
            if proximo is not None:
                impl.promocao, impl.promover_para = Promocao.OFERECIDA, proximo
                outros += ["promocao", "promover_para"]
        else:
            gerados.append(
                contratos.item_corrigir_bug(
                    rotulo_versao=ref,
                    spec_ref=impl.spec_ref,
                    erro=observacao,
                    implantacao_ref=str(impl.pk),
                    ambiente=impl.ambiente.nome,
                )
            )
            vig = selectors.vigente(impl.ambiente_id, impl.spec_ref)
            if vig is not None and vig.pk == impl.pk:
                gerados.append(
                    contratos.item_reverter(
                        rotulo_versao=ref,
                        spec_ref=impl.spec_ref,
                        ambiente=impl.ambiente.nome,
                        para=impl.release_anterior.rotulo_versao if impl.release_anterior else None,
                        implantacao_ref=str(impl.pk),
                        # Stored in Portuguese, read in the page's language (``fabrica.palavras.FRASES``).
                        motivo=f"Validação recusada: {observacao}",
                        por=ator_de(por),
                    )
                )
        base.registrar(impl, destino, por=por, motivo=observacao, campos=VALIDACAO, outros=outros)
        base.fechar_item(
            impl.item_validacao_id,
            por=por,
            resultado={
                "decisao": "validada" if aprovado else "recusada",
                "por": por.get_username(),
                "observacao": observacao,
            },
            gerados=gerados,
        )
    return impl


def implantacao_promover(*, implantacao_id: int, por: User) -> Item:
    """Takes the promotion offered after a validation: produces ``implantar`` of the same release
    to the next environment, checked against its rules (approvers, earlier validation)."""
    with transaction.atomic():
        impl = _travar(implantacao_id)
        if impl.promocao != Promocao.OFERECIDA:
            raise TransicaoInvalida(
                _("Não há promoção a fazer desta implantação (%(estado)s).")
                % {"estado": impl.get_promocao_display() or impl.get_validacao_display() or impl.get_status_display()},
                {"promocao": [impl.promocao]},
            )
        assert impl.release is not None and impl.promover_para is not None
        novo = item_implantar_preparar(release=impl.release, ambiente=impl.promover_para, por=por, origem=impl)
        (item,) = backlog.produzir_varios([novo], ator=ator_de(por))
        impl.promocao = Promocao.SOLICITADA
        impl.save(update_fields=["promocao"])
    return item


def implantacao_dispensar_promocao(*, implantacao_id: int, por: User) -> Implantacao:
    """The PO declines the offered promotion (it leaves the inbox)."""
    with transaction.atomic():
        impl = _travar(implantacao_id)
        if impl.promocao != Promocao.OFERECIDA:
            raise TransicaoInvalida(_("Não há promoção oferecida para dispensar."), {"promocao": [impl.promocao]})
        if impl.promover_para is not None:
            exigir_aprovador(por, impl.promover_para)
        impl.promocao = Promocao.DISPENSADA
        impl.save(update_fields=["promocao"])
    return impl


def reversao_solicitar(*, ambiente_id: int, spec_ref: str, release_id: int | None, por: User, motivo: str) -> Item:
    """An admin rolls a spec in an environment back to an earlier release the target still keeps,
    with a reason; it runs as an ``implantar`` item (ahead of waiting deploys) and is recorded as
    a rollback. The backlog's events say who asked, when and why."""
    motivo = (motivo or "").strip()[:5000]
    if not motivo:
        raise DadosInvalidos(_("Informe o motivo da reversão."), {"motivo": [_("Campo obrigatório.")]})
    ambiente = Ambiente.objects.filter(pk=ambiente_id).first()
    if ambiente is None:
        raise NaoEncontrado(_("O ambiente #%(n)s não existe.") % {"n": ambiente_id})
    vig = selectors.vigente(ambiente.pk, spec_ref)
    if vig is None or vig.release is None:
        raise DadosInvalidos(
            _("Nada de %(spec)s serve em %(ambiente)s para reverter.")
            % {"spec": spec_ref or "''", "ambiente": ambiente.nome},
            {"spec_ref": [_("Nada implantado.")]},
        )
    release = Release.objects.filter(pk=release_id).first() if release_id else None
    if release is None:
        raise DadosInvalidos(_("Escolha a release para onde reverter."), {"release": [_("Release desconhecida.")]})
    if release.pk == vig.release_id:
        raise DadosInvalidos(
            _("A release %(release)s já é a que serve.") % {"release": release.rotulo_versao},
            {"release": [_("Escolha uma anterior.")]},
        )
    guardadas = releases_para_reverter(ambiente, spec_ref)
    if release not in guardadas:
        raise DadosInvalidos(
            _("A release %(release)s não está guardada em %(ambiente)s para reverter.")
            % {"release": release.rotulo_versao, "ambiente": ambiente.nome},
            {
                "release": [
                    _("Escolha uma de: %(lista)s.") % {"lista": ", ".join(r.rotulo_versao for r in guardadas) or "—"}
                ]
            },
        )
    novo = contratos.item_reverter(
        rotulo_versao=vig.release.rotulo_versao,
        spec_ref=spec_ref,
        ambiente=ambiente.nome,
        para=release.rotulo_versao,
        motivo=motivo,
        por=ator_de(por),
        produtor=ator_de(por),
    )
    return backlog.produzir(
        tipo=novo.tipo,
        produtor=novo.produtor,
        spec_ref=novo.spec_ref,
        prioridade=novo.prioridade,
        contexto=novo.contexto,
        ator=ator_de(por),
    )
