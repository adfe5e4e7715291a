"""The PO's decisions on budgets: pages and REST, with the cast (issue 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backlog.models import Item, Status
from fabrica.decisoes import services as decisoes
from fabrica.models import Capacidade, Orcamento
from tests.apoio import orcar, orcar_copias


@pytest.fixture
def cliente_como(client, elenco):
    def fazer(quem):
        if elenco[quem] is not None:
            client.force_login(elenco[quem])
        return client

    return fazer


@pytest.mark.parametrize(("quem", "esperado"), [("po", 302), ("admin", 403), ("outsider", 403), ("anon", 302)])
def test_aprovar_pela_pagina_por_papel(cliente_como, orcamento_pronto, quem, esperado):
    resp = cliente_como(quem).post(reverse("orcamento-decidir", args=[orcamento_pronto.pk, "aprovar"]))
    assert resp.status_code == esperado
    if quem == "anon":
        assert reverse("login") in resp["Location"]
    orcamento_pronto.refresh_from_db()
    assert (orcamento_pronto.status == Orcamento.Status.APROVADO) is (quem == "po")


def test_aprovar_produz_desenvolvimento_com_spec_recursos(cliente_como, orcamento_pronto, elenco):
    resp = cliente_como("po").post(
        reverse("orcamento-decidir", args=[orcamento_pronto.pk, "aprovar"]),
        {"motivo": "cabe no trimestre"},
        follow=True,
    )
    assert "Orçamento aprovado" in resp.content.decode()
    orcamento_pronto.refresh_from_db()
    assert orcamento_pronto.decidido_por == elenco["po"]
    assert orcamento_pronto.motivo == "cabe no trimestre"
    aprovacao = orcamento_pronto.item_aprovacao
    assert aprovacao.status == Status.CONCLUIDO
    assert aprovacao.resultado["decisao"] == "aprovado"
    dev = Item.objects.get(tipo="desenvolvimento", produzido_por=aprovacao)
    assert dev.status == Status.PENDENTE
    assert dev.contexto["spec_ref"] == "spec_002"
    assert dev.contexto["spec_recursos"]["esforco"]["total"] == orcamento_pronto.esforco["total"]


def test_decisao_nao_acontece_duas_vezes(cliente_como, orcamento_pronto):
    cliente = cliente_como("po")
    url = reverse("orcamento-decidir", args=[orcamento_pronto.pk, "aprovar"])
    cliente.post(url)
    resp = cliente.post(
        reverse("orcamento-decidir", args=[orcamento_pronto.pk, "rejeitar"]), {"motivo": "x"}, follow=True
    )
    assert "já foi decidido" in resp.content.decode()
    assert Item.objects.filter(tipo="desenvolvimento").count() == 1
    orcamento_pronto.refresh_from_db()
    assert orcamento_pronto.status == Orcamento.Status.APROVADO


def test_bloqueado_nao_aprova_mas_rejeita(orcamento_bloqueado, elenco):
    from fabrica.erros import TransicaoInvalida

    with pytest.raises(TransicaoInvalida, match="gaps"):
        decisoes.orcamento_aprovar(orcamento_id=orcamento_bloqueado.pk, por=elenco["po"])
    decisoes.orcamento_rejeitar(orcamento_id=orcamento_bloqueado.pk, por=elenco["po"], motivo="caro demais")
    orcamento_bloqueado.refresh_from_db()
    assert orcamento_bloqueado.status == Orcamento.Status.REJEITADO
    assert orcamento_bloqueado.item_aprovacao.status == Status.CANCELADO


def test_ajustar_exige_motivo_e_produz_ajustar_spec(cliente_como, orcamento_pronto):
    cliente = cliente_como("po")
    url = reverse("orcamento-decidir", args=[orcamento_pronto.pk, "ajustar"])
    resp = cliente.post(url, {"motivo": ""}, follow=True)
    assert "Informe o motivo" in resp.content.decode()
    assert not Item.objects.filter(tipo="ajustar_spec").exists()
    cliente.post(url, {"motivo": "reduzir a cobertura para cada_valor", "confirmado": "sim"})
    ajuste = Item.objects.get(tipo="ajustar_spec")
    assert ajuste.contexto == {
        "spec_ref": "spec_002",
        "motivo": "reduzir a cobertura para cada_valor",
        "spec_recursos_id": orcamento_pronto.pk,
    }


def test_desenvolvimento_espera_o_da_spec_pre_requisito(specs_exemplo, elenco):
    from fabrica.erros import TransicaoInvalida

    Capacidade.objects.create(tipo="container", nome="postgres")
    portal = orcar("spec_004")  # depends on spec_003
    with pytest.raises(TransicaoInvalida, match="spec_003"):
        decisoes.orcamento_aprovar(orcamento_id=portal.pk, por=elenco["po"])
    processo = orcar("spec_003")
    decisoes.orcamento_aprovar(orcamento_id=processo.pk, por=elenco["po"])
    decisoes.orcamento_aprovar(orcamento_id=portal.pk, por=elenco["po"])
    dev_processo = Item.objects.get(tipo="desenvolvimento", spec_ref="spec_003")
    dev_portal = Item.objects.get(tipo="desenvolvimento", spec_ref="spec_004")
    assert dev_portal.status == Status.BLOQUEADO
    assert list(dev_portal.dependencias.values_list("depende_de_id", flat=True)) == [dev_processo.pk]


@pytest.mark.parametrize(
    ("quem", "esperado"), [("po", 200), ("sistema", 403), ("admin", 403), ("outsider", 403), ("anon", 401)]
)
def test_aprovar_pela_api_por_papel(api_como, orcamento_pronto, quem, esperado):
    resp = api_como(quem).post(f"/api/orcamentos/{orcamento_pronto.pk}/aprovar/", {"motivo": "ok"}, format="json")
    assert resp.status_code == esperado
    if esperado != 200:
        assert set(resp.json()) == {"erro", "campos"}


def test_api_segunda_decisao_409(api_como, orcamento_pronto):
    po = api_como("po")
    assert po.post(f"/api/orcamentos/{orcamento_pronto.pk}/aprovar/", {}, format="json").status_code == 200
    resp = po.post(f"/api/orcamentos/{orcamento_pronto.pk}/rejeitar/", {"motivo": "não"}, format="json")
    assert resp.status_code == 409
    assert "já foi decidido" in resp.json()["erro"]
    resp = po.post("/api/orcamentos/999999/aprovar/", {}, format="json")
    assert resp.status_code == 404


def test_api_rejeitar_sem_motivo_400(api_como, orcamento_pronto):
    resp = api_como("po").post(f"/api/orcamentos/{orcamento_pronto.pk}/rejeitar/", {}, format="json")
    assert resp.status_code == 400
    assert "motivo" in resp.json()["campos"]


@pytest.mark.parametrize(
    ("quem", "esperado"), [("po", 200), ("admin", 200), ("sistema", 200), ("outsider", 403), ("anon", 302)]
)
def test_pagina_do_orcamento_por_papel(cliente_como, orcamento_bloqueado, quem, esperado):
    resp = cliente_como(quem).get(reverse("orcamento", args=[orcamento_bloqueado.pk]))
    assert resp.status_code == esperado
    if esperado == 200:
        html = resp.content.decode()
        assert "whisper_api" in html
        assert "esforco.horas_dev" in html


@pytest.mark.parametrize(
    ("quem", "esperado"), [("po", 200), ("admin", 200), ("sistema", 200), ("outsider", 403), ("anon", 302)]
)
def test_caixa_por_papel(cliente_como, orcamento_pronto, quem, esperado):
    resp = cliente_como(quem).get(reverse("inicio"))
    assert resp.status_code == esperado
    if esperado == 200:
        html = resp.content.decode()
        assert "spec_002" in html
        # The admin (and a system) read the inbox; only the PO decides, and is told nothing of it.
        assert ('id="somente-leitura"' in html) is (quem != "po")


def _tabela(resp) -> str:
    html = resp.content.decode()
    return html[html.index('<table id="caixa">') : html.index("</table>", html.index('<table id="caixa">'))]


def test_caixa_abas(cliente_como, orcamento_pronto, orcamento_bloqueado, elenco):
    po = cliente_como("po")
    decidir = _tabela(po.get(reverse("inicio")))
    assert "spec_002" in decidir
    assert "spec_001" not in decidir
    espera = _tabela(po.get(reverse("inicio") + "?aba=espera"))
    assert "spec_001" in espera
    assert "whisper_api" in espera
    decisoes.orcamento_aprovar(orcamento_id=orcamento_pronto.pk, por=elenco["po"], motivo="vale a pena")
    decididos = _tabela(po.get(reverse("inicio") + "?aba=decididos"))
    assert "spec_002" in decididos
    assert "vale a pena" in decididos
    assert "spec_001" not in _tabela(po.get(reverse("inicio") + "?aba=espera&q=nada_disso"))


def test_caixa_custa_consultas_constantes(cliente_como, specs_exemplo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Capacidade.objects.create(tipo="container", nome="postgres")
    po = cliente_como("po")
    orcar("spec_002")
    with CaptureQueriesContext(connection) as poucos:
        po.get(reverse("inicio"))
    orcar_copias("spec_002", 6)
    orcar_copias("spec_001", 6)
    with CaptureQueriesContext(connection) as muitos:
        po.get(reverse("inicio"))
    assert len(muitos) == len(poucos)
