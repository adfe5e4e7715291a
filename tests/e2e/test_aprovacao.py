"""Issue 5 in a real browser: the PO sees the example budget blocked by two gaps, the admin
registers the missing capabilities, the PO approves it once; whoever may not, can't."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backlog.models import Item, Status
from fabrica.capacidades.services import capacidade_salvar
from fabrica.consumidor import processar_proximo
from fabrica.models import Orcamento
from tests.apoio import orcar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def orcamento_bloqueado(elenco, specs_exemplo) -> Orcamento:
    """The seed's example: spec_001 waits for the Whisper API and a GPU the factory lacks."""
    orc = orcar("spec_001", produtor="teste-e2e")
    assert sorted(orc.gaps.values_list("recurso", flat=True)) == ["gpu", "whisper_api"]
    return orc


def test_po_aprova_depois_que_o_admin_registra_as_capacidades(
    entrar_como, abrir_contexto, pagina, fotografar, orcamento_bloqueado, live_server
):
    url_orcamento = f"/orcamentos/{orcamento_bloqueado.pk}/"

    # The PO logs in and lands on the inbox; the budget waits in "Em espera" with both gaps.
    po = entrar_como("po")
    expect(po).to_have_url(live_server.url + "/")
    expect(po.get_by_role("heading", name="Decisões")).to_be_visible()
    po.get_by_role("link", name=re.compile(r"^Em espera")).click()
    expect(po.locator(".abas a.ativa")).to_have_text(re.compile(r"Em espera\s+1"))
    linha = po.locator("#caixa tbody tr", has_text="spec_001")
    expect(linha).to_contain_text("whisper_api: Pendente")
    expect(linha).to_contain_text("gpu: Pendente")
    fotografar(po, "inbox")

    # The budget page: both gaps, approval disabled, and where every number came from.
    linha.get_by_role("link", name=re.compile("spec_001")).click()
    expect(po).to_have_url(live_server.url + url_orcamento)
    expect(po.locator("#situacao")).to_have_text("Aguardando gaps")
    for recurso in ("whisper_api", "gpu"):
        expect(po.locator(f'#gaps tr[data-recurso="{recurso}"]')).to_contain_text("aguardando")
    expect(po.get_by_role("button", name="Aprovar")).to_be_disabled()
    expect(po.get_by_role("button", name="Rejeitar")).to_be_enabled()
    # The technical table is folded under "Detalhes do cálculo"; each number keeps its key.
    expect(po.locator("#explicacoes")).to_be_hidden()
    po.get_by_text("Detalhes do cálculo").click()
    for numero in ("esforco.horas_dev", "custo.total"):
        expect(po.locator(f'#explicacoes tbody tr[data-chave="{numero}"]')).to_have_count(1)
    expect(po.locator('#explicacoes tr[data-chave="custo.total"]')).to_contain_text("esforco.total × custo_hora")

    # The admin, in a browser of their own, registers each missing capability from the gap list,
    # seeing before saving which gap it resolves.
    admin = entrar_como("admin", proxima="/admin/fabrica/capacidade/")
    expect(admin).to_have_url(live_server.url + "/admin/fabrica/capacidade/")
    titulo = admin.get_by_role("heading", name="Gaps abertos esperando uma capacidade")
    gaps_abertos = admin.locator(".module", has=titulo)
    for recurso in ("whisper_api", "gpu"):
        gap = gaps_abertos.get_by_role("row").filter(has=admin.get_by_role("cell", name=recurso, exact=True))
        gap.get_by_role("link", name="Registrar capacidade").click()
        expect(admin.locator("#id_nome")).to_have_value(recurso)
        previa = admin.locator(".module", has_text="Salvar esta capacidade habilitada resolverá 1 gap")
        expect(previa).to_contain_text("spec_001")
        admin.get_by_role("button", name="Salvar", exact=True).click()
        expect(admin.locator(".messagelist")).to_contain_text("1 gap resolvido")
    expect(gaps_abertos).to_have_count(0)
    # The last capability unblocked the budget: the confirmation links to it.
    pronto = admin.locator(".messagelist li", has_text=f"Orçamento #{orcamento_bloqueado.pk} de spec_001 agora pronto")
    expect(pronto.get_by_role("link", name="abrir o orçamento")).to_have_attribute("href", url_orcamento)

    # The PO reloads: approvable now, each gap saying how it was resolved. A second tab keeps the
    # page open for later.
    po.reload()
    expect(po.locator("#situacao")).to_have_text("Pronto para decidir")
    expect(po.locator('#gaps tr[data-recurso="whisper_api"]')).to_contain_text(
        re.compile(r"API whisper_api: resolvida por admin em \d{2}/\d{2}/\d{4} \d{2}:\d{2}")
    )
    expect(po.locator('#gaps tr[data-recurso="gpu"]')).to_contain_text(re.compile(r"GPU: resolvida por admin em "))
    expect(po.locator('#gaps tr[data-recurso="gpu"]')).to_contain_text("capacidade gpu registrada por admin")
    expect(po.get_by_role("button", name="Aprovar")).to_be_enabled()
    fotografar(po, "orcamento")
    outra_aba = po.context.new_page()
    outra_aba.goto(url_orcamento)

    po.get_by_label("Comentário (opcional)").fill("Cabe no trimestre; gaps resolvidos pela infraestrutura.")
    po.get_by_role("button", name="Aprovar").click()
    expect(po.locator(".aviso.success")).to_have_text("Orçamento aprovado: o desenvolvimento foi solicitado.")
    expect(po.locator("#decisao")).to_contain_text(
        re.compile(r"Decisão: aprovado por po em \d{2}/\d{2}/\d{4} \d{2}:\d{2}")
    )
    expect(po.locator("#decisao")).to_contain_text("Cabe no trimestre")
    expect(po.get_by_role("button", name="Aprovar")).to_have_count(0)
    desenvolvimento = Item.objects.get(tipo="desenvolvimento", spec_ref="spec_001")
    assert desenvolvimento.contexto["spec_ref"] == "spec_001"
    assert desenvolvimento.contexto["spec_recursos"]["esforco"]["total"] == orcamento_bloqueado.esforco["total"]
    assert desenvolvimento.produzido_por_id == orcamento_bloqueado.item_aprovacao_id

    # Whoever has no role gets the 403 page; an anonymous visitor is sent to log in.
    outsider = entrar_como("outsider")
    resposta = outsider.goto(url_orcamento)
    assert resposta.status == 403
    expect(outsider.get_by_role("heading", name="Acesso negado")).to_be_visible()
    expect(outsider.locator("body")).not_to_contain_text("whisper_api")
    pagina.goto(url_orcamento)
    expect(pagina).to_have_url(live_server.url + "/contas/login/?next=" + url_orcamento)
    expect(pagina.get_by_label("Usuário")).to_be_visible()

    # The tab opened before the approval tries to reject: a clear message, nothing changes.
    outra_aba.get_by_label("Motivo da rejeição (obrigatório)").fill("caro demais")
    outra_aba.get_by_role("button", name="Rejeitar…").click()
    outra_aba.get_by_role("dialog").get_by_role("button", name="Rejeitar", exact=True).click()
    expect(outra_aba.locator(".aviso.error")).to_contain_text("Este orçamento já foi decidido: aprovado por po em")
    expect(outra_aba.locator("#decisao")).to_contain_text("aprovado por po")
    orcamento_bloqueado.refresh_from_db()
    assert orcamento_bloqueado.status == Orcamento.Status.APROVADO
    assert orcamento_bloqueado.motivo.startswith("Cabe no trimestre")
    assert Item.objects.filter(tipo="desenvolvimento").count() == 1
    assert orcamento_bloqueado.item_aprovacao.status == Status.CONCLUIDO


