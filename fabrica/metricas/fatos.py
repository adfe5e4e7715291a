"""The rows behind one number: the same querysets the selectors aggregate, listed (with the
slice the number describes: a model version, an environment, a vertente)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from fabrica.metricas import selectors as s
from fabrica.metricas.selectors import Filtros, Segundos


def fatos(chave: str, f: Filtros, recorte: dict[str, str]) -> tuple[str, QuerySet[Any]]:
    qs: QuerySet[Any]  # budgets, releases or deployments, by the metric
    """(kind of row, queryset): ``orcamentos``, ``desbloqueios``, ``releases``, ``itens`` or
    ``implantacoes``, newest first, with what the number reads of each row annotated."""
    if chave in ("fabrica.precisao_orcamento", "fabrica.mmre", "fabrica.pred25"):
        qs = s.orcamentos_com_real(f).select_related("spec", "modelo")
        if recorte.get("modelo", "").startswith("v") and recorte["modelo"][1:].isdecimal():
            qs = qs.filter(modelo__versao=int(recorte["modelo"][1:]))
        return "orcamentos", qs.order_by("-decidido_em", "-pk")
    if chave == "fabrica.taxa_gaps":
        return "orcamentos", s.orcamentos_precificados(f).select_related("spec", "modelo").order_by("-criado_em", "-pk")
    if chave == "fabrica.tempo_desbloqueio":
        return "desbloqueios", (
            s.desbloqueios(f)
            .select_related("item", "item__orcamento")
            .annotate(m_d=Segundos(F("criado_em"), F("item__criado_em")))
            .order_by("-criado_em", "-pk")
        )
    if chave == "fabrica.lead_time_orcamento_release":
        return "releases", (
            s.releases_de_orcamento(f)
            .select_related("spec", "orcamento")
            .annotate(m_d=Segundos(F("criado_em"), F("orcamento__decidido_em")))
            .order_by("-criado_em", "-pk")
        )
    if chave == "fabrica.lead_time_desenvolvimento":
        return "itens", (
            s.desenvolvimentos(f)
            .annotate(m_d=Segundos(F("release_produzida__criado_em"), F("consumido_em")))
            .order_by("-release_produzida__criado_em", "-pk")
        )
    if chave == "fabrica.retrabalho" or chave.startswith("workers."):
        qs = s.releases_do_periodo(f)
        if recorte.get("vertente"):
            execucao: dict[str, str | int] = {"execucoes__vertente": recorte["vertente"][:8]}
            if chave == "workers.tempo" and recorte.get("etapa", "") + "_s" in s.ETAPAS_SO_CORRIGIDAS:
                # the releases whose time correcting the number counts: this vertente corrected
                execucao["execucoes__tentativas_correcao__gt"] = 0
            qs = qs.filter(**execucao)
        return "releases", qs.select_related("spec").defer("artefatos", "testes", "casos").order_by("-criado_em", "-pk")
    # dora.*
    ambiente = recorte.get("ambiente") or f.ambiente or None
    if chave == "dora.restauracao":
        qs = s.falhas_restauradas(f, ambiente).annotate(m_d=Segundos(F("m_restaurada_em"), F("terminado_em")))
    else:
        qs = s.implantacoes_do_periodo(f, ambiente)
        if chave == "dora.frequencia":
            qs = qs.filter(status="Concluida")
        if chave == "dora.lead_time":
            qs = qs.filter(status="Concluida", release__isnull=False).annotate(
                m_d=Segundos(F("terminado_em"), s.INICIO_DA_MUDANCA)
            )
    return "implantacoes", qs.select_related("ambiente", "release").defer("log").order_by("-terminado_em", "-pk")
