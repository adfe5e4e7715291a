"""Dispatch latency and throughput of ``orcar_spec`` through a real django-q2 cluster (issue 4).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus .venv/bin/python bench/dispatch.py

Creates and migrates a throwaway database (``prometheus_bench_dispatch`` on the same server; the
one in ``DATABASE_URL`` is never touched), imports the sample specs and registers the container
``postgres`` (so spec_002 has no gap and spec_001 has two), then:

1. baseline, inline in this process: ``backlog.services.produzir`` then
   ``fabrica.consumidor.processar_proximo`` (claim, price, conclude), no cluster involved;
2. latency through the cluster: starts ``manage.py qcluster`` (ORM broker, 2 workers by default)
   and produces N ``orcar_spec`` one at a time, measuring for each the time from just before the
   ``produzir`` call (its commit enqueues the django-q2 task on commit) to its budget row existing,
   polled from here every 2 ms; median and p95 per spec;
3. throughput: produces a batch (200) in one transaction and measures budgets per minute until
   the last budget exists, with the cluster and, as the baseline, inline in this one process.

Prints the figures, the ratios cluster/inline, where the cluster's time goes (waiting for a
worker vs processing, from the items' timestamps) and the Q_CLUSTER values in force.
``--poll 0.05`` runs the cluster with another ORM broker poll, without editing the settings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import _comum

from tests.processos import parar_com_grupo

NOME_BANCO = "prometheus_bench_dispatch"
EXEMPLOS = _comum.RAIZ / "examples" / "specs-repo" / "specs"
SPECS = {"spec_002": "no gaps", "spec_001": "2 gaps (whisper_api, gpu)"}
PASSO_S = 0.002  # polling interval of the budget row
PRAZO_S = 120


def preparar() -> None:
    from fabrica.capacidades.services import capacidade_salvar
    from fabrica.specs.services import spec_importar

    for arquivo in sorted(EXEMPLOS.glob("*.yaml")):
        spec_importar(
            texto=arquivo.read_text(encoding="utf-8"),
            origem="git",
            commit="b" * 40,
            caminho=f"specs/{arquivo.name}",
            por="bench",
        )
    capacidade_salvar(tipo="container", nome="postgres", por="bench")


def produzir(spec_ref: str):
    from backlog import services as backlog

    return backlog.produzir(tipo="orcar_spec", produtor="bench", contexto={"spec_ref": spec_ref})


@contextmanager
def sem_despacho():
    """The on-commit listener stays, but its django-q2 enqueue does nothing (inline baseline)."""
    from fabrica import tasks

    original = tasks.async_task
    tasks.async_task = lambda *args, **kwargs: None
    try:
        yield
    finally:
        tasks.async_task = original


def esperar_orcamento(item_id: int, processo: subprocess.Popen | None = None) -> float:
    from fabrica.models import Orcamento

    limite = time.monotonic() + PRAZO_S
    consulta = Orcamento.objects.filter(item_orcar_id=item_id)
    while not consulta.exists():
        if processo is not None and processo.poll() is not None:
            sys.exit(f"qcluster exited with {processo.returncode}")
        if time.monotonic() > limite:
            sys.exit(f"no budget for item #{item_id} after {PRAZO_S} s")
        time.sleep(PASSO_S)
    return time.perf_counter()


def p95(valores: list[float]) -> float:
    ordenados = sorted(valores)
    return ordenados[max(0, round(0.95 * len(ordenados)) - 1)]  # nearest rank


# --- inline baseline ---------------------------------------------------------------------------


def latencia_inline(spec_ref: str, n: int) -> list[float]:
    from fabrica.consumidor import processar_proximo

    tempos = []
    with sem_despacho():
        for _ in range(n):
            inicio = time.perf_counter()
            item = produzir(spec_ref)
            assert processar_proximo(["orcar_spec"]) == item.pk
            tempos.append(esperar_orcamento(item.pk) - inicio)
    return tempos


def vazao_inline(lote: int) -> float:
    from django.db import transaction

    from fabrica.consumidor import processar_proximo

    with sem_despacho():
        inicio = time.perf_counter()
        with transaction.atomic():
            for i in range(lote):
                produzir(list(SPECS)[i % 2])
        while processar_proximo(["orcar_spec"]) is not None:
            pass
        return lote / (time.perf_counter() - inicio) * 60


# --- the cluster -------------------------------------------------------------------------------


def iniciar_cluster(url: str, workers: int, registro, poll: float | None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "PROMETHEUS_Q_WORKERS": str(workers), "PROMETHEUS_Q_SYNC": "false"}
    if poll is not None:
        # Try another broker poll without touching the project's settings: a settings module
        # that imports them and overrides only that value, for the cluster process alone.
        pasta = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
        (pasta / "bench_dispatch_settings.py").write_text(
            f"from prometheus_site.settings import *  # noqa: F403\nQ_CLUSTER = {{**Q_CLUSTER, 'poll': {poll!r}}}\n"
        )
        env["DJANGO_SETTINGS_MODULE"] = "bench_dispatch_settings"
        env["PYTHONPATH"] = os.pathsep.join([str(pasta), str(_comum.RAIZ), env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, str(_comum.RAIZ / "manage.py"), "qcluster"],
        cwd=_comum.RAIZ,
        env=env,
        stdout=registro,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def parar_cluster(processo: subprocess.Popen) -> None:
    parar_com_grupo(processo, espera=15)


def latencia_cluster(spec_ref: str, n: int, processo: subprocess.Popen) -> tuple[list[float], list[int]]:
    tempos, ids = [], []
    for _ in range(n):
        inicio = time.perf_counter()
        item = produzir(spec_ref)
        tempos.append(esperar_orcamento(item.pk, processo) - inicio)
        ids.append(item.pk)
        time.sleep(0.05)  # one at a time, and not in phase with the broker's poll
    return tempos, ids


def etapas(ids: list[int]) -> dict[str, float]:
    """Median of each stage, from the item's own timestamps (database clock): waiting for a
    worker (created → claimed: commit, enqueue, broker poll, pusher, worker) and processing
    (claimed → concluded: pricing and the concluding transaction)."""
    from backlog.models import Item

    linhas = Item.objects.filter(pk__in=ids).values_list("criado_em", "consumido_em", "concluido_em")
    espera = [(c - p).total_seconds() for p, c, _ in linhas]
    processo = [(f - c).total_seconds() for _, c, f in linhas]
    return {"espera": statistics.median(espera), "processamento": statistics.median(processo)}


def vazao_cluster(lote: int, processo: subprocess.Popen) -> tuple[float, float]:
    from django.db import transaction

    from fabrica.models import Orcamento

    antes = Orcamento.objects.count()
    inicio = time.perf_counter()
    with transaction.atomic():  # one commit: its on-commit listener enqueues the whole batch
        for i in range(lote):
            produzir(list(SPECS)[i % 2])
    despachado = time.perf_counter() - inicio
    limite = time.monotonic() + PRAZO_S
    while Orcamento.objects.count() < antes + lote:
        if processo.poll() is not None:
            sys.exit(f"qcluster exited with {processo.returncode}")
        if time.monotonic() > limite:
            sys.exit(f"the batch was not priced in {PRAZO_S} s")
        time.sleep(0.02)
    return lote / (time.perf_counter() - inicio) * 60, despachado


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=30, help="items produced one at a time, per spec (30)")
    parser.add_argument("--lote", type=int, default=200, help="items produced at once for throughput (200)")
    parser.add_argument("--workers", type=int, default=2, help="django-q2 workers (2)")
    parser.add_argument(
        "--poll",
        type=float,
        default=None,
        help="override Q_CLUSTER['poll'] for the cluster only (default: the settings' value)",
    )
    args = parser.parse_args()

    url = _comum.url_do_banco(NOME_BANCO)
    _comum.recriar_banco(url)
    _comum.configurar_django(url)
    _comum.migrar()

    from django.conf import settings
    from django.db import connection

    preparar()
    q = settings.Q_CLUSTER
    poll = args.poll if args.poll is not None else q.get("poll")
    print(
        f"database {NOME_BANCO}; broker {'ORM' if 'orm' in q else q.get('redis')}, poll {poll} s"
        f"{' (overridden)' if args.poll is not None else ''}, workers {args.workers}, "
        f"CONN_MAX_AGE {connection.settings_dict['CONN_MAX_AGE']} s; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )

    # Warm the inline path (imports, caches) before measuring it.
    latencia_inline("spec_001", 2)
    inline = {spec: latencia_inline(spec, args.n) for spec in SPECS}
    vazao_base = vazao_inline(args.lote)

    with tempfile.NamedTemporaryFile("w+", prefix="qcluster-", suffix=".log", delete=False) as registro:
        processo = iniciar_cluster(url, args.workers, registro, args.poll)
        try:
            inicio = time.perf_counter()
            latencia_cluster("spec_002", 1, processo)  # the cluster is up and its workers warm
            partida = time.perf_counter() - inicio
            latencia_cluster("spec_001", 3, processo)
            cluster, ids = {}, {}
            for spec in SPECS:
                cluster[spec], ids[spec] = latencia_cluster(spec, args.n, processo)
            vazao, despachado = vazao_cluster(args.lote, processo)
        finally:
            parar_cluster(processo)
        print(f"cluster log: {registro.name}; first budget {partida:.1f} s after the cluster was started")

    print(f"\nlatency, produzir -> budget row, {args.n} items one at a time per spec (ms):")
    print(
        f"{'spec':<9} {'':<26} | {'inline median':>13} {'p95':>6} | {'cluster median':>14} {'p95':>6} | "
        f"{'ratio':>5} | {'cluster: wait':>13} {'processing':>10}"
    )
    for spec, descricao in SPECS.items():
        mi, mc = statistics.median(inline[spec]), statistics.median(cluster[spec])
        e = etapas(ids[spec])
        print(
            f"{spec:<9} {descricao:<26} | {mi * 1000:13.0f} {p95(inline[spec]) * 1000:6.0f} | "
            f"{mc * 1000:14.0f} {p95(cluster[spec]) * 1000:6.0f} | {mc / mi:5.1f} | "
            f"{e['espera'] * 1000:13.0f} {e['processamento'] * 1000:10.0f}"
        )
    todos = [t for tempos in cluster.values() for t in tempos]
    mediana = statistics.median(todos)
    print(
        f"all {len(todos)} through the cluster: median {mediana * 1000:.0f} ms, p95 {p95(todos) * 1000:.0f} ms "
        f"(target median < 1000 ms): {'OK' if mediana < 1 else 'ABOVE TARGET'}"
    )

    print(f"\nthroughput, {args.lote} items produced in one transaction (alternating {' / '.join(SPECS)}):")
    print(f"  inline, 1 process      : {vazao_base:7.0f} budgets/min")
    print(
        f"  cluster, {args.workers} workers     : {vazao:7.0f} budgets/min "
        f"(batch committed and enqueued in {despachado:.2f} s)"
    )
    print(f"  ratio cluster/inline   : {vazao / vazao_base:7.2f}")


if __name__ == "__main__":
    main()
