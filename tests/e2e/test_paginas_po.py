"""Issue 11 in a real browser: the PO's pages speak the PO's language, a budget is asked for
once per spec version, decisions ask before they close anything and lead to the next item,
prerequisites show, and the admin reads the inbox and sees what a capability will unblock."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from backlog.models import Item
from fabrica import palavras
from fabrica.capacidades.services import capacidade_salvar
from fabrica.consumidor import processar_proximo
from fabrica.models import Capacidade, Orcamento
from tests.apoio import nova_versao, orcar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres(specs_exemplo):
    return Capacidade.objects.create(tipo="container", nome="postgres")


def _linha_da_spec(page, spec_ref: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=spec_ref, exact=True))


def test_pedir_de_novo_leva_ao_orcamento_que_ja_existe(entrar_como, elenco, postgres, live_server):
    po = entrar_como("po")
    po.goto("/specs/")
    velha = po.context.new_page()  # a tab opened before the budget existed, with its button
    velha.goto("/specs/")
    _linha_da_spec(po, "spec_002").get_by_role("button", name="Pedir orçamento").click()
    expect(po).to_have_url(re.compile(r"/orcar/\d+/$"))
    assert processar_proximo(["orcar_spec"]) is not None
    po.wait_for_url(re.compile(r"/orcamentos/\d+/$"))
    orc = Orcamento.objects.get(spec_ref="spec_002")

    # The list now leads to it instead of offering to ask again.
    po.goto("/specs/")
    linha = _linha_da_spec(po, "spec_002")
    expect(linha).to_contain_text(f"já orçada como #{orc.pk}")
    expect(linha.get_by_role("button", name="Pedir orçamento")).to_have_count(0)
    linha.get_by_role("link", name="abrir").click()
    expect(po).to_have_url(live_server.url + f"/orcamentos/{orc.pk}/")

    # The stale tab's button opens the same budget and says so; nothing new is priced.
    _linha_da_spec(velha, "spec_002").get_by_role("button", name="Pedir orçamento").click()
    expect(velha).to_have_url(live_server.url + f"/orcamentos/{orc.pk}/")
    expect(velha.locator(".aviso").first).to_contain_text(f"já foi orçada como #{orc.pk}")
    assert Item.objects.filter(tipo="orcar_spec").count() == 1
    assert Orcamento.objects.filter(spec_ref="spec_002").count() == 1

    # The inbox shows the number and the version on its row.
    po.goto("/")
    expect(po.locator(f'#caixa tr[data-id="orcamento-{orc.pk}"]')).to_contain_text(
        re.compile(rf"Orçamento #{orc.pk}\s+spec_002 v1")
    )


def test_nova_versao_substitui_o_orcamento_aberto(entrar_como, postgres):
    antigo = orcar("spec_002")
    nova_versao("spec_002")
    po = entrar_como("po")
    po.goto(f"/orcamentos/{antigo.pk}/")
    expect(po.locator("#situacao")).to_have_text("Substituído")
    expect(po.locator("#decisao")).to_contain_text("não pode mais ser decidido")
    expect(po.get_by_role("button", name="Aprovar")).to_have_count(0)
    po.get_by_role("button", name="Pedir o orçamento da versão atual").click()
    expect(po).to_have_url(re.compile(r"/orcar/\d+/$"))
    processar_proximo(["orcar_spec"])
    po.wait_for_url(re.compile(r"/orcamentos/\d+/$"))
    expect(po.locator("h1")).to_contain_text("spec_002")
    expect(po.locator(".lead")).to_contain_text("versão 2")


def test_rejeitar_pede_confirmacao_e_leva_ao_proximo(entrar_como, postgres, fotografar):
    primeiro, segundo = orcar("spec_002"), orcar("spec_003")
    po = entrar_como("po")
    po.goto(f"/orcamentos/{primeiro.pk}/")

    # Approve is the primary colour; reject is red, and looks different.
    aprovar = po.get_by_role("button", name="Aprovar")
    rejeitar = po.get_by_role("button", name="Rejeitar…")
    cor = "el => getComputedStyle(el).color"
    fundo = "el => getComputedStyle(el).backgroundColor"
    assert aprovar.evaluate(fundo) != rejeitar.evaluate(fundo)
    assert rejeitar.evaluate(cor) == "rgb(180, 35, 24)"  # --erro

    # A reason of blanks is refused at its field (named in the error), with what was typed kept.
    po.get_by_label("Motivo da rejeição (obrigatório)").fill("   ")
    rejeitar.click()
    po.get_by_role("dialog").get_by_role("button", name="Rejeitar", exact=True).click()
    erro = po.locator("#erro-rejeitar")
    expect(erro).to_have_text("Motivo da rejeição: Informe o motivo da decisão.")  # the error names its field
    expect(po.get_by_label("Motivo da rejeição (obrigatório)")).to_have_attribute("aria-invalid", "true")
    primeiro.refresh_from_db()
    assert primeiro.status == Orcamento.Status.ABERTO

    # Rejecting asks first; going back changes nothing.
    po.get_by_label("Motivo da rejeição (obrigatório)").fill("Caro demais para o trimestre.")
    po.get_by_role("button", name="Rejeitar…").click()
    dialogo = po.get_by_role("dialog")
    expect(dialogo).to_contain_text(f"Rejeitar o orçamento #{primeiro.pk}?")
    expect(dialogo).to_contain_text("Caro demais para o trimestre.")
    fotografar(po, "confirmar-rejeicao")
    dialogo.get_by_role("button", name="Voltar").click()
    expect(dialogo).to_be_hidden()
    primeiro.refresh_from_db()
    assert primeiro.status == Orcamento.Status.ABERTO

    po.get_by_role("button", name="Rejeitar…").click()
    po.get_by_role("dialog").get_by_role("button", name="Rejeitar", exact=True).click()
    banner = po.locator(".aviso.decisao")
    expect(banner).to_have_text("Orçamento rejeitado.")
    # Not a green banner: red for a rejection, and it has the focus (screen readers read it).
    # (Read with retries: the banner's text can be in the page before its stylesheet applies.)
    expect(banner).to_have_css("background-color", "rgb(253, 236, 234)")
    expect(banner).to_be_focused()
    expect(po.locator("#decisao")).to_contain_text("Decisão: rejeitado por po")
    primeiro.refresh_from_db()
    assert primeiro.status == Orcamento.Status.REJEITADO

    # The next item waiting is offered, as a tasklist does.
    proximo = po.locator("#proximo")
    expect(proximo).to_contain_text(f"Orçamento #{segundo.pk} — spec_003")
    proximo.get_by_role("link").click()
    expect(po.locator("h1")).to_have_text(f"Orçamento #{segundo.pk} — spec_003")


def test_ajustar_pede_confirmacao(entrar_como, postgres):
    orc = orcar("spec_002")
    po = entrar_como("po")
    po.goto(f"/orcamentos/{orc.pk}/")
    po.get_by_label("O que ajustar na spec (obrigatório)").fill("Reduzir a cobertura para cada_valor.")
    po.get_by_role("button", name="Ajustar…").click()
    dialogo = po.get_by_role("dialog")
    expect(dialogo).to_contain_text(f"Devolver o orçamento #{orc.pk} para ajuste?")
    dialogo.get_by_role("button", name="Devolver para ajuste").click()
    expect(po.locator(".aviso.decisao")).to_have_text("Orçamento devolvido para ajuste da spec.")
    expect(po.locator("#proximo")).to_contain_text("Nada mais esperando sua decisão.")
    assert Item.objects.filter(tipo="ajustar_spec", spec_ref="spec_002").count() == 1


def test_prerequisito_aparece_com_seu_orcamento(entrar_como, postgres):
    portal, processo = orcar("spec_004"), orcar("spec_003")  # spec_004 depends on spec_003
    po = entrar_como("po")
    po.goto(f"/orcamentos/{portal.pk}/")
    pendentes = po.locator("#prerequisitos-pendentes")
    expect(pendentes).to_contain_text(f"spec_003: orçamento #{processo.pk} pronto para decidir")
    expect(po.get_by_role("button", name="Aprovar")).to_be_disabled()
    pendentes.get_by_role("link", name="abrir").click()
    po.get_by_role("button", name="Aprovar").click()
    expect(po.locator(".aviso.decisao")).to_contain_text("Orçamento aprovado")
    po.goto(f"/orcamentos/{portal.pk}/")
    expect(po.locator("#prerequisitos-pendentes")).to_have_count(0)
    expect(po.locator("#prerequisitos")).to_contain_text(f"spec_003: orçamento #{processo.pk} Aprovado")
    expect(po.get_by_role("button", name="Aprovar")).to_be_enabled()


def test_pagina_do_orcamento_em_ingles_nao_tem_regra_em_portugues(entrar_como, specs_exemplo):
    orc = orcar("spec_001")
    po = entrar_como("po")
    po.goto(f"/orcamentos/{orc.pk}/")
    po.locator("details.conta summary").click()
    po.get_by_label("Idioma").select_option("en")
    expect(po.locator("html")).to_have_attribute("lang", "en")
    po.get_by_text("Calculation details").click()
    texto = po.locator("main").inner_text()
    traduzidas = 0
    for chave, e in orc.explicacao.items():
        with translation.override("pt-br"):
            pt = palavras.regra(e)
        with translation.override("en"):
            en = palavras.regra(e)
        if pt != en:  # formulas read the same in both languages
            assert pt not in texto, (chave, pt)
            assert en in texto, (chave, en)
            traduzidas += 1
    assert traduzidas >= 10
    for portugues in ("declarado na spec", "soma d", "padrão", "linhas do arranjo", "um worker por vertente"):
        assert portugues not in texto
    for ingles in (
        "declared in the spec",
        "API whisper_api not configured",
        "GPU not available",
        "GPU needed",
        "Structural and Decision",
        "Budget request",
        "Calculation details",
    ):
        assert ingles in texto, ingles
    expect(po.locator("details.conta select option")).to_have_text(["Português (Brasil)", "English"])


def test_admin_le_a_caixa_e_a_previa_segue_o_formulario(entrar_como, specs_exemplo, live_server):
    orc = orcar("spec_001")
    capacidade_salvar(tipo="api_externa", nome="whisper_api", por=None)  # only the GPU is missing now
    admin = entrar_como("admin")
    admin.get_by_role("link", name="Decisões").click()
    expect(admin).to_have_url(live_server.url + "/")
    expect(admin.locator("#somente-leitura")).to_be_visible()
    expect(admin.get_by_role("link", name="Decisões")).to_have_attribute("aria-current", "page")
    admin.get_by_role("link", name="Em espera").click()
    admin.get_by_role("link", name=re.compile("spec_001")).click()
    expect(admin.locator("#somente-leitura")).to_be_visible()
    expect(admin.get_by_role("button", name="Aprovar")).to_have_count(0)

    admin.goto("/admin/fabrica/capacidade/add/")
    previa = admin.locator("#previa-capacidade")
    expect(previa).to_contain_text("preencha tipo e nome")
    admin.get_by_label("Nome").fill("gpu")
    expect(previa).to_contain_text("Nenhum gap aberto espera por api_externa:gpu")
    admin.locator("#id_tipo").select_option("hardware")
    expect(previa).to_contain_text("resolverá 1 gap")
    expect(previa).to_contain_text(f"GPU não disponível (spec spec_001, orçamento #{orc.pk})")
    # A kind nobody registered yet: "outro", and its name.
    admin.locator("#id_tipo").select_option("outro")
    expect(admin.get_by_label("Outro tipo")).to_be_visible()
    admin.get_by_label("Outro tipo").fill("fpga")
    expect(previa).to_contain_text("Nenhum gap aberto espera por fpga:gpu")
    admin.locator("#id_tipo").select_option("hardware")
    expect(admin.get_by_label("Outro tipo")).to_be_hidden()
    admin.get_by_role("button", name="Salvar", exact=True).click()
    link = admin.locator(".messagelist").get_by_role("link", name="abrir o orçamento")
    expect(link).to_have_attribute("href", f"/orcamentos/{orc.pk}/")
    expect(admin.locator(".messagelist")).to_contain_text(f"Orçamento #{orc.pk} de spec_001 agora pronto para decidir")


def test_po_nao_ve_nem_abre_o_quadro(entrar_como, specs_exemplo):
    po = entrar_como("po")
    lugares = po.locator("header nav a")
    expect(lugares).to_have_text(["Decisões", "Specs", "Ambientes", "Métricas"])
    expect(po.get_by_role("link", name="Decisões")).to_have_attribute("aria-current", "page")
    assert po.goto("/backlog/").status == 403
