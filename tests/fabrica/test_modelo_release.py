"""A factory with a model at PROMETHEUS_LLM_URL (docs/modelo.md), end to end through the handlers:
spec_002's release all green, a hotfix that passes its regression test, a failing service that
neither loses the item nor builds twice, and the key nowhere but in the request to the model."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest
from django.conf import settings
from django.forms.models import model_to_dict

from backlog.models import Evento, Item, Status
from fabrica.consumidor import processar_proximo
from fabrica.desenvolvimento import sandbox
from fabrica.models import Construcao, Release
from fabrica.releases.services import release_rejeitar
from tests.apoio import construir, desenvolver
from tests.fabrica.apoio_modelo import IDADE, MODELOS, andaime, bloco, implementacao, spec_002
from tests.portugues import palavras_portuguesas
from tests.servidor_llm import ServidorFalso

CHAVE = "sk-teste-9f8e7d6c5b4a-nunca-aparece"
# The bug: whole years by the calendar year alone, wrong before the birthday.
IDADE_ANO_CIVIL = "        return referencia.year - self.data_nascimento.year\n"
CASO = {"dado": {"data_nascimento": "2010-06-15", "referencia": "2026-06-14"}, "espera": {"idade": 15}}
ERRO = "idade errada na véspera do aniversário"
# A reason for a fix is read by every vertente the model corrects: D has nothing to change.
D_SEM_MUDANCA = {"contem": ["# WORKER_D"], "conteudo": "A vertente D já atende ao motivo.", "vezes": 3}


@pytest.fixture
def servidor(tmp_path):
    with ServidorFalso(tmp_path) as falso:
        yield falso


@pytest.fixture
def com_modelo(settings, servidor, sandbox_rapido, monkeypatch):
    settings.PROMETHEUS_LLM = {
        "url": servidor.url,
        "modelo": "falso-1",
        "timeout_s": 10,
        "tentativas": 1,
        "tempo_total_s": 20,
        "tokens_release": 200_000,
        "tokens_orcamento": 1_000_000,
        "max_resposta": 4096,
        "gerar": ("E",),
        "corrigir": ("E", "P", "D", "I", "C"),
    }
    settings.PROMETHEUS_LLM_API_KEY = CHAVE
    # As in production, the worker's own environment holds the key.
    monkeypatch.setenv("PROMETHEUS_LLM_CHAVE", CHAVE)
    return servidor


@pytest.fixture(scope="module")
def modelos():
    return andaime(spec_002())


def _sem_chave(texto: str | bytes, onde: str) -> None:
    conteudo = texto.decode("utf-8", "replace") if isinstance(texto, bytes) else texto
    assert CHAVE not in conteudo, f"a chave apareceu em {onde}"


def test_spec_002_pelo_modelo_release_verde_e_a_chave_em_lugar_nenhum(
    com_modelo, modelos, orcamento_pronto, elenco, cliente_como, api_como, caplog
):
    caplog.set_level(logging.DEBUG)
    com_modelo.roteirizar([{"contem": ["O que falta implementar"], "conteudo": implementacao(modelos)}])
    release = desenvolver(orcamento_pronto, elenco["po"])
    assert release.testes_passaram, [t["nome"] for t in release.testes if t["status"] != "passou"]
    assert release.construida_por == {
        "gerador": "modelo:falso-1",
        "corretor": "modelo:falso-1",
        "modelo": "falso-1",
        "chamadas": 1,
        "tokens_entrada": release.geracao[0]["modelo"]["tokens_entrada"],
        "tokens_saida": release.geracao[0]["modelo"]["tokens_saida"],
        "custo": "0",
    }
    assert release.tokens == release.construida_por["tokens_entrada"] + release.construida_por["tokens_saida"] > 0
    assert [g["vertente"] for g in release.geracao] == ["E"]
    # The key went to the model, in the request's header …
    (pedido,) = com_modelo.pedidos()
    assert pedido["cabecalhos"]["authorization"] == f"Bearer {CHAVE}"
    # … and nowhere else: the release, its zip, its page, the API, the events, the items, the logs.
    _sem_chave(json.dumps(model_to_dict(release), default=str), "a release")
    zip_ = cliente_como("po").get(f"/releases/{release.pk}/zip/")
    assert zip_.status_code == 200
    _sem_chave(zip_.content, "o zip")
    pagina = cliente_como("po").get(f"/releases/{release.pk}/")
    assert pagina.status_code == 200
    html = pagina.content.decode()
    assert "Construída pelo gerador modelo falso-1 e pelo corretor modelo falso-1." in html
    assert "Geração pelo modelo" in html and "o modelo falso-1 propôs 3 edições" in html
    _sem_chave(pagina.content, "a página")
    ingles = cliente_como("po")
    ingles.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = ingles.get(f"/releases/{release.pk}/").content.decode()
    assert "Built by the generator model falso-1 and the corrector model falso-1." in html
    assert "Generation: the model falso-1 proposed 3 edits in spec_002/estrutural/modelos.py." in html
    api = api_como("po").get(f"/api/releases/{release.pk}/")
    assert api.status_code == 200
    _sem_chave(api.content, "a API")
    _sem_chave(json.dumps(list(Evento.objects.values("dados", "ator")), default=str), "os eventos")
    _sem_chave(json.dumps(list(Item.objects.values("contexto", "resultado", "erro")), default=str), "os itens")
    _sem_chave(json.dumps(list(Construcao.objects.values("etapas")), default=str), "a construção")
    _sem_chave("\n".join(r.getMessage() for r in caplog.records), "os logs")


def test_a_chave_nao_chega_ao_ambiente_do_sandbox(com_modelo, tmp_path):
    """The sandbox builds its environment from nothing: the worker's key stays out."""
    resumo = hashlib.sha256(CHAVE.encode()).hexdigest()
    teste = (
        "import hashlib, os\n\n\n"
        "def test_sem_chave():\n"
        "    valores = [hashlib.sha256(v.encode()).hexdigest() for v in os.environ.values()]\n"
        f"    assert {resumo!r} not in valores\n"
        "    assert not [n for n in os.environ if 'LLM' in n]\n"
    )
    execucao = sandbox.executar(
        {"tests/__init__.py": "", "tests/test_ambiente.py": teste},
        testes=["tests/test_ambiente.py"],
        cobertura_de=[],
        limites=sandbox.Limites(tempo_total_s=60, tempo_por_teste_s=10),
    )
    assert [(t.nome, t.status) for t in execucao.testes] == [("test_sem_chave", "passou")]


