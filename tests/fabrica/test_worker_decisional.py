"""WORKER_D: spec_dmn → DMN 1.3 (XSD-valid, S-FEEL cells, DRD with diagram) and generated tests
that evaluate it on SpiffWorkflow through the bridge, against PROMETHEUS's own evaluation; the
D format's refusals (overlapping UNIQUE rules, aggregation, priorities, requirements)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import SpiffWorkflow
import yaml
from lxml import etree

from fabrica.desenvolvimento.base import CasoDeTeste
from fabrica.desenvolvimento.workers.decisional import Modelo, avaliar, avaliar_decisao
from fabrica.specs import condicoes
from fabrica.specs.formato import validar_spec
from tests.fabrica.apoio_workers import escrever, feelin, produzir, rodar_pytest, spec_de_uma_vertente, spec_exemplo

NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


def _spec(decisoes: str, casos: str = "[]") -> dict:
    return spec_de_uma_vertente(
        id_="spec_d",
        titulo="Decisões de teste",
        vertente="D",
        secao="spec_dmn",
        lista="decisoes",
        itens=decisoes,
        casos=casos,
    )


# One table per hit policy over the same input (pontos, an int): rules overlap on purpose.
POLITICAS = """
    - id: primeira
      nome: Primeira
      politica: FIRST
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: faixa, tipo: str}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {faixa: alta}}
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {faixa: media}}
        - {quando: {pontos: "-"}, entao: {faixa: baixa}}
    - id: prioridade
      nome: Prioridade
      politica: PRIORITY
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: selo, tipo: str, valores: [ouro, prata, bronze]}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 0}}, entao: {selo: bronze}}
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {selo: ouro}}
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {selo: prata}}
    - id: qualquer
      nome: Qualquer
      politica: ANY
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: aprovado, tipo: bool}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {aprovado: true}}
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {aprovado: true}}
        - {quando: {pontos: {operador: "<", valor: 10}}, entao: {aprovado: false}}
    - id: soma
      nome: Soma
      politica: COLLECT
      agregacao: SUM
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: bonus, tipo: decimal}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {bonus: 1.5}}
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {bonus: 10}}
        - {quando: {pontos: {operador: entre, valor: [20, 60]}}, entao: {bonus: 2}}
    - id: minimo
      nome: Mínimo
      politica: COLLECT
      agregacao: MIN
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: taxa, tipo: float}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {taxa: 0.3}}
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {taxa: 0.1}}
    - id: maximo
      nome: Máximo
      politica: COLLECT
      agregacao: MAX
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: teto, tipo: int}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {teto: 3}}
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {teto: 7}}
    - id: contagem
      nome: Contagem
      politica: COLLECT
      agregacao: COUNT
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: regras_casadas, tipo: int}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {regras_casadas: 1}}
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {regras_casadas: 1}}
    - id: colecao
      nome: Coleção
      politica: COLLECT
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: acao, tipo: str}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {acao: premiar}}
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {acao: avisar}}
    - id: ordem_das_regras
      nome: Ordem das regras
      politica: RULE ORDER
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: passo, tipo: str}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {passo: registrar}}
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {passo: celebrar}}
    - id: ordem_das_saidas
      nome: Ordem das saídas
      politica: OUTPUT ORDER
      entradas: [{nome: pontos, tipo: int}]
      saidas: [{nome: nivel, tipo: str, valores: [critico, alerta, info]}]
      regras:
        - {quando: {pontos: {operador: ">=", valor: 0}}, entao: {nivel: info}}
        - {quando: {pontos: {operador: ">=", valor: 50}}, entao: {nivel: critico}}
        - {quando: {pontos: {operador: ">=", valor: 10}}, entao: {nivel: alerta}}
"""

CASOS_POLITICAS = """
    - {nome: sessenta, dado: {pontos: 60}, espera: {faixa: alta, selo: ouro, bonus: 11.5, taxa: 0.1, teto: 7, regras_casadas: 2}}
    - {nome: trinta, dado: {pontos: 30}, espera: {faixa: media, selo: prata, bonus: 3.5, acao: [avisar]}}
    - {nome: cinco, dado: {pontos: 5}, espera: {faixa: baixa, selo: bronze, aprovado: false, regras_casadas: 0}}
