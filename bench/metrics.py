"""Time and query count of the metrics page, ``/api/metricas/`` and ``/metrics`` (issue 18) with a
large history, against a small one measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus .venv/bin/python bench/metrics.py
    .venv/bin/python bench/metrics.py            # SQLite, in a temporary file

On PostgreSQL it creates and migrates throwaway databases (``prometheus_bench_metricas_<size>_temp``
on the server of ``DATABASE_URL``, which itself is never touched); otherwise temporary SQLite files.
With ``--manter`` the databases are kept under other names (below) and reused.

The history is written directly as rows (``bulk_create``), as the services would have left them,
spread over the last year: per release, its budget (half with real hours, three in ten blocked by
gaps and unblocked later) and its items (``orcar_spec``, ``aprovar_orcamento``,
``desenvolvimento``, ``aprovar_release``) with an event each; one in ten rejected, with its
``corrigir_bug``; deployments to two environments (one in ten failed, one in ten refused and
rolled back); filler items of other types up to the item count. The baseline is a tenth of it.

Each address is requested by an admin (the page also shows the backlog now) with Django's test
``Client``: warm-up, then the median and p95 of ``--repeticoes`` requests, the median of the
process's CPU time per request (``time.process_time``: on SQLite the database's work included; on
PostgreSQL not the server's) and of the time in the database, and the number of queries of one
request. ``/metricas/`` and ``/api/metricas/`` are measured for the default period
(the last 12 weeks) and for the whole year. DEBUG=false (no query log).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import _comum

NOME_BANCO = "prometheus_bench_metricas"
PASTA_SQLITE = _comum.RAIZ / "var" / "bench"
LOTE = 5_000


def _e_postgres(url: str) -> bool:
    return url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}


def url_da_fase(fase: str, manter: bool) -> str:
    """Where a size is seeded: ``prometheus_bench_metricas_<fase>`` on the server of
    ``DATABASE_URL``, or an SQLite file under ``var/bench/``, with ``--manter`` (kept for the next
    run); otherwise ``prometheus_bench_metricas_<fase>_temp`` or a file in a temporary directory,
    dropped at the end — never the kept ones (a run of other sizes would reseed them)."""
    if _e_postgres(os.environ.get("DATABASE_URL", "")):
        return _comum.url_do_banco(f"{NOME_BANCO}_{fase}" if manter else f"{NOME_BANCO}_{fase}_temp")
    pasta = PASTA_SQLITE if manter else Path(tempfile.mkdtemp(prefix="prometheus-bench-metricas-"))
    pasta.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{pasta / f'metricas_{fase}.sqlite3'}"


def ja_semeado(url: str, alvo: dict[str, int]) -> bool:
    """Whether the database of ``url`` holds a finished seed of this size (the seed is one
    transaction: its releases are there only if all of it is). Read without Django, before it is
    set up, so a database that is not (a killed run, another size) can be recreated first."""
    consulta = "SELECT (SELECT COUNT(*) FROM fabrica_release), (SELECT COUNT(*) FROM backlog_item)"
    try:
        if _e_postgres(url):
            import psycopg

            with psycopg.connect(_comum.conninfo(url), connect_timeout=5) as conexao:
                linha = conexao.execute(consulta).fetchone()
        else:
            arquivo = Path(url.removeprefix("sqlite:///"))
            if not arquivo.exists():
                return False
            with sqlite3.connect(arquivo) as conexao:
                linha = conexao.execute(consulta).fetchone()
    except Exception:  # noqa: BLE001 - no database, no tables: not seeded
        return False
    return bool(linha) and linha[0] == alvo["releases"] and linha[1] >= alvo["itens"]


def apagar(url: str, *, pasta: bool = False) -> None:
    """Drops the database of ``url`` (an SQLite file with its journals). ``pasta``: also the
    temporary folder holding the file (never ``var/bench``) — only once the run is over: a phase
    that recreates its database still needs the folder to create the file in."""
    if _e_postgres(url):
        import psycopg
        from psycopg import sql

        nome = urlsplit(url).path.lstrip("/")
        manutencao = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(_comum.conninfo(manutencao), autocommit=True) as conexao:
            conexao.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nome)))
    else:
        arquivo = Path(url.removeprefix("sqlite:///"))
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{arquivo}{extra}").unlink(missing_ok=True)
        if pasta and arquivo.parent != PASTA_SQLITE:
            shutil.rmtree(arquivo.parent, ignore_errors=True)


@contextmanager
def datas_livres():
    """Lets the seed write its own ``criado_em`` (auto_now_add would stamp every row with now)."""
    from backlog.models import Evento, Item
    from fabrica.implantacao.models import Implantacao
    from fabrica.models import Orcamento, Release, Spec

    campos = [m._meta.get_field("criado_em") for m in (Item, Evento, Orcamento, Release, Spec, Implantacao)]
    for campo in campos:
        campo.auto_now_add = False
    try:
        yield
    finally:
        for campo in campos:
            campo.auto_now_add = True


def recursos(v: int, i: int) -> dict:
    gerar, testar, corrigir = 0.2 + (i % 7) / 10, 1.0 + (i % 11) / 5, (i % 3) * 0.8
    return {
        "worker": "template",
        "erro": "",
        "gerar_s": gerar,
        "testar_s": testar,
        "corrigir_s": corrigir,
        "total_s": gerar + testar + corrigir,
        "execucoes": [
            {"tentativa": t, "cpu_s": 0.3 + t / 10, "memoria_max_bytes": 40_000_000 + 1000 * i}
            for t in range(1 + i % 3)
        ],
    }


class Semeador:
    def __init__(self, agora) -> None:
        from django.contrib.auth.models import User

        from fabrica.models import Ambiente, ModeloPrecificacao

        self.agora = agora
        self.po = User.objects.get(username="admin")
        self.modelo = ModeloPrecificacao.objects.get(versao=1)
        self.homologacao, _ = Ambiente.objects.get_or_create(nome="homologacao", defaults={"ordem": 10})
        self.producao, _ = Ambiente.objects.get_or_create(nome="producao", defaults={"ordem": 20})
        self.rodada = 0

    def quando(self, i: int, n: int):
        return self.agora - timedelta(days=365) * (1 - (i + 0.5) / n)

    def semear(self, *, itens: int, releases: int, implantacoes: int) -> None:
        from backlog.models import Evento, Item
        from fabrica.desenvolvimento import execucoes
        from fabrica.implantacao.models import Implantacao
        from fabrica.models import ExecucaoVertente, Orcamento, Release, Spec

        self.rodada += 1
        r = self.rodada
        # One spec version per release (a version has at most one approved budget), ten per spec id.
        n_specs = max(releases // 10, 5)
        specs = Spec.objects.bulk_create(
            [
                Spec(
                    spec_id=f"bench_{r}_{i % n_specs}",
                    titulo=f"Spec {i % n_specs}",
                    texto="id: x\n",
                    conteudo={"id": f"bench_{r}_{i % n_specs}", "vertentes": ["E", "D"]},
                    sha256=f"{r:02d}{i:062d}",
                    # half from the git repository (their commit a day before the import), half over REST
                    origem="git" if i % 2 else "api",
                    commit_em=self.quando(i, releases) - timedelta(days=3) if i % 2 else None,
                    versao=i // n_specs + 1,
                    criado_em=self.quando(i, releases) - timedelta(days=2),
                )
                for i in range(releases)
            ],
            batch_size=LOTE,
        )
        novos_itens: list[Item] = []

        def item(tipo: str, quando, **campos) -> Item:
            objeto = Item(
                tipo=tipo,
                status=campos.pop("status", "Concluido"),
                produtor="bench",
                criado_em=quando,
                consumido_em=campos.pop("consumido_em", quando + timedelta(minutes=1)),
                concluido_em=campos.pop("concluido_em", quando + timedelta(minutes=5)),
                consumidor="bench",
                **campos,
            )
            novos_itens.append(objeto)
            return objeto

        por_release = []
        for i in range(releases):
            t = self.quando(i, releases)
            spec = specs[i]
            bloqueado = i % 10 < 3
            orcar = item("orcar_spec", t - timedelta(hours=30), spec_ref=spec.spec_id)
            aprovar = item(
                "aprovar_orcamento",
                t - timedelta(hours=29),
                spec_ref=spec.spec_id,
                desbloqueado_em=(t - timedelta(hours=29) + timedelta(hours=1 + i % 20)) if bloqueado else None,
            )
            desenvolvimento = item(
                "desenvolvimento",
                t - timedelta(hours=3),
                spec_ref=spec.spec_id,
                consumido_em=t - timedelta(hours=3),
                concluido_em=t,
            )
            aprovar_release = item("aprovar_release", t, spec_ref=spec.spec_id)
            gap = item("entrevistar_dor", t - timedelta(hours=29), spec_ref=spec.spec_id) if bloqueado else None
            por_release.append((spec, orcar, aprovar, desenvolvimento, aprovar_release, gap, t))
        implantacao_itens = []
        for k in range(implantacoes):
            t = self.quando(k, implantacoes) + timedelta(hours=2)
            implantacao_itens.append((item("implantar", t), item("validar_implantacao", t + timedelta(minutes=10))))
        resto = itens - len(novos_itens) - releases // 10
        tipos = ["orcar_spec", "entrevistar_dor", "avaliar_efetividade", "outro_sistema"]
        for j in range(max(resto, 0)):
            t = self.quando(j, max(resto, 1))
            status = "Pendente" if j % 100 == 0 else "Concluido"
            item(
                tipos[j % len(tipos)],
                t,
                status=status,
                **({"consumido_em": None, "concluido_em": None} if status == "Pendente" else {}),
            )
        Item.objects.bulk_create(novos_itens, batch_size=LOTE)

        orcamentos = Orcamento.objects.bulk_create(
            [
                Orcamento(
                    spec=spec,
                    spec_ref=spec.spec_id,
                    modelo=self.modelo,
                    item_orcar=orcar,
                    item_aprovacao=aprovar,
                    esforco={"horas_dev": 20.0, "horas_dev_por_vertente": {"E": 12.0, "D": 8.0}},
                    status="Aprovado",
                    decidido_por=self.po,
                    decidido_em=t - timedelta(hours=3),
                    horas_reais={"E": 10.0 + i % 9, "D": 6.0 + i % 5} if i % 2 == 0 else None,
                    criado_em=t - timedelta(hours=30),
                )
                for i, (spec, orcar, aprovar, _d, _a, _b, t) in enumerate(por_release)
            ],
            batch_size=LOTE,
        )
        from fabrica.models import Gap, HorasVertente
        from fabrica.precificacao import horas

        # Each budget's hours per vertente, as pricing and the real hours' service write them.
        HorasVertente.objects.bulk_create(
            [
                HorasVertente(orcamento=orc, **campos)
                for orc in orcamentos
                for campos in horas.linhas(orc.esforco, orc.horas_reais)
            ],
            batch_size=LOTE,
        )
        Gap.objects.bulk_create(
            [
                Gap(orcamento=orc, item=gap, tipo_recurso="hardware", recurso="gpu", descricao="GPU")
                for orc, (_s, _o, _a, _d, _ar, gap, _t) in zip(orcamentos, por_release, strict=True)
                if gap is not None
            ],
            batch_size=LOTE,
        )
        versoes: dict[str, int] = {}
        lista_releases = []
        for i, (orc, (spec, _o, _a, desenvolvimento, aprovar_release, _b, t)) in enumerate(
            zip(orcamentos, por_release, strict=True)
        ):
            versoes[spec.spec_id] = versoes.get(spec.spec_id, 0) + 1
            rejeitada = i % 10 == 0
            lista_releases.append(
                Release(
                    spec=spec,
                    spec_ref=spec.spec_id,
                    versao=versoes[spec.spec_id],
                    orcamento=orc,
                    item_origem=desenvolvimento,
                    item_aprovacao=aprovar_release,
                    testes_passaram=True,
                    tentativas=[{"n": 1, "vertente": "D"}] if i % 4 == 0 else [],
                    recursos={"E": recursos(0, i), "D": recursos(1, i)},
                    testes=[{"vertente": v, "nome": "test_x", "status": "passou"} for v in ("E", "D")],
                    status="Rejeitada" if rejeitada else "Aprovada",
                    decidido_por=self.po,
                    decidido_em=t + timedelta(minutes=30),
                    criado_em=t,
                )
            )
        lista_releases = Release.objects.bulk_create(lista_releases, batch_size=LOTE)
        # Each vertente's numbers, as development writes them with the release (execucoes_registrar).
        ExecucaoVertente.objects.bulk_create(
            [
                ExecucaoVertente(release=rel, spec_ref=rel.spec_ref, criado_em=rel.criado_em, **campos)
                for rel in lista_releases
                for campos in execucoes.linhas(rel.recursos, rel.tentativas, rel.testes)
            ],
            batch_size=LOTE,
        )
        corrigir = [
            Item(
                tipo="corrigir_bug",
                status="Pendente",
                produtor="MS_Produto",
                produzido_por=rel.item_aprovacao,
                spec_ref=rel.spec_ref,
                criado_em=rel.criado_em + timedelta(minutes=30),
            )
            for rel in lista_releases
            if rel.status == "Rejeitada"
        ]
        Item.objects.bulk_create(corrigir, batch_size=LOTE)
        aprovadas = [rel for rel in lista_releases if rel.status == "Aprovada"]
        registros = []
        for k, (implantar, validar) in enumerate(implantacao_itens):
            rel = aprovadas[k % len(aprovadas)]
            t = implantar.criado_em
            falhou = k % 10 == 0
            recusada = k % 10 == 1
            registros.append(
                Implantacao(
                    tipo="implantacao",
                    status="Falhou" if falhou else "Concluida",
                    ambiente=self.producao if k % 2 else self.homologacao,
                    release=rel,
                    spec_ref=rel.spec_ref,
                    versao=rel.rotulo_versao,
                    alvo="diretorio",
                    item=implantar,
                    item_validacao=None if falhou else validar,
                    iniciado_em=t,
                    terminado_em=t + timedelta(seconds=20),
                    validacao="" if falhou else ("Recusada" if recusada else "Validada"),
                    validado_em=None if falhou else t + timedelta(hours=1),
                    criado_em=t,
                )
            )
        registros = Implantacao.objects.bulk_create(registros, batch_size=LOTE)
        Implantacao.objects.bulk_create(
            [
                Implantacao(
                    tipo="reversao",
                    status="Concluida",
                    ambiente_id=impl.ambiente_id,
                    release=None,
                    spec_ref=impl.spec_ref,
                    alvo="diretorio",
                    reverte=impl,
                    iniciado_em=impl.terminado_em + timedelta(hours=1),
                    terminado_em=impl.terminado_em + timedelta(hours=1, seconds=5),
                    criado_em=impl.terminado_em + timedelta(hours=1),
                )
                for impl in registros
                if impl.validacao == "Recusada"
            ],
            batch_size=LOTE,
        )
        Evento.objects.bulk_create(
            [
                Evento(tipo="concluido", item=i, ator="bench", criado_em=i.concluido_em or i.criado_em)
                for i in novos_itens
            ]
            + [
                Evento(tipo="desbloqueio", item=a, ator="MS_Backlog", criado_em=a.desbloqueado_em)
                for (_s, _o, a, _d, _ar, gap, _t) in por_release
                if gap is not None
            ],
            batch_size=LOTE,
        )


def medir(cliente, urls: dict[str, str], repeticoes: int, aquecimento: int) -> dict[str, dict]:
    """An address named "... (sem cache)" is asked with the process's cache emptied first: the
    numbers recomputed, as the first scrape after a new fact is."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(aquecimento):
        for url in urls.values():
            assert cliente.get(url).status_code == 200, url
    amostras: dict[str, dict[str, list[float]]] = {nome: {"wall": [], "cpu": [], "db": []} for nome in urls}
    cronometro = _comum.Cronometro()
    with connection.execute_wrapper(cronometro):
        for _ in range(repeticoes):
            for nome, url in urls.items():
                if nome.endswith("(sem cache)"):
                    cache.clear()
                cronometro.segundos = 0.0
                inicio, inicio_cpu = time.perf_counter(), time.process_time()
                resposta = cliente.get(url)
                amostras[nome]["wall"].append((time.perf_counter() - inicio) * 1000)
                amostras[nome]["cpu"].append((time.process_time() - inicio_cpu) * 1000)
                amostras[nome]["db"].append(cronometro.segundos * 1000)
                assert resposta.status_code == 200
    resultados = {}
    for nome, url in urls.items():
        if nome.endswith("(sem cache)"):
            cache.clear()
        with CaptureQueriesContext(connection) as consultas:
            cliente.get(url)
        tempos = sorted(amostras[nome]["wall"])
        resultados[nome] = {
            "mediana_ms": statistics.median(tempos),
            "p95_ms": tempos[max(0, round(0.95 * len(tempos)) - 1)],
            "db_ms": statistics.median(amostras[nome]["db"]),
            "cpu_ms": statistics.median(amostras[nome]["cpu"]),
            "consultas": len(consultas),
            "mais_lentas": sorted(consultas.captured_queries, key=lambda q: -float(q["time"]))[:6],
        }
    return resultados


