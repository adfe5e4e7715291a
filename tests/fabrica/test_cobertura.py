"""Tests of ``fabrica.precificacao.cobertura``: pure Python, no database, well under 20 s in all."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabrica.erros import DadosInvalidos
from fabrica.precificacao import cobertura
from fabrica.precificacao.cobertura import CoberturaInvalida, gerar_casos
from tests.fabrica.oraculo_cobertura import casos_proibidos, pares_cobriveis, pares_descobertos

# (notation, [(levels, how many parameters)], best known size, target size)
CONFIGURACOES_BENCH = [
    ("3^4", [(3, 4)], 9, 9),
    ("3^13", [(3, 13)], 15, 17),
    ("4^15", [(4, 15)], 26, 30),
    ("5^20", [(5, 20)], 40, 50),
    ("10^20", [(10, 20)], 155, 200),
    ("2^100", [(2, 100)], 10, 12),
    ("5^1 3^8 2^2", [(5, 1), (3, 8), (2, 2)], 15, 16),
    ("4^15 3^17 2^29", [(4, 15), (3, 17), (2, 29)], 28, 33),
    ("4^1 3^39 2^35", [(4, 1), (3, 39), (2, 35)], 20, 24),
]


def _parametros(especificacao) -> dict[str, list]:
    parametros, i = {}, 0
    for niveis, quantos in especificacao:
        for _ in range(quantos):
            parametros[f"p{i}"] = list(range(niveis))
            i += 1
    return parametros


def _como_lista(valores):
    return valores if isinstance(valores, list) else [valores]


def _proibido(caso: dict, restricoes) -> bool:
    # Plain equality is safe here: the generated domains never mix booleans and numbers.
    return any(all(caso[p] in _como_lista(vs) for p, vs in r.items()) for r in restricoes)


def _pares(caso: dict, nomes) -> set:
    return {((a, caso[a]), (b, caso[b])) for a, b in itertools.combinations(nomes, 2)}


@st.composite
def _modelos(draw):
    niveis = draw(st.lists(st.integers(1, 6), min_size=2, max_size=8))
    # Mix value types across parameters (numbers, text, None) without mixing bools and numbers.
    parametros = {}
    for i, v in enumerate(niveis):
        if i % 3 == 0:
            parametros[f"p{i}"] = list(range(v))
        elif i % 3 == 1:
            parametros[f"p{i}"] = [f"v{j}" for j in range(v)]
        else:
            parametros[f"p{i}"] = [None] + [j + 0.5 for j in range(v - 1)]
    # Restrictions name only the first five parameters so that the oracle stays brute-force.
    candidatos = list(parametros)[:5]
    restricoes = []
    for _ in range(draw(st.integers(0, 4))):
        nomes = draw(st.lists(st.sampled_from(candidatos), min_size=1, max_size=3, unique=True))
        restricao = {}
        for nome in nomes:
            dominio = parametros[nome]
            if draw(st.booleans()):
                restricao[nome] = draw(st.sampled_from(dominio))
            else:
                restricao[nome] = draw(st.lists(st.sampled_from(dominio), min_size=1, max_size=3, unique=True))
        restricoes.append(restricao)
    return parametros, restricoes, draw(st.integers(0, 3))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_modelos())
def test_pairwise_respeita_restricoes_e_cobre_todo_par_cobrivel(modelo):
    parametros, restricoes, semente = modelo
    cobriveis = pares_cobriveis(parametros, restricoes)
    if cobriveis is None:
        with pytest.raises(CoberturaInvalida) as erro:
            gerar_casos(parametros, restricoes=restricoes, semente=semente)
        assert erro.value.campo == "schema_tdd.restricoes"
        return
    casos = gerar_casos(parametros, restricoes=restricoes, semente=semente)
    assert all(list(caso) == list(parametros) for caso in casos)
    assert casos_proibidos(parametros, casos, restricoes) == []
    assert pares_descobertos(parametros, casos, restricoes) == set()


def test_restricao_do_exemplo_exclui_so_a_combinacao():
    parametros = {"idioma": ["pt", "es", "en"], "duracao": ["curta", "longa"], "formato": ["pdf", "html"]}
    restricoes = [{"idioma": "es", "duracao": "longa"}]
    casos = gerar_casos(parametros, restricoes=restricoes)
    assert not any(c["idioma"] == "es" and c["duracao"] == "longa" for c in casos)
    pares = set().union(*(_pares(c, list(parametros)) for c in casos))
    # es still meets both formats, and longa meets pt and en.
    assert {(("idioma", "es"), ("formato", "pdf")), (("idioma", "es"), ("formato", "html"))} <= pares
    assert {(("idioma", "pt"), ("duracao", "longa")), (("idioma", "en"), ("duracao", "longa"))} <= pares
    assert pares_descobertos(parametros, casos, restricoes) == set()


def test_pares_descobertos_aponta_o_que_falta():
    parametros = {"a": [1, 2], "b": ["x", "y"]}
    casos = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    assert pares_descobertos(parametros, casos) == {(("a", 1), ("b", "y")), (("a", 2), ("b", "x"))}
    # A forbidden pair is not expected to be covered.
    assert pares_descobertos(parametros, casos, [{"a": 1, "b": "y"}]) == {(("a", 2), ("b", "x"))}


def test_casos_proibidos_aponta_cada_caso_invalido():
    parametros = {"a": [1, 2], "b": ["x", "y"], "flag": [True]}
    restricoes = [{"a": [1, 2], "b": "y"}]
    casos = [
        {"a": 1, "b": "x", "flag": True},  # valid
        {"a": 2, "b": "y", "flag": True},  # matches the exclusion
        {"a": 1, "flag": True},  # b missing
        {"a": 3, "b": "x", "flag": True},  # 3 outside a's domain
        {"a": 1.0, "b": "x", "flag": 1},  # 1.0 is 1, but 1 is not true
        {"a": 1, "b": "x", "flag": True, "c": 0},  # c is no parameter
    ]
    assert casos_proibidos(parametros, casos, restricoes) == [1, 2, 3, 4, 5]


def test_par_impossivel_so_pela_linha_inteira_nao_e_cobrivel():
    # a=0 forbids every c, so a=0 is in no valid case even though no exclusion names (a, b).
    parametros = {"a": [0, 1], "b": [0, 1], "c": [0]}
    cobriveis = pares_cobriveis(parametros, [{"a": 0, "c": 0}])
    assert cobriveis == {
        (("a", 1), ("b", 0)),
        (("a", 1), ("b", 1)),
        (("a", 1), ("c", 0)),
        (("b", 0), ("c", 0)),
        (("b", 1), ("c", 0)),
    }
    assert pares_cobriveis(parametros, [{"c": 0}]) is None


def test_oraculo_ve_a_linha_que_falta_num_arranjo_otimo():
    # 3^4 in 9 rows is optimal: every row holds pairs no other row holds.
    parametros = _parametros([(3, 4)])
    casos = gerar_casos(parametros)
    assert len(casos) == 9
    for i in range(len(casos)):
        assert len(pares_descobertos(parametros, casos[:i] + casos[i + 1 :])) == 6


def test_pares_de_booleano_e_numero_sao_pares_distintos():
    parametros = {"flag": [True, 1], "g": ["a"]}
    assert pares_descobertos(parametros, [{"flag": True, "g": "a"}]) == {(("flag", 1), ("g", "a"))}


def test_exaustiva_e_o_produto_cartesiano():
    parametros = {"idioma": ["pt", "es", "en"], "duracao": ["curta", "longa"], "formato": [1, 2.5, None, "x"]}
    casos = gerar_casos(parametros, "exaustiva")
    esperado = [dict(zip(parametros, c, strict=True)) for c in itertools.product(*parametros.values())]
    assert casos == esperado


def test_exaustiva_exclui_as_combinacoes_proibidas():
    parametros = {"idioma": ["pt", "es", "en"], "duracao": ["curta", "longa"], "formato": ["pdf", "html"]}
    restricoes = [{"idioma": "es", "duracao": "longa"}, {"formato": ["html"], "idioma": ["pt", "en"]}]
    casos = gerar_casos(parametros, "exaustiva", restricoes)
    todos = [dict(zip(parametros, c, strict=True)) for c in itertools.product(*parametros.values())]
    assert casos == [c for c in todos if not _proibido(c, restricoes)]
    assert len(casos) == 12 - 2 - 4 + 0


def test_exaustiva_acima_do_limite_recusa_antes_de_construir(monkeypatch):
    parametros = {f"p{i}": list(range(10)) for i in range(10)}

    class SemProduto:
        """The module's ``itertools`` with ``product`` failing: enumerating is the bug."""

        def __getattr__(self, nome):
            return getattr(itertools, nome)

        @staticmethod
        def product(*args, **kwargs):
            raise AssertionError("o produto não deveria ser enumerado")

    monkeypatch.setattr(cobertura, "itertools", SemProduto())
    with pytest.raises(CoberturaInvalida) as erro:
        gerar_casos(parametros, "exaustiva")
    assert erro.value.campo == "schema_tdd.cobertura"
    assert "10000000000" in str(erro.value)
    assert str(erro.value).startswith("schema_tdd.cobertura: ")


