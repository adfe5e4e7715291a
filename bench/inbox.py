"""Render time and query count of the PO's inbox and budget page, with a large history (issue 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus .venv/bin/python bench/inbox.py
    .venv/bin/python bench/inbox.py            # SQLite, in a temporary file

On PostgreSQL it creates and migrates two throwaway databases (``prometheus_bench_inbox_base``
for the baseline, ``prometheus_bench_inbox`` for the large run, on the server of ``DATABASE_URL``,
which itself is never touched); otherwise two SQLite files, temporary unless ``--manter``.

Seeding 100,000 decisions takes minutes, so the seeded databases can be kept and measured again:
``--manter`` keeps them (SQLite: ``var/bench/inbox_base.sqlite3`` and ``var/bench/inbox.sqlite3``;
the PostgreSQL databases are always left in place), ``--reutilizar`` measures the kept ones
without seeding (after applying any new migration to them).

1. Prices the five example specs through the real pipeline; their budgets are the templates
   whose JSON (explanations, test cases, summaries) every seeded budget copies.
2. Seeds a baseline (``--base-historico`` decided budgets, ``--base-abertos`` open ones) and
   measures; then seeds up to ``--historico`` / ``--abertos`` and measures again.
   A decided budget brings its items (``orcar_spec``, ``aprovar_orcamento``, and
   ``desenvolvimento`` or ``ajustar_spec``) and their events; an open one is ready to decide, or
   (one in four) blocked by two gaps (``entrevistar_dor`` items, dependencies, ``Gap`` rows).
3. For each page, logged in as a PO with Django's test ``Client``: warm-up, then the median and
   p95 of ``--repeticoes`` requests, and the number of queries of one request.

Runs with DEBUG=false (no query log). Prints a table; ``--json`` writes the figures to a file.
``cpu`` is this process' CPU time per request (Python: view, ORM, template) and ``db`` the time
spent waiting for query results; on a busy machine they locate a slowdown better than the
wall-clock median, which includes waiting for a CPU. Pages are requested in turn, not in blocks.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import _comum

NOME_BANCO = "prometheus_bench_inbox"
NOME_BASE = "prometheus_bench_inbox_base"
PASTA_MANTIDA = _comum.RAIZ / "var" / "bench"
LOTE = 20_000
DECISOES = [("Aprovado", 70), ("Ajustado", 15), ("Rejeitado", 15)]  # share of each in the history
# A release's test results as development records them (20 tests; the row counts them).
TESTES = [
    {"vertente": "DE"[n % 2], "nome": f"test_caso_{n}", "caso": n, "status": "passou", "mensagem": ""}
    for n in range(20)
]
LOG_DA_FALHA = "".join(f"12:00:{n:02d} passo {n} do benchmark\n" for n in range(200)) + (
    "12:01:00 E   AssertionError: o serviço não respondeu\n12:01:01 Os testes de fumaça falharam (código de saída 1).\n"
)


class Bancos:
    """The two databases of a run: the baseline's and the large run's (a copy of the baseline's,
    grown). On PostgreSQL both live beside ``DATABASE_URL``'s; on SQLite they are two files."""

    def __init__(self, manter: bool) -> None:
        original = os.environ.get("DATABASE_URL", "")
        self.postgres = original.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}
        self.pasta: Path | None = None  # a temporary directory to remove at the end
        if self.postgres:
            self.urls = {"base": _comum.url_do_banco(NOME_BASE), "grande": _comum.url_do_banco(NOME_BANCO)}
            self.descricao = f"PostgreSQL, databases {NOME_BASE} and {NOME_BANCO}"
            return
        if manter:
            pasta = PASTA_MANTIDA
            pasta.mkdir(parents=True, exist_ok=True)
            self.descricao = f"SQLite, files kept in {pasta}"
        else:
            pasta = self.pasta = Path(tempfile.mkdtemp(prefix="prometheus-bench-inbox-"))
            self.descricao = "SQLite, temporary files"
        self.urls = {
            "base": f"sqlite:///{pasta / 'inbox_base.sqlite3'}",
            "grande": f"sqlite:///{pasta / 'inbox.sqlite3'}",
        }

    def _arquivo(self, qual: str) -> Path:
        return Path(self.urls[qual].removeprefix("sqlite:///"))

    def existem(self) -> bool:
        if not self.postgres:
            return all(self._arquivo(q).exists() for q in self.urls)
        import psycopg

        with psycopg.connect(_comum.conninfo(_comum.url_do_banco("postgres")), autocommit=True) as conexao:
            nomes = {n for (n,) in conexao.execute("SELECT datname FROM pg_database").fetchall()}
        return {NOME_BASE, NOME_BANCO} <= nomes

    def recriar_base(self) -> None:
        if self.postgres:
            _comum.recriar_banco(self.urls["base"])
        else:
            self._apagar(self._arquivo("base"))

    @staticmethod
    def _apagar(arquivo: Path) -> None:
        for sufixo in ("", "-wal", "-shm", "-journal"):
            Path(f"{arquivo}{sufixo}").unlink(missing_ok=True)

    def copiar_base(self) -> None:
        """The large run starts as a copy of the seeded baseline (PostgreSQL: a template copy;
        SQLite: the backup API), so the baseline stays for later runs."""
        from django.db import connections

        connections.close_all()
        if self.postgres:
            import psycopg
            from psycopg import sql

            with psycopg.connect(_comum.conninfo(_comum.url_do_banco("postgres")), autocommit=True) as conexao:
                conexao.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(NOME_BANCO)))
                conexao.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(NOME_BANCO), sql.Identifier(NOME_BASE)
                    )
                )
            return
        import sqlite3

        destino = self._arquivo("grande")
        self._apagar(destino)
        with sqlite3.connect(self._arquivo("base")) as de, sqlite3.connect(destino) as para:
            de.backup(para)
        para.close()
        de.close()

    def usar(self, qual: str) -> None:
        """Points Django's connection at one of the two databases (closing the current one)."""
        from django.db import connections

        connections.close_all()
        connections["default"].settings_dict["NAME"] = (
            self.urls[qual].rsplit("/", 1)[1] if self.postgres else str(self._arquivo(qual))
        )

    def limpar(self) -> None:
        if self.pasta is not None:
            shutil.rmtree(self.pasta, ignore_errors=True)


