"""Calibration (issue 4; docs/arquitetura.md, "Metrics"): real effort re-fits the pricing model's
coefficients, the
model version goes up, and MMRE / PRED(25) say how well the new coefficients fit the actuals."""

from __future__ import annotations

import math
import random

import pytest

from fabrica.erros import DadosInvalidos
from fabrica.models import ModeloPrecificacao
from fabrica.precificacao.calibracao import Amostra, ajustar
from fabrica.precificacao.modelo import COEFICIENTES_INICIAIS
from fabrica.precificacao.services import esforco_real_registrar
from tests.apoio import nova_versao, orcar

ATUAIS = dict(COEFICIENTES_INICIAIS["horas_por_unidade"])  # E 0.5, D 0.4, …


def historico(n: int = 12, fator_e: float = 2.0, fator_d: float = 0.5, ruido: float = 0.1) -> list[Amostra]:
    """Built specs whose real hours ran ``fator_e``× the estimate on E and ``fator_d``× on D."""
    rng = random.Random(4)
    amostras = []
    for _ in range(n):
        unidades = {"E": rng.randint(5, 40), "D": rng.randint(3, 25)}
        estimadas = {v: round(u * ATUAIS[v], 2) for v, u in unidades.items()}
        reais = {
            v: round(h * f * math.exp(rng.uniform(-ruido, ruido)), 2)
            for (v, h), f in zip(estimadas.items(), (fator_e, fator_d), strict=True)
        }
        amostras.append(Amostra(unidades=unidades, reais=reais, estimadas=estimadas))
    return amostras


def test_ajuste_move_os_coeficientes_na_direcao_certa():
    ajuste = ajustar(historico(), ATUAIS)
    novos = ajuste.horas_por_unidade
    assert novos["E"] > ATUAIS["E"] and novos["E"] == pytest.approx(2 * ATUAIS["E"], rel=0.1)
    assert novos["D"] < ATUAIS["D"] and novos["D"] == pytest.approx(0.5 * ATUAIS["D"], rel=0.1)
    # Vertentes without actuals keep their coefficient.
    assert {v: novos[v] for v in "PIC"} == {v: ATUAIS[v] for v in "PIC"}
    assert ajuste.amostras == 12


def test_ajuste_melhora_o_mmre_e_informa_o_pred25():
    ajuste = ajustar(historico(), ATUAIS)
    assert ajuste.mmre < ajuste.mmre_anterior
    assert ajuste.mmre < 0.1  # only the ±10 % noise is left
    assert 0 <= ajuste.pred25 <= 1
    assert ajuste.pred25 == 1.0  # every estimate now within 25 % of the actual


def test_mmre_e_pred25_seguem_as_definicoes():
    # One spec, E only: estimated 10 h (20 units × 0.5), real 20 h; the fit makes it exact.
    amostra = Amostra(unidades={"E": 20}, reais={"E": 20.0}, estimadas={"E": 10.0})
    ajuste = ajustar([amostra], ATUAIS)
    assert ajuste.horas_por_unidade["E"] == 1.0
    assert ajuste.mmre_anterior == 0.5  # |20 − 10| / 20
    assert (ajuste.mmre, ajuste.pred25) == (0.0, 1.0)


def test_pred25_conta_so_quem_ficou_dentro_de_25_por_cento():
    # Two specs with opposite errors on E: the geometric mean fits neither exactly.
    amostras = [
        Amostra(unidades={"E": 10}, reais={"E": 10.0}, estimadas={"E": 5.0}),
        Amostra(unidades={"E": 10}, reais={"E": 2.5}, estimadas={"E": 5.0}),
    ]
    ajuste = ajustar(amostras, ATUAIS)
    assert ajuste.horas_por_unidade["E"] == 0.5  # sqrt(1.0 × 0.25)
    assert ajuste.mmre == pytest.approx((0.5 + 1.0) / 2)
    assert ajuste.pred25 == 0.0


def test_um_projeto_que_estourou_pesa_pouco():
    amostras = historico(n=9, fator_e=1.0, fator_d=1.0, ruido=0.0)
    estourou = Amostra(unidades={"E": 10, "D": 10}, reais={"E": 50.0, "D": 4.0}, estimadas={"E": 5.0, "D": 4.0})
    ajuste = ajustar([*amostras, estourou], ATUAIS)
    # 10× on one project of ten moves the coefficient by 10^(1/10) ≈ 1.26, not by the arithmetic 1.9.
    assert ajuste.horas_por_unidade["E"] == pytest.approx(ATUAIS["E"] * 10**0.1, rel=0.02)


