"""Every irreversible action asks first without JavaScript too (issue 17 item 6): in a browser
with scripts off, the release's rejection, the deployment's refusal and the environment's
rollback each answer a confirmation page that quotes what was typed; "Voltar" changes nothing,
confirming acts. (With scripts on, the same forms open a dialog: test_falha_de_implantacao.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backlog.models import Item
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente, Release
from tests.fabrica.implantacao.conftest import (  # noqa: F401 - fixtures shared with the service tests
    fazer_release,
    implantacoes_dir,
    implantar,
    spec_teste,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def homologacao(db) -> Ambiente:
    return Ambiente.objects.create(nome="homologacao", ordem=10, configuracao={"smoke": False})


def test_rejeitar_release_sem_js_pergunta_numa_pagina(entrar_como, fazer_release, homologacao):  # noqa: F811
    from tests.factories import ItemComStatusFactory

    aberta = fazer_release(1, aprovada=False)
    aberta.item_aprovacao = ItemComStatusFactory(tipo="aprovar_release", status="Pendente")
    aberta.save(update_fields=["item_aprovacao"])
    po = entrar_como("po", com_js=False)
    po.goto(f"/releases/{aberta.pk}/")
    po.locator("#motivo-rejeitar").fill("Falta o campo de e-mail")
    po.get_by_role("button", name="Rejeitar…").click()
    expect(po.locator("#titulo-confirmacao")).to_have_text("Rejeitar a release spec_teste-v1?")
    expect(po.locator(".confirmacao-pagina blockquote")).to_have_text("Falta o campo de e-mail")
    po.get_by_role("link", name="Voltar").click()
    aberta.refresh_from_db()
    assert aberta.status == Release.Status.ABERTA  # asked, not acted

    po.locator("#motivo-rejeitar").fill("Falta o campo de e-mail")
    po.get_by_role("button", name="Rejeitar…").click()
    po.locator(".confirmacao-pagina").get_by_role("button", name="Rejeitar").click()
    expect(po.locator("#decisao")).to_contain_text("rejeitada")
    aberta.refresh_from_db()
    assert aberta.status == Release.Status.REJEITADA
    assert Item.objects.get(tipo="corrigir_bug").contexto["erro"] == "Falta o campo de e-mail"


def test_recusar_e_reverter_sem_js(entrar_como, fazer_release, homologacao):  # noqa: F811
    implantar(fazer_release(1))
    segunda = implantar(fazer_release(2))
    po = entrar_como("po", com_js=False)
    po.goto(f"/implantacoes/{segunda.pk}/")
    po.locator("#obs-recusar").fill("O login cai")
    po.get_by_role("button", name="Recusar e reverter…").click()
    expect(po.locator("#titulo-confirmacao")).to_have_text(
        f"Recusar a implantação #{segunda.pk} e reverter homologacao?"
    )
    segunda.refresh_from_db()
    assert segunda.validacao == Implantacao.Validacao.PENDENTE
    po.locator(".confirmacao-pagina").get_by_role("button", name="Recusar e reverter").click()
    expect(po.locator("main")).to_contain_text("Implantação recusada: a reversão e a correção foram solicitadas.")
    segunda.refresh_from_db()
    assert segunda.validacao == Implantacao.Validacao.RECUSADA


def test_reverter_ambiente_sem_js(entrar_como, fazer_release, homologacao):  # noqa: F811
    v1 = fazer_release(1)
    implantar(v1)
    implantar(fazer_release(2))
    admin = entrar_como("admin", com_js=False)
    admin.goto("/ambientes/homologacao/")
    admin.locator("#motivo-spec_teste").fill("v2 lenta")
    admin.get_by_role("button", name="Reverter…").click()
    expect(admin.locator("#titulo-confirmacao")).to_have_text("Reverter spec_teste em homologacao?")
    assert not Item.objects.filter(tipo="implantar", contexto__has_key="reversao").exists()
    admin.locator(".confirmacao-pagina").get_by_role("button", name="Reverter").click()
    expect(admin.locator("main")).to_contain_text("Reversão solicitada")
    reversao = Item.objects.get(tipo="implantar", contexto__has_key="reversao")
    assert reversao.contexto["reversao"]["para_release_ref"] == v1.rotulo_versao
