"""The metrics page for the PO and admins (charts, each number linking to its facts) and the page
of the facts behind one number."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrica.metricas import fatos as fatos_de
from fabrica.metricas import graficos, selectors
from fabrica.metricas.apresentacao import Formatos, duracao, para_a_pagina, urls_dos_fatos
from fabrica.metricas.faixas import MAIOR_MELHOR, NOMES, ROTULOS_CHAVE, Tabela
from fabrica.metricas.filtros import FiltrosForm
from fabrica.metricas.selectors import Filtros
from fabrica.palavras import VERTENTES as NOMES_VERTENTES
from fabrica.papeis import exigir
from fabrica.specs.formato.vertentes import VERTENTES
from prometheus_site import navegacao

PERMISSAO = "fabrica.ver_metricas"


def _filtros(request: HttpRequest) -> tuple[FiltrosForm, Filtros]:
    form = FiltrosForm(request.GET)
    if form.is_valid():
        return form, form.filtros()
    return form, Filtros.padrao()


def _formatador(chave: str, formatos: Formatos):
    unidade = "segundos" if "lead_time" in chave else "razao"

    def formatar(valor: float) -> str:
        return formatos.texto(chave, unidade, valor)

    return formatar


@login_required
def painel(request: HttpRequest) -> HttpResponse:
    exigir(request, PERMISSAO)
    form, f = _filtros(request)
    p = selectors.painel(f)
    formatos = Formatos()

    def cartao(chave: str, **recorte: str) -> dict[str, Any] | None:
        numero = p.achar(chave, **recorte)
        return para_a_pagina(numero, f, formatos) if numero else None

    dora = p.ambiente_dora

    def tendencia(chave: str, formatar, **recorte: str):
        url_do_periodo = urls_dos_fatos(chave, recorte, f)

        def url_da_semana(semana: date) -> str:
            # the facts of that week alone (the period's last day if the week runs past it)
            return url_do_periodo(semana, min(semana + timedelta(days=6), f.ate))

        return graficos.linha(p.tendencias[chave], formatar, f.de, f.ate, url_da_semana)

    no_dora = {"ambiente": dora} if dora else {}
    tendencias = [
        (
            _("Implantações concluídas por semana em %(amb)s") % {"amb": dora or "—"},
            tendencia("dora.frequencia", lambda v: f"{v:.0f}", **no_dora),
        ),
        (_("Taxa de falha por semana"), tendencia("dora.falhas", _formatador("dora.falhas", formatos), **no_dora)),
        (_("Lead time de mudanças por semana (média)"), tendencia("dora.lead_time", formatos.duracao, **no_dora)),
        (
            _("Precisão de orçamento por semana"),
            tendencia("fabrica.precisao_orcamento", _formatador("fabrica.precisao_orcamento", formatos)),
        ),
        (
            _("Orçamento aprovado → release, por semana (média)"),
            tendencia("fabrica.lead_time_orcamento_release", formatos.duracao),
        ),
    ]
    vertentes = [f.vertente] if f.vertente else list(VERTENTES)
    workers = []
    for v in vertentes:
        linha: dict[str, Any] = {"vertente": v, "nome": str(NOMES_VERTENTES.get(v, v))}
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
        "faixas_por_chave": _faixas_por_chave(p.tabela),
        "faixas_nomes": [(nome, NOMES[nome]) for nome in p.tabela.linhas],
        "faixas_origem": str(_ORIGENS.get(p.tabela.origem, "")),
        "editar_faixas": _url_do_admin(request, p.tabela),
        "tendencias": tendencias,
        "workers": workers,
        "barras_tempo": barras_tempo,
        "barras_primeira": barras_primeira,
        "geral_correcao": next(
            (para_a_pagina(n, f, formatos) for n in p.todos("workers.precisou_correcao") if not n.recorte), None
        ),
        "backlog": _backlog(request),
    }
    return render(request, "fabrica/metricas/painel.html", contexto)


def _backlog(request: HttpRequest) -> dict[str, Any] | None:
    """The queue now, for those who may open the board; each wait said as a duration."""
    if not navegacao.pode_abrir("backlog", request.user):
        return None
    estado = selectors.estado_do_backlog()
    for linha in estado["esperando"]:
        linha["espera_texto"] = duracao(linha["idade_s"])
    # The events behind the last hour's failures and rescues are listed in Django admin (staff).
    usuario = request.user
    pode = usuario.is_staff and usuario.has_perm("backlog.view_evento")
    estado["url_eventos"] = reverse("admin:backlog_evento_changelist") if pode else ""
    return estado


_ORIGENS = {
    "pedida": gettext_lazy("a tabela pedida nos filtros"),
    "padrao": gettext_lazy("a tabela padrão, marcada no admin"),
    "configuracao": gettext_lazy("nenhuma tabela marcada como padrão: a da configuração PROMETHEUS_METRICAS_FAIXAS"),
    "primeira": gettext_lazy("nenhuma tabela marcada como padrão nem configurada: a primeira"),
    "nenhuma": gettext_lazy("não há tabela de faixas: as chaves DORA ficam sem classificação"),
}


def _faixas_por_chave(tab: Tabela) -> list[dict[str, Any]]:
    """One row per DORA key, one cell per band of the table (best first): the limit with its sign
    and unit ("≥ 1 por semana", "≤ 15%", "o resto"), and the source's wording; a band not used
    for a key (DORA 2021's failure rate) is an empty cell."""
    linhas = []
    for chave, lista in tab.faixas.items():
        por_nome = {faixa.nome: faixa for faixa in lista}
        celulas: list[dict[str, str] | None] = []
        for nome in tab.linhas:
            faixa = por_nome.get(nome)
            if faixa is None:
                celulas.append(None)
                continue
            sinal = "≥" if MAIOR_MELHOR[chave] else "≤"
            limite = f"{sinal} {faixa.limite_texto}" if faixa.limite is not None else _("o resto")
            celulas.append({"nome": nome, "rotulo": str(NOMES[nome]), "limite": limite, "texto": faixa.texto})
        linhas.append({"chave": chave, "rotulo": ROTULOS_CHAVE[chave], "celulas": celulas})
    return linhas


def _url_do_admin(request: HttpRequest, tab: Tabela) -> str:
    """Where an admin edits this table; empty for anyone who may not."""
    if not (request.user.is_staff and request.user.has_perm("fabrica.change_tabelafaixas")):
        return ""
    if tab.pk is None:
        return reverse("admin:fabrica_tabelafaixas_changelist")
    return reverse("admin:fabrica_tabelafaixas_change", args=[tab.pk])


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
