"""The metrics page for the PO and admins (charts, each number linking to its facts) and the page
of the facts behind one number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fabrica.metricas import fatos as fatos_de
from fabrica.metricas import graficos, selectors
from fabrica.metricas.apresentacao import como_dict, duracao, texto
from fabrica.metricas.faixas import NOMES
from fabrica.metricas.filtros import FiltrosForm
from fabrica.metricas.selectors import Filtros, Numero
from fabrica.papeis import exigir
from fabrica.specs.formato.vertentes import VERTENTES
from prometheus_site import navegacao

PERMISSAO = "fabrica.ver_metricas"


def _filtros(request: HttpRequest) -> tuple[FiltrosForm, Filtros]:
    form = FiltrosForm(request.GET)
    if form.is_valid():
        return form, form.filtros()
    return form, Filtros.padrao()


def _formatador(chave: str):
    def formatar(valor: float) -> str:
        return texto(Numero(chave, valor, "segundos" if "lead_time" in chave else "razao"))

    return formatar


@login_required
def painel(request: HttpRequest) -> HttpResponse:
    exigir(request, PERMISSAO)
    form, f = _filtros(request)
    p = selectors.painel(f)

    def cartao(chave: str, **recorte: str) -> dict[str, Any] | None:
        numero = p.achar(chave, **recorte)
        return como_dict(numero, f) if numero else None

    dora = p.ambiente_dora
    contagem_semanal = graficos.linha(p.tendencias["dora.frequencia"], lambda v: f"{v:.0f}")
    tendencias = [
        (_("Implantações concluídas por semana em %(amb)s") % {"amb": dora or "—"}, contagem_semanal),
        (_("Taxa de falha por semana"), graficos.linha(p.tendencias["dora.falhas"], _formatador("dora.falhas"))),
        (_("Lead time de mudanças por semana (média)"), graficos.linha(p.tendencias["dora.lead_time"], duracao)),
        (
            _("Precisão de orçamento por semana"),
            graficos.linha(p.tendencias["fabrica.precisao_orcamento"], _formatador("fabrica.precisao_orcamento")),
        ),
        (
            _("Orçamento aprovado → release, por semana (média)"),
            graficos.linha(p.tendencias["fabrica.lead_time_orcamento_release"], duracao),
        ),
    ]
    vertentes = [f.vertente] if f.vertente else list(VERTENTES)
    workers = []
    for v in vertentes:
        linha: dict[str, Any] = {"vertente": v}
        for etapa in ("gerar", "testar", "corrigir", "total"):
            linha[etapa] = cartao("workers.tempo", vertente=v, etapa=etapa, estatistica="media")
            linha[f"{etapa}_p90"] = cartao("workers.tempo", vertente=v, etapa=etapa, estatistica="p90")
        for chave in ("workers.passou_primeira", "workers.tentativas", "workers.precisou_correcao"):
            linha[chave.split(".")[1]] = cartao(chave, vertente=v)
        linha["cpu"] = cartao("workers.sandbox", vertente=v, recurso="cpu")
        linha["memoria"] = cartao("workers.sandbox", vertente=v, recurso="memoria_max")
        workers.append(linha)
    barras_tempo = graficos.barras(
        [(w["vertente"], w["total"]["valor"], w["total"]["texto"], w["total"]["fatos"]) for w in workers]
    )
    barras_primeira = graficos.barras(
        [
            (w["vertente"], w["passou_primeira"]["valor"], w["passou_primeira"]["texto"], w["passou_primeira"]["fatos"])
            for w in workers
        ]
    )
    ambientes = sorted({n.recorte["ambiente"] for n in p.todos("dora.falhas")})
    por_ambiente = [
        {
            "ambiente": nome,
            "frequencia": cartao("dora.frequencia", ambiente=nome),
            "lead_time": cartao("dora.lead_time", ambiente=nome, estatistica="p50"),
            "falhas": cartao("dora.falhas", ambiente=nome),
            "restauracao": cartao("dora.restauracao", ambiente=nome, estatistica="p50"),
        }
        for nome in ambientes
    ]
    modelos = [
        {
            "modelo": n.recorte["modelo"],
            "precisao": cartao("fabrica.precisao_orcamento", modelo=n.recorte["modelo"]),
            "mmre": cartao("fabrica.mmre", modelo=n.recorte["modelo"]),
            "pred25": cartao("fabrica.pred25", modelo=n.recorte["modelo"]),
        }
        for n in p.todos("fabrica.mmre")
        if "modelo" in n.recorte
    ]
    contexto = {
        "form": form,
        "f": f,
        "fabrica": [
            cartao("fabrica.precisao_orcamento"),
            cartao("fabrica.taxa_gaps"),
            cartao("fabrica.tempo_desbloqueio", estatistica="media"),
            cartao("fabrica.tempo_desbloqueio", estatistica="p90"),
            cartao("fabrica.lead_time_orcamento_release", estatistica="media"),
            cartao("fabrica.lead_time_desenvolvimento", estatistica="media"),
            cartao("fabrica.retrabalho"),
            cartao("fabrica.mmre"),
            cartao("fabrica.pred25"),
        ],
        "modelos": modelos,
        "dora_ambiente": dora,
        "dora": [
            cartao("dora.frequencia", ambiente=dora),
            cartao("dora.lead_time", ambiente=dora, estatistica="p50"),
            cartao("dora.falhas", ambiente=dora),
            cartao("dora.restauracao", ambiente=dora, estatistica="p50"),
        ]
        if dora
        else [],
        "por_ambiente": por_ambiente,
        "tabela": p.tabela,
        "linhas_faixas": [
            (chave, [(faixa.nome, NOMES[faixa.nome], faixa.texto) for faixa in lista])
            for chave, lista in p.tabela.faixas.items()
        ],
        "tendencias": tendencias,
        "workers": workers,
        "barras_tempo": barras_tempo,
        "barras_primeira": barras_primeira,
        "geral_correcao": next((como_dict(n, f) for n in p.todos("workers.precisou_correcao") if not n.recorte), None),
        "backlog": selectors.estado_do_backlog() if navegacao.pode_abrir("backlog", request.user) else None,
    }
    return render(request, "fabrica/metricas/painel.html", contexto)


def _sem_pagina(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("pagina", None)
    return query.urlencode()


@login_required
def fatos(request: HttpRequest, chave: str) -> HttpResponse:
    exigir(request, PERMISSAO)
    if chave not in selectors.DEFINICOES:
        raise Http404
    form, f = _filtros(request)
    recorte = {k.removeprefix("r_"): str(v)[:100] for k, v in request.GET.items() if k.startswith("r_")}
    tipo, qs = fatos_de.fatos(chave, f, recorte)
    valor = request.GET.get("pagina", "")
    pagina = Paginator(qs, 50).get_page(int(valor) if valor.isdecimal() and len(valor) < 7 else 1)
    nome, definicao = selectors.definicao(chave)
    return render(
        request,
        "fabrica/metricas/fatos.html",
        {
            "chave": chave,
            "nome": nome,
            "definicao": definicao,
            "tipo": tipo,
            "pagina": pagina,
            "f": f,
            "recorte": recorte,
            "query": _sem_pagina(request),
        },
    )
