"""The model-backed generator and corrector (docs/modelo.md) against a fake OpenAI-compatible
server in its own process (tests/servidor_llm.py): the loop of ciclo.py with the real E worker
on spec_002, each failure of the service or of the answer a failed attempt with its reason."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.utils import translation

from fabrica.desenvolvimento import ciclo
from fabrica.desenvolvimento.corretor import CorretorDeterministico
from fabrica.desenvolvimento.gerador import GeradorTemplates
from fabrica.desenvolvimento.llm.assistente import construtores
from fabrica.desenvolvimento.llm.cliente import ClienteModelo, ConfigModelo
from fabrica.desenvolvimento.sandbox import Limites
from prometheus_site import vocabulario
from tests.fabrica.apoio_modelo import IDADE, IDADE_COM_BUG, MODELOS, andaime, bloco, implementacao, spec_002
from tests.fabrica.gerados import casos_da_spec
from tests.servidor_llm import ServidorFalso

TESTE_PENDENTE = "test_metodo_sem_implementacao[Cliente.idade]"


@pytest.fixture(scope="module")
def spec():
    return {**spec_002(), "vertentes": ["E"]}


@pytest.fixture(scope="module")
def modelos(spec) -> str:
    return andaime(spec)


@pytest.fixture
def servidor(tmp_path):
    with ServidorFalso(tmp_path) as falso:
        yield falso


def _config(servidor: ServidorFalso, **extra) -> ConfigModelo:
    return ConfigModelo(url=servidor.url, modelo="falso-1", chave="sk-teste", timeout_s=10, tempo_total_s=30, **extra)


def _construir(spec, config: ConfigModelo) -> ciclo.ResultadoConstrucao:
    templates = GeradorTemplates()
    deterministico = CorretorDeterministico(gerador_do_projeto=GeradorTemplates())
    gerador, corretor = construtores(ClienteModelo(config, dormir=lambda s: None), templates, None, deterministico)
    opcoes = ciclo.Opcoes(
        pacote="spec_002",
        gerador=gerador,
        corretor=corretor,
        limites=Limites(tempo_total_s=60, tempo_por_teste_s=5),
    )
    return ciclo.desenvolver(spec=spec, casos=casos_da_spec(spec), opcoes=opcoes)


def _em_ingles(frase: str) -> str:
    """The stored reason as an English page shows it: no Portuguese word of the sentence is left."""
    with translation.override("en"):
        traduzida = vocabulario.frase(frase)
    sobras = {"Tentativa", "Geração", "nada", "Nada", "não", "modelo", "resposta", "pedidos", "atingido"}
    assert not [p for p in sobras if re.search(rf"\b{p}\b", traduzida)], traduzida
    return traduzida


def _falhas(e: ciclo.ResultadoVertente) -> set[str]:
    return {t.nome for t in e.testes if not t.passou}


def test_o_modelo_implementa_os_metodos_em_linguagem_natural(servidor, spec, modelos):
    servidor.roteirizar(
        [{"contem": ["O que falta implementar"], "conteudo": implementacao(modelos), "uso": [900, 300]}]
    )
    resultado = _construir(spec, _config(servidor))
    e = resultado.vertentes["E"]
    assert resultado.passou, _falhas(e)
    assert e.tentativas == []
    (geracao,) = e.geracao
    assert geracao["alterou"] and geracao["gerador"] == "modelo:falso-1"
    assert "+        return anos" in geracao["diff"]
    assert geracao["modelo"]["tokens_entrada"] == 900 and geracao["modelo"]["tokens_saida"] == 300
    assert geracao["modelo"]["falha"] == ""
    assert resultado.tokens == 1200
    assert resultado.gerador == resultado.corretor == "modelo:falso-1"
    # the prompt: the vertente's instructions, its spec section, what is pending, the scaffold
    (pedido,) = servidor.pedidos()
    sistema, usuario = (m["content"] for m in pedido["corpo"]["messages"])
    assert sistema.startswith("# WORKER_E") and "<<<<<<< SEARCH" in sistema
    assert "anos completos entre data_nascimento e referencia" in usuario
    assert "raise NotImplementedError(" in usuario and "## spec_poo" in usuario
    assert pedido["corpo"]["model"] == "falso-1"
    assert pedido["cabecalhos"]["authorization"] == "Bearer sk-teste"
    assert any("implementação proposta por modelo:falso-1" in p for p in e.pendencias)


def test_resposta_com_bug_e_corrigida_com_o_teste_que_falha_no_prompt(servidor, spec, modelos):
    servidor.roteirizar(
        [
            {"contem": ["O que falta implementar"], "conteudo": implementacao(modelos, IDADE_COM_BUG)},
            {
                "contem": ["Testes que falharam", TESTE_PENDENTE],
                "conteudo": bloco(MODELOS, IDADE_COM_BUG, IDADE),
            },
        ]
    )
    resultado = _construir(spec, _config(servidor))
    e = resultado.vertentes["E"]
    assert resultado.passou, _falhas(e)
    (tentativa,) = e.tentativas
    assert tentativa["corretor"] == "modelo:falso-1" and tentativa["alterou"]
    assert _em_ingles(tentativa["tentou"]) == f"Attempt 1: the model falso-1 proposed 1 edit in {MODELOS}."
    assert TESTE_PENDENTE in {f["nome"] for f in tentativa["falhas"]}
    assert tentativa["depois"]["falharam"] == 0
    assert "-        return (referencia - self.data_nascimento).days / 365.25" in tentativa["diff"]
    correcao = servidor.pedidos()[1]["corpo"]["messages"][1]["content"]
    assert "assert False" in correcao or "isinstance" in correcao  # the failing test's message


@pytest.mark.parametrize(
    ("resposta", "motivo"),
    [
        ("Desculpe, não consigo ajudar com isso.", "não traz nenhum bloco SEARCH/REPLACE"),
        (
            bloco(MODELOS, "        return 'isto não está no arquivo'\n", "        return 1\n"),
            "não corresponde exatamente",
        ),
        (bloco("tests/test_estrutural_metodos.py", "import pytest\n", "import os\n"), "não pode ser alterado"),
        (bloco("pyproject.toml", "[project]\n", "[tool]\n"), "não pode ser alterado"),
        (bloco(MODELOS, "class Cliente:\n", "class Cliente(\n"), "não compila"),
        (bloco(MODELOS, '    """Classe Cliente de spec_poo."""\n', "    x = nome_indefinido\n"), "não passa no ruff"),
    ],
    ids=["nao-e-codigo", "nao-corresponde", "teste-proibido", "raiz-proibida", "nao-compila", "ruff"],
)
def test_resposta_que_nao_se_aplica_e_tentativa_falha_com_o_motivo(servidor, spec, resposta, motivo):
    servidor.roteirizar([{"conteudo": resposta, "vezes": 4}])
    resultado = _construir(spec, _config(servidor))
    e = resultado.vertentes["E"]
    assert not resultado.passou
    assert _falhas(e) >= {TESTE_PENDENTE}
    (geracao,) = e.geracao
    assert motivo in geracao["modelo"]["falha"] and not geracao["alterou"]
    assert [t["n"] for t in e.tentativas] == [1, 2, 3]
    for tentativa in e.tentativas:
        assert motivo in tentativa["tentou"] and motivo in tentativa["modelo"]["falha"]
        _em_ingles(tentativa["tentou"])
        assert tentativa["diff"] == "" and tentativa["modelo"]["resposta"] == resposta
    assert len(servidor.pedidos()) == 4  # one generation, three corrections


def test_resposta_cortada_no_max_tokens_diz_que_foi_cortada(servidor, spec, modelos):
    """A real small model rambles until max_tokens (finish_reason "length"): the block it was
    writing is incomplete, and the reason says the answer was cut, at which ceiling."""
    cortada = f"{MODELOS}\n<<<<<<< SEARCH\n        raise NotImplementedError(\n"
    servidor.roteirizar([{"conteudo": cortada, "finalizacao": "length", "vezes": 4}])
    resultado = _construir(spec, _config(servidor, max_resposta=300))
    e = resultado.vertentes["E"]
    assert not resultado.passou and len(e.tentativas) == 3
    (geracao,) = e.geracao
    assert geracao["modelo"]["finalizacao"] == "length" and geracao["modelo"]["max_tokens"] == 300
    assert "incompleto" in geracao["modelo"]["falha"]
    assert "cortada no limite de 300 tokens (max_tokens)" in geracao["modelo"]["falha"]
    assert servidor.pedidos()[0]["corpo"]["max_tokens"] == 300
    for tentativa in e.tentativas:
        assert "cortada no limite de 300 tokens" in tentativa["tentou"] and not tentativa["alterou"]
    assert _em_ingles(e.tentativas[0]["tentou"]).endswith("The answer was cut at the limit of 300 tokens (max_tokens).")


def test_teto_de_resposta_menor_que_o_minimo_ainda_chama_o_modelo(servidor, spec, modelos):
    """An answer ceiling below the reservation's usual minimum (a CPU model's 128 tokens) is what
    the call asks for, not a reason to refuse every call as if the release's ceiling were reached."""
    servidor.roteirizar([{"conteudo": implementacao(modelos), "vezes": 4}])
    resultado = _construir(spec, _config(servidor, max_resposta=128))
    geracao = resultado.vertentes["E"].geracao[0]["modelo"]
    assert "Teto" not in (geracao.get("falha") or "")
    assert servidor.pedidos()[0]["corpo"]["max_tokens"] == 128


