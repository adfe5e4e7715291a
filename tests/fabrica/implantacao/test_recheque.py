"""The ``implantar`` handler re-checks what it acts on (issue 16): an approved release, or a
rollback made by the rollback service; the person behind it is the one the backlog recorded
producing the item, never a name its ``contexto`` carries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from backlog.models import Item, Status
from fabrica.implantacao import services as servicos
from fabrica.implantacao.models import Implantacao
from tests.apoio import conceder
from tests.fabrica.implantacao.conftest import atual, implantar, processar, produzir_implantar

pytestmark = pytest.mark.django_db


def test_implantar_release_nao_aprovada_falha_sem_implantar(fazer_release, rapidos):
    aberta = fazer_release(1, aprovada=False)

    item = produzir_implantar(aberta)
    impl = processar(item)

    item.refresh_from_db()
    assert item.status == Status.FALHA and "não está aprovada" in item.erro
    assert impl is None or impl.status == Implantacao.Status.FALHOU
    assert atual(rapidos["homologacao"]) is None


def _duas_implantadas(fazer_release, ambientes):
    v1, v2 = fazer_release(1), fazer_release(2)
    implantar(v1)
    implantar(v2)
    assert atual(ambientes["homologacao"]) == "spec_teste-v2"
    return v1, v2


def test_reversao_registra_o_admin_autenticado_e_nao_o_nome_do_contexto(fazer_release, rapidos, elenco):
    v1, _ = _duas_implantadas(fazer_release, rapidos)
    item = servicos.reversao_solicitar(
        ambiente_id=rapidos["homologacao"].pk,
        spec_ref="spec_teste",
        release_id=v1.pk,
        por=elenco["admin"],
        motivo="volta",
    )
    # The payload names the PO (as a forged item did); the record must name who really asked.
    contexto = {**item.contexto, "reversao": {**item.contexto["reversao"], "por": "usuario:po"}}
    Item.objects.filter(pk=item.pk).update(contexto=contexto)

    impl = processar(item)

    assert impl.tipo == Implantacao.Tipo.REVERSAO and impl.status == Implantacao.Status.CONCLUIDA
    assert impl.aprovado_por == elenco["admin"]
    assert impl.solicitado_por == "usuario:admin"
    assert atual(rapidos["homologacao"]) == "spec_teste-v1"


def test_reversao_produzida_pela_api_falha_sem_reverter(fazer_release, rapidos, elenco):
    """Even with ``implantar`` granted to its role, a token's rollback is not the rollback service's."""
    _duas_implantadas(fazer_release, rapidos)
    conceder(elenco["sistema"], "implantar", "P")
    cliente = APIClient()
    cliente.force_authenticate(elenco["sistema"])
    resposta = cliente.post(
        reverse("api-backlog-itens"),
        {
            "tipo": "implantar",
            "produtor": "MS_Produto",
            "contexto": {
                "release_ref": "spec_teste-v2",
                "ambiente": "homologacao",
                "reversao": {"para_release_ref": None, "motivo": "derrubar", "por": "usuario:po"},
            },
        },
        format="json",
    )
    assert resposta.status_code == 201, resposta.content
    item = Item.objects.get(pk=resposta.json()["id"])

    processar(item)

    item.refresh_from_db()
    assert item.status == Status.FALHA and "serviço de reversão" in item.erro
    assert atual(rapidos["homologacao"]) == "spec_teste-v2"
    assert not Implantacao.objects.filter(tipo=Implantacao.Tipo.REVERSAO).exists()


def test_aprovador_e_quem_produziu_o_item_nao_o_nome_do_contexto(fazer_release, ambientes, elenco):
    """A deploy's approver is its producer as the backlog recorded it; a name in the payload
    (``aprovado_por``) changes nothing."""
    v1 = fazer_release(1)
    for ambiente in ambientes.values():
        ambiente.configuracao = {"smoke": False}
        ambiente.save()
    homolog = implantar(v1)
    servicos.implantacao_validar(implantacao_id=homolog.pk, por=elenco["po"], aprovado=True)
    conceder(elenco["sistema"], "implantar", "P")
    cliente = APIClient()
    cliente.force_authenticate(elenco["sistema"])
    resposta = cliente.post(
        reverse("api-backlog-itens"),
        {
            "tipo": "implantar",
            "contexto": {"release_ref": "spec_teste-v1", "ambiente": "producao", "aprovado_por": "po"},
        },
        format="json",
    )
    assert resposta.status_code == 201

    impl = processar(Item.objects.get(pk=resposta.json()["id"]))

    assert impl.status == Implantacao.Status.FALHOU and "sistema não aprova implantações em producao" in impl.erro
    assert atual(ambientes["producao"]) is None
