"""The broker's rules are written once (``backlog.models``); ``backlog.sql`` restates them for
PostgreSQL's hot statements. These tests run both spellings over the same rows, so the two
cannot drift apart (issue 8): what is claimable, who a conclusion may unblock, the order of a
claim and the items a conclusion unblocks."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.db import connection, transaction
from django.utils import timezone

from backlog import services, sql
from backlog.models import Dependencia, Item, Status, consumivel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def linhas():
    """Every status with every kind of backoff (none, over, ending now, still running), in two
    types and three priorities; plus dependency chains whose targets are in every status."""
    agora = timezone.now()
    esperas = [None, agora - timedelta(seconds=30), agora, agora + timedelta(seconds=30)]
    itens = []
    for n, (status, disponivel_em, tipo) in enumerate(product(Status.values, esperas, ["regra_a", "regra_b"])):
        campos = {}
        if status == Status.EM_PROCESSAMENTO:
            campos = {"lease_token": f"00000000-0000-0000-0000-{n:012d}", "lease_expira_em": agora, "consumidor": "c"}
        if status == Status.CONCLUIDO:
            campos["concluido_em"] = agora
        itens.append(
            Item(tipo=tipo, produtor="t", status=status, disponivel_em=disponivel_em, prioridade=n % 3, **campos)
        )
    Item.objects.bulk_create(itens)
    alvos = {status: Item.objects.filter(status=status).first() for status in Status.values}
    # Blocked items waiting for one target of each status, one waiting for two (one concluded).
    for alvo in alvos.values():
        dependente = Item.objects.create(tipo="regra_dep", produtor="t", status=Status.BLOQUEADO)
        Dependencia.objects.create(item=dependente, depende_de=alvo)
    duplo = Item.objects.create(tipo="regra_dep", produtor="t", status=Status.BLOQUEADO)
    Dependencia.objects.create(item=duplo, depende_de=alvos[Status.CONCLUIDO])
    Dependencia.objects.create(item=duplo, depende_de=alvos[Status.EM_PROCESSAMENTO])
    # A dependent that is no longer blocked (unblocked already) does not count as one.
    liberador = Item.objects.create(tipo="regra_alvo", produtor="t", status=Status.CONCLUIDO, concluido_em=agora)
    liberado = Item.objects.create(tipo="regra_dep", produtor="t", status=Status.PENDENTE)
    Dependencia.objects.create(item=liberado, depende_de=liberador)
    return agora


def _sql_ids(texto: str, parametros: dict) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(texto, parametros)
        return {linha[0] for linha in cursor.fetchall()}


def test_consumivel_e_o_mesmo_nos_dois_caminhos(linhas):
    agora = linhas
    orm = set(Item.objects.filter(consumivel(agora)).values_list("pk", flat=True))
    pelo_sql = _sql_ids(f"SELECT i.id FROM backlog_item i WHERE {sql.CONSUMIVEL}", {"agora": agora})  # noqa: S608
    assert orm == pelo_sql
    # The rows exercise both sides of the rule: some claimable, some pending in backoff.
    assert orm and Item.objects.filter(status=Status.PENDENTE).exclude(pk__in=orm).exists()


def test_quem_uma_conclusao_pode_desbloquear_e_o_mesmo_nos_dois_caminhos(linhas):
    orm = {pk for pk in Item.objects.values_list("pk", flat=True) if Item.objects.bloqueados_por(pk).exists()}
    pelo_sql = _sql_ids(f"SELECT c.id FROM backlog_item c WHERE {sql.bloqueados_por('c')}", {})  # noqa: S608
    assert orm == pelo_sql
    assert len(orm) == len(Status.values)  # every target has its blocked dependent; the loose one does not


def _pelos_dois_caminhos(monkeypatch, operacao):
    """Runs ``operacao()`` on the same rows through each path, undoing it after each."""
    resultados = {}
    for caminho in ("sql", "orm"):
        monkeypatch.setattr(sql, "HABILITADO", caminho == "sql")
        with transaction.atomic():
            resultados[caminho] = operacao()
            transaction.set_rollback(True)
    return resultados


@pytest.mark.parametrize(("tipos", "quantidade"), [(["regra_a"], 100), (["regra_b", "regra_a"], 100), (["regra_a"], 2)])
def test_uma_reserva_escolhe_os_mesmos_itens_na_mesma_ordem(linhas, monkeypatch, tipos, quantidade):
    def reservar():
        itens = services.consumir(tipos=tipos, consumidor="regra", quantidade=quantidade)
        return [(i.pk, i.status, i.tentativas) for i in itens]

    resultados = _pelos_dois_caminhos(monkeypatch, reservar)
    assert resultados["sql"] == resultados["orm"]
    assert resultados["sql"]


def test_uma_conclusao_desbloqueia_os_mesmos_itens(linhas, monkeypatch):
    alvo = services.produzir(tipo="regra_alvo", produtor="t")
    outro = services.produzir(tipo="regra_alvo", produtor="t")
    so_alvo = services.produzir(tipo="regra_dep", produtor="t", depende_de=[alvo.pk])
    os_dois = services.produzir(tipo="regra_dep", produtor="t", depende_de=[alvo.pk, outro.pk])

    def concluir():
        reservado = services.consumir(tipos=["regra_alvo"], consumidor="regra")
        services.concluir(item_id=reservado.pk, lease_token=reservado.lease_token)
        return dict(Item.objects.filter(pk__in=[so_alvo.pk, os_dois.pk]).values_list("pk", "status"))

    resultados = _pelos_dois_caminhos(monkeypatch, concluir)
    assert resultados["sql"] == resultados["orm"] == {so_alvo.pk: Status.PENDENTE, os_dois.pk: Status.BLOQUEADO}
