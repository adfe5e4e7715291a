"""How a number reads (units, "sem dados") and where the facts behind it are: shared by the page
and the API, so both say the same thing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrica.metricas.faixas import NOMES
from fabrica.metricas.selectors import DEFINICOES, Filtros, Numero

# Ratios read as a percentage; the others (budget precision, attempts) as plain numbers.
PERCENTUAIS = {
    "fabrica.mmre",
    "fabrica.pred25",
    "fabrica.taxa_gaps",
    "fabrica.retrabalho",
    "dora.falhas",
    "workers.passou_primeira",
    "workers.precisou_correcao",
}


# The counts behind a number, as the page names them (the API keeps the keys).
CONTAGENS = {
    "n": gettext_lazy("medidos"),
    "orcamentos": gettext_lazy("orçamentos"),
    "specs_com_gap": gettext_lazy("specs com gap"),
    "specs_precificadas": gettext_lazy("specs precificadas"),
    "corrigir_bug": gettext_lazy("correções pedidas"),
    "releases": gettext_lazy("releases"),
    "implantacoes_concluidas": gettext_lazy("implantações concluídas"),
    "dias": gettext_lazy("dias no período"),
    "falhas": gettext_lazy("falharam (contadas uma vez)"),
    "implantacoes": gettext_lazy("implantações terminadas"),
    "falharam": gettext_lazy("verificações falharam"),
    "recusadas": gettext_lazy("validação recusada"),
    "revertidas": gettext_lazy("revertidas"),
    "falhas_sem_restauracao": gettext_lazy("falhas ainda não restauradas"),
    "corrigidas": gettext_lazy("com correção"),
    "passou_primeira": gettext_lazy("passaram na primeira"),
    "tentativas": gettext_lazy("tentativas de correção"),
}
ESTATISTICAS = {
    "media": gettext_lazy("média"),
    "p50": gettext_lazy("mediana"),
    "p90": gettext_lazy("p90: 9 em 10 até este valor"),
}

# What gives a number its data, said beside "sem dados" where a person can act on it.
DICAS_SEM_DADOS = {
    "fabrica.precisao_orcamento": gettext_lazy("Registre as horas reais na página de uma release aprovada."),
    "fabrica.mmre": gettext_lazy("Registre as horas reais na página de uma release aprovada."),
    "fabrica.pred25": gettext_lazy("Registre as horas reais na página de uma release aprovada."),
    "fabrica.tempo_desbloqueio": gettext_lazy("Nenhum orçamento esperou por gaps resolvidos no período."),
    "dora.frequencia": gettext_lazy("Nenhuma implantação neste ambiente no período."),
    "dora.lead_time": gettext_lazy("Nenhuma release passou a servir neste ambiente no período."),
    "dora.falhas": gettext_lazy("Nenhuma implantação terminou neste ambiente no período."),
    "dora.restauracao": gettext_lazy(
        "Nenhuma falha restaurada: restaura-se quando uma implantação posterior da mesma spec, no mesmo "
        "ambiente, é validada."
    ),
}


def url_dos_fatos(numero: Numero, filtros: Filtros) -> str:
    query = {**filtros.como_query(), **{f"r_{k}": v for k, v in numero.recorte.items() if k != "estatistica"}}
    return f"{reverse('metricas-fatos', args=[numero.chave])}?{urlencode(query)}"


def _n(valor: float, casas: int = 1) -> str:
    # number_format truncates the digits it drops; a person expects rounding.
    return number_format(round(valor, casas), casas)


def duracao(segundos: float) -> str:
    if segundos < 120:
        return _("%(n)s s") % {"n": _n(segundos)}
    if segundos < 2 * 3600:
        return _("%(n)s min") % {"n": _n(segundos / 60)}
    if segundos < 2 * 86400:
        return _("%(n)s h") % {"n": _n(segundos / 3600)}
    return _("%(n)s dias") % {"n": _n(segundos / 86400)}


def texto(numero: Numero) -> str:
    """The value as a person reads it; "sem dados" when its inputs are empty."""
    if numero.valor is None:
        return _("sem dados")
    if numero.chave in PERCENTUAIS:
        return f"{_n(numero.valor * 100)}%"
    if numero.unidade == "segundos":
        return duracao(numero.valor)
    if numero.unidade == "por_dia":
        return _("%(n)s por semana") % {"n": _n(numero.valor * 7)}
    if numero.unidade == "bytes":
        return f"{_n(numero.valor / 2**20)} MiB"
    return _n(numero.valor, 2)


def como_dict(numero: Numero, filtros: Filtros) -> dict[str, Any]:
    nome, definicao, _fatos = DEFINICOES[numero.chave]
    return {
        "chave": numero.chave,
        "nome": str(nome),
        "definicao": str(definicao),
        "recorte": numero.recorte,
        "valor": numero.valor,
        "unidade": numero.unidade,
        "sem_dados": numero.sem_dados,
        "texto": texto(numero),
        "contagens": numero.contagens,
        "faixa": numero.faixa,
        "faixa_texto": str(NOMES.get(numero.faixa, "")),
        "fatos": url_dos_fatos(numero, filtros),
    }


def para_a_pagina(numero: Numero, filtros: Filtros) -> dict[str, Any]:
    """``como_dict`` plus what the page says in words: the counts named, the statistic, and
    what would give the number data when it has none."""
    dados = como_dict(numero, filtros)
    dados["contagens_rotuladas"] = [(str(CONTAGENS.get(k, k)), v) for k, v in numero.contagens.items()]
    estatistica = numero.recorte.get("estatistica", "")
    dados["estatistica_texto"] = str(ESTATISTICAS.get(estatistica, estatistica))
    dados["dica"] = str(DICAS_SEM_DADOS.get(numero.chave, "")) if numero.sem_dados else ""
    return dados
