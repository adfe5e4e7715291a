"""Issue 16 item 7 in a real browser: the pages outside the PO's layout (the API docs, the admin)
work under the Content-Security-Policy — the conftest fails any test whose pages the policy
refused something on — and a login paused by django-axes explains itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fabrica.capacidades.services import capacidade_salvar
from tests.apoio import orcar
from tests.e2e.conftest import SENHA

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_docs_da_api_funcionam_sob_a_csp(entrar_como):
    sistema = entrar_como("sistema")
    resposta = sistema.goto("/api/docs/")
    assert "script-src 'self'" in resposta.headers["content-security-policy"]
    # Swagger UI ran (its settings are a script of their own) and read the schema.
    expect(sistema.locator(".opblock-summary-path").first).to_be_visible()
    expect(sistema.get_by_text("/api/backlog/consumir/", exact=True)).to_be_visible()


def test_paginas_do_admin_funcionam_sob_a_csp(entrar_como, specs_exemplo):
    orcar("spec_001")
    capacidade_salvar(tipo="api_externa", nome="whisper_api", por=None)
    admin = entrar_como("admin")
    for endereco in ("/admin/", "/admin/fabrica/capacidade/", "/admin/fabrica/spec/", "/admin/backlog/item/"):
        resposta = admin.goto(endereco)
        assert resposta.status == 200, endereco
        assert "default-src 'self'" in resposta.headers["content-security-policy"], endereco
    # The admin's own scripts run: the action bar of a change list counts what is checked.
    admin.goto("/admin/fabrica/spec/")
    admin.locator("#action-toggle").check()
    expect(admin.locator(".action-counter")).to_contain_text("selecionado")
    # The project's admin stylesheet applies (it was a style= attribute).
    admin.goto("/admin/fabrica/capacidade/")
    expect(admin.locator(".gaps-abertos table")).to_have_css(
        "width", admin.locator(".gaps-abertos").evaluate("e => getComputedStyle(e).width")
    )


def test_entrada_pausada_explica_o_que_houve(abrir_contexto, elenco, settings):
    settings.AXES_FAILURE_LIMIT = 3
    page = abrir_contexto().new_page()
    page.goto("/contas/login/")
    for _ in range(2):
        page.get_by_label("Usuário").fill("po")
        page.get_by_label("Senha").fill("errada")
        page.get_by_role("button", name="Entrar").click()
        expect(page.locator(".aviso.error")).to_contain_text("Usuário ou senha incorretos")
    page.get_by_label("Usuário").fill("po")
    page.get_by_label("Senha").fill("errada")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Muitas tentativas de entrar")
    expect(page.locator("#bloqueado")).to_contain_text("Depois de 3 tentativas sem sucesso")
    expect(page.locator("#bloqueado")).to_contain_text("daqui a 15 minutos")

    # Even the right password is refused now, with the same page.
    page.get_by_role("link", name="Voltar à página de entrada").click()
    page.get_by_label("Usuário").fill("po")
    page.get_by_label("Senha").fill(SENHA)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Muitas tentativas de entrar")


def test_o_elenco_entra_depois_de_um_bloqueio_em_outro_teste(entrar_como):
    """The previous test locked `po` out; each test starts with no login attempts recorded."""
    po = entrar_como("po")
    expect(po.get_by_role("heading", level=1)).to_have_text("Decisões")


def test_paginas_sem_teste_de_navegador_proprio_funcionam_sob_a_csp(entrar_como, specs_exemplo):
    """Pages the other browser tests do not open: the conftest fails this test if the policy
    refused anything on them (the metrics' charts are SVG drawn by attributes, not style=)."""
    orcar("spec_001")
    po = entrar_como("po")
    for endereco in ("/metricas/", "/specs/", "/ambientes/", "/contas/password_change/"):
        resposta = po.goto(endereco)
        assert resposta.status == 200, endereco
        assert "style-src 'self'" in resposta.headers["content-security-policy"], endereco
    expect(po.get_by_role("heading", level=1).first).to_be_visible()
