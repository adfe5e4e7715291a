"""What operators and load balancers ask: ``GET /metrics`` (Prometheus text format, through
prometheus-client) and ``GET /saude/`` (200 or 503 with what failed).

``/metrics`` answers a request bearing ``PROMETHEUS_METRICS_TOKEN`` (``Authorization: Bearer``)
or coming from ``PROMETHEUS_METRICS_REDES``. Besides the web processes' histograms
(``prometheus_site.observabilidade``), its gauges are computed from the database at scrape time:
the backlog's queue, releases and deployments by outcome, and every number of
``/api/metricas/`` for its default period (the last 12 weeks), named after its key and unit
(``dora.falhas`` → ``dora_falhas_ratio``), its slice as labels, "sem dados" as no sample.
"""

from __future__ import annotations

import hmac
import ipaddress
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from fabrica.implantacao.models import Implantacao
from fabrica.metricas import selectors
from fabrica.models import Release
from prometheus_site.observabilidade import registro_da_coleta

SUFIXOS = {"segundos": "_seconds", "razao": "_ratio", "por_dia": "_per_day", "bytes": "_bytes", "contagem": ""}


def nome_prometheus(numero: selectors.Numero) -> str:
    return numero.chave.replace(".", "_") + SUFIXOS[numero.unidade]