def test_exaustiva_respeita_o_limite_informado():
    parametros = {"a": [1, 2, 3], "b": [1, 2, 3]}
    assert len(gerar_casos(parametros, "exaustiva", limite_exaustiva=9)) == 9
    with pytest.raises(CoberturaInvalida):
        gerar_casos(parametros, "exaustiva", limite_exaustiva=8)


def test_cada_valor_cobre_cada_valor_com_o_maior_dominio_de_linhas():
    parametros = {"a": [1, 2, 3, 4, 5], "b": ["x", "y"], "c": [None], "d": [True, False, 0]}
    casos = gerar_casos(parametros, "cada_valor")
    assert len(casos) == 5
    for nome, dominio in parametros.items():
        vistos = [caso[nome] for caso in casos]
        assert all(any(v is valor or (type(v) is type(valor) and v == valor) for v in vistos) for valor in dominio)


def test_cada_valor_com_restricoes_pula_valores_impossiveis():
    parametros = {"a": [1, 2, 3], "b": ["x", "y"]}
    restricoes = [{"a": 3}, {"a": [1, 2], "b": "y"}]
    casos = gerar_casos(parametros, "cada_valor", restricoes)
    assert not any(_proibido(c, restricoes) for c in casos)
    assert {c["a"] for c in casos} == {1, 2} and {c["b"] for c in casos} == {"x"}


