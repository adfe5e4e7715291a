"""Issue 17, item 1 in a real browser: a deployment whose smoke checks fail appears in the PO's
inbox with the log's failing part; the PO retries it (after confirming in a dialog), it fails
again, and the PO rejects the release (after confirming) into a ``corrigir_bug`` carrying the
failure; the release's page says what happened in homologacao."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backlog.models import Item
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente, Release
from tests.fabrica.implantacao.conftest import (  # noqa: F401 - fixtures shared with the service tests
    fazer_release,
    implantacoes_dir,
    implantar,
    processar,
    spec_teste,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def homologacao(db) -> Ambiente:
    """The one environment this story needs, with the release's own smoke tests."""
    return Ambiente.objects.create(nome="homologacao", ordem=10)


def test_po_repete_e_rejeita_uma_implantacao_que_falhou(
    entrar_como,
    fotografar,
    fazer_release,  # noqa: F811
    homologacao,
    live_server,
):
    falhou = implantar(fazer_release(1, smoke_passa=False))
    assert falhou.falha == Implantacao.Falha.PENDENTE

    # The inbox lists the failure, with the log's failing part folded under the row.
    po = entrar_como("po")
    linha = po.locator(f'#caixa tbody tr[data-id="falha_implantacao-{falhou.pk}"]')
    expect(linha).to_contain_text("Implantação falhou")
    expect(linha).to_contain_text("Os testes de fumaça falharam")
    linha.get_by_text("O que falhou no log").click()
    expect(linha.locator("pre.log")).to_contain_text("test_dobro")
    fotografar(po, "caixa-falha")
    linha.get_by_role("link", name=re.compile("spec_teste")).click()
    expect(po).to_have_url(f"{live_server.url}/implantacoes/{falhou.pk}/")
    expect(po.locator("#trecho")).to_contain_text("assert 4 == 5")

    # Retry asks first: going back changes nothing; confirming produces the new implantar.
    po.get_by_role("button", name="Repetir…").click()
    dialogo = po.locator("#confirmar-repetir")
    expect(dialogo).to_be_visible()
    dialogo.get_by_role("button", name="Voltar").click()
    expect(dialogo).to_be_hidden()
    assert Item.objects.filter(tipo="implantar").count() == 1
    po.get_by_role("button", name="Repetir…").click()
    dialogo.get_by_role("button", name="Repetir a implantação").click()
    # It lands on the release page: the new deployment asked for, in words, linked once it exists.
    expect(po.locator(".aviso").first).to_contain_text("Nova implantação em homologacao solicitada")
    expect(po.locator("#pedidas")).to_contain_text("Implantação em homologacao solicitada")
    repeticao = processar(Item.objects.get(tipo="implantar", contexto__repete_ref=str(falhou.pk)))
    assert repeticao.status == Implantacao.Status.FALHOU and repeticao.falha == Implantacao.Falha.PENDENTE
    expect(po.locator('#por-ambiente dd[data-ambiente="homologacao"] a')).to_have_attribute(
        "href", f"/implantacoes/{repeticao.pk}/"
    )

    # The retry failed the same way: the PO rejects the release from its row, after confirming.
    po.goto("/")
    po.locator(f'#caixa tbody tr[data-id="falha_implantacao-{repeticao.pk}"]').get_by_role("link").click()
    expect(po).to_have_url(f"{live_server.url}/implantacoes/{repeticao.pk}/")
    po.get_by_label("Comentário para a correção (opcional)").fill("o dobro de 2 tem de ser 5")
    po.get_by_role("button", name="Rejeitar a release…").click()
    dialogo = po.locator("#confirmar-rejeitar-release")
    expect(dialogo).to_contain_text("o dobro de 2 tem de ser 5")
    fotografar(po, "falha-rejeitar")
    dialogo.get_by_role("button", name="Rejeitar a release").click()
    expect(po.locator(".aviso").first).to_contain_text("Release spec_teste-v1 rejeitada")
    corrigir = Item.objects.get(tipo="corrigir_bug")
    assert corrigir.contexto["feature_ref"] == "spec_teste-v1"
    assert corrigir.contexto["erro"].startswith("o dobro de 2 tem de ser 5")
    assert "Os testes de fumaça falharam" in corrigir.contexto["erro"]
    assert Release.objects.get(versao=1).status == Release.Status.REJEITADA

    # The release's page says what happened in homologacao; the inbox has nothing left to decide.
    po.locator("#decisao-falha").get_by_role("link", name="Release spec_teste-v1").click()
    expect(po.locator("#por-ambiente dd[data-ambiente='homologacao']")).to_contain_text("release rejeitada")
    expect(po.locator("#decisao")).to_contain_text("rejeitada por po")
    po.goto("/")
    expect(po.locator("#caixa tbody tr[data-id*='implantacao-']")).to_have_count(0)