def configurar(url: str) -> None:
    os.environ.update({"DEBUG": "false", "SECRET_KEY": "bench-inbox-not-secret", "LOG_LEVEL": "WARNING"})
    _comum.configurar_django(url)


@contextmanager
def semeando():
    """Bulk writes without waiting for the disk, during seeding only: SQLite without fsync, a large
    page cache, and one INSERT of up to 32,766 parameters instead of 999; PostgreSQL commits
    without waiting for the WAL flush. The measured requests run with the project's settings."""
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        parametros = connection.features.max_query_params
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
        connection.features.max_query_params = 32_766
        try:
            yield
        finally:
            connection.features.max_query_params = parametros
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


@contextmanager
def datas_livres():
    """Lets the seed write its own ``criado_em`` (auto_now_add would stamp every row with now)."""
    from backlog.models import Evento, Item
    from fabrica.models import Implantacao, Orcamento, Release

    campos = [m._meta.get_field("criado_em") for m in (Item, Evento, Orcamento, Release, Implantacao)]
    for campo in campos:
        campo.auto_now_add = False
    try:
        yield
    finally:
        for campo in campos:
            campo.auto_now_add = True


# --- seeding ------------------------------------------------------------------------------------


def modelos_reais(po):
    """The example specs priced by the real pipeline, then rejected (they count as history)."""
    from backlog import services as backlog
    from fabrica.consumidor import processar_proximo
    from fabrica.decisoes.services import orcamento_rejeitar
    from fabrica.models import Orcamento
    from fabrica.specs.services import spec_importar

    for caminho in sorted((_comum.RAIZ / "examples" / "specs-repo" / "specs").glob("*.yaml")):
        spec_importar(
            texto=caminho.read_text(encoding="utf-8"), origem="git", commit="b" * 40, caminho=f"specs/{caminho.name}"
        )
        backlog.produzir(tipo="orcar_spec", produtor="bench", contexto={"spec_ref": caminho.stem})
        processar_proximo(["orcar_spec"])
    modelos = list(
        Orcamento.objects.select_related("spec", "modelo", "item_aprovacao").prefetch_related("gaps").order_by("id")
    )
    for orc in modelos:
        orcamento_rejeitar(orcamento_id=orc.pk, por=po, motivo="modelo do benchmark")
    return modelos


