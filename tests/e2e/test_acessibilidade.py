"""Accessibility basics (issue 11, item 10): axe-core (bundled by axe-playwright-python, injected
into the page by Playwright, never fetched) finds no serious or critical violation on the inbox,
the budget page, the capability form and the login page; the skip link and the current place."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from fabrica.models import Capacidade
from tests.apoio import orcar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GRAVES = {"serious", "critical"}


def _graves(page) -> list[str]:
    resultado = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in resultado["violations"]
        if v["impact"] in GRAVES
    ]


@pytest.fixture
def orcamentos(specs_exemplo):
    Capacidade.objects.create(tipo="container", nome="postgres")
    return {"bloqueado": orcar("spec_001"), "pronto": orcar("spec_002")}


def test_login_sem_violacoes_graves(pagina):
    pagina.goto("/contas/login/")
    assert _graves(pagina) == []


@pytest.mark.parametrize("largura", [1280, 390])
def test_caixa_e_orcamento_sem_violacoes_graves(entrar_como, orcamentos, largura):
    po = entrar_como("po", largura=largura)
    for url in ("/", "/?aba=espera", "/?aba=decididos", f"/orcamentos/{orcamentos['bloqueado'].pk}/"):
        po.goto(url)
        assert _graves(po) == [], url
    po.goto(f"/orcamentos/{orcamentos['pronto'].pk}/")
    po.get_by_text("Detalhes do cálculo").click()
    assert _graves(po) == []


def test_formulario_de_capacidade_sem_violacoes_graves(entrar_como, orcamentos):
    admin = entrar_como("admin")
    admin.goto("/admin/fabrica/capacidade/add/?tipo=hardware&nome=gpu")
    expect(admin.locator("#previa-capacidade")).to_contain_text("resolverá 1 gap")
    assert _graves(admin) == []


def test_link_de_pular_leva_ao_conteudo(entrar_como, orcamentos):
    po = entrar_como("po")
    po.keyboard.press("Tab")
    pular = po.get_by_role("link", name="Pular para o conteúdo")
    expect(pular).to_be_focused()
    expect(pular).to_be_in_viewport()
    pular.press("Enter")
    expect(po.locator("main#conteudo")).to_be_focused()
    expect(po.get_by_role("link", name="A decidir")).to_have_attribute("aria-current", "page")
