"""Issue 10's flows through the services and the consumer: deploy → validate → avaliar_efetividade
and promotion; deploy → refuse → rollback + corrigir_bug; a failing smoke check leaves the old
release serving; promotion refused without the earlier validation; approvers; supersession."""

from __future__ import annotations

import pytest

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.erros import DadosInvalidos, SemPermissao, TransicaoInvalida
from fabrica.implantacao import selectors
from fabrica.implantacao import services as servicos
from fabrica.implantacao.alvos import alvo_de
from fabrica.implantacao.models import Implantacao
from prometheus_site.atores import ator_de
from tests.fabrica.implantacao.conftest import atual, implantar, processar, produzir_implantar

pytestmark = pytest.mark.django_db

V = Implantacao.Validacao


def test_implanta_e_produz_validar_implantacao(fazer_release, ambientes):
    v1 = fazer_release(1)

    impl = implantar(v1)

    assert impl.status == Implantacao.Status.CONCLUIDA
    assert impl.validacao == V.PENDENTE
    assert impl.release_anterior is None
    assert atual(ambientes["homologacao"]) == "spec_teste-v1"
    corrente = alvo_de(ambientes["homologacao"]).current("spec_teste")
    assert corrente.is_symlink() and (corrente / "app" / "__init__.py").read_text().startswith("VERSAO = 1")
    item = Item.objects.get(pk=impl.item_id)
    assert item.status == Status.CONCLUIDO
    assert item.resultado["implantacao_ref"] == str(impl.pk)
    assert item.resultado["ambiente"] == "homologacao"
    validar = impl.item_validacao
    assert validar.tipo == "validar_implantacao" and validar.status == Status.PENDENTE
    assert validar.contexto == {
        "release_ref": "spec_teste-v1",
        "implantacao_ref": str(impl.pk),
        "ambiente": "homologacao",
    }
    assert validar.produzido_por_id == item.pk
    assert "Testes de fumaça passaram" in impl.log
    assert "current → releases/spec_teste-v1" in impl.log


def test_validar_produz_avaliar_efetividade_e_oferece_promocao(fazer_release, ambientes, elenco):
    v1 = fazer_release(1)
    impl = implantar(v1)

    servicos.implantacao_validar(implantacao_id=impl.pk, por=elenco["po"], aprovado=True, observacao="tudo certo")

    impl.refresh_from_db()
    assert impl.validacao == V.VALIDADA and impl.validado_por == elenco["po"]
    assert impl.promocao == Implantacao.Promocao.OFERECIDA and impl.promover_para == ambientes["producao"]
    validar = Item.objects.get(pk=impl.item_validacao_id)
    assert validar.status == Status.CONCLUIDO and validar.resultado["decisao"] == "validada"
    (avaliar,) = validar.gerados.all()
    assert avaliar.tipo == "avaliar_efetividade"
    assert avaliar.contexto == {
        "release_ref": "spec_teste-v1",
        "implantacao_ref": str(impl.pk),
        "ambiente": "homologacao",
        "observacao": "tudo certo",
    }

    item = servicos.implantacao_promover(implantacao_id=impl.pk, por=elenco["po"])
    em_producao = processar(item)

    assert em_producao.status == Implantacao.Status.CONCLUIDA
    assert em_producao.ambiente == ambientes["producao"] and em_producao.origem == impl
    assert atual(ambientes["producao"]) == "spec_teste-v1"
    impl.refresh_from_db()
    assert impl.promocao == Implantacao.Promocao.SOLICITADA
    # Validated in producao, the last environment: nothing further to promote to.
    servicos.implantacao_validar(implantacao_id=em_producao.pk, por=elenco["po"], aprovado=True)
    em_producao.refresh_from_db()
    assert em_producao.promocao == "" and em_producao.promover_para is None


