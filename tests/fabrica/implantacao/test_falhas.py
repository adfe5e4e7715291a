"""A failed deployment is the PO's decision (docs/implantacao.md, "A failed deployment"): it waits
in the inbox with its log's failing part; retrying makes a new ``implantar`` of the same release
(recorded); rejecting rejects the release into ``corrigir_bug`` with the failure as ``erro``."""

from __future__ import annotations

import pytest

from backlog.models import Item
from fabrica.erros import SemPermissao, TransicaoInvalida
from fabrica.implantacao import services
from fabrica.implantacao.models import Implantacao
from fabrica.models import Release
from fabrica.releases import services as releases
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
