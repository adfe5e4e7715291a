"""MS_Backlog over REST against the production server (issue 12), with the in-process services of
the same run as the ceiling.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus .venv/bin/python bench/rest.py \\
        [--banco prometheus_bench_rest] [--segundos 6] [--clientes 1,4,8] [--lotes 1,10,50] [--sem-fsync]

Creates and migrates a throwaway database (``--banco``, on the server of ``DATABASE_URL``, which
itself is never touched), with durable commits unless ``--sem-fsync``; seeds 200,000
``Concluido`` items once, and before every run tops the claimable items up to ``PENDENTES``.
Starts the server as the Procfile does (``gunicorn -c python:prometheus_site.gunicorn``, its
default 2 workers x 8 threads, ``DEBUG=false``) on a free port, and measures, each run lasting
``--segundos`` with every client or consumer in its own process (``spawn``):

- produce rate: ``POST /api/backlog/itens/`` from 1, 4 and 8 clients (``requests.Session``,
  kept-alive), against ``services.produzir`` from as many processes;
- claim + conclude: with batch size 1, ``POST consumir/`` + ``POST itens/{id}/concluir/``; with
  batches of 10 and 50, ``consumir/`` with ``quantidade`` + the batch ``concluir/``; against the
  services doing the same in-process (``consumir`` / ``concluir``, or ``quantidade`` /
  ``concluir_varios``). Items per second;
- long poll: a consumer waiting with ``espera_segundos=20`` while another process produces one
  item at a time; the time from the return of ``produzir`` (its commit) to the consumer holding
  the item (``time.monotonic`` is one clock for every process of the machine); and what an idle
  long-polling consumer costs the database (transactions committed while it waits);
- CPU per operation: the server's processes, the clients and the database backends of the run
  (from ``/proc``), which says what bounds each figure on this 2-core machine;
- a profile of the requests (cProfile of the server's request handling, in-process, through the
  same WSGI application and settings).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import multiprocessing as mp
import os
import platform
import pstats
import queue
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import _comum

RAIZ = _comum.RAIZ
TIPO = "bench_rest"
CONCLUIDOS = 200_000
PENDENTES = 40_000
TIQUE = os.sysconf("SC_CLK_TCK")

_SEMEAR_HISTORICO = """
INSERT INTO backlog_item (tipo, status, produtor, contexto, resultado, erro, spec_ref, prioridade,
                          consumidor, tentativas, max_tentativas, criado_em, consumido_em, concluido_em)
SELECT (ARRAY['orcar_spec', 'desenvolvimento', 'implantar', 'corrigir_bug'])[1 + g %% 4], 'Concluido',
       'bench', jsonb_build_object('spec_ref', 'SPEC-' || g %% 500), '{"ok": true}'::jsonb, '',
       'SPEC-' || g %% 500, g %% 3, 'bench', 1, 3, now() - interval '1 day', now(), now()
FROM generate_series(1, %(n)s) AS g
"""
_REPOR = [
    # What a run left claimed or pending goes out of the way (a DELETE would check the unindexed
    # desbloqueado_por foreign key row by row); the same claimable set each run.
    """UPDATE backlog_item SET status = 'Concluido', concluido_em = now(), lease_token = NULL,
       lease_expira_em = NULL WHERE status = 'EmProcessamento'""",
    "UPDATE backlog_item SET status = 'Concluido', concluido_em = now() WHERE status = 'Pendente'",
    """
    INSERT INTO backlog_item (tipo, status, produtor, contexto, erro, spec_ref, prioridade,
                              consumidor, tentativas, max_tentativas, criado_em)
    SELECT %(tipo)s, 'Pendente', 'bench', jsonb_build_object('n', g), '', '', g %% 3, '', 0, 3, now()
    FROM generate_series(1, %(n)s) AS g
    """,
    "VACUUM ANALYZE backlog_item",
]


# --- small helpers ---------------------------------------------------------------------------


def _cpu_de(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 if it is gone."""
    try:
        campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(campos[11]) + int(campos[12])) / TIQUE