def test_recusar_reverte_para_a_anterior_e_produz_corrigir_bug(fazer_release, ambientes, elenco):
    v1, v2 = fazer_release(1), fazer_release(2)
    primeira = implantar(v1)
    segunda = implantar(v2)
    assert segunda.release_anterior == v1
    assert atual(ambientes["homologacao"]) == "spec_teste-v2"

    servicos.implantacao_validar(
        implantacao_id=segunda.pk, por=elenco["po"], aprovado=False, observacao="o botão salvar não responde"
    )

    validar = Item.objects.get(pk=segunda.item_validacao_id)
    corrigir, reverter = validar.gerados.order_by("id")
    assert corrigir.tipo == "corrigir_bug"
    assert corrigir.contexto["feature_ref"] == "spec_teste-v2"
    assert corrigir.contexto["erro"] == "o botão salvar não responde"
    assert reverter.tipo == "implantar" and reverter.contexto["reversao"]["para_release_ref"] == "spec_teste-v1"
    assert reverter.prioridade > 0

    reversao = processar(reverter)

    assert reversao.tipo == Implantacao.Tipo.REVERSAO
    assert reversao.status == Implantacao.Status.CONCLUIDA
    assert reversao.release == v1 and reversao.release_anterior == v2 and reversao.reverte == segunda
    assert reversao.validacao == "" and reversao.item_validacao is None
    assert "Validação recusada" in reversao.motivo
    assert atual(ambientes["homologacao"]) == "spec_teste-v1"
    assert selectors.vigente(ambientes["homologacao"].pk, "spec_teste") == reversao
    # The refused release's files stay for inspection; the first deployment's record is untouched.
    assert "spec_teste-v2" in alvo_de(ambientes["homologacao"]).guardadas("spec_teste")
    primeira.refresh_from_db()
    assert primeira.validacao == V.SUBSTITUIDA


def test_recusar_a_primeira_implantacao_retira_a_spec(fazer_release, ambientes, elenco):
    impl = implantar(fazer_release(1))

    servicos.implantacao_validar(implantacao_id=impl.pk, por=elenco["po"], aprovado=False, observacao="quebrado")
    reverter = Item.objects.get(tipo="implantar", contexto__reversao__implantacao_ref=str(impl.pk))
    reversao = processar(reverter)

    assert reversao.status == Implantacao.Status.CONCLUIDA and reversao.release is None
    assert atual(ambientes["homologacao"]) is None
    assert not alvo_de(ambientes["homologacao"]).current("spec_teste").exists()
    assert selectors.servindo([ambientes["homologacao"].pk]) == {}


def test_recusar_o_que_ja_nao_serve_nao_reverte(fazer_release, ambientes, elenco):
    v1, v2 = fazer_release(1), fazer_release(2)
    antiga = implantar(v1)
    servicos.implantacao_validar(implantacao_id=antiga.pk, por=elenco["po"], aprovado=True)
    implantar(v2)

    # v1's validation was made; a decision on a record that no longer serves produces no rollback.
    with pytest.raises(TransicaoInvalida):
        servicos.implantacao_validar(implantacao_id=antiga.pk, por=elenco["po"], aprovado=False, observacao="x")
    assert not Item.objects.filter(tipo="implantar", contexto__has_key="reversao").exists()


def test_smoke_que_falha_deixa_a_release_antiga_servindo(fazer_release, ambientes):
    implantar(fazer_release(1))
    quebrada = fazer_release(2, smoke_passa=False)

    impl = implantar(quebrada)

    assert impl.status == Implantacao.Status.FALHOU
    assert "Os testes de fumaça falharam" in impl.erro
    assert "test_dobro" in impl.log  # pytest's own report is in the log
    assert atual(ambientes["homologacao"]) == "spec_teste-v1"
    corrente = alvo_de(ambientes["homologacao"]).current("spec_teste")
    assert (corrente / "app" / "__init__.py").read_text().startswith("VERSAO = 1")
    item = Item.objects.get(pk=impl.item_id)
    assert item.status == Status.FALHA and "fumaça" in item.erro
    assert not Item.objects.filter(tipo="validar_implantacao", contexto__implantacao_ref=str(impl.pk)).exists()
    assert selectors.vigente(ambientes["homologacao"].pk, "spec_teste").release.versao == 1


def test_promocao_recusada_sem_validacao_no_ambiente_anterior(fazer_release, ambientes, elenco):
    v1 = fazer_release(1)
    implantar(v1)  # deployed to homologacao but not validated there

    with pytest.raises(TransicaoInvalida) as recusa:
        servicos.item_implantar_preparar(release=v1, ambiente=ambientes["producao"], por=elenco["po"])
    assert "precisa ser validada em homologacao" in recusa.value.mensagem
    assert recusa.value.campos == {"ambiente": ["Valide antes em homologacao."]}

    # Asked for directly on the backlog, the consumer refuses it the same way, and records it.
    impl = implantar(v1, "producao")
    assert impl.status == Implantacao.Status.FALHOU
    assert "precisa ser validada em homologacao antes de ir para producao" in impl.erro
    item = Item.objects.get(pk=impl.item_id)
    assert item.status == Status.FALHA and item.tentativas == 1
    assert atual(ambientes["producao"]) is None


