"""Deploying and rolling back a release of 1,000 artefact files with the directory target, and
the window during which ``current`` is not a complete release (issue 10).

    .venv/bin/python bench/deploy.py                 # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prometheus .venv/bin/python bench/deploy.py

On PostgreSQL it creates and migrates a throwaway database (``prometheus_bench_deploy`` on the
server of ``DATABASE_URL``, which itself is never touched); otherwise a temporary SQLite file.
Deployments go under a temporary directory.

1. Makes ``--releases`` approved releases of one spec, each of ``--arquivos`` files (about
   ``--bytes`` each, in 20 folders), as development records them (``Release.artefatos``).
2. Runs, through the real consumer (``processar_proximo``, the django-q2 task's body), each
   release's deploy and then a rollback to the release before it, ``--rodadas`` times; each
   timed from the item's claim to its conclusion: archive built from the artefacts, unpacked with
   every file fsynced, smoke checks (off by default: ``--smoke`` runs the release's pytest, which
   finds no tests in these files), the switch, retention, the records.
3. Throughout, a reader in another process samples ``current`` as a client would: resolves the
   link once, then checks the manifest's files there exist with their sizes. An incomplete read
   is a sample where ``current`` is missing or points at a directory missing a file.
4. The same reader against two naive strategies in the same run, as the baseline the zero is
   judged against: unpacking over the serving directory in place, and removing the link before
   making the new one. If the reader caught nothing there, it could not catch anything anywhere.

Prints a table; ``--json`` writes the figures to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _comum

NOME_BANCO = "prometheus_bench_deploy"

# The reader: stdlib only, in its own process. Argument: the spec's folder and a stop file.
LEITOR = r"""
import json, os, sys, time
pasta, parar = sys.argv[1], sys.argv[2]
corrente = os.path.join(pasta, "current")
amostras = incompletas = sem_link = 0
inicio = time.monotonic()
tempo_incompleto, desde = 0.0, None  # seconds between an incomplete read and the next complete one

def completa():
    global sem_link
    try:
        alvo = os.path.join(pasta, os.readlink(corrente))
    except OSError:
        sem_link += 1
        return False
    try:
        with open(os.path.join(alvo, ".prometheus-manifesto.json")) as f:
            tamanhos = json.load(f)["tamanhos"]
        for nome, tamanho in tamanhos.items():
            if os.stat(os.path.join(alvo, nome)).st_size != tamanho:
                return False
    except (OSError, ValueError, KeyError):
        return False
    return True

while not os.path.exists(parar):
    amostras += 1
    agora = time.monotonic()
    if completa():
        if desde is not None:
            tempo_incompleto += agora - desde
            desde = None
    else:
        incompletas += 1
        desde = agora if desde is None else desde
if desde is not None:
    tempo_incompleto += time.monotonic() - desde
print(json.dumps({"amostras": amostras, "incompletas": incompletas, "sem_link": sem_link,
                  "segundos": time.monotonic() - inicio, "segundos_incompleto": tempo_incompleto}), flush=True)
