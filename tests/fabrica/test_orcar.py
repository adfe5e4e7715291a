"""Phases 1 and 2 of the seed end to end: orcar_spec → budget + gaps → unblocking (issue 4)."""

from __future__ import annotations

import pytest

from backlog import services as backlog
from backlog.models import Evento, Item, Status
from fabrica.consumidor import processar_item
from fabrica.models import Gap, Orcamento


def _orcar(api, spec_ref: str) -> dict:
    resp = api.post("/api/backlog/itens/", {"tipo": "orcar_spec", "contexto": {"spec_ref": spec_ref}}, format="json")
    assert resp.status_code == 201, resp.json()
    return resp.json()


def test_exemplo_33_pela_api_e_pelo_consumidor(api_como, specs_exemplo, cluster_sincrono):
    sistema, admin = api_como("sistema"), api_como("admin")
    with cluster_sincrono():
        orcar = _orcar(sistema, "spec_001")

    assert Item.objects.get(pk=orcar["id"]).status == Status.CONCLUIDO
    orc = Orcamento.objects.get(item_orcar_id=orcar["id"])
    aprovacao = orc.item_aprovacao
    assert aprovacao.tipo == "aprovar_orcamento" and aprovacao.status == Status.BLOQUEADO
    gaps = list(Gap.objects.filter(orcamento=orc).order_by("id"))
    assert {(g.tipo_recurso, g.recurso) for g in gaps} == {("api_externa", "whisper_api"), ("hardware", "gpu")}
    for gap in gaps:
        assert gap.item.tipo == "entrevistar_dor" and gap.item.status == Status.PENDENTE
        assert gap.item.produtor == "PROMETHEUS"
        assert gap.item.contexto["bloqueando"] == [aprovacao.pk]
        assert gap.item.contexto["afetados"] == ["spec_001"]
        assert gap.item.produzido_por_id == orcar["id"]
    assert sorted(orc.dependencias["gaps_infra"]) == sorted(g.item_id for g in gaps)
    assert "status" not in orc.dependencias  # derived, never stored
    assert orc.status_dependencias == "bloqueado"
    assert orc.spec_commit and orc.spec_sha256 == specs_exemplo["spec_001"].sha256

    # GENESIS resolves the Whisper gap over the API: consume it, conclude it.
    whisper = next(g for g in gaps if g.recurso == "whisper_api")
    gpu = next(g for g in gaps if g.recurso == "gpu")
    recebido = sistema.post(
        "/api/backlog/consumir/", {"tipos": ["entrevistar_dor"], "consumidor": "GENESIS"}, format="json"
    ).json()
    resp = sistema.post(
        f"/api/backlog/itens/{recebido['id']}/concluir/",
        {"lease_token": recebido["lease_token"], "resultado": {"resolvido": True}},
        format="json",
    )
    assert resp.status_code == 200
    outro = gpu if recebido["id"] == whisper.item_id else whisper
    aprovacao.refresh_from_db()
    assert aprovacao.status == Status.BLOQUEADO
    assert Orcamento.objects.get(pk=orc.pk).status_dependencias == "bloqueado"

    # The admin registers the missing capability: the last gap is concluded, the budget unblocked.
    resp = admin.post("/api/capacidades/", {"tipo": outro.tipo_recurso, "nome": outro.recurso}, format="json")
    assert resp.status_code == 201, resp.json()
    assert [g["item"] for g in resp.json()["gaps_resolvidos"]] == [outro.item_id]
    aprovacao.refresh_from_db()
    assert aprovacao.status == Status.PENDENTE
    assert aprovacao.desbloqueado_por_id == outro.item_id
    # The budget's dependencias follow the gaps: the stored section is not a stale copy.
    assert Orcamento.objects.get(pk=orc.pk).status_dependencias == "liberado"
    detalhe = sistema.get(f"/api/orcamentos/{orc.pk}/").json()
    assert detalhe["dependencias"]["status"] == "liberado"
    assert sorted(detalhe["dependencias"]["gaps_infra"]) == sorted(g.item_id for g in gaps)
    outro.item.refresh_from_db()
    assert outro.item.resultado["resolvido_por"] == "usuario:admin"
    assert Evento.objects.filter(item=aprovacao, tipo="desbloqueio").count() == 1


