"""WORKER_P: spec_bpmn → BPMN 2.0 (XSD-valid, laid out, bpmnlint-clean) and generated tests that
run it on SpiffWorkflow through every path, against PROMETHEUS's own walk of the spec's flow."""

from __future__ import annotations

from collections import Counter

import pytest
from lxml import etree

from fabrica.desenvolvimento.base import CasoDeTeste, vertentes_registradas
from fabrica.desenvolvimento.workers.processual import NaoExecutavel, Processo, caminhos
from fabrica.specs import condicoes
from fabrica.specs.formato import carregar_spec
from tests.fabrica.apoio_workers import bpmnlint, escrever, feelin, produzir, rodar_pytest, spec_exemplo

XSD_BPMN = "SpiffWorkflow/bpmn/parser/schema/BPMN20.xsd"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}


def _xsd():
    from pathlib import Path

    import SpiffWorkflow

    return etree.XMLSchema(etree.parse(str(Path(SpiffWorkflow.__file__).parent / "bpmn/parser/schema/BPMN20.xsd")))


def _spec(processo: str, casos: str = "[]", id_: str = "spec_p") -> dict:
    return carregar_spec(
        f"""
id: {id_}
titulo: Processo de teste
vertentes: [P]
runtime: {{apis_externas: [], gpu: false, containers_necessarios: []}}
schema_tdd:
  parametros: {{x: [1]}}
  casos: {casos}
spec_bpmn:
  processos:
{processo}
"""
    )


# Implicit join into a task, a gateway that joins and forks, a task with two outgoing flows
# (implicit parallel split), a pass-through gateway and a loop-free diamond.
IMPLICITOS = """
    - id: implicito
      nome: Implícito
      inicio: comeco
      fim: termino
      tarefas:
        - {id: a, nome: A, tipo: usuario, responsavel: equipe}
        - {id: b, nome: B, tipo: servico}
        - {id: c, nome: C, tipo: script}
        - {id: d, nome: D, tipo: servico}
        - {id: e, nome: E, tipo: usuario}
      gateways:
        - id: escolha
          tipo: exclusivo
          condicoes:
            - {para: b, quando: {variavel: valor, operador: ">", valor: 10}}
          padrao: c
        - {id: passagem, tipo: paralelo}
        - id: junta_e_escolhe
          nome: Junta e escolhe
          tipo: exclusivo
          condicoes:
            - {para: e, quando: {variavel: tipo, operador: in, valor: [x, y]}}
          padrao: termino
      fluxos:
        - {de: comeco, para: a}
        - {de: a, para: escolha}
        - {de: escolha, para: b}
        - {de: escolha, para: c}
        - {de: b, para: passagem}
        - {de: passagem, para: junta_e_escolhe}
        - {de: c, para: junta_e_escolhe}
        - {de: junta_e_escolhe, para: e}
        - {de: junta_e_escolhe, para: termino}
        - {de: e, para: d}
        - {de: e, para: termino}
        - {de: d, para: termino}
"""


def test_workers_p_e_d_registrados():
    assert {"P", "D"} <= set(vertentes_registradas())


def test_spec_003_constroi_e_os_testes_gerados_passam(tmp_path):
    spec = spec_exemplo("spec_003")
    producao = produzir(spec, "P")
    caminhos_artefatos = sorted(a.caminho for a in producao.codigo + producao.testes)
    assert caminhos_artefatos == [
        "spec_003/processual/__init__.py",
        "spec_003/processual/feel.py",
        "spec_003/processual/motor.py",
        "spec_003/processual/reembolso_despesas.bpmn",
        "tests/test_processual_caminhos.py",
        "tests/test_processual_casos.py",
        "tests/test_processual_esquema.py",
    ]
    # Rows that reach faixa_de_valor without valor_total (the row gives the class faixa_valor)
    # cannot run: reported, not hidden; rows with comprovante_valido false never read it.
    nao = {n.caso: n.motivo for n in producao.nao_testaveis}
    assert set(nao) == {"combinacao_01", "combinacao_02", "combinacao_03", "combinacao_04"}
    assert all("valor_total" in m for m in nao.values())
    resultado = rodar_pytest(escrever(producao, tmp_path, "spec_003"))
    assert resultado.codigo == 0, resultado.saida
    # 4 paths (refused before approval; small; large; each approved or refused -> 5 in all)
    caminhos_rodados = [t for t in resultado.testes if t.startswith("test_processual_caminhos")]
    assert len(caminhos_rodados) == 5
    casos = sorted(t.split("[")[1][:-1] for t in resultado.testes if "test_processual_casos" in t)
    assert casos == [
        "caso_01",
        "caso_02",
        "caso_03",
        "combinacao_05",
        "combinacao_06",
        "combinacao_07",
        "combinacao_08",
    ]
    assert set(resultado.testes.values()) == {"passed"}


