"""Two PO tabs deciding the same budget at once give one decision (issue 5), on real PostgreSQL.

Each thread has its own database connection (Django's connections are per thread) and closes it
when done; a barrier releases both calls together, and each test repeats the race. On odd rounds
the test also holds the budget's row lock until both threads wait for it, so the two decisions
are certainly inside their transactions at the same time, whatever the thread scheduling.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from backlog.models import Evento, Item, Status
from fabrica.decisoes import services as decisoes
from fabrica.erros import TransicaoInvalida
from fabrica.models import Capacidade, Orcamento
from tests.apoio import copia_de, orcar

RODADAS = 5


def _esperar_bloqueados(quantos: int) -> None:
    """Waits until ``quantos`` other connections of this database wait for a row lock."""
    for _tentativa in range(200):
        with connection.cursor() as cursor:
            # Inside a transaction PostgreSQL keeps its first snapshot of pg_stat_activity.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT pid, wait_event_type, wait_event, state, left(query, 60) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            outras = cursor.fetchall()
        if sum(1 for o in outras if o[1] == "Lock") >= quantos:
            return
        threading.Event().wait(0.05)
    pytest.fail(f"{quantos} connections never waited for the budget's lock: {outras}")


def _ao_mesmo_tempo(*chamadas: Callable[[], object], travar: int | None = None) -> list[tuple[str, object]]:
    """Runs each call in its own thread, released together; returns ("ok", value) or ("erro", exc).
    With ``travar``, holds that budget's row lock until every call waits for it."""
    barreira = threading.Barrier(len(chamadas), timeout=10)
    resultados: list[tuple[str, object] | None] = [None] * len(chamadas)

    def rodar(indice: int, chamada: Callable[[], object]) -> None:
        try:
            barreira.wait()
            resultados[indice] = ("ok", chamada())
        except Exception as exc:  # the test inspects it
            resultados[indice] = ("erro", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rodar, args=(i, c)) for i, c in enumerate(chamadas)]
    if travar is None:
        for thread in threads:
            thread.start()
    else:
        with transaction.atomic():
            Orcamento.objects.select_for_update().get(pk=travar)
            for thread in threads:
                thread.start()
            _esperar_bloqueados(len(chamadas))
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a decision hung (lock never released?)"
    return resultados


def _uma_decisao(orc: Orcamento) -> Orcamento:
    """What a user would check after the race: one decision, one conclusion, at most one development."""
    orc.refresh_from_db()
    aprovacao = Item.objects.get(pk=orc.item_aprovacao_id)
    assert aprovacao.status == Status.CONCLUIDO
    assert Evento.objects.filter(item=aprovacao, tipo="concluido").count() == 1
    desenvolvimentos = Item.objects.filter(tipo="desenvolvimento", produzido_por=aprovacao).count()
    assert desenvolvimentos == (1 if orc.status == Orcamento.Status.APROVADO else 0)
    assert (
        aprovacao.resultado["decisao"]
        == {Orcamento.Status.APROVADO: "aprovado", Orcamento.Status.REJEITADO: "rejeitado"}[orc.status]
    )
    return orc


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_aprovar_e_rejeitar_ao_mesmo_tempo_da_uma_decisao(specs_exemplo, elenco):
    Capacidade.objects.create(tipo="container", nome="postgres")
    po = elenco["po"]
    for rodada in range(RODADAS):
        orc = orcar(copia_de("spec_002", f"spec_002_r{rodada}").spec_id)  # one budget per version

        resultados = _ao_mesmo_tempo(
            lambda orc=orc: decisoes.orcamento_aprovar(orcamento_id=orc.pk, por=po, motivo="vale"),
            lambda orc=orc: decisoes.orcamento_rejeitar(orcamento_id=orc.pk, por=po, motivo="caro"),
            travar=orc.pk if rodada % 2 else None,
        )

        sucessos = [r for r in resultados if r[0] == "ok"]
        recusas = [r[1] for r in resultados if r[0] == "erro"]
        assert len(sucessos) == 1, resultados
        assert len(recusas) == 1 and isinstance(recusas[0], TransicaoInvalida), resultados
        assert "já foi decidido" in recusas[0].mensagem
        assert " por po em " in recusas[0].mensagem  # names who won, even after waiting for the lock
        decidido = _uma_decisao(orc)
        assert decidido.status == sucessos[0][1].status
        assert decidido.decidido_por == po
    aprovados = Orcamento.objects.filter(status=Orcamento.Status.APROVADO).count()
    assert Item.objects.filter(tipo="desenvolvimento").count() == aprovados


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_duas_abas_enviam_o_mesmo_formulario_ao_mesmo_tempo(specs_exemplo, elenco):
    """Two tabs of the PO click "Aprovar" together: one approval, a clear message in the other tab."""
    Capacidade.objects.create(tipo="container", nome="postgres")
    abas = [Client(), Client()]
    for aba in abas:
        aba.force_login(elenco["po"])
    for rodada in range(RODADAS):
        orc = orcar(copia_de("spec_002", f"spec_002_r{rodada}").spec_id)  # one budget per version
        url = reverse("orcamento-decidir", args=[orc.pk, "aprovar"])

        resultados = _ao_mesmo_tempo(
            *(lambda aba=aba, url=url: aba.post(url, {"motivo": "ok"}, follow=True) for aba in abas),
            travar=orc.pk if rodada % 2 else None,
        )

        assert all(r[0] == "ok" for r in resultados), resultados
        paginas = sorted((r[1].content.decode() for r in resultados), key=lambda html: "já foi decidido" in html)
        assert "Orçamento aprovado" in paginas[0]
        assert "já foi decidido" not in paginas[0]
        assert "já foi decidido: aprovado por po" in paginas[1]
        assert _uma_decisao(orc).status == Orcamento.Status.APROVADO


@pytest.mark.django_db
def test_mesmo_formulario_enviado_duas_vezes_da_uma_decisao(specs_exemplo, cliente_como):
    """The double-submit without a race (a second click after the first answered), on any database."""
    Capacidade.objects.create(tipo="container", nome="postgres")
    orc = orcar("spec_002")
    po = cliente_como("po")
    url = reverse("orcamento-decidir", args=[orc.pk, "aprovar"])

    primeira = po.post(url, {"motivo": "ok"}, follow=True).content.decode()
    segunda = po.post(url, {"motivo": "ok"}, follow=True).content.decode()

    assert "Orçamento aprovado" in primeira
    assert "já foi decidido: aprovado por po" in segunda
    assert _uma_decisao(orc).status == Orcamento.Status.APROVADO
