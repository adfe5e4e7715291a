"""Reads shared by PROMETHEUS pages and API, with their joins decided here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from backlog.models import Item, Status
from fabrica.contratos import TipoItem, e_spec_ref, ler_rotulo_versao
from fabrica.erros import NaoEncontrado
from fabrica.models import Capacidade, Gap, Orcamento, Release, Spec

# An ``orcar_spec`` item still on its way to a budget.
ORCAR_EM_CURSO = (Status.PENDENTE, Status.BLOQUEADO, Status.EM_PROCESSAMENTO)


def specs(spec_id: str | None = None) -> QuerySet[Spec]:
    qs = Spec.objects.order_by("-id")
    return qs.filter(spec_id=spec_id) if spec_id else qs


def specs_atuais() -> QuerySet[Spec]:
    """The newest version of each spec, by spec id, however many versions there are."""
    ultimas = Spec.objects.values("spec_id").annotate(ultima=Max("id")).values("ultima")
    return Spec.objects.filter(pk__in=ultimas).order_by("spec_id")


def capacidades() -> QuerySet[Capacidade]:
    return Capacidade.objects.order_by("tipo", "nome")


def capacidade(pk: int) -> Capacidade:
    """The capability with this id; ``NaoEncontrado`` (404) when there is none."""
    encontrada = Capacidade.objects.filter(pk=pk).first()
    if encontrada is None:
        raise NaoEncontrado(_("Capacidade #%(n)s não existe.") % {"n": pk})
    return encontrada


def orcamentos(*, spec_ref: str | None = None, status: str | None = None) -> QuerySet[Orcamento]:
    qs = (
        Orcamento.objects.select_related("modelo", "item_aprovacao", "spec", "substituido_por", "decidido_por")
        .prefetch_related(Prefetch("gaps", queryset=Gap.objects.select_related("item")))
        .order_by("-id")
    )
    if spec_ref:
        qs = qs.filter(spec_ref=spec_ref)
    if status:
        qs = qs.filter(status=status)
    return qs


def orcamento_vigente(spec: Spec) -> Orcamento | None:
    """The budget that holds this spec version (open or approved): at most one, by constraint."""
    return Orcamento.objects.filter(spec=spec, status__in=Orcamento.VIGENTES).first()


def orcar_em_curso(spec_id: str) -> Item | None:
    """The oldest ``orcar_spec`` of this spec still being priced (queued, waiting or running)."""
    return (
        Item.objects.filter(tipo=TipoItem.ORCAR_SPEC, spec_ref=spec_id, status__in=ORCAR_EM_CURSO)
        .order_by("id")
        .first()
    )


@dataclass(frozen=True)
class Prerequisito:
    """A spec this budget's spec depends on, with what is known of its own budget."""

    spec_ref: str
    orcamento: Orcamento | None  # its newest budget, if any
    desenvolvimento: Item | None  # its development item, once its budget was approved

    @property
    def satisfeito(self) -> bool:
        return self.desenvolvimento is not None


def desenvolvimentos(spec_refs: list[str]) -> dict[str, Item]:
    """The newest non-cancelled ``desenvolvimento`` item of each spec: a spec's development may
    start once each prerequisite has one (``fabrica.decisoes.services``)."""
    ultimos: dict[str, Item] = {}
    if not spec_refs:
        return ultimos
    for item in (
        Item.objects.filter(tipo=TipoItem.DESENVOLVIMENTO, spec_ref__in=spec_refs)
        .exclude(status=Status.CANCELADO)
        .order_by("id")
        .only("pk", "spec_ref", "status")
    ):
        ultimos[item.spec_ref] = item
    return ultimos


def prerequisitos(orc: Orcamento) -> list[Prerequisito]:
    """The prerequisite specs of a budget's spec, each with its newest budget, in two queries."""
    refs = [str(r) for r in (orc.spec.conteudo.get("depende_de") or [])]
    if not refs:
        return []
    ultimos: dict[str, Orcamento] = {}
    for o in Orcamento.objects.filter(spec_ref__in=refs).select_related("item_aprovacao").order_by("id"):
        ultimos[o.spec_ref] = o
    devs = desenvolvimentos(refs)
    return [Prerequisito(ref, ultimos.get(ref), devs.get(ref)) for ref in refs]


def orcamentos_desbloqueados(gaps: list[Gap]) -> list[Orcamento]:
    """Of the budgets of these (just resolved) gaps, those now ready for the PO: open, with their
    approval item ``Pendente``. One query."""
    ids = {g.orcamento_id for g in gaps}
    if not ids:
        return []
    return list(
        Orcamento.objects.filter(pk__in=ids, status=Orcamento.Status.ABERTO, item_aprovacao__status=Status.PENDENTE)
        .select_related("spec")
        .order_by("id")
    )


# --- a release by its label, and what a corrigir_bug's feature_ref names -----------------------
# What ``feature_ref`` names in a ``corrigir_bug`` (seed §2.1): the release or spec to fix.
#
# - a release, by its label ``<spec>-v<n>`` (``spec_001-v2``): that release;
# - a spec id (``spec_001``): the newest release of that spec, whatever its status.
#
# Anything else, or a release or spec that does not exist, is refused when the item is produced
# (``contexto.feature_ref`` named), and again when it is processed.


def release_por_rotulo(rotulo: str) -> Release | None:
    """The release a label names (``spec_001-v2``), or None (not a label, or no such release)."""
    lido = ler_rotulo_versao(rotulo)
    if lido is None:
        return None
    spec_ref, versao = lido
    return Release.objects.select_related("spec").filter(spec_ref=spec_ref, versao=versao).first()


class ReferenciaInvalida(ValueError):
    """``feature_ref`` names nothing that can be fixed; the message says what was expected."""


def release_a_corrigir(feature_ref: str) -> Release:
    """The release a ``corrigir_bug`` fixes; raises ``ReferenciaInvalida`` naming the problem."""
    ref = (feature_ref or "").strip()
    if ler_rotulo_versao(ref) is not None:
        release = release_por_rotulo(ref)
        if release is None:
            raise ReferenciaInvalida(_("A release %(ref)s não existe.") % {"ref": ref})
        return release
    if e_spec_ref(ref):
        release = Release.objects.filter(spec_ref=ref).order_by("-versao").first()
        if release is None:
            raise ReferenciaInvalida(
                _("A spec %(ref)s não tem release para corrigir: desenvolva-a antes.") % {"ref": ref}
            )
        return release
    raise ReferenciaInvalida(
        _("%(ref)r não é uma release (spec_001-v2) nem uma spec (spec_001).") % {"ref": feature_ref}
    )


def erros_de_corrigir_bug(contexto: dict[str, Any]) -> dict[str, list[str]]:
    """The produce-time check of ``corrigir_bug`` (registered with MS_Backlog)."""
    try:
        release_a_corrigir(contexto["feature_ref"])
    except ReferenciaInvalida as exc:
        return {"feature_ref": [str(exc)]}
    return {}
