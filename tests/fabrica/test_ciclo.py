"""The development loop (docs/desenvolvimento.md, "The loop") with test-double workers: generate,
check, run in the
sandbox, up to three recorded corrections; never a crash, whatever the worker does."""

from __future__ import annotations

import pytest

from fabrica.desenvolvimento import ciclo, gerador
from fabrica.desenvolvimento.base import Artefato, CasoDeTeste, NaoTestavel
from fabrica.desenvolvimento.corretor import CorretorDeterministico
from fabrica.desenvolvimento.gerador import GeradorTemplates
from fabrica.desenvolvimento.sandbox import Limites
from tests.fabrica import dubles

CASOS = [
    CasoDeTeste(
        "combinacao_01", "combinacao", "idioma=pt", {"idioma": "pt", "duracao_segundos": 240}, None, {"idioma": "pt"}
    ),
    CasoDeTeste("combinacao_02", "combinacao", "idioma=en", {"idioma": "en"}, None, {"idioma": "en"}),
    CasoDeTeste("caso_01", "caso", "exemplo", {"a": 1, "b": 2}, {"ok": True}),
]
SPEC = {"id": "spec_t", "titulo": "Spec de teste", "vertentes": ["E"]}


def _opcoes(tmp_path=None, **extra) -> ciclo.Opcoes:
    repositorio = tmp_path / "repo" if tmp_path else None
    return ciclo.Opcoes(
        pacote="spec_t",
        gerador=GeradorTemplates(repositorio=repositorio),
        corretor=CorretorDeterministico(gerador_do_projeto=GeradorTemplates()),
        limites=Limites(tempo_total_s=60, tempo_por_teste_s=3),
        sobreposicoes=repositorio / "_catalogo" / "templates" if repositorio else None,
        **extra,
    )


def _rodar(workers, *classes, spec=SPEC, casos=CASOS, **opcoes) -> ciclo.ResultadoConstrucao:
    workers(*classes)
    etapas: list[tuple] = []
    resultado = ciclo.desenvolver(
        spec=spec, casos=casos, opcoes=_opcoes(**opcoes), progresso=lambda *a: etapas.append(a)
    )
    resultado.etapas = etapas
    return resultado


def test_tudo_passa_na_primeira_sem_tentativas(workers):
    resultado = _rodar(workers, dubles.worker("E"))
    e = resultado.vertentes["E"]
    assert resultado.passou and e.passou
    assert sorted(t.caso for t in e.testes) == ["caso_01", "combinacao_01", "combinacao_02"]
    assert {t.nome for t in e.testes} == {f"test_chaves[{c.nome}]" for c in CASOS}
    assert e.tentativas == []
    assert e.cobertura["linhas"] == e.cobertura["linhas_total"] > 0
    assert resultado.cobertura_total == 100.0
    assert e.recursos["execucoes"][0]["isolamento"]["modo"] in ("bwrap", "namespaces", "basico")
    assert [a[1] for a in resultado.etapas] == ["gerando", "testando", "concluida"]
    assert {a.caminho for a in resultado.raiz} >= {"pyproject.toml", "requirements.txt", "spec_t/__init__.py"}
    # what the generated code imports goes into the requirements (the double's tests import pytest)
    assert resultado.dependencias == ["pytest"]


def test_falha_sem_reparo_esgota_as_tres_tentativas_e_diz_o_que_tentou(workers):
    resultado = _rodar(workers, dubles.worker("E", "falha"))
    e = resultado.vertentes["E"]
    assert not resultado.passou
    assert [t["n"] for t in e.tentativas] == [1, 2, 3]
    for t in e.tentativas:
        assert t["corretor"] == "deterministico"
        assert "nenhum reparo determinístico se aplica" in t["tentou"]
        assert "AssertionError em 3 testes" in t["tentou"]
        assert {f["nome"] for f in t["falhas"]} == {f"test_chaves[{c.nome}]" for c in CASOS}
        assert all("assert" in f["mensagem"] for f in t["falhas"])
        assert t["diff"] == "" and t["alterou"] is False
    assert all(t.status == "falhou" for t in e.testes)
    assert [a[1:3] for a in resultado.etapas if a[1] == "corrigindo"] == [
        ("corrigindo", 1),
        ("corrigindo", 2),
        ("corrigindo", 3),
    ]


def test_python_com_tabulacoes_e_verificado_antes_de_rodar_e_corrigido(workers):
    resultado = _rodar(workers, dubles.worker("E", "tab"))
    e = resultado.vertentes["E"]
    assert resultado.passou
    (tentativa,) = e.tentativas
    assert tentativa["reparo"] == "normalizar_fontes"
    assert tentativa["falhas"][0]["nome"] == "(verificação) spec_t/estrutural/regras.py"
    assert "TabError" in tentativa["falhas"][0]["mensagem"]
    assert "-\tif dado:" in tentativa["diff"] and "+    if dado:" in tentativa["diff"]
    assert tentativa["depois"] == {"passaram": 3, "falharam": 0}
    # nothing ran before the correction: one sandbox run, after it
    assert [x["tentativa"] for x in e.recursos["execucoes"]] == [1]


