"""Issue 17, item 3 in a real browser: the admin's inbox shows every kind of decision waiting (a
budget, a release, a deployment to validate, a failed deployment) read-only, says who decides, and
its filter by kind works without JavaScript, kept in the address with the search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fabrica.models import Ambiente
from tests.fabrica.implantacao.conftest import (  # noqa: F401 - fixtures shared with the service tests
    fazer_release,
    implantacoes_dir,
    implantar,
    spec_teste,
)
from tests.fabrica.implantacao.test_caixa_todos_os_tipos import _release_aberta

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def um_de_cada(orcamento_pronto, fazer_release, spec_teste) -> dict:  # noqa: F811
    """Its own environments (the shared ones recurse when imported here): homologacao without
    smoke checks, teste whose smoke check fails."""
    Ambiente.objects.create(nome="homologacao", ordem=10, configuracao={"smoke": False})
    Ambiente.objects.create(nome="teste", ordem=5, configuracao={"smoke": ["sh", "-c", "echo quebrou; exit 1"]})
    testes = [
        {"vertente": "E", "nome": "test_a", "caso": 1, "status": "passou", "mensagem": ""},
        {"vertente": "E", "nome": "test_b", "caso": 2, "status": "falhou", "mensagem": "assert 1 == 2"},
    ]
    return {
        "orcamento": orcamento_pronto,
        "validar_implantacao": implantar(fazer_release(1)),
        "falha_implantacao": implantar(fazer_release(2), "teste"),
        "release": _release_aberta(spec_teste, 3, testes),
    }


def test_admin_ve_cada_tipo_so_para_ler_e_filtra(entrar_como, um_de_cada, live_server):
    admin = entrar_como("admin", proxima="/")
    linhas = admin.locator("#caixa tbody tr")
    for tipo, obj in um_de_cada.items():
        expect(admin.locator(f'#caixa tr[data-id="{tipo}-{obj.pk}"]')).to_be_visible()
    expect(linhas).to_have_count(4)
    expect(admin.locator("#somente-leitura")).to_contain_text("Somente leitura")
    expect(admin.locator("#quem-decide li")).to_have_count(4)
    expect(admin.locator("#quem-decide")).to_contain_text("o grupo PO")

    # The filter by kind: a link with its count; the tabs and the search keep it.
    admin.locator("#tipos").get_by_role("link", name=re.compile("Releases")).click()
    expect(admin).to_have_url(re.compile(r"tipo=release"))
    expect(linhas).to_have_count(1)
    expect(linhas.first.locator('td[data-coluna="testes"]')).to_contain_text("1 de 2 testes passaram")
    admin.get_by_label("Buscar spec").fill("spec_002")
    admin.get_by_role("button", name="Buscar").click()
    expect(admin).to_have_url(re.compile(r"q=spec_002.*tipo=release|tipo=release.*q=spec_002"))
    expect(admin.locator("#sem-resultado")).to_be_visible()
    admin.locator("#tipos").get_by_role("link", name=re.compile("Todos")).click()
    expect(linhas).to_have_count(1)
    expect(admin.locator(f'#caixa tr[data-id="orcamento-{um_de_cada["orcamento"].pk}"]')).to_be_visible()

    # A failed deployment opened from the inbox offers the admin no decision.
    admin.goto("/?tipo=falha_implantacao")
    falha = um_de_cada["falha_implantacao"]
    expect(admin.locator(f'#caixa tr[data-id="falha_implantacao-{falha.pk}"]')).to_contain_text("quebrou")
    admin.locator(f'#caixa tr[data-id="falha_implantacao-{falha.pk}"]').get_by_role("link").click()
    expect(admin).to_have_url(f"{live_server.url}/implantacoes/{falha.pk}/")
    expect(admin.get_by_role("button", name="Repetir…")).to_have_count(0)