class Semeador:
    """Appends decided and open budgets, with their items and events, in bulk."""

    def __init__(self, modelos, po) -> None:
        self.modelos, self.po = modelos, po
        self.gerados = 0
        self.versoes = 0
        self.ultima_versao = {m.spec_ref: m.spec.versao for m in modelos}
        self.ultima_release: dict[str, int] = {}
        from fabrica.models import Ambiente

        self.ambiente = Ambiente.objects.create(nome="homologacao", ordem=10)

    def _versoes(self, modelos: list, completas: bool) -> list:
        """A new version of each model's spec, one per budget that holds one: a spec version has at
        most one open or approved budget (fabrica_orcamento_um_por_versao), so a history of 70,000
        approvals is 70,000 versions. History versions keep the content the budget page reads
        (parameters, prerequisites), not the whole spec; open ones are complete copies."""
        import hashlib

        from fabrica.models import Spec

        chaves = ("id", "titulo", "vertentes", "depende_de", "schema_tdd")
        novas = []
        for modelo in modelos:
            self.versoes += 1
            self.ultima_versao[modelo.spec_ref] += 1
            conteudo = modelo.spec.conteudo
            novas.append(
                Spec(
                    spec_id=modelo.spec_ref,
                    titulo=modelo.spec.titulo,
                    busca=modelo.spec.busca,
                    versao=self.ultima_versao[modelo.spec_ref],
                    texto=modelo.spec.texto if completas else f"# versão {self.versoes} do benchmark",
                    conteudo=conteudo if completas else {k: conteudo[k] for k in chaves if k in conteudo},
                    sha256=hashlib.sha256(f"bench-{self.versoes}-{modelo.spec_ref}".encode()).hexdigest(),
                    commit="b" * 40,
                    origem="git",
                )
            )
        return Spec.objects.bulk_create(novas, batch_size=LOTE)

    def _orcamento(self, modelo, spec=None, **campos):
        from fabrica.models import Orcamento

        return Orcamento(
            spec_id=spec.pk if spec is not None else modelo.spec_id,
            spec_ref=modelo.spec_ref,
            modelo_id=modelo.modelo_id,
            runtime=modelo.runtime,
            teste=modelo.teste,
            carga=modelo.carga,
            esforco=modelo.esforco,
            dependencias=modelo.dependencias,
            custo=modelo.custo,
            explicacao=modelo.explicacao,
            casos_teste=modelo.casos_teste,
            **campos,
        )

    def historico(self, quantos: int) -> None:
        from django.db import transaction
        from django.utils import timezone

        from backlog.models import Evento, Item
        from fabrica.models import Orcamento
        from fabrica.precificacao.services import resumo_orcamento

        agora = timezone.now()
        resumos = {m.pk: resumo_orcamento(m) for m in self.modelos}
        roleta = [s for s, peso in DECISOES for _ in range(peso)]
        for inicio in range(0, quantos, LOTE):
            n = min(LOTE, quantos - inicio)
            with transaction.atomic(), datas_livres():
                linhas = []
                for i in range(n):
                    k = self.gerados + i
                    modelo = self.modelos[k % len(self.modelos)]
                    decidido = agora - timedelta(minutes=7 * k + 60)
                    criado = decidido - timedelta(hours=20)
                    linhas.append((modelo, roleta[k % len(roleta)], criado, decidido))
                orcar = Item.objects.bulk_create(
                    [
                        Item(
                            tipo="orcar_spec",
                            status="Concluido",
                            produtor="bench",
                            spec_ref=m.spec_ref,
                            contexto={"spec_ref": m.spec_ref},
                            resultado={"gaps": 0},
                            consumidor="prometheus:bench",
                            tentativas=1,
                            criado_em=c,
                            consumido_em=c,
                            concluido_em=c + timedelta(seconds=3),
                        )
                        for m, _s, c, _d in linhas
                    ],
                    batch_size=LOTE,
                )
                aprovacao = Item.objects.bulk_create(
                    [
                        Item(
                            tipo="aprovar_orcamento",
                            status="Concluido",
                            produtor="PROMETHEUS",
                            spec_ref=m.spec_ref,
                            contexto={"spec_ref": m.spec_ref, "spec_recursos": resumos[m.pk]},
                            resultado={"decisao": s.lower(), "por": "po", "motivo": "histórico"},
                            produzido_por_id=o.pk,
                            consumidor="po:po",
                            tentativas=1,
                            criado_em=c,
                            consumido_em=d,
                            concluido_em=d,
                        )
                        for (m, s, c, d), o in zip(linhas, orcar, strict=True)
                    ],
                    batch_size=LOTE,
                )
                seguintes = Item.objects.bulk_create(
                    [
                        Item(
                            tipo="desenvolvimento" if s == "Aprovado" else "ajustar_spec",
                            status="Concluido",
                            produtor="MS_Produto",
                            spec_ref=m.spec_ref,
                            contexto={"spec_ref": m.spec_ref},
                            resultado={},
                            produzido_por_id=a.pk,
                            consumidor="bench",
                            tentativas=1,
                            criado_em=d,
                            consumido_em=d,
                            concluido_em=d + timedelta(hours=30),
                        )
                        for (m, s, c, d), a in zip(linhas, aprovacao, strict=True)
                        if s != "Rejeitado"
                    ],
                    batch_size=LOTE,
                )
                aprovados = [m for m, s, _c, _d in linhas if s == "Aprovado"]
                versoes = iter(self._versoes(aprovados, completas=False))
                orcamentos = Orcamento.objects.bulk_create(
                    [
                        self._orcamento(
                            m,
                            next(versoes) if s == "Aprovado" else None,
                            item_orcar_id=o.pk,
                            item_aprovacao_id=a.pk,
                            status=s,
                            decidido_por=self.po,
                            decidido_em=d,
                            motivo=f"decisão {self.gerados + i} do histórico",
                            criado_em=c,
                        )
                        for i, ((m, s, c, d), o, a) in enumerate(zip(linhas, orcar, aprovacao, strict=True))
                    ],
                    batch_size=LOTE,
                )
                eventos = []
                for item in (*orcar, *aprovacao, *seguintes):
                    eventos += [
                        Evento(tipo=t, item_id=item.pk, ator="bench", dados={}, criado_em=q)
                        for t, q in (
                            ("criado", item.criado_em),
                            ("consumido", item.consumido_em),
                            ("concluido", item.concluido_em),
                        )
                    ]
                Evento.objects.bulk_create(eventos, batch_size=LOTE)
                desenvolvimentos = [i for i in seguintes if i.tipo == "desenvolvimento"]
                self._releases_do_historico(
                    [(o, d) for o, (_m, s, _c, d) in zip(orcamentos, linhas, strict=True) if s == "Aprovado"],
                    desenvolvimentos,
                )
            self.gerados += n

    def _release(self, orc, item, **campos):
        from fabrica import contratos
        from fabrica.models import Release

        self.ultima_release[orc.spec_ref] = self.ultima_release.get(orc.spec_ref, 0) + 1
        versao = self.ultima_release[orc.spec_ref]
        falhas = 1 if versao % 5 == 0 else 0  # one release in five with a failing test
        return Release(
            spec_id=orc.spec_id,
            spec_ref=orc.spec_ref,
            versao=versao,
            orcamento_id=orc.pk,
            item_origem_id=item.pk,
            testes=TESTES[falhas:] + [dict(TESTES[0], status="falhou")] * falhas,
            testes_passaram=not falhas,
            cobertura_total=91.0,
            **campos,
        ), contratos.rotulo_versao(orc.spec_ref, versao)

    def _releases_do_historico(self, aprovados: list, desenvolvimentos: list) -> None:
        """Each approved budget's release (one in seven rejected), each approved release deployed
        to homologacao and validated there (one in ten refused)."""
        from fabrica.models import Implantacao, Release

        releases, rotulos = [], []
        for k, ((orc, decidido), item) in enumerate(zip(aprovados, desenvolvimentos, strict=True)):
            criada = decidido + timedelta(hours=30)
            release, rotulo = self._release(
                orc,
                item,
                status="Rejeitada" if k % 7 == 6 else "Aprovada",
                decidido_por=self.po,
                decidido_em=criada + timedelta(hours=2),
                motivo="histórico",
                criado_em=criada,
            )
            releases.append(release)
            rotulos.append(rotulo)
        releases = Release.objects.bulk_create(releases, batch_size=LOTE)
        Implantacao.objects.bulk_create(
            [
                Implantacao(
                    ambiente=self.ambiente,
                    release_id=r.pk,
                    spec_ref=r.spec_ref,
                    versao=rotulo,
                    alvo="diretorio",
                    status="Concluida",
                    iniciado_em=r.decidido_em,
                    terminado_em=r.decidido_em + timedelta(minutes=2),
                    log="implantada pelo benchmark\n",
                    validacao="Recusada" if k % 10 == 9 else "Validada",
                    validado_por=self.po,
                    validado_em=r.decidido_em + timedelta(hours=5),
                    observacao="histórico",
                    criado_em=r.decidido_em,
                )
                for k, (r, rotulo) in enumerate(zip(releases, rotulos, strict=True))
                if r.status == "Aprovada"
            ],
            batch_size=LOTE,
        )

    def decisoes_abertas(self, quantos: int) -> None:
        """Waiting beside the open budgets, in turn: a release to approve, a deployment to
        validate and a failed deployment, each of an approved budget's spec version."""
        from django.db import transaction
        from django.utils import timezone

        from backlog.models import Item
        from fabrica.models import Implantacao, Orcamento

        agora = timezone.now()
        orcamentos = list(Orcamento.objects.filter(status="Aprovado").order_by("-id")[:quantos])
        with transaction.atomic(), datas_livres():
            for k, orc in enumerate(orcamentos):
                criado = agora - timedelta(hours=k + 1, minutes=30)
                origem = Item.objects.create(
                    tipo="desenvolvimento",
                    status="Concluido",
                    produtor="MS_Produto",
                    spec_ref=orc.spec_ref,
                    contexto={"spec_ref": orc.spec_ref},
                    consumidor="bench",
                    tentativas=1,
                    criado_em=criado,
                    concluido_em=criado,
                )
                if k % 3 == 0:
                    aprovacao = Item.objects.create(
                        tipo="aprovar_release", produtor="PROMETHEUS", spec_ref=orc.spec_ref, criado_em=criado
                    )
                    release, _rotulo = self._release(orc, origem, item_aprovacao=aprovacao, criado_em=criado)
                    release.save()
                    continue
                release, rotulo = self._release(
                    orc, origem, status="Aprovada", decidido_por=self.po, decidido_em=criado, criado_em=criado
                )
                release.save()
                falhou = k % 3 == 2
                Implantacao.objects.create(
                    ambiente=self.ambiente,
                    release=release,
                    spec_ref=release.spec_ref,
                    versao=rotulo,
                    alvo="diretorio",
                    status="Falhou" if falhou else "Concluida",
                    iniciado_em=criado,
                    terminado_em=criado + timedelta(minutes=1),
                    log=LOG_DA_FALHA if falhou else "implantada pelo benchmark\n",
                    erro="Os testes de fumaça falharam (código de saída 1)." if falhou else "",
                    falha="Pendente" if falhou else "",
                    validacao="" if falhou else "Pendente",
                    criado_em=criado,
                )

    def abertos(self, quantos: int) -> None:
        """One in four open budgets waits for two gaps; the rest can be decided now."""
        from django.db import transaction
        from django.utils import timezone

        from backlog.models import Dependencia, Evento, Item
        from fabrica.models import Gap
        from fabrica.precificacao.services import resumo_orcamento

        agora = timezone.now()
        gaps_modelo = [(g.tipo_recurso, g.recurso, g.descricao) for m in self.modelos for g in m.gaps.all()][:2]
        with transaction.atomic(), datas_livres():
            for k in range(quantos):
                modelo = self.modelos[k % len(self.modelos)]
                bloqueado = k % 4 == 3
                criado = agora - timedelta(hours=k + 1)
                orcar = Item.objects.create(
                    tipo="orcar_spec",
                    status="Concluido",
                    produtor="bench",
                    spec_ref=modelo.spec_ref,
                    contexto={"spec_ref": modelo.spec_ref},
                    resultado={},
                    consumidor="prometheus:bench",
                    tentativas=1,
                    criado_em=criado,
                    consumido_em=criado,
                    concluido_em=criado,
                )
                gaps = [
                    Item.objects.create(
                        tipo="entrevistar_dor",
                        produtor="PROMETHEUS",
                        spec_ref=modelo.spec_ref,
                        contexto={"spec_ref": modelo.spec_ref, "recurso": r},
                        produzido_por=orcar,
                        criado_em=criado,
                    )
                    for _t, r, _d in (gaps_modelo if bloqueado else [])
                ]
                (versao,) = self._versoes([modelo], completas=True)
                orc = self._orcamento(modelo, versao, item_orcar=orcar, criado_em=criado)
                orc.save()
                aprovacao = Item.objects.create(
                    tipo="aprovar_orcamento",
                    status="Bloqueado" if gaps else "Pendente",
                    produtor="PROMETHEUS",
                    spec_ref=modelo.spec_ref,
                    produzido_por=orcar,
                    criado_em=criado,
                    contexto={
                        "spec_ref": modelo.spec_ref,
                        "spec_recursos": resumo_orcamento(orc),
                        "spec_recursos_id": orc.pk,
                    },
                )
                Dependencia.objects.bulk_create([Dependencia(item=aprovacao, depende_de=g) for g in gaps])
                Gap.objects.bulk_create(
                    [
                        Gap(orcamento=orc, item=g, tipo_recurso=t, recurso=r, descricao=d)
                        for g, (t, r, d) in zip(gaps, gaps_modelo, strict=False)
                    ]
                )
                orc.item_aprovacao = aprovacao
                orc.save(update_fields=["item_aprovacao"])
                Evento.objects.bulk_create(
                    [Evento(tipo="criado", item=i, ator="bench", criado_em=criado) for i in (orcar, aprovacao, *gaps)]
                )


