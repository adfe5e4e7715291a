"""The factory's metrics (docs/arquitetura.md, "Metrics") on a small history built through the real
services — pricing
with gaps resolved at known instants, approval, development by test doubles of the workers,
real hours, a rejection — each against a value computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from backlog.models import Item
from fabrica.capacidades.services import capacidade_salvar
from fabrica.decisoes.services import orcamento_aprovar
from fabrica.desenvolvimento import ciclo
from fabrica.metricas.selectors import Filtros, correcoes_de, orcamentos_com_real, painel, releases_do_periodo
from fabrica.models import Capacidade, Orcamento, Release
from fabrica.precificacao.services import esforco_real_registrar
from fabrica.releases.services import release_horas_registrar, release_rejeitar
from tests.apoio import construir, nova_versao, orcar
from tests.fabrica import dubles

pytestmark = pytest.mark.django_db

HORA = 3600.0
NOVEMBRO = Filtros(de=date(2026, 11, 1), ate=date(2026, 11, 30))


@pytest.fixture
def historia(relogio, specs_exemplo, elenco, workers, sandbox_rapido, monkeypatch):
    """T0: spec_002 (no gap: postgres exists) and spec_001 (two gaps) are priced. The Whisper API
    is registered at +1h, the GPU at +3h: spec_001's approval unblocks at +3h. spec_002's budget
    is approved at +4h; its development, consumed at once, takes two hours (+6h); real hours are
    twice the estimate; the PO rejects the release at +7h (a corrigir_bug)."""
    po = elenco["po"]
    Capacidade.objects.create(tipo="container", nome="postgres")
    spec_002 = orcar("spec_002")
    spec_001 = orcar("spec_001")
    assert spec_001.gaps.count() == 2 and spec_002.gaps.count() == 0
    relogio.ir(hours=1)
    capacidade_salvar(tipo="api_externa", nome="whisper_api", por=elenco["admin"])
    relogio.ir(hours=3)
    capacidade_salvar(tipo="hardware", nome="gpu", por=elenco["admin"])
    relogio.ir(hours=4)
    orcamento_aprovar(orcamento_id=spec_002.pk, por=po)

    original = ciclo.desenvolver_vertente

    def demora_duas_horas(**kwargs):
        resultado = original(**kwargs)
        relogio.ir(hours=6)
        return resultado

    monkeypatch.setattr(ciclo, "desenvolver_vertente", demora_duas_horas)
    workers(dubles.worker("D"), dubles.worker("E"))
    release = construir(Item.objects.get(tipo="desenvolvimento", spec_ref="spec_002"))
    orcamento = Orcamento.objects.get(pk=spec_002.pk)
    estimado = orcamento.esforco["horas_dev_por_vertente"]
    release_horas_registrar(release_id=release.pk, horas={v: 2 * h for v, h in estimado.items()}, por=po)
    relogio.ir(hours=7)
    release_rejeitar(release_id=release.pk, por=po, motivo="falta o relatório")
    return {"release": release, "orcamento": orcamento}


def test_precisao_mmre_e_pred25(historia):
    p = painel(NOVEMBRO)

    # real = 2 × estimate: ratio 2, each budget's error |2e − e| / 2e = 0.5, none within 25 %.
    precisao = p.achar("fabrica.precisao_orcamento")
    assert precisao.valor == pytest.approx(2.0) and precisao.contagens == {"orcamentos": 1}
    assert p.achar("fabrica.mmre").valor == pytest.approx(0.5)
    assert p.achar("fabrica.pred25").valor == 0.0
    # per version of the pricing model that made the estimate (v1; the recalibration made v2 after)
    assert p.achar("fabrica.mmre", modelo="v1").valor == pytest.approx(0.5)
    assert p.achar("fabrica.mmre", modelo="v2") is None


def test_precisao_de_uma_vertente(historia):
    p = painel(Filtros(de=NOVEMBRO.de, ate=NOVEMBRO.ate, vertente="D"))

    assert p.achar("fabrica.precisao_orcamento").valor == pytest.approx(2.0)
    assert p.achar("workers.passou_primeira", vertente="D") is not None
    assert p.achar("workers.passou_primeira", vertente="E") is None


def test_taxa_de_gaps(historia):
    taxa = painel(NOVEMBRO).achar("fabrica.taxa_gaps")

    assert taxa.valor == pytest.approx(0.5)
    assert taxa.contagens == {"specs_com_gap": 1, "specs_precificadas": 2}


def test_tempo_de_desbloqueio(historia):
    p = painel(NOVEMBRO)

    media = p.achar("fabrica.tempo_desbloqueio", estatistica="media")
    assert media.valor == pytest.approx(3 * HORA) and media.contagens == {"n": 1}
    assert p.achar("fabrica.tempo_desbloqueio", estatistica="p90").valor == pytest.approx(3 * HORA)


def test_lead_times_de_desenvolvimento(historia):
    p = painel(NOVEMBRO)

    # approved at +4h, the release made at +6h; the desenvolvimento item consumed at +4h, its release made at +6h
    assert p.achar("fabrica.lead_time_orcamento_release", estatistica="media").valor == pytest.approx(2 * HORA)
    assert p.achar("fabrica.lead_time_desenvolvimento", estatistica="p90").valor == pytest.approx(2 * HORA)


def test_retrabalho_pela_linhagem(historia):
    retrabalho = painel(NOVEMBRO).achar("fabrica.retrabalho")

    assert retrabalho.valor == pytest.approx(1.0)
    assert retrabalho.contagens == {"corrigir_bug": 1, "releases": 1}
    (corrigir,) = correcoes_de(releases_do_periodo(NOVEMBRO))
    assert corrigir.produzido_por_id == historia["release"].item_aprovacao_id


def test_corrigir_bug_de_fora_nao_e_retrabalho_de_release(historia):
    from backlog import services as backlog

    backlog.produzir(
        tipo="corrigir_bug",
        produtor="teste",
        spec_ref="spec_002",
        contexto={"feature_ref": historia["release"].rotulo_versao, "erro": "outro sistema achou"},
    )

    assert painel(NOVEMBRO).achar("fabrica.retrabalho").contagens["corrigir_bug"] == 1


def test_periodo_que_exclui_diz_sem_dados(historia):
    outubro = painel(Filtros(de=date(2026, 10, 1), ate=date(2026, 10, 31)))

    for chave in (
        "fabrica.precisao_orcamento",
        "fabrica.mmre",
        "fabrica.pred25",
        "fabrica.taxa_gaps",
        "fabrica.tempo_desbloqueio",
        "fabrica.lead_time_orcamento_release",
        "fabrica.lead_time_desenvolvimento",
        "fabrica.retrabalho",
    ):
        numeros = outubro.todos(chave)
        assert numeros and all(n.sem_dados for n in numeros), chave


def test_horas_por_vertente_registradas_com_o_orcamento(historia, elenco):
    """Pricing writes each vertente's estimate as a row (HorasVertente), the real hours' service
    fills its real hours in the same transaction; budget accuracy sums these columns."""
    orcamento = historia["orcamento"]
    orcamento.refresh_from_db()
    linhas = {h.vertente: (h.estimadas, h.reais) for h in orcamento.horas_por_vertente.all()}
    estimado = orcamento.esforco["horas_dev_por_vertente"]
    assert linhas == {v: (pytest.approx(h), pytest.approx(2 * h)) for v, h in estimado.items()}
    # a budget without real hours: its estimates only
    sem_real = Orcamento.objects.exclude(pk=orcamento.pk).get(spec__spec_id="spec_001")
    assert {h.vertente for h in sem_real.horas_por_vertente.all()} == set(sem_real.esforco["horas_dev_por_vertente"])
    assert all(h.reais is None for h in sem_real.horas_por_vertente.all())
    # recorded again (one vertente only): the rows follow, the other vertente's real hours are gone
    um = sorted(estimado)[0]
    esforco_real_registrar(orcamento=orcamento, horas={um: 3 * estimado[um]})
    assert {h.vertente: h.reais for h in orcamento.horas_por_vertente.all() if h.reais is not None} == {
        um: pytest.approx(3 * estimado[um])
    }
    p = painel(NOVEMBRO)
    assert p.achar("fabrica.precisao_orcamento").valor == pytest.approx(3.0)
    assert p.achar("fabrica.mmre").valor == pytest.approx(2 / 3)


def test_precisao_conta_os_mesmos_orcamentos_que_os_fatos(historia):
    """The facts page behind budget accuracy lists the budgets the number sums, with its sums."""
    p = painel(NOVEMBRO)
    fatos = list(orcamentos_com_real(NOVEMBRO))
    assert [o.pk for o in fatos] == [historia["orcamento"].pk]
    assert p.achar("fabrica.precisao_orcamento").contagens == {"orcamentos": len(fatos)}
    assert fatos[0].m_real / fatos[0].m_est == pytest.approx(p.achar("fabrica.precisao_orcamento").valor)
    # the weekly trend: one week with the budget, the same ratio
    (ponto,) = p.tendencias["fabrica.precisao_orcamento"]
    assert ponto.valor == pytest.approx(2.0) and ponto.n == 1
    assert NOVEMBRO.de <= ponto.semana <= NOVEMBRO.ate


def test_execucoes_por_vertente_registradas_com_a_release(historia):
    """Development writes each vertente's numbers with the release (ExecucaoVertente), from the
    same facts the release shows; the worker metrics read them. One release: mean = p90 = its value."""
    release = historia["release"]
    execucoes = {e.vertente: e for e in release.execucoes.all()}
    assert set(execucoes) == set(release.recursos) == {"D", "E"}
    p = painel(NOVEMBRO)
    for v, e in execucoes.items():
        recursos = release.recursos[v]
        assert (e.spec_ref, e.criado_em) == (release.spec_ref, release.criado_em)
        assert (e.gerar_s, e.testar_s, e.corrigir_s, e.total_s) == tuple(
            recursos[k] for k in ("gerar_s", "testar_s", "corrigir_s", "total_s")
        )
        assert e.execucoes_sandbox == len(recursos["execucoes"]) >= 1
        assert e.sandbox_cpu_s == pytest.approx(sum(x["cpu_s"] for x in recursos["execucoes"]))
        # a round that changed nothing is no attempt (issue 17)
        assert e.tentativas_correcao == sum(1 for t in release.tentativas if t["vertente"] == v and t["alterou"])
        assert e.passou is all(t["status"] in ("passou", "pulou") for t in release.testes if t["vertente"] == v)
        total = p.achar("workers.tempo", vertente=v, etapa="total", estatistica="p90")
        assert total.valor == pytest.approx(recursos["total_s"]) and total.contagens == {"n": 1}
        primeira = p.achar("workers.passou_primeira", vertente=v)
        assert primeira.valor == (1.0 if e.passou and e.tentativas_correcao == 0 else 0.0)


def test_hotfix_da_release_rejeitada(historia, relogio):
    """The spec gets a new version and the rejection's corrigir_bug is built at +8h (the same
    test doubles): a hotfix release of
    the rejected one. Two releases now: rework 1 ÷ 2; the hotfix has no budget, so the budget →
    release lead time still counts one; each release has its vertentes' executions."""
    relogio.ir(hours=8)
    nova_versao("spec_002")  # the PO's fix goes through the spec: a new version is rebuilt
    hotfix = construir(Item.objects.get(tipo="corrigir_bug", spec_ref="spec_002"))
    assert hotfix.tipo == Release.Tipo.HOTFIX and hotfix.corrige == historia["release"]

    p = painel(NOVEMBRO)
    retrabalho = p.achar("fabrica.retrabalho")
    assert retrabalho.valor == pytest.approx(0.5)
    assert retrabalho.contagens == {"corrigir_bug": 1, "releases": 2}
    assert p.achar("fabrica.lead_time_orcamento_release", estatistica="media").contagens == {"n": 1}
    geral = [n for n in p.todos("workers.precisou_correcao") if not n.recorte][0]
    assert geral.contagens["releases"] == 2
    assert hotfix.execucoes.count() == len(hotfix.recursos) == 2