def test_promocao_nao_e_oferecida_depois_de_recusa(fazer_release, ambientes, elenco):
    impl = implantar(fazer_release(1))
    servicos.implantacao_validar(implantacao_id=impl.pk, por=elenco["po"], aprovado=False, observacao="não")

    with pytest.raises(TransicaoInvalida):
        servicos.implantacao_promover(implantacao_id=impl.pk, por=elenco["po"])


def test_so_os_aprovadores_do_ambiente_aprovam(fazer_release, ambientes, elenco, django_user_model):
    from django.contrib.auth.models import Permission

    v1 = fazer_release(1)
    homolog = implantar(v1)
    servicos.implantacao_validar(implantacao_id=homolog.pk, por=elenco["po"], aprovado=True)
    # Someone allowed to decide deployments, but outside producao's approving group.
    outro = django_user_model.objects.create_user("outro_po")
    outro.user_permissions.add(Permission.objects.get(codename="decidir_implantacao"))

    with pytest.raises(SemPermissao) as recusa:
        servicos.implantacao_promover(implantacao_id=homolog.pk, por=outro)
    assert "quem aprova: PO" in recusa.value.mensagem

    # Who produced the item (as the backlog recorded it) is checked as its approver by the consumer too.
    item = backlog.produzir(
        tipo="implantar",
        produtor="MS_Produto",
        spec_ref=v1.spec_ref,
        contexto={"release_ref": v1.rotulo_versao, "ambiente": "producao"},
        ator=ator_de(outro),
    )
    impl = processar(item)
    assert impl.status == Implantacao.Status.FALHOU and "não aprova implantações em producao" in impl.erro

    servicos.implantacao_promover(implantacao_id=homolog.pk, por=elenco["po"])
    em_producao = processar(Item.objects.filter(tipo="implantar", status=Status.PENDENTE).get())
    assert em_producao.status == Implantacao.Status.CONCLUIDA
    with pytest.raises(SemPermissao):
        servicos.implantacao_validar(implantacao_id=em_producao.pk, por=outro, aprovado=True)


def test_validacao_decidida_uma_vez_e_recusa_exige_observacao(fazer_release, ambientes, elenco):
    impl = implantar(fazer_release(1))

    with pytest.raises(DadosInvalidos) as sem_motivo:
        servicos.implantacao_validar(implantacao_id=impl.pk, por=elenco["po"], aprovado=False, observacao="  ")
    assert "observacao" in sem_motivo.value.campos
    servicos.implantacao_validar(implantacao_id=impl.pk, por=elenco["po"], aprovado=True)
    with pytest.raises(TransicaoInvalida) as de_novo:
        servicos.implantacao_validar(implantacao_id=impl.pk, por=elenco["po"], aprovado=False, observacao="x")

    assert "já foi validada por po em" in de_novo.value.mensagem
    assert Item.objects.filter(tipo="avaliar_efetividade").count() == 1
    assert not Item.objects.filter(tipo="corrigir_bug").exists()


def test_nova_implantacao_substitui_a_validacao_pendente(fazer_release, ambientes):
    primeira = implantar(fazer_release(1))
    segunda = implantar(fazer_release(2))

    primeira.refresh_from_db()
    assert primeira.validacao == V.SUBSTITUIDA
    assert Item.objects.get(pk=primeira.item_validacao_id).status == Status.CANCELADO
    assert segunda.validacao == V.PENDENTE


def test_release_nao_aprovada_ou_desconhecida_e_recusada(fazer_release, ambientes):
    aberta = fazer_release(1, aprovada=False)

    impl = implantar(aberta)
    assert impl.status == Implantacao.Status.FALHOU and "não está aprovada" in impl.erro

    item = produzir_implantar(aberta)
    item.contexto["release_ref"] = "999999"
    Item.objects.filter(pk=item.pk).update(contexto=item.contexto)
    assert processar(item) is None
    item.refresh_from_db()
    assert item.status == Status.FALHA and "A release 999999 não existe" in item.erro


def test_release_por_id_ou_rotulo(fazer_release):
    v3 = fazer_release(3)

    assert selectors.release_por_ref("spec_teste-v3") == v3
    assert selectors.release_por_ref(str(v3.pk)) == v3
    with pytest.raises(Exception, match="não existe"):
        selectors.release_por_ref("spec_teste-v4")


def test_sem_ambiente_vai_para_o_primeiro_ativo(fazer_release, ambientes):
    impl = implantar(fazer_release(1), ambiente=None)

    assert impl.ambiente == ambientes["homologacao"]