def test_bpmn_valido_no_xsd_e_limpo_no_bpmnlint(tmp_path):
    for spec in (spec_exemplo("spec_003"), _spec(IMPLICITOS)):
        for artefato in produzir(spec, "P").codigo:
            if not artefato.caminho.endswith(".bpmn"):
                continue
            arquivo = tmp_path / artefato.caminho.replace("/", "_")
            arquivo.write_text(artefato.conteudo)
            esquema = _xsd()
            assert esquema.validate(etree.parse(str(arquivo))), esquema.error_log
            lint = bpmnlint(arquivo)
            assert lint.returncode == 0, lint.stdout + lint.stderr


def test_bpmnlint_acusa_um_bpmn_com_juncao_implicita(tmp_path):
    """The lint check can fail: the same BPMN with a task joining two flows is reported."""
    (bpmn,) = [a for a in produzir(spec_exemplo("spec_003"), "P").codigo if a.caminho.endswith(".bpmn")]
    doc = etree.fromstring(bpmn.conteudo.encode())
    (tarefa,) = doc.xpath("//bpmn:scriptTask[@id='notificar_recusa']", namespaces=NS)
    for fluxo in doc.xpath("//bpmn:sequenceFlow[@targetRef='Juncao_notificar_recusa']", namespaces=NS):
        fluxo.set("targetRef", "notificar_recusa")
        entrada = etree.SubElement(tarefa, f"{{{NS['bpmn']}}}incoming")
        entrada.text = fluxo.get("id")
        tarefa.insert(1, entrada)
    arquivo = tmp_path / "ruim.bpmn"
    arquivo.write_bytes(etree.tostring(doc))
    lint = bpmnlint(arquivo)
    assert lint.returncode != 0
    assert "fake-join" in lint.stdout


def test_gateways_implicitos_viram_explicitos_e_rodam(tmp_path):
    spec = _spec(IMPLICITOS)
    producao = produzir(spec, "P")
    (bpmn,) = [a for a in producao.codigo if a.caminho.endswith(".bpmn")]
    doc = etree.fromstring(bpmn.conteudo.encode())
    processo = doc.xpath("//bpmn:process", namespaces=NS)[0]
    ids = {e.get("id"): etree.QName(e).localname for e in processo}
    assert "passagem" not in ids  # pass-through gateway dropped
    assert ids["Juncao_junta_e_escolhe"] == "exclusiveGateway"  # join split from the fork
    assert ids["Juncao_termino"] == "exclusiveGateway"  # implicit join before the end
    assert ids["Divisao_e"] == "parallelGateway"  # implicit split after e
    servico = processo.xpath("bpmn:serviceTask[@id='b']//*[local-name()='taskDefinition']", namespaces=NS)
    assert servico[0].get("type") == "b"
    resultado = rodar_pytest(escrever(producao, tmp_path, "spec_p"))
    assert resultado.codigo == 0, resultado.saida
    # valor > 10 or not, times tipo in (x, y) or not: 4 paths
    assert len([t for t in resultado.testes if "caminho" in t]) == 4


def test_passeio_da_spec():
    p = Processo(_spec(IMPLICITOS)["spec_bpmn"]["processos"][0])
    percurso = p.percorrer(dados={"valor": 11, "tipo": "x"})
    # e has two outgoing flows: both fire (d, and the end directly), so the end is reached twice
    assert Counter(percurso.tarefas) == Counter(["a", "b", "e", "d"])
    assert percurso.fins == 2
    percurso = p.percorrer(dados={"valor": 3, "tipo": "z"})
    assert percurso.tarefas == ["a", "c"] and percurso.fins == 1
    with pytest.raises(NaoExecutavel, match="valor"):
        p.percorrer(dados={"tipo": "x"})
    with pytest.raises(NaoExecutavel, match="não se comparam"):
        p.percorrer(dados={"valor": "dez", "tipo": "x"})


