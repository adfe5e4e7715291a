"""A failed deployment is a decision (docs/implantacao.md, "A failed deployment"): its log's
failing part, the retry (a new ``implantar`` of the same release, recorded) and the records a
release's rejection writes (``fabrica.releases.services.release_rejeitar_por_falha`` rejects the
release itself)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backlog import services as backlog
from backlog.models import Item
from fabrica.decisoes import base
from fabrica.erros import TransicaoInvalida
from fabrica.implantacao.models import Implantacao
from fabrica.implantacao.services.execucao import _travar
from fabrica.implantacao.services.regras import exigir_aprovador, item_implantar_preparar
from prometheus_site.atores import ator_de

Falha = Implantacao.Falha

LINHAS_DA_FALHA = 15


def trecho_da_falha(impl: Implantacao) -> str:
    """The failing part of a failed deployment's log: its last lines up to the failure (the
    smoke checks' output or the target's error), for the inbox, the page and ``corrigir_bug``."""
    linhas = [linha for linha in (impl.log or "").splitlines() if linha.strip()]
    return "\n".join(linhas[-LINHAS_DA_FALHA:])


def erro_da_falha(impl: Implantacao, motivo: str = "") -> str:
    """The ``erro`` of the ``corrigir_bug`` a rejected failed deployment produces: the PO's words
    (if any), the failure and the failing part of its log. Stored in Portuguese whatever the
    language of who rejected, like the log it quotes: pages read it with ``|log``."""
    partes = [motivo.strip()] if motivo.strip() else []
    partes.append(
        gettext_noop("A implantação #%(n)s em %(ambiente)s falhou: %(frase_erro)s")
        % {"n": impl.pk, "ambiente": impl.ambiente.nome, "frase_erro": impl.erro or "?"}
    )
    trecho = trecho_da_falha(impl)
    if trecho:
        partes.append(trecho)
    return "\n\n".join(partes)[:5000]


def falha_travar(implantacao_id: int, por: User) -> Implantacao:
    """Locks a failed deployment whose decision waits, for someone who may decide it; refuses
    (with who decided, when) otherwise. Call inside a transaction."""
    impl = _travar(implantacao_id)
    if impl.falha != Falha.PENDENTE:
        if impl.falha in (Falha.REPETIDA, Falha.REJEITADA):
            frase = _("Esta falha já foi decidida (%(decisao)s) por %(quem)s em %(quando)s.") % {
                "decisao": impl.get_falha_display(),
                "quem": impl.validado_por.get_username() if impl.validado_por else "?",
                "quando": base.quando(impl.validado_em),
            }
        else:
            frase = _("A implantação #%(n)s não tem falha a decidir (%(estado)s).") % {
                "n": impl.pk,
                "estado": impl.get_falha_display() or impl.get_status_display(),
            }
        raise TransicaoInvalida(frase, {"falha": [impl.falha or impl.status]})
    exigir_aprovador(por, impl.ambiente)
    return impl


def falha_registrar(impl: Implantacao, decisao: str, por: User, motivo: str = "") -> None:
    """Records the decision on a failed deployment locked by ``falha_travar``."""
    impl.falha, impl.validado_por, impl.validado_em = decisao, por, timezone.now()
    impl.observacao = (motivo or "").strip()[:5000]
    impl.save(update_fields=["falha", "validado_por", "validado_em", "observacao"])


def falhas_da_release_superar(release_id: int, *, exceto: int) -> None:
    """Other failures of a release that is rejected wait for nothing any more."""
    Implantacao.objects.filter(release_id=release_id, falha=Falha.PENDENTE).exclude(pk=exceto).update(
        falha=Falha.SUPERADA
    )


def implantacao_repetir(*, implantacao_id: int, por: User) -> Item:
    """Retries a failed deployment once: a new ``implantar`` of the same release to the same
    environment, approved by ``por`` and checked against the environment's rules; the failed
    record says who retried it and links the new one (``repete``)."""
    with transaction.atomic():
        impl = falha_travar(implantacao_id, por)
        assert impl.release is not None
        novo = item_implantar_preparar(release=impl.release, ambiente=impl.ambiente, por=por, repete=impl)
        (item,) = backlog.produzir_varios([novo], ator=ator_de(por))
        falha_registrar(impl, Falha.REPETIDA, por)
    return item
