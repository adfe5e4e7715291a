"""Writes of the metrics' configuration: which table of DORA bands is the default."""

from __future__ import annotations

from django.db import transaction

from fabrica.metricas.models import TabelaFaixas


def tabela_faixas_tornar_padrao(*, tabela_id: int) -> TabelaFaixas:
    """Makes this table the one shown by default, and no other: the previous default is unmarked
    in the same transaction, so the constraint of a single default always holds."""
    with transaction.atomic():
        tabela = TabelaFaixas.objects.select_for_update(no_key=True).get(pk=tabela_id)
        TabelaFaixas.objects.filter(padrao=True).exclude(pk=tabela.pk).update(padrao=False)
        if not tabela.padrao:
            tabela.padrao = True
            tabela.save(update_fields=["padrao", "atualizado_em"])
    return tabela


def tabela_faixas_desmarcar_padrao(*, tabela_id: int) -> None:
    """No table is the default any more: the setting PROMETHEUS_METRICAS_FAIXAS chooses
    (fabrica.metricas.faixas.tabela)."""
    with transaction.atomic():
        TabelaFaixas.objects.filter(pk=tabela_id, padrao=True).update(padrao=False)