def test_juncao_paralela_que_nunca_completa_e_ciclo_sem_fim():
    deadlock = _spec(
        """
    - id: trava
      nome: Trava
      inicio: i
      fim: f
      tarefas: [{id: a, nome: A, tipo: servico}, {id: b, nome: B, tipo: servico}]
      gateways:
        - {id: x, nome: X, tipo: exclusivo, condicoes: [{para: a, quando: {variavel: v, operador: "==", valor: 1}}], padrao: b}
        - {id: j, tipo: paralelo}
      fluxos:
        - {de: i, para: x}
        - {de: x, para: a}
        - {de: x, para: b}
        - {de: a, para: j}
        - {de: b, para: j}
        - {de: j, para: f}
"""
    )
    p = Processo(deadlock["spec_bpmn"]["processos"][0])
    with pytest.raises(NaoExecutavel, match="junção paralela j"):
        p.percorrer(dados={"v": 1})
    achados, nao = caminhos(p)
    assert achados == []
    assert len(nao) == 2 and all("junção paralela j" in n.motivo for n in nao)

    ciclo = _spec(
        """
    - id: volta
      nome: Volta
      inicio: i
      fim: f
      tarefas: [{id: a, nome: A, tipo: usuario}]
      gateways:
        - {id: de_novo, nome: "De novo?", tipo: exclusivo, condicoes: [{para: a, quando: {variavel: repetir, operador: "==", valor: true}}], padrao: f}
      fluxos:
        - {de: i, para: a}
        - {de: a, para: de_novo}
        - {de: de_novo, para: a}
        - {de: de_novo, para: f}
"""
    )
    p = Processo(ciclo["spec_bpmn"]["processos"][0])
    with pytest.raises(NaoExecutavel, match="não terminaria"):
        p.percorrer(dados={"repetir": True})
    achados, nao = caminhos(p)
    assert [c.dados for c in achados] == [{"repetir": False}]
    assert len(nao) == 1


def test_caminhos_impossiveis_pelos_dados_nao_viram_teste():
    spec = _spec(
        """
    - id: faixas
      nome: Faixas
      inicio: i
      fim: f
      tarefas:
        - {id: alto, nome: Alto, tipo: servico}
        - {id: muito_baixo, nome: Muito baixo, tipo: servico}
        - {id: resto, nome: Resto, tipo: servico}
      gateways:
        - {id: g1, nome: G1, tipo: exclusivo, condicoes: [{para: alto, quando: {variavel: x, operador: ">", valor: 10}}], padrao: g2}
        - {id: g2, nome: G2, tipo: exclusivo, condicoes: [{para: muito_baixo, quando: {variavel: x, operador: "entre", valor: [11, 20]}}], padrao: resto}
      fluxos:
        - {de: i, para: g1}
        - {de: g1, para: alto}
        - {de: g1, para: g2}
        - {de: g2, para: muito_baixo}
        - {de: g2, para: resto}
        - {de: alto, para: f}
        - {de: muito_baixo, para: f}
        - {de: resto, para: f}
"""
    )
    achados, nao = caminhos(Processo(spec["spec_bpmn"]["processos"][0]))
    # x > 10 is false on the g2 side, so x in [11..20] can never hold there: 2 paths, not 3
    assert sorted(tuple(c.percurso.tarefas) for c in achados) == [("alto",), ("resto",)]
    for c in achados:
        assert (c.dados["x"] > 10) == (c.percurso.tarefas == ["alto"])
    assert nao == []