def test_spec_sem_gaps_da_orcamento_pendente_na_hora(api_como, specs_exemplo, cluster_sincrono):
    admin = api_como("admin")
    assert admin.post("/api/capacidades/", {"tipo": "container", "nome": "postgres"}, format="json").status_code == 201
    with cluster_sincrono():
        orcar = _orcar(api_como("sistema"), "spec_002")
    orc = Orcamento.objects.get(item_orcar_id=orcar["id"])
    assert orc.item_aprovacao.status == Status.PENDENTE
    assert orc.gaps.count() == 0
    assert orc.status_dependencias == "liberado"


def test_orcamento_explica_cada_numero(api_como, specs_exemplo, cluster_sincrono):
    with cluster_sincrono():
        orcar = _orcar(api_como("sistema"), "spec_001")
    orc = Orcamento.objects.get(item_orcar_id=orcar["id"])
    detalhe = api_como("po").get(f"/api/orcamentos/{orc.pk}/").json()
    for secao in ("runtime", "teste", "carga", "esforco", "dependencias", "custo"):
        assert secao in detalhe
    for chave in (
        "esforco.horas_dev",
        "esforco.horas_teste",
        "esforco.total",
        "teste.combinacoes_estimadas",
        "custo.total",
        "runtime.cpu",
    ):
        explicacao = detalhe["explicacao"][chave]
        assert explicacao["regra"] and explicacao["modelo"] == "v1"
    # combinacoes_estimadas is the size of the real array, whose rows are stored.
    assert detalhe["teste"]["combinacoes_estimadas"] == len(detalhe["casos_teste"]) >= 9
    assert all(not (c["duracao"] == "longa" and c["formato"] == "wav") for c in detalhe["casos_teste"])
    total = detalhe["esforco"]["horas_dev"] + detalhe["esforco"]["horas_teste"] + detalhe["esforco"]["horas_deploy"]
    assert detalhe["esforco"]["total"] == pytest.approx(total, abs=0.01)


def test_orcar_entregue_duas_vezes_gera_um_orcamento(specs_exemplo, settings):
    item = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "spec_002"})
    primeiro = backlog.consumir(tipos=["orcar_spec"], consumidor="w1", lease_segundos=1)
    # The first consumer stalls; its lease expires and the item goes to a second consumer.
    Item.objects.filter(pk=item.pk).update(lease_expira_em="2000-01-01T00:00:00Z")
    assert backlog.resgatar_expirados() == 1
    segundo = backlog.consumir(tipos=["orcar_spec"], consumidor="w2")
    processar_item(segundo)
    processar_item(primeiro)  # late: its conclusion is refused and rolls back its budget
    assert Orcamento.objects.filter(item_orcar=item).count() == 1
    assert Item.objects.filter(tipo="aprovar_orcamento", produzido_por=item).count() == 1
    assert Item.objects.get(pk=item.pk).status == Status.CONCLUIDO


def test_spec_desconhecida_falha_de_vez_com_o_erro(db):
    item = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "nao_existe"})
    processar_item(backlog.consumir(tipos=["orcar_spec"], consumidor="w1"))
    item.refresh_from_db()
    assert item.status == Status.FALHA
    assert "nao_existe" in item.erro


def test_excecao_do_handler_vira_falhar(specs_exemplo, monkeypatch):
    def quebra(*args, **kwargs):
        raise RuntimeError("disco cheio")

    monkeypatch.setattr("fabrica.precificacao.services.precificar", quebra)
    item = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "spec_001"})
    processar_item(backlog.consumir(tipos=["orcar_spec"], consumidor="w1"))
    item.refresh_from_db()
    assert item.status == Status.PENDENTE and item.tentativas == 1
    assert "disco cheio" in item.erro
    assert Orcamento.objects.count() == 0
