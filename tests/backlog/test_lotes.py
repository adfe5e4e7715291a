"""Batches through the services (issue 12): ``consumir(quantidade=n)`` and ``concluir_varios``, on
both implementations of the hot path (the ``caminho`` fixture), and ``devolver``."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backlog import services
from backlog.erros import DadosInvalidos, ItemNaoEncontrado, LeaseInvalido, TransicaoInvalida
from backlog.models import Evento, Item, Status
from backlog.services import Conclusao, NovoItem

pytestmark = pytest.mark.django_db


def produzir(n: int, tipo: str = "lote_teste", **kwargs) -> list[Item]:
    return [services.produzir(tipo=tipo, produtor="teste", **kwargs) for _ in range(n)]


def eventos(item_id: int) -> list[str]:
    return list(Evento.objects.filter(item_id=item_id).order_by("id").values_list("tipo", flat=True))


# --- consumir(quantidade=n) ----------------------------------------------------------------------


def test_consumir_varios_reserva_em_ordem_de_prioridade_e_idade(caminho):
    baixos = produzir(3)
    altos = produzir(2, prioridade=5)

    itens = services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=4)

    assert [i.pk for i in itens] == [altos[0].pk, altos[1].pk, baixos[0].pk, baixos[1].pk]
    assert {i.status for i in itens} == {Status.EM_PROCESSAMENTO}
    assert len({i.lease_token for i in itens}) == 4  # one lease each
    for item in itens:
        guardado = Item.objects.get(pk=item.pk)
        assert (guardado.status, guardado.lease_token, guardado.consumidor, guardado.tentativas) == (
            Status.EM_PROCESSAMENTO,
            item.lease_token,
            "c",
            1,
        )
        assert eventos(item.pk) == ["produzido", "consumido"]
    assert Item.objects.get(pk=baixos[2].pk).status == Status.PENDENTE


def test_consumir_varios_de_varios_tipos_escolhe_os_melhores_de_todos(caminho):
    a = produzir(2, tipo="lote_a")
    b = produzir(2, tipo="lote_b", prioridade=1)

    itens = services.consumir(tipos=["lote_a", "lote_b"], consumidor="c", quantidade=3)

    assert [i.pk for i in itens] == [b[0].pk, b[1].pk, a[0].pk]


def test_consumir_varios_devolve_o_que_houver_e_lista_vazia_sem_nada(caminho):
    (unico,) = produzir(1)

    assert [i.pk for i in services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=10)] == [unico.pk]
    assert services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=10) == []


def test_consumir_varios_pula_os_itens_em_backoff(caminho, settings):
    settings.PROMETHEUS_BACKOFF_SEGUNDOS = 3600
    primeiro, segundo = produzir(2)
    reservado = services.consumir(tipos=["lote_teste"], consumidor="c")
    services.falhar(item_id=primeiro.pk, lease_token=reservado.lease_token, erro="transitório")

    itens = services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=5)

    assert [i.pk for i in itens] == [segundo.pk]


@pytest.mark.parametrize("quantidade", [0, -1, services.MAX_QUANTIDADE + 1])
def test_consumir_recusa_quantidade_fora_do_limite(caminho, quantidade):
    produzir(1)
    with pytest.raises(DadosInvalidos) as erro:
        services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=quantidade)
    assert list(erro.value.campos) == ["quantidade"]
    assert Item.objects.get().status == Status.PENDENTE


@pytest.mark.postgres
def test_consumir_varios_no_postgresql_e_uma_instrucao():
    produzir(50)
    with CaptureQueriesContext(connection) as consultas:
        itens = services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=50)
    assert len(itens) == 50
    assert len(consultas) == 1, [q["sql"][:80] for q in consultas]


# --- concluir_varios ----------------------------------------------------------------------------


def test_concluir_varios_com_uma_entrada_ruim_conclui_as_outras(caminho):
    produzir(3)
    a, b, c = services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=3)

    respostas = services.concluir_varios(
        [
            Conclusao(a.pk, a.lease_token, {"n": 1}),
            Conclusao(b.pk, uuid.uuid4(), {"n": 2}),  # somebody else's lease
            Conclusao(c.pk, c.lease_token, {"n": 3}),
        ]
    )

    assert isinstance(respostas[1], LeaseInvalido)
    assert [r.pk for r in (respostas[0], respostas[2])] == [a.pk, c.pk]
    assert dict(Item.objects.values_list("pk", "status")) == {
        a.pk: Status.CONCLUIDO,
        b.pk: Status.EM_PROCESSAMENTO,
        c.pk: Status.CONCLUIDO,
    }
    assert Item.objects.get(pk=c.pk).resultado == {"n": 3}
    assert eventos(a.pk) == eventos(c.pk) == ["produzido", "consumido", "concluido"]
    assert eventos(b.pk) == ["produzido", "consumido"]


def test_concluir_varios_responde_cada_recusa_com_seu_tipo(caminho):
    produzir(2)
    a, b = services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=2)
    services.concluir(item_id=b.pk, lease_token=b.lease_token)

    respostas = services.concluir_varios(
        [
            Conclusao(987654, a.lease_token),
            Conclusao(b.pk, b.lease_token),
            Conclusao(a.pk, a.lease_token, resultado=["não", "objeto"]),
            Conclusao(a.pk, a.lease_token),
        ]
    )

    assert [type(r) for r in respostas[:3]] == [ItemNaoEncontrado, TransicaoInvalida, DadosInvalidos]
    assert respostas[2].campos == {"resultado": ["Deve ser um objeto."]}
    assert respostas[3].pk == a.pk and respostas[3].status == Status.CONCLUIDO


def test_concluir_varios_nunca_deixa_meio_item(caminho):
    produzir(2)
    a, b = services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=2)
    antes = Item.objects.count()

    respostas = services.concluir_varios(
        [
            Conclusao(a.pk, a.lease_token, {}, [NovoItem(tipo="filho", produtor="c"), NovoItem(tipo="", produtor="c")]),
            Conclusao(b.pk, b.lease_token, {}, [NovoItem(tipo="filho", produtor="c")]),
        ]
    )

    assert isinstance(respostas[0], DadosInvalidos)
    assert list(respostas[0].campos) == ["items_gerados[1].tipo"]
    assert Item.objects.get(pk=a.pk).status == Status.EM_PROCESSAMENTO  # nor its first generated item
    assert respostas[1].status == Status.CONCLUIDO
    assert list(Item.objects.filter(tipo="filho").values_list("produzido_por", flat=True)) == [b.pk]
    assert Item.objects.count() == antes + 1


def test_concluir_varios_com_id_repetido_conclui_a_primeira_entrada(caminho):
    (item,) = produzir(1)
    reservado = services.consumir(tipos=["lote_teste"], consumidor="c")

    respostas = services.concluir_varios(
        [
            Conclusao(item.pk, reservado.lease_token, {"vez": 1}, [NovoItem(tipo="filho", produtor="c")]),
            Conclusao(item.pk, reservado.lease_token, {"vez": 2}),
        ]
    )

    assert respostas[0].resultado == {"vez": 1}
    assert isinstance(respostas[1], TransicaoInvalida)
    assert Item.objects.get(pk=item.pk).resultado == {"vez": 1}
    assert eventos(item.pk).count("concluido") == 1


def test_concluir_varios_desbloqueia_os_dependentes(caminho):
    a, b = produzir(2)
    espera_os_dois = services.produzir(tipo="dep", produtor="t", depende_de=[a.pk, b.pk])
    espera_um = services.produzir(tipo="dep", produtor="t", depende_de=[a.pk])
    x, y = services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=2)

    services.concluir_varios([Conclusao(x.pk, x.lease_token), Conclusao(y.pk, y.lease_token)])

    assert Item.objects.get(pk=espera_os_dois.pk).status == Status.PENDENTE
    assert Item.objects.get(pk=espera_um.pk).status == Status.PENDENTE
    assert eventos(espera_os_dois.pk) == ["produzido", "desbloqueio"]


@pytest.mark.parametrize("n", [0, services.MAX_QUANTIDADE + 1])
def test_concluir_varios_recusa_lote_vazio_ou_grande_demais(caminho, n):
    with pytest.raises(DadosInvalidos):
        services.concluir_varios([Conclusao(1, uuid.uuid4())] * n)


@pytest.mark.postgres
def test_concluir_varios_no_postgresql_e_uma_instrucao():
    produzir(50)
    itens = services.consumir(tipos=["lote_teste"], consumidor="c", quantidade=50)
    with CaptureQueriesContext(connection) as consultas:
        respostas = services.concluir_varios([Conclusao(i.pk, i.lease_token, {"i": i.pk}) for i in itens])
    assert {r.status for r in respostas} == {Status.CONCLUIDO}
    assert len(consultas) == 1, [q["sql"][:80] for q in consultas]
    assert Evento.objects.filter(tipo="concluido").count() == 50


# --- devolver -----------------------------------------------------------------------------------


def test_devolver_poe_o_item_de_volta_sem_contar_a_tentativa(caminho):
    (item,) = produzir(1)
    reservado = services.consumir(tipos=["lote_teste"], consumidor="c")

    services.devolver(item_id=item.pk, lease_token=reservado.lease_token, ator="MS_Backlog")

    item.refresh_from_db()
    assert (item.status, item.lease_token, item.lease_expira_em, item.tentativas) == (Status.PENDENTE, None, None, 0)
    assert eventos(item.pk) == ["produzido", "consumido", "devolvido"]
    assert services.consumir(tipos=["lote_teste"], consumidor="outro").pk == item.pk
    with pytest.raises(LeaseInvalido):
        services.devolver(item_id=item.pk, lease_token=reservado.lease_token, ator="MS_Backlog")
