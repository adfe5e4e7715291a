"""The PO's decisions on budgets (docs/arquitetura.md, "The cycle" step 3): aprovar, ajustar,
rejeitar; and the
supersession of an open budget by a newer version of its spec.

Each decision is made once: the budget row is locked, its status checked against one table of
allowed transitions, and the decision recorded (who, when, why) in the same transaction that
concludes the ``aprovar_orcamento`` item and produces what follows from it — the steps every
kind of decision shares, in ``fabrica.decisoes.base``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backlog import services as backlog
from backlog.models import Item
from backlog.models import Status as StatusItem
from fabrica import contratos, selectors
from fabrica.contratos import PRODUTOR
from fabrica.decisoes import base
from fabrica.erros import DadosInvalidos, NaoEncontrado, TransicaoInvalida
from fabrica.models import Orcamento, Spec
from fabrica.precificacao.services import resumo_orcamento
from prometheus_site.atores import ator_de

Status = Orcamento.Status
TRANSICOES: Mapping[str, set[str]] = {
    Status.ABERTO: {Status.APROVADO, Status.AJUSTADO, Status.REJEITADO, Status.SUBSTITUIDO}
}


def _travar(orcamento_id: int) -> Orcamento:
    return base.travar(
        Orcamento,
        orcamento_id,
        nao_existe=_("Orçamento #%(n)s não existe.") % {"n": orcamento_id},
        relacionados=["item_aprovacao"],
    )


def _exigir(orc: Orcamento, destino: str) -> None:
    if orc.status == Status.SUBSTITUIDO:
        raise TransicaoInvalida(
            _(
                "Este orçamento foi substituído em %(quando)s: a spec %(spec)s tem uma versão mais nova. "
                "Decida o orçamento da versão atual."
            )
            % {"quando": base.quando(orc.decidido_em), "spec": orc.spec_ref},
            {"status": [orc.status]},
        )
    base.exigir_transicao(
        orc, destino, TRANSICOES, frase=_("Este orçamento já foi decidido: %(decisao)s por %(quem)s em %(quando)s.")
    )


def _item(orc: Orcamento) -> Item:
    """The approval item: a budget is recorded with it (``precificacao.services``), so it is
    never missing on a budget the PO can decide."""
    item = orc.item_aprovacao
    assert item is not None, f"budget #{orc.pk} has no approval item"
    return item


def _fechar_item(
    orc: Orcamento,
    por: User,
    resultado: dict[str, Any],
    gerados: list[backlog.NovoItem],
    lease_token: uuid.UUID | str | None = None,
) -> None:
    """Concludes the approval item as the PO (claiming it first, unless the decider already
    holds it with ``lease_token``: a role deciding over the broker), or withdraws it while it
    still waits for gaps (a blocked budget can be adjusted or rejected, not approved)."""
    item = _item(orc)
    if lease_token is None and item.status == StatusItem.BLOQUEADO:
        if gerados and resultado["decisao"] == "aprovado":
            raise TransicaoInvalida(_("O orçamento ainda espera gaps de infraestrutura; aprove depois de resolvidos."))
        backlog.cancelar(item_id=item.pk, ator=ator_de(por), motivo=resultado.get("motivo", ""))
        if gerados:
            backlog.produzir_varios(gerados, ator=ator_de(por), produzido_por=item.pk)
        return
    base.fechar_item(item.pk, por=por, resultado=resultado, gerados=gerados, lease_token=lease_token)


def _dependencias_de_desenvolvimento(orc: Orcamento) -> list[int]:
    """The development of a spec waits for the development of its prerequisite specs."""
    prerequisitos = [str(p) for p in (orc.spec.conteudo.get("depende_de") or [])]
    if not prerequisitos:
        return []
    ultimos = {ref: item.pk for ref, item in selectors.desenvolvimentos(prerequisitos).items()}
    faltando = [p for p in prerequisitos if p not in ultimos]
    if faltando:
        raise TransicaoInvalida(
            _("Esta spec depende de %(specs)s, que ainda não foi aprovada para desenvolvimento: aprove-a primeiro.")
            % {"specs": ", ".join(faltando)},
            {"depende_de": faltando},
        )
    return sorted(ultimos.values())


def _decidir(
    orcamento_id: int,
    por: User,
    destino: str,
    motivo: str,
    rotulo: str,
    gerar: Callable[[Orcamento], list[backlog.NovoItem]],
    lease_token: uuid.UUID | str | None = None,
) -> Orcamento:
    """One decision, once: lock the budget, check the transition, build what follows from it,
    close the approval item and record who, when and why — all in one transaction."""
    with transaction.atomic():
        orc = _travar(orcamento_id)
        _exigir(orc, destino)
        gerados = gerar(orc)
        _fechar_item(orc, por, {"decisao": rotulo, "por": ator_de(por), "motivo": motivo}, gerados, lease_token)
        base.registrar(orc, destino, por=por, motivo=motivo)
    return orc


def orcamento_aprovar(
    *, orcamento_id: int, por: User, motivo: str = "", lease_token: uuid.UUID | str | None = None
) -> Orcamento:
    """Approves an open, unblocked budget once: concludes ``aprovar_orcamento`` producing
    ``desenvolvimento`` (spec_ref + spec_recursos), which waits for its prerequisites' development."""

    def desenvolvimento(orc: Orcamento) -> list[backlog.NovoItem]:
        if _item(orc).status == StatusItem.BLOQUEADO:
            raise TransicaoInvalida(
                _("O orçamento ainda espera gaps de infraestrutura; aprove depois de resolvidos."),
                {"gaps": [str(g) for g in orc.gaps.all()]},
            )
        return [
            contratos.item_desenvolvimento(
                spec_ref=orc.spec_ref,
                spec_recursos=resumo_orcamento(orc),
                depende_de=_dependencias_de_desenvolvimento(orc),
            )
        ]

    return _decidir(
        orcamento_id, por, Status.APROVADO, base.motivo_opcional(motivo), "aprovado", desenvolvimento, lease_token
    )


