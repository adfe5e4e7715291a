"""Benchmark of ``fabrica.precificacao.cobertura`` (pairwise) against the literature and allpairspy.

Run from the repository root::

    .venv/bin/python bench/pairwise.py [--timeout 60] [--repeticoes 3] [--semente 0] [--sem-allpairspy]

For each classic configuration (``v^k`` = ``k`` parameters with ``v`` values each) it prints,
as a Markdown table: our size and seconds (median wall-clock and CPU time of ``--repeticoes``
runs of ``gerar_casos``), whether our array covers every pair (checked independently with
the tests' oracle, ``tests/fabrica/oraculo_cobertura.pares_descobertos``), the best size known
in the literature, the target size, PICT's published size, and allpairspy's size and seconds, run in a subprocess with a time budget
(``timeout`` when it runs out). Exit status 1 if any of our arrays misses a pair or is over
its target.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fabrica.precificacao.cobertura import gerar_casos  # noqa: E402
from tests.fabrica.oraculo_cobertura import pares_descobertos  # noqa: E402

# (notation, [(values, parameters)], best known, target, PICT's published size or None)
CONFIGURACOES = [
    ("3^4", [(3, 4)], 9, 9, 9),
    ("3^13", [(3, 13)], 15, 17, 18),
    ("4^15", [(4, 15)], 26, 30, None),
    ("5^20", [(5, 20)], 40, 50, None),
    ("10^20", [(10, 20)], 155, 200, 210),
    ("2^100", [(2, 100)], 10, 12, 15),
    ("5^1 3^8 2^2", [(5, 1), (3, 8), (2, 2)], 15, 16, None),
    ("4^15 3^17 2^29", [(4, 15), (3, 17), (2, 29)], 28, 33, 37),
    ("4^1 3^39 2^35", [(4, 1), (3, 39), (2, 35)], 20, 24, 27),
]

_ALLPAIRSPY = """
import json, sys, time
from allpairspy import AllPairs
parametros = json.loads(sys.argv[1])
inicio = time.perf_counter()
linhas = [list(linha) for linha in AllPairs(parametros)]
print(json.dumps({"segundos": time.perf_counter() - inicio, "linhas": linhas}))
"""


def parametros_de(especificacao) -> dict[str, list[int]]:
    parametros, i = {}, 0
    for valores, quantos in especificacao:
        for _ in range(quantos):
            parametros[f"p{i}"] = list(range(valores))
            i += 1
    return parametros


def rodar_nosso(parametros, repeticoes: int, semente: int) -> tuple[list[dict], float, float]:
    """Cases plus median wall-clock and CPU seconds (CPU time shows the cost on a busy machine)."""
    paredes, cpus, casos = [], [], None
    for _ in range(repeticoes):
        inicio, inicio_cpu = time.perf_counter(), time.process_time()
        casos = gerar_casos(parametros, semente=semente)
        paredes.append(time.perf_counter() - inicio)
        cpus.append(time.process_time() - inicio_cpu)
    return casos, statistics.median(paredes), statistics.median(cpus)


def rodar_allpairspy(parametros, timeout: float) -> tuple[str, str, str]:
    """(size, seconds, coverage) of allpairspy, or ``timeout`` / ``erro``."""
    try:
        saida = subprocess.run(
            [sys.executable, "-c", _ALLPAIRSPY, json.dumps(list(parametros.values()))],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return "timeout", f">{timeout:g}", "-"
    except subprocess.CalledProcessError as erro:
        return "erro", "-", (erro.stderr.strip().splitlines() or ["?"])[-1]
    resultado = json.loads(saida.stdout)
    casos = [dict(zip(parametros, linha, strict=True)) for linha in resultado["linhas"]]
    cobertura = "ok" if not pares_descobertos(parametros, casos) else "FAIL"
    return str(len(casos)), f"{resultado['segundos']:.2f}", cobertura


def main() -> int:
    argumentos = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argumentos.add_argument("--timeout", type=float, default=60.0, help="seconds allowed to allpairspy per row")
    argumentos.add_argument("--repeticoes", type=int, default=3, help="runs of ours per row (median time)")
    argumentos.add_argument("--semente", type=int, default=0)
    argumentos.add_argument("--sem-allpairspy", action="store_true")
    opcoes = argumentos.parse_args()

    print(
        f"# pairwise bench - {datetime.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} ({platform.machine()}), semente={opcoes.semente}, "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )
    print()
    print(
        "| config | ours | best known | target | PICT (published) | beats PICT | ours s | ours cpu s | our coverage "
        "| allpairspy | allpairspy s | allpairspy coverage |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|---|---:|---:|---|")
    problemas = 0
    for nome, especificacao, melhor, alvo, pict in CONFIGURACOES:
        parametros = parametros_de(especificacao)
        casos, segundos, segundos_cpu = rodar_nosso(parametros, opcoes.repeticoes, opcoes.semente)
        cobre = not pares_descobertos(parametros, casos)
        tamanho = len(casos)
        if not cobre or tamanho > alvo:
            problemas += 1
        if pict is None:
            vence = "n/p"
        elif tamanho < pict:
            vence = "yes"
        else:
            vence = "tie" if tamanho == pict else "no"
        if opcoes.sem_allpairspy:
            ap = ("-", "-", "-")
        else:
            ap = rodar_allpairspy(parametros, opcoes.timeout)
        marca = "" if tamanho <= alvo else " OVER TARGET"
        print(
            f"| {nome} | {tamanho}{marca} | {melhor} | {alvo} | {pict if pict is not None else 'n/p'} | {vence} "
            f"| {segundos:.3f} | {segundos_cpu:.3f} | {'ok' if cobre else 'FAIL'} | {ap[0]} | {ap[1]} | {ap[2]} |",
            flush=True,
        )
    return 1 if problemas else 0


if __name__ == "__main__":
    raise SystemExit(main())