def test_servidor_lento_esgota_o_tempo_e_a_tentativa_falha(servidor, spec, modelos):
    servidor.roteirizar([{"conteudo": implementacao(modelos), "atraso_s": 5, "vezes": 8}])
    resultado = _construir(spec, replace(_config(servidor), timeout_s=1, tentativas=1))
    e = resultado.vertentes["E"]
    assert not resultado.passou
    falha = e.geracao[0]["modelo"]["falha"]
    assert "não respondeu em 1 s" in falha and "depois de 2 pedidos" in falha
    assert all("não respondeu em 1 s" in t["tentou"] for t in e.tentativas)
    assert "did not answer within 1 s after 2 requests" in _em_ingles(e.tentativas[0]["tentou"])


def test_429_e_depois_a_resposta(servidor, spec, modelos):
    servidor.roteirizar(
        [
            {"status": 429, "conteudo": "devagar", "cabecalhos": {"Retry-After": "0"}},
            {"status": 503, "conteudo": "ocupado"},
            {"conteudo": implementacao(modelos)},
        ]
    )
    resultado = _construir(spec, _config(servidor))
    assert resultado.passou
    (geracao,) = resultado.vertentes["E"].geracao
    assert geracao["modelo"]["pedidos"] == 3 and geracao["modelo"]["falha"] == ""
    assert len(servidor.pedidos()) == 3


