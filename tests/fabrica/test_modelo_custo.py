"""The model's tokens in the budget (issue 19, deliverable 6; docs/precificacao.md "Tokens",
docs/modelo.md "Token ceilings"): the estimate priced and explained, calibrated from what builds
spent, shown against the actual on the release, and the ceilings of the release and the budget
kept as counters in the database, shared by every vertente and process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from backlog.models import Item, Status
from fabrica.consumidor import processar_proximo
from fabrica.desenvolvimento import services as desenvolvimento_services
from fabrica.desenvolvimento.llm.cliente import ClienteModelo, ConfigModelo
from fabrica.desenvolvimento.tetos import CotaNoBanco
from fabrica.models import Construcao, ModeloPrecificacao, Orcamento, Release
from fabrica.precificacao.calibracao import AmostraTokens, ajustar_tokens
from fabrica.precificacao.modelo import TOKENS_INICIAIS, unidades
from fabrica.precificacao.services import tokens_calibrar
from fabrica.specs.formato import tamanho_por_vertente
from tests.apoio import TIPOS_INTERNOS, construir, desenvolver, nova_versao, orcar
from tests.fabrica.apoio_modelo import andaime, implementacao, spec_002
from tests.servidor_llm import ServidorFalso
from tests.servidores import url_do_banco_de_teste

CHAVE = "sk-custo-5a4b3c2d1e-nunca-aparece"
RAIZ = Path(__file__).resolve().parents[2]


@pytest.fixture
def servidor(tmp_path):
    with ServidorFalso(tmp_path) as falso:
        yield falso


@pytest.fixture
def com_modelo(settings, servidor):
    """A model configured before the budget is priced (list it before ``orcamento_pronto``)."""
    settings.PROMETHEUS_LLM = _llm(servidor.url)
    settings.PROMETHEUS_LLM_API_KEY = CHAVE
    return servidor


def _llm(url: str, **tetos: int) -> dict:
    return {
        "url": url,
        "modelo": "falso-1",
        "timeout_s": 10,
        "tentativas": 0,
        "tempo_total_s": 20,
        "tokens_release": tetos.get("release", 200_000),
        "tokens_orcamento": tetos.get("orcamento", 1_000_000),
        "max_resposta": 4096,
        "gerar": ("E",),
        "corrigir": ("E", "P", "D", "I", "C"),
        "preco_entrada": Decimal("0.50"),
        "preco_saida": Decimal("1.50"),
    }


def _unidades(orcamento: Orcamento) -> dict[str, int]:
    return {v: unidades(v, m) for v, m in tamanho_por_vertente(orcamento.spec.conteudo).items()}


def test_sem_modelo_o_orcamento_nao_tem_tokens(settings, specs_exemplo):
    settings.PROMETHEUS_LLM = None
    orcamento = orcar("spec_002")
    assert "tokens_modelo" not in orcamento.esforco and "modelo" not in orcamento.custo
    assert not [c for c in orcamento.explicacao if "tokens_modelo" in c or c == "custo.modelo"]


def test_estimativa_por_vertente_explicada_na_pagina_e_na_api(settings, specs_exemplo, cliente_como, api_como):
    settings.PROMETHEUS_LLM = _llm("http://127.0.0.1:9/v1", release=50_000, orcamento=120_000)
    orcamento = orcar("spec_002")
    por_unidade = TOKENS_INICIAIS["tokens_por_unidade"]  # no build recorded yet: the prior
    esperado = {v: u * por_unidade[v] for v, u in _unidades(orcamento).items()}
    assert set(esperado) == {"D", "E"} and all(esperado.values())
    assert orcamento.esforco["tokens_modelo_por_vertente"] == esperado
    assert orcamento.esforco["tokens_modelo"] == sum(esperado.values())
    explicacao = orcamento.explicacao["esforco.tokens_modelo.E"]
    assert explicacao["coeficientes"] == {"tokens_por_unidade[E]": por_unidade["E"]}
    assert explicacao["modelo"] == f"v{orcamento.modelo.versao}"
    # 80 % of the tokens at the input price, 20 % at the output price, per million.
    total = sum(esperado.values())
    assert orcamento.custo["modelo"]["custo"] == f"{total * (0.8 * 0.5 + 0.2 * 1.5) / 1e6:.4f}"
    assert orcamento.custo["modelo"] | {"custo": ""} == {
        "nome": "falso-1",
        "tokens": total,
        "custo": "",
        "teto_release": 50_000,
        "teto_orcamento": 120_000,
    }

    html = cliente_como("po").get(f"/orcamentos/{orcamento.pk}/").content.decode()
    assert f"cerca de {total} tokens do modelo falso-1" in html
    assert "Cada parte da spec custa tokens na proporção do seu tamanho" in html
    assert "teto de 50000 tokens por release, ou de 120000 por orçamento" in html
    assert 'data-chave="esforco.tokens_modelo.E"' in html
    ingles = cliente_como("po")
    ingles.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = ingles.get(f"/orcamentos/{orcamento.pk}/").content.decode()
    assert f"about {total} tokens of the model falso-1" in html
    assert "Each part of the spec costs tokens in proportion to its size" in html
    assert "Model tokens — " in html

    corpo = api_como("po").get(f"/api/orcamentos/{orcamento.pk}/").json()
    assert corpo["esforco"]["tokens_modelo_por_vertente"] == esperado
    assert corpo["custo"]["modelo"]["teto_release"] == 50_000
    assert corpo["tokens_gastos"] == 0
    assert corpo["explicacao"]["esforco.tokens_modelo"]["valor"] == total


def test_release_mostra_estimado_e_gasto_e_a_calibracao_aprende_com_ela(
    com_modelo, sandbox_rapido, orcamento_pronto, elenco, cliente_como, api_como
):
    servidor = com_modelo
    modelos = andaime(spec_002())
    servidor.roteirizar(
        [{"contem": ["O que falta implementar"], "conteudo": implementacao(modelos), "uso": [9000, 1000]}]
    )
    orcamento = orcamento_pronto
    estimado = orcamento.esforco["tokens_modelo_por_vertente"]
    release = desenvolver(orcamento, elenco["po"])
    assert release.testes_passaram, (release.geracao, [t for t in release.testes if t["status"] != "passou"][:2])
    assert release.recursos["E"]["tokens"] == 10_000 and release.recursos["D"]["tokens"] == 0
    orcamento.refresh_from_db()
    assert orcamento.tokens_gastos == 10_000  # the budget's counter: what the call really spent
    assert Construcao.objects.get(item=release.item_origem).tokens_gastos == 10_000

    tokens = api_como("po").get(f"/api/releases/{release.pk}/").json()["tokens_modelo"]
    assert tokens["real"] == 10_000 and tokens["gastos_orcamento"] == 10_000
    assert [(v["vertente"], v["estimado"], v["real"]) for v in tokens["vertentes"]] == [
        ("D", estimado["D"], 0),
        ("E", estimado["E"], 10_000),
    ]
    assert tokens["estimado"] == sum(estimado.values())
    html = cliente_como("po").get(f"/releases/{release.pk}/").content.decode()
    assert "Tokens do modelo: estimados × gastos" in html and 'id="tokens-modelo"' in html
    assert CHAVE not in html

    # Calibration: E's tokens per unit become what E's build spent over E's size units.
    antes = ModeloPrecificacao.objects.order_by("-versao").first()
    novo = tokens_calibrar()
    assert novo.versao == antes.versao + 1
    u = _unidades(orcamento)
    assert novo.coeficientes["tokens_por_unidade"]["E"] == round(10_000 / u["E"], 2)
    assert novo.coeficientes["tokens_por_unidade"]["D"] == 0  # D's build needed no model
    assert novo.coeficientes["fracao_saida"] == 0.1
    assert novo.coeficientes["ajuste_tokens"]["amostras"] == 1
    assert novo.coeficientes["tokens_por_unidade"]["P"] == TOKENS_INICIAIS["tokens_por_unidade"]["P"]
    # The next budget is priced with the new version; this one keeps the version that priced it.
    nova_versao("spec_002")
    proximo = orcar("spec_002")
    assert proximo.modelo == novo
    assert proximo.esforco["tokens_modelo_por_vertente"]["E"] == round(u["E"] * round(10_000 / u["E"], 2))
    assert proximo.explicacao["esforco.tokens_modelo.E"]["modelo"] == f"v{novo.versao}"


def test_o_teto_da_release_para_a_segunda_vertente_depois_que_a_primeira_gastou(
    com_modelo, settings, sandbox_rapido, orcamento_pronto, elenco, api_como, cliente_como, monkeypatch
):
    """A hotfix: D is asked first (the reason is read by every vertente the model corrects) and
    spends almost all of the release's ceiling; E, built as its own item, finds the shared
    counter full: its calls are refused saying so, the item is concluded once, nothing is lost.
    The vertente items are taken in the queue's order (D, then E): the splitting worker does not
    build its longest vertente (E) first here, as ``services._construir_a_mais_longa`` would."""
    monkeypatch.setattr(desenvolvimento_services, "_construir_a_mais_longa", lambda gerados: None)
    servidor = com_modelo
    settings.PROMETHEUS_LLM = _llm(servidor.url, release=30_000)
    modelos = andaime(spec_002())
    servidor.roteirizar(
        [
            {"contem": ["O que falta implementar"], "conteudo": implementacao(modelos), "uso": [1000, 100]},
            {"contem": ["# WORKER_D"], "conteudo": "Nada a mudar em D.", "uso": [29_000, 900]},
        ]
    )
    v1 = desenvolver(orcamento_pronto, elenco["po"])
    caso = {"dado": {"data_nascimento": "2010-06-15", "referencia": "2026-06-14"}, "espera": {"idade": 15}}
    resp = api_como("sistema").post(
        "/api/backlog/itens/",
        {"tipo": "corrigir_bug", "contexto": {"feature_ref": v1.rotulo_versao, "erro": "idade errada", "caso": caso}},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    item = Item.objects.get(pk=resp.json()["id"])
    hotfix = construir(item)
    # D spent 29,900 of the 30,000: E's generation and its corrections were not sent.
    assert hotfix.recursos["D"]["tokens"] == 29_900 and hotfix.recursos["E"]["tokens"] == 0
    assert len(servidor.pedidos()) == 2  # v1's generation and D's correction: nothing from E
    recusas = [hotfix.geracao[0]["modelo"]["falha"]] + [
        t["modelo"]["falha"] for t in hotfix.tentativas if t["vertente"] == "E"
    ]
    assert recusas and all("Teto de tokens por release (30000 tokens" in f for f in recusas)
    assert all("O modelo não foi chamado" in f for f in recusas)
    assert Construcao.objects.get(item=item).tokens_gastos == 29_900
    orcamento_pronto.refresh_from_db()
    assert orcamento_pronto.tokens_gastos == 1_100 + 29_900  # the budget counts both releases
    # Said on the release page; the item concluded once, one hotfix, nothing left to build.
    html = cliente_como("po").get(f"/releases/{hotfix.pk}/").content.decode()
    assert 'id="teto-atingido"' in html and "O teto de tokens impediu" in html
    item.refresh_from_db()
    assert item.status == Status.CONCLUIDO
    assert Release.objects.filter(item_origem=item).count() == 1
    assert processar_proximo(["corrigir_bug", *TIPOS_INTERNOS]) is None


def _cliente(url: str, cota: CotaNoBanco) -> ClienteModelo:
    config = ConfigModelo(url=url, modelo="falso-1", chave=CHAVE, tentativas=0, tokens_release=5000)
    return ClienteModelo(config, cota=cota, dormir=lambda s: None)


def test_teto_do_orcamento_entre_releases(servidor, orcamento_pronto, elenco):
    """Two builds of one budget (two releases), each with its own release ceiling: the budget's
    counter stops the second."""
    servidor.roteirizar([{"conteudo": "x", "uso": [7000, 900], "vezes": 5}])
    construcoes = [
        Construcao.objects.create(item=item, spec_ref="spec_002")
        for item in (orcamento_pronto.item_orcar, orcamento_pronto.item_aprovacao)
    ]
    cotas = [
        CotaNoBanco(construcao_id=c.pk, orcamento_id=orcamento_pronto.pk, tokens_release=10_000, tokens_orcamento=8000)
        for c in construcoes
    ]
    config = ConfigModelo(url=servidor.url, modelo="falso-1", tentativas=0, tokens_release=10_000)
    primeira = ClienteModelo(config, cota=cotas[0]).conversar("s", "u")
    assert not primeira.falha and primeira.tokens_entrada + primeira.tokens_saida == 7900
    segunda = ClienteModelo(config, cota=cotas[1]).conversar("s", "u")
    assert segunda.falha.startswith("Teto de tokens por orçamento (8000 tokens")
    assert "restam 100" in segunda.falha
    orcamento_pronto.refresh_from_db()
    assert orcamento_pronto.tokens_gastos == 7900
    assert [Construcao.objects.get(pk=c.pk).tokens_gastos for c in construcoes] == [7900, 0]


PROCESSO = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prometheus_site.settings")
django.setup()
from fabrica.desenvolvimento.llm.cliente import ClienteModelo, ConfigModelo
from fabrica.desenvolvimento.tetos import CotaNoBanco
url, construcao, orcamento = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cota = CotaNoBanco(construcao_id=construcao, orcamento_id=orcamento, tokens_release=5000, tokens_orcamento=10**6)
chamada = ClienteModelo(ConfigModelo(url=url, modelo="falso-1", tentativas=0), cota=cota).conversar("s", "u")
print(json.dumps({"falha": chamada.falha, "tokens": chamada.tokens_entrada + chamada.tokens_saida}))
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_o_contador_e_do_banco_outro_processo_gasta_este_e_recusado(servidor, orcamento_pronto, tmp_path):
    """The first vertente's call made by another process (another node) fills the release's
    ceiling; this process's client, which spent nothing itself, is refused."""
    servidor.roteirizar([{"conteudo": "x", "uso": [4800, 100], "vezes": 2}])
    construcao = Construcao.objects.create(item=orcamento_pronto.item_orcar, spec_ref="spec_002")
    script = tmp_path / "no.py"
    script.write_text(PROCESSO, encoding="utf-8")
    ambiente = {**os.environ, "DATABASE_URL": url_do_banco_de_teste(), "PYTHONPATH": str(RAIZ)}
    feito = subprocess.run(  # noqa: S603 - this test's script
        [sys.executable, str(script), servidor.url, str(construcao.pk), str(orcamento_pronto.pk)],
        capture_output=True,
        text=True,
        cwd=RAIZ,
        env=ambiente,
        timeout=120,
        check=False,
    )
    assert feito.returncode == 0, feito.stderr
    assert json.loads(feito.stdout.strip().splitlines()[-1]) == {"falha": "", "tokens": 4900}
    cota = CotaNoBanco(
        construcao_id=construcao.pk, orcamento_id=orcamento_pronto.pk, tokens_release=5000, tokens_orcamento=10**6
    )
    chamada = _cliente(servidor.url, cota).conversar("s", "u")
    assert chamada.falha.startswith("Teto de tokens por release (5000 tokens, somadas todas as vertentes)")
    assert "restam 100" in chamada.falha
    assert len(servidor.pedidos()) == 1  # the refused call never reached the model
    construcao.refresh_from_db()
    assert construcao.tokens_gastos == 4900
    assert CHAVE not in feito.stdout + feito.stderr


