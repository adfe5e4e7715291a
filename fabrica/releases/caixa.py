"""Releases in the PO's inbox (fabrica.decisoes.caixa): the open ones to decide, the builds still
running (waiting: a budget approved, its release not ready yet), and the decided ones. Each list
costs a constant number of queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.lookups import In
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backlog.models import Item, Status
from fabrica.contratos import TipoItem
from fabrica.decisoes import caixa
from fabrica.desenvolvimento.sandbox import aprovado
from fabrica.models import Construcao, Release, Spec
from fabrica.releases.selectors import estouro
from prometheus_site.consultas import SemIndice

TIPOS_DE_CONSTRUCAO = (TipoItem.DESENVOLVIMENTO, TipoItem.CORRIGIR_BUG)
_EM_CURSO = (Status.PENDENTE, Status.EM_PROCESSAMENTO, Status.BLOQUEADO)
_ESTADOS = {
    "gerando": gettext_lazy("gerando"),
    "testando": gettext_lazy("testando"),
    "corrigindo": gettext_lazy("corrigindo"),
    "concluida": gettext_lazy("concluída"),
}


def _releases_da_aba(aba: str, busca: caixa.Busca) -> QuerySet[Release]:
    qs = Release.objects.all()
    if aba == "decidir":
        if busca:
            # The few open releases (fabrica_release_abertas) are checked for the spec, rather
            # than every release of the spec for being open (``SemIndice``).
            qs = qs.filter(In(SemIndice("spec_ref"), list(busca.specs)))
        return qs.filter(status=Release.Status.ABERTA, item_aprovacao__status=Status.PENDENTE)
    if busca:
        qs = qs.filter(spec_ref__in=busca.specs)  # fabrica_release_dec_spec, in the history's order
    return qs.exclude(status=Release.Status.ABERTA)


def _construcoes(busca: caixa.Busca) -> QuerySet[Item]:
    # A build runs after its item concluded (its vertentes are internal items): it waits until its
    # assembly (``montar_release``, produced with the vertentes) concludes, with the release or
    # with nothing to fix. The candidates are the builds still running and those of the
    # assemblies not concluded, both read on the (status, tipo) index: a few rows, never every
    # concluded build of the history.
    # A UNION, not an OR: SQLite reads each side on the index, but every item of the history for
    # the OR (100 ms at 285,000 items, bench/inbox.py).
    candidatas = (
        Item.objects.filter(tipo__in=TIPOS_DE_CONSTRUCAO, status__in=_EM_CURSO)
        .order_by()
        .values("id")
        .union(
            # The assemblies' ids first (covered by the (status, tipo) index), then their builds.
            Item.objects.filter(
                pk__in=Item.objects.filter(
                    tipo=TipoItem.MONTAR_RELEASE, status__in=[s for s in Status.values if s != Status.CONCLUIDO]
                ).values("pk")
            )
            .order_by()
            .values("produzido_por_id")
        )
    )
    qs = Item.objects.filter(tipo__in=TIPOS_DE_CONSTRUCAO, pk__in=candidatas).filter(
        Q(status__in=_EM_CURSO) | Q(status=Status.CONCLUIDO, construcao__isnull=False, release_produzida__isnull=True)
    )
    if busca:
        qs = qs.filter(spec_ref__in=busca.specs)
    return qs


def progresso_em_texto(etapas: dict[str, Any]) -> str:
    """``E: testando (tentativa 1) · D: gerando`` — what each vertente is doing now."""
    partes = []
    for vertente, etapa in etapas.items():
        texto = f"{vertente}: {_ESTADOS.get(etapa.get('estado'), etapa.get('estado', ''))}"
        if etapa.get("tentativa"):
            texto += " " + _("(tentativa %(n)s)") % {"n": etapa["tentativa"]}
        partes.append(texto)
    return " · ".join(partes)


def _testes(release: Release) -> dict[str, Any]:
    return {
        "passaram": sum(1 for t in release.testes if aprovado(t["status"])),
        "total": len(release.testes),
        "cobertura": release.cobertura_total,
    }


def _alerta(release: Release) -> str:
    info = estouro(release)
    if info and info["acima"]:
        return _("esforço real %(p)s %% acima do orçado") % {"p": info["percentual"]}
    return ""


_CAMPOS_DA_LINHA = (
    "id",
    "tipo",
    "spec_ref",
    "versao",
    "criado_em",
    "status",
    "decidido_em",
    "motivo",
    "testes",
    "cobertura_total",
    "spec__titulo",
    "decidido_por__username",
    "orcamento__esforco",
    "orcamento__horas_reais",
)


def _listar(aba: str, busca: caixa.Busca, limite: int, deslocamento: int) -> list[caixa.Linha]:
    if aba == "espera":
        return _listar_construcoes(busca, limite, deslocamento)
    ids = _releases_da_aba(aba, busca).order_by(*_ordem(aba)).values("pk")[deslocamento : deslocamento + limite]
    return _construir_releases(aba, ids)


def _ordem(aba: str) -> tuple[str, ...]:
    # The history newest decision first; the open tabs longest waiting first.
    return ("-decidido_em", "id") if aba == "decididos" else ("criado_em", "id")


def _construir(aba: str, ids: list[int]) -> list[caixa.Linha]:
    if aba == "espera":
        return _construir_construcoes(list(Item.objects.filter(pk__in=ids).order_by(*_ordem(aba))))
    return _construir_releases(aba, ids)


def _abertas(aba: str, busca: caixa.Busca, limite: int) -> list[tuple[datetime, int]]:
    qs = _construcoes(busca) if aba == "espera" else _releases_da_aba(aba, busca)
    return list(qs.order_by(*_ordem(aba)).values_list("criado_em", "pk")[:limite])


def _construir_releases(aba: str, ids: QuerySet | list[int]) -> list[caixa.Linha]:
    ordem = _ordem(aba)
    rotulo = str(_("Release"))
    rotulos = {valor: str(r) for valor, r in Release.Status.choices}
    linhas = []
    for r in (
        Release.objects.filter(pk__in=ids)
        .select_related("spec", "orcamento", "decidido_por")
        # A row reads the tests' statuses and the budget's effort, not the JSON that pages show.
        .only(*_CAMPOS_DA_LINHA)
        .order_by(*ordem)
    ):
        linhas.append(
            caixa.Linha(
                tipo="release",
                rotulo=rotulo + (" (hotfix)" if r.tipo == Release.Tipo.HOTFIX else ""),
                id=r.pk,
                titulo=r.spec.titulo,
                spec_ref=r.rotulo_versao,
                criado_em=r.criado_em,
                url=reverse("release", args=[r.pk]),
                status=rotulos[r.status] if aba == "decididos" else "",
                decidido_por=r.decidido_por.get_username() if r.decidido_por else "",
                decidido_em=r.decidido_em,
                motivo=r.motivo,
                vocabulario="release",
                situacao=r.status,
                testes=_testes(r),
                alerta=_alerta(r),
                colunas=("testes",),
            )
        )
    return linhas


def _listar_construcoes(busca: caixa.Busca, limite: int, deslocamento: int) -> list[caixa.Linha]:
    return _construir_construcoes(
        list(_construcoes(busca).order_by(*_ordem("espera"))[deslocamento : deslocamento + limite])
    )


def _construir_construcoes(itens: list[Item]) -> list[caixa.Linha]:
    etapas = dict(Construcao.objects.filter(item__in=itens).values_list("item_id", "etapas"))
    titulos = dict(Spec.objects.filter(spec_id__in={i.spec_ref for i in itens}).values_list("spec_id", "titulo"))
    rotulo = str(_("Desenvolvimento"))
    aguardando = str(_("aguardando um worker"))
    return [
        caixa.Linha(
            tipo="construcao",
            rotulo=rotulo if i.tipo == TipoItem.DESENVOLVIMENTO else str(_("Correção")),
            id=i.pk,
            titulo=titulos.get(i.spec_ref, ""),
            spec_ref=i.spec_ref,
            criado_em=i.criado_em,
            url=reverse("construcao", args=[i.pk]),
            resumo=(progresso_em_texto(etapas[i.pk]) if etapas.get(i.pk) else aguardando)
            + ("" if i.status != Status.BLOQUEADO else " · " + str(_("espera specs pré-requisito"))),
            colunas=("construcao",),
        )
        for i in itens
    ]


def _chaves(busca: caixa.Busca, limite: int) -> list:
    qs = _releases_da_aba("decididos", busca).order_by("-decidido_em", "id")
    return list(qs.values_list("decidido_em", flat=True)[:limite])


def _da_aba(aba: str, busca: caixa.Busca) -> QuerySet:
    return _construcoes(busca) if aba == "espera" else _releases_da_aba(aba, busca)


def registrar() -> None:
    caixa.registrar(
        caixa.TipoDecisao(
            nome="release",
            rotulo=gettext_lazy("Releases"),
            permissao="fabrica.decidir_release",
            listar=_listar,
            da_aba=_da_aba,
            leitura="fabrica.view_release",
            chaves=_chaves,
            abertas=_abertas,
            construir=_construir,
        )
    )