def test_429_alem_das_retentativas_e_tentativa_falha(servidor, spec):
    servidor.roteirizar([{"status": 429, "conteudo": "cota excedida", "vezes": 100}])
    resultado = _construir(spec, replace(_config(servidor), tentativas=2))
    e = resultado.vertentes["E"]
    assert not resultado.passou
    falha = e.geracao[0]["modelo"]["falha"]
    assert "respondeu 429" in falha and "depois de 3 pedidos" in falha
    assert "answered 429" in _em_ingles(e.tentativas[0]["tentou"])
    assert len(servidor.pedidos()) == 3 * 4


def test_recusa_do_modelo_e_tentativa_falha(servidor, spec):
    servidor.roteirizar([{"conteudo": "", "recusa": "não posso gerar isso", "vezes": 4}])
    resultado = _construir(spec, _config(servidor))
    e = resultado.vertentes["E"]
    assert "O modelo recusou o pedido: não posso gerar isso" in e.geracao[0]["modelo"]["falha"]
    assert not resultado.passou and len(e.tentativas) == 3


def test_teto_de_tokens_nao_chama_o_modelo(servidor, spec, modelos):
    servidor.roteirizar([{"conteudo": implementacao(modelos), "vezes": 4}])
    resultado = _construir(spec, replace(_config(servidor), tokens_release=1000))
    e = resultado.vertentes["E"]
    assert not resultado.passou
    assert re.search(r"Teto de tokens por release \(1000 tokens\) atingido", e.geracao[0]["modelo"]["falha"])
    assert all("Teto de tokens" in t["tentou"] for t in e.tentativas)
    assert servidor.pedidos() == [] and resultado.tokens == 0
    assert "Token ceiling per release (1000 tokens) reached" in _em_ingles(e.tentativas[0]["tentou"])


def test_teto_atingido_no_meio_da_construcao(servidor, spec, modelos):
    """The first answer spends most of the ceiling: the corrections are not asked for."""
    servidor.roteirizar([{"conteudo": implementacao(modelos, IDADE_COM_BUG), "uso": [20_000, 9_000]}])
    resultado = _construir(spec, replace(_config(servidor), tokens_release=30_000))
    e = resultado.vertentes["E"]
    assert e.geracao[0]["alterou"] and not resultado.passou
    assert all("Teto de tokens por release" in t["tentou"] for t in e.tentativas)
    assert len(servidor.pedidos()) == 1 and resultado.tokens == 29_000
