"""Who may produce, consume and conclude what (issue 16): the seeded access rules, enforced by
the services, answered 403 naming the type by the REST API, single and batch alike."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from rest_framework.test import APIClient

from backlog import acesso, services
from backlog.erros import AcessoNegado
from backlog.models import Concessao, Evento, Item, Operacao, RegraAcesso, Status
from tests.apoio import assert_forma_de_erro, conceder
from tests.factories import ItemComStatusFactory

pytestmark = pytest.mark.django_db

ITENS = reverse("api-backlog-itens")
CONSUMIR = reverse("api-backlog-consumir")
CONCLUIR_VARIOS = reverse("api-backlog-concluir-varios")

# PROMETHEUS's own types: produced and concluded only by its services and the PO's decisions.
RESERVADOS = ["desenvolvimento", "implantar", "aprovar_orcamento", "aprovar_release", "validar_implantacao"]

DOR = {
    "sintoma": "s",
    "frequencia": "f",
    "afetados": [],
    "impacto": "i",
    "tentativas": [],
    "criterio_sucesso": "c",
}


def post(cliente: APIClient, endereco: str, dados: dict):
    return cliente.post(endereco, dados, format="json")


def concluir_url(pk: int) -> str:
    return reverse("api-backlog-concluir", args=[pk])


@pytest.fixture
def sistema(api_como) -> APIClient:
    return api_como("sistema")


def _retrato() -> list:
    return list(Item.objects.order_by("pk").values_list("pk", "tipo", "status", "lease_token"))


@pytest.mark.parametrize("tipo", RESERVADOS)
def test_sistema_nao_produz_tipo_de_prometheus(sistema, tipo):
    antes = _retrato()

    erro = assert_forma_de_erro(post(sistema, ITENS, {"tipo": tipo, "contexto": {}}), 403)

    assert tipo in erro["erro"]
    assert erro["campos"] == {"tipo": [tipo]}
    assert _retrato() == antes


@pytest.mark.parametrize("tipo", RESERVADOS)
def test_sistema_nao_consome_tipo_de_prometheus(sistema, tipo):
    item = ItemComStatusFactory(tipo=tipo, status=Status.PENDENTE)
    antes = _retrato()

    erro = assert_forma_de_erro(post(sistema, CONSUMIR, {"tipos": ["orcar_x", tipo], "consumidor": "c"}), 403)

    assert tipo in erro["erro"]
    assert erro["campos"] == {"tipos": [tipo]}
    assert _retrato() == antes
    assert Item.objects.get(pk=item.pk).status == Status.PENDENTE


@pytest.mark.parametrize("tipo", RESERVADOS)
def test_sistema_nao_conclui_tipo_de_prometheus(sistema, tipo, caminho):
    # Held by someone (PROMETHEUS's own consumer): even its lease does not let a token conclude.
    item = ItemComStatusFactory(tipo=tipo, status=Status.EM_PROCESSAMENTO)
    antes = _retrato()

    erro = assert_forma_de_erro(post(sistema, concluir_url(item.pk), {"lease_token": str(item.lease_token)}), 403)

    assert tipo in erro["erro"]
    assert _retrato() == antes
    assert not Evento.objects.filter(item=item, tipo="concluido").exists()


@pytest.mark.parametrize("tipo", RESERVADOS)
def test_sistema_nao_conclui_tipo_de_prometheus_em_lote(sistema, tipo, caminho):
    proprio = ItemComStatusFactory(tipo="tipo_do_genesis", status=Status.EM_PROCESSAMENTO)
    alheio = ItemComStatusFactory(tipo=tipo, status=Status.EM_PROCESSAMENTO)

    corpo = post(
        sistema,
        CONCLUIR_VARIOS,
        {
            "itens": [
                {"id": alheio.pk, "lease_token": str(alheio.lease_token)},
                {"id": proprio.pk, "lease_token": str(proprio.lease_token)},
            ]
        },
    ).json()

    recusa, aceito = corpo["resultados"]
    assert (recusa["status"], aceito["status"]) == (403, 200)
    assert tipo in recusa["erro"]
    assert Item.objects.get(pk=alheio.pk).status == Status.EM_PROCESSAMENTO
    assert Item.objects.get(pk=proprio.pk).status == Status.CONCLUIDO


def test_sistema_nao_gera_tipo_de_prometheus_ao_concluir(sistema, caminho):
    dor = ItemComStatusFactory(tipo="entrevistar_dor", status=Status.EM_PROCESSAMENTO, contexto=DOR)
    antes = _retrato()

    resposta = post(
        sistema,
        concluir_url(dor.pk),
        {
            "lease_token": str(dor.lease_token),
            "items_gerados": [{"tipo": "desenvolvimento", "contexto": {"spec_ref": "S", "spec_recursos": {}}}],
        },
    )

    erro = assert_forma_de_erro(resposta, 403)
    assert erro["campos"] == {"items_gerados": ["desenvolvimento"]}
    assert _retrato() == antes


def test_sistema_usa_seus_proprios_tipos(sistema, caminho):
    assert post(sistema, ITENS, {"tipo": "orcar_spec", "contexto": {"spec_ref": "S-1"}}).status_code == 201
    services.produzir(tipo="entrevistar_dor", produtor="PROMETHEUS", contexto=DOR)

    dor = post(sistema, CONSUMIR, {"tipos": ["entrevistar_dor"], "consumidor": "GENESIS"}).json()
    concluida = post(sistema, concluir_url(dor["id"]), {"lease_token": dor["lease_token"]})

    assert concluida.status_code == 200, concluida.content
    assert Item.objects.get(pk=dor["id"]).status == Status.CONCLUIDO


def test_sistema_usa_tipos_que_prometheus_nao_conhece(sistema, caminho):
    criado = post(sistema, ITENS, {"tipo": "tipo_do_genesis", "contexto": {"a": 1}})
    assert criado.status_code == 201

    reservado = post(sistema, CONSUMIR, {"tipos": ["tipo_do_genesis"], "consumidor": "GENESIS"}).json()
    concluida = post(sistema, concluir_url(reservado["id"]), {"lease_token": reservado["lease_token"]})

    assert concluida.status_code == 200
    assert Item.objects.get(pk=criado.json()["id"]).status == Status.CONCLUIDO


@pytest.mark.parametrize("operacao", ["produzir", "consumir"])
def test_sistema_nao_consome_nem_produz_fora_do_que_lhe_cabe(sistema, operacao):
    """orcar_spec is PROMETHEUS's to consume; entrevistar_dor PROMETHEUS's to produce."""
    if operacao == "produzir":
        resposta = post(sistema, ITENS, {"tipo": "entrevistar_dor", "contexto": DOR})
        tipo = "entrevistar_dor"
    else:
        resposta = post(sistema, CONSUMIR, {"tipos": ["orcar_spec"], "consumidor": "c"})
        tipo = "orcar_spec"
    assert tipo in assert_forma_de_erro(resposta, 403)["erro"]


def test_concessao_a_um_usuario_vale_so_para_ele(elenco, api_como):
    outro = User.objects.create_user("outro_sistema")
    outro.groups.add(Group.objects.get(name="Sistema"))
    conceder(elenco["sistema"], "implantar", "C")
    ItemComStatusFactory(tipo="implantar", status=Status.PENDENTE)

    negado = post(api_como("sistema"), CONSUMIR, {"tipos": ["implantar"], "consumidor": "c"})
    cliente = APIClient()
    cliente.force_authenticate(outro)

    assert negado.status_code == 200
    assert_forma_de_erro(post(cliente, CONSUMIR, {"tipos": ["implantar"], "consumidor": "c"}), 403)


def test_servico_chamado_pelo_proprio_sistema_nao_e_verificado():
    """Without ``por`` the caller is the owning system's own code (PROMETHEUS's consumer)."""
    item = services.produzir(
        tipo="desenvolvimento", produtor="PROMETHEUS", contexto={"spec_ref": "S", "spec_recursos": {}}
    )
    reservado = services.consumir(tipos=["desenvolvimento"], consumidor="PROMETHEUS")
    assert reservado is not None and reservado.pk == item.pk
    assert services.concluir(item_id=item.pk, lease_token=reservado.lease_token).status == Status.CONCLUIDO


def test_regras_semeadas_fazem_sentido(elenco):
    sistema = elenco["sistema"]
    assert acesso.permitido(sistema, "orcar_spec", Operacao.PRODUZIR)
    assert acesso.permitido(sistema, "corrigir_bug", Operacao.PRODUZIR)
    assert acesso.permitido(sistema, "entrevistar_dor", Operacao.CONCLUIR)
    assert acesso.permitido(sistema, "qualquer_outro", Operacao.CONCLUIR)
    for tipo in RESERVADOS:
        assert not Concessao.objects.filter(regra__tipo=tipo).exists()
        for operacao in Operacao:
            assert not acesso.permitido(sistema, tipo, operacao)
            assert not acesso.permitido(elenco["admin"], tipo, operacao)
    for quem in ("po", "outsider"):
        assert not acesso.permitido(elenco[quem], "qualquer_outro", Operacao.PRODUZIR)


def test_regra_lembrada_ate_o_admin_mudar(elenco, cliente_como):
    sistema = elenco["sistema"]
    assert not acesso.permitido(sistema, "implantar", Operacao.PRODUZIR)
    regra = RegraAcesso.objects.get(tipo="implantar")
    Concessao.objects.create(regra=regra, grupo=Group.objects.get(name="Sistema"), produzir=True)
    assert not acesso.permitido(sistema, "implantar", Operacao.PRODUZIR)  # remembered (documented)

    resposta = cliente_como("admin").post(
        reverse("admin:backlog_regraacesso_change", args=[regra.pk]),
        {
            "tipo": "implantar",
            "descricao": "",
            "concessoes-TOTAL_FORMS": "0",
            "concessoes-INITIAL_FORMS": "0",
        },
    )

    assert resposta.status_code == 302
    assert resposta["Location"] == reverse("admin:backlog_regraacesso_changelist")
    delattr(sistema, "_grupos_do_backlog")
    assert acesso.permitido(sistema, "implantar", Operacao.PRODUZIR)


def test_servico_recusa_com_erro_de_acesso(elenco):
    with pytest.raises(AcessoNegado) as recusa:
        services.produzir(tipo="aprovar_orcamento", produtor="x", contexto={}, por=elenco["sistema"])
    assert recusa.value.status_http == 403
