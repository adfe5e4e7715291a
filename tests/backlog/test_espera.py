"""Long polling through the service (issue 12): ``consumir(espera_segundos=…)`` waits outside any
transaction and returns as soon as an item becomes claimable. The HTTP side, with a real server
and a producer in another process, is tests/backlog/test_servidor.py.

The waits here are driven by the ``desistir`` callback, which the wait calls at every wake-up:
it plays the other party (produces an item, gives up), so no test sleeps for a chosen time.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backlog import espera, services
from backlog.erros import DadosInvalidos
from backlog.models import Evento, Item, Status
from prometheus_site.consultas import parametros_de_escuta

pytestmark = pytest.mark.django_db(transaction=True)


def _consumir(**kwargs):
    kwargs.setdefault("tipos", ["espera_teste"])
    kwargs.setdefault("consumidor", "c")
    return services.consumir(**kwargs)


class Roteiro:
    """``desistir`` for the wait: runs ``acoes[n]`` at its n-th call, then says whether to give up."""

    def __init__(self, *acoes, desistir_no_fim: bool = False) -> None:
        self.acoes = list(acoes)
        self.chamadas = 0
        self.desistir_no_fim = desistir_no_fim

    def __call__(self) -> bool:
        self.chamadas += 1
        if self.acoes:
            acao = self.acoes.pop(0)
            if acao is not None:
                acao()
            return False
        return self.desistir_no_fim


def test_espera_devolve_o_item_produzido_durante_a_espera(caminho):
    produzido = []
    roteiro = Roteiro(lambda: produzido.append(services.produzir(tipo="espera_teste", produtor="p")))

    item = _consumir(espera_segundos=20, desistir=roteiro)

    assert item is not None and item.pk == produzido[0].pk
    assert item.status == Status.EM_PROCESSAMENTO
    # Woken by the commit that made it claimable, not by the end of a poll interval: asked
    # once before sleeping and once on waking.
    assert roteiro.chamadas == 2


def test_espera_sem_item_termina_vazia(caminho):
    assert _consumir(espera_segundos=0.3) is None
    assert _consumir(espera_segundos=0.3, quantidade=5) == []


def test_espera_interrompida_nao_reserva_nada(caminho):
    roteiro = Roteiro(None, desistir_no_fim=True)
    produzido = services.produzir(tipo="outro_tipo", produtor="p")

    assert _consumir(espera_segundos=20, desistir=roteiro) is None

    produzido.refresh_from_db()
    assert (produzido.status, produzido.lease_token) == (Status.PENDENTE, None)
    assert not Evento.objects.filter(tipo="consumido").exists()


def test_item_que_aparece_enquanto_outro_tipo_e_produzido_nao_acorda_a_espera_errada(caminho):
    """Items of other types wake nothing: the wait ends by itself (roteiro says give up)."""
    roteiro = Roteiro(lambda: services.produzir(tipo="outro_tipo", produtor="p"), None, desistir_no_fim=True)

    assert _consumir(espera_segundos=20, desistir=roteiro) is None
    assert Item.objects.get().status == Status.PENDENTE


def test_espera_acha_a_nova_tentativa_quando_o_backoff_acaba(caminho, settings):
    settings.PROMETHEUS_BACKOFF_SEGUNDOS = 1
    item = services.produzir(tipo="espera_teste", produtor="p")
    reservado = _consumir()
    services.falhar(item_id=item.pk, lease_token=reservado.lease_token, erro="transitório")
    assert Item.objects.get(pk=item.pk).disponivel_em > timezone.now()

    # No transaction announces the end of a backoff: the wait's own re-check finds it.
    de_novo = _consumir(espera_segundos=20)

    assert de_novo.pk == item.pk and de_novo.tentativas == 2
    assert timezone.now() >= Item.objects.get(pk=item.pk).disponivel_em


def test_espera_e_recusada_dentro_de_uma_transacao(caminho):
    with transaction.atomic(), pytest.raises(TransactionManagementError):
        _consumir(espera_segundos=1)


@pytest.mark.parametrize("espera_segundos", [-1, services.MAX_ESPERA_SEGUNDOS + 0.5, float("nan")])
def test_espera_fora_do_limite_e_recusada(caminho, espera_segundos):
    with pytest.raises(DadosInvalidos) as erro:
        _consumir(espera_segundos=espera_segundos)
    assert list(erro.value.campos) == ["espera_segundos"]


def test_acima_do_limite_de_esperas_o_pedido_responde_como_um_curto(caminho, settings):
    settings.PROMETHEUS_ESPERAS_POR_PROCESSO = 0
    roteiro = Roteiro()

    assert _consumir(espera_segundos=20, desistir=roteiro) is None
    assert roteiro.chamadas == 0  # it never waited


def test_o_servidor_parando_encerra_as_esperas(caminho, monkeypatch):
    parando = threading.Event()
    monkeypatch.setattr(espera.avisos, "_encerrando", [parando.is_set])
    roteiro = Roteiro(parando.set)

    assert _consumir(espera_segundos=20, desistir=roteiro) is None


@pytest.mark.postgres
def test_espera_ociosa_no_postgresql_nao_consulta_o_banco_entre_os_despertares():
    """Listening, the wait asks the database only when woken: once to claim and once for the
    nearest backoff, however long it waits (a short poll would query every interval)."""
    assert espera.avisos.garantir_ouvinte()
    contagens = []
    for segundos in (0.5, 2.5):
        with CaptureQueriesContext(connection) as consultas:
            assert _consumir(espera_segundos=segundos) is None
        contagens.append(len(consultas))
    assert contagens == [2, 2]


@pytest.mark.postgres
def test_aviso_de_outra_conexao_acorda_a_espera():
    """NOTIFY reaches this process's listener from a commit on another connection, with no
    in-process wake-up: the waiting thread is woken by PostgreSQL itself."""
    assert espera.avisos.garantir_ouvinte()
    avisado = threading.Event()
    marca = espera.avisos.marca(["espera_teste"])

    def esperar() -> None:
        if espera.avisos.esperar(["espera_teste"], marca, 20):
            avisado.set()

    fio = threading.Thread(target=esperar)
    fio.start()
    with psycopg.connect(**parametros_de_escuta("default", "teste-espera")) as outra:
        outra.execute("SELECT pg_notify(%s, %s)", [espera.CANAL, "espera_teste"])
    fio.join(timeout=20)
    assert avisado.is_set()