"""


def test_amostras_constroem_e_os_testes_gerados_passam(tmp_path):
    for spec_id, regras in (("spec_001", 4), ("spec_002", 9)):
        spec = spec_exemplo(spec_id)
        producao = produzir(spec, "D")
        assert sorted(a.caminho for a in producao.codigo) == [
            f"{spec_id}/decisional/__init__.py",
            f"{spec_id}/decisional/feel.py",
            f"{spec_id}/decisional/motor.py",
            f"{spec_id}/decisional/{spec_id}.dmn",
        ]
        # covering-array rows carry classes (duracao: curta), not the decision inputs, and the
        # E vertente's cases expect what no decision produces: reported, not hidden
        nao = {n.caso: n.motivo for n in producao.nao_testaveis}
        linhas = {c: m for c, m in nao.items() if c.startswith("combinacao_")}
        assert linhas and all("não dá valor às entradas" in m for m in linhas.values())
        outros = {c: m for c, m in nao.items() if not c.startswith("combinacao_")}
        assert all("nenhuma decisão produz" in m or "não dá valor" in m for m in outros.values()), outros
        assert not {"caso_01", "caso_02", "caso_03"} & set(nao)
        resultado = rodar_pytest(escrever(producao, tmp_path / spec_id, spec_id))
        assert resultado.codigo == 0, resultado.saida
        assert set(resultado.testes.values()) == {"passed"}
        assert len([t for t in resultado.testes if "test_regra[" in t and "regra_" in t]) == regras
        assert sorted(t.split("[")[1][:-1] for t in resultado.testes if "test_caso[" in t) == [
            "caso_01",
            "caso_02",
            "caso_03",
        ]


def test_dmn_valido_no_xsd_com_drd():
    spec = spec_exemplo("spec_002")
    (dmn,) = [a for a in produzir(spec, "D").codigo if a.caminho.endswith(".dmn")]
    xsd = Path(SpiffWorkflow.__file__).parent / "dmn/parser/schema/DMN13.xsd"
    esquema = etree.XMLSchema(etree.parse(str(xsd)))
    doc = etree.fromstring(dmn.conteudo.encode())
    assert esquema.validate(doc), esquema.error_log
    # parcelas_maximas requires classificar_risco (its input risco is that decision's output)
    assert doc.xpath("//dmn:decision[@id='parcelas_maximas']//dmn:requiredDecision/@href", namespaces=NS) == [
        "#classificar_risco"
    ]
    assert sorted(doc.xpath("//dmn:inputData/@name", namespaces=NS)) == ["idade", "renda_mensal", "restricao_cadastral"]
    celulas = doc.xpath(
        "//dmn:decision[@id='classificar_risco']//dmn:rule[3]/dmn:inputEntry/dmn:text/text()", namespaces=NS
    )
    assert celulas == ["[18..70]", "< 2000", "false"]
    assert doc.xpath(
        "//dmn:decision[@id='parcelas_maximas']//dmn:rule[1]/dmn:inputEntry/dmn:text/text()", namespaces=NS
    ) == ['"recusado", "alto"']


def test_politicas_de_acerto_com_a_semantica_do_dmn(tmp_path):
    spec = _spec(POLITICAS, CASOS_POLITICAS)
    modelo = Modelo.da_spec(spec["spec_dmn"])
    # expectations written by hand from DMN 1.3 §8.2.11, not computed by the code under test
    assert avaliar(modelo, {"pontos": 60}) == {
        "primeira": {"faixa": "alta"},
        "prioridade": {"selo": "ouro"},
        "qualquer": {"aprovado": True},
        "soma": {"bonus": 13.5},
        "minimo": {"taxa": 0.1},
        "maximo": {"teto": 7},
        "contagem": {"regras_casadas": 2},
        "colecao": [{"acao": "premiar"}, {"acao": "avisar"}],
        "ordem_das_regras": [{"passo": "registrar"}, {"passo": "celebrar"}],
        "ordem_das_saidas": [{"nivel": "critico"}, {"nivel": "alerta"}, {"nivel": "info"}],
    }
    assert avaliar(modelo, {"pontos": 5}) == {
        "primeira": {"faixa": "baixa"},
        "prioridade": {"selo": "bronze"},
        "qualquer": {"aprovado": False},
        "soma": {"bonus": None},
        "minimo": {"taxa": None},
        "maximo": {"teto": None},
        "contagem": {"regras_casadas": 0},
        "colecao": [],
        "ordem_das_regras": [],
        "ordem_das_saidas": [{"nivel": "info"}],
    }
    producao = produzir(spec, "D", [CasoDeTeste(**c) for c in _casos(spec)])
    # the first explicit case expects bonus 11.5, but the rules give 13.5 (10 + 1.5 + 2): the
    # generated test says so and fails, honestly; the other two agree with the rules
    resultado = rodar_pytest(escrever(producao, tmp_path, "spec_d"))
    assert resultado.testes["test_decisional_casos::test_caso[caso_01]"] == "failed"
    assert "bonus" in resultado.saida
    outros = {t: e for t, e in resultado.testes.items() if t != "test_decisional_casos::test_caso[caso_01]"}
    assert set(outros.values()) == {"passed"}, resultado.saida
    # every rule of every table, plus the inputs no rule covers where they exist
    assert "test_decisional_regras::test_regra[prioridade-regra_02]" in outros
    assert "test_decisional_regras::test_regra[soma-nenhuma_regra]" in outros


def _casos(spec: dict) -> list[dict]:
    return [
        {"nome": f"caso_{i:02d}", "origem": "caso", "titulo": c["nome"], "dado": c["dado"], "espera": c["espera"]}
        for i, c in enumerate(spec["schema_tdd"]["casos"], 1)
    ]


def test_sem_a_ponte_o_spiff_erraria_a_politica(tmp_path):
    """The bridge is what gives PRIORITY its meaning: Spiff alone picks the first rule that matches."""
    spec = _spec(POLITICAS)
    pasta = escrever(produzir(spec, "D", []), tmp_path, "spec_d")
    script = (
        "from spec_d.decisional import motor\n"
        "from spec_d.decisional.motor import _Tarefa, _tabelas\n"
        "t = _tabelas()['prioridade']\n"
        "t.motor.decision_table.hit_policy = 'PRIORITY'\n"
        "print(dict(t.motor.result(_Tarefa('prioridade', {'pontos': 60}))), motor.avaliar_tabela('prioridade', {'pontos': 60}))\n"
    )
    saida = subprocess.run([sys.executable, "-c", script], cwd=pasta, capture_output=True, text=True, check=True).stdout
    assert saida.split() == ["{'selo':", "'bronze'}", "{'selo':", "'ouro'}"]


def test_testes_gerados_falham_quando_o_dmn_diverge_da_spec(tmp_path):
    producao = produzir(spec_exemplo("spec_002"), "D")
    pasta = escrever(producao, tmp_path, "spec_002")
    arquivo = pasta / "spec_002/decisional/spec_002.dmn"
    texto = arquivo.read_text()
    assert "<text>&lt; 18</text>" in texto
    arquivo.write_text(texto.replace("<text>&lt; 18</text>", "<text>&lt; 16</text>", 1))
    resultado = rodar_pytest(pasta)
    assert resultado.codigo != 0
    falhas = {t for t, e in resultado.testes.items() if e == "failed"}
    assert "test_decisional_casos::test_caso[caso_01]" in falhas  # idade 16 is no longer refused


def test_celulas_s_feel_no_feelin_concordam_com_a_avaliacao_do_prometheus():
    """Every generated inputEntry, evaluated by a real FEEL engine (feelin) on every representative
    value of its column, gives what PROMETHEUS's reading of the spec's condition gives."""
    spec = _spec(
        """
    - id: tipos
      nome: Tipos
      politica: FIRST
      entradas:
        - {nome: n, tipo: decimal}
        - {nome: i, tipo: int}
        - {nome: s, tipo: str}
        - {nome: b, tipo: bool}
        - {nome: d, tipo: date}
      saidas: [{nome: r, tipo: str}]
      regras:
        - {quando: {n: {operador: entre, valor: [0.5, 2]}, i: {operador: "!=", valor: 3}}, entao: {r: a}}
        - {quando: {n: {operador: ">", valor: -1.25}, s: {operador: in, valor: [um, "com \\"aspas\\""]}}, entao: {r: b}}
        - {quando: {s: {operador: "!=", valor: x}, b: {operador: "==", valor: true}}, entao: {r: c}}
        - {quando: {d: {operador: "<", valor: "2024-03-01"}, i: {operador: in, valor: [1, 2]}}, entao: {r: d}}
        - {quando: {d: {operador: entre, valor: ["2024-01-01", "2024-12-31"]}, i: {operador: ">=", valor: 10}}, entao: {r: e}}
        - {quando: {s: {operador: "==", valor: "barra\\\\"}, n: {operador: "<=", valor: 0}}, entao: {r: f}}
