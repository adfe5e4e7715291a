"""Reads of releases shared by the pages and the API, with their joins decided here."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet

from fabrica.contratos import TipoItem
from fabrica.desenvolvimento.sandbox import aprovado
from fabrica.models import Construcao, Release
from fabrica.selectors import release_por_rotulo

LIMITE_ESTOURO = 0.25  # real effort above the approved budget by more than this is flagged
ORDEM_STATUS = {"falhou": 0, "erro": 1, "ausente": 2, "pulou": 3, "passou": 4}


def releases(
    *, spec_ref: str | None = None, status: str | None = None, tipo: str | None = None, ref: str | None = None
) -> QuerySet[Release]:
    qs = Release.objects.select_related("spec", "orcamento", "item_aprovacao", "decidido_por", "corrige").order_by(
        "-id"
    )
    if spec_ref:
        qs = qs.filter(spec_ref=spec_ref)
    if status:
        qs = qs.filter(status=status)
    if tipo:
        qs = qs.filter(tipo=tipo)
    if ref:
        release = release_por_rotulo(ref)
        qs = qs.filter(pk=release.pk) if release else qs.none()
    return qs


def resumo_de_listagem(qs: QuerySet[Release]) -> QuerySet[Release]:
    """A list shows no artefact contents: those stay in the database."""
    return qs.defer("artefatos", "testes", "tentativas", "casos", "spec__texto", "spec__conteudo")


def testes_por_vertente(release: Release) -> list[dict]:
    """Each vertente's tests, failures first (then by name): what the PO reads first."""
    from fabrica.desenvolvimento.base import NOME_DA_VERTENTE

    grupos: dict[str, list[dict]] = {v: [] for v in release.spec.vertentes}
    for teste in release.testes:
        grupos.setdefault(teste.get("vertente", ""), []).append(teste)
    resultado = []
    for vertente, lista in grupos.items():
        lista.sort(key=lambda t: (ORDEM_STATUS.get(t["status"], 0), t["nome"]))
        falhas = sum(1 for t in lista if not aprovado(t["status"]))
        resultado.append(
            {"vertente": vertente, "nome": NOME_DA_VERTENTE.get(vertente, ""), "testes": lista, "falhas": falhas}
        )
    return resultado


def construcao_do_item(item_id: int) -> Construcao | None:
    return Construcao.objects.select_related("item").filter(item_id=item_id).first()


def desenvolvimentos_do_orcamento(orcamento) -> list[dict]:
    """The builds an approved budget asked for (its ``desenvolvimento`` item) and their releases,
    fixes included, for the budget page: where to follow them."""
    from backlog.models import Item

    if orcamento.item_aprovacao_id is None:
        return []
    itens = list(Item.objects.filter(produzido_por_id=orcamento.item_aprovacao_id, tipo=TipoItem.DESENVOLVIMENTO))
    feitas = {
        r.item_origem_id: r for r in Release.objects.filter(item_origem__in=itens).only("pk", "spec_ref", "versao")
    }
    linhas = [{"item": i, "release": feitas.get(i.pk)} for i in itens]
    for release in Release.objects.filter(orcamento=orcamento, tipo=Release.Tipo.HOTFIX).only(
        "pk", "spec_ref", "versao"
    ):
        linhas.append({"item": None, "release": release})
    return linhas


def estouro(release: Release) -> dict[str, Any] | None:
    """Real effort against the approved budget: the budget's development hours and the real hours
    recorded on its releases (``Orcamento.horas_reais``). None when nothing was recorded yet."""
    orcamento = release.orcamento
    if orcamento is None or not orcamento.horas_reais:
        return None
    orcado = float(orcamento.esforco.get("horas_dev") or 0) or sum(
        float(h) for h in (orcamento.esforco.get("horas_dev_por_vertente") or {}).values()
    )
    real = sum(float(h) for h in orcamento.horas_reais.values())
    razao = real / orcado if orcado else math.inf
    return {
        "orcado": round(orcado, 2),
        "real": round(real, 2),
        "percentual": round((razao - 1) * 100, 1) if orcado else None,
        "acima": razao > 1 + LIMITE_ESTOURO,
    }


def correcoes_pedidas(release: Release) -> list[dict[str, Any]]:
    """The fixes asked of a rejected (or refused) release, oldest first: each ``corrigir_bug``
    naming it and the hotfix it built, if any (issue 17 item 7: a rejected release links its
    hotfix, or the build to follow). Two queries."""
    from backlog.models import Item

    itens = list(
        Item.objects.filter(
            tipo=TipoItem.CORRIGIR_BUG, spec_ref=release.spec_ref, contexto__feature_ref=release.rotulo_versao
        )
        .only("pk", "tipo", "status", "resultado", "criado_em")
        .order_by("id")
    )
    feitas = {
        r.item_origem_id: r
        for r in Release.objects.filter(item_origem__in=itens).only("pk", "spec_ref", "versao", "status", "item_origem")
    }
    return [{"item": i, "release": feitas.get(i.pk)} for i in itens]


def implantacoes_pedidas(release: Release) -> list[Any]:
    """The ``implantar`` items of this release that no deployment record answers yet (asked by
    the approval, a promotion or a retry, waiting for the worker): what the release page shows,
    and polls, right after the PO approved it."""
    from backlog.models import Item, Status

    return list(
        Item.objects.filter(
            tipo=TipoItem.IMPLANTAR,
            spec_ref=release.spec_ref,
            contexto__release_ref=release.rotulo_versao,
            status__in=[Status.PENDENTE, Status.BLOQUEADO, Status.EM_PROCESSAMENTO],
            implantacoes__isnull=True,
        ).only("pk", "status", "contexto")
    )