def test_metodo_so_em_linguagem_natural_falha_honestamente_e_fica_pendente(workers):
    resultado = _rodar(workers, dubles.worker("E", "nao_implementado"))
    e = resultado.vertentes["E"]
    assert not resultado.passou
    assert e.pendencias == ["chaves: descrito só em linguagem natural"]
    assert all("NotImplementedError" in t.mensagem for t in e.testes)
    assert len(e.tentativas) == 3
    assert "precisa de implementação" in e.tentativas[0]["tentou"]


def test_laco_infinito_gerado_acaba_no_tempo_por_teste(workers):
    resultado = _rodar(workers, dubles.worker("E", "laco"), casos=CASOS[:1])
    (teste,) = resultado.vertentes["E"].testes
    assert teste.status == "falhou"
    assert "Timeout" in teste.mensagem
    assert "tempo esgotado em 1 teste" in resultado.vertentes["E"].tentativas[0]["tentou"]


def test_vertente_sem_worker_vira_resultado_nao_um_erro(workers):
    resultado = _rodar(workers, dubles.worker("E"), spec={**SPEC, "vertentes": ["E", "D"]})
    assert resultado.vertentes["E"].passou
    d = resultado.vertentes["D"]
    assert not d.passou and not resultado.passou
    assert d.testes[0].nome == "(sem worker)"
    assert "Nenhum worker registrado para a vertente 'D'" in d.erro


def test_caso_sem_teste_e_relatado_e_caso_declarado_nao_testavel_nao(workers):
    classe = dubles.worker("E", ignorar=("caso_01",), esquecer=("combinacao_02",))
    e = _rodar(workers, classe).vertentes["E"]
    assert e.nao_testaveis == [NaoTestavel("caso_01", "o dublê não testa este caso")]
    ausentes = [t for t in e.testes if t.status == "ausente"]
    assert [t.caso for t in ausentes] == ["combinacao_02"]
    assert not e.passou


class _WorkerQueQuebra(dubles.WorkerDeTeste):
    def gerar_codigo(self, entrada):
        raise KeyError("campo_que_nao_existe")


class _WorkerForaDoLugar(dubles.WorkerDeTeste):
    def gerar_codigo(self, entrada):
        return [Artefato("spec_t/processual/invade.py", "E", "codigo", "x = 1\n")]


def test_worker_que_levanta_excecao_vira_falha_de_geracao(workers):
    e = _rodar(workers, _WorkerQueQuebra).vertentes["E"]
    assert e.testes[0].nome == "(geração)"
    assert "KeyError" in e.testes[0].mensagem
    assert len(e.tentativas) == 3 and not e.passou


def test_artefato_fora_do_lugar_da_vertente_e_recusado_antes_de_rodar(workers):
    e = _rodar(workers, _WorkerForaDoLugar).vertentes["E"]
    assert e.testes[0].nome == "(verificação) spec_t/processual/invade.py"
    assert "esperado spec_t/estrutural/" in e.testes[0].mensagem
    assert e.recursos["execucoes"] == []


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """A project template and a spec repository whose override of it is broken."""
    projeto = tmp_path / "projeto"
    (projeto / "E").mkdir(parents=True)
    (projeto / "E" / "regras.py.j2").write_text("def {{ funcao }}(dado):\n    return sorted(dado)\n")
    monkeypatch.setattr(gerador, "TEMPLATES_DO_PROJETO", projeto)
    sobreposto = tmp_path / "repo" / "_catalogo" / "templates" / "E"
    sobreposto.mkdir(parents=True)
    (sobreposto / "regras.py.j2").write_text("def {{ funcao }}(dado):\n    return list(dado)[::-1]\n")
    return tmp_path


def test_template_do_repositorio_que_falha_e_trocado_pelo_do_projeto(workers, templates):
    resultado = _rodar(workers, dubles.worker("E", "template"), tmp_path=templates, casos=CASOS[2:])
    e = resultado.vertentes["E"]
    assert resultado.passou
    (tentativa,) = e.tentativas
    assert tentativa["reparo"] == "templates_do_projeto"
    assert "templates do projeto" in tentativa["tentou"]
    assert "-    return list(dado)[::-1]" in tentativa["diff"]
    assert "+    return sorted(dado)" in tentativa["diff"]


def test_template_com_variavel_indefinida_falha_na_geracao(workers, templates):
    (templates / "repo" / "_catalogo" / "templates" / "E" / "regras.py.j2").write_text("def {{ nao_existe }}():\n")
    e = _rodar(workers, dubles.worker("E", "template"), tmp_path=templates, casos=CASOS[:1]).vertentes["E"]
    assert "usa uma variável indefinida" in e.tentativas[0]["falhas"][0]["mensagem"]
    assert e.passou  # the project's template, at the first attempt


class _WorkerComIdsProprios(dubles.WorkerDeTeste):
    def gerar_testes(self, entrada):
        testes, nao = super().gerar_testes(entrada)
        extra = Artefato(
            "tests/test_estrutural_telas.py",
            "E",
            "teste",
            "import pytest\n\n@pytest.mark.parametrize('tela', ['inicio'], ids=['inicio'])\n"
            "def test_tela(tela):\n    assert tela == 'inicio'\n",
        )
        return [*testes, extra], nao


def test_id_entre_colchetes_que_nao_e_caso_nao_vira_caso(workers):
    e = _rodar(workers, _WorkerComIdsProprios).vertentes["E"]
    (tela,) = [t for t in e.testes if t.nome == "test_tela[inicio]"]
    assert tela.caso is None and tela.status == "passou"
    assert e.passou
