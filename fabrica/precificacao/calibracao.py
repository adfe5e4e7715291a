"""Re-fits the pricing model's coefficients from actual effort (budget accuracy, docs/arquitetura.md
"Metrics").

For each vertente, the hours per size unit become the geometric mean, over every budget with
recorded actuals, of (real hours / size units): the least-squares fit of log(real) =
log(coef) + log(units), robust to one project that ran long. MMRE (mean magnitude of relative
error) and PRED(25) (share of estimates within 25 % of the actual) are reported for the new
coefficients and for the estimates as they were made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Amostra:
    """One built spec: size units and real hours per vertente, and the hours estimated then."""

    unidades: dict[str, int]
    reais: dict[str, float]
    estimadas: dict[str, float]


@dataclass(frozen=True)
class Ajuste:
    horas_por_unidade: dict[str, float]
    mmre: float
    pred25: float
    mmre_anterior: float
    amostras: int


def _mmre_pred(pares: list[tuple[float, float]]) -> tuple[float, float]:
    erros = [abs(real - est) / real for real, est in pares if real > 0]
    if not erros:
        return 0.0, 0.0
    return sum(erros) / len(erros), sum(e <= 0.25 for e in erros) / len(erros)


def ajustar(amostras: list[Amostra], atuais: dict[str, float]) -> Ajuste:
    """Fitted hours per unit for each vertente with data; the others keep their coefficient."""
    novos = dict(atuais)
    for vertente in atuais:
        razoes = [
            a.reais[vertente] / a.unidades[vertente]
            for a in amostras
            if a.unidades.get(vertente, 0) > 0 and a.reais.get(vertente, 0) > 0
        ]
        if razoes:
            novos[vertente] = round(math.exp(sum(math.log(r) for r in razoes) / len(razoes)), 4)
    depois: list[tuple[float, float]] = []
    antes: list[tuple[float, float]] = []
    for a in amostras:
        real = sum(a.reais.values())
        depois.append((real, sum(novos[v] * a.unidades.get(v, 0) for v in a.reais)))
        antes.append((real, sum(a.estimadas.get(v, 0) for v in a.reais)))
    mmre, pred = _mmre_pred(depois)
    mmre_antes, _ = _mmre_pred(antes)
    return Ajuste(novos, round(mmre, 4), round(pred, 4), round(mmre_antes, 4), len(amostras))


def coeficientes_novos(coeficientes: dict[str, Any], ajuste: Ajuste) -> dict[str, Any]:
    return {**coeficientes, "horas_por_unidade": ajuste.horas_por_unidade}


@dataclass(frozen=True)
class AmostraTokens:
    """One release built with a model: size units and tokens spent per vertente, the tokens the
    budget had estimated, and how many of the tokens were the model's answers."""

    unidades: dict[str, int]
    reais: dict[str, int]
    estimados: dict[str, int]
    entrada: int
    saida: int


@dataclass(frozen=True)
class AjusteTokens:
    tokens_por_unidade: dict[str, float]
    fracao_saida: float
    mmre: float
    pred25: float
    mmre_anterior: float
    amostras: int

    def como_dict(self) -> dict[str, Any]:
        return {
            "amostras": self.amostras,
            "mmre": self.mmre,
            "pred25": self.pred25,
            "mmre_anterior": self.mmre_anterior,
        }


def ajustar_tokens(amostras: list[AmostraTokens], atuais: dict[str, float], fracao_atual: float) -> AjusteTokens:
    """Tokens per unit for each vertente with data: all the tokens its builds spent over all
    their size units (a ratio of sums, not a mean of logarithms like the hours: a vertente the
    model was not needed for spends 0 tokens, an actual a logarithm cannot take). The answer's
    share is that of every call recorded; the others keep their coefficient."""
    novos = dict(atuais)
    for vertente in atuais:
        com_dados = [a for a in amostras if a.unidades.get(vertente, 0) > 0 and vertente in a.reais]
        unidades = sum(a.unidades[vertente] for a in com_dados)
        if unidades:
            novos[vertente] = round(sum(a.reais[vertente] for a in com_dados) / unidades, 2)
    entrada, saida = sum(a.entrada for a in amostras), sum(a.saida for a in amostras)
    fracao = round(saida / (entrada + saida), 4) if entrada + saida else fracao_atual
    depois = [
        (float(sum(a.reais.values())), sum(novos.get(v, 0) * a.unidades.get(v, 0) for v in a.reais)) for a in amostras
    ]
    antes = [(float(sum(a.reais.values())), float(sum(a.estimados.get(v, 0) for v in a.reais))) for a in amostras]
    mmre, pred = _mmre_pred(depois)
    mmre_antes, _ = _mmre_pred(antes)
    return AjusteTokens(novos, fracao, round(mmre, 4), round(pred, 4), round(mmre_antes, 4), len(amostras))
