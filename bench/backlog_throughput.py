"""Throughput of MS_Backlog's claim + conclude cycle on PostgreSQL (issue 3, DESIGN §3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus .venv/bin/python bench/backlog_throughput.py

Creates and migrates a throwaway database (``prometheus_bench`` on the same server; the one in
``DATABASE_URL`` is never touched), seeds 20,000 ``Pendente`` items among 200,000 ``Concluido``
ones, and drains the queue with 1 and 4 consumer processes, twice each way:

- services: ``backlog.services.consumir`` + ``concluir``, the one door of the project;
- raw: a bare psycopg loop (no Django) doing only the single-type ``UPDATE … SKIP LOCKED``
  claim and the completing ``UPDATE``, the ceiling the services are measured against.

Every run starts from the same freshly seeded, vacuumed table. Prints cycles/s, the ratios
services/raw and the ``EXPLAIN (ANALYZE, BUFFERS)`` of the services' claim statement.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import time
from dataclasses import dataclass

import _comum

NOME_BANCO = "prometheus_bench"
TIPO = "desenvolvimento"
TIPOS_MULTI = ["desenvolvimento", "implantar", "corrigir_bug"]
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
]

# The raw ceiling: the fast claim of DESIGN §3 (single type, walks ``backlog_item_claim``) and
# the completing update, with nothing else: no event, no lease check, no Django.
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


@dataclass
class Resultado:
    modo: str
    consumidores: int
    ciclos: int
    segundos: float

    @property
    def por_segundo(self) -> float:
        return self.ciclos / self.segundos


# --- consumers (run in spawned processes) -----------------------------------------------------


def _consumidor_servicos(url: str, nome: str, tipos: list[str], largada, saida) -> None:
    _comum.configurar_django(url)
    from django.db import connection

    from backlog import services

    connection.ensure_connection()
    saida.put("pronto")
    largada.wait()
    ciclos = 0
    while True:
        item = services.consumir(tipos=tipos, consumidor=nome)
        if item is None:
            break
        services.concluir(item_id=item.pk, lease_token=item.lease_token, resultado={"ok": True})
        ciclos += 1
    connection.close()
    saida.put(ciclos)


def _consumidor_raw(url: str, nome: str, tipos: list[str], largada, saida) -> None:
    import psycopg

    ciclos = 0
    with psycopg.connect(_comum.conninfo(url), autocommit=True) as conexao:
        cursor = conexao.cursor()
        saida.put("pronto")
        largada.wait()
        while True:
            linha = cursor.execute(_RAW_RESERVAR, (nome, tipos[0])).fetchone()
            if linha is None:
                break
            cursor.execute(_RAW_CONCLUIR, linha)
            ciclos += 1
    saida.put(ciclos)


_CONSUMIDORES = {"servicos": _consumidor_servicos, "servicos_3_tipos": _consumidor_servicos, "raw": _consumidor_raw}


# --- the runs ---------------------------------------------------------------------------------


def semear(url: str) -> None:
    import psycopg

    with psycopg.connect(_comum.conninfo(url), autocommit=True) as conexao:
        parametros = {"concluidos": CONCLUIDOS, "pendentes": PENDENTES, "tipo": TIPO}
        for comando in _SEMEAR:
            conexao.execute(comando, parametros if "%(" in comando else None)
        conexao.execute("VACUUM ANALYZE backlog_item")
        conexao.execute("VACUUM ANALYZE backlog_evento")
        conexao.execute("CHECKPOINT")


def _esperar(saida, processos, esperado):
    """The consumers' next message(s); stops at once if one of them died (e.g. a bad import)."""
    recebidos = []
    faltam = len(processos) if esperado == "pronto" else 1
    while faltam:
        try:
            mensagem = saida.get(timeout=1)
        except queue.Empty:
            mortos = [p.exitcode for p in processos if p.exitcode not in (None, 0)]
            if mortos:
                raise SystemExit(f"a consumer process died (exit codes {mortos}); see its traceback above") from None
            continue
        recebidos.append(mensagem)
        faltam -= 1
    return recebidos[-1]