class ColetorDaFabrica(Collector):
    """Gauges read from the database when Prometheus scrapes (a constant number of queries)."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        fila = selectors.estado_do_backlog()
        itens = GaugeMetricFamily(
            "backlog_itens",
            "Itens na fila por tipo e status (Pendente, Bloqueado, EmProcessamento, Falha; não o histórico).",
            labels=["tipo", "status"],
        )
        for linha in fila["por_status"]:
            itens.add_metric([linha["tipo"], linha["status"]], linha["n"])
        yield itens
        idade = GaugeMetricFamily(
            "backlog_pendente_mais_antigo_seconds", "Idade do item Pendente mais antigo, por tipo.", labels=["tipo"]
        )
        for esperando in fila["esperando"]:
            idade.add_metric([esperando["tipo"]], max(esperando["idade_s"], 0.0))
        yield idade
        yield GaugeMetricFamily(
            "backlog_falhas_ultima_hora", "Itens que falharam na última hora.", value=fila["falhas_ultima_hora"]
        )
        yield GaugeMetricFamily(
            "backlog_resgates_ultima_hora",
            "Leases vencidos resgatados na última hora.",
            value=fila["resgates_ultima_hora"],
        )
        releases = GaugeMetricFamily("fabrica_releases", "Releases por tipo e status.", labels=["tipo", "status"])
        for linha in Release.objects.values("tipo", "status").annotate(n=Count("pk")).order_by():
            releases.add_metric([linha["tipo"], linha["status"]], linha["n"])
        yield releases
        implantacoes = GaugeMetricFamily(
            "fabrica_implantacoes",
            "Implantações e reversões por ambiente, tipo, status e validação.",
            labels=["ambiente", "tipo", "status", "validacao"],
        )
        for linha in (
            Implantacao.objects.values("ambiente__nome", "tipo", "status", "validacao")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            implantacoes.add_metric(
                [linha["ambiente__nome"], linha["tipo"], linha["status"], linha["validacao"]], linha["n"]
            )
        yield implantacoes
        calculado_em, painel = painel_padrao()
        yield GaugeMetricFamily(
            "fabrica_metricas_calculadas_em_seconds",
            "Quando os números das métricas abaixo foram calculados (Unix time).",
            value=calculado_em,
        )
        yield from familias_do_painel(painel)


def painel_padrao() -> tuple[float, selectors.Painel]:
    """The numbers of ``/api/metricas/`` for its default period (without its weekly trends, which
    ``/metrics`` does not export), and when they were computed: kept in this process's cache until
    a fact is recorded (``selectors.versao_dos_fatos``, one query) and for at most
    ``PROMETHEUS_METRICS_CACHE_S`` seconds; recomputed otherwise."""
    f = selectors.Filtros.padrao()
    segundos = settings.PROMETHEUS_METRICS_CACHE_S
    if not segundos:
        return time.time(), selectors.painel(f, tendencias=False)
    chave = "metricas:painel:" + ":".join(map(str, (f.de, f.ate, *selectors.versao_dos_fatos())))
    guardado = cache.get(chave)
    if guardado is None:
        guardado = (time.time(), selectors.painel(f, tendencias=False))
        cache.set(chave, guardado, segundos)
    return guardado


def familias_do_painel(painel: selectors.Painel) -> Iterable[GaugeMetricFamily]:
    """One gauge family per key and unit; labels: the union of the slices' keys ("" where a number
    has none: the total). A number without data has no sample; its counts always do."""
    grupos: dict[str, list[selectors.Numero]] = defaultdict(list)
    for numero in painel.numeros:
        grupos[nome_prometheus(numero)].append(numero)
    for nome, numeros in grupos.items():
        rotulos = sorted({k for n in numeros for k in n.recorte})
        nome_def, _texto = selectors.definicao(numeros[0].chave)
        ajuda = f"{nome_def} (últimos {selectors.DIAS_PADRAO} dias)."
        familia = GaugeMetricFamily(nome, ajuda, labels=rotulos)
        contagens = GaugeMetricFamily(
            f"{nome}_contagem", f"Contagens por trás de {nome}.", labels=[*rotulos, "contagem"]
        )
        for numero in numeros:
            valores = [numero.recorte.get(k, "") for k in rotulos]
            if numero.valor is not None:
                familia.add_metric(valores, numero.valor)
            for chave, n in numero.contagens.items():
                contagens.add_metric([*valores, chave], n)
        yield familia
        yield contagens


def _permitido(request: HttpRequest) -> bool:
    token = settings.PROMETHEUS_METRICS_TOKEN
    cabecalho = request.headers.get("Authorization", "")
    if token and cabecalho.startswith("Bearer ") and hmac.compare_digest(cabecalho[7:].encode(), token.encode()):
        return True
    try:
        endereco = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(endereco in rede for rede in settings.PROMETHEUS_METRICS_REDES)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _permitido(request):
        return HttpResponse(
            "Proibido: envie Authorization: Bearer <PROMETHEUS_METRICS_TOKEN> ou venha de PROMETHEUS_METRICS_REDES.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(generate_latest(registro_da_coleta(ColetorDaFabrica())), content_type=CONTENT_TYPE_LATEST)


# --- /saude/ -----------------------------------------------------------------------------------------


def _banco() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database is the answer
        return {"ok": False, "erro": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return {"ok": True}


def _cluster() -> dict:
    """The django-q2 cluster is alive while its scheduler keeps the sweep (every minute) on time."""
    from django_q.models import Schedule

    try:
        proxima = Schedule.objects.filter(name="prometheus-varredura").values_list("next_run", flat=True).first()
    except Exception as exc:  # noqa: BLE001 - no database, no answer about the cluster
        return {"ok": False, "erro": f"{type(exc).__name__}"}
    if proxima is None:
        return {"ok": False, "erro": "a varredura não está agendada"}
    atraso = (timezone.now() - proxima).total_seconds()
    limite = settings.PROMETHEUS_SAUDE_CLUSTER_ATRASO
    if atraso > limite:
        return {"ok": False, "erro": f"a varredura está {atraso:.0f} s atrasada (limite {limite} s): o cluster parou?"}
    return {"ok": True, "atraso_s": max(round(atraso), 0)}


def _disco() -> dict:
    try:
        livre = shutil.disk_usage(settings.VAR_DIR).free
    except OSError as exc:
        return {"ok": False, "erro": f"{type(exc).__name__}: {exc.strerror}"}
    minimo = settings.PROMETHEUS_SAUDE_DISCO_LIVRE
    if livre < minimo:
        return {"ok": False, "erro": f"{livre} bytes livres, abaixo de {minimo}", "livre_bytes": livre}
    return {"ok": True, "livre_bytes": livre}


@never_cache
@require_GET
def saude(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, the cluster's sweep is on time and the
    disk of PROMETHEUS_VAR_DIR has room; else 503 saying which failed. Open (it says nothing secret)."""
    verificacoes = {"banco": _banco(), "cluster": _cluster(), "disco": _disco()}
    ok = all(v["ok"] for v in verificacoes.values())
    return JsonResponse(
        {"status": "ok" if ok else "falha", "verificacoes": verificacoes, "em": timezone.now().isoformat()},
        status=200 if ok else 503,
    )