def test_testes_gerados_falham_quando_o_bpmn_diverge_da_spec(tmp_path):
    """Flip one condition in the generated BPMN: the path and case tests catch it."""
    producao = produzir(spec_exemplo("spec_003"), "P")
    pasta = escrever(producao, tmp_path, "spec_003")
    arquivo = pasta / "spec_003/processual/reembolso_despesas.bpmn"
    texto = arquivo.read_text()
    assert "=valor_total &gt; 5000" in texto
    arquivo.write_text(texto.replace("=valor_total &gt; 5000", "=valor_total &lt; 5000"))
    resultado = rodar_pytest(pasta)
    assert resultado.codigo != 0
    falhas = {t for t, estado in resultado.testes.items() if estado == "failed"}
    assert "test_processual_casos::test_caso[caso_01]" in falhas
    assert any("caminho" in t for t in falhas)


def test_caso_com_espera_que_o_processo_nao_produz_nao_e_testavel():
    spec = spec_exemplo("spec_003")
    casos = [
        CasoDeTeste("caso_01", "caso", "", {"comprovante_valido": False}, {"valor_pago": 10}),
        CasoDeTeste("caso_02", "caso", "", {"comprovante_valido": False}, {"passa_por": ["tarefa_que_nao_existe"]}),
        CasoDeTeste("caso_03", "caso", "", {"comprovante_valido": False}, {"passa_por": ["notificar_recusa"]}),
    ]
    producao = produzir(spec, "P", casos)
    nao = {n.caso: n.motivo for n in producao.nao_testaveis}
    assert "valor_pago" in nao["caso_01"]
    assert "tarefa_que_nao_existe" in nao["caso_02"]
    assert "caso_03" not in nao


def test_condicoes_feel_geradas_no_feelin_concordam_com_o_passeio():
    """Every conditionExpression of the generated BPMN, evaluated by a real FEEL engine (feelin)
    on each representative value of its variable, gives what PROMETHEUS's reading gives."""
    spec = _spec(
        """
    - id: condicoes
      nome: Condições
      inicio: i
      fim: f
      tarefas: [{id: a, nome: A, tipo: servico}, {id: b, nome: B, tipo: servico}, {id: c, nome: C, tipo: servico},
                {id: d, nome: D, tipo: servico}, {id: e, nome: E, tipo: servico}, {id: g, nome: G, tipo: servico}]
      gateways:
        - id: x
          nome: X
          tipo: exclusivo
          condicoes:
            - {para: a, quando: {variavel: n, operador: "entre", valor: [1.5, 3]}}
            - {para: b, quando: {variavel: s, operador: in, valor: ["um \\"dois\\"", 'barra\\\\']}}
            - {para: c, quando: {variavel: n, operador: "<=", valor: -2}}
            - {para: d, quando: {variavel: s, operador: "!=", valor: tres}}
            - {para: e, quando: {variavel: ok, operador: "==", valor: false}}
          padrao: g
      fluxos:
        - {de: i, para: x}
        - {de: x, para: a}
        - {de: x, para: b}
        - {de: x, para: c}
        - {de: x, para: d}
        - {de: x, para: e}
        - {de: x, para: g}
        - {de: a, para: f}
        - {de: b, para: f}
        - {de: c, para: f}
        - {de: d, para: f}
        - {de: e, para: f}
        - {de: g, para: f}
"""
    )
    processo = spec["spec_bpmn"]["processos"][0]
    (bpmn,) = [a for a in produzir(spec, "P").codigo if a.caminho.endswith(".bpmn")]
    doc = etree.fromstring(bpmn.conteudo.encode())
    textos = {
        f.get("targetRef"): f.xpath("bpmn:conditionExpression/text()", namespaces=NS)[0]
        for f in doc.xpath("//bpmn:sequenceFlow[bpmn:conditionExpression]", namespaces=NS)
    }
    itens, esperados = [], []
    por_variavel = Processo(processo).variaveis()
    for c in processo["gateways"][0]["condicoes"]:
        quando = c["quando"]
        for valor in condicoes.candidatos(por_variavel[quando["variavel"]]):
            itens.append({"tipo": "expressao", "texto": textos[c["para"]], "contexto": {quando["variavel"]: valor}})
            esperados.append(condicoes.casa(quando, valor))
    assert len(itens) > 20
    assert feelin(itens) == esperados
    assert textos["b"].startswith('=s in ("um \\"dois\\"", ')  # quotes escaped, feelin read them