def test_pedir_orcamento_acompanha_a_precificacao_sem_recarregar(entrar_como, elenco, specs_exemplo):
    capacidade_salvar(tipo="container", nome="postgres", por=None)  # as `make run` registers it
    po = entrar_como("po")
    po.goto("/specs/")
    spec_002 = po.get_by_role("row").filter(has=po.get_by_role("link", name="spec_002", exact=True))
    spec_002.get_by_role("button", name="Pedir orçamento").click()
    expect(po).to_have_url(re.compile(r"/orcar/\d+/$"))
    expect(po.locator(".aviso")).to_contain_text("Orçamento solicitado")
    expect(po.locator("#estado")).to_contain_text("Na fila")
    po.wait_for_load_state()
    assert po.evaluate("typeof window.htmx") == "object"  # served by PROMETHEUS itself

    # A worker prices it (inline here); the page notices by polling and opens the budget itself.
    assert processar_proximo(["orcar_spec"]) is not None
    po.wait_for_url(re.compile(r"/orcamentos/\d+/$"))
    orc = Orcamento.objects.get(spec_ref="spec_002")
    expect(po).to_have_url(re.compile(rf"/orcamentos/{orc.pk}/$"))
    expect(po.get_by_role("heading", level=1)).to_have_text(f"Orçamento #{orc.pk} — spec_002")
    expect(po.locator("#situacao")).to_have_text("Pronto para decidir")
