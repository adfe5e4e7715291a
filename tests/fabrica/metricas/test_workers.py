"""Worker metrics (docs/arquitetura.md, "Metrics") per vertente, from what development records on
each release
(``recursos`` per vertente, ``tentativas``), against values computed by hand; and the panel's
query count, the same for a bigger history."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabrica.desenvolvimento import execucoes
from fabrica.desenvolvimento.execucoes import execucoes_registrar
from fabrica.metricas.selectors import Filtros, painel
from fabrica.models import Release

pytestmark = pytest.mark.django_db

NOVEMBRO = Filtros(de=date(2026, 11, 1), ate=date(2026, 11, 30))


def registrar(release: Release, rec: dict, tentativas: list[dict]) -> Release:
    """The release's facts as development records them (JSON on the release, then its
    ``ExecucaoVertente`` rows, as ``_registrar`` does in one transaction); every vertente's
    tests passed in the end."""
    release.recursos, release.tentativas = rec, tentativas
    release.testes = [{"vertente": v, "nome": "test_x", "status": "passou"} for v in rec]
    release.save(update_fields=["recursos", "tentativas", "testes"])
    execucoes_registrar(release=release)
    return release


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
        feitas.append(registrar(fazer_release(versao), rec, tentativas))
    return feitas


def test_tempo_por_vertente_e_etapa(releases):
    p = painel(NOVEMBRO)

    assert p.achar("workers.tempo", vertente="E", etapa="gerar", estatistica="media").valor == pytest.approx(3.0)
    assert p.achar("workers.tempo", vertente="E", etapa="gerar", estatistica="p90").valor == pytest.approx(5.0)
    assert p.achar("workers.tempo", vertente="D", etapa="total", estatistica="p90").valor == pytest.approx(12.0)
    assert p.achar("workers.tempo", vertente="P", etapa="gerar", estatistica="media").sem_dados


def test_tempo_de_corrigir_so_das_execucoes_que_corrigiram(releases):
    """D corrected in the second release (6 s, 2 attempts) and the third (3 s, 1 attempt), not in
    the first (0 s recorded): mean (6 + 3) / 2 = 4.5 and p90 the 2nd of 2 = 6, over 2 executions.
    E never corrected: its 0 s are no correction time, so "sem dados" with its count 0."""
    p = painel(NOVEMBRO)

    media = p.achar("workers.tempo", vertente="D", etapa="corrigir", estatistica="media")
    p90 = p.achar("workers.tempo", vertente="D", etapa="corrigir", estatistica="p90")
    assert (media.valor, media.contagens) == (pytest.approx(4.5), {"n": 2})
    assert (p90.valor, p90.contagens) == (pytest.approx(6.0), {"n": 2})
    for estatistica in ("media", "p90"):
        nunca = p.achar("workers.tempo", vertente="E", etapa="corrigir", estatistica=estatistica)
        assert nunca.sem_dados and nunca.contagens == {"n": 0}
    # the other stages still count every execution: E generated in all three
    assert p.achar("workers.tempo", vertente="E", etapa="gerar", estatistica="media").contagens == {"n": 3}


def test_fatos_do_tempo_de_corrigir_sao_as_releases_que_corrigiram(releases):
    from fabrica.metricas.fatos import fatos

    _tipo, qs = fatos("workers.tempo", NOVEMBRO, {"vertente": "D", "etapa": "corrigir"})
    assert sorted(r.pk for r in qs) == [releases[1].pk, releases[2].pk]
    assert fatos("workers.tempo", NOVEMBRO, {"vertente": "E", "etapa": "corrigir"})[1].count() == 0
    assert fatos("workers.tempo", NOVEMBRO, {"vertente": "E", "etapa": "gerar"})[1].count() == 3


def test_nunca_corrigida_sem_dados_na_pagina_na_api_e_em_metrics(releases, relogio, cliente_como, api_como):
    from django.test import Client
    from prometheus_client.parser import text_string_to_metric_families

    relogio.ir(hours=4)  # the default period (/metrics') ends today and holds the three releases
    pagina = cliente_como("po").get(reverse("metricas")).content.decode()
    linha_e = re.search(r'<tr data-vertente="E">(.*?)</tr>', pagina, re.S).group(1)
    corrigir_e = linha_e.split("<td>")[4]  # vertente, gerar, testar, corrigir
    assert "sem dados" in corrigir_e and "0,0" not in corrigir_e
    linha_d = re.search(r'<tr data-vertente="D">(.*?)</tr>', pagina, re.S).group(1)
    assert "4,5 s" in linha_d.split("<td>")[4]

    api = api_como("po").get(reverse("api-metricas")).json()["metricas"]
    corrigir = {
        (m["recorte"]["vertente"], m["recorte"]["estatistica"]): m
        for m in api
        if m["chave"] == "workers.tempo" and m["recorte"]["etapa"] == "corrigir"
    }
    assert corrigir[("E", "media")]["valor"] is None and corrigir[("E", "media")]["contagens"] == {"n": 0}
    assert corrigir[("E", "media")]["texto"] == "sem dados"
    assert corrigir[("D", "media")]["valor"] == pytest.approx(4.5)

    texto = Client().get("/metrics").content.decode()
    lidas = {
        (a.name, frozenset(a.labels.items())): a.value
        for familia in text_string_to_metric_families(texto)
        for a in familia.samples
        if a.name.startswith("workers_tempo")
    }
    rotulos = {("etapa", "corrigir"), ("estatistica", "media")}
    assert ("workers_tempo_seconds", frozenset({("vertente", "D"), *rotulos})) in lidas
    assert ("workers_tempo_seconds", frozenset({("vertente", "E"), *rotulos})) not in lidas
    contagem = frozenset({("vertente", "E"), ("contagem", "n"), *rotulos})
    assert lidas[("workers_tempo_seconds_contagem", contagem)] == 0


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
        registrar(fazer_release(versao), {"E": recursos(1, 1, 0, [(0.1, 1)])}, [])
    poucas = consultas()
    for versao in range(3, 23):
        relogio.ir(hours=versao)
        registrar(fazer_release(versao), {"E": recursos(1, 1, 0, [(0.1, 1)])}, [])
    assert consultas() == poucas


def test_linhas_uma_por_vertente_sem_inventar_valores():
    """A vertente whose worker failed (nothing tested, no sandbox run) did not pass at the first
    run and has no sandbox use (None, not 0); one that passed only after a correction did not pass
    at the first run either."""
    sem_worker = {
        "worker": "",
        "erro": "sem worker",
        "gerar_s": 0.0,
        "testar_s": 0.0,
        "corrigir_s": 0.0,
        "execucoes": [],
    }
    linhas = {
        linha["vertente"]: linha
        for linha in execucoes.linhas(
            {"I": sem_worker, "D": recursos(1, 2, 3, [(0.5, 100), (0.25, 300)])},
            [{"n": 1, "vertente": "D"}],
            [
                {"vertente": "I", "status": "erro"},
                {"vertente": "D", "status": "passou"},
                {"vertente": "D", "status": "pulou"},
            ],
        )
    }
    assert linhas["I"]["passou"] is False and linhas["I"]["passou_primeira"] is False
    assert linhas["I"]["sandbox_cpu_s"] is None and linhas["I"]["sandbox_memoria_max_bytes"] is None
    assert linhas["I"]["total_s"] is None  # not recorded: not invented
    assert linhas["D"]["passou"] is True and linhas["D"]["passou_primeira"] is False
    assert (linhas["D"]["tentativas_correcao"], linhas["D"]["execucoes_sandbox"]) == (1, 2)
    assert (linhas["D"]["sandbox_cpu_s"], linhas["D"]["sandbox_memoria_max_bytes"]) == (0.75, 300)


def test_fatos_de_uma_vertente_sao_as_releases_contadas(releases):
    from fabrica.metricas.fatos import fatos

    p = painel(NOVEMBRO)
    tipo, qs = fatos("workers.precisou_correcao", NOVEMBRO, {"vertente": "D"})
    assert tipo == "releases"
    assert sorted(r.pk for r in qs) == sorted(r.pk for r in releases)
    assert p.achar("workers.precisou_correcao", vertente="D").contagens["releases"] == qs.count() == 3
    assert fatos("workers.tempo", NOVEMBRO, {"vertente": "P"})[1].count() == 0
