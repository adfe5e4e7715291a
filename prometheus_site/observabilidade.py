"""What the web processes measure of themselves for ``/metrics`` (prometheus-client): the
latency of each request and of each item from its claim to its conclusion.

Under gunicorn, the master exports ``PROMETHEUS_MULTIPROC_DIR`` before its workers start
(``prometheus_site.gunicorn``), so each worker writes its histograms to files there and a scrape
adds them up (``registro_da_coleta``); elsewhere (runserver, tests) the process's own registry is
read. The gauges computed from the database at scrape time are ``fabrica.metricas.operacao``'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Histogram
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

REQUISICOES = Histogram(
    "http_request_duration_seconds",
    "Tempo de cada requisição, do middleware à resposta.",
    ["metodo", "rota", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
CICLO = Histogram(
    "backlog_item_consumo_a_conclusao_seconds",
    "Do consumo (claim) à conclusão de cada item, por tipo.",
    ["tipo"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0),
)
METODOS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def item_concluido(tipo: str, consumido_em: datetime | None, concluido_em: datetime | None) -> None:
    """Called by ``backlog.services`` for each conclusion."""
    if consumido_em and concluido_em:
        CICLO.labels(tipo=tipo[:64]).observe(max((concluido_em - consumido_em).total_seconds(), 0.0))


class MedirRequisicoes:
    """Middleware: each request's duration, labelled by its route's name (bounded: never the raw
    path), its method and its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        inicio = time.perf_counter()
        resposta = self.get_response(request)
        rota = request.resolver_match.view_name if request.resolver_match else "desconhecida"
        metodo = request.method if request.method in METODOS else "outro"
        REQUISICOES.labels(metodo=metodo, rota=rota or "desconhecida", status=str(resposta.status_code)).observe(
            time.perf_counter() - inicio
        )
        return resposta


class _Processo(Collector):
    """This process's own metrics (no multiprocess directory)."""

    def collect(self) -> Iterable:
        return REGISTRY.collect()


def registro_da_coleta(*extras: Collector) -> CollectorRegistry:
    """A registry for one scrape: every worker's histograms (or this process's) plus ``extras``."""
    registro = CollectorRegistry(auto_describe=False)
    if settings.PROMETHEUS_METRICAS_PROCESSOS:
        MultiProcessCollector(registro, path=settings.PROMETHEUS_METRICAS_PROCESSOS)
    else:
        registro.register(_Processo())
    for extra in extras:
        registro.register(extra)
    return registro