MARCA = "RESULTADO-JSON "


def executar_fase(args: argparse.Namespace) -> None:
    """One size, in its own process (Django set up for its database): seed it unless a finished
    seed of this size is already there, then measure every address; the figures go to stdout as
    one JSON line after ``MARCA``."""
    url, alvo = args.url, json.loads(args.alvo)
    semeado = ja_semeado(url, alvo) and not args.ressemear
    if not semeado:
        apagar(url)
        if _e_postgres(url):
            _comum.recriar_banco(url)
    os.environ.update({"DEBUG": "false", "SECRET_KEY": "bench-metricas-not-secret", "LOG_LEVEL": "WARNING"})
    _comum.configurar_django(url)
    _comum.migrar()  # on a kept database: only the migrations it lacks (their data steps included)

    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from backlog.models import Item
    from fabrica.implantacao.models import Implantacao
    from fabrica.models import Release

    admin, _ = User.objects.get_or_create(username="admin", defaults={"is_staff": True})
    admin.groups.add(Group.objects.get(name="Administrador"))
    inicio = time.perf_counter()
    if not semeado:
        with transaction.atomic(), datas_livres():
            Semeador(timezone.now()).semear(**alvo)
    if connection.vendor == "postgresql":
        # What autovacuum does to tables after large inserts (statistics, and the visibility map
        # that lets index-only scans skip the table); on a kept database, statistics for the
        # tables a new migration filled.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if semeado else "VACUUM ANALYZE")
    tamanho = (Item.objects.count(), Release.objects.count(), Implantacao.objects.count())
    mais_nova = Release.objects.order_by("-criado_em").values_list("criado_em", flat=True).first()
    estado = "kept, seeded before" if semeado else f"seeded in {time.perf_counter() - inicio:.0f} s"
    print(f"{args.fase}: {tamanho} (items, releases, deployment records), {estado}; newest release {mais_nova}")
    sys.stdout.flush()
    cliente = Client()
    cliente.force_login(admin)
    hoje = timezone.localdate()
    ano = f"de={(hoje - timedelta(days=364)).isoformat()}&ate={hoje.isoformat()}"
    urls = {
        "/metricas/ (12 semanas)": "/metricas/",
        "/metricas/ (1 ano)": f"/metricas/?{ano}",
        "/api/metricas/ (12 semanas)": "/api/metricas/",
        "/api/metricas/ (1 ano)": f"/api/metricas/?{ano}",
        "/metrics": "/metrics",
        "/metrics (sem cache)": "/metrics",
    }
    resultados = medir(cliente, urls, args.repeticoes, args.aquecimento)
    print(MARCA + json.dumps({"tamanho": tamanho, "resultados": resultados}, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--itens", type=int, default=200_000)
    parser.add_argument("--releases", type=int, default=5_000)
    parser.add_argument("--implantacoes", type=int, default=10_000)
    parser.add_argument("--repeticoes", type=int, default=15)
    parser.add_argument("--aquecimento", type=int, default=2)
    parser.add_argument("--perfil", action="store_true", help="print the slowest queries of each address (large)")
    parser.add_argument(
        "--manter",
        action="store_true",
        help="keep the seeded databases (PostgreSQL: prometheus_bench_metricas_base/_grande; SQLite: "
        "var/bench/metricas_*.sqlite3) and reuse them when they hold a seed of the same size",
    )
    parser.add_argument("--ressemear", action="store_true", help="with --manter: seed again even if kept")
    parser.add_argument("--fase", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--alvo", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fase:
        executar_fase(args)
        return
    postgres = _e_postgres(os.environ.get("DATABASE_URL", ""))
    print(
        f"bench/metrics.py on {'PostgreSQL' if postgres else 'SQLite'}"
        f"{' (kept databases)' if args.manter else ''}; {args.repeticoes} requests per address after "
        f"{args.aquecimento} warm-up; load average {os.getloadavg()[0]:.1f}"
    )
    tabelas = []
    urls_usadas = []
    try:
        for fase, fracao in (("base", 10), ("grande", 1)):
            alvo = {"itens": args.itens // fracao, "releases": args.releases // fracao}
            alvo["implantacoes"] = args.implantacoes // fracao
            url = url_da_fase(fase, args.manter)
            urls_usadas.append(url)
            comando = [sys.executable, __file__, "--fase", fase, "--url", url, "--alvo", json.dumps(alvo)]
            comando += ["--repeticoes", str(args.repeticoes), "--aquecimento", str(args.aquecimento)]
            comando += ["--ressemear"] if args.ressemear else []
            saida = subprocess.run(comando, stdout=subprocess.PIPE, text=True, check=True).stdout  # noqa: S603
            for linha in saida.splitlines():
                if linha.startswith(MARCA):
                    dados = json.loads(linha.removeprefix(MARCA))
                    tabelas.append((tuple(dados["tamanho"]), dados["resultados"]))
                else:
                    print(linha)
    finally:
        if not args.manter:
            for url in urls_usadas:
                apagar(url, pasta=True)
    (base_t, base), (grande_t, grande) = tabelas
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print()
    print(
        "| address | queries (base · large) | base median ms | large median ms | large p95 ms | large cpu ms "
        "| large db ms | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    iguais = True
    for nome in grande:
        b, g = base[nome], grande[nome]
        iguais &= b["consultas"] == g["consultas"]
        print(
            f"| {nome} | {b['consultas']} · {g['consultas']} | {b['mediana_ms']:.0f} | {g['mediana_ms']:.0f} "
            f"| {g['p95_ms']:.0f} | {g['cpu_ms']:.0f} | {g['db_ms']:.0f} | {g['mediana_ms'] / b['mediana_ms']:.1f} |"
        )
    if args.perfil:
        for nome in grande:
            print(f"\nslowest queries of {nome} (large):")
            for consulta in grande[nome]["mais_lentas"]:
                print(f"  {float(consulta['time']) * 1000:7.1f} ms  {consulta['sql'][:160]}")
    print(f"\nbase: {base_t}; large: {grande_t} (items, releases, deployment records)")
    print("query counts constant:", "yes" if iguais else "NO")
    sys.exit(0 if iguais else 1)


if __name__ == "__main__":
    main()
