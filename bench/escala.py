"""Builds spread over cluster nodes as internal items (issue 20; bench/README.md, "escala").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus .venv/bin/python bench/escala.py \
        [--lote 20] [--partes abc] [--segundos-c 3] [--rodadas 3]

Creates and migrates a throwaway database (``prometheus_bench_escala`` on the server of
``DATABASE_URL``, never that database itself), imports a five-vertente spec (spec_002's E and D,
spec_003's P, spec_004's I, spec_005's C, one ``schema_tdd``), prices and approves it, then:

(a) the build time of that spec, in one run:
    - in-process sequential: ``ciclo.desenvolver`` in this process, the vertentes one after the
      other (the path before issue 20: one task built them all), with no node at all (no
      dispatch, claims, progress rows nor release rows): the strictest baseline;
    - one node of 1 worker: a ``desenvolvimento`` item built by one ``manage.py cluster`` with
      one worker, its vertente items one after the other: the issue's baseline ("on one node
      with vertentes in sequence"), the same path and overheads as the parallel ways;
    - one node of 2 workers: its vertentes as internal items, two at a time;
    - two nodes of 2 workers each (own PROMETHEUS_NO, VAR_DIR, uids): 4 workers on this
      machine's 2 cores (oversubscribed: 3 or 4 sandbox runs share 2 cores);
    - two nodes of 1 worker each, the 2 cores shared by both;
    - two nodes of 1 worker each, node i on core i only (``taskset``, inherited by its workers
      and sandbox runs), as two one-core machines would be (PostgreSQL and this process are
      not pinned: the database server of several nodes is a machine of its own);
    each from the item's production to its release, the clusters started and idle before; in
    ``--rodadas`` rounds of all of them (each ratio against its own round's baselines: the load
    of a shared machine drifts), the median ratios reported. ``--linha-do-tempo`` prints each
    build's items (claimed-concluded, node and process) and the CPU seconds it took by kind of
    process (the workers' own, their sandbox runs, PostgreSQL, this process, the rest).
(b) builds per minute of a batch of ``--lote`` desenvolvimento items of the same spec (from the
    batch's production to its last release) on one and on two clusters of 2 workers, the 2 cores
    shared; then on one cluster of 1 worker on core 0 against two of 1 worker on a core each
    (``taskset``): one one-core machine against two.
(c) claim+conclude cycles per second of the backlog's own door (``services.consumir`` +
    ``concluir``, ``DEBUG=false``) with 1, 2, 4 and 8 consumer processes named as the nodes of one
    cluster (``PROMETHEUS@no-1:k``) or spread evenly over two (``no-1``, ``no-2``, each process with
    its ``PROMETHEUS_NO``), against the raw claim (the bare ``UPDATE … SKIP LOCKED`` claim and its
    completing update, no Django) with as many consumers, in the same run; each point
    ``--segundos-c`` long on a queue seeded afresh (``bench/backlog_throughput.py``'s seeding,
    consumers and checks: every claimed item concluded once, none left held, the queue not drained).
    It truncates the backlog, so it runs last.

Ratios of (a) are against the baselines measured in the same round, those of (c) against the
raw claim. The machine's cores bound everything: a node is a process group here, not a
machine, so two nodes share the same 2 cores.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import _comum
import backlog_throughput

NOME_BANCO = "prometheus_bench_escala"
EXEMPLOS = _comum.RAIZ / "examples" / "specs-repo" / "specs"


def spec_de_cinco_vertentes() -> dict:
    import yaml

    base = yaml.safe_load((EXEMPLOS / "spec_002.yaml").read_text(encoding="utf-8"))
    for nome, secao in (("spec_003", "spec_bpmn"), ("spec_004", "spec_interface"), ("spec_005", "spec_integracao")):
        base[secao] = yaml.safe_load((EXEMPLOS / f"{nome}.yaml").read_text(encoding="utf-8"))[secao]
    base["id"], base["vertentes"] = "spec_cinco", ["E", "P", "D", "I", "C"]
    base["depende_de"] = []
    base["runtime"]["apis_externas"] = ["viacep_api"]
    for conector in base["spec_integracao"]["conectores"]:
        conector.pop("cenarios", None)  # they name spec_005's parameters, not this schema_tdd's
    return base


def preparar():
    """The spec imported, priced and approved; returns its budget."""
    import yaml
    from django.contrib.auth.models import Group, User

    from fabrica.consumidor import processar_proximo
    from fabrica.decisoes.services import orcamento_aprovar
    from fabrica.models import Capacidade, Orcamento
    from fabrica.specs.services import spec_importar

    spec = spec_de_cinco_vertentes()
    spec_importar(texto=yaml.safe_dump(spec, allow_unicode=True), origem="api", commit="", caminho="")
    Capacidade.objects.get_or_create(tipo="container", nome="postgres")
    Capacidade.objects.get_or_create(tipo="api_externa", nome="viacep_api")
    from backlog import services as backlog

    backlog.produzir(tipo="orcar_spec", produtor="bench", contexto={"spec_ref": "spec_cinco"})
    processar_proximo(["orcar_spec"])
    orcamento = Orcamento.objects.get(spec_ref="spec_cinco")
    po = User.objects.create_user("po-bench", password="x")  # noqa: S106 - a throwaway database
    po.groups.add(Group.objects.get(name="PO"))
    orcamento_aprovar(orcamento_id=orcamento.pk, por=po)
    # The approval's own desenvolvimento would be built by the first cluster alongside the one
    # measured: each measurement produces its own items instead.
    from backlog.models import Item

    for item in Item.objects.filter(tipo="desenvolvimento"):
        backlog.cancelar(item_id=item.pk, ator="bench")
    return orcamento


def sequencial(orcamento) -> float:
    from django.conf import settings

    from fabrica.desenvolvimento import ciclo
    from fabrica.desenvolvimento.casos import casos_do_orcamento
    from fabrica.desenvolvimento.pacote import nome_do_pacote
    from fabrica.desenvolvimento.services import opcoes_de_construcao

    spec = orcamento.spec
    casos = casos_do_orcamento(spec.conteudo.get("schema_tdd") or {}, orcamento.casos_teste)
    opcoes = opcoes_de_construcao(pacote=nome_do_pacote(spec.spec_id), versao="1")
    assert settings.PROMETHEUS_SANDBOX
    marcas: list[tuple[str, float]] = []

    def progresso(vertente: str, estado: str, tentativa: int, mensagem: str) -> None:
        if estado == "concluida":
            marcas.append((vertente, time.perf_counter()))

    antes = cpu_por_processo() if LINHA_DO_TEMPO else None
    inicio = time.perf_counter()
    ciclo.desenvolver(spec=spec.conteudo, casos=casos, opcoes=opcoes, progresso=progresso)
    fim = time.perf_counter() - inicio
    if antes is not None:
        print("      cpu: " + gasto_de_cpu(antes, cpu_por_processo()))
        anterior, partes = inicio, []
        for vertente, em in marcas:
            partes.append(f"{vertente} {em - anterior:.2f}")
            anterior = em
        soma = marcas[-1][1] - inicio if marcas else 0.0
        print(f"      sequential: {', '.join(partes)} (vertentes {soma:.2f} s, then the assembly {fim - soma:.2f} s)")
    return fim


class Cluster:
    def __init__(self, nome: str, uid: int, pasta: Path, url: str, workers: int = 2, cpus: str | None = None) -> None:
        self.log = (pasta / f"{nome}.log").open("w+")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PROMETHEUS_NO": nome,
            "PROMETHEUS_VAR_DIR": str(pasta / nome),
            "PROMETHEUS_Q_WORKERS": str(workers),
            "PROMETHEUS_SANDBOX_UID": str(uid),
            "PYTHONUNBUFFERED": "1",
        }
        # ``cpus``: the node and everything it starts (workers, sandbox runs) on those CPUs only
        # (taskset), as on a machine of its own with that many cores.
        fixar = ["taskset", "--cpu-list", cpus] if cpus else []
        self.processo = subprocess.Popen(
            [*fixar, sys.executable, str(_comum.RAIZ / "manage.py"), "cluster"],
            cwd=_comum.RAIZ,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def pronto(self, prazo: float = 120) -> None:
        limite = time.monotonic() + prazo
        while True:
            self.log.flush()
            self.log.seek(0)
            if "running." in self.log.read():
                return
            if time.monotonic() > limite or self.processo.poll() is not None:
                raise SystemExit(f"the cluster did not start:\n{self.log.read()[-2000:]}")
            time.sleep(0.2)

    def parar(self) -> None:
        sys.path.insert(0, str(_comum.RAIZ))
        from tests.processos import parar_com_grupo

        parar_com_grupo(self.processo)
        self.log.close()


def construir_lote(orcamento, n: int, prazo: float = 3600) -> float:
    """Produces ``n`` desenvolvimento items of the approved budget and waits for their releases."""
    import psycopg

    from backlog import espera
    from backlog import services as backlog
    from fabrica import contratos
    from fabrica.models import Release
    from prometheus_site.consultas import parametros_de_escuta

    # Woken by the backlog's NOTIFY (a release commits with its aprovar_release item, which is
    # announced), not polling: each read of the bench is CPU taken from the builds it measures
    # (every 20 ms before: 0.1-0.3 s of a build's 2 cores), and a release is seen at its commit.
    with psycopg.connect(**parametros_de_escuta("default", "bench-escala")) as escuta:
        escuta.execute(f"LISTEN {espera.CANAL}")
        antes = cpu_por_processo() if n == 1 and LINHA_DO_TEMPO else None
        inicio = time.perf_counter()
        itens = backlog.produzir_varios(
            [
                contratos.item_desenvolvimento(spec_ref=orcamento.spec_ref, spec_recursos={"id": orcamento.pk})
                for _ in range(n)
            ],
            ator="bench",
        )
        ids = [i.pk for i in itens]
        limite = time.monotonic() + prazo
        while Release.objects.filter(item_origem__in=ids).count() < n:
            if time.monotonic() > limite:
                raise SystemExit("the batch did not finish in time")
            for aviso in escuta.notifies(timeout=1.0):
                if aviso.payload == contratos.TipoItem.APROVAR_RELEASE:
                    break
        fim = time.perf_counter() - inicio
    if antes is not None:
        linha_do_tempo(ids[0])
        print("      cpu: " + gasto_de_cpu(antes, cpu_por_processo()))
    return fim


def cpu_por_processo() -> dict[int, tuple[str, float, float]]:
    """Every process's (kind, own CPU s, reaped children's CPU s) from /proc: a worker's sandbox
    runs are its reaped children (the sequential build's are the bench's). Kinds: postgres, cluster (manage.py cluster), bench, other."""
    tique = os.sysconf("SC_CLK_TCK")
    processos = {}
    for pasta in Path("/proc").iterdir():
        if not pasta.name.isdigit():
            continue
        try:
            campos = (pasta / "stat").read_text().rsplit(")", 1)[1].split()
            linha = (pasta / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        proprio = (int(campos[11]) + int(campos[12])) / tique
        filhos = (int(campos[13]) + int(campos[14])) / tique
        if int(pasta.name) == os.getpid():
            tipo = "bench"
        elif linha.startswith("postgres"):
            tipo = "postgres"
        elif "manage.py cluster" in linha:
            tipo = "cluster"
        else:
            tipo = "other"
        processos[int(pasta.name)] = (tipo, proprio, filhos)
    return processos


def gasto_de_cpu(antes: dict[int, tuple[str, float, float]], depois: dict[int, tuple[str, float, float]]) -> str:
    """CPU seconds spent between two snapshots, by kind; a cluster's reaped children (the sandbox
    runs) apart. Processes that came and went in between are not seen."""
    soma: dict[str, float] = {}
    for pid, (tipo, proprio, filhos) in depois.items():
        _, proprio_antes, filhos_antes = antes.get(pid, (tipo, 0.0, 0.0))
        soma[tipo] = soma.get(tipo, 0.0) + proprio - proprio_antes
        if tipo in ("cluster", "bench"):
            soma["sandbox"] = soma.get("sandbox", 0.0) + filhos - filhos_antes
    return ", ".join(f"{k} {v:.2f} s" for k, v in sorted(soma.items(), key=lambda kv: -kv[1]))


LINHA_DO_TEMPO = False


def linha_do_tempo(origem_id: int) -> None:
    """Where one build's time went, from its items' own timestamps (seconds after the
    desenvolvimento's production): each item's claim and conclusion, its node and process."""
    from backlog.models import Item
    from fabrica.models import Release

    origem = Item.objects.get(pk=origem_id)
    t0 = origem.criado_em
    itens = [origem, *Item.objects.filter(produzido_por_id=origem_id).exclude(tipo="aprovar_release").order_by("id")]
    partes = []
    for i in itens:
        rotulo = i.contexto.get("vertente") or {"desenvolvimento": "split", "montar_release": "asm"}.get(i.tipo, i.tipo)
        claim = (i.consumido_em - t0).total_seconds() if i.consumido_em else float("nan")
        fim = (i.concluido_em - t0).total_seconds() if i.concluido_em else float("nan")
        quem = i.consumidor.rsplit("@", 1)[-1]
        partes.append((claim, f"{rotulo} {claim:.2f}-{fim:.2f} {quem}"))
    release = Release.objects.get(item_origem_id=origem_id)
    partes.sort()
    vertentes = [i for i in itens if i.contexto.get("vertente") and i.consumido_em and i.concluido_em]
    soma = sum((i.concluido_em - i.consumido_em).total_seconds() for i in vertentes)
    print(
        "      timeline: "
        + "; ".join(p for _, p in partes)
        + f"; release {(release.criado_em - t0).total_seconds():.2f} (vertentes {soma:.2f} s of worker time)"
    )


def com_clusters(quantos: int, url: str, pasta: Path, medir, workers: int = 2, fixados: bool = False):
    """``medir()`` with ``quantos`` clusters of ``workers`` running; ``fixados``: node i on CPU i."""
    clusters = [
        Cluster(f"no-{i}", 61400 + 32 * i, pasta, url, workers, cpus=str(i) if fixados else None)
        for i in range(quantos)
    ]
    try:
        for c in clusters:
            c.pronto()
        return medir()
    finally:
        for c in clusters:
            c.parar()


CONSUMIDORES_C = (1, 2, 4, 8)
# (c)'s queue: some history, and more pending items than 8 raw consumers claim in a few seconds.
CONCLUIDOS_C, PENDENTES_C = 20_000, 60_000


def ciclos_por_no(url: str, segundos: float) -> None:
    """(c): services' cycles/s over one and two clusters against the raw claim, point by point."""
    _comum.sem_espera_de_fsync(url)
    print(
        f"(c) claim+conclude, {segundos:g} s a point on {PENDENTES_C:,} pending items "
        f"(+{CONCLUIDOS_C:,} concluded), synchronous_commit off"
    )
    medidas: dict[tuple[str, int], float] = {}
    for n in CONSUMIDORES_C:
        pontos = [("raw", None), ("1 cluster", ["no-1"] * n)]
        if n > 1:
            pontos.append(("2 clusters", [f"no-{1 + k % 2}" for k in range(n)]))
        for rotulo, nos in pontos:
            r = backlog_throughput.rodar(
                url,
                "raw" if nos is None else "servicos",
                n,
                nos=nos,
                segundos=segundos,
                concluidos=CONCLUIDOS_C,
                pendentes=PENDENTES_C,
            )
            medidas[(rotulo, n)] = r.por_segundo
            print(
                f"    {rotulo:<10} x{n}: {r.por_segundo:7,.0f} cycles/s ({r.ciclos:,} in {r.segundos:.1f} s, "
                f"load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    print("| consumers | raw claim | 1 cluster | 1 cluster / raw | 2 clusters | 2 clusters / raw |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in CONSUMIDORES_C:
        raw, um = medidas[("raw", n)], medidas[("1 cluster", n)]
        dois = medidas.get(("2 clusters", n))
        coluna_dois = f"{dois:,.0f} | {dois / raw:.2f}" if dois else "— | —"
        print(f"| {n} | {raw:,.0f} | {um:,.0f} | {um / raw:.2f} | {coluna_dois} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lote", type=int, default=20, help="desenvolvimento items of the batch of (b)")
    parser.add_argument("--sem-lote", action="store_true", help="without (b)")
    parser.add_argument("--partes", default="abc", help="which parts to run, e.g. 'c' alone (default: abc)")
    parser.add_argument("--segundos-c", type=float, default=3, help="length of each point of (c)")
    parser.add_argument("--rodadas", type=int, default=3, help="rounds of (a), each measuring the three ways")
    parser.add_argument(
        "--linha-do-tempo", action="store_true", help="(a): each build's items, claimed-concluded, node and process"
    )
    args = parser.parse_args()
    global LINHA_DO_TEMPO  # noqa: PLW0603 - a bench's switch
    LINHA_DO_TEMPO = args.linha_do_tempo
    partes = set(args.partes) - ({"b"} if args.sem_lote else set())
    if not partes or not partes <= set("abc"):
        parser.error("--partes: one or more of a, b, c")

    url = _comum.url_do_banco(NOME_BANCO)
    _comum.recriar_banco(url)
    _comum.configurar_django(url)
    _comum.migrar()
    print(
        f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if partes & {"a", "b"}:
        construir(preparar(), partes, args.lote, url, args.rodadas)
    if "c" in partes:
        ciclos_por_no(url, args.segundos_c)


@dataclass(frozen=True)
class Forma:
    """One way of (a): ``nos`` clusters of ``workers`` each; ``fixados``: node i on CPU i only."""

    nos: int
    workers: int
    fixados: bool = False

    def __str__(self) -> str:
        rotulo = (
            f"{self.nos} node{'s' if self.nos > 1 else ''} x {self.workers} worker{'s' if self.workers > 1 else ''}"
        )
        return rotulo + ((", a core each" if self.nos > 1 else ", on one core") if self.fixados else "")


# (a)'s ways. The first builds the vertente items one after the other on one node: the issue's
# baseline ("on one node with vertentes in sequence"), with the same path and overheads as the
# parallel ways. The others: one node of 2 workers; two of 2 (4 workers on the 2 cores); two of 1
# (the cores shared by the nodes); two of 1 with node i on core i (taskset), as two one-core
# machines would be.
EM_SEQUENCIA = Forma(1, 1)
FORMAS_A = (EM_SEQUENCIA, Forma(1, 2), Forma(2, 2), Forma(2, 1), Forma(2, 1, fixados=True))
# (b)'s: one node and two of 2 workers sharing the 2 cores; then one node of 1 worker on core 0
# against two of 1 worker on a core each: what adding a one-core machine to one buys.
FORMAS_B = (Forma(1, 2), Forma(2, 2), Forma(1, 1, fixados=True), Forma(2, 1, fixados=True))


def construir(orcamento, partes: set[str], lote: int, url: str, rodadas: int) -> None:
    """(a) in ``rodadas`` rounds, each measuring every way one after the other, so a change of the
    machine's load (other sessions) weighs on all alike; then (b)."""
    from fabrica.tasks import aquecer

    # As a cluster's workers are (manage.py cluster): the sequential path starts warm too, its
    # loaded objects out of the collector's sight.
    aquecer()
    gc.freeze()
    print(f"spec_cinco: {len(orcamento.casos_teste)} covering-array rows, vertentes E P D I C")
    with tempfile.TemporaryDirectory(prefix="bench-escala-") as tmp:
        pasta = Path(tmp)
        if "a" in partes:
            razoes: dict[Forma, list[tuple[float, float]]] = {forma: [] for forma in FORMAS_A}
            for rodada in range(1, rodadas + 1):
                carga = os.getloadavg()[0]
                seq = sequencial(orcamento)
                tempos = {}
                for forma in FORMAS_A:
                    tempos[forma] = com_clusters(
                        forma.nos, url, pasta, lambda: construir_lote(orcamento, 1), forma.workers, forma.fixados
                    )
                linha = [f"(a) round {rodada}: in-process sequential {seq:4.1f} s"]
                for forma, t in tempos.items():
                    razoes[forma].append((t / seq, t / tempos[EM_SEQUENCIA]))
                    linha.append(f"{forma} {t:4.1f} s ({t / seq:.2f}x, {t / tempos[EM_SEQUENCIA]:.2f}x)")
                print("; ".join(linha) + f"; load {carga:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)
            print(
                "(a) median over the rounds, each way's time / the in-process sequential build's and / "
                f"{EM_SEQUENCIA}'s (vertentes in sequence on one node) of its round:"
            )
            for forma, r in razoes.items():
                print(
                    f"    {str(forma):<32} {statistics.median(x for x, _ in r):.2f}x  "
                    f"{statistics.median(y for _, y in r):.2f}x   (rounds: {', '.join(f'{x:.2f}/{y:.2f}' for x, y in r)})"
                )
        if "b" in partes:
            por_minuto = {}
            for forma in FORMAS_B:
                carga = os.getloadavg()[0]
                t = com_clusters(
                    forma.nos, url, pasta, lambda: construir_lote(orcamento, lote), forma.workers, forma.fixados
                )
                por_minuto[forma] = 60 * lote / t
                print(
                    f"(b) {lote} builds, {forma}: {t:7.1f} s, {por_minuto[forma]:5.2f} builds/min; "
                    f"load {carga:.1f} -> {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            um, dois = por_minuto[FORMAS_B[2]], por_minuto[FORMAS_B[3]]
            print(f"(b) a second one-core node: {dois / um:.2f}x the builds per minute of one")


if __name__ == "__main__":
    main()
