"""Throughput of MS_Backlog's claim + conclude cycle on PostgreSQL (issue 3; bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus .venv/bin/python bench/backlog_throughput.py

Creates and migrates a throwaway database (``prometheus_bench`` on the server of
``DATABASE_URL``, which itself is never touched), and for every run seeds it afresh: 200,000
``Concluido`` items and 20,000 ``Pendente`` ones of one type, then ``VACUUM ANALYZE``. Each run
drains those 20,000 items with 1 or 4 consumer processes:

- services: ``backlog.services.consumir`` + ``concluir``, the project's one door, with
  ``DEBUG=false`` (the cycle production runs);
- raw: a bare psycopg loop, no Django, doing only the single-type ``UPDATE … SKIP LOCKED``
  claim that walks the claim index and the completing ``UPDATE`` (no event, no lease check):
  the ceiling the services are measured against;
- services, 3 types: the same services claiming with ``tipos`` of three types (one index probe
  per type), on the same data.

Modes alternate within each round and the best of ``--rodadas`` rounds is kept, since other
work on the machine only ever slows a run down. Prints cycles/s, the ratios services/raw and
the ``EXPLAIN (ANALYZE, BUFFERS)`` of the services' statements as they run: prepared, with the
generic plan.

The database runs with ``synchronous_commit = off`` unless ``--commit-duravel``: with durable
commits every cycle waits for two WAL flushes of this shared disk (1–4 ms each, depending on
what else writes to it), and the figures measure the disk rather than the hot path.
"""

from __future__ import annotations

import argparse
import datetime
import math
import multiprocessing as mp
import os
import platform
import queue
import re
import time
from dataclasses import dataclass

import _comum

NOME_BANCO = "prometheus_bench"
TIPO = "desenvolvimento"
TIPOS_3 = ["desenvolvimento", "implantar", "corrigir_bug"]
CONCLUIDOS = 200_000
PENDENTES = 20_000

_SEMEAR = [
    "TRUNCATE backlog_evento, backlog_dependencia, backlog_item RESTART IDENTITY CASCADE",
    """
    INSERT INTO backlog_item (tipo, status, produtor, contexto, resultado, erro, spec_ref, prioridade,
                              consumidor, tentativas, max_tentativas, criado_em, consumido_em, concluido_em)
    SELECT (ARRAY['orcar_spec', 'desenvolvimento', 'implantar', 'corrigir_bug'])[1 + g %% 4], 'Concluido',
           'bench', jsonb_build_object('spec_ref', 'SPEC-' || g %% 500), '{"ok": true}'::jsonb, '',
           'SPEC-' || g %% 500, g %% 3, 'bench', 1, 3, now() - interval '1 day', now(), now()
    FROM generate_series(1, %(concluidos)s) AS g
    """,
    """
    INSERT INTO backlog_item (tipo, status, produtor, contexto, erro, spec_ref, prioridade,
                              consumidor, tentativas, max_tentativas, criado_em)
    SELECT %(tipo)s, 'Pendente', 'bench', jsonb_build_object('spec_ref', 'SPEC-' || g %% 500), '',
           'SPEC-' || g %% 500, g %% 3, '', 0, 3, now()
    FROM generate_series(1, %(pendentes)s) AS g
    """,
    "VACUUM ANALYZE backlog_item",
    "VACUUM ANALYZE backlog_evento",
    "CHECKPOINT",
]

# The raw ceiling: the fast claim of ``backlog/sql.py`` (one type, walks ``backlog_item_claim``) and
# the completing update, with nothing else. psycopg prepares both after a few executions.
_RAW_RESERVAR = """
UPDATE backlog_item
SET status = 'EmProcessamento', consumidor = %s, consumido_em = now(), tentativas = tentativas + 1,
    lease_token = gen_random_uuid(), lease_expira_em = now() + interval '300 seconds'
WHERE id = (
    SELECT id FROM backlog_item
    WHERE tipo = %s AND status = 'Pendente'
    ORDER BY prioridade DESC, id
    LIMIT 1
    FOR NO KEY UPDATE SKIP LOCKED
)
RETURNING id
"""
_RAW_CONCLUIR = """
UPDATE backlog_item
SET status = 'Concluido', resultado = '{}'::jsonb, concluido_em = now(), lease_token = NULL, lease_expira_em = NULL
WHERE id = %s
"""

MODOS = {
    "raw": "raw",
    "servicos": "services",
    "servicos_3_tipos": "services, 3 types",
}


@dataclass
class Resultado:
    modo: str
    consumidores: int
    ciclos: int
    segundos: float

    @property
    def por_segundo(self) -> float:
        return self.ciclos / self.segundos


# --- consumers, each in its own spawned process with its own connection -------------------------


def _fim(segundos: float | None) -> float:
    """When a consumer stops claiming: after ``segundos`` from the start, or when the queue is empty."""
    return time.perf_counter() + segundos if segundos is not None else math.inf