def test_sem_amostras_nada_muda():
    ajuste = ajustar([], ATUAIS)
    assert ajuste.horas_por_unidade == ATUAIS and ajuste.amostras == 0


# --- through the services: recording actuals makes a new model version ---------------------------


def test_esforco_real_gera_a_versao_2_e_o_proximo_orcamento_a_usa(specs_exemplo):
    antes = orcar("spec_002")
    orc = orcar("spec_001")
    assert antes.modelo.versao == orc.modelo.versao == 1
    estimadas = orc.esforco["horas_dev_por_vertente"]
    reais = {"E": estimadas["E"] * 2, "D": estimadas["D"] * 0.5}
    modelo = esforco_real_registrar(orcamento=orc, horas=reais)

    assert modelo.versao == 2 and ModeloPrecificacao.objects.count() == 2
    assert modelo.amostras == 1
    assert modelo.mmre_anterior == pytest.approx(
        abs(sum(reais.values()) - sum(estimadas.values())) / sum(reais.values()), abs=1e-3
    )
    assert (modelo.mmre, modelo.pred25) == (pytest.approx(0, abs=1e-3), 1.0)
    coef = modelo.coeficientes["horas_por_unidade"]
    assert coef["E"] == pytest.approx(2 * ATUAIS["E"], rel=0.01)
    assert coef["D"] == pytest.approx(0.5 * ATUAIS["D"], rel=0.01)
    assert coef["P"] == ATUAIS["P"]
    assert modelo.coeficientes["custo_hora"] == COEFICIENTES_INICIAIS["custo_hora"]  # only the fit changes
    orc.refresh_from_db()
    assert orc.horas_reais == reais
    assert orc.modelo.versao == 1  # a budget keeps the model it was priced with

    nova_versao("spec_002")  # the same version is priced once: a new one gets the new model
    depois = orcar("spec_002")
    assert depois.modelo.versao == 2
    assert {e["modelo"] for e in depois.explicacao.values()} == {"v2"}
    assert depois.explicacao["esforco.horas_dev.E"]["coeficientes"] == {"horas_por_unidade[E]": coef["E"]}
    horas_antes, horas_depois = antes.esforco["horas_dev_por_vertente"], depois.esforco["horas_dev_por_vertente"]
    assert horas_depois["E"] == pytest.approx(2 * horas_antes["E"], rel=0.02)
    assert horas_depois["D"] == pytest.approx(0.5 * horas_antes["D"], rel=0.02)


def test_cada_registro_recalibra_com_todo_o_historico(specs_exemplo):
    orc_1, orc_2 = orcar("spec_001"), orcar("spec_002")
    assert esforco_real_registrar(orcamento=orc_1, horas={"E": 30}).versao == 2
    v3 = esforco_real_registrar(orcamento=orc_2, horas={"E": 30})
    assert (v3.versao, v3.amostras) == (3, 2)
    assert v3.coeficientes["horas_por_unidade"]["D"] == ATUAIS["D"]  # no actual for D yet


def test_vertente_fora_do_orcamento_e_recusada(specs_exemplo):
    orc = orcar("spec_001")  # E and D
    with pytest.raises(DadosInvalidos, match="Vertentes fora deste orçamento: P"):
        esforco_real_registrar(orcamento=orc, horas={"E": 10, "P": 5})
    orc.refresh_from_db()
    assert orc.horas_reais is None
    assert ModeloPrecificacao.objects.count() == 1


@pytest.mark.parametrize("horas", [{}, {"E": -3}, {"E": 0}, {"E": "dez"}, {"E": float("nan")}, {"E": True}])
def test_horas_invalidas_sao_recusadas(specs_exemplo, horas):
    orc = orcar("spec_001")
    with pytest.raises(DadosInvalidos, match="[Hh]oras reais"):
        esforco_real_registrar(orcamento=orc, horas=horas)
    orc.refresh_from_db()
    assert orc.horas_reais is None
    assert ModeloPrecificacao.objects.count() == 1