def test_ajuste_dos_tokens_razao_das_somas_com_zeros_e_fracao_de_saida():
    amostras = [
        AmostraTokens(
            unidades={"E": 10, "D": 5},
            reais={"E": 8000, "D": 0},
            estimados={"E": 6000, "D": 1500},
            entrada=7000,
            saida=1000,
        ),
        AmostraTokens(
            unidades={"E": 30, "D": 5},
            reais={"E": 16000, "D": 1000},
            estimados={"E": 18000, "D": 1500},
            entrada=15000,
            saida=2000,
        ),
    ]
    atuais = dict(TOKENS_INICIAIS["tokens_por_unidade"])
    ajuste = ajustar_tokens(amostras, atuais, 0.2)
    assert ajuste.tokens_por_unidade["E"] == 24000 / 40 and ajuste.tokens_por_unidade["D"] == 1000 / 10
    assert {v: ajuste.tokens_por_unidade[v] for v in "PIC"} == {v: atuais[v] for v in "PIC"}
    assert ajuste.fracao_saida == round(3000 / 25000, 4)
    # Totals: 8000 against 10 × 600 + 5 × 100, 17000 against 30 × 600 + 5 × 100; before, 7500 and 19500.
    assert ajuste.mmre == round((1500 / 8000 + 1500 / 17000) / 2, 4)
    assert ajuste.mmre_anterior == round((500 / 8000 + 2500 / 17000) / 2, 4)
    assert ajuste.amostras == 2
