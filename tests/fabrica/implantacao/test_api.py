"""Deployments over REST with the cast (sistema, admin, PO, outsider, anonymous): who reads, who
decides, who rolls back; bad input gets the one error shape naming the field, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from backlog.models import Item
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente
from tests.apoio import assert_forma_de_erro
from tests.fabrica.implantacao.conftest import implantar

pytestmark = pytest.mark.django_db

ELENCO = ["sistema", "admin", "po", "outsider", "anon"]


@pytest.fixture
def rapidos(ambientes):
    """No smoke checks here: these tests are about the API, the checks have their own tests."""
    for ambiente in ambientes.values():
        ambiente.configuracao = {"smoke": False}
        ambiente.save()
    return ambientes


@pytest.fixture
def implantada(fazer_release, rapidos) -> Implantacao:
    return implantar(fazer_release(1))


def _esperado(quem: str, permitidos: set[str], sucesso: int) -> int:
    if quem == "anon":
        return 401
    return sucesso if quem in permitidos else 403


@pytest.mark.parametrize("quem", ELENCO)
def test_leitura_por_papel(api_como, implantada, quem):
    cliente = api_como(quem)
    leitores = {"sistema", "admin", "po"}
    amb = implantada.ambiente_id

    for url in (
        "/api/ambientes/",
        f"/api/ambientes/{amb}/",
        "/api/implantacoes/",
        f"/api/implantacoes/{implantada.pk}/",
    ):
        resposta = cliente.get(url)
        if quem in leitores:
            assert resposta.status_code == 200, (url, resposta.content)
        else:
            assert_forma_de_erro(resposta, _esperado(quem, leitores, 200))


def test_listas_e_detalhe(api_como, implantada):
    cliente = api_como("sistema")

    ambientes = cliente.get("/api/ambientes/").json()
    assert [a["nome"] for a in ambientes] == ["homologacao", "producao"]
    (servindo,) = ambientes[0]["servindo"]
    assert servindo["spec_ref"] == "spec_teste" and servindo["release"]["rotulo"] == "spec_teste-v1"
    assert servindo["implantacao"] == implantada.pk and servindo["validacao"] == "Pendente"
    assert ambientes[1]["exige_validacao_em"] == "homologacao" and ambientes[1]["grupos_aprovadores"] == ["PO"]

    lista = cliente.get("/api/implantacoes/", {"ambiente": "homologacao", "spec_ref": "spec_teste"}).json()
    assert lista["count"] == 1
    assert "log" not in lista["results"][0]
    detalhe = cliente.get(f"/api/implantacoes/{implantada.pk}/").json()
    assert detalhe["status"] == "Concluida" and detalhe["validacao"] == "Pendente"
    assert detalhe["release"]["rotulo"] == "spec_teste-v1" and detalhe["ambiente"] == "homologacao"
    assert "current → releases/spec_teste-v1" in detalhe["log"]
    assert detalhe["item_validacao"] == implantada.item_validacao_id
    assert cliente.get("/api/implantacoes/", {"status": "Falhou"}).json()["count"] == 0
    assert_forma_de_erro(cliente.get("/api/implantacoes/", {"release": "abc"}), 400)
    assert_forma_de_erro(cliente.get("/api/implantacoes/999999/"), 404)
    assert_forma_de_erro(cliente.get("/api/ambientes/999999/"), 404)


@pytest.mark.parametrize("quem", ELENCO)
def test_validar_so_o_po(api_como, implantada, quem):
    resposta = api_como(quem).post(
        f"/api/implantacoes/{implantada.pk}/validar/", {"aprovado": True, "observacao": "ok"}, format="json"
    )

    if quem == "po":
        assert resposta.status_code == 200
        corpo = resposta.json()
        assert corpo["validacao"] == "Validada" and corpo["validado_por"] == "po"
        assert corpo["promocao"] == "Oferecida" and corpo["promover_para"] == "producao"
        assert Item.objects.filter(tipo="avaliar_efetividade").count() == 1
    else:
        assert_forma_de_erro(resposta, _esperado(quem, {"po"}, 200))
        assert not Item.objects.filter(tipo="avaliar_efetividade").exists()


def test_recusar_pela_api(api_como, fazer_release, rapidos):
    implantar(fazer_release(1))
    segunda = implantar(fazer_release(2))

    resposta = api_como("po").post(
        f"/api/implantacoes/{segunda.pk}/validar/", {"aprovado": False, "observacao": "tela em branco"}, format="json"
    )

    assert resposta.status_code == 200 and resposta.json()["validacao"] == "Recusada"
    corrigir = Item.objects.get(tipo="corrigir_bug")
    assert (
        corrigir.contexto["erro"] == "tela em branco"
        and corrigir.contexto["feature_ref"] == segunda.release.rotulo_versao
    )
    assert Item.objects.filter(tipo="implantar", contexto__reversao__implantacao_ref=str(segunda.pk)).count() == 1


@pytest.mark.parametrize(
    ("corpo", "status_http", "campo"),
    [
        ({}, 400, "aprovado"),
        ({"aprovado": "talvez"}, 400, "aprovado"),
        ({"aprovado": False}, 400, "observacao"),
        ({"aprovado": False, "observacao": "   "}, 400, "observacao"),
        ({"aprovado": True, "observacao": "x" * 5001}, 400, "observacao"),
        ([1, 2], 400, "corpo"),
    ],
)
def test_validar_entrada_invalida(api_como, implantada, corpo, status_http, campo):
    resposta = api_como("po").post(f"/api/implantacoes/{implantada.pk}/validar/", corpo, format="json")

    assert campo in assert_forma_de_erro(resposta, status_http)["campos"]
    implantada.refresh_from_db()
    assert implantada.validacao == Implantacao.Validacao.PENDENTE


def test_validar_duas_vezes_desconhecida_e_nao_aprovador(api_como, implantada, django_user_model, elenco):
    po = api_como("po")
    url = f"/api/implantacoes/{implantada.pk}/validar/"
    assert po.post(url, {"aprovado": True}, format="json").status_code == 200

    segunda = assert_forma_de_erro(po.post(url, {"aprovado": False, "observacao": "x"}, format="json"), 409)
    assert "já foi validada por po" in segunda["erro"] and segunda["campos"] == {"validacao": ["Validada"]}
    assert_forma_de_erro(po.post("/api/implantacoes/999999/validar/", {"aprovado": True}, format="json"), 404)

    # Promoted to producao, whose deploys only the PO group approves.
    assert po.post(f"/api/implantacoes/{implantada.pk}/promover/", format="json").status_code == 202
    from tests.fabrica.implantacao.conftest import processar

    em_producao = processar(Item.objects.get(tipo="implantar", contexto__ambiente="producao"))
    outro = django_user_model.objects.create_user("outro_po")
    outro.user_permissions.add(Permission.objects.get(codename="decidir_implantacao"))
    from rest_framework.test import APIClient

    cliente = APIClient()
    cliente.force_authenticate(outro)
    recusa = assert_forma_de_erro(
        cliente.post(f"/api/implantacoes/{em_producao.pk}/validar/", {"aprovado": True}, format="json"), 403
    )
    assert "não aprova implantações em producao" in recusa["erro"] and "ambiente" in recusa["campos"]


@pytest.mark.parametrize("quem", ELENCO)
def test_promover_e_dispensar_so_o_po(api_como, implantada, elenco, quem):
    from fabrica.implantacao import services

    services.implantacao_validar(implantacao_id=implantada.pk, por=elenco["po"], aprovado=True)
    cliente = api_como(quem)

    promover = cliente.post(f"/api/implantacoes/{implantada.pk}/promover/", format="json")

    if quem == "po":
        assert promover.status_code == 202
        item = promover.json()
        assert item["tipo"] == "implantar" and item["contexto"]["ambiente"] == "producao"
        assert item["contexto"]["origem_ref"] == str(implantada.pk)
        de_novo = assert_forma_de_erro(cliente.post(f"/api/implantacoes/{implantada.pk}/promover/", format="json"), 409)
        assert "promocao" in de_novo["campos"]
        assert_forma_de_erro(cliente.post(f"/api/implantacoes/{implantada.pk}/dispensar/", format="json"), 409)
    else:
        assert_forma_de_erro(promover, _esperado(quem, {"po"}, 202))
        assert_forma_de_erro(
            cliente.post(f"/api/implantacoes/{implantada.pk}/dispensar/", format="json"), _esperado(quem, {"po"}, 200)
        )
        assert not Item.objects.filter(tipo="implantar", contexto__ambiente="producao").exists()


def test_dispensar_promocao(api_como, implantada, elenco):
    from fabrica.implantacao import services

    services.implantacao_validar(implantacao_id=implantada.pk, por=elenco["po"], aprovado=True)

    resposta = api_como("po").post(f"/api/implantacoes/{implantada.pk}/dispensar/", format="json")

    assert resposta.status_code == 200 and resposta.json()["promocao"] == "Dispensada"


@pytest.mark.parametrize("quem", ELENCO)
def test_reverter_so_o_admin(api_como, fazer_release, rapidos, quem):
    v1 = fazer_release(1)
    implantar(v1)
    implantar(fazer_release(2))
    amb = rapidos["homologacao"].pk

    resposta = api_como(quem).post(
        f"/api/ambientes/{amb}/reverter/",
        {"spec_ref": "spec_teste", "release": v1.pk, "motivo": "v2 lenta"},
        format="json",
    )

    if quem == "admin":
        assert resposta.status_code == 202
        item = resposta.json()
        assert item["tipo"] == "implantar" and item["contexto"]["reversao"]["para_release_ref"] == "spec_teste-v1"
        assert item["produtor"] == "usuario:admin"
    else:
        assert_forma_de_erro(resposta, _esperado(quem, {"admin"}, 202))
        assert not Item.objects.filter(tipo="implantar", contexto__has_key="reversao").exists()


@pytest.mark.parametrize(
    ("corpo", "campo"),
    [
        ({"spec_ref": "spec_teste", "release": 0, "motivo": "x"}, "release"),
        ({"spec_ref": "spec_teste", "motivo": "x"}, "release"),
        ({"spec_ref": "Spec Teste", "release": 1, "motivo": "x"}, "spec_ref"),
        ({"spec_ref": "spec_teste", "release": 1}, "motivo"),
        ({"spec_ref": "spec_teste", "release": 1, "motivo": "  "}, "motivo"),
        ({"spec_ref": "outra", "release": 1, "motivo": "x"}, "spec_ref"),
        ({"spec_ref": "spec_teste", "release": 999999, "motivo": "x"}, "release"),
    ],
)
def test_reverter_entrada_invalida(api_como, implantada, corpo, campo):
    resposta = api_como("admin").post(f"/api/ambientes/{implantada.ambiente_id}/reverter/", corpo, format="json")

    assert campo in assert_forma_de_erro(resposta, 400)["campos"]


def test_reverter_ambiente_desconhecido(api_como, db):
    resposta = api_como("admin").post(
        "/api/ambientes/999999/reverter/", {"spec_ref": "x", "release": 1, "motivo": "x"}, format="json"
    )

    assert_forma_de_erro(resposta, 404)


@pytest.mark.parametrize("quem", ELENCO)
def test_criar_e_alterar_ambiente_so_o_admin(api_como, ambientes, quem):
    cliente = api_como(quem)
    criar = cliente.post(
        "/api/ambientes/",
        {
            "nome": "staging",
            "ordem": 15,
            "alvo": "comando",
            "configuracao": {"implantar": ["/opt/deploy.sh", "{arquivo}"], "timeout": 60},
            "exige_validacao_em": "homologacao",
            "grupos_aprovadores": ["PO"],
        },
        format="json",
    )
    alterar = cliente.patch(f"/api/ambientes/{ambientes['producao'].pk}/", {"retencao": 3}, format="json")

    if quem == "admin":
        assert criar.status_code == 201, criar.content
        corpo = criar.json()
        assert corpo["alvo"] == "comando" and corpo["exige_validacao_em"] == "homologacao"
        assert corpo["grupos_aprovadores"] == ["PO"] and corpo["servindo"] == []
        assert alterar.status_code == 200 and alterar.json()["retencao"] == 3
    else:
        assert_forma_de_erro(criar, _esperado(quem, {"admin"}, 201))
        assert_forma_de_erro(alterar, _esperado(quem, {"admin"}, 200))
        assert not Ambiente.objects.filter(nome="staging").exists()


@pytest.mark.parametrize(
    ("corpo", "campo"),
    [
        ({}, "nome"),
        ({"nome": "Produção!"}, "nome"),
        ({"nome": "homologacao"}, "nome"),
        ({"nome": "x", "alvo": "kubernetes"}, "alvo"),
        ({"nome": "x", "alvo": "comando"}, "configuracao.implantar"),
        ({"nome": "x", "alvo": "comando", "configuracao": {"implantar": ["a", "{nada}"]}}, "configuracao.implantar"),
        ({"nome": "x", "configuracao": {"smoke": "sim"}}, "configuracao.smoke"),
        ({"nome": "x", "configuracao": "texto"}, "configuracao"),
        ({"nome": "x", "exige_validacao_em": "nenhum"}, "exige_validacao_em"),
        ({"nome": "x", "ordem": 5, "exige_validacao_em": "producao"}, "exige_validacao_em"),
        ({"nome": "x", "retencao": 1}, "retencao"),
        ({"nome": "x", "diretorio": "relativo/dir"}, "diretorio"),
        ({"nome": "x", "url": "ftp://x"}, "url"),
        ({"nome": "x", "grupos_aprovadores": ["Inexistente"]}, "grupos_aprovadores"),
        ({"nome": "x", "ordem": -1}, "ordem"),
    ],
)
def test_ambiente_invalido_nomeia_o_campo(api_como, ambientes, corpo, campo):
    resposta = api_como("admin").post("/api/ambientes/", corpo, format="json")

    assert campo in assert_forma_de_erro(resposta, 400)["campos"]
    assert Ambiente.objects.count() == 2


def test_alterar_ambiente_invalido(api_como, ambientes):
    homologacao = ambientes["homologacao"]

    resposta = api_como("admin").patch(
        f"/api/ambientes/{homologacao.pk}/", {"exige_validacao_em": "homologacao"}, format="json"
    )

    assert "exige_validacao_em" in assert_forma_de_erro(resposta, 400)["campos"]
    assert_forma_de_erro(api_como("admin").patch("/api/ambientes/999999/", {"ordem": 1}, format="json"), 404)
