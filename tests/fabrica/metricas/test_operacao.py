"""``/metrics`` (read back with prometheus-client's own parser: the same numbers as
``/api/metricas/``; a token or an allowed network) and ``/saude/`` (200, or 503 naming what failed)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from prometheus_client.parser import text_string_to_metric_families

from backlog import services as backlog
from fabrica.metricas.operacao import SUFIXOS
from fabrica.metricas.selectors import estado_do_backlog
from tests.fabrica.metricas.test_dora import historia  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def amostras(texto: str) -> dict[tuple[str, frozenset], float]:
    return {
        (amostra.name, frozenset(amostra.labels.items())): amostra.value
        for familia in text_string_to_metric_families(texto)
        for amostra in familia.samples
    }


def _rotulos(recorte: dict, lidos: dict) -> dict:
    """The labels a number of the API has in /metrics: its slice, "" for the family's other labels."""
    return {k: recorte.get(k, "") for k in lidos} if set(recorte) <= set(lidos) else {}


def raspar(cliente: Client | None = None, **cabecalhos) -> tuple[int, str]:
    resposta = (cliente or Client()).get("/metrics", **cabecalhos)
    return resposta.status_code, resposta.content.decode()


def test_mesmos_numeros_que_a_api(api_como, historia, relogio, settings):  # noqa: F811
    # The default period (12 weeks to "today") must hold the history: today is T0's day + 1.
    relogio.ir(days=1)
    api = api_como("admin").get(reverse("api-metricas")).json()
    status, texto = raspar()
    lidas = amostras(texto)

    assert status == 200
    comparados = 0
    for m in api["metricas"]:
        nome = m["chave"].replace(".", "_") + SUFIXOS[m["unidade"]]
        candidatos = [v for (n, r), v in lidas.items() if n == nome and dict(r) == _rotulos(m["recorte"], dict(r))]
        if m["valor"] is None:
            assert candidatos == [], (nome, m["recorte"])
        else:
            assert candidatos == [pytest.approx(m["valor"])], (nome, m["recorte"])
            comparados += 1
    assert comparados >= 10
    assert lidas[("dora_falhas_ratio", frozenset({("ambiente", "producao")}))] == 0.5
    assert (
        lidas[("dora_falhas_ratio_contagem", frozenset({("ambiente", "producao"), ("contagem", "implantacoes")}))] == 2
    )


def test_gauges_da_fila_e_das_implantacoes(historia, relogio):  # noqa: F811
    relogio.ir(days=1)
    lidas = amostras(raspar()[1])

    # The queue, not the history (the Concluido items are not counted): p1's refusal at +5h left a
    # corrigir_bug; the three validations (h1 +3h, h2 +7h, p2 +9h) each an avaliar_efetividade.
    fila = {(dict(r)["tipo"], dict(r)["status"]): v for (n, r), v in lidas.items() if n == "backlog_itens"}
    assert fila == {("corrigir_bug", "Pendente"): 1, ("avaliar_efetividade", "Pendente"): 3}
    # scraped at T0 + 24h: the oldest waiting for 24 − 3 = 21 h and 24 − 5 = 19 h
    assert lidas[("backlog_pendente_mais_antigo_seconds", frozenset({("tipo", "avaliar_efetividade")}))] == 21 * 3600
    assert lidas[("backlog_pendente_mais_antigo_seconds", frozenset({("tipo", "corrigir_bug")}))] == 19 * 3600
    assert lidas[("backlog_resgates_ultima_hora", frozenset())] == 0
    assert (
        lidas[
            (
                "fabrica_implantacoes",
                frozenset(
                    {
                        ("ambiente", "producao"),
                        ("tipo", "implantacao"),
                        ("status", "Concluida"),
                        ("validacao", "Recusada"),
                    }
                ),
            )
        ]
        == 1
    )
    assert lidas[("fabrica_releases", frozenset({("tipo", "normal"), ("status", "Aprovada")}))] == 2


def test_histograma_de_requisicoes_e_do_ciclo(cliente_como, historia):  # noqa: F811
    cliente_como("po").get(reverse("metricas"))
    lidas = amostras(raspar()[1])

    assert (
        lidas[
            (
                "http_request_duration_seconds_count",
                frozenset({("metodo", "GET"), ("rota", "metricas"), ("status", "200")}),
            )
        ]
        >= 1
    )
    assert lidas[("backlog_item_consumo_a_conclusao_seconds_count", frozenset({("tipo", "implantar")}))] >= 5


def test_token_ou_rede(settings):
    settings.PROMETHEUS_METRICS_REDES = []
    settings.PROMETHEUS_METRICS_TOKEN = "segredo-de-teste"

    assert raspar()[0] == 403
    assert raspar(HTTP_AUTHORIZATION="Bearer errado")[0] == 403
    assert raspar(HTTP_AUTHORIZATION="Bearer segredo-de-teste")[0] == 200
    settings.PROMETHEUS_METRICS_REDES = [ipaddress.ip_network("10.0.0.0/8")]
    assert raspar(REMOTE_ADDR="10.1.2.3")[0] == 200
    assert raspar(REMOTE_ADDR="192.168.0.1")[0] == 403


