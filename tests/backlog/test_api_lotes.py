"""The batch and long-poll endpoints of MS_Backlog (issue 12) with their cast: systems and admins
may, the PO and an outsider get 403, an anonymous caller 401; bad input is a 400 naming the
field; a batch conclusion answers each entry, and a bad entry spoils no other."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backlog import services
from backlog.models import Evento, Item, Status
from tests.apoio import assert_forma_de_erro

pytestmark = pytest.mark.django_db

CONSUMIR = reverse("api-backlog-consumir")
CONCLUIR = reverse("api-backlog-concluir-varios")


def post(cliente, endereco, dados):
    return cliente.post(endereco, dados, format="json")


def estado() -> list[tuple]:
    return list(Item.objects.order_by("id").values_list("id", "status", "lease_token", "resultado"))


@pytest.fixture
def reservados(db):
    """Three pending items and two claimed by a consumer."""
    for _ in range(5):
        services.produzir(tipo="lote_api", produtor="teste")
    return services.consumir(tipos=["lote_api"], consumidor="worker-1", quantidade=2)


def _chamadas(reservados) -> dict[str, tuple[str, dict]]:
    return {
        "consumir_lote": (CONSUMIR, {"tipos": ["lote_api"], "consumidor": "c", "quantidade": 2}),
        "concluir_lote": (
            CONCLUIR,
            {"itens": [{"id": i.pk, "lease_token": str(i.lease_token), "resultado": {"ok": 1}} for i in reservados]},
        ),
    }


@pytest.mark.parametrize("operacao", ["consumir_lote", "concluir_lote"])
@pytest.mark.parametrize("quem", ["sistema", "admin"])
def test_sistema_e_admin_operam_os_lotes(api_como, reservados, quem, operacao):
    endereco, dados = _chamadas(reservados)[operacao]

    resposta = post(api_como(quem), endereco, dados)

    assert resposta.status_code == 200, resposta.content
    if operacao == "consumir_lote":
        assert len(resposta.json()) == 2
    else:
        assert resposta.json()["concluidos"] == 2


@pytest.mark.parametrize("operacao", ["consumir_lote", "concluir_lote"])
@pytest.mark.parametrize(("quem", "esperado"), [("po", 403), ("outsider", 403), ("anon", 401)])
def test_po_outsider_e_anonimo_nao_operam_os_lotes(api_como, reservados, quem, esperado, operacao):
    endereco, dados = _chamadas(reservados)[operacao]
    antes = estado()
    eventos = Evento.objects.count()

    corpo = assert_forma_de_erro(post(api_como(quem), endereco, dados), esperado)

    assert corpo["campos"] == {}
    assert estado() == antes and Evento.objects.count() == eventos


# --- consumir with quantidade -------------------------------------------------------------------


def test_consumir_com_quantidade_responde_uma_lista_com_os_leases(api_como, reservados):
    resposta = post(api_como("sistema"), CONSUMIR, {"tipos": ["lote_api"], "consumidor": "c", "quantidade": 10})

    assert resposta.status_code == 200
    itens = resposta.json()
    assert [i["id"] for i in itens] == sorted(i["id"] for i in itens) and len(itens) == 3
    for dado in itens:
        item = Item.objects.get(pk=dado["id"])
        assert (dado["status"], dado["lease_token"], dado["consumidor"]) == (
            Status.EM_PROCESSAMENTO,
            str(item.lease_token),
            "c",
        )
        assert dado["depende_de"] == []


def test_consumir_com_quantidade_sem_itens_e_204(api_como, reservados):
    sistema = api_como("sistema")
    post(sistema, CONSUMIR, {"tipos": ["lote_api"], "consumidor": "c", "quantidade": 10})

    resposta = post(sistema, CONSUMIR, {"tipos": ["lote_api"], "consumidor": "c", "quantidade": 10})

    assert resposta.status_code == 204 and resposta.content == b""


def test_consumir_sem_quantidade_continua_devolvendo_um_item(api_como, reservados):
    resposta = post(api_como("sistema"), CONSUMIR, {"tipos": ["lote_api"], "consumidor": "c"})

    assert resposta.status_code == 200
    assert isinstance(resposta.json(), dict) and resposta.json()["status"] == Status.EM_PROCESSAMENTO


@pytest.mark.parametrize(
    ("extra", "campo"),
    [
        ({"quantidade": 0}, "quantidade"),
        ({"quantidade": services.MAX_QUANTIDADE + 1}, "quantidade"),
        ({"quantidade": "muitos"}, "quantidade"),
        ({"espera_segundos": -1}, "espera_segundos"),
        ({"espera_segundos": services.MAX_ESPERA_SEGUNDOS + 1}, "espera_segundos"),
        ({"espera_segundos": "já"}, "espera_segundos"),
        ({"espera_segundos": "NaN"}, "espera_segundos"),
    ],
)
def test_quantidade_e_espera_fora_do_limite_sao_400_nomeando_o_campo(api_como, reservados, extra, campo):
    antes = estado()

    resposta = post(api_como("sistema"), CONSUMIR, {"tipos": ["lote_api"], "consumidor": "c", **extra})

    corpo = assert_forma_de_erro(resposta, 400)
    assert list(corpo["campos"]) == [campo]
    assert estado() == antes


# --- long polling over the API (the waits need committed rows: transactional) -------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("quem", "esperado"), [("sistema", 204), ("admin", 204), ("po", 403), ("outsider", 403), ("anon", 401)]
)
def test_consumir_com_espera_pelo_elenco(api_como, quem, esperado):
    resposta = post(api_como(quem), CONSUMIR, {"tipos": ["nada_aqui"], "consumidor": "c", "espera_segundos": 0.2})

    assert resposta.status_code == esperado
    if esperado != 204:
        assert_forma_de_erro(resposta, esperado)


@pytest.mark.django_db(transaction=True)
def test_consumir_com_espera_devolve_o_que_ja_esta_disponivel(api_como):
    item = services.produzir(tipo="lote_api", produtor="teste")

    resposta = post(api_como("sistema"), CONSUMIR, {"tipos": ["lote_api"], "consumidor": "c", "espera_segundos": 20})

    assert resposta.status_code == 200 and resposta.json()["id"] == item.pk


# --- the batch conclusion -----------------------------------------------------------------------


def _entrada(item, **extra) -> dict:
    return {"id": item.pk, "lease_token": str(item.lease_token), **extra}


def test_lote_com_uma_entrada_ruim_conclui_as_outras_e_relata_a_ruim(api_como, caminho):
    for _ in range(3):
        services.produzir(tipo="lote_api", produtor="teste")
    a, b, c = services.consumir(tipos=["lote_api"], consumidor="worker", quantidade=3)
    dados = {
        "itens": [
            _entrada(a, resultado={"n": 1}),
            {"id": b.pk, "lease_token": str(uuid.uuid4()), "resultado": {"n": 2}},
            _entrada(c, resultado={"n": 3}),
        ]
    }

    resposta = post(api_como("sistema"), CONCLUIR, dados)

    assert resposta.status_code == 200
    corpo = resposta.json()
    assert (corpo["concluidos"], corpo["recusados"]) == (2, 1)
    primeiro, ruim, terceiro = corpo["resultados"]
    assert (primeiro["id"], primeiro["status"], primeiro["item"]["status"]) == (a.pk, 200, Status.CONCLUIDO)
    assert (terceiro["id"], terceiro["status"], terceiro["item"]["resultado"]) == (c.pk, 200, {"n": 3})
    assert (ruim["id"], ruim["status"]) == (b.pk, 409)
    assert set(ruim) == {"id", "status", "erro", "campos"} and "lease_token" in ruim["campos"]
    assert Item.objects.get(pk=b.pk).status == Status.EM_PROCESSAMENTO
    assert Item.objects.get(pk=c.pk).resultado == {"n": 3}


def test_lote_responde_cada_recusa_na_forma_de_erro(api_como, caminho):
    for _ in range(2):
        services.produzir(tipo="lote_api", produtor="teste")
    a, b = services.consumir(tipos=["lote_api"], consumidor="worker", quantidade=2)
    dados = {
        "itens": [
            {"id": 987654, "lease_token": str(a.lease_token)},
            {"id": a.pk},
            {"id": a.pk, "lease_token": "não-é-uuid"},
            {"id": a.pk, "lease_token": str(a.lease_token), "resultado": [1]},
            "não é objeto",
            _entrada(b, items_gerados=[{"tipo": ""}]),
            _entrada(a),
        ]
    }

    resultados = post(api_como("sistema"), CONCLUIR, dados).json()["resultados"]

    assert [(r["id"], r["status"]) for r in resultados] == [
        (987654, 404),
        (a.pk, 400),
        (a.pk, 400),
        (a.pk, 400),
        (None, 400),
        (b.pk, 400),
        (a.pk, 200),
    ]
    assert [list(r["campos"]) for r in resultados[1:6]] == [
        ["lease_token"],
        ["lease_token"],
        ["resultado"],
        ["item"],
        ["items_gerados[0].tipo"],
    ]
    assert all(isinstance(r["erro"], str) and r["erro"] for r in resultados[:6])
    assert Item.objects.get(pk=b.pk).status == Status.EM_PROCESSAMENTO  # never half an item


def test_lote_com_itens_gerados_os_produz_com_a_linhagem(api_como, caminho):
    services.produzir(tipo="lote_api", produtor="teste")
    (item,) = services.consumir(tipos=["lote_api"], consumidor="worker-9", quantidade=1)

    resposta = post(
        api_como("sistema"),
        CONCLUIR,
        {
            "itens": [
                _entrada(item, items_gerados=[{"tipo": "filho_api"}, {"tipo": "neto_api", "depende_de_gerados": [0]}])
            ]
        },
    )

    assert resposta.json()["resultados"][0]["status"] == 200
    filho, neto = Item.objects.filter(produzido_por=item.pk).order_by("id")
    assert (filho.tipo, filho.produtor, filho.status) == ("filho_api", "worker-9", Status.PENDENTE)
    assert (neto.tipo, neto.status) == ("neto_api", Status.BLOQUEADO)


@pytest.mark.parametrize(
    ("dados", "campo"),
    [
        ({}, "itens"),
        ({"itens": []}, "itens"),
        ({"itens": "x"}, "itens"),
        ({"itens": [{"id": 1, "lease_token": str(uuid.uuid4())}] * (services.MAX_QUANTIDADE + 1)}, "itens"),
    ],
)
def test_lote_mal_formado_e_400_sem_mudar_nada(api_como, reservados, dados, campo):
    antes = estado()

    corpo = assert_forma_de_erro(post(api_como("sistema"), CONCLUIR, dados), 400)

    assert list(corpo["campos"]) == [campo]
    assert estado() == antes


def test_lote_de_50_custa_o_mesmo_que_o_de_5(api_como, caminho):
    sistema = api_como("sistema")
    for _ in range(56):
        services.produzir(tipo="lote_api", produtor="teste")
    contagens = []
    for n in (1, 5, 50):  # the first round also loads the caller's permissions
        with CaptureQueriesContext(connection) as consultas:
            itens = post(sistema, CONSUMIR, {"tipos": ["lote_api"], "consumidor": "c", "quantidade": n}).json()
            resposta = post(
                sistema, CONCLUIR, {"itens": [{"id": i["id"], "lease_token": i["lease_token"]} for i in itens]}
            )
        assert resposta.json()["concluidos"] == n
        contagens.append(len(consultas))
    if caminho == "sql":
        assert contagens[1] == contagens[2]
    else:
        # The portable path concludes one by one (its own transaction each); the claim is one.
        assert contagens[2] > contagens[1]


def test_schema_descreve_os_lotes(api_como):
    texto = api_como("sistema").get("/api/schema/").content.decode()
    assert "/api/backlog/concluir/" in texto
    assert "quantidade" in texto and "espera_segundos" in texto


def test_a_saida_rapida_e_a_mesma_que_a_dos_campos_do_drf(caminho):
    from rest_framework import serializers as drf

    from backlog import selectors
    from backlog.api.serializers import ItemReservado, ItemSaida

    antes = services.produzir(tipo="lote_api", produtor="teste", contexto={"a": [1, {"b": None}]}, prioridade=-3)
    reservado = services.consumir(tipos=["lote_api"], consumidor="worker")
    concluido = services.concluir(item_id=reservado.pk, lease_token=reservado.lease_token, resultado={"ok": "sim"})
    filho = services.produzir(tipo="lote_api", produtor="teste", depende_de=[antes.pk], spec_ref="spec_x")
    segurado = services.consumir(tipos=["lote_api"], consumidor="w2")
    lidos = list(selectors.itens())  # from the database, through the ORM
    selectors.com_dependencias([concluido, segurado])
    casos = [(ItemSaida, i) for i in [*lidos, concluido]] + [(ItemReservado, segurado)]
    assert filho.pk in {i.pk for i in lidos}
    for classe, item in casos:
        serializador = classe()
        assert serializador.to_representation(item) == drf.ModelSerializer.to_representation(serializador, item)


# --- tokens remembered for a few seconds (backlog.api.autenticacao) ----------------------------


def _com_token(usuario):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    cliente = APIClient()
    token = Token.objects.create(user=usuario)
    cliente.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return cliente, token


def test_token_lembrado_poupa_as_consultas_de_autenticacao_e_permissao(elenco):
    cliente, _ = _com_token(elenco["sistema"])
    pedido = {"tipos": ["nada_aqui"], "consumidor": "c"}
    contagens = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as consultas:
            assert post(cliente, CONSUMIR, pedido).status_code == 204
        contagens.append(len(consultas))
    # the token, the permission, the access rules and the user's roles, asked once
    assert contagens[0] - contagens[1] == 4


def test_token_revogado_para_de_valer_quando_o_lembrete_vence(elenco, monkeypatch):
    from backlog.api import autenticacao

    cliente, token = _com_token(elenco["sistema"])
    pedido = {"tipos": ["nada_aqui"], "consumidor": "c"}
    assert post(cliente, CONSUMIR, pedido).status_code == 204
    token.delete()
    assert post(cliente, CONSUMIR, pedido).status_code == 204  # still remembered (documented)
    agora = autenticacao.time.monotonic()
    monkeypatch.setattr(autenticacao.time, "monotonic", lambda: agora + 6)
    assert_forma_de_erro(post(cliente, CONSUMIR, pedido), 401)


def test_sem_lembrete_o_token_revogado_para_na_hora(elenco, settings):
    settings.PROMETHEUS_API_CACHE_SEGUNDOS = 0
    cliente, token = _com_token(elenco["outsider"])
    pedido = {"tipos": ["nada_aqui"], "consumidor": "c"}
    assert_forma_de_erro(post(cliente, CONSUMIR, pedido), 403)
    token.delete()
    assert_forma_de_erro(post(cliente, CONSUMIR, pedido), 401)


def test_permissao_lembrada_recusa_quem_nao_tem(elenco):
    cliente, _ = _com_token(elenco["po"])
    pedido = {"tipos": ["nada_aqui"], "consumidor": "c"}
    for _ in range(2):
        assert_forma_de_erro(post(cliente, CONSUMIR, pedido), 403)
