"""E-mail notices in the browser (issue 17 item 4): the PO turns them off on the profile page
reached from the account menu (on a phone too), gets none while off, turns them on again and
follows the e-mail's link to the decision. E-mails land in Django's test outbox (the live
server runs in this process)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from fabrica import tasks
from fabrica.models import Capacidade
from tests.apoio import orcar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CELULAR = 390


@pytest.fixture(autouse=True)
def _site(settings, live_server):
    settings.PROMETHEUS_URL_BASE = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_po_desliga_e_religa_os_avisos_e_segue_o_link(entrar_como, elenco, specs_exemplo, live_server):
    po = elenco["po"]
    po.email = "po@prometheus.invalid"
    po.save()
    Capacidade.objects.create(tipo="container", nome="postgres")
    page = entrar_como("po", largura=CELULAR)
    page.locator("details.conta summary").click()
    page.get_by_role("link", name="Perfil e avisos").click()
    expect(page.get_by_role("heading", name="Perfil e avisos")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Avisar por e-mail quando uma decisão me espera").uncheck()
    page.get_by_role("button", name="Salvar").click()
    expect(page.get_by_text("Preferências de aviso salvas.")).to_be_visible()

    antes = orcar("spec_002")
    tasks.avisar()
    assert mail.outbox == []

    page.get_by_label("Avisar por e-mail quando uma decisão me espera").check()
    page.get_by_role("button", name="Salvar").click()
    expect(page.get_by_text("Preferências de aviso salvas.")).to_be_visible()
    orcamento = orcar("spec_004")
    tasks.avisar()
    # Back on: told once of each decision waiting for the PO, the one that began waiting while
    # notices were off included (it still waits).
    links = {re.search(re.escape(live_server.url) + r"/orcamentos/\d+/", m.body).group(0) for m in mail.outbox}
    assert [m.to for m in mail.outbox] == [["po@prometheus.invalid"]] * 2
    assert links == {f"{live_server.url}/orcamentos/{o.pk}/" for o in (antes, orcamento)}
    page.goto(f"{live_server.url}/orcamentos/{orcamento.pk}/")
    expect(page.locator("h1")).to_contain_text(f"#{orcamento.pk}")
