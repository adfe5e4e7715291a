"""Performance bands for DORA's four keys: the tables live in the database
(``fabrica.metricas.models``), an admin's to edit in Django admin; a data migration wrote the
published ones (DORA 2023, DORA 2021, GitLab). The table marked ``padrao`` is the one shown when
nobody asks for another (``?faixas=chave`` on the page and the API); with none marked, the table
named by ``PROMETHEUS_METRICAS_FAIXAS`` (the setting that chose among the presets before they
were editable, kept so an installation that set it keeps its table), else the first one.

Each key lists its bands best first, each with the limit a value must meet to be in it, in the
value's own unit (deployments per day, seconds, a ratio): for frequency a minimum, for times and
the failure rate a maximum; the last band takes everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

HORA = 3600.0
DIA = 24 * HORA

# key → True when a bigger value is better (frequency), False when smaller is (times, failures)
MAIOR_MELHOR = {"frequencia": True, "lead_time": False, "falhas": False, "restauracao": False}

NOMES = {"elite": _("elite"), "alta": _("alta"), "media": _("média"), "baixa": _("baixa")}
ORDEM = list(NOMES)  # best first

# key → (the model's fields: limit, unit (None: always a percentage), the source's wording)
CAMPOS: dict[str, tuple[str, str | None, str]] = {
    "frequencia": ("frequencia_minima", "frequencia_unidade", "frequencia_texto"),
    "lead_time": ("lead_time_maximo", "lead_time_unidade", "lead_time_texto"),
    "falhas": ("falhas_maxima", None, "falhas_texto"),
    "restauracao": ("restauracao_maxima", "restauracao_unidade", "restauracao_texto"),
}
ROTULOS_CHAVE = {
    "frequencia": _("Frequência de implantação"),
    "lead_time": _("Lead time de mudanças (mediana)"),
    "falhas": _("Taxa de falha de mudanças"),
    "restauracao": _("Tempo de restauração (mediana)"),
}
# The unit each key's value has in the numbers (selectors.Numero.unidade).
UNIDADE_DO_VALOR = {"frequencia": "por_dia", "lead_time": "segundos", "falhas": "razao", "restauracao": "segundos"}

# An admin's unit → the value's own unit (per day, seconds, ratio).
FATORES = {
    "por_dia": 1.0,
    "por_semana": 1 / 7,
    "por_mes": 1 / 30,
    "por_semestre": 1 / 182,
    "minutos": 60.0,
    "horas": HORA,
    "dias": DIA,
    "%": 0.01,
}
ABREVIADAS = {
    "por_dia": _("por dia"),
    "por_semana": _("por semana"),
    "por_mes": _("por mês"),
    "por_semestre": _("por semestre"),
    "minutos": _("min"),
    "horas": _("h"),
    "dias": _("dias"),
    "%": "%",
}


@dataclass(frozen=True)
class Faixa:
    nome: str  # elite | alta | media | baixa
    limite: float | None  # in the value's unit; None: the last band, everything else
    texto: str
    informado: float | None = None  # the limit as the admin wrote it
    unidade: str = ""  # the admin's unit (FATORES)

    @property
    def limite_texto(self) -> str:
        """The limit as the admin wrote it, with its unit ("1 por semana", "15%"); empty for the
        last band."""
        if self.informado is None:
            return ""
        numero = number_format(self.informado, decimal_pos=None if self.informado != int(self.informado) else 0)
        separador = "" if self.unidade == "%" else " "
        unidade = gettext("dia") if self.unidade == "dias" and self.informado == 1 else ABREVIADAS.get(self.unidade)
        return f"{numero}{separador}{unidade or self.unidade}"


@dataclass(frozen=True)
class Tabela:
    chave: str
    titulo: str
    fonte: str
    faixas: dict[str, tuple[Faixa, ...]]
    padrao: bool = False
    # why this table: "pedida" (?faixas=), "padrao" (marked), "configuracao" (the setting), "primeira"
    origem: str = "padrao"
    pk: int | None = None
    linhas: tuple[str, ...] = field(default=())  # the bands it has, best first


def _limites_da_linha(linha: Mapping[str, Any], metrica: str) -> tuple[float | None, str]:
    campo, campo_unidade, _t = CAMPOS[metrica]
    valor = linha.get(campo)
    unidade = "%" if campo_unidade is None else (linha.get(campo_unidade) or "")
    return (None if valor is None else float(valor)), unidade


def construir(
    *, chave: str, titulo: str, fonte: str, linhas: Iterable[Mapping[str, Any]], padrao: bool = False, **extra: Any
) -> Tabela:
    """A table from its rows (one per band, with the model's fields): per key, the bands that
    give a limit for it, best first, then the worst band, which takes everything else."""
    ordenadas = sorted(linhas, key=lambda linha: ORDEM.index(linha["nome"]))
    faixas: dict[str, tuple[Faixa, ...]] = {}
    for metrica, (_c, _u, campo_texto) in CAMPOS.items():
        lista = []
        for i, linha in enumerate(ordenadas):
            informado, unidade = _limites_da_linha(linha, metrica)
            ultima = i == len(ordenadas) - 1
            if informado is None and not ultima:
                continue  # this band is not used for this key
            limite = None if ultima or informado is None else informado * FATORES.get(unidade, 1.0)
            lista.append(
                Faixa(
                    linha["nome"],
                    limite,
                    linha.get(campo_texto) or "",
                    None if ultima else informado,
                    "" if ultima else unidade,
                )
            )
        if lista:
            faixas[metrica] = tuple(lista)
    return Tabela(
        chave, titulo, fonte, faixas, padrao=padrao, linhas=tuple(linha["nome"] for linha in ordenadas), **extra
    )


def _da_linha(tab: Any, origem: str) -> Tabela:
    return construir(
        chave=tab.chave,
        titulo=tab.titulo,
        fonte=tab.fonte,
        padrao=tab.padrao,
        linhas=[{f.name: getattr(faixa, f.name) for f in faixa._meta.fields} for faixa in tab.faixas.all()],
        origem=origem,
        pk=tab.pk,
    )


def tabela(chave: str | None) -> Tabela:
    """The table named ``chave``; else the one marked as the default; else the one the setting
    ``PROMETHEUS_METRICAS_FAIXAS`` names; else the first. Two queries (three in the last case).
    Without any table, an empty one: nothing is classified."""
    from django.conf import settings
    from django.db.models import Q

    from fabrica.metricas.models import TabelaFaixas

    configurada = settings.PROMETHEUS_METRICAS_FAIXAS
    candidatas = list(
        TabelaFaixas.objects.filter(Q(chave=chave or "") | Q(padrao=True) | Q(chave=configurada)).prefetch_related(
            "faixas"
        )
    )
    for origem, condicao in (
        ("pedida", lambda t: chave and t.chave == chave),
        ("padrao", lambda t: t.padrao),
        ("configuracao", lambda t: t.chave == configurada),
    ):
        achada = next((t for t in candidatas if condicao(t)), None)
        if achada is not None:
            return _da_linha(achada, origem)
    primeira = TabelaFaixas.objects.prefetch_related("faixas").order_by("chave").first()
    if primeira is not None:
        return _da_linha(primeira, "primeira")
    return Tabela("", "—", "", {}, origem="nenhuma")


def escolhas() -> list[tuple[str, str]]:
    """The tables a person may ask for (``?faixas=``), for the filters' form. One query."""
    from fabrica.metricas.models import TabelaFaixas

    return list(TabelaFaixas.objects.order_by("chave").values_list("chave", "titulo"))


def classificar(tab: Tabela, metrica: str, valor: float | None) -> str:
    """The band of ``valor`` for a DORA key in this table; "" without a value (sem dados)."""
    if valor is None or metrica not in tab.faixas:
        return ""
    maior = MAIOR_MELHOR[metrica]
    for faixa in tab.faixas[metrica]:
        if faixa.limite is None or (valor >= faixa.limite if maior else valor <= faixa.limite):
            return faixa.nome
    return tab.faixas[metrica][-1].nome


def erros_da_linha(linha: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with one band on its own, as (field, sentence): a limit has its unit (and a
    unit its limit), a limit is above zero, a rate is a percentage from 0 to 100."""
    erros: list[tuple[str, str]] = []
    for metrica, (campo, campo_unidade, _t) in CAMPOS.items():
        informado, unidade = _limites_da_linha(linha, metrica)
        if informado is None:
            if campo_unidade and linha.get(campo_unidade):
                erros.append((campo, gettext("Informe o limite ou deixe a unidade vazia.")))
        elif metrica == "falhas":
            if not 0 <= informado <= 100:
                erros.append((campo, gettext("A taxa de falha é um percentual de 0 a 100.")))
        elif informado <= 0:
            erros.append((campo, gettext("O limite precisa ser maior que zero.")))
        elif campo_unidade and not unidade:
            erros.append((campo_unidade, gettext("Informe a unidade do limite.")))
    return erros


def erros_da_tabela(linhas: list[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """What is wrong with a table's bands, as (index of the row, field, sentence), for the admin's
    form to show beside the field. Each row is one band with the model's fields. Checked: each
    row on its own (``erros_da_linha``); one row per band; the worst band has no limit (it takes
    everything else); every other band's limits follow the bands' order, strictly (frequency: a
    smaller minimum than the better band's; times and rate: a bigger maximum), compared in the
    value's own unit, since equal or inverted limits would make two bands overlap; each key has at
    least one limit."""
    erros: list[tuple[int, str, str]] = []
    vistos: dict[str, int] = {}
    com_erro: set[tuple[int, str]] = set()
    for i, linha in enumerate(linhas):
        for campo, mensagem in erros_da_linha(linha):
            erros.append((i, campo, mensagem))
            com_erro.add((i, campo))
        nome = linha.get("nome")
        if nome in vistos:
            erros.append((i, "nome", gettext("Esta tabela já tem a faixa %(nome)s.") % {"nome": NOMES.get(nome, nome)}))
        elif nome:
            vistos[nome] = i
    if not vistos:
        return erros
    ordem = sorted(vistos, key=ORDEM.index)
    pior = ordem[-1]
    for metrica, (campo, campo_unidade, _t) in CAMPOS.items():
        anterior: tuple[float, str] | None = None  # (limit in the value's unit, the band's name)
        for nome in ordem:
            i = vistos[nome]
            informado, unidade = _limites_da_linha(linhas[i], metrica)
            if informado is None or (i, campo) in com_erro or (i, campo_unidade) in com_erro:
                continue
            if nome == pior:
                erros.append(
                    (
                        i,
                        campo,
                        gettext(
                            "A pior faixa da tabela (%(nome)s) não tem limite: ela fica com tudo o que as "
                            "outras não pegam. Deixe vazio."
                        )
                        % {"nome": NOMES[nome]},
                    )
                )
                continue
            limite = informado * FATORES[unidade]
            if anterior is not None:
                limite_anterior, nome_anterior = anterior
                maior = MAIOR_MELHOR[metrica]
                if (limite >= limite_anterior) if maior else (limite <= limite_anterior):
                    mensagem = (
                        gettext(
                            "Precisa ser menor que o mínimo da faixa %(melhor)s: uma faixa pior pede menos "
                            "implantações, senão as faixas se sobrepõem."
                        )
                        if maior
                        else gettext(
                            "Precisa ser maior que o máximo da faixa %(melhor)s: uma faixa pior admite mais, "
                            "senão as faixas se sobrepõem."
                        )
                    )
                    erros.append((i, campo, mensagem % {"melhor": NOMES[nome_anterior]}))
                    continue
            anterior = (limite, nome)
        if anterior is None and len(ordem) > 1 and not any(e[1] in (campo, campo_unidade) for e in erros):
            primeira = vistos[ordem[0]]
            erros.append(
                (
                    primeira,
                    campo,
                    gettext("Dê um limite a pelo menos uma faixa: sem nenhum, todos os valores caem na pior."),
                )
            )
    return erros
