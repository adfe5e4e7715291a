"""The PO's decisions on a release (docs/arquitetura.md, "The cycle" step 5;
docs/desenvolvimento.md, "The PO's side") and the real effort recorded on it.

- ``release_aprovar``: once, on an open release whose ``aprovar_release`` waits; concludes that
  item producing ``implantar`` (``release_ref``, ``ambiente``: the chosen environment, by default
  the first active one).
- ``release_rejeitar``: once, with a reason; produces ``corrigir_bug`` (``feature_ref`` = this
  release, ``erro`` = the reason), which PROMETHEUS builds into a hotfix.
- ``release_horas_registrar``: the real hours per vertente of a release; the budget's actuals are
  the sum over its releases (the normal one and its fixes), which re-calibrate the pricing model.

Each decision locks the release row, checks the transition, records who/when/why and closes the
item in one transaction, with the steps every kind of decision shares (fabrica.decisoes.base).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from backlog.models import Status as StatusItem
from fabrica import contratos
from fabrica.decisoes import base
from fabrica.erros import DadosInvalidos, TransicaoInvalida
from fabrica.implantacao import services as implantacao
from fabrica.implantacao.services import exigir_ambiente_padrao, item_implantar_preparar
from fabrica.models import Ambiente, ModeloPrecificacao, Release
from fabrica.precificacao.services import esforco_real_registrar
from prometheus_site.atores import ator_de

Status = Release.Status
TRANSICOES: Mapping[str, set[str]] = {Status.ABERTA: {Status.APROVADA, Status.REJEITADA}}


def _travar(release_id: int) -> Release:
    return base.travar(
        Release,
        release_id,
        nao_existe=_("Release #%(n)s não existe.") % {"n": release_id},
        relacionados=["item_aprovacao"],
    )


def _exigir(release: Release, destino: str) -> None:
    base.exigir_transicao(
        release,
        destino,
        TRANSICOES,
        frase=_("Esta release já foi decidida: %(decisao)s por %(quem)s em %(quando)s."),
    )
    item = release.item_aprovacao
    if item is None or item.status != StatusItem.PENDENTE:
        raise TransicaoInvalida(
            _("A aprovação desta release não está pendente (está %(status)s): outro sistema a tomou.")
            % {"status": item.status if item else "?"},
            {"item_aprovacao": [item.status if item else "?"]},
        )


def _ambiente(nome: str | None) -> Ambiente:
    if nome:
        ambiente = Ambiente.objects.filter(nome=nome).first()
        if ambiente is None or not ambiente.ativo:
            ativos = ", ".join(
                Ambiente.objects.filter(ativo=True).order_by("ordem", "nome").values_list("nome", flat=True)
            )
            raise DadosInvalidos(
                _("O ambiente %(nome)s não existe ou não está ativo.") % {"nome": nome},
                {"ambiente": [_("Ambientes ativos: %(lista)s.") % {"lista": ativos or "—"}]},
            )
        return ambiente
    return exigir_ambiente_padrao()


def release_aprovar(*, release_id: int, por: User, ambiente: str | None = None, motivo: str = "") -> Release:
    """Approves an open release once, for an active environment (default: the first active one);
    concludes ``aprovar_release`` producing ``implantar`` with ``release_ref`` and ``ambiente``."""
    motivo = base.motivo_opcional(motivo)
    with transaction.atomic():
        release = _travar(release_id)
        _exigir(release, Status.APROVADA)
        destino = _ambiente(ambiente)
        # Approved first: the deployment's rules (fabrica.implantacao) take only approved releases,
        # check the environment's approvers and an earlier validation it may demand; a refusal
        # rolls the approval back with everything else.
        base.registrar(release, Status.APROVADA, por=por, motivo=motivo)
        implantar = item_implantar_preparar(release=release, ambiente=destino, por=por)
        base.fechar_item(
            release.item_aprovacao_id,
            por=por,
            resultado={"decisao": "aprovada", "por": ator_de(por), "ambiente": destino.nome, "motivo": motivo},
            gerados=[implantar],
        )
    return release


def release_rejeitar(*, release_id: int, por: User, motivo: str) -> Release:
    """Rejects an open release once, with a reason; produces ``corrigir_bug`` naming it."""
    motivo = base.motivo_obrigatorio(motivo)
    with transaction.atomic():
        release = _travar(release_id)
        _exigir(release, Status.REJEITADA)
        corrigir = contratos.item_corrigir_bug(
            rotulo_versao=release.rotulo_versao, spec_ref=release.spec_ref, erro=motivo, rejeitada_por=ator_de(por)
        )
        base.fechar_item(
            release.item_aprovacao_id,
            por=por,
            resultado={"decisao": "rejeitada", "por": ator_de(por), "motivo": motivo},
            gerados=[corrigir],
        )
        base.registrar(release, Status.REJEITADA, por=por, motivo=motivo)
    return release


def release_rejeitar_por_falha(*, implantacao_id: int, por: User, motivo: str = "") -> Release:
    """Rejects the approved release of a failed deployment whose decision waits (docs/implantacao.md,
    "A failed deployment"): the release becomes ``Rejeitada`` with the failure as its reason, and
    ``corrigir_bug`` is produced with the failure (and the log's failing part) as ``erro``; the
    other failures of the release wait no more. Once, by whom the environment allows."""
    with transaction.atomic():
        impl = implantacao.falha_travar(implantacao_id, por)
        assert impl.release_id is not None
        release = _travar(impl.release_id)
        if release.status != Status.APROVADA:
            raise TransicaoInvalida(
                _("A release %(release)s não está aprovada (%(status)s): não há o que rejeitar.")
                % {"release": release.rotulo_versao, "status": release.get_status_display()},
                {"status": [release.status]},
            )
        erro = implantacao.erro_da_falha(impl, motivo)
        corrigir = contratos.item_corrigir_bug(
            rotulo_versao=release.rotulo_versao,
            spec_ref=release.spec_ref,
            erro=erro,
            rejeitada_por=ator_de(por),
            implantacao_ref=str(impl.pk),
            ambiente=impl.ambiente.nome,
        )
        base.fechar_item(None, por=por, resultado={}, gerados=[corrigir])
        base.registrar(release, Status.REJEITADA, por=por, motivo=erro)
        implantacao.falha_registrar(impl, implantacao.Falha.REJEITADA, por, motivo)
        implantacao.falhas_da_release_superar(release.pk, exceto=impl.pk)
    return release


# --- real effort --------------------------------------------------------------------------------------


def release_horas_registrar(*, release_id: int, horas: dict[str, Any], por: User) -> ModeloPrecificacao:
    """Records the real hours per vertente spent on this release and re-calibrates the pricing
    model with the budget's actuals (the sum over its releases). Bad hours → ``DadosInvalidos``
    naming the vertente; nothing is recorded then."""
    with transaction.atomic():
        release = _travar(release_id)
        orcamento = release.orcamento
        if orcamento is None:
            raise DadosInvalidos(_("Esta release não veio de um orçamento."), {"horas": [_("Sem orçamento.")]})
        validas = set(orcamento.esforco.get("horas_dev_por_vertente") or release.spec.vertentes)
        erros: dict[str, list[str]] = {}
        limpas: dict[str, float] = {}
        for vertente, valor in (horas or {}).items():
            if vertente not in validas:
                erros[f"horas.{vertente}"] = [_("Vertente fora deste orçamento.")]
            elif (
                isinstance(valor, bool) or not isinstance(valor, int | float) or not math.isfinite(valor) or valor <= 0
            ):
                erros[f"horas.{vertente}"] = [_("Informe um número de horas maior que zero.")]
            else:
                limpas[vertente] = float(valor)
        if not limpas and not erros:
            erros["horas"] = [_("Informe as horas reais de ao menos uma vertente.")]
        if erros:
            raise DadosInvalidos(_("As horas reais não são válidas."), erros)
        release.horas_reais = limpas
        release.save(update_fields=["horas_reais"])
        soma: dict[str, float] = {}
        for outras in Release.objects.filter(orcamento=orcamento, horas_reais__isnull=False):
            for vertente, valor in (outras.horas_reais or {}).items():
                soma[vertente] = soma.get(vertente, 0.0) + float(valor)
        return esforco_real_registrar(orcamento=orcamento, horas=soma)
