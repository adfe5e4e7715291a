"""The MS_Backlog REST contract (docs/arquitetura.md, "The backlog contract") with its cast: systems
and admins may, the PO and
an outsider get 403, an anonymous caller 401; every refusal has the one error shape."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backlog import services
from backlog.models import Dependencia, Evento, Item, Status
from tests.apoio import assert_forma_de_erro, conceder
from tests.factories import DependenciaFactory, ItemComStatusFactory, ItemFactory

pytestmark = pytest.mark.django_db

ITENS = reverse("api-backlog-itens")
CONSUMIR = reverse("api-backlog-consumir")
EVENTOS = reverse("api-backlog-eventos")


def url(nome: str, pk: int) -> str:
    return reverse(nome, args=[pk])


def contagens() -> tuple[int, int, int]:
    return Item.objects.count(), Dependencia.objects.count(), Evento.objects.count()


def post(cliente: APIClient, endereco: str, dados=None):
    return cliente.post(endereco, dados if dados is not None else {}, format="json")


@pytest.fixture
def sistema(api_como) -> APIClient:
    return api_como("sistema")


@pytest.fixture
def cenario(db):
    """One pending item and one held by a consumer, with its lease."""
    pendente = services.produzir(tipo="tarefa_teste", produtor="teste", contexto={"n": 1})
    services.produzir(tipo="reservado_teste", produtor="teste")
    reservado = services.consumir(tipos=["reservado_teste"], consumidor="worker-1")
    return {"pendente": pendente, "reservado": reservado}


# --- the cast, on every endpoint ----------------------------------------------------------------


def _chamadas(cenario) -> dict[str, tuple[str, str, dict | None, int]]:
    pendente, reservado = cenario["pendente"], cenario["reservado"]
    lease = str(reservado.lease_token)
    return {
        "listar": ("get", ITENS, None, 200),
        "produzir": ("post", ITENS, {"tipo": "tarefa_teste"}, 201),
        "item": ("get", url("api-backlog-item", pendente.pk), None, 200),
        "linhagem": ("get", url("api-backlog-linhagem", pendente.pk), None, 200),
        "consumir": ("post", CONSUMIR, {"tipos": ["tarefa_teste"], "consumidor": "c"}, 200),
        "concluir": ("post", url("api-backlog-concluir", reservado.pk), {"lease_token": lease}, 200),
        "falhar": ("post", url("api-backlog-falhar", reservado.pk), {"lease_token": lease, "erro": "x"}, 200),
        "renovar": ("post", url("api-backlog-renovar", reservado.pk), {"lease_token": lease}, 200),
        "eventos": ("get", EVENTOS, None, 200),
    }


OPERACOES = ["listar", "produzir", "item", "linhagem", "consumir", "concluir", "falhar", "renovar", "eventos"]


@pytest.mark.parametrize("operacao", OPERACOES)
@pytest.mark.parametrize("quem", ["sistema", "admin"])
def test_sistema_e_admin_operam_o_backlog(api_como, cenario, quem, operacao):
    metodo, endereco, dados, esperado = _chamadas(cenario)[operacao]

    resposta = getattr(api_como(quem), metodo)(endereco, dados, format="json")

    assert resposta.status_code == esperado, resposta.content


@pytest.mark.parametrize("operacao", OPERACOES)
@pytest.mark.parametrize(("quem", "esperado"), [("po", 403), ("outsider", 403), ("anon", 401)])
def test_po_outsider_e_anonimo_sao_recusados_sem_mudar_nada(api_como, cenario, quem, esperado, operacao):
    metodo, endereco, dados, _ = _chamadas(cenario)[operacao]
    antes = contagens()
    estado = list(Item.objects.order_by("id").values_list("id", "status", "lease_token"))

    resposta = getattr(api_como(quem), metodo)(endereco, dados, format="json")

    corpo = assert_forma_de_erro(resposta, esperado)
    assert corpo["campos"] == {}
    assert contagens() == antes
    assert list(Item.objects.order_by("id").values_list("id", "status", "lease_token")) == estado
    if esperado == 401:
        assert resposta["WWW-Authenticate"] == "Token"


def test_token_autentica_um_sistema(elenco):
    token = Token.objects.create(user=elenco["sistema"])
    cliente = APIClient()
    cliente.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    criado = post(cliente, ITENS, {"tipo": "tarefa_teste", "contexto": {"via": "token"}})

    assert criado.status_code == 201
    assert criado.json()["produtor"] == "sistema"
    assert cliente.get(ITENS).json()["count"] == 1


def test_token_invalido_e_401(elenco):
    cliente = APIClient()
    cliente.credentials(HTTP_AUTHORIZATION="Token nao-existe")

    corpo = assert_forma_de_erro(cliente.get(ITENS), 401)

    assert "Credenciais" in corpo["erro"]


def test_token_de_quem_nao_tem_permissao_e_403(elenco):
    token = Token.objects.create(user=elenco["po"])
    cliente = APIClient()
    cliente.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert_forma_de_erro(post(cliente, ITENS, {"tipo": "tarefa_teste"}), 403)
    assert not Item.objects.exists()


def test_sessao_do_admin_autentica(elenco):
    cliente = APIClient()
    cliente.force_login(elenco["admin"])

    assert cliente.get(ITENS).status_code == 200


# --- produzir and list --------------------------------------------------------------------------


def test_produzir_devolve_o_item_com_os_campos_do_contrato(sistema):
    dependencia = ItemComStatusFactory(status=Status.CONCLUIDO)

    resposta = post(
        sistema,
        ITENS,
        {
            "tipo": "orcar_spec",
            "contexto": {"spec_ref": "SPEC-9"},
            "prioridade": 3,
            "depende_de": [dependencia.pk],
        },
    )

    assert resposta.status_code == 201
    corpo = resposta.json()
    assert {
        "id",
        "tipo",
        "status",
        "produtor",
        "contexto",
        "resultado",
        "erro",
        "depende_de",
        "spec_ref",
        "prioridade",
        "produzido_por",
        "criado_em",
        "consumido_em",
        "concluido_em",
        "desbloqueado_em",
        "desbloqueado_por",
        "consumidor",
        "tentativas",
    } <= set(corpo)
    assert "lease_token" not in corpo
    assert (corpo["tipo"], corpo["status"], corpo["spec_ref"], corpo["prioridade"]) == (
        "orcar_spec",
        "Pendente",
        "SPEC-9",
        3,
    )
    assert corpo["depende_de"] == [dependencia.pk]
    assert corpo["produtor"] == "sistema"
    item = Item.objects.get(pk=corpo["id"])
    assert Evento.objects.get(item=item).ator == "usuario:sistema"


def test_produzir_com_dependencia_aberta_fica_bloqueado(sistema, cenario):
    resposta = post(sistema, ITENS, {"tipo": "x", "produtor": "MS_Produto", "depende_de": [cenario["pendente"].pk]})

    assert resposta.status_code == 201
    assert (resposta.json()["status"], resposta.json()["produtor"]) == ("Bloqueado", "MS_Produto")


def test_listar_filtra_por_tipo_status_e_spec_ref(sistema):
    a = ItemFactory(tipo="orcar_spec", spec_ref="S-1")
    ItemFactory(tipo="orcar_spec", spec_ref="S-2")
    c = ItemComStatusFactory(tipo="implantar", spec_ref="S-1", status=Status.CONCLUIDO)
    ItemComStatusFactory(tipo="implantar", spec_ref="S-2", status=Status.BLOQUEADO)

    def ids(**filtros) -> list[int]:
        resposta = sistema.get(ITENS, filtros)
        assert resposta.status_code == 200
        return [i["id"] for i in resposta.json()["results"]]

    assert len(ids()) == 4
    assert ids(spec_ref="S-1") == [c.pk, a.pk]
    assert ids(status="Concluido") == [c.pk]
    assert ids(tipo="orcar_spec", spec_ref="S-1") == [a.pk]
    assert ids(tipo="nao_existe") == []


def test_listar_e_paginado(sistema):
    itens = ItemFactory.create_batch(7)

    primeira = sistema.get(ITENS, {"tamanho": 5}).json()
    segunda = sistema.get(primeira["next"]).json()

    assert primeira["count"] == 7
    assert len(primeira["results"]) == 5
    assert segunda["next"] is None
    vistos = [i["id"] for i in primeira["results"] + segunda["results"]]
    assert vistos == sorted((i.pk for i in itens), reverse=True)


def test_listar_pagina_padrao_de_50(sistema):
    ItemFactory.create_batch(51)

    corpo = sistema.get(ITENS).json()

    assert (corpo["count"], len(corpo["results"])) == (51, 50)
    assert corpo["next"] is not None


def test_pagina_inexistente_e_404_com_a_forma_de_erro(sistema):
    ItemFactory()

    assert_forma_de_erro(sistema.get(ITENS, {"page": 99}), 404)
    assert_forma_de_erro(sistema.get(ITENS, {"page": "abc"}), 404)


def _listar_com_dependencias(n: int, tipo: str) -> None:
    raiz = ItemComStatusFactory(status=Status.CONCLUIDO, tipo=tipo)
    for _ in range(n):
        DependenciaFactory(depende_de=raiz, item__tipo=tipo, item__produzido_por=raiz, item__desbloqueado_por=raiz)


def test_listar_100_itens_custa_o_mesmo_que_listar_5(sistema, django_assert_num_queries):
    _listar_com_dependencias(4, "lista_cinco")
    _listar_com_dependencias(99, "lista_cem")

    sistema.get(ITENS, {"tipo": "nenhum"})  # the user's permissions are cached from here on
    with CaptureQueriesContext(connection) as cinco:
        resposta = sistema.get(ITENS, {"tipo": "lista_cinco", "tamanho": 200})
    assert len(resposta.json()["results"]) == 5
    with django_assert_num_queries(len(cinco)):
        resposta = sistema.get(ITENS, {"tipo": "lista_cem", "tamanho": 200})

    assert len(resposta.json()["results"]) == 100
    assert all(len(i["depende_de"]) == 1 for i in resposta.json()["results"][:-1])


def test_eventos_custam_o_mesmo_com_5_ou_100(sistema, django_assert_num_queries):
    poucos = ItemFactory()
    muitos = ItemFactory()
    Evento.objects.bulk_create(
        [Evento(item=poucos, tipo="t", ator="a") for _ in range(5)]
        + [Evento(item=muitos, tipo="t", ator="a") for _ in range(100)]
    )

    sistema.get(EVENTOS, {"tipo": "nenhum"})  # the user's permissions are cached from here on
    with CaptureQueriesContext(connection) as cinco:
        sistema.get(EVENTOS, {"item": poucos.pk, "tamanho": 200})
    with django_assert_num_queries(len(cinco)):
        resposta = sistema.get(EVENTOS, {"item": muitos.pk, "tamanho": 200})

    assert resposta.json()["count"] == 100


# --- one item, its lineage, its events ----------------------------------------------------------


def test_item_por_id(sistema, cenario):
    resposta = sistema.get(url("api-backlog-item", cenario["pendente"].pk))

    assert resposta.status_code == 200
    assert resposta.json()["contexto"] == {"n": 1}
    assert resposta.json()["status"] == "Pendente"


def test_lease_so_aparece_para_quem_consumiu(sistema, cenario):
    """Only the claim returns the lease: reading an item never hands out the proof of ownership."""
    reservado = cenario["reservado"]

    lidos = [
        sistema.get(url("api-backlog-item", reservado.pk)).json(),
        *sistema.get(ITENS).json()["results"],
        *sistema.get(url("api-backlog-linhagem", reservado.pk)).json().values(),
    ]

    assert str(reservado.lease_token) not in json.dumps(lidos)
    assert str(reservado.lease_token) not in sistema.get(EVENTOS).content.decode()


def test_linhagem_mostra_quem_produziu_e_o_que_foi_produzido(sistema):
    services.produzir(tipo="orcar_spec", produtor="MS_Specs", contexto={"spec_ref": "S"})
    orcar = services.consumir(tipos=["orcar_spec"], consumidor="PROMETHEUS")
    services.concluir(
        item_id=orcar.pk,
        lease_token=orcar.lease_token,
        items_gerados=[services.NovoItem(tipo="intermediario", produtor="PROMETHEUS")],
    )
    meio = services.consumir(tipos=["intermediario"], consumidor="PROMETHEUS")
    services.concluir(
        item_id=meio.pk,
        lease_token=meio.lease_token,
        items_gerados=[
            services.NovoItem(tipo="neto", produtor="PROMETHEUS"),
            services.NovoItem(tipo="neto", produtor="PROMETHEUS"),
        ],
    )

    corpo = sistema.get(url("api-backlog-linhagem", meio.pk)).json()

    assert corpo["item"]["id"] == meio.pk
    assert [i["id"] for i in corpo["ancestrais"]] == [orcar.pk]
    assert [i["tipo"] for i in corpo["descendentes"]] == ["neto", "neto"]
    assert {i["produzido_por"] for i in corpo["descendentes"]} == {meio.pk}
    raiz = sistema.get(url("api-backlog-linhagem", orcar.pk)).json()
    assert (raiz["ancestrais"], len(raiz["descendentes"])) == ([], 3)


def test_eventos_filtram_por_item_e_tipo(sistema, cenario):
    reservado = cenario["reservado"]

    do_item = sistema.get(EVENTOS, {"item": reservado.pk}).json()["results"]
    consumidos = sistema.get(EVENTOS, {"tipo": "consumido"}).json()["results"]

    assert [e["tipo"] for e in do_item] == ["consumido", "produzido"]
    assert {e["item"] for e in do_item} == {reservado.pk}
    assert [(e["item"], e["ator"]) for e in consumidos] == [(reservado.pk, "worker-1")]
    assert set(do_item[0]) == {"id", "tipo", "item", "ator", "dados", "criado_em"}


# --- the consume cycle --------------------------------------------------------------------------


def test_consumir_devolve_o_item_com_lease(sistema, cenario):
    resposta = post(sistema, CONSUMIR, {"tipos": ["tarefa_teste"], "consumidor": "PROMETHEUS:1"})

    assert resposta.status_code == 200
    corpo = resposta.json()
    assert corpo["id"] == cenario["pendente"].pk
    assert (corpo["status"], corpo["consumidor"], corpo["tentativas"]) == ("EmProcessamento", "PROMETHEUS:1", 1)
    assert uuid.UUID(corpo["lease_token"]) == Item.objects.get(pk=corpo["id"]).lease_token


def test_consumir_sem_itens_e_204(sistema, cenario):
    resposta = post(sistema, CONSUMIR, {"tipos": ["ninguem_produz"], "consumidor": "c"})

    assert resposta.status_code == 204
    assert resposta.content == b""


def test_ciclo_consumir_concluir_com_itens_gerados(sistema, elenco):
    # PROMETHEUS's own work over REST, as a system an admin granted it to.
    conceder(elenco["sistema"], "orcar_spec", "PCF")
    conceder(elenco["sistema"], "aprovar_orcamento", "P")
    conceder(elenco["sistema"], "entrevistar_dor", "PCF")
    post(sistema, ITENS, {"tipo": "orcar_spec", "contexto": {"spec_ref": "SPEC-1"}})
    reservado = post(sistema, CONSUMIR, {"tipos": ["orcar_spec"], "consumidor": "PROMETHEUS"}).json()

    resposta = post(
        sistema,
        url("api-backlog-concluir", reservado["id"]),
        {
            "lease_token": reservado["lease_token"],
            "resultado": {"preco": 100},
            "items_gerados": [
                {
                    "tipo": "entrevistar_dor",
                    "contexto": {
                        "sintoma": "s",
                        "frequencia": "f",
                        "afetados": [],
                        "impacto": "i",
                        "tentativas": [],
                        "criterio_sucesso": "c",
                    },
                },
                {
                    "tipo": "aprovar_orcamento",
                    "contexto": {"spec_ref": "SPEC-1", "spec_recursos": {}},
                    "depende_de_gerados": [0],
                },
            ],
        },
    )

    assert resposta.status_code == 200, resposta.content
    assert (resposta.json()["status"], resposta.json()["resultado"]) == ("Concluido", {"preco": 100})
    gerados = sistema.get(url("api-backlog-linhagem", reservado["id"])).json()["descendentes"]
    por_tipo = {i["tipo"]: i for i in gerados}
    assert set(por_tipo) == {"entrevistar_dor", "aprovar_orcamento"}
    assert por_tipo["entrevistar_dor"]["status"] == "Pendente"
    assert por_tipo["aprovar_orcamento"]["status"] == "Bloqueado"
    assert por_tipo["aprovar_orcamento"]["depende_de"] == [por_tipo["entrevistar_dor"]["id"]]
    assert por_tipo["aprovar_orcamento"]["produzido_por"] == reservado["id"]
    assert por_tipo["aprovar_orcamento"]["produtor"] == "PROMETHEUS"


def test_falhar_devolve_a_fila(sistema, cenario):
    reservado = cenario["reservado"]

    resposta = post(
        sistema,
        url("api-backlog-falhar", reservado.pk),
        {"lease_token": str(reservado.lease_token), "erro": "timeout no deploy"},
    )

    assert resposta.status_code == 200
    assert (resposta.json()["status"], resposta.json()["erro"]) == ("Pendente", "timeout no deploy")


def test_renovar_estende_o_lease(sistema, cenario):
    reservado = cenario["reservado"]
    antes = Item.objects.get(pk=reservado.pk).lease_expira_em

    resposta = post(
        sistema,
        url("api-backlog-renovar", reservado.pk),
        {"lease_token": str(reservado.lease_token), "lease_segundos": 7200},
    )

    assert resposta.status_code == 200
    assert Item.objects.get(pk=reservado.pk).lease_expira_em > antes + timedelta(seconds=3600)


# --- bad input: the one error shape, never a 500, nothing half-written ---------------------------


def test_json_malformado_e_400(sistema):
    resposta = sistema.post(ITENS, data='{"tipo": "x", ', content_type="application/json")

    corpo = assert_forma_de_erro(resposta, 400)
    assert corpo["campos"]
    assert not Item.objects.exists()


@pytest.mark.parametrize("corpo", ["[1, 2]", '"texto"', "null", "42"])
def test_corpo_que_nao_e_objeto_e_400(sistema, corpo):
    resposta = assert_forma_de_erro(sistema.post(ITENS, data=corpo, content_type="application/json"), 400)

    assert list(resposta["campos"]) == ["corpo"]
    assert not Item.objects.exists()


@pytest.mark.parametrize("niveis", [101, 890, 100_000])
def test_json_aninhado_demais_e_400(sistema, niveis):
    corpo = '{"tipo": "x", "contexto": {"a": ' + "[" * niveis + "]" * niveis + "}}"

    resposta = assert_forma_de_erro(sistema.post(ITENS, data=corpo, content_type="application/json"), 400)

    assert "nesting" in resposta["campos"]["corpo"][0]
    assert not Item.objects.exists()


def test_json_aninhado_dentro_do_limite_e_aceito(sistema):
    corpo = '{"tipo": "x", "contexto": {"a": ' + "[" * 90 + "]" * 90 + "}}"

    resposta = sistema.post(ITENS, data=corpo, content_type="application/json")

    assert resposta.status_code == 201
    assert sistema.get(url("api-backlog-item", resposta.json()["id"])).status_code == 200


def test_caractere_nulo_no_json_e_400_e_nao_escreve_nada(sistema, cenario):
    reservado = cenario["reservado"]
    antes = contagens()

    no_contexto = assert_forma_de_erro(post(sistema, ITENS, {"tipo": "x", "contexto": {"a": ["nulo\u0000"]}}), 400)
    na_chave = assert_forma_de_erro(post(sistema, ITENS, {"tipo": "x", "contexto": {"\u0000": 1}}), 400)
    no_resultado = assert_forma_de_erro(
        post(
            sistema,
            url("api-backlog-concluir", reservado.pk),
            {"lease_token": str(reservado.lease_token), "resultado": {"saida": "\u0000"}},
        ),
        400,
    )
    no_gerado = assert_forma_de_erro(
        post(
            sistema,
            url("api-backlog-concluir", reservado.pk),
            {"lease_token": str(reservado.lease_token), "items_gerados": [{"tipo": "x", "contexto": {"a": "\u0000"}}]},
        ),
        400,
    )
    no_tipo = assert_forma_de_erro(post(sistema, ITENS, {"tipo": "x\u0000"}), 400)

    assert list(no_contexto["campos"]) == list(na_chave["campos"]) == ["contexto"]
    assert list(no_resultado["campos"]) == ["resultado"]
    assert list(no_gerado["campos"]) == ["items_gerados[0].contexto"]
    assert list(no_tipo["campos"]) == ["tipo"]
    assert contagens() == antes
    assert Item.objects.get(pk=reservado.pk).status == Status.EM_PROCESSAMENTO


def test_tipo_de_conteudo_nao_suportado_e_415(sistema):
    assert_forma_de_erro(sistema.post(ITENS, data="tipo=x", content_type="text/plain"), 415)


@pytest.mark.parametrize(
    ("dados", "campo"),
    [
        ({"tipo": "x", "prioridade": "alta"}, "prioridade"),
        ({"tipo": "x", "prioridade": 99999}, "prioridade"),
        ({"tipo": "x", "depende_de": "x"}, "depende_de"),
        ({"tipo": "x", "depende_de": [1, "x"]}, "depende_de[1]"),
        ({"tipo": "x", "contexto": []}, "contexto"),
        ({"tipo": "x", "contexto": "texto"}, "contexto"),
        ({"tipo": ""}, "tipo"),
        ({"tipo": "x" * 65}, "tipo"),
        ({}, "tipo"),
        ({"tipo": "x", "spec_ref": 7 * ["a"]}, "spec_ref"),
        ({"tipo": "orcar_spec", "contexto": {}}, "contexto.spec_ref"),
        ({"tipo": "orcar_spec", "contexto": {"spec_ref": 5}}, "contexto.spec_ref"),
    ],
)
def test_produzir_com_dado_errado_e_400_nomeando_o_campo(sistema, dados, campo):
    corpo = assert_forma_de_erro(post(sistema, ITENS, dados), 400)

    assert any(chave == campo or chave.startswith(f"{campo}[") for chave in corpo["campos"]), corpo
    assert not Item.objects.exists()


def test_dependencia_desconhecida_e_400_nomeando_depende_de(sistema, cenario):
    antes = contagens()

    corpo = assert_forma_de_erro(
        post(sistema, ITENS, {"tipo": "x", "depende_de": [cenario["pendente"].pk, 987654]}), 400
    )

    assert corpo["campos"] == {"depende_de": ["Itens inexistentes: #987654."]}
    assert contagens() == antes


@pytest.mark.parametrize(
    ("dados", "campo"),
    [
        ({"tipos": "tarefa_teste", "consumidor": "c"}, "tipos"),
        ({"tipos": [], "consumidor": "c"}, "tipos"),
        ({"tipos": ["tarefa_teste"]}, "consumidor"),
        ({"tipos": ["tarefa_teste"], "consumidor": "c", "lease_segundos": 0}, "lease_segundos"),
        ({"tipos": ["tarefa_teste"], "consumidor": "c", "lease_segundos": "muito"}, "lease_segundos"),
    ],
)
def test_consumir_com_dado_errado_e_400(sistema, cenario, dados, campo):
    corpo = assert_forma_de_erro(post(sistema, CONSUMIR, dados), 400)

    assert campo in corpo["campos"]
    assert Item.objects.get(pk=cenario["pendente"].pk).status == Status.PENDENTE


@pytest.mark.parametrize(
    ("dados", "campo"),
    [
        ({}, "lease_token"),
        ({"lease_token": "nao-e-uuid"}, "lease_token"),
        ({"lease_token": "LEASE", "resultado": []}, "resultado"),
        ({"lease_token": "LEASE", "items_gerados": {"tipo": "x"}}, "items_gerados"),
        ({"lease_token": "LEASE", "items_gerados": [{"tipo": "x"}, {"contexto": {}}]}, "items_gerados[1].tipo"),
        ({"lease_token": "LEASE", "items_gerados": [{"contexto": {}}]}, "items_gerados[0].tipo"),
        (
            {"lease_token": "LEASE", "items_gerados": [{"tipo": "x", "depende_de": ["a"]}]},
            "items_gerados[0].depende_de[0]",
        ),
        (
            {"lease_token": "LEASE", "items_gerados": [{"tipo": "orcar_spec", "contexto": {}}]},
            "items_gerados[0].contexto.spec_ref",
        ),
        (
            {"lease_token": "LEASE", "items_gerados": [{"tipo": "x", "depende_de": [987654]}]},
            "items_gerados[0].depende_de",
        ),
        (
            {"lease_token": "LEASE", "items_gerados": [{"tipo": "x", "depende_de_gerados": [0]}]},
            "items_gerados[0].depende_de_gerados",
        ),
    ],
)
def test_concluir_com_dado_errado_e_400_e_nao_conclui(sistema, cenario, dados, campo):
    reservado = cenario["reservado"]
    dados = json.loads(json.dumps(dados).replace("LEASE", str(reservado.lease_token)))
    antes = contagens()

    corpo = assert_forma_de_erro(post(sistema, url("api-backlog-concluir", reservado.pk), dados), 400)

    assert campo in corpo["campos"], corpo
    assert contagens() == antes
    salvo = Item.objects.get(pk=reservado.pk)
    assert (salvo.status, salvo.lease_token) == (Status.EM_PROCESSAMENTO, reservado.lease_token)


@pytest.mark.parametrize(
    ("dados", "campo"),
    [
        ({"lease_token": "LEASE"}, "erro"),
        ({"lease_token": "LEASE", "erro": ""}, "erro"),
        ({"lease_token": "LEASE", "erro": {"a": 1}}, "erro"),
        ({"erro": "x"}, "lease_token"),
    ],
)
def test_falhar_com_dado_errado_e_400(sistema, cenario, dados, campo):
    reservado = cenario["reservado"]
    dados = json.loads(json.dumps(dados).replace("LEASE", str(reservado.lease_token)))

    corpo = assert_forma_de_erro(post(sistema, url("api-backlog-falhar", reservado.pk), dados), 400)

    assert campo in corpo["campos"]
    assert Item.objects.get(pk=reservado.pk).status == Status.EM_PROCESSAMENTO


@pytest.mark.parametrize("nome", ["api-backlog-item", "api-backlog-linhagem"])
@pytest.mark.parametrize("pk", [987654, 2**63, 10**30])
def test_item_desconhecido_e_404(sistema, nome, pk):
    corpo = assert_forma_de_erro(sistema.get(url(nome, pk)), 404)

    assert corpo["campos"] == {}


@pytest.mark.parametrize("nome", ["api-backlog-concluir", "api-backlog-falhar", "api-backlog-renovar"])
@pytest.mark.parametrize("pk", [987654, 2**63])
def test_operar_item_desconhecido_e_404(sistema, nome, pk):
    corpo = assert_forma_de_erro(post(sistema, url(nome, pk), {"lease_token": str(uuid.uuid4()), "erro": "x"}), 404)

    assert str(pk) in corpo["erro"]


def test_dependencia_com_id_gigante_e_400(sistema):
    corpo = assert_forma_de_erro(post(sistema, ITENS, {"tipo": "x", "depende_de": [2**63]}), 400)

    assert "depende_de" in corpo["campos"]
    assert not Item.objects.exists()


def test_eventos_com_filtro_de_item_invalido_nao_quebram(sistema, cenario):
    resposta = sistema.get(EVENTOS, {"item": "abc"})

    assert resposta.status_code == 200


@pytest.mark.parametrize("nome", ["api-backlog-concluir", "api-backlog-falhar", "api-backlog-renovar"])
def test_transicao_ilegal_e_409(sistema, cenario, nome):
    pendente = cenario["pendente"]
    antes = contagens()

    corpo = assert_forma_de_erro(
        post(sistema, url(nome, pendente.pk), {"lease_token": str(uuid.uuid4()), "erro": "x"}), 409
    )

    assert corpo["campos"] == {"status": ["Pendente"]}
    assert "Pendente" in corpo["erro"]
    assert contagens() == antes
    assert Item.objects.get(pk=pendente.pk).status == Status.PENDENTE


def test_concluir_duas_vezes_e_409(sistema, cenario):
    reservado = cenario["reservado"]
    dados = {"lease_token": str(reservado.lease_token), "resultado": {"vez": 1}}
    assert post(sistema, url("api-backlog-concluir", reservado.pk), dados).status_code == 200

    assert_forma_de_erro(
        post(sistema, url("api-backlog-concluir", reservado.pk), {**dados, "resultado": {"vez": 2}}), 409
    )
    assert Item.objects.get(pk=reservado.pk).resultado == {"vez": 1}


@pytest.mark.parametrize("nome", ["api-backlog-concluir", "api-backlog-falhar", "api-backlog-renovar"])
def test_lease_alheio_e_409(sistema, cenario, nome):
    reservado = cenario["reservado"]
    antes = contagens()

    corpo = assert_forma_de_erro(
        post(sistema, url(nome, reservado.pk), {"lease_token": str(uuid.uuid4()), "erro": "x"}), 409
    )

    assert "lease_token" in corpo["campos"]
    assert contagens() == antes
    salvo = Item.objects.get(pk=reservado.pk)
    assert (salvo.status, salvo.lease_token) == (Status.EM_PROCESSAMENTO, reservado.lease_token)


def test_lease_vencido_e_resgatado_e_409(sistema, cenario):
    reservado = cenario["reservado"]
    Item.objects.filter(pk=reservado.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))
    services.resgatar_expirados()

    resposta = post(
        sistema,
        url("api-backlog-concluir", reservado.pk),
        {"lease_token": str(reservado.lease_token), "resultado": {"tarde": True}},
    )

    assert_forma_de_erro(resposta, 409)
    assert Item.objects.get(pk=reservado.pk).status == Status.PENDENTE
    assert Item.objects.get(pk=reservado.pk).resultado is None


def test_corpo_acima_de_1_mib_e_413(sistema):
    enorme = json.dumps({"tipo": "x", "contexto": {"texto": "a" * (1024 * 1024)}})

    corpo = assert_forma_de_erro(sistema.post(ITENS, data=enorme, content_type="application/json"), 413)

    assert "1 MiB" in corpo["erro"]
    assert not Item.objects.exists()


def test_corpo_logo_abaixo_de_1_mib_e_aceito(sistema):
    dados = {"tipo": "x", "contexto": {"texto": ""}}
    dados["contexto"]["texto"] = "a" * (1024 * 1024 - len(json.dumps(dados)))

    resposta = sistema.post(ITENS, data=json.dumps(dados), content_type="application/json")

    assert resposta.status_code == 201


@pytest.mark.parametrize("endereco", ["/api/backlog/itens/abc/", "/api/backlog/nada/", "/api/backlog/itens/1/x/"])
def test_endereco_desconhecido_da_api_e_404_em_json(sistema, endereco):
    corpo = assert_forma_de_erro(sistema.get(endereco), 404)

    assert endereco in corpo["erro"]


@pytest.mark.parametrize("debug", [True, False])
def test_post_sem_a_barra_final_e_404_que_aponta_o_endereco_certo(sistema, settings, debug):
    settings.DEBUG = debug  # APPEND_SLASH refuses a POST it can't redirect with a 500 under DEBUG
    ItemFactory()

    corpo = assert_forma_de_erro(
        post(sistema, "/api/backlog/consumir", {"tipos": ["tarefa_teste"], "consumidor": "c"}), 404
    )

    assert "/api/backlog/consumir/" in corpo["erro"]
    assert Item.objects.get().status == Status.PENDENTE


def test_metodo_nao_permitido_e_405_com_a_forma_de_erro(sistema, cenario):
    assert_forma_de_erro(sistema.delete(url("api-backlog-item", cenario["pendente"].pk)), 405)
    assert_forma_de_erro(sistema.get(CONSUMIR), 405)
    assert Item.objects.filter(pk=cenario["pendente"].pk).exists()


# --- schema and docs ----------------------------------------------------------------------------


def test_schema_carrega_e_descreve_o_contrato(sistema):
    resposta = sistema.get("/api/schema/")

    assert resposta.status_code == 200
    texto = resposta.content.decode()
    for caminho in [
        "/api/backlog/itens/",
        "/api/backlog/consumir/",
        "/api/backlog/itens/{id}/concluir/",
        "/api/backlog/itens/{id}/falhar/",
        "/api/backlog/eventos/",
        "/api/backlog/itens/{id}/linhagem/",
    ]:
        assert caminho in texto


def test_docs_carregam_so_com_recursos_locais(sistema):
    resposta = sistema.get("/api/docs/")

    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s\"']+", html)
    recursos = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    assert recursos, "the docs page should load its assets from /static/"
    for recurso in recursos:
        assert sistema.get(recurso).status_code == 200, recurso
