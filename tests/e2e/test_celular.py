"""Phones (issue 11): at 390 px the pages never scroll sideways, the inbox rows are stacked cards,
the header takes one line and wide tables scroll inside their own box.

Every place of the navigation the PO and the admin may open is visited, so a new list page
(releases, deployments) registered in ``prometheus_site.navegacao`` is checked as it comes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fabrica.decisoes import services as decisoes
from fabrica.models import Capacidade
from tests.apoio import orcar

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


def _sem_rolagem_lateral(page, onde: str) -> None:
    largura = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page.evaluate(SEM_ROLAGEM_LATERAL), f"{onde} scrolls sideways at {CELULAR} px: {largura}"


def _cabecalho_numa_linha(page) -> None:
    # One line: the brand, the places and the account menu share one row of the header.
    alturas = page.evaluate(
        "[...document.querySelectorAll('.topo > *')].map(e => Math.round(e.getBoundingClientRect().top))"
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
            rotulo = linha.locator("td").last.evaluate("td => getComputedStyle(td, '::before').content")
            assert rotulo == '"Esperando por"', rotulo
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