def _consumidor_servicos(
    url: str, nome: str, tipos: list[str], largada, saida, segundos: float | None = None, no: str | None = None
) -> None:
    if no is not None:
        os.environ["PROMETHEUS_NO"] = no  # the cluster node this consumer stands for
    _configurar_django(url)
    from django.db import connection

    from backlog import services

    connection.ensure_connection()
    saida.put("pronto")
    largada.wait()
    fim = _fim(segundos)
    ciclos = 0
    while time.perf_counter() < fim and (item := services.consumir(tipos=tipos, consumidor=nome)) is not None:
        services.concluir(item_id=item.pk, lease_token=item.lease_token, resultado={"ok": True})
        ciclos += 1
    connection.close()
    saida.put(ciclos)


def _consumidor_raw(
    url: str, nome: str, tipos: list[str], largada, saida, segundos: float | None = None, no: str | None = None
) -> None:
    import psycopg

    ciclos = 0
    with psycopg.connect(_comum.conninfo(url), autocommit=True) as conexao:
        cursor = conexao.cursor()
        saida.put("pronto")
        largada.wait()
        fim = _fim(segundos)
        while time.perf_counter() < fim and (linha := cursor.execute(_RAW_RESERVAR, (nome, tipos[0])).fetchone()):
            cursor.execute(_RAW_CONCLUIR, linha)
            ciclos += 1
    saida.put(ciclos)


# --- the runs -----------------------------------------------------------------------------------


def _configurar_django(url: str) -> None:
    os.environ.update({"DEBUG": "false", "SECRET_KEY": "bench-backlog-not-secret", "LOG_LEVEL": "WARNING"})
    _comum.configurar_django(url)


def semear(url: str, concluidos: int = CONCLUIDOS, pendentes: int = PENDENTES) -> None:
    import psycopg

    parametros = {"concluidos": concluidos, "pendentes": pendentes, "tipo": TIPO}
    with psycopg.connect(_comum.conninfo(url), autocommit=True) as conexao:
        for comando in _SEMEAR:
            conexao.execute(comando, parametros if "%(" in comando else None)


def _esperar(saida, processos, quantos: int) -> list:
    """The next ``quantos`` messages of the consumers; stops at once if one of them died."""
    recebidos: list = []
    while len(recebidos) < quantos:
        try:
            recebidos.append(saida.get(timeout=1))
        except queue.Empty:
            mortos = [p.exitcode for p in processos if p.exitcode not in (None, 0)]
            if mortos:
                raise SystemExit(f"a consumer process died (exit codes {mortos}); its traceback is above") from None
    return recebidos


def rodar(
    url: str,
    modo: str,
    consumidores: int,
    *,
    nos: list[str] | None = None,
    segundos: float | None = None,
    concluidos: int = CONCLUIDOS,
    pendentes: int = PENDENTES,
) -> Resultado:
    """``consumidores`` processes claim and conclude the ``pendentes`` items seeded afresh: until
    the queue is empty, or for ``segundos`` (then the queue must outlast them). With ``nos``, the
    node (``PROMETHEUS_NO``) each consumer stands for, and its name says so, as a cluster's do."""
    semear(url, concluidos, pendentes)
    contexto = mp.get_context("spawn")
    largada = contexto.Event()
    saida = contexto.Queue()
    alvo = _consumidor_raw if modo == "raw" else _consumidor_servicos
    tipos = TIPOS_3 if modo == "servicos_3_tipos" else [TIPO]
    nos_de: list[str | None] = list(nos) if nos else [None] * consumidores
    if len(nos_de) != consumidores:
        raise ValueError(f"{len(nos_de)} nodes named for {consumidores} consumers")
    processos = [
        contexto.Process(
            target=alvo,
            args=(url, f"PROMETHEUS@{no}:{n}" if no else f"bench-{modo}-{n}", tipos, largada, saida, segundos, no),
        )
        for n, no in enumerate(nos_de)
    ]
    for processo in processos:
        processo.start()
    _esperar(saida, processos, consumidores)  # connected, Django imported: only the cycles are timed
    inicio = time.perf_counter()
    largada.set()
    ciclos = sum(_esperar(saida, processos, consumidores))
    duracao = time.perf_counter() - inicio
    for processo in processos:
        processo.join(timeout=30)
    if segundos is None and ciclos != pendentes:
        raise SystemExit(f"{modo} x{consumidores}: {ciclos:,} cycles for {pendentes:,} pending items")
    if segundos is not None:
        _conferir(url, f"{modo} x{consumidores}", ciclos, pendentes)
    return Resultado(modo, consumidores, ciclos, duracao)


def _conferir(url: str, rotulo: str, ciclos: int, pendentes: int) -> None:
    """After a timed run: every claimed item concluded once, none left held, the queue not drained."""
    import psycopg

    with psycopg.connect(_comum.conninfo(url), autocommit=True) as conexao:
        concluidos, presos, restantes = conexao.execute(
            "SELECT count(*) FILTER (WHERE status = 'Concluido' AND consumidor <> 'bench'), "
            "count(*) FILTER (WHERE status = 'EmProcessamento'), count(*) FILTER (WHERE status = 'Pendente') "
            "FROM backlog_item"
        ).fetchone()
    if concluidos != ciclos or presos or restantes + ciclos != pendentes or not restantes:
        raise SystemExit(
            f"{rotulo}: {ciclos:,} cycles counted, {concluidos:,} concluded, {presos:,} held, "
            f"{restantes:,} of {pendentes:,} still pending"
        )


