"""Worker metrics (docs/arquitetura.md, "Metrics") per vertente, from what development records on
each release
(``recursos`` per vertente, ``tentativas``), against values computed by hand; and the panel's
query count, the same for a bigger history."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabrica.metricas.selectors import Filtros, painel

pytestmark = pytest.mark.django_db

NOVEMBRO = Filtros(de=date(2026, 11, 1), ate=date(2026, 11, 30))


def recursos(gerar: float, testar: float, corrigir: float, execucoes: list[tuple[float, int]]) -> dict:
    return {
        "worker": "dublê",
        "erro": "",
        "gerar_s": gerar,
        "testar_s": testar,
        "corrigir_s": corrigir,
        "total_s": gerar + testar + corrigir,
        "execucoes": [
            {"tentativa": i, "cpu_s": cpu, "memoria_max_bytes": mem} for i, (cpu, mem) in enumerate(execucoes)
        ],
    }


@pytest.fixture
def releases(relogio, fazer_release):
    """Three releases: E passes at first in all three; D needs 2 corrections in the second, 1
    in the third."""
    feitas = []
    linhas = [
        ({"E": recursos(1, 2, 0, [(0.5, 100)]), "D": recursos(2, 4, 0, [(1.0, 300)])}, []),
        (
            {"E": recursos(3, 2, 0, [(0.5, 100)]), "D": recursos(2, 4, 6, [(1.0, 300), (1.0, 500), (2.0, 400)])},
            [{"n": 1, "vertente": "D"}, {"n": 2, "vertente": "D"}],
        ),
        (
            {"E": recursos(5, 2, 0, [(0.5, 100)]), "D": recursos(2, 4, 3, [(1.0, 300), (1.0, 200)])},
            [{"n": 1, "vertente": "D"}],
        ),
    ]
    for versao, (rec, tentativas) in enumerate(linhas, start=1):
        relogio.ir(hours=versao)
        release = fazer_release(versao)
        release.recursos, release.tentativas = rec, tentativas
        release.save(update_fields=["recursos", "tentativas"])
        feitas.append(release)
    return feitas


def test_tempo_por_vertente_e_etapa(releases):
    p = painel(NOVEMBRO)

    assert p.achar("workers.tempo", vertente="E", etapa="gerar", estatistica="media").valor == pytest.approx(3.0)
    assert p.achar("workers.tempo", vertente="E", etapa="gerar", estatistica="p90").valor == pytest.approx(5.0)
    assert p.achar("workers.tempo", vertente="D", etapa="corrigir", estatistica="media").valor == pytest.approx(3.0)
    assert p.achar("workers.tempo", vertente="D", etapa="total", estatistica="p90").valor == pytest.approx(12.0)
    assert p.achar("workers.tempo", vertente="P", etapa="gerar", estatistica="media").sem_dados


def test_primeira_execucao_tentativas_e_correcoes(releases):
    p = painel(NOVEMBRO)

    assert p.achar("workers.passou_primeira", vertente="E").valor == 1.0
    assert p.achar("workers.passou_primeira", vertente="D").valor == pytest.approx(1 / 3)
    assert p.achar("workers.tentativas", vertente="D").valor == pytest.approx(1.0)
    assert p.achar("workers.tentativas", vertente="E").valor == 0.0
    assert p.achar("workers.precisou_correcao", vertente="D").valor == pytest.approx(2 / 3)
    geral = [n for n in p.todos("workers.precisou_correcao") if not n.recorte]
    assert geral[0].valor == pytest.approx(2 / 3) and geral[0].contagens == {"releases": 3, "corrigidas": 2}
    assert p.achar("workers.passou_primeira", vertente="C").sem_dados


def test_sandbox_por_release(releases):
    p = painel(NOVEMBRO)

    # D: CPU summed per release (1, 4, 2) → mean 7/3; peak memory per release (300, 500, 300) → 1100/3
    assert p.achar("workers.sandbox", vertente="D", recurso="cpu").valor == pytest.approx(7 / 3)
    assert p.achar("workers.sandbox", vertente="D", recurso="memoria_max").valor == pytest.approx(1100 / 3)
    assert p.achar("workers.sandbox", vertente="I", recurso="cpu").sem_dados


def test_consultas_nao_crescem_com_a_historia(relogio, fazer_release):
    def consultas() -> int:
        with CaptureQueriesContext(connection) as capturadas:
            painel(NOVEMBRO)
        return len(capturadas)

    for versao in (1, 2):
        relogio.ir(hours=versao)
        fazer_release(versao).__class__.objects.filter(versao=versao).update(
            recursos={"E": recursos(1, 1, 0, [(0.1, 1)])}
        )
    poucas = consultas()
    for versao in range(3, 23):
        relogio.ir(hours=versao)
        fazer_release(versao).__class__.objects.filter(versao=versao).update(
            recursos={"E": recursos(1, 1, 0, [(0.1, 1)])}
        )
    assert consultas() == poucas