def rodar(url: str, modo: str, consumidores: int) -> Resultado:
    semear(url)
    contexto = mp.get_context("spawn")
    largada = contexto.Event()
    saida = contexto.Queue()
    tipos = TIPOS_MULTI if modo == "servicos_3_tipos" else [TIPO]
    processos = [
        contexto.Process(target=_CONSUMIDORES[modo], args=(url, f"bench-{modo}-{n}", tipos, largada, saida))
        for n in range(consumidores)
    ]
    for processo in processos:
        processo.start()
    _esperar(saida, processos, "pronto")
    largada.set()
    inicio = time.perf_counter()
    ciclos = sum(_esperar(saida, processos, int) for _ in processos)
    segundos = time.perf_counter() - inicio
    for processo in processos:
        processo.join(timeout=30)
        if processo.exitcode != 0:
            raise SystemExit(f"a {modo} consumer exited with {processo.exitcode}")
    if ciclos != PENDENTES:
        raise SystemExit(f"{modo} x{consumidores}: {ciclos} cycles for {PENDENTES} pending items")
    return Resultado(modo, consumidores, ciclos, segundos)


def explicar(tipos: list[str]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the services' claim statement, rolled back."""
    from django.db import connection, transaction

    from backlog import sql

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.CONSUMIR, sql.parametros_consumir(tipos, "bench-explain", 300))
        plano = "\n".join(linha for (linha,) in cursor.fetchall())
        transaction.set_rollback(True)
    return plano


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rodadas", type=int, default=2, help="runs of each mode (the best is kept)")
    parser.add_argument(
        "--commit-duravel", action="store_true",
        help="keep synchronous_commit on: every cycle then waits for two WAL flushes of this disk",
    )
    args = parser.parse_args()

    url = _comum.url_do_banco(NOME_BANCO)
    _comum.recriar_banco(url)
    if not args.commit_duravel:
        _comum.sem_espera_de_fsync(url)
    _comum.configurar_django(url)
    _comum.migrar()
    print(f"database {NOME_BANCO}: {CONCLUIDOS:,} Concluido + {PENDENTES:,} Pendente '{TIPO}' per run")

    melhores: dict[tuple[str, int], Resultado] = {}
    for rodada in range(args.rodadas):
        for modo in ("raw", "servicos", "servicos_3_tipos"):
            for consumidores in (1, 4):
                resultado = rodar(url, modo, consumidores)
                print(f"  run {rodada + 1} {modo:<17} x{consumidores}: {resultado.por_segundo:8,.0f} cycles/s "
                      f"({resultado.ciclos:,} in {resultado.segundos:.1f} s)", flush=True)
                chave = (modo, consumidores)
                if chave not in melhores or resultado.por_segundo > melhores[chave].por_segundo:
                    melhores[chave] = resultado

    print("\nbest of", args.rodadas, "runs, cycles/s (claim + conclude):")
    print(f"{'consumers':>9} | {'raw':>7} | {'services':>8} | {'ratio':>5} | {'services 3 types':>16} | {'ratio':>5}")
    for consumidores in (1, 4):
        raw = melhores[("raw", consumidores)].por_segundo
        srv = melhores[("servicos", consumidores)].por_segundo
        multi = melhores[("servicos_3_tipos", consumidores)].por_segundo
        print(f"{consumidores:>9} | {raw:7,.0f} | {srv:8,.0f} | {srv / raw:5.2f} | {multi:16,.0f} | {multi / raw:5.2f}")
    razao = melhores[("servicos", 4)].por_segundo / melhores[("raw", 4)].por_segundo
    print(f"\nservices/raw at 4 consumers: {razao:.2f} (target >= 0.50): {'OK' if razao >= 0.5 else 'BELOW TARGET'}")

    semear(url)
    for tipos in ([TIPO], TIPOS_MULTI):
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the services' claim, tipos={tipos}:")
        print(explicar(tipos))


if __name__ == "__main__":
    main()
