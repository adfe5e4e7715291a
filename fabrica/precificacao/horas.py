"""A budget's hours per vertente as numbers (``HorasVertente``), written with the JSON they come
from: what budget accuracy, MMRE and PRED(25) (docs/arquitetura.md, "Metrics") sum in the
database instead of reading ``esforco`` and ``horas_reais``.

``linhas`` is pure (dicts in, dicts out): the service below, the migration that filled the rows
of the budgets made before the table existed, and bench/metrics.py build the rows with it.
"""

from __future__ import annotations

from typing import Any

from fabrica.models import HorasVertente, Orcamento


def _horas(valor: Any) -> float | None:
    return float(valor) if isinstance(valor, int | float) and not isinstance(valor, bool) else None


def linhas(esforco: dict[str, Any] | None, horas_reais: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One dict of ``HorasVertente`` fields per vertente estimated or with real hours (the budget
    left out): the estimate of ``esforco.horas_dev_por_vertente`` and the real hours, each null
    when absent."""
    estimadas = (esforco or {}).get("horas_dev_por_vertente") or {}
    reais = horas_reais or {}
    return [
        {"vertente": str(v)[:8], "estimadas": _horas(estimadas.get(v)), "reais": _horas(reais.get(v))}
        for v in sorted(set(estimadas) | set(reais))
    ]


def horas_registrar(*, orcamento: Orcamento) -> list[HorasVertente]:
    """Writes the budget's ``HorasVertente`` rows from its ``esforco`` and ``horas_reais``,
    replacing any it had: call it in the transaction that writes either, so the metrics never
    read hours the budget does not say."""
    HorasVertente.objects.filter(orcamento=orcamento).delete()
    return HorasVertente.objects.bulk_create(
        HorasVertente(orcamento=orcamento, **campos) for campos in linhas(orcamento.esforco, orcamento.horas_reais)
    )