"""


def preparar(pasta: Path) -> str:
    original = os.environ.get("DATABASE_URL", "")
    if original.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}:
        url = _comum.url_do_banco(NOME_BANCO)
        _comum.recriar_banco(url)
        descricao = f"PostgreSQL, database {NOME_BANCO}"
    else:
        url = f"sqlite:///{pasta / 'deploy.sqlite3'}"
        descricao = "SQLite, a temporary file"
    os.environ.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "bench-deploy-not-secret",
            "LOG_LEVEL": "WARNING",
            "PROMETHEUS_IMPLANTACOES_DIR": str(pasta / "implantacoes"),
            "PROMETHEUS_VAR_DIR": str(pasta / "var"),
        }
    )
    _comum.configurar_django(url)
    _comum.migrar()
    return descricao


def artefatos(versao: int, arquivos: int, tamanho: int) -> list[dict]:
    import hashlib

    saida = []
    for i in range(arquivos):
        conteudo = (f"# v{versao} arquivo {i}\n" + "x" * tamanho + "\n")[: tamanho + 20]
        saida.append(
            {
                "caminho": f"pacote/modulo_{i % 20:02d}/arquivo_{i:04d}.py",
                "vertente": "E",
                "papel": "codigo",
                "conteudo": conteudo,
                "sha256": hashlib.sha256(conteudo.encode()).hexdigest(),
            }
        )
    return saida


def montar(n_releases: int, arquivos: int, tamanho: int, smoke: bool):
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from backlog.models import Item, Status
    from fabrica.models import Ambiente, Release, Spec

    po = User.objects.create_user("po_bench")
    po.groups.add(Group.objects.get(name="PO"))
    admin = User.objects.create_user("admin_bench", is_staff=True)
    admin.groups.add(Group.objects.get(name="Administrador"))
    spec = Spec.objects.create(
        spec_id="spec_bench", titulo="bench", texto="", conteudo={}, sha256="b" * 64, origem=Spec.Origem.API
    )
    ambiente = Ambiente.objects.create(nome="bench", ordem=1, configuracao={} if smoke else {"smoke": False})
    releases = []
    for versao in range(1, n_releases + 1):
        origem = Item.objects.create(
            tipo="desenvolvimento", produtor="bench", status=Status.CONCLUIDO, concluido_em=timezone.now()
        )
        releases.append(
            Release.objects.create(
                spec=spec,
                spec_ref="spec_bench",
                versao=versao,
                item_origem=origem,
                artefatos=artefatos(versao, arquivos, tamanho),
                testes_passaram=True,
                status=Release.Status.APROVADA,
                decidido_por=po,
                decidido_em=timezone.now(),
            )
        )
    return ambiente, releases, po, admin


def cronometrar(item) -> float:
    from fabrica.consumidor import processar_proximo
    from fabrica.implantacao.models import Implantacao

    inicio = time.perf_counter()
    assert processar_proximo(["implantar"]) == item.pk
    duracao = time.perf_counter() - inicio
    impl = Implantacao.objects.filter(item=item).get()
    if impl.status != Implantacao.Status.CONCLUIDA:
        sys.exit(f"implantação #{impl.pk} {impl.status}: {impl.erro}\n{impl.log[-2000:]}")
    return duracao


class Leitor:
    def __init__(self, pasta_spec: Path, trabalho: Path) -> None:
        self.parar = trabalho / f"parar-{time.monotonic_ns()}"
        self.processo = subprocess.Popen(
            [sys.executable, "-c", LEITOR, str(pasta_spec), str(self.parar)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(0.2)  # let it start sampling before the first switch

    def terminar(self) -> dict:
        self.parar.touch()
        saida, _ = self.processo.communicate(timeout=60)
        return json.loads(saida)


def ingenuos(releases, pasta: Path, rodadas: int) -> dict[str, dict]:
    """The baselines: the same files switched without the atomic step."""
    from fabrica.implantacao.arquivo import arquivo_da_release, desempacotar

    resultados = {}
    for nome in ("no lugar", "apaga e recria o link"):
        # (in place: rmtree the serving folder and unpack the new release into it)
        spec = pasta / "ingenuo" / nome.replace(" ", "_")
        (spec / "releases").mkdir(parents=True)
        zips = {r.pk: arquivo_da_release(r, pasta / "zips") for r in releases[:2]}
        if nome == "no lugar":
            desempacotar(zips[releases[0].pk], spec / "servindo")
            os.symlink("servindo", spec / "current")
        else:
            for r in releases[:2]:
                desempacotar(zips[r.pk], spec / "releases" / r.rotulo_versao)
            os.symlink(f"releases/{releases[0].rotulo_versao}", spec / "current")
        leitor = Leitor(spec, pasta)
        for i in range(rodadas * 2):
            release = releases[(i + 1) % 2]
            if nome == "no lugar":
                shutil.rmtree(spec / "servindo")
                desempacotar(zips[release.pk], spec / "servindo")
            else:
                # A script's `rm current && ln -s ...`: two commands, about a millisecond apart.
                os.unlink(spec / "current")
                time.sleep(0.001)
                os.symlink(f"releases/{release.rotulo_versao}", spec / "current")
                time.sleep(0.05)
        resultados[nome] = leitor.terminar()
    return resultados


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arquivos", type=int, default=1000)
    parser.add_argument("--bytes", type=int, default=1024)
    parser.add_argument("--releases", type=int, default=6)
    parser.add_argument("--rodadas", type=int, default=5, help="deploy + rollback pairs")
    parser.add_argument("--smoke", action="store_true", help="run the release's pytest as smoke check")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    pasta = Path(tempfile.mkdtemp(prefix="prometheus-bench-deploy-"))
    try:
        descricao = preparar(pasta)
        from backlog import services as backlog
        from fabrica.implantacao import selectors, services
        from fabrica.implantacao.alvos import alvo_de

        ambiente, releases, po, admin = montar(args.releases, args.arquivos, args.bytes, args.smoke)
        alvo = alvo_de(ambiente)
        implantar = lambda r: backlog.produzir(  # noqa: E731
            tipo="implantar", produtor="bench", contexto={"release_ref": r.rotulo_versao, "ambiente": "bench"}
        )
        cronometrar(implantar(releases[0]))  # v1 serves; the reader starts from a complete release
        leitor = Leitor(alvo.pasta("spec_bench"), pasta)
        implantacoes, reversoes = [], []
        for i in range(args.rodadas):
            nova = releases[1 + i % (len(releases) - 1)]
            implantacoes.append(cronometrar(implantar(nova)))
            anterior = selectors.releases_para_reverter(ambiente, "spec_bench")[0]
            item = services.reversao_solicitar(
                ambiente_id=ambiente.pk, spec_ref="spec_bench", release_id=anterior.pk, por=admin, motivo="bench"
            )
            reversoes.append(cronometrar(item))
        nosso = leitor.terminar()
        baseline = ingenuos(releases, pasta, args.rodadas)
    finally:
        shutil.rmtree(pasta, ignore_errors=True)

    def resumo(valores: list[float]) -> str:
        return f"{statistics.median(valores):.3f} s (min {min(valores):.3f}, max {max(valores):.3f})"

    figuras = {
        "banco": descricao,
        "arquivos": args.arquivos,
        "bytes_por_arquivo": args.bytes,
        "rodadas": args.rodadas,
        "smoke": args.smoke,
        "implantar_s": implantacoes,
        "reverter_s": reversoes,
        "leitor": nosso,
        "ingenuos": baseline,
    }
    print(f"{descricao}; {args.arquivos} files of ~{args.bytes} B; {args.rodadas} deploys + {args.rodadas} rollbacks")
    print(f"deploy (claim → concluded): {resumo(implantacoes)}")
    print(f"rollback (claim → concluded): {resumo(reversoes)}")
    print()
    print("| strategy | reads of current | incomplete reads | of which no link | observed s | s not complete |")
    print("|---|---:|---:|---:|---:|---:|")
    for nome, r in [("PROMETHEUS (rename of a new link)", nosso), *((f"naive: {n}", r) for n, r in baseline.items())]:
        print(
            f"| {nome} | {r['amostras']} | {r['incompletas']} | {r['sem_link']} | {r['segundos']:.2f} "
            f"| {r['segundos_incompleto']:.3f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(figuras, indent=2))
    if nosso["incompletas"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
