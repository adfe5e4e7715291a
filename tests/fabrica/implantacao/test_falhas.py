"""A failed deployment is the PO's decision (docs/implantacao.md, "A failed deployment"): it waits
in the inbox with its log's failing part; retrying makes a new ``implantar`` of the same release
(recorded); rejecting rejects the release into ``corrigir_bug`` with the failure as ``erro``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backlog.models import Item
from fabrica.erros import SemPermissao, TransicaoInvalida
from fabrica.implantacao import services
from fabrica.implantacao.models import Implantacao
from fabrica.models import Release
from fabrica.releases import services as releases
from tests.apoio import assert_forma_de_erro
from tests.fabrica.implantacao.conftest import implantar, processar

pytestmark = pytest.mark.django_db
Falha = Implantacao.Falha


@pytest.fixture
def falhou(fazer_release, ambientes) -> Implantacao:
    """Release 1, whose smoke checks fail, deployed to homologacao: a failed deployment."""
    impl = implantar(fazer_release(1, smoke_passa=False))
    assert impl is not None and impl.status == Implantacao.Status.FALHOU
    return impl


def test_falha_espera_decisao_com_o_trecho_do_log(falhou):
    assert falhou.falha == Falha.PENDENTE
    trecho = services.trecho_da_falha(falhou)
    assert "test_dobro" in trecho
    assert len(trecho.splitlines()) <= services.LINHAS_DA_FALHA


def test_repetir_produz_implantar_da_mesma_release_e_registra(falhou, elenco):
    item = services.implantacao_repetir(implantacao_id=falhou.pk, por=elenco["po"])

    assert item.tipo == "implantar"
    assert item.contexto["release_ref"] == "spec_teste-v1"
    assert item.contexto["ambiente"] == "homologacao"
    assert item.contexto["repete_ref"] == str(falhou.pk)
    falhou.refresh_from_db()
    assert falhou.falha == Falha.REPETIDA and falhou.validado_por == elenco["po"] and falhou.validado_em
    nova = processar(item)
    assert nova is not None and nova.repete_id == falhou.pk
    # Fails again (same artefacts): a new decision waits, on the new record.
    assert nova.status == Implantacao.Status.FALHOU and nova.falha == Falha.PENDENTE
    assert list(falhou.repeticoes.all()) == [nova]


def test_rejeitar_a_release_produz_corrigir_bug_com_a_falha(falhou, elenco):
    release = releases.release_rejeitar_por_falha(implantacao_id=falhou.pk, por=elenco["po"], motivo="quebrou")

    assert release.status == Release.Status.REJEITADA and release.decidido_por == elenco["po"]
    corrigir = Item.objects.get(tipo="corrigir_bug")
    assert corrigir.contexto["feature_ref"] == "spec_teste-v1"
    assert corrigir.contexto["implantacao_ref"] == str(falhou.pk)
    erro = corrigir.contexto["erro"]
    assert erro.startswith("quebrou")
    assert "Os testes de fumaça falharam" in erro and "test_dobro" in erro
    falhou.refresh_from_db()
    assert falhou.falha == Falha.REJEITADA and falhou.observacao == "quebrou"


def test_rejeitar_sem_motivo_usa_a_falha(falhou, elenco):
    releases.release_rejeitar_por_falha(implantacao_id=falhou.pk, por=elenco["po"])

    assert Item.objects.get(tipo="corrigir_bug").contexto["erro"].startswith("A implantação #")


def test_decide_uma_vez(falhou, elenco):
    services.implantacao_repetir(implantacao_id=falhou.pk, por=elenco["po"])

    with pytest.raises(TransicaoInvalida, match="já foi decidida"):
        services.implantacao_repetir(implantacao_id=falhou.pk, por=elenco["po"])
    with pytest.raises(TransicaoInvalida, match="já foi decidida"):
        releases.release_rejeitar_por_falha(implantacao_id=falhou.pk, por=elenco["po"])
    assert Item.objects.filter(tipo="implantar").count() == 2
    assert not Item.objects.filter(tipo="corrigir_bug").exists()


def test_so_quem_aprova_o_ambiente_decide(fazer_release, ambientes, elenco):
    """producao is approved by the PO group only: the admin (with the permission or not) cannot."""
    ambientes["homologacao"].configuracao = {"smoke": False}
    ambientes["homologacao"].save()
    release = fazer_release(1, smoke_passa=False)
    homolog = implantar(release)
    services.implantacao_validar(implantacao_id=homolog.pk, por=elenco["po"], aprovado=True)
    falha = implantar(release, "producao")
    assert falha.falha == Falha.PENDENTE

    with pytest.raises(SemPermissao):
        services.implantacao_repetir(implantacao_id=falha.pk, por=elenco["admin"])
    with pytest.raises(SemPermissao):
        releases.release_rejeitar_por_falha(implantacao_id=falha.pk, por=elenco["outsider"])
    falha.refresh_from_db()
    assert falha.falha == Falha.PENDENTE


def test_implantacao_sem_falha_nao_tem_decisao(implantada, elenco):
    assert implantada.falha == ""
    with pytest.raises(TransicaoInvalida, match="não tem falha a decidir"):
        services.implantacao_repetir(implantacao_id=implantada.pk, por=elenco["po"])


def test_implantacao_seguinte_que_conclui_supera_a_falha(falhou, fazer_release, elenco):
    ambiente = falhou.ambiente
    ambiente.configuracao = {"smoke": False}
    ambiente.save()
    implantar(fazer_release(2))

    falhou.refresh_from_db()
    assert falhou.falha == Falha.SUPERADA
    with pytest.raises(TransicaoInvalida, match="não tem falha a decidir"):
        releases.release_rejeitar_por_falha(implantacao_id=falhou.pk, por=elenco["po"])


def test_release_ja_rejeitada_supera_as_outras_falhas(fazer_release, ambientes, elenco):
    release = fazer_release(1, smoke_passa=False)
    primeira = implantar(release)
    services.implantacao_repetir(implantacao_id=primeira.pk, por=elenco["po"])
    segunda = processar(Item.objects.filter(tipo="implantar").latest("id"))
    # The first is decided (retried); a second failure waits; rejecting it supersedes none left.
    releases.release_rejeitar_por_falha(implantacao_id=segunda.pk, por=elenco["po"])
    assert not Implantacao.objects.filter(falha=Falha.PENDENTE).exists()


# --- pages and API, with the cast -------------------------------------------------------------------

ELENCO = ["sistema", "admin", "po", "outsider", "anon"]


@pytest.fixture
def falha_rapida(fazer_release, ambientes) -> Implantacao:
    """A failed deployment whose smoke check is a command that fails at once (the cast's tests
    make one each; the release's real smoke tests have the tests above)."""
    homologacao = ambientes["homologacao"]
    homologacao.configuracao = {"smoke": ["sh", "-c", "echo 'AssertionError: o servico nao respondeu'; exit 1"]}
    homologacao.save()
    impl = implantar(fazer_release(1))
    assert impl is not None and impl.falha == Falha.PENDENTE, impl.log
    return impl


def _recusado(resposta, quem: str) -> None:
    if quem == "anon":
        assert resposta.status_code == 302 and resposta["Location"].startswith(reverse("login"))
    else:
        assert resposta.status_code == 403


def test_caixa_do_po_mostra_a_falha_com_o_trecho_do_log(cliente_como, falha_rapida):
    html = cliente_como("po").get(reverse("inicio")).content.decode()

    assert f'data-id="falha_implantacao-{falha_rapida.pk}"' in html
    assert "Implantação falhou" in html and "falha aguardando decisão" in html
    assert "o servico nao respondeu" in html  # the log's failing part, folded under the row
    assert "Os testes de fumaça falharam" in html


def test_pagina_da_falha_oferece_repetir_e_rejeitar_so_ao_po(cliente_como, falha_rapida):
    url = reverse("implantacao", args=[falha_rapida.pk])
    po = cliente_como("po").get(url).content.decode()
    assert 'id="trecho"' in po and "o servico nao respondeu" in po
    assert 'data-confirmar="confirmar-repetir"' in po and 'data-confirmar="confirmar-rejeitar-release"' in po
    assert reverse("implantacao-repetir", args=[falha_rapida.pk]) in po

    admin = cliente_como("admin").get(url).content.decode()
    assert 'id="trecho"' in admin
    assert reverse("implantacao-repetir", args=[falha_rapida.pk]) not in admin
    assert reverse("implantacao-rejeitar-release", args=[falha_rapida.pk]) not in admin


@pytest.mark.parametrize("quem", ELENCO)
def test_repetir_pela_pagina_so_o_po_e_depois_de_confirmar(cliente_como, falha_rapida, quem):
    url = reverse("implantacao-repetir", args=[falha_rapida.pk])
    cliente = cliente_como(quem)

    primeiro = cliente.post(url)
    if quem != "po":
        _recusado(primeiro, quem)
        _recusado(cliente.post(url, {"confirmado": "sim"}), quem)
        falha_rapida.refresh_from_db()
        assert falha_rapida.falha == Falha.PENDENTE
        assert Item.objects.filter(tipo="implantar").count() == 1
        return
    # Without the dialog's confirmation the page asks first, and nothing happens yet.
    assert primeiro.status_code == 200
    assert "de novo?" in primeiro.content.decode()
    assert Item.objects.filter(tipo="implantar").count() == 1
    feito = cliente.post(url, {"confirmado": "sim"}, follow=True)
    # It lands on the release page, whose deployments part names the new deployment in words
    # (no item numbers) and polls itself until the worker creates it (issue 17 item 7).
    assert (
        feito.redirect_chain[-1][0] == reverse("release", args=[falha_rapida.release_id]) + "#implantacoes-da-release"
    )
    html = feito.content.decode()
    assert "Nova implantação em homologacao solicitada" in html and "item #" not in html
    assert 'id="pedidas"' in html and "Implantação em homologacao solicitada" in html
    assert 'hx-trigger="every 2s"' in html and "htmx-2.min.js" in html
    falha_rapida.refresh_from_db()
    assert falha_rapida.falha == Falha.REPETIDA
    item = Item.objects.get(tipo="implantar", contexto__repete_ref=str(falha_rapida.pk))
    nova = processar(item)
    assert nova is not None
    parte = cliente.get(
        reverse("release", args=[falha_rapida.release_id]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="implantacoes-da-release",
    ).content.decode()
    assert f'href="{reverse("implantacao", args=[nova.pk])}"' in parte and 'id="pedidas"' not in parte
    # Without JavaScript a reload shows the same link.
    recarregada = cliente.get(reverse("release", args=[falha_rapida.release_id])).content.decode()
    assert f'href="{reverse("implantacao", args=[nova.pk])}"' in recarregada
    de_novo = cliente.post(url, {"confirmado": "sim"}, follow=True)
    assert "já foi decidida" in de_novo.content.decode()


def test_cartao_da_release_diz_que_a_implantacao_falhou(cliente_como, falha_rapida):
    url = reverse("release", args=[falha_rapida.release_id])
    html = cliente_como("po").get(url).content.decode()
    assert '<div class="n" id="situacao">falhou em homologacao</div>' in html
    ingles = cliente_como("po").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<div class="n" id="situacao">failed in homologacao</div>' in ingles


@pytest.mark.parametrize("quem", ELENCO)
def test_rejeitar_a_release_pela_pagina_so_o_po(cliente_como, falha_rapida, quem):
    url = reverse("implantacao-rejeitar-release", args=[falha_rapida.pk])
    cliente = cliente_como(quem)

    primeiro = cliente.post(url, {"motivo": "o servico cai"})
    if quem != "po":
        _recusado(primeiro, quem)
        _recusado(cliente.post(url, {"motivo": "x", "confirmado": "sim"}), quem)
        assert not Item.objects.filter(tipo="corrigir_bug").exists()
        return
    assert primeiro.status_code == 200 and "Rejeitar a release spec_teste-v1?" in primeiro.content.decode()
    assert not Item.objects.filter(tipo="corrigir_bug").exists()
    feito = cliente.post(url, {"motivo": "o servico cai", "confirmado": "sim"}, follow=True)
    assert "Release spec_teste-v1 rejeitada" in feito.content.decode()
    (corrigir,) = Item.objects.filter(tipo="corrigir_bug")
    assert (
        corrigir.contexto["erro"].startswith("o servico cai") and "o servico nao respondeu" in corrigir.contexto["erro"]
    )

    release = cliente.get(reverse("release", args=[falha_rapida.release_id])).content.decode()
    assert 'id="por-ambiente"' in release and "release rejeitada" in release
    assert "Decisão: <strong>rejeitada</strong>" in release


def test_rejeitar_motivo_longo_demais_nomeia_o_campo_e_guarda_o_texto(cliente_como, falha_rapida):
    motivo = "o alvo não tem postgres " + "x" * 5000
    resposta = cliente_como("po").post(
        reverse("implantacao-rejeitar-release", args=[falha_rapida.pk]), {"motivo": motivo}
    )

    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert f">{motivo}</textarea>" in html  # what was typed is still there
    assert 'id="erro-rejeitar-release"' in html and "Comentário para a correção:" in html
    assert "no máximo 5000 caracteres" in html
    assert f"<span data-contagem>{len(motivo)}</span> de 5000 caracteres" in html
    assert not Item.objects.filter(tipo="corrigir_bug").exists()


def test_comentario_da_rejeicao_mostra_o_limite(cliente_como, falha_rapida):
    html = cliente_como("po").get(reverse("implantacao", args=[falha_rapida.pk])).content.decode()

    assert 'id="motivo-rejeitar-release" name="motivo" rows="2" maxlength="5000" data-contar' in html
    assert 'id="limite-motivo-rejeitar-release"' in html


def test_pagina_da_release_diz_o_que_houve_em_cada_ambiente(cliente_como, falha_rapida):
    html = cliente_como("po").get(reverse("release", args=[falha_rapida.release_id])).content.decode()
    assert 'data-ambiente="homologacao"' in html
    assert "falhou" in html and "falha aguardando decisão" in html


@pytest.mark.parametrize("quem", ELENCO)
def test_api_repetir_pelo_elenco(api_como, falha_rapida, quem):
    resposta = api_como(quem).post(f"/api/implantacoes/{falha_rapida.pk}/repetir/")

    if quem == "po":
        assert resposta.status_code == 202, resposta.content
        assert resposta.json()["tipo"] == "implantar"
        assert_forma_de_erro(api_como("po").post(f"/api/implantacoes/{falha_rapida.pk}/repetir/"), 409)
    else:
        assert_forma_de_erro(resposta, 401 if quem == "anon" else 403)
        falha_rapida.refresh_from_db()
        assert falha_rapida.falha == Falha.PENDENTE


@pytest.mark.parametrize("quem", ELENCO)
def test_api_rejeitar_release_pelo_elenco(api_como, falha_rapida, quem):
    url = f"/api/implantacoes/{falha_rapida.pk}/rejeitar-release/"
    resposta = api_como(quem).post(url, {"motivo": "cai"}, format="json")

    if quem == "po":
        assert resposta.status_code == 200, resposta.content
        assert resposta.json()["status"] == "Rejeitada"
        assert Item.objects.filter(tipo="corrigir_bug").count() == 1
        assert_forma_de_erro(api_como("po").post(url, {}, format="json"), 409)
    else:
        assert_forma_de_erro(resposta, 401 if quem == "anon" else 403)
        assert not Item.objects.filter(tipo="corrigir_bug").exists()


def test_api_rejeitar_motivo_invalido_nomeia_o_campo(api_como, falha_rapida):
    resposta = api_como("po").post(
        f"/api/implantacoes/{falha_rapida.pk}/rejeitar-release/", {"motivo": "x" * 5001}, format="json"
    )
    assert_forma_de_erro(resposta, 400)
    assert "motivo" in resposta.json()["campos"]
    assert not Item.objects.filter(tipo="corrigir_bug").exists()


def test_api_mostra_a_falha_e_quem_repete(api_como, falha_rapida):
    api_como("po").post(f"/api/implantacoes/{falha_rapida.pk}/repetir/")
    detalhe = api_como("sistema").get(f"/api/implantacoes/{falha_rapida.pk}/").json()
    assert detalhe["falha"] == "Repetida" and detalhe["validado_por"] == "po"
