"""How a number reads (units, "sem dados") and where the facts behind it are: shared by the page
and the API, so both say the same thing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language, gettext_lazy
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


def urls_dos_fatos(chave: str, recorte: dict[str, str], filtros: Filtros) -> Callable[[date, date], str]:
    """The facts' address of one number for any period (``de``, ``ate``) with the other filters of
    ``filtros``: reversed and encoded once, for the many points of a chart (a week each). The
    period comes first in ``Filtros.como_query``, and ISO dates need no escaping."""
    resto = {k: v for k, v in filtros.como_query().items() if k not in ("de", "ate")}
    resto |= {f"r_{k}": v for k, v in recorte.items() if k != "estatistica"}
    prefixo = f"{reverse('metricas-fatos', args=[chave])}?de="
    cauda = f"&{urlencode(resto)}" if resto else ""

    def url(de: date, ate: date) -> str:
        return f"{prefixo}{de.isoformat()}&ate={ate.isoformat()}{cauda}"

    return url


def url_dos_fatos(numero: Numero, filtros: Filtros) -> str:
    return urls_dos_fatos(numero.chave, numero.recorte, filtros)(filtros.de, filtros.ate)


class Formatos:
    """How numbers read in the active language, its separators and words looked up once: one
    per page, for its many numbers and chart points (``number_format`` reads three formats and
    ``gettext`` a catalogue at every call)."""

    def __init__(self) -> None:
        lang = get_language()
        self.decimal = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
        self.agrupamento = get_format("NUMBER_GROUPING", lang, use_l10n=True)
        self.milhar = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)
        self.sem_dados = _("sem dados")
        self.s, self.min, self.h, self.dias = _("%(n)s s"), _("%(n)s min"), _("%(n)s h"), _("%(n)s dias")
        self.por_semana = _("%(n)s por semana")

    def n(self, valor: float, casas: int = 1) -> str:
        # number_format (which this is, its formats read once) truncates the digits it drops; a
        # person expects rounding.
        return numberformat.format(
            round(valor, casas), self.decimal, casas, self.agrupamento, self.milhar, use_l10n=True
        )

    def duracao(self, segundos: float) -> str:
        if segundos < 120:
            return self.s % {"n": self.n(segundos)}
        if segundos < 2 * 3600:
            return self.min % {"n": self.n(segundos / 60)}
        if segundos < 2 * 86400:
            return self.h % {"n": self.n(segundos / 3600)}
        return self.dias % {"n": self.n(segundos / 86400)}

    def texto(self, chave: str, unidade: str, valor: float | None) -> str:
        """The value as a person reads it; "sem dados" when its inputs are empty."""
        if valor is None:
            return self.sem_dados
        if chave in PERCENTUAIS:
            return f"{self.n(valor * 100)}%"
        if unidade == "segundos":
            return self.duracao(valor)
        if unidade == "por_dia":
            return self.por_semana % {"n": self.n(valor * 7)}
        if unidade == "bytes":
            return f"{self.n(valor / 2**20)} MiB"
        return self.n(valor, 2)


def duracao(segundos: float) -> str:
    return Formatos().duracao(segundos)


def texto(numero: Numero, formatos: Formatos | None = None) -> str:
    """The value as a person reads it; "sem dados" when its inputs are empty."""
    return (formatos or Formatos()).texto(numero.chave, numero.unidade, numero.valor)


def como_dict(numero: Numero, filtros: Filtros, formatos: Formatos | None = None) -> dict[str, Any]:
    nome, definicao, _fatos = DEFINICOES[numero.chave]
    return {
        "chave": numero.chave,
        "nome": str(nome),
        "definicao": str(definicao),
        "recorte": numero.recorte,
        "valor": numero.valor,
        "unidade": numero.unidade,
        "sem_dados": numero.sem_dados,
        "texto": texto(numero, formatos),
        "contagens": numero.contagens,
        "faixa": numero.faixa,
        "faixa_texto": str(NOMES.get(numero.faixa, "")),
        "fatos": url_dos_fatos(numero, filtros),
    }


def para_a_pagina(numero: Numero, filtros: Filtros, formatos: Formatos | None = None) -> dict[str, Any]:
    """``como_dict`` plus what the page says in words: the counts named, the statistic, and
    what would give the number data when it has none."""
    dados = como_dict(numero, filtros, formatos)
    dados["contagens_rotuladas"] = [(str(CONTAGENS.get(k, k)), v) for k, v in numero.contagens.items()]
    estatistica = numero.recorte.get("estatistica", "")
    dados["estatistica_texto"] = str(ESTATISTICAS.get(estatistica, estatistica))
    dados["dica"] = str(DICAS_SEM_DADOS.get(numero.chave, "")) if numero.sem_dados else ""
    return dados
