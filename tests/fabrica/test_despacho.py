"""Wiring that can't be forgotten (issue 8): a handler brings its dispatch listener, whenever it
is registered; every commit that makes an item claimable dispatches it; the listener is told
the type instead of asking the database."""

from __future__ import annotations

import pytest

from backlog import services as backlog
from backlog import tipos
from backlog.models import Item, Status
from fabrica import consumidor, tasks


@pytest.fixture
def handler_tardio(monkeypatch):
    """A handler another module registers after start-up, for a type nobody consumed before."""
    monkeypatch.setattr(consumidor, "HANDLERS", dict(consumidor.HANDLERS))
    monkeypatch.setattr(tipos, "_ouvintes", {k: list(v) for k, v in tipos._ouvintes.items()})
    recebidos: list[int] = []

    def tratar(item: Item) -> None:
        recebidos.append(item.pk)
        backlog.concluir(item_id=item.pk, lease_token=item.lease_token, resultado={"ok": True})

    consumidor.registrar_handler("teste_tardio", tratar)
    return recebidos


def test_handler_registrado_depois_da_partida_recebe_seus_itens_sem_a_varredura(db, handler_tardio, cluster_sincrono):
    with cluster_sincrono():
        item = backlog.produzir(tipo="teste_tardio", produtor="teste")
    assert handler_tardio == [item.pk]
    assert cluster_sincrono.executados == [("fabrica.tasks.processar", ("teste_tardio",))]
    item.refresh_from_db()
    assert (item.status, item.resultado) == (Status.CONCLUIDO, {"ok": True})


def test_item_desbloqueado_e_despachado_na_conclusao(db, handler_tardio, cluster_sincrono):
    antes = backlog.produzir(tipo="outro_sistema", produtor="teste")
    with cluster_sincrono():
        depois = backlog.produzir(tipo="teste_tardio", produtor="teste", depende_de=[antes.pk])
    assert handler_tardio == []
    reservado = backlog.consumir(tipos=["outro_sistema"], consumidor="outro")
    with cluster_sincrono():
        backlog.concluir(item_id=reservado.pk, lease_token=reservado.lease_token)
    assert handler_tardio == [depois.pk]


def test_reenfileirar_anuncia_o_item_como_produzir(db, handler_tardio, cluster_sincrono):
    item = backlog.produzir(tipo="teste_tardio", produtor="teste")
    reservado = backlog.consumir(tipos=["teste_tardio"], consumidor="teste")
    backlog.falhar(item_id=item.pk, lease_token=reservado.lease_token, erro="não dá", definitivo=True)
    assert handler_tardio == []
    with cluster_sincrono():
        backlog.reenfileirar(item_id=item.pk, ator="usuario:admin")
    assert cluster_sincrono.executados == [("fabrica.tasks.processar", ("teste_tardio",))]
    assert handler_tardio == [item.pk]
    assert Item.objects.get(pk=item.pk).status == Status.CONCLUIDO


def test_o_despacho_nao_consulta_o_banco(db, monkeypatch, django_assert_num_queries):
    enviados = []
    monkeypatch.setattr(tasks, "async_task", lambda func, *args, **kwargs: enviados.append((func, args)))
    with django_assert_num_queries(0):
        tasks.despachar("orcar_spec", [10, 11])
    assert enviados == [("fabrica.tasks.processar", ("orcar_spec",))] * 2


def test_a_varredura_despacha_so_o_que_e_consumivel(db, monkeypatch, settings):
    settings.PROMETHEUS_BACKOFF_SEGUNDOS = 3600
    enviados = []
    monkeypatch.setattr(tasks, "async_task", lambda func, *args, **kwargs: enviados.append(args))
    pronto = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "spec_001"})
    em_espera = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "spec_002"})
    backlog.produzir(tipo="de_outro_sistema", produtor="teste")
    reservado = backlog.consumir(tipos=["orcar_spec"], consumidor="teste")
    assert reservado.pk == pronto.pk
    backlog.falhar(item_id=pronto.pk, lease_token=reservado.lease_token, erro="transitório")  # backoff of 1 h
    assert tasks.varrer()["despachados"] == 1
    assert enviados == [("orcar_spec",)]
    assert Item.objects.get(pk=em_espera.pk).status == Status.PENDENTE


def test_o_cluster_aquece_antes_de_criar_os_workers(monkeypatch):
    """``manage.py cluster`` loads the URLconf and the installed distributions before django-q2
    forks its workers (``tasks.aquecer``), so no worker's first build pays for them."""
    import django_q.cluster

    from fabrica.desenvolvimento.pacote import distribuicoes
    from fabrica.management.commands.cluster import Command

    distribuicoes.cache_clear()
    vistos: list[int] = []

    class ClusterFalso:
        def __init__(self) -> None:
            vistos.append(distribuicoes.cache_info().currsize)
            raise SystemExit

    monkeypatch.setattr(django_q.cluster, "Cluster", ClusterFalso)
    with pytest.raises(SystemExit):
        Command().handle(filho=True, prazo=4.0)
    assert vistos == [1]