def test_token_vazio_nao_abre(settings):
    settings.PROMETHEUS_METRICS_REDES = []
    settings.PROMETHEUS_METRICS_TOKEN = ""

    assert raspar(HTTP_AUTHORIZATION="Bearer ")[0] == 403


def _varredura_em(quando):
    Schedule.objects.update_or_create(
        name="prometheus-varredura",
        defaults={
            "func": "fabrica.tasks.varrer",
            "schedule_type": "I",
            "minutes": 1,
            "repeats": -1,
            "next_run": quando,
        },
    )


def test_saude_ok(settings):
    settings.PROMETHEUS_SAUDE_DISCO_LIVRE = 0
    _varredura_em(timezone.now() + timedelta(seconds=30))

    resposta = Client().get(reverse("saude"))

    assert resposta.status_code == 200
    assert resposta.json()["status"] == "ok"
    assert set(resposta.json()["verificacoes"]) == {"banco", "cluster", "disco"}


def test_saude_503_com_o_cluster_parado_ou_sem_disco(settings):
    settings.PROMETHEUS_SAUDE_DISCO_LIVRE = 10**18
    _varredura_em(timezone.now() - timedelta(minutes=10))

    corpo = Client().get(reverse("saude"))

    assert corpo.status_code == 503
    verificacoes = corpo.json()["verificacoes"]
    assert verificacoes["banco"]["ok"] is True
    assert verificacoes["cluster"]["ok"] is False and "atrasada" in verificacoes["cluster"]["erro"]
    assert verificacoes["disco"]["ok"] is False


def test_saude_503_sem_banco(settings, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    settings.PROMETHEUS_SAUDE_DISCO_LIVRE = 0

    def sem_banco(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", sem_banco)
    resposta = Client().get(reverse("saude"))

    assert resposta.status_code == 503
    assert resposta.json()["verificacoes"]["banco"] == {"ok": False, "erro": "OperationalError: connection refused"}


def test_backlog_agora_falhas_e_resgates_da_ultima_hora(relogio, cliente_como):
    """Through the broker's services: at T0 two items are claimed; one fails for good, the other's
    lease (60 s) runs out and the sweep rescues it at +2 min. At +30 min the page and /metrics
    count one failure and one rescue in the last hour; at +2 h, none."""
    for _ in range(2):
        backlog.produzir(tipo="outro_sistema", produtor="teste")
    falha, resgatado = backlog.consumir(tipos=["outro_sistema"], consumidor="w1", lease_segundos=60, quantidade=2)
    backlog.falhar(item_id=falha.pk, lease_token=falha.lease_token, erro="quebrou", definitivo=True)
    relogio.ir(minutes=2)
    assert backlog.resgatar_expirados() == 1

    relogio.ir(minutes=30)
    estado = estado_do_backlog()
    assert (estado["falhas_ultima_hora"], estado["resgates_ultima_hora"]) == (1, 1)
    assert {(linha["status"], linha["n"]) for linha in estado["por_status"]} == {("Falha", 1), ("Pendente", 1)}
    [esperando] = estado["esperando"]
    assert (esperando["tipo"], esperando["n"], esperando["idade_s"]) == (
        "outro_sistema",
        1,
        30 * 60,
    )  # waiting since T0
    lidas = amostras(raspar()[1])
    assert lidas[("backlog_falhas_ultima_hora", frozenset())] == 1
    assert lidas[("backlog_resgates_ultima_hora", frozenset())] == 1
    pagina = cliente_como("admin").get(reverse("metricas")).content.decode()
    assert 'id="resgates-hora">1<' in pagina and 'id="falhas-hora">1<' in pagina

    relogio.ir(hours=2)
    estado = estado_do_backlog()
    assert (estado["falhas_ultima_hora"], estado["resgates_ultima_hora"]) == (0, 0)


def test_numeros_guardados_ate_um_fato_novo(historia, relogio, settings):  # noqa: F811
    """A second scrape reuses the numbers (no query of the panel); a fact recorded since (here a
    deployment's refusal, through the service) makes the next scrape recompute them."""
    relogio.ir(days=1)
    settings.PROMETHEUS_METRICS_CACHE_S = 60

    def raspar_contando() -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as consultas:
            lidas = amostras(raspar()[1])
        return lidas, len(consultas)

    primeira, n_primeira = raspar_contando()
    segunda, n_segunda = raspar_contando()
    assert n_segunda < n_primeira
    assert segunda[("dora_falhas_ratio", frozenset({("ambiente", "producao")}))] == 0.5
    calculada = ("fabrica_metricas_calculadas_em_seconds", frozenset())
    assert segunda[calculada] == primeira[calculada]

    backlog.produzir(tipo="outro_sistema", produtor="teste")  # a backlog event: a new fact
    terceira, n_terceira = raspar_contando()
    assert n_terceira == n_primeira
    assert terceira[calculada] >= primeira[calculada]


def test_sem_cache_calcula_a_cada_raspagem(historia, relogio, settings):  # noqa: F811
    relogio.ir(days=1)
    settings.PROMETHEUS_METRICS_CACHE_S = 0
    contagens = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as consultas:
            raspar()
        contagens.append(len(consultas))
    assert contagens[0] == contagens[1] > 10