# --- measuring ----------------------------------------------------------------------------------


def paginas(po, admin) -> dict[str, tuple]:
    """Each page as (client, url): the PO's inbox, the admin's (read-only), the budget pages."""
    from fabrica.models import Orcamento

    abertos = Orcamento.objects.filter(status="Aberto").select_related("item_aprovacao").order_by("-id")
    pronto = next(o for o in abertos if o.item_aprovacao.status == "Pendente" and o.spec_ref == "spec_002")
    bloqueado = next(o for o in abertos if o.item_aprovacao.status == "Bloqueado")
    return {
        "inbox: to decide (/)": (po, "/"),
        "inbox: on hold (?aba=espera)": (po, "/?aba=espera"),
        "inbox: decided (?aba=decididos)": (po, "/?aba=decididos"),
        "inbox: decided + search (?q=spec_003)": (po, "/?aba=decididos&q=spec_003"),
        "inbox: to decide + search (?q=spec_003)": (po, "/?q=spec_003"),
        "inbox: decided, releases + search": (po, "/?aba=decididos&tipo=release&q=spec_003"),
        "inbox: failed deployments (?tipo=)": (po, "/?tipo=falha_implantacao"),
        # 50 rows a page: page 1000 starts at the 49,951st decision (the baseline has 20 pages,
        # so it shows its last one). One kind: its page is read directly (see bench/README.md).
        "inbox: decided budgets, page 1000": (po, "/?aba=decididos&tipo=orcamento&pagina=1000"),
        "admin, read-only: to decide (/)": (admin, "/"),
        "admin, read-only: decided + search": (admin, "/?aba=decididos&q=spec_003"),
        "budget page (ready, spec_002)": (po, f"/orcamentos/{pronto.pk}/"),
        "budget page (blocked, 2 gaps)": (po, f"/orcamentos/{bloqueado.pk}/"),
    }


