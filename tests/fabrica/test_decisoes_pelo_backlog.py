"""An MS_Produto deciding over the broker (issue 16): a role an admin grants explicitly, whose
conclusion of ``aprovar_orcamento`` goes through the PO's decision service."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from rest_framework.test import APIClient

from backlog.models import Concessao, Item, RegraAcesso, Status
from fabrica.models import Orcamento
from tests.apoio import assert_forma_de_erro

pytestmark = pytest.mark.django_db

CONSUMIR = reverse("api-backlog-consumir")


def _concluir(pk: int) -> str:
    return reverse("api-backlog-concluir", args=[pk])


@pytest.fixture
def ms_produto(db) -> APIClient:
    """A system user in a role the admin created and granted ``aprovar_orcamento`` to."""
    papel = Group.objects.create(name="MS_Produto decisor")
    papel.permissions.add(Permission.objects.get(codename="operar_backlog"))
    Concessao.objects.create(
        regra=RegraAcesso.objects.get(tipo="aprovar_orcamento"), grupo=papel, consumir=True, concluir=True
    )
    usuario = User.objects.create_user("ms_produto")
    usuario.groups.add(papel)
    cliente = APIClient()
    cliente.force_authenticate(usuario)
    return cliente


def _reservar(cliente: APIClient) -> dict:
    resposta = cliente.post(CONSUMIR, {"tipos": ["aprovar_orcamento"], "consumidor": "MS_Produto"}, format="json")
    assert resposta.status_code == 200, resposta.content
    return resposta.json()


def test_papel_concedido_aprova_orcamento_pelo_servico_de_decisao(ms_produto, orcamento_pronto, caminho):
    reservado = _reservar(ms_produto)
    assert reservado["id"] == orcamento_pronto.item_aprovacao_id

    resposta = ms_produto.post(
        _concluir(reservado["id"]),
        {"lease_token": reservado["lease_token"], "resultado": {"decisao": "aprovado", "motivo": "cabe no plano"}},
        format="json",
    )

    assert resposta.status_code == 200, resposta.content
    orc = Orcamento.objects.get(pk=orcamento_pronto.pk)
    assert (orc.status, orc.decidido_por.get_username(), orc.motivo) == (
        Orcamento.Status.APROVADO,
        "ms_produto",
        "cabe no plano",
    )
    item = Item.objects.get(pk=reservado["id"])
    assert item.status == Status.CONCLUIDO
    assert item.resultado["por"] == "usuario:ms_produto"
    assert item.gerados.get().tipo == "desenvolvimento"


def test_papel_concedido_rejeita_com_motivo(ms_produto, orcamento_pronto):
    reservado = _reservar(ms_produto)

    resposta = ms_produto.post(
        _concluir(reservado["id"]),
        {"lease_token": reservado["lease_token"], "resultado": {"decisao": "rejeitado", "motivo": "caro"}},
        format="json",
    )

    assert resposta.status_code == 200, resposta.content
    assert Orcamento.objects.get(pk=orcamento_pronto.pk).status == Orcamento.Status.REJEITADO


@pytest.mark.parametrize("resultado", [{}, {"decisao": "talvez"}, {"decisao": "rejeitado"}])
def test_conclusao_sem_decisao_valida_nao_conclui_nada(ms_produto, orcamento_pronto, resultado, caminho):
    reservado = _reservar(ms_produto)

    resposta = ms_produto.post(
        _concluir(reservado["id"]), {"lease_token": reservado["lease_token"], "resultado": resultado}, format="json"
    )

    assert_forma_de_erro(resposta, 400)
    assert Orcamento.objects.get(pk=orcamento_pronto.pk).status == Orcamento.Status.ABERTO
    assert Item.objects.get(pk=reservado["id"]).status == Status.EM_PROCESSAMENTO


def test_papel_concedido_em_lote_tambem_decide(ms_produto, orcamento_pronto, caminho):
    reservado = _reservar(ms_produto)

    corpo = ms_produto.post(
        reverse("api-backlog-concluir-varios"),
        {
            "itens": [
                {
                    "id": reservado["id"],
                    "lease_token": reservado["lease_token"],
                    "resultado": {"decisao": "aprovado"},
                }
            ]
        },
        format="json",
    ).json()

    assert corpo["resultados"][0]["status"] == 200, corpo
    assert Orcamento.objects.get(pk=orcamento_pronto.pk).status == Orcamento.Status.APROVADO


def test_sistema_sem_concessao_nao_decide(api_como, orcamento_pronto):
    sistema = api_como("sistema")

    resposta = sistema.post(CONSUMIR, {"tipos": ["aprovar_orcamento"], "consumidor": "x"}, format="json")

    assert "aprovar_orcamento" in assert_forma_de_erro(resposta, 403)["erro"]
    assert Item.objects.get(pk=orcamento_pronto.item_aprovacao_id).status == Status.PENDENTE
    assert Orcamento.objects.get(pk=orcamento_pronto.pk).status == Orcamento.Status.ABERTO
