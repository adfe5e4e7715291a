"""Runs generated tests away from the app (DESIGN §6; what it isolates: ``docs/sandbox.md``).

``executar`` writes a release root into a fresh temporary directory and runs
``python -m coverage run --branch -m pytest`` there through ``lancador.py``:

- an empty environment (``PATH``, ``HOME`` and ``TMPDIR`` inside the directory, ``LANG``): no
  ``DATABASE_URL``, no ``SECRET_KEY``, nothing of the app's;
- its own session, and a wall-clock deadline after which the whole process group is killed
  (the launcher enforces it inside, this module again outside);
- rlimits in plain bytes and seconds: address space, CPU, open files, file size, no core
  dumps, and processes — under a dedicated uid when running as root, since root ignores it;
- per-test timeouts (pytest-timeout, signal method), so one hung test fails alone;
- as root, fresh PID, mount and network namespaces (``unshare``): the file system read-only but
  the directory, only loopback networking, and every leftover process killed with the run.

Results come from the JUnit XML pytest writes, coverage (lines and branches of the given
source directories) from coverage.py's JSON report. Pure Python: no Django.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

LANCADOR = Path(__file__).resolve().parent / "lancador.py"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"
PLUGIN = '''"""Loaded into the sandboxed pytest (-p prometheus_sandbox).

- A copy of pytest made by fork() inside a test leaves as soon as its copy of the test ends,
  and never writes the results: only the process pytest started in reports.
- Processes a test body starts and leaves running are killed when it ends (a fork bomb, a
  forgotten server); those started by fixtures, before the test body, are left alone.