def _filhos(pid: int) -> list[int]:
    todos = []
    for entrada in Path("/proc").iterdir():
        if entrada.name.isdigit():
            try:
                ppid = int((entrada / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == pid:
                todos.append(int(entrada.name))
    return todos


def _porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ambiente(url: str) -> dict[str, str]:
    return {"DEBUG": "false", "SECRET_KEY": "bench-rest-not-secret", "LOG_LEVEL": "WARNING", "DATABASE_URL": url}


def _configurar_django(url: str) -> None:
    os.environ.update(_ambiente(url))
    _comum.configurar_django(url)


def _psql(url: str):
    import psycopg

    return psycopg.connect(_comum.conninfo(url), autocommit=True)


def _backends(url: str, nome: str) -> list[int]:
    with _psql(url) as c:
        return [
            pid
            for (pid,) in c.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [nome]
            ).fetchall()
        ]


def repor(url: str, n: int = PENDENTES) -> None:
    with _psql(url) as c:
        for comando in _REPOR:
            c.execute(comando, {"tipo": TIPO, "n": n} if "%(" in comando else None)


# --- the server -------------------------------------------------------------------------------


class Servidor:
    """gunicorn as the Procfile starts it, on the bench database."""

    def __init__(self, url: str, pasta: Path) -> None:
        self.porta = _porta_livre()
        self.url = f"http://127.0.0.1:{self.porta}"
        self.log = (pasta / "gunicorn.log").open("w+")
        env = {
            **os.environ,
            **_ambiente(url),
            # Named, so its connections can be told apart; kept open for the whole bench, so the
            # CPU of its database backends can be read per run.
            "DATABASE_URL": url + "?application_name=prometheus-bench-web",
            "DB_CONN_MAX_AGE": "3600",
            "PROMETHEUS_WEB_BIND": f"127.0.0.1:{self.porta}",
            "PROMETHEUS_VAR_DIR": str(pasta / "var"),
        }
        self.processo = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:prometheus_site.gunicorn"],
            cwd=RAIZ,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import requests

        limite = time.monotonic() + 120
        while time.monotonic() < limite:
            try:
                if requests.get(self.url + "/contas/login/", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.parar()
        raise SystemExit("gunicorn did not answer in 120 s")

    def pids(self) -> list[int]:
        return [self.processo.pid, *_filhos(self.processo.pid)]

    def cpu(self) -> float:
        return sum(_cpu_de(p) for p in self.pids())

    def parar(self) -> None:
        os.killpg(self.processo.pid, signal.SIGTERM)
        try:
            self.processo.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.processo.pid, signal.SIGKILL)
            self.processo.wait()


# --- what each client process does -------------------------------------------------------------


def _rest(args: tuple, largada, saida) -> None:
    modo, base, token, lote, segundos, n = args
    import requests

    sessao = requests.Session()
    sessao.headers.update({"Authorization": f"Token {token}"})
    saida.put("pronto")
    largada.wait()
    fim = time.monotonic() + segundos
    feitos = pedidos = 0
    consumidor = f"rest-{n}"
    while time.monotonic() < fim:
        if modo == "produzir":
            r = sessao.post(base + "/api/backlog/itens/", json=({"tipo": "bench_produzido", "contexto": {"n": n}}))
            assert r.status_code == 201, r.text
            feitos += 1
            pedidos += 1
            continue
        corpo = {"tipos": [TIPO], "consumidor": consumidor}
        if lote > 1:
            corpo["quantidade"] = lote
        r = sessao.post(base + "/api/backlog/consumir/", json=(corpo))
        pedidos += 1
        if r.status_code == 204:
            break
        assert r.status_code == 200, r.text
        if lote == 1:
            item = r.json()
            c = sessao.post(
                base + f"/api/backlog/itens/{item['id']}/concluir/",
                json=({"lease_token": item["lease_token"], "resultado": {"ok": True}}),
            )
            assert c.status_code == 200, c.text
            feitos += 1
        else:
            itens = r.json()
            c = sessao.post(
                base + "/api/backlog/concluir/",
                json=(
                    {
                        "itens": [
                            {"id": i["id"], "lease_token": i["lease_token"], "resultado": {"ok": True}} for i in itens
                        ]
                    }
                ),
            )
            assert c.status_code == 200 and c.json()["concluidos"] == len(itens), c.text
            feitos += len(itens)
        pedidos += 1
    uso = resource.getrusage(resource.RUSAGE_SELF)
    saida.put((feitos, pedidos, uso.ru_utime + uso.ru_stime))


def _servicos(args: tuple, largada, saida) -> None:
    modo, url, lote, segundos, n = args
    _configurar_django(url)
    from django.db import connection

    from backlog import services

    connection.ensure_connection()
    saida.put("pronto")
    largada.wait()
    inicio_cpu = resource.getrusage(resource.RUSAGE_SELF)
    fim = time.monotonic() + segundos
    feitos = operacoes = 0
    consumidor = f"servicos-{n}"
    while time.monotonic() < fim:
        if modo == "produzir":
            services.produzir(tipo="bench_produzido", produtor="bench", contexto={"n": n})
            feitos += 1
            operacoes += 1
            continue
        if lote == 1:
            item = services.consumir(tipos=[TIPO], consumidor=consumidor)
            if item is None:
                break
            services.concluir(item_id=item.pk, lease_token=item.lease_token, resultado={"ok": True})
            feitos += 1
        else:
            itens = services.consumir(tipos=[TIPO], consumidor=consumidor, quantidade=lote)
            if not itens:
                break
            services.concluir_varios([services.Conclusao(i.pk, i.lease_token, {"ok": True}) for i in itens])
            feitos += len(itens)
        operacoes += 2
    uso = resource.getrusage(resource.RUSAGE_SELF)
    connection.close()
    saida.put((feitos, operacoes, uso.ru_utime + uso.ru_stime - inicio_cpu.ru_utime - inicio_cpu.ru_stime))


def _esperar(saida, processos, quantos: int) -> list:
    recebidos: list = []
    while len(recebidos) < quantos:
        try:
            recebidos.append(saida.get(timeout=1))
        except queue.Empty:
            mortos = [p.exitcode for p in processos if p.exitcode not in (None, 0)]
            if mortos:
                raise SystemExit(f"a client process died (exit codes {mortos}); its traceback is above") from None
    return recebidos


@dataclass
class Medida:
    feitos: int
    pedidos: int
    segundos: float
    cpu_clientes: float
    cpu_servidor: float
    cpu_banco: float

    @property
    def por_segundo(self) -> float:
        return self.feitos / self.segundos

    def ms_por(self, cpu: float) -> float:
        return 1000 * cpu / max(self.pedidos, 1)


def rodar(alvo, argumentos: list[tuple], url: str, banco: str, servidor: Servidor | None) -> Medida:
    contexto = mp.get_context("spawn")
    largada = contexto.Event()
    saida = contexto.Queue()
    processos = [contexto.Process(target=alvo, args=(a, largada, saida)) for a in argumentos]
    for p in processos:
        p.start()
    _esperar(saida, processos, len(processos))
    antes = {p: _cpu_de(p) for p in _backends(url, banco)}
    cpu_servidor = servidor.cpu() if servidor else 0.0
    inicio = time.perf_counter()
    largada.set()
    resultados = _esperar(saida, processos, len(processos))
    segundos = time.perf_counter() - inicio
    # Backends of this run: those already connected (their increase) and those it opened.
    depois = {p: _cpu_de(p) for p in _backends(url, banco)}
    cpu_banco = sum(max(cpu - antes.get(p, 0.0), 0.0) for p, cpu in depois.items())
    cpu_servidor = (servidor.cpu() - cpu_servidor) if servidor else 0.0
    for p in processos:
        p.join(timeout=30)
    return Medida(
        feitos=sum(r[0] for r in resultados),
        pedidos=sum(r[1] for r in resultados),
        segundos=segundos,
        cpu_clientes=sum(r[2] for r in resultados),
        cpu_servidor=cpu_servidor,
        cpu_banco=cpu_banco,
    )


# --- long poll --------------------------------------------------------------------------------


def _ouvinte_longo(args: tuple, pronto, saida) -> None:
    base, token, n = args
    import requests

    sessao = requests.Session()
    sessao.headers.update({"Authorization": f"Token {token}"})
    corpo = {"tipos": ["bench_espera"], "consumidor": "espera", "espera_segundos": 20}
    pronto.set()
    while True:  # until terminated: after the last item it stays waiting, idle
        r = sessao.post(base + "/api/backlog/consumir/", json=corpo)
        if r.status_code == 200:
            saida.put((r.json()["id"], time.monotonic()))


def medir_espera(url: str, servidor: Servidor, token: str, n: int) -> tuple[list[float], float, int, int]:
    import random

    from backlog import services

    contexto = mp.get_context("spawn")
    pronto = contexto.Event()
    saida = contexto.Queue()
    ouvinte = contexto.Process(target=_ouvinte_longo, args=((servidor.url, token, n), pronto, saida))
    ouvinte.start()
    pronto.wait(60)
    time.sleep(1.0)  # its first request is waiting
    latencias = []
    aleatorio = random.Random(0)  # noqa: S311
    for _ in range(n):
        time.sleep(aleatorio.uniform(0.05, 0.25))  # the consumer is back waiting
        item = services.produzir(tipo="bench_espera", produtor="bench")
        commit = time.monotonic()
        recebido_id, recebido_em = saida.get(timeout=30)
        assert recebido_id == item.pk
        latencias.append(1000 * (recebido_em - commit))
    # An idle long-polling consumer: what the database sees while it waits (its next request
    # is already waiting; nothing is produced). Transactions of the bench database, minus the
    # ones this measurement itself runs.
    # An idle long-polling consumer (its next request is already waiting, nothing is produced):
    # every statement of the server's connections moves their ``state_change``; sampled every
    # 50 ms, two statements closer than that count once (the claim and the backoff look-up of a
    # wake-up do), so this counts the server's round trips to the database while it waits.
    time.sleep(1.5)
    janela = 30.0
    vistos: set = set()
    with _psql(url) as c:
        fim = time.monotonic() + janela
        while time.monotonic() < fim:
            for pid, mudou in c.execute(
                "SELECT pid, state_change FROM pg_stat_activity WHERE application_name = 'prometheus-bench-web' "
                "AND query NOT LIKE 'LISTEN%%'"
            ).fetchall():
                vistos.add((pid, mudou))
            time.sleep(0.05)
    ouvinte.terminate()
    ouvinte.join()
    conexoes = len({pid for pid, _ in vistos})
    return latencias, janela, len(vistos) - conexoes, conexoes


# --- profile of the requests -------------------------------------------------------------------


def perfil(url: str, token: str, lote: int, n: int = 300) -> str:
    """cProfile of ``n`` claim + conclude request pairs through the WSGI application, in this
    process (the server's code path without the network)."""
    from django.test import Client

    repor(url, (n + 20) * lote + 10)
    cliente = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def par() -> None:
        corpo = {"tipos": [TIPO], "consumidor": "perfil"}
        if lote > 1:
            corpo["quantidade"] = lote
        r = cliente.post("/api/backlog/consumir/", corpo, content_type="application/json")
        if lote == 1:
            item = r.json()
            cliente.post(
                f"/api/backlog/itens/{item['id']}/concluir/",
                {"lease_token": item["lease_token"], "resultado": {"ok": True}},
                content_type="application/json",
            )
        else:
            itens = r.json()
            cliente.post(
                "/api/backlog/concluir/",
                {"itens": [{"id": i["id"], "lease_token": i["lease_token"]} for i in itens]},
                content_type="application/json",
            )

    for _ in range(20):
        par()
    perfilador = cProfile.Profile()
    inicio = time.process_time()
    perfilador.enable()
    for _ in range(n):
        par()
    perfilador.disable()
    cpu = time.process_time() - inicio
    texto = io.StringIO()
    estatisticas = pstats.Stats(perfilador, stream=texto)
    estatisticas.sort_stats("cumulative").print_stats(28)
    cabecalho = (
        f"batch {lote}: {n} request pairs, {1000 * cpu / (2 * n):.2f} ms CPU per request in-process "
        f"(profiler overhead included)\n"
    )
    return cabecalho + texto.getvalue()


def explicar_lote(url: str, lote: int = 50) -> str:
    """The batch claim's plan as the services run it (prepared, generic plan): one walk of the
    claim index, ``lote`` entries long."""
    from backlog_throughput import _explicar

    from backlog import sql

    repor(url)
    texto, parametros = sql.consumo([TIPO], "bench-explain", 300, lote)
    return _explicar(url, texto, parametros)


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--banco", default="prometheus_bench_rest", help="the throwaway database")
    parser.add_argument("--segundos", type=float, default=6.0, help="length of each run")
    parser.add_argument("--clientes", default="1,4,8")
    parser.add_argument("--lotes", default="1,10,50")
    parser.add_argument("--amostras-espera", type=int, default=60)
    parser.add_argument("--sem-fsync", action="store_true", help="synchronous_commit = off (not durable)")
    parser.add_argument("--sem-perfil", action="store_true")
    args = parser.parse_args()
    # Stopped from outside: still stop the server (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    clientes = [int(c) for c in args.clientes.split(",")]
    lotes = [int(b) for b in args.lotes.split(",")]

    url = _comum.url_do_banco(args.banco)
    _comum.recriar_banco(url)
    if args.sem_fsync:
        _comum.sem_espera_de_fsync(url)
    _configurar_django(url)
    _comum.migrar()
    with _psql(url) as c:
        c.execute(_SEMEAR_HISTORICO, {"n": CONCLUIDOS})
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    sistema = User.objects.create_user("bench-sistema", password="bench-nao-secreto-123")
    sistema.groups.add(Group.objects.get(name="Sistema"))
    token = Token.objects.create(user=sistema).key

    import tempfile

    pasta = Path(tempfile.mkdtemp(prefix="bench-rest-"))
    servidor = Servidor(url, pasta)
    from prometheus_site import servidor as tamanho

    print(
        f"{datetime.date.today()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}; database {args.banco}, synchronous_commit "
        f"{'off' if args.sem_fsync else 'on (durable)'}; gunicorn gthread {tamanho.workers()} x "
        f"{tamanho.threads()} at {servidor.url}; {args.segundos:.0f} s a run",
        flush=True,
    )
    tabela: dict[tuple[str, str, int], Medida] = {}
    try:
        for n in clientes:
            for onde, alvo in (("servicos", _servicos), ("rest", _rest)):
                argumentos = [
                    ("produzir", url, 1, args.segundos, i)
                    if onde == "servicos"
                    else ("produzir", servidor.url, token, 1, args.segundos, i)
                    for i in range(n)
                ]
                m = rodar(alvo, argumentos, url, args.banco, servidor if onde == "rest" else None)
                tabela[("produzir", onde, n, 1)] = m
                print(
                    f"  produce   {onde:<8} x{n}: {m.por_segundo:7,.0f}/s  (load {os.getloadavg()[0]:.1f})", flush=True
                )
        for lote in lotes:
            for n in clientes:
                for onde, alvo in (("servicos", _servicos), ("rest", _rest)):
                    repor(url)
                    argumentos = [
                        ("ciclo", url, lote, args.segundos, i)
                        if onde == "servicos"
                        else ("ciclo", servidor.url, token, lote, args.segundos, i)
                        for i in range(n)
                    ]
                    m = rodar(alvo, argumentos, url, args.banco, servidor if onde == "rest" else None)
                    tabela[("ciclo", onde, n, lote)] = m
                    print(
                        f"  cycle b={lote:<3} {onde:<8} x{n}: {m.por_segundo:7,.0f} items/s  "
                        f"(load {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
        latencias, janela, idas, conexoes = medir_espera(url, servidor, token, args.amostras_espera)
    finally:
        servidor.parar()

    def taxa(*chave) -> float:
        return tabela[chave].por_segundo

    print("\n### produce, items/s")
    print("| clients | REST | services | REST / services | server CPU ms/req | client CPU ms/req | db CPU ms/req |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in clientes:
        r, s = tabela[("produzir", "rest", n, 1)], tabela[("produzir", "servicos", n, 1)]
        print(
            f"| {n} | {r.por_segundo:,.0f} | {s.por_segundo:,.0f} | {r.por_segundo / s.por_segundo:.2f} | "
            f"{r.ms_por(r.cpu_servidor):.2f} | {r.ms_por(r.cpu_clientes):.2f} | {r.ms_por(r.cpu_banco):.2f} |"
        )
    print("\n### claim + conclude, items/s (in-process services of the same batch size = ceiling)")
    print(
        "| batch | clients | REST | services (same batch) | REST / services | REST / services b=1 | "
        "requests/s | server CPU ms/req | client CPU ms/req | db CPU ms/req |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lote in lotes:
        for n in clientes:
            r, s = tabela[("ciclo", "rest", n, lote)], tabela[("ciclo", "servicos", n, lote)]
            base1 = taxa("ciclo", "servicos", n, 1) if ("ciclo", "servicos", n, 1) in tabela else float("nan")
            print(
                f"| {lote} | {n} | {r.por_segundo:,.0f} | {s.por_segundo:,.0f} | {r.por_segundo / s.por_segundo:.2f} | "
                f"{r.por_segundo / base1:.2f} | {r.pedidos / r.segundos:,.0f} | {r.ms_por(r.cpu_servidor):.2f} | "
                f"{r.ms_por(r.cpu_clientes):.2f} | {r.ms_por(r.cpu_banco):.2f} |"
            )
    latencias.sort()
    print(
        f"\n### long poll: commit -> receipt over {len(latencias)} items: median {statistics.median(latencias):.1f} ms, "
        f"p95 {latencias[int(0.95 * (len(latencias) - 1))]:.1f} ms, max {latencias[-1]:.1f} ms "
        f"(target median < 50 ms)"
    )
    print(
        f"idle long-polling consumer (espera_segundos=20): {idas} statements from the server's {conexoes} "
        f"connections in {janela:.0f} s ({idas / janela:.2f}/s: the requests that end each 20 s wait and the next one's)"
    )
    alvo1 = tabela.get(("ciclo", "rest", 4, 1)), tabela.get(("ciclo", "servicos", 4, 1))
    if all(alvo1):
        razao = alvo1[0].por_segundo / alvo1[1].por_segundo
        print(
            f"\nunbatched REST / services at 4 clients: {razao:.2f} (target >= 0.20): {'met' if razao >= 0.2 else 'NOT MET'}"
        )
    alvo50 = (
        tabela.get(("ciclo", "rest", 4, 50)),
        tabela.get(("ciclo", "servicos", 4, 1)),
        tabela.get(("ciclo", "servicos", 4, 50)),
    )
    if all(alvo50):
        print(
            f"batches of 50 over REST / services at 4: {alvo50[0].por_segundo / alvo50[1].por_segundo:.2f} of the "
            f"unbatched services, {alvo50[0].por_segundo / alvo50[2].por_segundo:.2f} of the services in batches of 50 "
            f"(target >= 0.80)"
        )
    print("\n### EXPLAIN (ANALYZE, BUFFERS) of the batch claim, quantidade=50 (prepared, generic plan)")
    print(explicar_lote(url))
    if not args.sem_perfil:
        print("\n### profile of the requests (in-process, same WSGI application)")
        for lote in (1, 50):
            print(perfil(url, token, lote))


if __name__ == "__main__":
    main()
