"""What a newcomer's walk found in the browser (issue 17's quality gate): on a phone, Django's
admin keeps the app's places inside the screen (its header turns into a column there, and the
places' row was pushed into a second column, widening the page to 735 px), and the open gaps'
table on the capabilities' list scrolls in its box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CELULAR = 390


@pytest.mark.parametrize("caminho", ["/admin/", "/admin/fabrica/capacidade/"])
def test_admin_do_django_cabe_num_celular_com_os_lugares_do_app(entrar_como, orcamento_bloqueado, caminho):
    """With spec_001's two open gaps, which the capabilities' list shows in a table of its own."""
    page = entrar_como("admin", largura=CELULAR)
    page.goto(caminho)

    assert page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]") == [CELULAR, CELULAR]
    lugares = page.locator("#header nav.lugares-do-app a")
    assert lugares.count() > 3
    for lugar in lugares.all():
        expect(lugar).to_be_in_viewport()
        caixa = lugar.bounding_box()
        assert caixa is not None and caixa["x"] + caixa["width"] <= CELULAR, lugar.inner_text()