def test_hotfix_pelo_modelo_passa_no_teste_de_regressao(com_modelo, modelos, orcamento_pronto, elenco, api_como):
    com_modelo.roteirizar(
        [
            {"contem": ["O que falta implementar"], "conteudo": implementacao(modelos, IDADE_ANO_CIVIL), "vezes": 2},
            {
                "contem": ["# WORKER_E", ERRO, "regressao_01", "Testes que falharam"],
                "conteudo": bloco(MODELOS, IDADE_ANO_CIVIL, IDADE),
            },
            D_SEM_MUDANCA,
        ]
    )
    v1 = desenvolver(orcamento_pronto, elenco["po"])
    assert v1.testes_passaram  # the bug is not seen by the budget's tests
    resp = api_como("sistema").post(
        "/api/backlog/itens/",
        {"tipo": "corrigir_bug", "contexto": {"feature_ref": v1.rotulo_versao, "erro": ERRO, "caso": CASO}},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    hotfix = construir(Item.objects.get(pk=resp.json()["id"]))
    assert hotfix.tipo == Release.Tipo.HOTFIX and hotfix.corrige == v1
    assert hotfix.testes_passaram, [t["nome"] for t in hotfix.testes if t["status"] != "passou"]
    (regressao,) = [t for t in hotfix.testes if t["vertente"] == "E" and t["caso"] == "regressao_01"]
    assert regressao["status"] == "passou"
    (tentativa,) = [t for t in hotfix.tentativas if t["vertente"] == "E"]
    assert tentativa["corretor"] == "modelo:falso-1" and tentativa["alterou"]
    assert "test_caso[regressao_01]" in {f["nome"] for f in tentativa["falhas"]}
    assert "+        anos = referencia.year - self.data_nascimento.year" in tentativa["diff"]
    # the corrector read the reason and the case
    prompt = com_modelo.pedidos()[-1]["corpo"]["messages"][1]["content"]
    assert ERRO in prompt and '"data_nascimento": "2010-06-15"' in prompt
    # E's generation and fix, and D asked once with the reason (its answer not an edit: nothing changed)
    assert hotfix.construida_por["chamadas"] == 3
    (d,) = [t for t in hotfix.tentativas if t["vertente"] == "D"]
    assert not d["alterou"] and "não traz nenhum bloco" in d["modelo"]["falha"]


def test_servico_fora_do_ar_nao_perde_o_item_nem_constroi_duas_vezes(com_modelo, orcamento_pronto, elenco):
    com_modelo.roteirizar([{"status": 500, "conteudo": "indisponível", "vezes": 100}])
    release = desenvolver(orcamento_pronto, elenco["po"])
    assert not release.testes_passaram
    assert release.item_origem.status == Status.CONCLUIDO
    assert "respondeu 500" in release.geracao[0]["modelo"]["falha"]
    motivos = [t["tentou"] for t in release.tentativas if t["vertente"] == "E"]
    assert len(motivos) == 3 and all("respondeu 500" in m for m in motivos)
    assert processar_proximo(["desenvolvimento"]) is None
    assert Release.objects.filter(spec_ref="spec_002").count() == 1


def test_sem_url_o_caminho_deterministico(settings, sandbox_rapido, orcamento_pronto, elenco):
    settings.PROMETHEUS_LLM = None
    release = desenvolver(orcamento_pronto, elenco["po"])
    assert release.construida_por["gerador"] == "templates"
    assert release.construida_por["corretor"] == "deterministico"
    assert release.construida_por["chamadas"] == 0 and release.geracao == [] and release.tokens == 0
    assert {p["descricao"].split(":")[0] for p in release.pendencias} == {"Cliente.idade", "AnalisadorCredito.analisar"}


def test_rejeicao_do_po_sem_caso_vira_hotfix_pelo_modelo(com_modelo, modelos, orcamento_pronto, elenco, cliente_como):
    """Every test passes, yet the PO saw the bug: the reason alone drives one correction by the
    model, and the hotfix page shows what changed against the rejected release."""
    com_modelo.roteirizar(
        [
            {"contem": ["O que falta implementar"], "conteudo": implementacao(modelos, IDADE_ANO_CIVIL), "vezes": 2},
            {
                "contem": ["# WORKER_E", ERRO, "Todos os testes passam"],
                "conteudo": bloco(MODELOS, IDADE_ANO_CIVIL, IDADE),
            },
            D_SEM_MUDANCA,
        ]
    )
    v1 = desenvolver(orcamento_pronto, elenco["po"])
    assert v1.testes_passaram
    release_rejeitar(release_id=v1.pk, por=elenco["po"], motivo=ERRO)
    hotfix = construir(Item.objects.get(tipo="corrigir_bug", status=Status.PENDENTE))
    assert hotfix.corrige == v1
    assert hotfix.testes_passaram and hotfix.tipo == Release.Tipo.HOTFIX
    (tentativa,) = [t for t in hotfix.tentativas if t["vertente"] == "E"]
    assert tentativa["alterou"] and tentativa["falhas"] == []
    assert "+        anos = referencia.year - self.data_nascimento.year" in tentativa["diff"]
    prompt = com_modelo.pedidos()[-1]["corpo"]["messages"][1]["content"]
    assert f"Erro relatado: {ERRO}" in prompt
    html = cliente_como("po").get(f"/releases/{hotfix.pk}/").content.decode()
    comparacao = html[html.index('id="comparacao"') : html.index("</section>", html.index('id="comparacao"'))]
    assert ERRO in comparacao and MODELOS in comparacao
    _textos_do_modelo_nas_paginas(v1, hotfix, cliente_como)


def _trecho(html: str, inicio: str, fim: str) -> str:
    de = html.index(inicio)
    return html[de : html.index(fim, de)]


def _textos_do_modelo_nas_paginas(v1, hotfix, cliente_como) -> None:
    """What the model implemented is said as such (not "raises NotImplementedError"), in both
    languages; a reason-driven attempt says so; one call / one request in the singular."""
    assert all(p["implementada_por"] == "modelo:falso-1" and p["passou"] for p in v1.pendencias)
    assert all("(implementação proposta" not in p["descricao"] for p in v1.pendencias)
    (tentativa,) = [t for t in hotfix.tentativas if t["vertente"] == "E"]
    assert tentativa["por_motivo"]
    (leia_me,) = [a["conteudo"] for a in v1.artefatos if a["caminho"] == "README.md"]
    assert "implementado pelo modelo modelo:falso-1." in leia_me and "NotImplementedError" not in leia_me
    esperado = {
        "pt-br": (
            "implementado pelo modelo modelo:falso-1; os testes da vertente passaram.",
            "guiada pelo motivo informado",
            "1 pedido.",
        ),
        "en": (
            "implemented by the model modelo:falso-1; the strand's tests passed.",
            "driven by the reason given",
            "1 request.",
        ),
    }
    for idioma, (implementado, guiada, pedido) in esperado.items():
        cliente = cliente_como("po")
        cliente.cookies["django_language"] = idioma
        pendencias = _trecho(cliente.get(f"/releases/{v1.pk}/").content.decode(), 'id="pendencias"', "</ul>")
        assert pendencias.count(implementado) == len(v1.pendencias), pendencias
        assert "NotImplementedError" not in pendencias
        html = cliente.get(f"/releases/{hotfix.pk}/").content.decode()
        cabecalho = _trecho(html, 'id="tentativa-E-1"', "</summary>")
        assert guiada in cabecalho and "falha descrita" not in cabecalho and "no failure described" not in cabecalho
        assert pedido in html and " 1 pedidos" not in html and " 1 requests" not in html
        if idioma == "en":
            ditos = "".join(p.split("</span>")[0] for p in pendencias.split('class="suave implementada-por">')[1:])
            assert ditos and palavras_portuguesas(ditos, permitidos=["modelo:falso-1"]) == [], ditos
            assert palavras_portuguesas(cabecalho, permitidos=["modelo:falso-1"]) == [], cabecalho


def test_modelo_que_nao_muda_nada_conclui_sem_release_com_as_chamadas(com_modelo, modelos, orcamento_pronto, elenco):
    com_modelo.roteirizar(
        [
            {"contem": ["O que falta implementar"], "conteudo": implementacao(modelos), "vezes": 2},
            {"contem": [ERRO], "conteudo": "Não vejo erro algum.", "vezes": 3},
        ]
    )
    v1 = desenvolver(orcamento_pronto, elenco["po"])
    release_rejeitar(release_id=v1.pk, por=elenco["po"], motivo=ERRO)
    item = Item.objects.get(tipo="corrigir_bug", status=Status.PENDENTE)
    with pytest.raises(Release.DoesNotExist):
        construir(item)  # the item, its vertentes, their assembly
    assert not Release.objects.filter(corrige=v1).exists()
    resultado = Item.objects.get(produzido_por=item, tipo="montar_release").resultado
    assert resultado["nada_a_corrigir"] and resultado["por_que"] == "corretor_sem_efeito"
    # E's generation, then one reason-driven attempt per vertente the model corrects (D, E)
    assert resultado["construida_por"]["chamadas"] == 3
    assert any("não traz nenhum bloco SEARCH/REPLACE" in c["falha"] for c in resultado["chamadas_modelo"])
