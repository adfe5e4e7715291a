"""Phones (issue 11): at 390 px the pages never scroll sideways, the inbox rows are stacked cards,
the header takes one line and wide tables scroll inside their own box.

Every place of the navigation the PO and the admin may open is visited, so a new list page
(releases, deployments) registered in ``prometheus_site.navegacao`` is checked as it comes."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fabrica.decisoes import services as decisoes
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente, Capacidade, Release
from tests.apoio import orcar
from tests.fabrica.implantacao.conftest import (  # noqa: F401 - fixtures shared with the service tests
    artefato,
    artefatos_de,
    fazer_release,
    implantacoes_dir,
    implantar,
    spec_teste,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CELULAR = 390
SEM_ROLAGEM_LATERAL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def orcamentos(elenco, specs_exemplo):
    """One budget in each tab of the inbox: blocked (spec_001), ready (spec_004), decided (spec_002)."""
    Capacidade.objects.create(tipo="container", nome="postgres")
    bloqueado, pronto, decidido = orcar("spec_001"), orcar("spec_004"), orcar("spec_002")
    decisoes.orcamento_rejeitar(
        orcamento_id=decidido.pk, por=elenco["po"], motivo="Caro demais para o trimestre; rever a cobertura."
    )
    return {"bloqueado": bloqueado, "pronto": pronto, "decidido": decidido}


# The elements reaching past the screen's right edge whose children don't: what to fix.
LARGOS_DEMAIS = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
    && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .filter(e => { for (let a = e.parentElement; a; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== 'visible') return false; return true; })
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _sem_rolagem_lateral(page, onde: str) -> None:
    largura = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(SEM_ROLAGEM_LATERAL), (
        f"{onde} scrolls sideways at {CELULAR} px: {largura}; {page.evaluate(LARGOS_DEMAIS)}"
    )


def _cabecalho_numa_linha(page) -> None:
    # One line: the brand, the places (or their menu) and the account menu share one row.
    alturas = page.evaluate(
        "[...document.querySelectorAll('.topo > *')].filter(e => e.getClientRects().length)"
        ".map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert max(alturas) - min(alturas) <= 6, alturas
    assert page.locator("header.topo").bounding_box()["height"] <= 56


@pytest.mark.parametrize("quem", ["po", "admin"])
def test_lugares_da_navegacao_cabem_num_celular(entrar_como, orcamentos, quem, fotografar):
    page = entrar_como(quem, largura=CELULAR)
    lugares = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    assert lugares, "the navigation shows this role's places"
    internos = [url for url in lugares if not url.startswith("/admin/") and not url.startswith("/api/")]
    for url in internos:
        page.goto(url)
        _sem_rolagem_lateral(page, url)
        _cabecalho_numa_linha(page)


def test_caixa_vira_cartoes_empilhados(entrar_como, orcamentos, fotografar):
    page = entrar_como("po", largura=CELULAR)
    for aba, orc in (("decidir", "pronto"), ("espera", "bloqueado"), ("decididos", "decidido")):
        page.goto(f"/?aba={aba}")
        linha = page.locator(f'#caixa tbody tr[data-id="orcamento-{orcamentos[orc].pk}"]')
        expect(linha).to_be_visible()
        # A card: the row is a block, each value under its column's name, nothing cut off.
        assert linha.evaluate("tr => getComputedStyle(tr).display") == "block"
        # The column names moved into each card; the header row is there only for screen readers.
        assert page.locator("#caixa thead").evaluate("t => t.getBoundingClientRect().height <= 1")
        for celula in linha.locator("td").all():
            assert celula.evaluate("td => td.scrollWidth <= td.clientWidth + 1"), celula.inner_text()
        caixa = linha.bounding_box()
        assert caixa["x"] >= 0 and caixa["x"] + caixa["width"] <= CELULAR
        _sem_rolagem_lateral(page, f"the inbox ({aba})")
        _cabecalho_numa_linha(page)
        if aba == "espera":
            # Each value under its column's name: the columns differ by kind of decision now, so
            # every shown cell is checked against the name it carries.
            for celula in linha.locator("td[data-rotulo]:visible").all():
                rotulo = celula.evaluate("td => getComputedStyle(td, '::before').content")
                assert rotulo == f'"{celula.get_attribute("data-rotulo")}"', rotulo
            fotografar(page, "inbox-celular")


@pytest.mark.parametrize("qual", ["bloqueado", "pronto", "decidido"])
def test_pagina_do_orcamento_cabe_num_celular(entrar_como, orcamentos, qual, fotografar):
    page = entrar_como("po", largura=CELULAR)
    page.goto(f"/orcamentos/{orcamentos[qual].pk}/")
    page.get_by_text("Detalhes do cálculo").click()
    expect(page.locator("#explicacoes")).to_be_visible()
    _sem_rolagem_lateral(page, f"the {qual} budget")
    _cabecalho_numa_linha(page)
    # The calculation table is wider than a phone: it scrolls inside its own box.
    caixa = page.locator("#detalhes-calculo .tabela")
    assert caixa.evaluate("d => d.scrollWidth > d.clientWidth"), "the table fits: nothing to prove"
    assert caixa.evaluate("d => getComputedStyle(d).overflowX") == "auto"
    caixa.evaluate("d => d.scrollLeft = d.scrollWidth")
    assert caixa.evaluate("d => d.scrollLeft > 0")
    _sem_rolagem_lateral(page, f"the {qual} budget, its table scrolled")
    if qual == "bloqueado":
        fotografar(page, "orcamento-celular")


def test_menu_da_conta_abre_dentro_da_tela(entrar_como, orcamentos):
    page = entrar_como("po", largura=CELULAR)
    page.locator("details.conta summary").click()
    menu = page.locator("details.conta .menu")
    expect(menu.get_by_role("button", name="Sair")).to_be_visible()
    caixa = menu.bounding_box()
    assert caixa["x"] >= 0 and caixa["x"] + caixa["width"] <= CELULAR
    _sem_rolagem_lateral(page, "the open account menu")


# --- every page of a release's life (issue 17 item 9) ---------------------------------------------

CAMINHO_LONGO = "src/spec_teste/dominio/entidades/um_modulo_com_um_nome_longo_demais_para_um_celular_de_390_px.py"
TESTE_LONGO = "test_caso_pairwise_idioma_pt_duracao_longa_formato_mp3_qualidade_alta_espera_transcricao_completa"


def _com_nomes_longos(release: Release) -> Release:
    """What made a phone scroll sideways: a long artefact path and long test names."""
    release.artefatos = [*release.artefatos, artefato(CAMINHO_LONGO, "X = 1\n" * 3)]
    release.testes = [
        {"vertente": "E", "nome": TESTE_LONGO, "arquivo": f"tests/{TESTE_LONGO}.py", "caso": "c1", "status": "passou"},
        {
            "vertente": "E",
            "nome": TESTE_LONGO + "_2",
            "arquivo": "tests/x.py",
            "caso": "c2",
            "status": "falhou",
            "mensagem": "AssertionError: " + "x" * 300,
        },
    ]
    release.save(update_fields=["artefatos", "testes"])
    return release


@pytest.fixture
def vida_da_release(elenco, fazer_release):  # noqa: F811
    """A release at each step: open, deployed (awaiting validation), failed, rejected, and the
    environment that ran them."""
    Ambiente.objects.create(nome="homologacao", ordem=10, configuracao={"smoke": False})
    aberta = _com_nomes_longos(fazer_release(1, aprovada=False))
    implantada = implantar(_com_nomes_longos(fazer_release(2)))
    Ambiente.objects.filter(nome="homologacao").update(configuracao={})
    falhou = implantar(_com_nomes_longos(fazer_release(3, smoke_passa=False)))
    assert falhou.falha == Implantacao.Falha.PENDENTE
    rejeitada = _com_nomes_longos(fazer_release(4, aprovada=False))
    Release.objects.filter(pk=rejeitada.pk).update(
        status=Release.Status.REJEITADA,
        decidido_por=elenco["po"],
        decidido_em=timezone.now(),
        motivo="O caminho " + CAMINHO_LONGO + " não deveria existir; " + "sem espaços" * 20,
    )
    return {"aberta": aberta, "implantada": implantada, "falhou": falhou, "rejeitada": rejeitada}


def _paginas_da_vida(v: dict) -> list[str]:
    return [
        f"/releases/{v['aberta'].pk}/",
        f"/releases/{v['implantada'].release_id}/",
        f"/implantacoes/{v['implantada'].pk}/",
        f"/implantacoes/{v['falhou'].pk}/",
        f"/releases/{v['falhou'].release_id}/",
        f"/releases/{v['rejeitada'].pk}/",
        "/ambientes/homologacao/",
        "/ambientes/",
        f"/specs/{v['aberta'].spec_id}/",
        "/metricas/",
    ]


@pytest.mark.parametrize("quem", ["po", "admin"])
def test_cada_pagina_da_vida_de_uma_release_cabe_num_celular(entrar_como, vida_da_release, quem, fotografar):
    page = entrar_como(quem, largura=CELULAR)
    for url in _paginas_da_vida(vida_da_release):
        page.goto(url)
        _sem_rolagem_lateral(page, url)
        _cabecalho_numa_linha(page)
        # Everything folded opened (artefacts, tests, attempts, logs): paths wrap, code scrolls
        # inside its own box.
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        _sem_rolagem_lateral(page, f"{url} with everything unfolded")
    page.goto(f"/releases/{vida_da_release['aberta'].pk}/")
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    caminho = page.locator(f'details.artefato[data-caminho="{CAMINHO_LONGO}"] summary code')
    caixa = caminho.bounding_box()
    assert caixa["x"] >= 0 and caixa["x"] + caixa["width"] <= CELULAR, caixa
    if quem == "po":
        fotografar(page, "release-celular")


def test_dialogo_de_confirmacao_cabe_num_celular(entrar_como, vida_da_release):
    page = entrar_como("po", largura=CELULAR)
    page.goto(f"/releases/{vida_da_release['aberta'].pk}/")
    page.locator("#motivo-rejeitar").fill("Falta o campo " + CAMINHO_LONGO)
    page.get_by_role("button", name="Rejeitar…").click()
    dialogo = page.locator("#confirmar-rejeitar-release")
    expect(dialogo).to_be_visible()
    caixa = dialogo.bounding_box()
    assert caixa["x"] >= 0 and caixa["x"] + caixa["width"] <= CELULAR, caixa
    _sem_rolagem_lateral(page, "the open confirmation dialog")


@pytest.mark.parametrize("quem", ["po", "admin"])
def test_menu_dos_lugares_abre_e_mostra_todos(entrar_como, orcamentos, quem):
    page = entrar_como(quem, largura=CELULAR)
    lugares = page.locator("header nav.lugares a")
    esperados = [a.inner_text() for a in lugares.all()]
    assert esperados, "this role has places"
    expect(lugares.first).to_be_hidden()  # the row of places gives way to the menu on a phone
    page.locator("details.menu-lugares summary").click()
    menu = page.locator("details.menu-lugares .menu")
    expect(menu.locator("a")).to_have_text(esperados)
    for link in menu.locator("a").all():
        expect(link).to_be_visible()
        caixa = link.bounding_box()
        assert caixa["x"] >= 0 and caixa["x"] + caixa["width"] <= CELULAR, link.inner_text()
    _sem_rolagem_lateral(page, "the open places menu")
    # The menu works without a script: its links are plain links; the last one opens its place.
    destino = menu.locator("a").last.get_attribute("href")
    menu.locator("a").last.click()
    page.wait_for_load_state()
    assert page.url.endswith(destino) or "/admin/" in destino or "/api/" in destino


def test_metricas_num_celular(entrar_como, vida_da_release, fotografar):
    """Walking issue 18 at 390 px: the numbers' counts stay inside their cards, the table of DORA
    bands reads one key at a time (no sideways scroll inside it), the charts fit the screen."""
    page = entrar_como("po", largura=CELULAR)
    page.goto("/metricas/")
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    _sem_rolagem_lateral(page, "/metricas/")
    fora_do_cartao = page.evaluate(
        """[...document.querySelectorAll('.metrica')].flatMap(c => {
             const r = c.getBoundingClientRect();
             return [...c.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > r.right + 1)
               .map(e => c.dataset.metrica + ': ' + e.textContent.slice(0, 40)); })"""
    )
    assert fora_do_cartao == []
    faixas = page.locator("#tabela-faixas")
    assert faixas.locator("thead").is_hidden()
    assert faixas.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
    assert faixas.locator("tr[data-chave='lead_time'] .so-estreito").first.is_visible()
    for grafico in page.locator("figure.grafico svg").all():
        caixa = grafico.bounding_box()
        assert caixa["x"] >= 0 and caixa["x"] + caixa["width"] <= CELULAR, caixa
    fotografar(page, "metricas-celular")
