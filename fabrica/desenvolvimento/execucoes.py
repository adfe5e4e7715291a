"""Each vertente's execution as numbers (``ExecucaoVertente``), written with its release: what the
worker metrics (docs/arquitetura.md, "Metrics") aggregate in the database instead of reading the
release's JSON.

``linhas`` is pure (dicts in, dicts out): the service below, the migration that filled the rows
of the releases made before the table existed, and bench/metrics.py build the rows with it, so
the three cannot disagree on what a number means.
"""

from __future__ import annotations

from typing import Any

from fabrica.models import ExecucaoVertente, Release

# A test status that counts as passing (as fabrica.desenvolvimento.sandbox.APROVADOS; kept here
# so the migration that imports this module does not import the sandbox).
APROVADOS = frozenset({"passou", "pulou"})


def _segundos(valor: Any) -> float | None:
    return float(valor) if isinstance(valor, int | float) and not isinstance(valor, bool) else None


def linhas(
    recursos: dict[str, Any], tentativas: list[dict[str, Any]], testes: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One dict of ``ExecucaoVertente`` fields per vertente of ``recursos`` (release fields left
    out): stage seconds as recorded, the vertente's correction attempts (the rounds that changed
    something: one recorded with ``alterou: false`` had nothing to try, issue 17), whether its tests passed
    in the end (no worker error, at least one test, none failing) and at the first run (passed
    with no correction attempt), and its sandbox runs' CPU summed and memory peak."""
    por_vertente: dict[str, int] = {}
    for tentativa in tentativas or []:
        if isinstance(tentativa, dict) and tentativa.get("vertente") and tentativa.get("alterou", True):
            por_vertente[tentativa["vertente"]] = por_vertente.get(tentativa["vertente"], 0) + 1
    status: dict[str, list[str]] = {}
    for teste in testes or []:
        if isinstance(teste, dict) and teste.get("vertente"):
            status.setdefault(teste["vertente"], []).append(str(teste.get("status", "")))
    resultado = []
    for vertente, dados in sorted((recursos or {}).items()):
        if not isinstance(dados, dict):
            continue
        execucoes = [e for e in dados.get("execucoes") or [] if isinstance(e, dict)]
        cpus = [c for c in (_segundos(e.get("cpu_s")) for e in execucoes) if c is not None]
        memorias = [int(m) for m in (_segundos(e.get("memoria_max_bytes")) for e in execucoes) if m is not None]
        da_vertente = status.get(vertente, [])
        passou = not dados.get("erro") and bool(da_vertente) and all(s in APROVADOS for s in da_vertente)
        n_tentativas = por_vertente.get(vertente, 0)
        resultado.append(
            {
                "vertente": vertente,
                "worker": str(dados.get("worker") or "")[:100],
                "gerar_s": _segundos(dados.get("gerar_s")),
                "testar_s": _segundos(dados.get("testar_s")),
                "corrigir_s": _segundos(dados.get("corrigir_s")),
                "total_s": _segundos(dados.get("total_s")),
                "tentativas_correcao": n_tentativas,
                "passou": passou,
                "passou_primeira": passou and n_tentativas == 0,
                "execucoes_sandbox": len(execucoes),
                "sandbox_cpu_s": sum(cpus) if cpus else None,
                "sandbox_memoria_max_bytes": max(memorias) if memorias else None,
            }
        )
    return resultado


def execucoes_registrar(*, release: Release) -> list[ExecucaoVertente]:
    """Writes the release's ``ExecucaoVertente`` rows from its ``recursos``, ``tentativas`` and
    ``testes``, replacing any it had: call it in the transaction that records the release (and
    again if those facts are rewritten), so the metrics never see a release without its rows."""
    ExecucaoVertente.objects.filter(release=release).delete()
    return ExecucaoVertente.objects.bulk_create(
        ExecucaoVertente(release=release, spec_ref=release.spec_ref, criado_em=release.criado_em, **campos)
        for campos in linhas(release.recursos, release.tentativas, release.testes)
    )
