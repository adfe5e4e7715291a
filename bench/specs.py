"""What bounding a spec's validation costs (issue 16, item 6), against the unbounded baseline in
the same run:

- each sample spec validated in the process (``carregar_spec``, the baseline) and inside the
  ceiling (``carregar_spec_limitada``: a forked child with a memory limit and a deadline);
- the hostile pattern ``(a+)+$`` against ``"a" * n + "!"``, with Python's ``re`` (the baseline,
  what validation used before) and with ``fabrica.specs.padroes`` (RE2).

No database: Django is set up only so the process has the size of a web worker when it forks.

    .venv/bin/python bench/specs.py [--repeticoes 15]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).absolute().parent.parent
if str(RAIZ) not in sys.path:
    sys.path.insert(0, str(RAIZ))


def _mediana(funcao, repeticoes: int) -> float:
    tempos = []
    for _ in range(repeticoes):
        inicio = time.perf_counter()
        funcao()
        tempos.append(time.perf_counter() - inicio)
    return statistics.median(tempos)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeticoes", type=int, default=15)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prometheus_site.settings")
    import django

    django.setup()
    from fabrica.specs import padroes
    from fabrica.specs.formato import carregar_spec
    from fabrica.specs.limite import carregar_spec_limitada

    print("| spec | bytes | in process ms | bounded ms | ratio |")
    print("|---|---:|---:|---:|---:|")
    for caminho in sorted((RAIZ / "examples" / "specs-repo" / "specs").glob("*.yaml")):
        texto = caminho.read_text(encoding="utf-8")
        base = _mediana(lambda t=texto: carregar_spec(t), args.repeticoes)
        limitado = _mediana(lambda t=texto: carregar_spec_limitada(t), args.repeticoes)
        print(f"| {caminho.stem} | {len(texto)} | {base * 1000:.1f} | {limitado * 1000:.1f} | {limitado / base:.2f} |")

    print()
    print("| n | re ms | RE2 ms | ratio re/RE2 |")
    print("|---:|---:|---:|---:|")
    for n in (16, 18, 20, 22, 1999):
        texto = "a" * n + "!"
        rapido = _mediana(lambda t=texto: padroes.casa_inteiro("(a+)+$", t), 3)
        if n <= 22:
            lento = _mediana(lambda t=texto: re.fullmatch("(a+)+$", t), 1)
            print(f"| {n} | {lento * 1000:.1f} | {rapido * 1000:.3f} | {lento / rapido:.0f} |")
        else:
            print(f"| {n} | (not run: about 2^{n} steps) | {rapido * 1000:.3f} | — |")


if __name__ == "__main__":
    main()