def medir(urls: dict[str, tuple], repeticoes: int, aquecimento: int) -> dict[str, dict]:
    """Requests the pages in turn (so a burst of load on the machine hits all of them alike)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(aquecimento):
        for cliente, url in urls.values():
            assert cliente.get(url).status_code == 200, url
    amostras: dict[str, dict[str, list[float]]] = {nome: {"wall": [], "cpu": [], "db": []} for nome in urls}
    cronometro = _comum.Cronometro()
    with connection.execute_wrapper(cronometro):
        for _ in range(repeticoes):
            for nome, (cliente, url) in urls.items():
                cronometro.segundos = 0.0
                inicio, inicio_cpu = time.perf_counter(), time.process_time()
                resposta = cliente.get(url)
                amostras[nome]["wall"].append((time.perf_counter() - inicio) * 1000)
                amostras[nome]["cpu"].append((time.process_time() - inicio_cpu) * 1000)
                amostras[nome]["db"].append(cronometro.segundos * 1000)
                assert resposta.status_code == 200, url
    resultados = {}
    for nome, (cliente, url) in urls.items():
        with CaptureQueriesContext(connection) as consultas:
            resposta = cliente.get(url)
        tempos = sorted(amostras[nome]["wall"])
        resultados[nome] = {
            "mediana_ms": statistics.median(tempos),
            "p95_ms": tempos[max(0, round(0.95 * len(tempos)) - 1)],
            "cpu_ms": statistics.median(amostras[nome]["cpu"]),
            "db_ms": statistics.median(amostras[nome]["db"]),
            "consultas": len(consultas),
            "linhas_html": resposta.content.count(b"<tr"),
            "kb": len(resposta.content) / 1024,
        }
    return resultados


def explicar(urls: dict[str, tuple], vezes: int = 5) -> None:
    """Each page's queries, one by one: the best of ``vezes`` executions and the plan (SQLite's
    EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN ANALYZE), to find what is not an index lookup."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    postgres = connection.vendor == "postgresql"
    for nome, (cliente, url) in urls.items():
        with CaptureQueriesContext(connection) as capturadas:
            cliente.get(url)
        total = 0.0
        linhas = []
        for consulta in capturadas.captured_queries:
            sql = consulta["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                tempos = []
                for _ in range(vezes):
                    inicio = time.perf_counter()
                    cursor.execute(sql)
                    cursor.fetchall()
                    tempos.append((time.perf_counter() - inicio) * 1000)
                cursor.execute(("EXPLAIN ANALYZE " if postgres else "EXPLAIN QUERY PLAN ") + sql)
                plano = [str(linha[0] if postgres else linha[-1]) for linha in cursor.fetchall()]
            total += min(tempos)
            linhas.append(f"  {min(tempos):7.2f} ms  {sql[:300]}")
            linhas += [f"               {p}" for p in plano]
        print(f"\n{nome} ({url}): {len(capturadas)} queries, {total:.1f} ms of queries (best of {vezes} each)")
        print("\n".join(linhas))


def analisar() -> None:
    """Fresh planner statistics, as autovacuum would have after a bulk load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def rodada(po, admin, rotulo: str, args) -> dict:
    from backlog.models import Evento, Item
    from fabrica.models import Implantacao, Orcamento, Release, Spec

    tamanho = {
        "decididos": Orcamento.objects.exclude(status="Aberto").count(),
        "abertos": Orcamento.objects.filter(status="Aberto").count(),
        "releases": Release.objects.count(),
        "implantacoes": Implantacao.objects.count(),
        "versoes": Spec.objects.count(),
        "itens": Item.objects.count(),
        "eventos": Evento.objects.count(),
    }
    print(
        f"\n{rotulo}: {tamanho['decididos']:,} decided budgets, {tamanho['abertos']} open, "
        f"{tamanho['releases']:,} releases, {tamanho['implantacoes']:,} deployments, "
        f"{tamanho['versoes']:,} spec versions, {tamanho['itens']:,} items, {tamanho['eventos']:,} events"
    )
    carga = os.getloadavg()[0]
    resultados = medir(paginas(po, admin), args.repeticoes, args.aquecimento)
    for nome, r in resultados.items():
        print(
            f"  {nome:40} median {r['mediana_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
            f"cpu {r['cpu_ms']:5.1f} ms  db {r['db_ms']:5.1f} ms  {r['consultas']:3} queries  "
            f"{r['linhas_html']:3} rows  {r['kb']:4.0f} KiB"
        )
    print(f"  (load average {carga:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    if args.consultas:
        explicar(paginas(po, admin))
    return {"tamanho": tamanho, "paginas": resultados, "carga": carga}


def entrar(usuario):
    from django.test import Client

    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def semear_e_medir(bancos: Bancos, args) -> tuple[dict, dict]:
    """Seeds the baseline and measures it; copies it, grows the copy to the large run and
    measures that."""
    bancos.recriar_base()
    configurar(bancos.urls["base"])
    _comum.migrar()
    from django.contrib.auth.models import Group, User

    po = User.objects.create_user(username="po", password="bench-po-123")
    po.groups.add(Group.objects.get(name="PO"))
    admin = User.objects.create_user(username="admin", password="bench-admin-123", is_staff=True)
    admin.groups.add(Group.objects.get(name="Administrador"))

    inicio = time.perf_counter()
    with semeando():
        modelos = modelos_reais(po)
        semeador = Semeador(modelos, po)
        semeador.historico(args.base_historico - len(modelos))
        semeador.abertos(args.base_abertos)
        semeador.decisoes_abertas(args.base_abertos)
    analisar()
    print(f"seeded the baseline in {time.perf_counter() - inicio:.1f} s")
    bancos.copiar_base()
    bancos.usar("base")
    base = rodada(entrar(po), entrar(admin), "baseline", args)

    bancos.usar("grande")
    inicio = time.perf_counter()
    with semeando():
        semeador.historico(args.historico - args.base_historico)
        semeador.abertos(args.abertos - args.base_abertos)
        semeador.decisoes_abertas(args.abertos - args.base_abertos)
    analisar()
    print(f"seeded the large run in {time.perf_counter() - inicio:.1f} s")
    grande = rodada(entrar(po), entrar(admin), "large", args)
    return base, grande


def medir_mantidos(bancos: Bancos, args) -> tuple[dict, dict]:
    """Measures the databases a previous ``--manter`` run seeded, after migrating them."""
    if not bancos.existem():
        sys.exit(f"no kept databases ({bancos.descricao}): run once with --manter first")
    configurar(bancos.urls["base"])
    from django.contrib.auth.models import User

    rodadas = []
    for qual, rotulo in (("base", "baseline"), ("grande", "large")):
        bancos.usar(qual)
        _comum.migrar()
        analisar()
        po, admin = User.objects.get(username="po"), User.objects.get(username="admin")
        rodadas.append(rodada(entrar(po), entrar(admin), rotulo, args))
    return rodadas[0], rodadas[1]


def comparar(banco: str, base: dict, grande: dict, args) -> bool:
    """Prints large / baseline; True if every page's query count is the same at both sizes."""
    print("\nlarge / baseline (median time; queries must be equal):")
    iguais = True
    for nome, r in grande["paginas"].items():
        b = base["paginas"][nome]
        iguais &= r["consultas"] == b["consultas"]
        print(
            f"  {nome:40} x{r['mediana_ms'] / b['mediana_ms']:5.2f}  queries {b['consultas']} → {r['consultas']}"
            f"{'' if r['consultas'] == b['consultas'] else '  DIFFERENT'}"
        )
    if args.json:
        args.json.write_text(json.dumps({"banco": banco, "base": base, "grande": grande}, indent=2))
    return iguais


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--historico", type=int, default=100_000, help="decided budgets in the large run")
    parser.add_argument("--abertos", type=int, default=200, help="open budgets in the large run")
    parser.add_argument("--base-historico", type=int, default=1_000)
    parser.add_argument("--base-abertos", type=int, default=20)
    parser.add_argument("--repeticoes", type=int, default=30)
    parser.add_argument("--aquecimento", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--consultas", action="store_true", help="also print each page's queries with their time and plan"
    )
    parser.add_argument(
        "--manter",
        action="store_true",
        help="keep the seeded SQLite files in var/bench/ (PostgreSQL databases are always kept) for --reutilizar",
    )
    parser.add_argument(
        "--reutilizar", action="store_true", help="measure the databases kept by --manter, without seeding"
    )
    args = parser.parse_args()

    bancos = Bancos(manter=args.manter or args.reutilizar)
    print(f"bench/inbox.py on {bancos.descricao}; {args.repeticoes} requests per page after {args.aquecimento} warm-up")
    try:
        base, grande = medir_mantidos(bancos, args) if args.reutilizar else semear_e_medir(bancos, args)
    finally:
        bancos.limpar()
    if not comparar(bancos.descricao, base, grande, args):
        sys.exit("the query count depends on the data size")


if __name__ == "__main__":
    main()
