"""DORA's four keys on a small history built through the deployment services, each against a
value computed by hand: per environment, with the counts behind every rate, the bands, and a
period that excludes everything ("sem dados", never 0)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backlog.models import Item
from fabrica.implantacao import services as servicos
from fabrica.implantacao.models import Implantacao
from fabrica.metricas import faixas
from fabrica.metricas.selectors import Filtros, painel
from fabrica.models import Spec
from tests.fabrica.implantacao.conftest import implantar, processar
from tests.fabrica.metricas.conftest import T0

pytestmark = pytest.mark.django_db

HORA = 3600.0
NOVEMBRO = Filtros(de=date(2026, 11, 1), ate=date(2026, 11, 30))


@pytest.fixture
def historia(relogio, spec_teste, fazer_release, rapidos, elenco):
    """T0: the spec's version is imported. v1 serves in homologacao at +2h (validated at +3h),
    in producao at +4h; the PO refuses it there at +5h (rolled back to nothing). v2 serves in
    homologacao at +7h (validated), in producao at +8h (validated at +9h)."""
    po = elenco["po"]
    relogio.ir(hours=1)
    v1 = fazer_release(1)
    relogio.ir(hours=2)
    h1 = implantar(v1, "homologacao")
    relogio.ir(hours=3)
    servicos.implantacao_validar(implantacao_id=h1.pk, por=po, aprovado=True)
    relogio.ir(hours=4)
    p1 = processar(servicos.implantacao_promover(implantacao_id=h1.pk, por=po))
    relogio.ir(hours=5)
    servicos.implantacao_validar(implantacao_id=p1.pk, por=po, aprovado=False, observacao="quebrou o login")
    reversao = processar(Item.objects.get(tipo="implantar", contexto__reversao__implantacao_ref=str(p1.pk)))
    assert reversao.tipo == Implantacao.Tipo.REVERSAO and reversao.reverte == p1
    relogio.ir(hours=6)
    v2 = fazer_release(2)
    relogio.ir(hours=7)
    h2 = implantar(v2, "homologacao")
    servicos.implantacao_validar(implantacao_id=h2.pk, por=po, aprovado=True)
    relogio.ir(hours=8)
    p2 = processar(servicos.implantacao_promover(implantacao_id=h2.pk, por=po))
    relogio.ir(hours=9)
    servicos.implantacao_validar(implantacao_id=p2.pk, por=po, aprovado=True)
    return {"h1": h1, "p1": p1, "h2": h2, "p2": p2}


def test_producao_as_quatro_chaves(historia):
    p = painel(NOVEMBRO)

    assert p.ambiente_dora == "producao"
    freq = p.achar("dora.frequencia", ambiente="producao")
    assert freq.valor == pytest.approx(2 / 30)
    assert freq.contagens == {"implantacoes_concluidas": 2, "dias": 30}
    falhas = p.achar("dora.falhas", ambiente="producao")
    assert falhas.valor == pytest.approx(0.5)
    # p1 was refused and rolled back: one failure, counted once.
    assert falhas.contagens == {"falhas": 1, "implantacoes": 2, "falharam": 0, "recusadas": 1, "revertidas": 1}
    # Lead time: the spec version imported at T0, serving in producao at +4h and +8h.
    assert p.achar("dora.lead_time", ambiente="producao", estatistica="media").valor == pytest.approx(6 * HORA)
    assert p.achar("dora.lead_time", ambiente="producao", estatistica="p50").valor == pytest.approx(4 * HORA)
    assert p.achar("dora.lead_time", ambiente="producao", estatistica="p90").valor == pytest.approx(8 * HORA)
    # Restore: p1 ended at +4h, the next validated deployment (p2) ended at +8h.
    restauro = p.achar("dora.restauracao", ambiente="producao", estatistica="p50")
    assert restauro.valor == pytest.approx(4 * HORA)
    assert restauro.contagens == {"n": 1, "falhas_sem_restauracao": 0}


def test_lead_time_comeca_no_commit_da_versao(historia, spec_teste):
    """A version read from the git repository starts at its commit's date (recorded by the import,
    tests/fabrica/test_specs_repo.py), not at the import: committed 2 h before T0."""
    Spec.objects.filter(pk=spec_teste.pk).update(commit_em=T0 - timedelta(hours=2))
    p = painel(NOVEMBRO)

    # serving in producao at +4h and +8h: 6 h and 10 h after the commit
    assert p.achar("dora.lead_time", ambiente="producao", estatistica="p50").valor == pytest.approx(6 * HORA)
    assert p.achar("dora.lead_time", ambiente="producao", estatistica="media").valor == pytest.approx(8 * HORA)


def test_homologacao_sem_falhas_tem_taxa_zero_e_restauracao_sem_dados(historia):
    p = painel(NOVEMBRO)

    assert p.achar("dora.falhas", ambiente="homologacao").valor == 0.0
    assert p.achar("dora.frequencia", ambiente="homologacao").contagens["implantacoes_concluidas"] == 2
    assert p.achar("dora.lead_time", ambiente="homologacao", estatistica="media").valor == pytest.approx(4.5 * HORA)
    assert p.achar("dora.restauracao", ambiente="homologacao", estatistica="p50").sem_dados


def test_faixas_da_tabela_escolhida(historia):
    dora_2023 = painel(NOVEMBRO)
    gitlab = painel(Filtros(de=NOVEMBRO.de, ate=NOVEMBRO.ate, faixas="gitlab"))

    # 2/30 per day is between once a week and once a month; 4 h lead time is under one day.
    assert dora_2023.achar("dora.frequencia", ambiente="producao").faixa == "media"
    assert dora_2023.achar("dora.lead_time", ambiente="producao", estatistica="p50").faixa == "elite"
    assert dora_2023.achar("dora.falhas", ambiente="producao").faixa == "baixa"
    assert dora_2023.achar("dora.restauracao", ambiente="producao", estatistica="p50").faixa == "alta"
    assert gitlab.achar("dora.falhas", ambiente="producao").faixa == "baixa"
    assert gitlab.achar("dora.lead_time", ambiente="producao", estatistica="p50").faixa == "alta"
    assert gitlab.tabela.chave == "gitlab"


def test_periodo_que_exclui_diz_sem_dados(historia):
    outubro = painel(Filtros(de=date(2026, 10, 1), ate=date(2026, 10, 31)))

    for chave in ("dora.frequencia", "dora.falhas", "dora.lead_time", "dora.restauracao"):
        numeros = outubro.todos(chave)
        assert numeros and all(n.valor is None and n.faixa == "" for n in numeros), chave


def test_filtro_de_ambiente_e_de_spec(historia):
    so_producao = painel(Filtros(de=NOVEMBRO.de, ate=NOVEMBRO.ate, ambiente="producao"))
    outra_spec = painel(Filtros(de=NOVEMBRO.de, ate=NOVEMBRO.ate, spec="spec_001"))

    assert {n.recorte["ambiente"] for n in so_producao.todos("dora.falhas")} == {"producao"}
    assert outra_spec.achar("dora.falhas", ambiente="producao").sem_dados


def test_classificar_sem_valor_nao_tem_faixa():
    assert faixas.classificar(faixas.tabela("dora_2021"), "falhas", None) == ""
    assert faixas.classificar(faixas.tabela("dora_2021"), "frequencia", 2.0) == "elite"


def test_periodo_de_um_dia_so(historia):
    dia = painel(Filtros(de=date(2026, 11, 2), ate=date(2026, 11, 2)))

    assert dia.achar("dora.restauracao", ambiente="producao", estatistica="p50").valor == pytest.approx(4 * HORA)
    assert dia.achar("dora.frequencia", ambiente="producao").valor == pytest.approx(2.0)


def test_tendencia_semanal(historia):
    """Weeks start on the period's first day (1 November): the whole history is in week 0."""
    p = painel(NOVEMBRO)

    assert p.ambiente_dora == "producao"
    [frequencia] = p.tendencias["dora.frequencia"]
    assert (frequencia.semana, frequencia.valor, frequencia.n) == (date(2026, 11, 1), 2.0, 2)
    [falhas] = p.tendencias["dora.falhas"]
    assert falhas.valor == pytest.approx(0.5)
    [lead] = p.tendencias["dora.lead_time"]
    assert (lead.valor, lead.n) == (pytest.approx(6 * HORA), 2)
    semana_seguinte = painel(Filtros(de=date(2026, 10, 26), ate=date(2026, 11, 30)))
    assert [t.semana for t in semana_seguinte.tendencias["dora.frequencia"]] == [date(2026, 11, 2)]


def test_recusa_de_implantacao_e_retrabalho_da_release(historia):
    """p1's refusal made a corrigir_bug (its validar_implantacao's child): rework of v1, one of
    the two releases of the period."""
    from fabrica.metricas.selectors import correcoes_de, releases_do_periodo

    retrabalho = painel(NOVEMBRO).achar("fabrica.retrabalho")
    assert retrabalho.valor == pytest.approx(0.5)
    assert retrabalho.contagens == {"corrigir_bug": 1, "releases": 2}
    assert correcoes_de(releases_do_periodo(NOVEMBRO)).count() == 1