def orcamento_ajustar(
    *, orcamento_id: int, por: User, motivo: str, lease_token: uuid.UUID | str | None = None
) -> Orcamento:
    """Sends the spec back for adjustment (``ajustar_spec`` for Epistemologia); closes this budget."""
    motivo = base.motivo_obrigatorio(motivo)

    def ajuste(orc: Orcamento) -> list[backlog.NovoItem]:
        return [contratos.item_ajustar_spec(spec_ref=orc.spec_ref, motivo=motivo, spec_recursos_id=orc.pk)]

    return _decidir(orcamento_id, por, Status.AJUSTADO, motivo, "ajustado", ajuste, lease_token)


def orcamento_rejeitar(
    *, orcamento_id: int, por: User, motivo: str, lease_token: uuid.UUID | str | None = None
) -> Orcamento:
    """Rejects the budget, with a reason; nothing is developed."""
    motivo = base.motivo_obrigatorio(motivo)
    return _decidir(orcamento_id, por, Status.REJEITADO, motivo, "rejeitado", lambda orc: [], lease_token)


_DECISOES_PELO_BACKLOG = {
    "aprovado": orcamento_aprovar,
    "ajustado": orcamento_ajustar,
    "rejeitado": orcamento_rejeitar,
}


def orcamento_decidir_pelo_backlog(
    *, item_id: int, lease_token: uuid.UUID | str, resultado: dict[str, Any], por: User
) -> None:
    """A role an admin granted to conclude ``aprovar_orcamento`` (an MS_Produto deciding over
    the broker) decides through here, as the PO's page does: ``resultado`` is
    ``{"decisao": "aprovado" | "ajustado" | "rejeitado", "motivo": "..."}``; the budget changes
    state, recorded as decided by ``por`` (the request's user), and the item is concluded with
    the caller's lease. Registered with the backlog (``tipos.registrar_decisor``)."""
    decisao = resultado.get("decisao") if isinstance(resultado, dict) else None
    decidir = _DECISOES_PELO_BACKLOG.get(decisao) if isinstance(decisao, str) else None
    if decidir is None:
        raise DadosInvalidos(
            _("Informe a decisão do orçamento: %(opcoes)s.") % {"opcoes": ", ".join(_DECISOES_PELO_BACKLOG)},
            {"resultado.decisao": list(_DECISOES_PELO_BACKLOG)},
        )
    orc = Orcamento.objects.filter(item_aprovacao_id=item_id).values_list("pk", flat=True).first()
    if orc is None:
        raise NaoEncontrado(_("Nenhum orçamento espera a decisão do item #%(n)s.") % {"n": item_id})
    motivo = resultado.get("motivo") or ""
    decidir(orcamento_id=orc, por=por, motivo=motivo if isinstance(motivo, str) else "", lease_token=lease_token)


def orcamentos_substituir(*, nova: Spec, por: User | None = None) -> list[Orcamento]:
    """A newer version of a spec supersedes the open budgets of its older versions: each becomes
    ``Substituido`` (pointing to the new version, no longer decidable) and its approval item is
    withdrawn from the backlog, in one transaction. Decided budgets keep their decision.
    ``por`` imported the new version (``None``: the factory itself)."""
    ator = ator_de(por) if por is not None else PRODUTOR
    substituidos = []
    with transaction.atomic():
        abertos = (
            Orcamento.objects.select_for_update(no_key=True, of=("self",))
            .select_related("item_aprovacao")
            .filter(spec__spec_id=nova.spec_id, spec__id__lt=nova.pk, status=Status.ABERTO)
            .order_by("id")
        )
        for orc in abertos:
            item = orc.item_aprovacao
            if item is not None and item.status in (
                StatusItem.PENDENTE,
                StatusItem.BLOQUEADO,
                StatusItem.EM_PROCESSAMENTO,
            ):
                backlog.cancelar(item_id=item.pk, ator=ator, motivo=f"substituído pela versão {nova.sha256[:12]}")
            orc.status, orc.substituido_por, orc.decidido_em = Status.SUBSTITUIDO, nova, timezone.now()
            orc.save(update_fields=["status", "substituido_por", "decidido_em"])
            substituidos.append(orc)
    return substituidos


def decisao_pelo_backlog_recusar(
    *, item_id: int, lease_token: uuid.UUID | str, resultado: dict[str, Any], por: User
) -> None:
    """The decision items whose decision is not yet offered over the broker (a release, a
    deployment's validation): a role granted to conclude them is refused rather than leaving a
    concluded item beside an undecided release."""
    raise TransicaoInvalida(
        _("Esta decisão só pode ser tomada pela página do PO (item #%(n)s).") % {"n": item_id},
        {"resultado": [_("Decisão não disponível pelo backlog.")]},
    )