def _explicar(url: str, texto: str, parametros: dict) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a statement as ``backlog.sql`` runs it: prepared, generic
    plan. In a transaction that is rolled back (ANALYZE really claims the item)."""
    import psycopg
    from psycopg import sql as psql

    nomes: list[str] = []

    def posicional(encontrado: re.Match) -> str:
        if encontrado.group(1) not in nomes:
            nomes.append(encontrado.group(1))
        return f"${nomes.index(encontrado.group(1)) + 1}"

    preparado = re.sub(r"%\((\w+)\)s", posicional, texto)
    with psycopg.connect(_comum.conninfo(url)) as conexao:
        conexao.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        conexao.execute(f"PREPARE explicado AS {preparado}")
        argumentos = psql.SQL(", ").join(psql.Literal(parametros[nome]) for nome in nomes)
        linhas = conexao.execute(
            psql.SQL("EXPLAIN (ANALYZE, BUFFERS) EXECUTE explicado ({})").format(argumentos)
        ).fetchall()
        conexao.rollback()
    return "\n".join(linha for (linha,) in linhas)


def explicar(url: str) -> None:
    import psycopg

    from backlog import sql

    semear(url)
    with psycopg.connect(_comum.conninfo(url), autocommit=True) as conexao:
        # A few pending items of the other two types, so that each probe of the 3-type claim
        # finds a candidate and the best of the three is chosen.
        for tipo in TIPOS_3[1:]:
            conexao.execute(_SEMEAR[2], {"tipo": tipo, "pendentes": 100})
        conexao.execute("ANALYZE backlog_item")
    for tipos in ([TIPO], TIPOS_3):
        texto, parametros = sql.consumo(tipos, "bench-explain", 300)
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the services' claim, tipos={tipos} (prepared, generic plan):")
        print(_explicar(url, texto, parametros))

    with psycopg.connect(_comum.conninfo(url), autocommit=True) as conexao:
        conexao.execute(_RAW_RESERVAR, ("bench-explain", TIPO))
        item_id, lease = conexao.execute(
            "SELECT id, lease_token FROM backlog_item WHERE status = 'EmProcessamento'"
        ).fetchone()
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the services' conclusion (prepared, generic plan):")
    print(_explicar(url, *sql.conclusao(item_id, str(lease), {}, None)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rodadas", type=int, default=2, help="rounds of every mode; the best run of each is kept")
    parser.add_argument(
        "--commit-duravel",
        action="store_true",
        help="keep synchronous_commit on: every cycle then also waits for two WAL flushes",
    )
    args = parser.parse_args()

    url = _comum.url_do_banco(NOME_BANCO)
    _comum.recriar_banco(url)
    if not args.commit_duravel:
        _comum.sem_espera_de_fsync(url)
    _configurar_django(url)
    _comum.migrar()
    print(
        f"{datetime.date.today()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}; database {NOME_BANCO}, "
        f"synchronous_commit {'on' if args.commit_duravel else 'off'}"
    )
    print(f"each run: {CONCLUIDOS:,} Concluido + {PENDENTES:,} Pendente '{TIPO}', drained by the consumers")

    inicio = time.perf_counter()
    melhores: dict[tuple[str, int], Resultado] = {}
    for rodada in range(1, args.rodadas + 1):
        for consumidores in (1, 4):
            for modo in MODOS:
                if modo == "servicos_3_tipos" and consumidores == 1:
                    continue
                resultado = rodar(url, modo, consumidores)
                print(
                    f"  round {rodada}: {MODOS[modo]:<17} x{consumidores}: {resultado.por_segundo:7,.0f} cycles/s "
                    f"({resultado.segundos:5.1f} s, load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
                chave = (modo, consumidores)
                if chave not in melhores or resultado.por_segundo > melhores[chave].por_segundo:
                    melhores[chave] = resultado

    def taxa(modo: str, consumidores: int) -> float:
        return melhores[(modo, consumidores)].por_segundo

    print(f"\nbest of {args.rodadas} rounds, claim + conclude cycles/s ({time.perf_counter() - inicio:.0f} s of runs):")
    print("| consumers | raw | services | services / raw | services, 3 types | 3 types / raw |")
    print("|---:|---:|---:|---:|---:|---:|")
    for consumidores in (1, 4):
        raw, srv = taxa("raw", consumidores), taxa("servicos", consumidores)
        multi = (
            f"{taxa('servicos_3_tipos', 4):,.0f} | {taxa('servicos_3_tipos', 4) / raw:.2f}"
            if consumidores == 4
            else "— | —"
        )
        print(f"| {consumidores} | {raw:,.0f} | {srv:,.0f} | {srv / raw:.2f} | {multi} |")
    razao = taxa("servicos", 4) / taxa("raw", 4)
    print(f"\nservices / raw at 4 consumers: {razao:.2f} (target >= 0.50): {'met' if razao >= 0.5 else 'NOT MET'}")

    explicar(url)


if __name__ == "__main__":
    main()
