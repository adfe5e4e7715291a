"""Performance bands for DORA's four keys, as each source publishes them (a configurable table:
``PROMETHEUS_METRICAS_FAIXAS`` picks the default, the page and the API take ``faixas=``).

Each key lists its bands best first, each with the limit a value must meet to be in it: for
frequency (deployments per day) a minimum, for times (seconds) and the failure rate (a ratio)
a maximum; the last band takes everything else. The sources' own wording has gaps and overlaps
(DORA 2021's failure rate is 16–30 % for three bands); the limits below are the reading closest to
the published sentence, and ``texto`` keeps that sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

HORA = 3600.0
DIA = 24 * HORA
SEMANA = 7 * DIA
MES = 30 * DIA
SEMESTRE = 182 * DIA

# key → True when a bigger value is better (frequency), False when smaller is (times, failures)
MAIOR_MELHOR = {"frequencia": True, "lead_time": False, "falhas": False, "restauracao": False}


@dataclass(frozen=True)
class Faixa:
    nome: str  # elite | alta | media | baixa
    limite: float | None  # None: the last band, everything else
    texto: str


@dataclass(frozen=True)
class Tabela:
    chave: str
    titulo: str
    fonte: str
    faixas: dict[str, tuple[Faixa, ...]]


def _f(nome: str, limite: float | None, texto: str) -> Faixa:
    return Faixa(nome, limite, texto)


TABELAS: dict[str, Tabela] = {
    "dora_2023": Tabela(
        "dora_2023",
        "DORA 2023",
        "Accelerate State of DevOps Report 2023",
        {
            "frequencia": (
                _f("elite", 1.0, "on demand (multiple deploys per day)"),
                _f("alta", 1 / 7, "between once per day and once per week"),
                _f("media", 1 / 30, "between once per week and once per month"),
                _f("baixa", None, "less than once per month"),
            ),
            "lead_time": (
                _f("elite", DIA, "less than one day"),
                _f("alta", SEMANA, "between one day and one week"),
                _f("media", MES, "between one week and one month"),
                _f("baixa", None, "more than one month"),
            ),
            "falhas": (
                _f("elite", 0.05, "5%"),
                _f("alta", 0.10, "10%"),
                _f("media", 0.15, "15%"),
                _f("baixa", None, "64%"),
            ),
            "restauracao": (
                _f("elite", HORA, "less than one hour"),
                _f("alta", DIA, "less than one day"),
                _f("media", SEMANA, "between one day and one week"),
                _f("baixa", None, "more than one week"),
            ),
        },
    ),
    "dora_2021": Tabela(
        "dora_2021",
        "DORA 2021",
        "Accelerate State of DevOps Report 2021",
        {
            "frequencia": (
                _f("elite", 1.0, "on demand (multiple deploys per day)"),
                _f("alta", 1 / 30, "between once per week and once per month"),
                _f("media", 1 / 182, "between once per month and once every six months"),
                _f("baixa", None, "fewer than once every six months"),
            ),
            "lead_time": (
                _f("elite", HORA, "less than one hour"),
                _f("alta", SEMANA, "between one day and one week"),
                _f("media", SEMESTRE, "between one month and six months"),
                _f("baixa", None, "more than six months"),
            ),
            "falhas": (
                _f("elite", 0.15, "0–15%"),
                _f("alta", 0.30, "16–30%"),
                _f("baixa", None, "16–30% (the report gives the same range to medium and low)"),
            ),
            "restauracao": (
                _f("elite", HORA, "less than one hour"),
                _f("alta", DIA, "less than one day"),
                _f("media", SEMANA, "between one day and one week"),
                _f("baixa", None, "more than six months"),
            ),
        },
    ),
    "gitlab": Tabela(
        "gitlab",
        "GitLab",
        "GitLab Value Streams Dashboard, DORA Performers score",
        {
            "frequencia": (
                _f("alta", 1.0, "daily or more (30 or more per month)"),
                _f("media", 1 / 30, "between once per month and once per day"),
                _f("baixa", None, "less than once per month"),
            ),
            "lead_time": (
                _f("alta", SEMANA, "7 days or less"),
                _f("media", 29 * DIA, "8 to 29 days"),
                _f("baixa", None, "30 days or more"),
            ),
            "falhas": (
                _f("alta", 0.15, "15% or less"),
                _f("media", 0.44, "16% to 44%"),
                _f("baixa", None, "45% or more"),
            ),
            "restauracao": (
                _f("alta", DIA, "1 day or less"),
                _f("media", 6 * DIA, "2 to 6 days"),
                _f("baixa", None, "7 days or more"),
            ),
        },
    ),
}

NOMES = {"elite": _("elite"), "alta": _("alta"), "media": _("média"), "baixa": _("baixa")}


def tabela(chave: str | None) -> Tabela:
    """The table named ``chave``, else the configured default."""
    from django.conf import settings

    return TABELAS.get(chave or "", TABELAS[settings.PROMETHEUS_METRICAS_FAIXAS])


def classificar(tab: Tabela, metrica: str, valor: float | None) -> str:
    """The band of ``valor`` for a DORA key in this table; "" without a value (sem dados)."""
    if valor is None or metrica not in tab.faixas:
        return ""
    maior = MAIOR_MELHOR[metrica]
    for faixa in tab.faixas[metrica]:
        if faixa.limite is None or (valor >= faixa.limite if maior else valor <= faixa.limite):
            return faixa.nome
    return tab.faixas[metrica][-1].nome
