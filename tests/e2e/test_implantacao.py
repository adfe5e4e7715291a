"""Issue 10 in a real browser: the PO validates a deployment from the inbox and promotes it,
then refuses another one, which rolls homologacao back; the admin sees the rollback form, the PO
does not."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from backlog.models import Item
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente
from tests.fabrica.implantacao.conftest import (  # noqa: F401 - fixtures shared with the service tests
    fazer_release,
    implantacoes_dir,
    implantar,
    processar,
    spec_teste,
)
from tests.factories import AmbienteFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ambientes(db) -> dict[str, Ambiente]:
    """The deployment tests' environments (``tests/fabrica/implantacao/conftest.py`` builds them on
    ``tests/fabrica/conftest.py``'s, which this directory cannot see): homologacao, then producao
    only after validation there, approved by the PO group."""
    homologacao = AmbienteFactory(nome="homologacao", ordem=10)
    producao = AmbienteFactory(nome="producao", ordem=20, exige_validacao_em=homologacao)
    producao.grupos_aprovadores.set([Group.objects.get(name="PO")])
    return {"homologacao": homologacao, "producao": producao}


def test_po_valida_promove_e_recusa_pela_caixa(entrar_como, fotografar, fazer_release, ambientes, live_server):  # noqa: F811
    v1 = fazer_release(1)
    primeira = implantar(v1)

    # The inbox lists the deployment waiting for validation; the PO opens it from there.
    po = entrar_como("po")
    linha = po.locator("#caixa tbody tr", has_text="spec_teste-v1 em homologacao")
    expect(linha).to_contain_text("Implantação")
    expect(linha).to_contain_text("aguardando validação")
    fotografar(po, "caixa-implantacao")
    linha.get_by_role("link", name=re.compile("spec_teste")).click()
    expect(po).to_have_url(f"{live_server.url}/implantacoes/{primeira.pk}/")
    expect(po.locator("#status")).to_have_text("concluída")
    expect(po.locator("#log")).to_contain_text("Testes de fumaça passaram")
    expect(po.locator("#log")).to_contain_text("current → releases/spec_teste-v1")
    fotografar(po, "implantacao")

    po.get_by_label("Observação (opcional)").fill("fluxo principal conferido")
    po.get_by_role("button", name="Validar", exact=True).click()
    expect(po.locator(".aviso").first).to_contain_text("Implantação validada; promover para producao")
    expect(po.locator("#decisao")).to_contain_text("Validação: validada por po em")
    assert Item.objects.filter(tipo="avaliar_efetividade", contexto__implantacao_ref=str(primeira.pk)).count() == 1

    # The promotion offered to producao, taken from the same page; the cluster (here inline) deploys it.
    # Promoting asks first; going back changes nothing (issue 17).
    po.get_by_role("button", name="Promover para producao").click()
    dialogo = po.get_by_role("dialog")
    expect(dialogo).to_contain_text("Implantar spec_teste-v1 em producao?")
    dialogo.get_by_role("button", name="Voltar").click()
    expect(dialogo).to_be_hidden()
    assert not Item.objects.filter(tipo="implantar", contexto__ambiente="producao").exists()
    po.get_by_role("button", name="Promover para producao").click()
    po.get_by_role("dialog").get_by_role("button", name="Promover", exact=True).click()
    expect(po.locator(".aviso").first).to_contain_text("Nova implantação em producao solicitada")
    expect(po.locator("#pedidas")).to_contain_text("Implantação em producao solicitada")
    em_producao = processar(Item.objects.get(tipo="implantar", contexto__ambiente="producao"))
    assert em_producao.status == Implantacao.Status.CONCLUIDA
    # The release page the promotion landed on polls its deployments part: the link shows, no reload.
    expect(po.locator('#por-ambiente dd[data-ambiente="producao"] a')).to_have_attribute(
        "href", f"/implantacoes/{em_producao.pk}/"
    )
    expect(po.locator("#pedidas")).to_have_count(0)

    # A second release reaches homologacao; the PO refuses it from the inbox, with the reason.
    segunda = implantar(fazer_release(2))
    po.goto("/")
    po.locator("#caixa tbody tr", has_text="spec_teste-v2 em homologacao").get_by_role("link").click()
    expect(po).to_have_url(f"{live_server.url}/implantacoes/{segunda.pk}/")
    po.get_by_label("O que está errado (obrigatório)").fill("o total da nota sai negativo")
    expect(po.locator("#limite-obs-recusar [data-contagem]")).to_have_text(str(len("o total da nota sai negativo")))
    # Refusing asks first; going back changes nothing (issue 17).
    po.get_by_role("button", name="Recusar e reverter…").click()
    dialogo = po.get_by_role("dialog")
    expect(dialogo).to_contain_text(f"Recusar a implantação #{segunda.pk} e reverter homologacao?")
    expect(dialogo).to_contain_text("o total da nota sai negativo")
    dialogo.get_by_role("button", name="Voltar").click()
    expect(dialogo).to_be_hidden()
    segunda.refresh_from_db()
    assert segunda.validacao == Implantacao.Validacao.PENDENTE
    assert not Item.objects.filter(tipo="corrigir_bug").exists()
    po.get_by_role("button", name="Recusar e reverter…").click()
    po.get_by_role("dialog").get_by_role("button", name="Recusar e reverter", exact=True).click()
    expect(po.locator(".aviso").first).to_contain_text(
        "Implantação recusada: a reversão e a correção foram solicitadas."
    )
    corrigir = Item.objects.get(tipo="corrigir_bug")
    assert (
        corrigir.contexto["erro"] == "o total da nota sai negativo"
        and corrigir.contexto["feature_ref"] == "spec_teste-v2"
    )

    reversao = processar(Item.objects.get(tipo="implantar", contexto__has_key="reversao"))
    po.reload()
    expect(po.locator("#reversoes")).to_contain_text(f"#{reversao.pk}")
    po.get_by_role("link", name="Ambientes", exact=True).click()
    homologacao = po.locator("#ambiente-homologacao")
    expect(homologacao.locator('tr[data-spec="spec_teste"]')).to_contain_text("spec_teste-v1")
    expect(po.locator('#caminhos tr[data-release="spec_teste-v2"] td[data-ambiente="homologacao"]')).to_contain_text(
        "recusada"
    )
    expect(po.locator('#caminhos tr[data-release="spec_teste-v1"] td[data-ambiente="producao"]')).to_contain_text(
        "serve"
    )
    fotografar(po, "ambientes")

    # The environment's page: the PO reads the history; only the admin gets the rollback form.
    po.locator("#ambiente-homologacao h2").get_by_role("link", name="homologacao").click()
    expect(po.locator("#historico tbody tr")).to_have_count(3)
    expect(po.locator("form.reverter")).to_have_count(0)
    admin = entrar_como("admin", proxima="/ambientes/homologacao/")
    expect(admin.locator("form.reverter")).to_have_count(1)
    expect(admin.locator("form.reverter select option")).to_have_text(["spec_teste-v2"])
    # Rolling back asks first; going back changes nothing (issue 17).
    reversoes = Item.objects.filter(tipo="implantar", contexto__has_key="reversao").count()
    admin.locator("form.reverter").get_by_label("Motivo").fill("voltar à v2 para conferir")
    expect(admin.locator("#limite-motivo-spec_teste [data-contagem]")).to_have_text(
        str(len("voltar à v2 para conferir"))
    )
    admin.get_by_role("button", name="Reverter…").click()
    dialogo = admin.get_by_role("dialog")
    expect(dialogo).to_contain_text("Reverter spec_teste em homologacao?")
    dialogo.get_by_role("button", name="Voltar").click()
    expect(dialogo).to_be_hidden()
    assert Item.objects.filter(tipo="implantar", contexto__has_key="reversao").count() == reversoes