@pytest.mark.parametrize(
    ("parametros", "restricoes", "cobertura_pedida", "campo"),
    [
        ({"idioma": []}, None, "pairwise", "schema_tdd.parametros.idioma"),
        ({"idioma": ["pt", "es", "pt"]}, None, "pairwise", "schema_tdd.parametros.idioma"),
        ({"n": [1, 1.0]}, None, "pairwise", "schema_tdd.parametros.n"),
        ({"n": "abc"}, None, "pairwise", "schema_tdd.parametros.n"),
        ({"n": [[1], [2]]}, None, "pairwise", "schema_tdd.parametros.n"),
        ({"idioma": ["pt"]}, [{"tamanho": "G"}], "pairwise", "schema_tdd.restricoes[0].tamanho"),
        ({"idioma": ["pt"], "b": [1]}, [{"b": 1}, {"idioma": "fr"}], "pairwise", "schema_tdd.restricoes[1].idioma"),
        ({"idioma": ["pt"], "b": [1]}, [{"idioma": ["pt", "fr"]}], "cada_valor", "schema_tdd.restricoes[0].idioma"),
        ({"idioma": ["pt"]}, [{}], "pairwise", "schema_tdd.restricoes[0]"),
        ({"idioma": ["pt", "es"]}, [{"idioma": ["pt", "es"]}], "pairwise", "schema_tdd.restricoes"),
        ({"idioma": ["pt"]}, None, "triplewise", "schema_tdd.cobertura"),
    ],
)
def test_erros_nomeiam_o_campo(parametros, restricoes, cobertura_pedida, campo):
    with pytest.raises(CoberturaInvalida) as erro:
        gerar_casos(parametros, cobertura_pedida, restricoes)
    assert erro.value.campo == campo
    assert str(erro.value).startswith(f"{campo}: ")
    assert isinstance(erro.value, DadosInvalidos) and erro.value.campos == {campo: [erro.value.motivo]}


def test_dominio_vazio_tem_mensagem_clara():
    with pytest.raises(CoberturaInvalida, match=r"^schema_tdd\.parametros\.idioma: domínio vazio$"):
        gerar_casos({"idioma": [], "b": [1]})


def test_sem_parametros_nao_ha_casos():
    for modo in ("pairwise", "exaustiva", "cada_valor"):
        assert gerar_casos({}, modo) == []


def test_um_parametro_da_um_caso_por_valor():
    assert gerar_casos({"a": ["x", "y", "z"]}) == [{"a": "x"}, {"a": "y"}, {"a": "z"}]


def test_valores_sao_os_objetos_originais_e_bool_difere_de_numero():
    parametros = {"flag": [True, 1, False, 0], "nulo": [None, "None"], "real": [0.5, 2]}
    casos = gerar_casos(parametros)
    assert pares_descobertos(parametros, casos) == set()
    tipos = {(type(c["flag"]), c["flag"]) for c in casos}
    assert tipos == {(bool, True), (int, 1), (bool, False), (int, 0)}


def test_deterministico_para_a_mesma_semente():
    parametros = _parametros([(4, 3), (3, 6), (2, 5)])
    restricoes = [{"p0": 1, "p5": [0, 2]}, {"p10": 1, "p3": 2}]
    for semente in (0, 7):
        primeira = gerar_casos(parametros, restricoes=restricoes, semente=semente)
        assert gerar_casos(parametros, restricoes=restricoes, semente=semente) == primeira
    assert gerar_casos(parametros, semente=3) == gerar_casos(parametros, semente=3)


@pytest.mark.parametrize(
    ("especificacao", "melhor_conhecido", "alvo"),
    [pytest.param(esp, melhor, alvo, id=nome) for nome, esp, melhor, alvo in CONFIGURACOES_BENCH],
)
def test_configuracoes_do_bench_ficam_dentro_do_alvo(especificacao, melhor_conhecido, alvo):
    parametros = _parametros(especificacao)
    casos = gerar_casos(parametros)
    assert pares_descobertos(parametros, casos) == set()
    assert len(casos) <= alvo
    # A covering array below the best size known in the literature would mean a broken check.
    assert len(casos) >= min(melhor_conhecido, math.prod(sorted(v for v, _ in especificacao)[-2:]))
