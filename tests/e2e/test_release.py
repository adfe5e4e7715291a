"""Issue 9 in a real browser: the PO reads a release (tests, coverage, highlighted code), approves
one for an environment and rejects another with a reason; each becomes the next backlog item."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.desenvolvimento import base
from fabrica.models import Ambiente, Capacidade, Release
from tests.apoio import construir, desenvolver, orcar
from tests.fabrica import dubles

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def releases(elenco, specs_exemplo, monkeypatch, settings) -> tuple[Release, Release]:
    """spec_002 built by test doubles (v1), and a fix of it asked by GENESIS with a case that
    reproduces the error (v2, a hotfix with a regression test)."""
    settings.PROMETHEUS_SANDBOX = {**settings.PROMETHEUS_SANDBOX, "tempo_total_s": 60, "tempo_por_teste_s": 5}
    monkeypatch.setattr(base, "_workers", {"D": dubles.worker("D"), "E": dubles.worker("E", "tab")})
    Capacidade.objects.create(tipo="container", nome="postgres")
    Ambiente.objects.create(nome="homologacao")
    Ambiente.objects.create(nome="producao")
    v1 = desenvolver(orcar("spec_002", produtor="teste-e2e"), elenco["po"])
    backlog.produzir(
        tipo="corrigir_bug",
        produtor="GENESIS",
        contexto={
            "feature_ref": "spec_002-v1",
            "erro": "limite errado",
            "caso": {"dado": {"idade": 17, "renda_mensal": 900}, "espera": {"risco": "recusado"}},
        },
    )
    v2 = construir(Item.objects.get(tipo="corrigir_bug"))
    assert v2.versao == 2
    return v1, v2


def test_po_aprova_uma_release_e_rejeita_outra(entrar_como, fotografar, releases, live_server):
    v1, v2 = releases
    po = entrar_como("po")
    linhas = po.locator("#caixa tbody tr", has_text="spec_002-v")
    expect(linhas).to_have_count(2)
    expect(po.locator("#caixa tbody tr", has_text="spec_002-v2")).to_contain_text("Release (hotfix)")

    # The release page: what was built, how its tests went, what the corrector did.
    po.get_by_role("link", name=re.compile("spec_002-v1")).click()
    expect(po).to_have_url(live_server.url + f"/releases/{v1.pk}/")
    expect(po.get_by_role("heading", name="Release spec_002-v1")).to_be_visible()
    expect(po.locator("#resultado")).to_have_text("passaram")
    expect(po.locator("#testes-E tbody tr")).to_have_count(len(v1.casos))
    expect(po.locator("#tentativa-E-1")).to_contain_text("normalizados")
    # What passed is folded behind its count; the artefacts too (issue 17, item 10).
    passaram = po.locator("#passaram-E")
    expect(passaram.locator("tbody tr").first).to_be_hidden()
    passaram.locator("summary").click()
    expect(passaram.locator("tbody tr").first).to_be_visible()
    po.locator("#lista-de-artefatos > summary").click()
    artefato = po.locator('details.artefato[data-caminho="spec_002/estrutural/regras.py"]')
    artefato.locator("summary").click()
    expect(artefato.locator(".codigo .k", has_text="def")).to_be_visible()
    fotografar(po, "release")

    # Approve for production: implantar is produced for that environment.
    po.get_by_label("Implantar no ambiente").select_option("producao")
    po.get_by_role("button", name="Aprovar").click()
    expect(po.locator(".aviso.success")).to_contain_text("Release aprovada")
    expect(po.locator("#situacao")).to_have_text("aprovada")
    expect(po.get_by_role("button", name="Aprovar")).to_have_count(0)
    implantar = Item.objects.get(tipo="implantar")
    assert implantar.contexto == {"release_ref": "spec_002-v1", "ambiente": "producao", "aprovado_por": "po"}

    # The hotfix: a rejection needs a reason, and becomes a corrigir_bug naming the release.
    po.goto(f"/releases/{v2.pk}/")
    expect(po.locator("#erro-relatado")).to_contain_text("limite errado")
    # It compares itself with the release it fixes: what was asked, the new regression tests.
    comparacao = po.locator("#comparacao")
    expect(comparacao).to_contain_text("O que esta correção mudou em relação a spec_002-v1")
    expect(comparacao.locator("#pedido-de-correcao")).to_contain_text("Erro relatado por GENESIS")
    expect(comparacao.locator("#pedido-de-correcao")).to_contain_text("limite errado")
    expect(comparacao.locator("[data-grupo=novos_passando]")).to_have_text("2 testes novos que passam")
    expect(comparacao.locator("[data-grupo=novas_falhas]")).to_have_text("0 falhas novas")
    comparacao.locator("#comparacao-novos_passando > summary").click()
    expect(comparacao.locator("#comparacao-novos_passando tbody tr")).to_have_count(2)
    fotografar(po, "hotfix-comparacao")
    rejeitar = po.get_by_role("button", name="Rejeitar…")
    rejeitar.click()  # the browser refuses: the reason is required
    expect(po).to_have_url(live_server.url + f"/releases/{v2.pk}/")
    assert Release.objects.get(pk=v2.pk).status == Release.Status.ABERTA
    # The field shows its limit and counts what is typed (issue 17).
    contagem = po.locator("#limite-motivo-rejeitar [data-contagem]")
    expect(contagem).to_have_text("0")
    motivo = "o limite ainda ignora a restrição cadastral"
    po.get_by_label(re.compile("O que está errado")).fill(motivo)
    expect(contagem).to_have_text(str(len(motivo)))
    expect(po.locator("#limite-motivo-rejeitar")).to_contain_text("de 5000 caracteres")
    # Rejecting asks first; going back changes nothing (issue 17).
    rejeitar.click()
    dialogo = po.get_by_role("dialog")
    expect(dialogo).to_contain_text("Rejeitar a release spec_002-v2?")
    expect(dialogo).to_contain_text(motivo)
    dialogo.get_by_role("button", name="Voltar").click()
    expect(dialogo).to_be_hidden()
    assert Release.objects.get(pk=v2.pk).status == Release.Status.ABERTA
    assert not Item.objects.filter(tipo="corrigir_bug", status=Status.PENDENTE).exists()
    rejeitar.click()
    po.get_by_role("dialog").get_by_role("button", name="Rejeitar", exact=True).click()
    expect(po.locator(".aviso.success")).to_contain_text("Release rejeitada")
    expect(po.locator("#situacao")).to_have_text("rejeitada")
    pedido = Item.objects.get(tipo="corrigir_bug", status=Status.PENDENTE)
    assert pedido.contexto["feature_ref"] == "spec_002-v2"
    assert pedido.contexto["erro"] == "o limite ainda ignora a restrição cadastral"

    # Rebuilt, the same spec without a new case gives v2 again: the PO reads "nothing to fix"
    # on v2's page and in its timeline, and no identical v3 waits for a decision.
    with pytest.raises(Release.DoesNotExist):
        construir(pedido)  # the item, its vertentes, their assembly: nothing to fix
    assert not Release.objects.filter(versao=3).exists()
    po.reload()
    expect(po.locator(f"#nada-a-corrigir-{pedido.pk}")).to_contain_text("Nada a corrigir automaticamente.")
    expect(po.locator("#linha-do-tempo")).to_contain_text("nada a corrigir automaticamente")

    # Both decisions are in the history tab.
    po.goto("/?aba=decididos")
    # (the inbox writes the status as a label: "Aprovada")
    expect(po.locator("#caixa tbody tr", has_text="spec_002-v1")).to_contain_text(re.compile("aprovada", re.I))
    expect(po.locator("#caixa tbody tr", has_text="spec_002-v2")).to_contain_text(re.compile("rejeitada", re.I))


def test_quem_nao_e_po_ve_mas_nao_decide(entrar_como, releases):
    v1, _ = releases
    admin = entrar_como("admin", proxima=f"/releases/{v1.pk}/")
    expect(admin.get_by_role("heading", name="Release spec_002-v1")).to_be_visible()
    expect(admin.get_by_role("button", name="Aprovar")).to_have_count(0)
    expect(admin.get_by_role("link", name=re.compile(r"Baixar spec_002-v1\.zip"))).to_be_visible()