"""
import os
import signal

import pytest

_PRINCIPAL = os.getpid()


def _no_namespace():
    # Inside the sandbox's PID namespace, PID 1 is the launcher; on a host it is init.
    try:
        with open("/proc/1/cmdline", "rb") as arquivo:
            return os.getppid() == 1 and b"lancador.py" in arquivo.read()
    except OSError:
        return False


_NAMESPACE = _no_namespace()


def _filhos(pid):
    """Children of a process, from /proc/<pid>/task/*/children (no scan of every process)."""
    filhos = set()
    try:
        tarefas = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return filhos
    for tarefa in tarefas:
        try:
            with open(f"/proc/{pid}/task/{tarefa}/children", "rb") as arquivo:
                filhos.update(int(p) for p in arquivo.read().split())
        except (OSError, ValueError):
            continue
    return filhos


def _retrato():
    """What exists before a test body: every pid of the namespace, or this process's children."""
    if _NAMESPACE:
        return {int(p) for p in os.listdir("/proc") if p.isdigit()}
    return _filhos(_PRINCIPAL)


def _alvos(antes):
    if _NAMESPACE:  # PID 1 is the launcher: everything new in the namespace is this test's
        return {int(p) for p in os.listdir("/proc") if p.isdigit()} - antes - {1, _PRINCIPAL}
    alvos, fila = set(), list(_filhos(_PRINCIPAL) - antes)
    while fila:
        atual = fila.pop()
        if atual not in alvos:
            alvos.add(atual)
            fila.extend(_filhos(atual))
    return alvos


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    antes = _retrato() if os.getpid() == _PRINCIPAL else set()
    yield
    if os.getpid() != _PRINCIPAL:
        os._exit(1)
    for _ in range(100):
        alvos = _alvos(antes)
        if not alvos:
            break
        for pid in alvos:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for pid in alvos:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    if os.getpid() != _PRINCIPAL:
        os._exit(1)
'''
_ISOLAMENTOS = ("auto", "completo", "basico")
SAIDA_MAX = 20_000  # characters of pytest's output kept (its tail)
MENSAGEM_MAX = 4_000


class ErroSandbox(RuntimeError):
    """The sandbox itself could not run (not the tests failing): an infrastructure problem."""


@dataclass(frozen=True)
class Limites:
    tempo_total_s: float = 120.0
    tempo_por_teste_s: float = 30.0
    memoria_bytes: int = 1 << 30
    cpu_s: int = 120
    processos: int = 64
    arquivos_abertos: int = 256
    tamanho_arquivo_bytes: int = 64 << 20

    def __post_init__(self) -> None:
        for nome, valor in asdict(self).items():
            if isinstance(valor, bool) or not isinstance(valor, int | float) or valor <= 0:
                raise ValueError(f"O limite {nome} do sandbox deve ser um número positivo; recebido {valor!r}.")


# A test that passed or was skipped is not a failure: the one place that says so, for results in
# memory (``ResultadoTeste.passou``) and as stored on a release (``aprovado(linha["status"])``).
APROVADOS = frozenset({"passou", "pulou"})


def aprovado(status: str) -> bool:
    return status in APROVADOS


@dataclass
class ResultadoTeste:
    nome: str  # the pytest id: test_decisao[combinacao_03]
    arquivo: str  # relative path of the test file
    # passou | falhou | erro | pulou; ausente for a case the development loop found without a test
    status: str
    mensagem: str = ""
    duracao_s: float = 0.0
    caso: str | None = None  # the case name inside the brackets, when there is one

    @property
    def passou(self) -> bool:
        return aprovado(self.status)

    def como_dict(self) -> dict[str, Any]:
        return asdict(self)


def todos_passaram(testes: list[ResultadoTeste]) -> bool:
    """At least one test, and none failed."""
    return bool(testes) and all(t.passou for t in testes)


@dataclass
class Execucao:
    testes: list[ResultadoTeste]
    cobertura: dict[str, Any] | None
    duracao_s: float
    recursos: dict[str, Any]
    isolamento: dict[str, Any]
    saida: str = ""
    erro: str = ""  # why the run as a whole failed (deadline, collection, crash), "" when it did not
    comandos: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passou(self) -> bool:
        return not self.erro and todos_passaram(self.testes)

    @property
    def falhas(self) -> list[ResultadoTeste]:
        return [t for t in self.testes if not t.passou]


# --- isolation available on this machine -------------------------------------------------------


def _ambiente(trabalho: Path) -> dict[str, str]:
    """The whole environment of the generated code: nothing is inherited from the app."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(trabalho / "home"),
        "TMPDIR": str(trabalho / "tmp"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(trabalho / "plugin"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "COVERAGE_FILE": str(trabalho / "saida" / ".coverage"),
    }


@functools.cache
def isolamento_disponivel() -> str:
    """``completo`` when this process is root and can make PID, mount and network namespaces;
    ``basico`` otherwise (session, rlimits and empty environment only)."""
    if os.geteuid() != 0 or not Path(UNSHARE).exists():
        return "basico"
    try:
        subprocess.run(
            [UNSHARE, "--pid", "--fork", "--mount", "--net", "--mount-proc", "true"],
            check=True,
            capture_output=True,
            timeout=10,
            env={"PATH": "/usr/bin:/bin"},
        )
    except (OSError, subprocess.SubprocessError):
        return "basico"
    return "completo"


@functools.cache
def _diretorios_do_interpretador(python: str) -> tuple[str, ...]:
    """Where an interpreter lives (its venv and its base installation): what the sandbox must see."""
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        pastas = {sys.prefix, sys.base_prefix}
    else:
        saida = subprocess.run(
            [python, "-I", "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        pastas = {linha for linha in saida.splitlines() if linha}
    return tuple(sorted(os.path.realpath(p) for p in pastas))


UID_BASE = 61000
_UIDS = 32


@contextlib.contextmanager
def _uid_livre(base: int) -> Iterator[int]:
    """A uid of the sandbox's own for this run (a slot taken with a lock file): the process limit
    counts every process of a uid, so two runs at once never share one."""
    pasta = Path(tempfile.gettempdir()) / "prometheus-sandbox-uids"
    pasta.mkdir(mode=0o700, exist_ok=True)
    while True:
        for n in range(_UIDS):
            arquivo = open(pasta / f"{n}.lock", "w")  # noqa: SIM115 - held for the whole run
            try:
                fcntl.flock(arquivo, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                arquivo.close()
                continue
            try:
                yield base + n
            finally:
                fcntl.flock(arquivo, fcntl.LOCK_UN)
                arquivo.close()
            return
        time.sleep(0.1)


# --- running ---------------------------------------------------------------------------------------


def _escrever(raiz: Path, arquivos: Mapping[str, str]) -> None:
    for caminho, conteudo in arquivos.items():
        relativo = PurePosixPath(caminho)
        if relativo.is_absolute() or ".." in relativo.parts or not relativo.parts:
            raise ValueError(f"Caminho de artefato fora da raiz da release: {caminho!r}.")
        destino = raiz.joinpath(*relativo.parts)
        destino.parent.mkdir(parents=True, exist_ok=True)
        destino.write_text(conteudo, encoding="utf-8")


def _entregar(trabalho: Path, uid: int | None) -> None:
    if uid is None:
        return
    for pasta, _dirs, arquivos in os.walk(trabalho):
        os.chown(pasta, uid, uid)
        for nome in arquivos:
            os.chown(os.path.join(pasta, nome), uid, uid)
    os.chmod(trabalho, 0o700)


def executar(
    arquivos: Mapping[str, str],
    *,
    testes: list[str],
    cobertura_de: list[str] = (),  # type: ignore[assignment]
    limites: Limites | None = None,
    python: str | None = None,
    isolamento: str = "auto",
    uid_base: int = UID_BASE,
    esconder: list[str] = (),  # type: ignore[assignment]
) -> Execucao:
    """Writes ``arquivos`` (relative path → text) as a release root and runs pytest on ``testes``
    (relative paths) there, measuring the coverage of ``cobertura_de`` (relative directories).

    Never raises for what the generated code does (failures, hangs, crashes, a fork bomb become
    results); raises ``ErroSandbox`` when the sandbox itself cannot run, and ``ValueError`` for
    a path outside the root or an unknown isolation. ``esconder`` lists directories the
    generated code must not see (in the full isolation: covered by an empty file system).
    """
    limites = limites or Limites()
    if isolamento not in _ISOLAMENTOS:
        raise ValueError(f"Isolamento desconhecido {isolamento!r}; use {', '.join(_ISOLAMENTOS)}.")
    disponivel = isolamento_disponivel()
    if isolamento == "completo" and disponivel != "completo":
        raise ErroSandbox(
            "O isolamento completo do sandbox pede root e unshare (namespaces de PID, montagem e rede); "
            "esta máquina só oferece o básico."
        )
    modo = disponivel if isolamento == "auto" else isolamento
    python = python or sys.executable
    trabalho = Path(tempfile.mkdtemp(prefix="prometheus-sbx-"))
    try:
        raiz = trabalho / "raiz"
        for sub in ("raiz", "saida", "tmp", "home", "plugin"):
            (trabalho / sub).mkdir()
        _escrever(raiz, arquivos)
        (trabalho / "plugin" / "prometheus_sandbox.py").write_text(PLUGIN, encoding="utf-8")
        with _uid_livre(uid_base) if modo == "completo" else contextlib.nullcontext(None) as uid:
            return _rodar(trabalho, raiz, testes, list(cobertura_de), limites, python, modo, uid, list(esconder))
    finally:
        shutil.rmtree(trabalho, ignore_errors=True)


def _rodar(
    trabalho: Path,
    raiz: Path,
    testes: list[str],
    cobertura_de: list[str],
    limites: Limites,
    python: str,
    modo: str,
    uid: int | None,
    esconder: list[str],
) -> Execucao:
    saida = trabalho / "saida"
    junit, cobertura_json = saida / "junit.xml", saida / "cobertura.json"
    fontes = [str(raiz / c) for c in cobertura_de]
    pytest_args = [
        "-m",
        "pytest",
        "-p",
        "prometheus_sandbox",
        "-p",
        "pytest_timeout",
        "-p",
        "no:cacheprovider",
        f"--timeout={limites.tempo_por_teste_s:g}",
        "--timeout-method=signal",
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit2",
        "-q",
        "--color=no",
        *testes,
    ]
    if fontes:
        comandos = [
            [python, "-m", "coverage", "run", "--branch", f"--source={','.join(fontes)}", *pytest_args],
            [python, "-m", "coverage", "json", "-q", "-o", str(cobertura_json)],
        ]
    else:  # nothing to measure: no tracer slowing the run down
        comandos = [[python, *pytest_args]]
    config = {
        "isolar": modo == "completo",
        "uid": uid,
        "trabalho": str(trabalho),
        "raiz": str(raiz),
        "saida_texto": str(saida / "pytest.txt"),
        "relatorio": str(saida / "lancador.json"),
        "ambiente": _ambiente(trabalho),
        "expor": list(_diretorios_do_interpretador(python)) if modo == "completo" else [],
        "esconder": [os.path.realpath(d) for d in esconder],
        "comandos": comandos,
        "limites": {
            "tempo_total_s": limites.tempo_total_s,
            "memoria_bytes": int(limites.memoria_bytes),
            "cpu_s": int(limites.cpu_s),
            "processos": int(limites.processos),
            "arquivos_abertos": int(limites.arquivos_abertos),
            "tamanho_arquivo_bytes": int(limites.tamanho_arquivo_bytes),
        },
    }
    arquivo_config = saida / "config.json"
    arquivo_config.write_text(json.dumps(config), encoding="utf-8")
    _entregar(trabalho, uid)
    prefixo = [UNSHARE, "--pid", "--fork", "--mount", "--net", "--mount-proc"] if modo == "completo" else []
    inicio = time.monotonic()
    processo = subprocess.Popen(
        [*prefixo, python, "-I", str(LANCADOR), str(arquivo_config)],
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        problema, _ = processo.communicate(timeout=limites.tempo_total_s + 15)
    except subprocess.TimeoutExpired:
        # The launcher itself hung: the whole session goes (PID 1 of the namespace with it).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(processo.pid, signal.SIGKILL)
        problema, _ = processo.communicate()
    duracao = time.monotonic() - inicio
    with contextlib.suppress(ProcessLookupError):
        os.killpg(processo.pid, signal.SIGKILL)
    relatorio_arquivo = saida / "lancador.json"
    if not relatorio_arquivo.exists():
        raise ErroSandbox(
            "O sandbox não terminou a execução (o lançador saiu com "
            f"{processo.returncode}): {problema.decode(errors='replace')[-2000:]}"
        )
    relatorio = json.loads(relatorio_arquivo.read_text(encoding="utf-8"))
    texto = _cauda(saida / "pytest.txt")
    resultados = ler_junit(junit, raiz) if junit.exists() else []
    execucao_pytest = relatorio["comandos"][0] if relatorio["comandos"] else {}
    erro = _erro_da_execucao(execucao_pytest, resultados, limites, texto)
    return Execucao(
        testes=resultados,
        cobertura=ler_cobertura(cobertura_json, raiz) if cobertura_json.exists() else None,
        duracao_s=round(duracao, 4),
        recursos={
            "duracao_s": round(duracao, 4),
            "cpu_s": sum(c["cpu_s"] for c in relatorio["comandos"]),
            "memoria_max_bytes": max((c["memoria_max_bytes"] for c in relatorio["comandos"]), default=0),
            "limites": asdict(limites),
        },
        isolamento=relatorio["isolamento"],
        saida=texto,
        erro=erro,
        comandos=relatorio["comandos"],
    )


def _cauda(caminho: Path) -> str:
    if not caminho.exists():
        return ""
    with caminho.open("rb") as arquivo:
        arquivo.seek(max(0, caminho.stat().st_size - SAIDA_MAX))
        return arquivo.read().decode("utf-8", errors="replace")


def _erro_da_execucao(comando: dict[str, Any], resultados: list[ResultadoTeste], limites: Limites, texto: str) -> str:
    if not comando:
        return "O sandbox não executou o pytest."
    if comando["tempo_esgotado"]:
        return (
            f"Tempo esgotado: a execução passou de {limites.tempo_total_s:g} s e todos os seus processos "
            "foram encerrados."
        )
    if comando["sinal"]:
        return f"O pytest foi encerrado pelo sinal {comando['sinal']}."
    retorno = comando["retorno"]
    if retorno == 5:
        return "Nenhum teste foi coletado."
    if retorno not in (0, 1):
        linhas = [linha for linha in texto.strip().splitlines() if linha.strip()][-5:]
        return f"O pytest terminou com o código {retorno}: " + " / ".join(linhas)[:MENSAGEM_MAX]
    if not resultados:
        return "O pytest não produziu resultados."
    return ""


# --- reading the results ---------------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_CASO = re.compile(r"\[([^\[\]]+)\]$")


def _arquivo_do_teste(classe: str, raiz: Path, atributo: str | None) -> str:
    if atributo:
        return atributo
    partes = classe.split(".")
    for fim in range(len(partes), 0, -1):
        candidato = "/".join(partes[:fim]) + ".py"
        if (raiz / candidato).exists():
            return candidato
    return classe.replace(".", "/")


def ler_junit(caminho: Path, raiz: Path) -> list[ResultadoTeste]:
    """Every ``testcase`` of a JUnit XML (xunit2), parsed without entities or DTDs (the file was
    written inside the sandbox)."""
    try:
        arvore = etree.parse(str(caminho), _PARSER)
    except etree.XMLSyntaxError as exc:
        return [ResultadoTeste("(junit)", "", "erro", f"O relatório JUnit é ilegível: {exc}")]
    resultados = []
    for caso in arvore.iter("testcase"):
        nome, classe = caso.get("name", ""), caso.get("classname", "")
        status, mensagem = "passou", ""
        for filho, rotulo in (("failure", "falhou"), ("error", "erro"), ("skipped", "pulou")):
            elemento = caso.find(filho)
            if elemento is not None:
                status = rotulo
                mensagem = (elemento.get("message") or "") + ("\n" + elemento.text if elemento.text else "")
                break
        marcado = _CASO.search(nome)
        resultados.append(
            ResultadoTeste(
                nome=nome if classe else f"(coleta) {nome}",
                arquivo=_arquivo_do_teste(classe, raiz, caso.get("file")) if classe else nome.replace(".", "/") + ".py",
                status=status,
                mensagem=mensagem.strip()[:MENSAGEM_MAX],
                duracao_s=float(caso.get("time") or 0),
                caso=marcado.group(1) if marcado else None,
            )
        )
    return resultados


def ler_cobertura(caminho: Path, raiz: Path) -> dict[str, Any]:
    """Lines and branches from coverage.py's JSON report, in total and per file (relative)."""
    dados = json.loads(caminho.read_text(encoding="utf-8"))
    arquivos = {}
    for nome, info in dados.get("files", {}).items():
        resumo = info["summary"]
        relativo = os.path.relpath(nome, raiz) if os.path.isabs(nome) else nome
        arquivos[relativo] = {
            "linhas": resumo["covered_lines"],
            "linhas_total": resumo["num_statements"],
            "ramos": resumo.get("covered_branches", 0),
            "ramos_total": resumo.get("num_branches", 0),
            "percentual": round(resumo["percent_covered"], 2),
            "faltando": info.get("missing_lines", [])[:200],
        }
    totais = dados.get("totals", {})
    return {
        "linhas": totais.get("covered_lines", 0),
        "linhas_total": totais.get("num_statements", 0),
        "ramos": totais.get("covered_branches", 0),
        "ramos_total": totais.get("num_branches", 0),
        "percentual": round(totais.get("percent_covered", 0.0), 2),
        "arquivos": arquivos,
    }
