"""How a number reads (units, "sem dados") and where the facts behind it are: shared by the page
and the API, so both say the same thing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

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