"""
    )
    decisao = spec["spec_dmn"]["decisoes"][0]
    (dmn,) = [a for a in produzir(spec, "D", []).codigo if a.caminho.endswith(".dmn")]
    doc = etree.fromstring(dmn.conteudo.encode())
    regras_xml = doc.xpath("//dmn:rule", namespaces=NS)
    itens, esperados = [], []
    for coluna_i, coluna in enumerate(decisao["entradas"]):
        celulas = [r["quando"].get(coluna["nome"], "-") for r in decisao["regras"]]
        for regra_i, celula in enumerate(celulas):
            if celula == "-":
                continue
            texto = regras_xml[regra_i].xpath("dmn:inputEntry/dmn:text/text()", namespaces=NS)[coluna_i]
            for valor in condicoes.candidatos(celulas, coluna["tipo"]):
                amostra = {"$data": valor} if coluna["tipo"] == "date" else valor
                itens.append({"tipo": "unario", "texto": texto, "contexto": {"?": amostra}})
                esperados.append(condicoes.casa(celula, valor))
    assert len(itens) > 50
    assert feelin(itens) == esperados


def _erros(decisoes: list[dict]) -> dict[str, str]:
    spec = yaml.safe_load(
        """
id: spec_d
titulo: T
vertentes: [D]
runtime: {apis_externas: [], gpu: false, containers_necessarios: []}
schema_tdd: {parametros: {x: [1]}}
"""
    )
    spec["spec_dmn"] = {"decisoes": decisoes}
    return {e.campo: e.mensagem for e in validar_spec(spec)}


def _decisao(id_="d", politica="UNIQUE", regras=None, **extra) -> dict:
    return {
        "id": id_,
        "nome": id_,
        "politica": politica,
        "entradas": [{"nome": "idade", "tipo": "int"}, {"nome": "uf", "tipo": "str"}],
        "saidas": [{"nome": "r", "tipo": "str"}],
        "regras": regras
        or [
            {"quando": {"idade": {"operador": "<", "valor": 18}}, "entao": {"r": "menor"}},
            {"quando": {"idade": {"operador": "entre", "valor": [18, 65]}, "uf": "-"}, "entao": {"r": "adulto"}},
            {
                "quando": {"idade": {"operador": ">=", "valor": 65}, "uf": {"operador": "in", "valor": ["SP", "RJ"]}},
                "entao": {"r": "idoso"},
            },
        ],
        **extra,
    }


def test_unique_com_regras_sobrepostas_e_recusada_nomeando_as_duas():
    erros = _erros([_decisao()])
    assert list(erros) == ["spec_dmn.decisoes[0].regras[2]"]
    mensagem = erros["spec_dmn.decisoes[0].regras[2]"]
    assert "a regra 3 se sobrepõe à regra 2 (regras[1])" in mensagem
    assert "idade=65" in mensagem and "uf='RJ'" in mensagem
    # FIRST allows it; making the ranges disjoint satisfies UNIQUE
    assert _erros([_decisao(politica="FIRST")]) == {}
    regras = _decisao()["regras"]
    regras[2]["quando"]["idade"] = {"operador": ">", "valor": 65}
    assert _erros([_decisao(regras=regras)]) == {}


def test_unique_sem_sobreposicao_por_inteiros_e_por_textos():
    regras = [
        {"quando": {"idade": {"operador": "<", "valor": 18}}, "entao": {"r": "a"}},
        {
            "quando": {"idade": {"operador": ">", "valor": 17}, "uf": {"operador": "!=", "valor": "SP"}},
            "entao": {"r": "b"},
        },
        {
            "quando": {"idade": {"operador": ">", "valor": 17}, "uf": {"operador": "==", "valor": "SP"}},
            "entao": {"r": "c"},
        },
    ]
    assert _erros([_decisao(regras=regras)]) == {}


def test_any_so_recusa_sobreposicao_com_saidas_diferentes():
    regras = [
        {"quando": {"idade": {"operador": ">=", "valor": 18}}, "entao": {"r": "sim"}},
        {"quando": {"idade": {"operador": ">=", "valor": 21}}, "entao": {"r": "sim"}},
    ]
    assert _erros([_decisao(politica="ANY", regras=regras)]) == {}
    regras[1]["entao"] = {"r": "nao"}
    erros = _erros([_decisao(politica="ANY", regras=regras)])
    assert "a regra 2 se sobrepõe à regra 1" in erros["spec_dmn.decisoes[0].regras[1]"]


def test_agregacao_prioridade_e_valores():
    decisao = _decisao(politica="COLLECT", agregacao="SUM")
    assert "SUM exige saída numérica" in _erros([decisao])["spec_dmn.decisoes[0].agregacao"]
    decisao["saidas"].append({"nome": "s", "tipo": "int"})
    for regra in decisao["regras"]:
        regra["entao"]["s"] = 1
    assert "exige uma única saída" in _erros([decisao])["spec_dmn.decisoes[0].agregacao"]
    assert (
        "campo obrigatório ausente: valores"
        in _erros([_decisao(politica="PRIORITY")])["spec_dmn.decisoes[0].saidas[0].valores"]
    )
    decisao = _decisao(politica="PRIORITY")
    decisao["saidas"][0]["valores"] = ["idoso", "adulto"]
    assert "fora de saidas[0].valores" in _erros([decisao])["spec_dmn.decisoes[0].regras[0].entao.r"]


def test_requisitos_entre_decisoes():
    fonte = _decisao(id_="fonte", politica="COLLECT")
    usa = {
        "id": "usa",
        "nome": "usa",
        "politica": "FIRST",
        "entradas": [{"nome": "r", "tipo": "str"}],
        "saidas": [{"nome": "q", "tipo": "int"}],
        "regras": [{"quando": {"r": "-"}, "entao": {"q": 1}}],
    }
    erros = _erros([fonte, usa])
    assert "o resultado é uma lista" in erros["spec_dmn.decisoes[1].entradas[0].nome"]
    usa["entradas"][0]["tipo"] = "int"
    usa["regras"][0]["quando"] = {"r": "-"}
    assert (
        "vem da saída r de fonte, que é str"
        in _erros([_decisao(id_="fonte", politica="FIRST"), usa])["spec_dmn.decisoes[1].entradas[0].tipo"]
    )
    dupla = _decisao(id_="outra", politica="FIRST")
    assert (
        "já é produzida pela decisão fonte"
        in _erros([_decisao(id_="fonte", politica="FIRST"), dupla])["spec_dmn.decisoes[1].saidas[0].nome"]
    )
    a = {
        **usa,
        "id": "a",
        "entradas": [{"nome": "q2", "tipo": "int"}],
        "regras": [{"quando": {"q2": "-"}, "entao": {"q": 1}}],
    }
    b = {
        **usa,
        "id": "b",
        "entradas": [{"nome": "q", "tipo": "int"}],
        "saidas": [{"nome": "q2", "tipo": "int"}],
        "regras": [{"quando": {"q": "-"}, "entao": {"q2": 1}}],
    }
    assert "em ciclo" in _erros([a, b])["spec_dmn.decisoes[0].entradas"]


def test_casos_que_as_regras_nao_cobrem_nao_sao_testaveis():
    spec = spec_exemplo("spec_002")
    casos = [
        CasoDeTeste("caso_01", "caso", "", {"idade": "adulto", "renda_mensal": 10, "restricao_cadastral": False}),
        CasoDeTeste(
            "caso_02", "caso", "", {"idade": 30, "renda_mensal": 10, "restricao_cadastral": False}, {"score": 1}
        ),
        CasoDeTeste("caso_03", "caso", "", {"idade": 30, "renda_mensal": 10, "restricao_cadastral": False}),
    ]
    nao = {n.caso: n.motivo for n in produzir(spec, "D", casos).nao_testaveis if n.caso.startswith("caso_")}
    assert "não é do tipo int" in nao["caso_01"]
    assert "score" in nao["caso_02"]
    assert "caso_03" not in nao


def test_avaliar_decisao_unique_recusa_duas_regras():
    decisao = _decisao(politica="UNIQUE")
    with pytest.raises(Exception, match="UNIQUE"):
        avaliar_decisao(decisao, {"idade": 65, "uf": "SP"})
