"""Runs generated tests away from the app (what it isolates and why: ``docs/sandbox.md``).

``executar`` writes a release root into a fresh temporary directory and runs
``python -m coverage run --branch -m pytest`` there through ``lancador.py``; ``executar_comando``
runs any command in a copy of a directory the same way (a deployment's smoke checks). The
isolation, best first (``isolamento_disponivel``):

- ``bwrap`` (bubblewrap, the sandbox Flatpak uses): a file system built from nothing (the
  interpreter's directories and ``/usr`` read-only, the run's directories read-write, a private
  ``/tmp`` and ``/dev/shm``, a minimal ``/dev``, a ``/proc`` of its own; no host ``/run``, home,
  ``var/`` or checkout, so no host Unix socket), new PID, network (loopback only), IPC and UTS
  namespaces, a new session, ``no_new_privs`` and a seccomp filter (``seccomp.py``);
- ``namespaces`` (the isolation before bubblewrap, the fallback where it cannot run): ``unshare``
  PID, mount and network namespaces, every mount read-only but the run's directory;
- ``basico``: only what follows.

In every mode: an empty environment (``PATH``, ``HOME`` and ``TMPDIR`` inside the directory,
``LANG``: no ``DATABASE_URL``, no ``SECRET_KEY``), its own session, a wall-clock deadline after
which every process is killed, rlimits in plain bytes and seconds (address space, CPU, open
files, file size, no core dumps, processes) under a uid of its own when running as root, and
per-test timeouts (pytest-timeout, signal method).

Every step runs inside the sandbox (``coverage json`` too), and nothing the sandboxed uid can
write is read by the parent: the launcher reads the result files once the generated code is
dead (no symlink followed, regular files only, size-capped) and sends them with its report
through a pipe. Pure Python: no Django.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from fabrica.desenvolvimento import seccomp

LANCADOR = Path(__file__).resolve().parent / "lancador.py"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"
BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"
INSTALAR_BWRAP = "apt-get install bubblewrap"
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


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Under ``coverage run``, the JSON report is written here by the process that measured it
    (a ``coverage json`` of its own was one more interpreter start, import and data load)."""
    destino = os.environ.get("PROMETHEUS_COBERTURA_JSON")
    if not destino or os.getpid() != _PRINCIPAL:
        return
    try:
        import coverage

        medicao = coverage.Coverage.current()
        if medicao is not None:
            medicao.stop()
            medicao.json_report(outfile=destino)
    except Exception:  # no report, as when nothing was measured: the run's results stand
        pass
'''
# auto: the best this machine offers; completo: bwrap or namespaces, never basico; the others: that one.
ISOLAMENTOS = ("auto", "completo", "bwrap", "namespaces", "basico")
SAIDA_MAX = 20_000  # bytes of pytest's output kept (its tail)
MENSAGEM_MAX = 4_000
RESULTADO_MAX = 32 << 20  # bytes of a result file (JUnit XML, coverage JSON) the launcher reads
RELATORIO_MAX = 3 * RESULTADO_MAX  # bytes of the launcher's report
_log = logging.getLogger("fabrica.sandbox")


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


def _cobertura_json(trabalho: Path) -> Path:
    """Where the sandbox plugin writes a run's coverage report and the launcher collects it."""
    return trabalho / "saida" / "cobertura.json"


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
        "PROMETHEUS_COBERTURA_JSON": str(_cobertura_json(trabalho)),
    }


def _bwrap_funciona() -> str:
    """'' when bubblewrap runs here with the namespaces the sandbox asks for, else why not."""
    if not os.path.exists(BWRAP):
        return f"bubblewrap (bwrap) não está instalado ({INSTALAR_BWRAP})"
    # every option a run uses (--perms and --size on a tmpfs need bubblewrap 0.8): an older one falls back
    argv = [BWRAP, *_bwrap_base(), "--as-pid-1", "--ro-bind", "/usr", "/usr", *_ligacoes_de_sistema()]
    argv += ["--perms", "1777", "--size", "1048576", "--tmpfs", "/tmp", "--", "/usr/bin/true"]  # noqa: S108
    try:
        feito = subprocess.run(argv, capture_output=True, timeout=20, env={"PATH": "/usr/bin:/bin"}, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap não pôde ser executado: {exc}"
    if feito.returncode != 0:
        return "bubblewrap não pôde criar os namespaces: " + feito.stderr.decode(errors="replace").strip()[-300:]
    return ""


def _namespaces_funcionam() -> str:
    if os.geteuid() != 0:
        return "o isolamento por namespaces sem bubblewrap pede root"
    if not Path(UNSHARE).exists():
        return "unshare não está instalado"
    try:
        subprocess.run(
            [UNSHARE, "--pid", "--fork", "--mount", "--net", "--mount-proc", "true"],
            check=True,
            capture_output=True,
            timeout=10,
            env={"PATH": "/usr/bin:/bin"},
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unshare falhou: {exc}"
    return ""


@functools.cache
def isolamentos() -> dict[str, str]:
    """Each isolation mode → '' when it runs on this machine, else why it does not (probed once
    per process)."""
    return {"bwrap": _bwrap_funciona(), "namespaces": _namespaces_funcionam(), "basico": ""}


def isolamento_disponivel() -> str:
    """The best mode this machine runs: ``bwrap``, else ``namespaces``, else ``basico``."""
    return next(modo for modo, motivo in isolamentos().items() if not motivo)


def aviso_de_isolamento(isolamento: str = "auto") -> str:
    """What ``isolamento`` falls back to here and why ('' when it gets bubblewrap): said at start
    and recorded with every run."""
    if isolamento not in ("auto", "completo"):
        return ""
    modo = isolamento_disponivel()
    if modo == "bwrap":
        return ""
    return (
        f"Sandbox sem bubblewrap ({isolamentos()['bwrap']}): usando o isolamento {modo}, mais fraco "
        f"(docs/sandbox.md). Instale com: {INSTALAR_BWRAP}."
    )


def escolher_isolamento(isolamento: str) -> str:
    """The mode a run uses for the setting ``isolamento``; ErroSandbox when it cannot run here."""
    if isolamento not in ISOLAMENTOS:
        raise ValueError(f"Isolamento desconhecido {isolamento!r}; use {', '.join(ISOLAMENTOS)}.")
    if isolamento == "auto":
        return isolamento_disponivel()
    if isolamento == "completo":
        modo = isolamento_disponivel()
        if modo == "basico":
            raise ErroSandbox(
                "O isolamento completo do sandbox pede bubblewrap ou root com unshare; esta máquina só oferece o "
                f"básico ({isolamentos()['bwrap']}; {isolamentos()['namespaces']})."
            )
        return modo
    motivo = isolamentos()[isolamento]
    if motivo:
        raise ErroSandbox(f"O isolamento {isolamento} do sandbox não roda nesta máquina: {motivo}.")
    return isolamento


@functools.cache
def _prefixos_do_interpretador(python: str) -> tuple[str, ...]:
    """An interpreter's venv and base installation, as it names them (a venv found through a
    symlinked path keeps that path: its pyvenv.cfg is looked up there)."""
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        return tuple(sorted({sys.prefix, sys.base_prefix}))
    saida = subprocess.run(
        [python, "-I", "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    return tuple(sorted({linha for linha in saida.splitlines() if linha}))


def _diretorios_do_interpretador(python: str) -> tuple[str, ...]:
    """Where an interpreter lives (its venv and its base installation): what the sandbox must see."""
    return tuple(sorted({os.path.realpath(p) for p in _prefixos_do_interpretador(python)}))


UID_BASE = 61000
_UIDS = 32


@contextlib.contextmanager
def _uid_livre(base: int) -> Iterator[int]:
    """A uid of the sandbox's own for this run (a slot taken with a lock file): the process limit
    counts every process of a uid, so two runs at once never share one. The lock is named by
    the uid, in the host's temporary directory: uids belong to the host, so two nodes (cluster
    processes) on one host never take the same uid, whatever range each was given."""
    pasta = Path(tempfile.gettempdir()) / "prometheus-sandbox-uids"
    pasta.mkdir(mode=0o700, exist_ok=True)
    while True:
        for n in range(_UIDS):
            arquivo = open(pasta / f"uid-{base + n}.lock", "w")  # noqa: SIM115 - held for the whole run
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


# --- bubblewrap's command line ------------------------------------------------------------------------


def _bwrap_base() -> list[str]:
    """Namespaces, session and privileges: as root, bwrap keeps uid 0 inside with only the three
    capabilities the launcher needs to drop to the run's uid and to kill what it leaves; as
    another user, a user namespace of its own where no further one can be made."""
    base = [
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--hostname",
        "sandbox",
    ]
    if os.geteuid() == 0:
        capacidades = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL")
        return [*base, "--cap-drop", "ALL", *[a for c in capacidades for a in ("--cap-add", c)]]
    return [*base, "--unshare-user", "--disable-userns"]


def _ligacoes_de_sistema() -> list[str]:
    """/bin, /lib… as on the host: symlinks into /usr (merged /usr), else read-only binds."""
    argv = []
    for nome in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        caminho = Path("/") / nome
        if caminho.is_symlink():
            argv += ["--symlink", os.readlink(caminho), str(caminho)]
        elif caminho.is_dir():
            argv += ["--ro-bind", str(caminho), str(caminho)]
    return argv


def _etc(trabalho: Path, uid: int | None) -> Path:
    """The sandbox's /etc files: a user for the run's uid, localhost, no DNS."""
    etc = trabalho / "etc"
    etc.mkdir(mode=0o755)
    numero = os.geteuid() if uid is None else uid
    home = trabalho / "home"
    (etc / "passwd").write_text(
        f"root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:{numero}:{numero}:sandbox:{home}:/usr/sbin/nologin\n"
    )
    (etc / "group").write_text(f"root:x:0:\nsandbox:x:{numero}:\n")
    (etc / "hosts").write_text("127.0.0.1\tlocalhost sandbox\n::1\tlocalhost\n")
    (etc / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files\n")
    return etc


def _argv_bwrap(trabalho: Path, python: str, limites: Limites, uid: int | None, seccomp_fd: int | None) -> list[str]:
    argv = [BWRAP, *_bwrap_base(), "--as-pid-1", "--ro-bind", "/usr", "/usr", *_ligacoes_de_sistema()]
    tamanho = str(int(limites.tamanho_arquivo_bytes))
    argv += ["--proc", "/proc", "--dev", "/dev"]
    # private, in the sandbox's own mount namespace, size-capped (not the host's /tmp)
    argv += ["--perms", "1777", "--size", tamanho, "--tmpfs", "/tmp"]  # noqa: S108
    argv += ["--perms", "1777", "--size", tamanho, "--tmpfs", "/dev/shm"]  # noqa: S108
    ligacoes: list[tuple[str, str, str]] = []  # (option, source, destination)
    for prefixo in _prefixos_do_interpretador(python):
        real = os.path.realpath(prefixo)
        if not real.startswith("/usr/"):
            ligacoes += [("--ro-bind", real, real)] + ([("--ro-bind", real, prefixo)] if prefixo != real else [])
    etc = _etc(trabalho, uid)
    ligacoes += [("--ro-bind", str(etc / nome), f"/etc/{nome}") for nome in sorted(os.listdir(etc))]
    ligacoes += [("--ro-bind-try", arquivo, arquivo) for arquivo in ("/etc/ld.so.cache", "/etc/localtime")]
    ligacoes += [("--bind", str(trabalho / sub), str(trabalho / sub)) for sub in _GRAVAVEIS]
    ligacoes += [("--ro-bind", str(trabalho / "plugin"), str(trabalho / "plugin"))]
    ligacoes += [("--ro-bind", str(LANCADOR), str(trabalho / "lancador.py"))]
    # bwrap makes a destination's missing parents 0700: made first, traversable (the run's
    # directory as on the host, 0711: nothing to list).
    feitas = {"/", "/tmp", "/dev", "/proc", "/usr"}  # noqa: S108 - the sandbox's tmpfs above
    for _opcao, _origem, destino in ligacoes:
        for pasta in reversed(PurePosixPath(destino).parents):
            if str(pasta) not in feitas and not str(pasta).startswith("/usr/"):
                feitas.add(str(pasta))
                argv += ["--perms", "0711" if str(pasta) == str(trabalho) else "0755", "--dir", str(pasta)]
    for opcao, origem, destino in ligacoes:
        argv += [opcao, origem, destino]
    # no --chdir: the launcher (uid 0 without CAP_DAC_OVERRIDE) need not enter the uid's directory;
    # each command's child enters it once it is that uid
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    return [*argv, "--", python, "-I", str(trabalho / "lancador.py")]


# --- running ---------------------------------------------------------------------------------------

# What the sandboxed uid owns and may write; the rest of the run's directory is root's.
_GRAVAVEIS = ("raiz", "saida", "tmp", "home")


def _escrever(raiz: Path, arquivos: Mapping[str, str]) -> None:
    for caminho, conteudo in arquivos.items():
        relativo = PurePosixPath(caminho)
        if relativo.is_absolute() or ".." in relativo.parts or not relativo.parts:
            raise ValueError(f"Caminho de artefato fora da raiz da release: {caminho!r}.")
        destino = raiz.joinpath(*relativo.parts)
        destino.parent.mkdir(parents=True, exist_ok=True)
        destino.write_text(conteudo, encoding="utf-8")


def _entregar(trabalho: Path, uid: int | None) -> None:
    """The writable directories to the run's uid; the run's directory itself, the plugin and the
    /etc files stay root's (the uid cannot replace them: nothing it writes is run outside it)."""
    os.chmod(trabalho, 0o711)  # noqa: S103 - traversable by the run's uid, nothing to list
    if uid is None:
        return
    for sub in _GRAVAVEIS:
        for pasta, dirs, arquivos in os.walk(trabalho / sub):
            os.chown(pasta, uid, uid, follow_symlinks=False)
            for nome in arquivos + [d for d in dirs if os.path.islink(os.path.join(pasta, d))]:
                # a symlink in a copied directory is handed over itself, never what it points to
                os.chown(os.path.join(pasta, nome), uid, uid, follow_symlinks=False)


@contextlib.contextmanager
def _diretorio_de_trabalho() -> Iterator[Path]:
    trabalho = Path(tempfile.mkdtemp(prefix="prometheus-sbx-"))
    try:
        for sub in (*_GRAVAVEIS, "plugin"):
            (trabalho / sub).mkdir()
        (trabalho / "plugin" / "prometheus_sandbox.py").write_text(PLUGIN, encoding="utf-8")
        yield trabalho
    finally:
        shutil.rmtree(trabalho, ignore_errors=True)


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
    generated code must not see (with bubblewrap nothing of the host is there to hide; in the
    namespaces mode they are covered by an empty file system).
    """
    limites = limites or Limites()
    modo = escolher_isolamento(isolamento)
    python = python or sys.executable
    with _diretorio_de_trabalho() as trabalho:
        raiz = trabalho / "raiz"
        _escrever(raiz, arquivos)
        fontes = [str(raiz / c) for c in cobertura_de]
        saida = trabalho / "saida"
        junit, cobertura_json = saida / "junit.xml", _cobertura_json(trabalho)
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
        if fontes:  # the plugin writes the JSON report when pytest ends (PROMETHEUS_COBERTURA_JSON)
            comandos = [[python, "-m", "coverage", "run", "--branch", f"--source={','.join(fontes)}", *pytest_args]]
        else:  # nothing to measure: no tracer slowing the run down
            comandos = [[python, *pytest_args]]
        coletar = {"junit": str(junit), "cobertura": str(cobertura_json)}
        with _uid_livre(uid_base) if _com_uid(modo) else contextlib.nullcontext(None) as uid:
            relatorio, duracao = _rodar(
                trabalho, comandos, coletar, limites, python, modo, uid, list(esconder), isolamento
            )
        return _execucao(relatorio, duracao, raiz, limites)


def _com_uid(modo: str) -> bool:
    """A uid of the run's own: only root can switch to one (bubblewrap as another user keeps its uid)."""
    return modo != "basico" and os.geteuid() == 0


def _execucao(relatorio: dict[str, Any], duracao: float, raiz: Path, limites: Limites) -> Execucao:
    texto = relatorio["saida"]
    junit = relatorio["resultados"].get("junit")
    resultados = ler_junit_texto(junit, raiz) if junit is not None else []
    execucao_pytest = relatorio["comandos"][0] if relatorio["comandos"] else {}
    erro = _erro_da_execucao(execucao_pytest, resultados, limites, texto)
    if relatorio["problemas"] and not erro:
        erro = "Resultados recusados: " + "; ".join(relatorio["problemas"])[:MENSAGEM_MAX]
    cobertura = relatorio["resultados"].get("cobertura")
    return Execucao(
        testes=resultados,
        cobertura=ler_cobertura_texto(cobertura, raiz) if cobertura is not None else None,
        duracao_s=round(duracao, 4),
        recursos=_recursos(relatorio, duracao, limites),
        isolamento=relatorio["isolamento"],
        saida=texto,
        erro=erro,
        comandos=relatorio["comandos"],
    )


def _recursos(relatorio: dict[str, Any], duracao: float, limites: Limites) -> dict[str, Any]:
    return {
        "duracao_s": round(duracao, 4),
        "cpu_s": sum(c["cpu_s"] for c in relatorio["comandos"]),
        "memoria_max_bytes": max((c["memoria_max_bytes"] for c in relatorio["comandos"]), default=0),
        "limites": asdict(limites),
    }


@dataclass
class ExecucaoComando:
    """A command run by ``executar_comando``: how it ended and the tail of its output."""

    retorno: int | None
    tempo_esgotado: bool
    duracao_s: float
    saida: str
    isolamento: dict[str, Any]
    recursos: dict[str, Any]


def executar_comando(
    origem: Path,
    argv: list[str],
    *,
    limites: Limites | None = None,
    python: str | None = None,
    isolamento: str = "auto",
    uid_base: int = UID_BASE,
    esconder: list[str] = (),  # type: ignore[assignment]
    enquanto_espera: Callable[[], None] | None = None,
) -> ExecucaoComando:
    """Runs ``argv`` in a copy of the directory ``origem`` under the same sandbox and limits as
    the generated tests (``{python}`` in ``argv`` is the sandbox's interpreter); the copy goes
    with the run, so nothing the command does reaches ``origem``."""
    limites = limites or Limites()
    modo = escolher_isolamento(isolamento)
    python = python or sys.executable
    with _diretorio_de_trabalho() as trabalho:
        raiz = trabalho / "raiz"
        shutil.rmtree(raiz)
        shutil.copytree(origem, raiz, symlinks=True)
        comando = [a.replace("{python}", python) for a in argv]
        if comando and not os.path.isabs(comando[0]):
            comando[0] = shutil.which(comando[0], path=_ambiente(trabalho)["PATH"]) or comando[0]
        with _uid_livre(uid_base) if _com_uid(modo) else contextlib.nullcontext(None) as uid:
            relatorio, duracao = _rodar(
                trabalho, [comando], {}, limites, python, modo, uid, list(esconder), isolamento, enquanto_espera
            )
    resultado = relatorio["comandos"][0] if relatorio["comandos"] else {}
    return ExecucaoComando(
        retorno=resultado.get("retorno"),
        tempo_esgotado=bool(resultado.get("tempo_esgotado")),
        duracao_s=round(duracao, 4),
        saida=relatorio["saida"],
        isolamento=relatorio["isolamento"],
        recursos=_recursos(relatorio, duracao, limites),
    )


def _rodar(
    trabalho: Path,
    comandos: list[list[str]],
    coletar: dict[str, str],
    limites: Limites,
    python: str,
    modo: str,
    uid: int | None,
    esconder: list[str],
    isolamento: str,
    enquanto_espera: Callable[[], None] | None = None,
) -> tuple[dict[str, Any], float]:
    """Runs ``comandos`` through the launcher in mode ``modo``; its report and the wall time."""
    config = {
        "modo": modo,
        "uid": uid,
        "trabalho": str(trabalho),
        "raiz": str(trabalho / "raiz"),
        "ambiente": _ambiente(trabalho),
        "expor": list(_diretorios_do_interpretador(python)) if modo == "namespaces" else [],
        "esconder": [os.path.realpath(d) for d in esconder],
        "comandos": comandos,
        "coletar": {nome: [caminho, RESULTADO_MAX] for nome, caminho in coletar.items()},
        "saida_max": SAIDA_MAX,
        "limites": {
            "tempo_total_s": limites.tempo_total_s,
            "memoria_bytes": int(limites.memoria_bytes),
            "cpu_s": int(limites.cpu_s),
            "processos": int(limites.processos),
            "arquivos_abertos": int(limites.arquivos_abertos),
            "tamanho_arquivo_bytes": int(limites.tamanho_arquivo_bytes),
        },
    }
    _entregar(trabalho, uid)
    filtro = seccomp.filtro() if modo == "bwrap" else None
    with contextlib.ExitStack() as pilha:
        passar: tuple[int, ...] = ()
        if modo == "bwrap":
            fd = None
            if isinstance(filtro, bytes):
                fd = os.memfd_create("prometheus-seccomp")
                pilha.callback(os.close, fd)
                os.write(fd, filtro)
                os.lseek(fd, 0, os.SEEK_SET)
                passar = (fd,)
            argv = _argv_bwrap(trabalho, python, limites, uid, fd)
        elif modo == "namespaces":
            argv = [UNSHARE, "--pid", "--fork", "--mount", "--net", "--mount-proc", python, "-I", str(LANCADOR)]
        else:
            argv = [python, "-I", str(LANCADOR)]
        inicio = time.monotonic()
        saida, erro, retorno = _esperar(argv, json.dumps(config).encode(), passar, limites, enquanto_espera)
        duracao = time.monotonic() - inicio
    try:
        if len(saida) > RELATORIO_MAX:
            raise ValueError("relatório grande demais")
        relatorio: dict[str, Any] = json.loads(saida)
    except ValueError:
        raise ErroSandbox(
            f"O sandbox não terminou a execução (o lançador saiu com {retorno}): "
            f"{erro.decode(errors='replace')[-2000:]}"
        ) from None
    if modo == "bwrap":
        relatorio["isolamento"].update(
            rede="somente loopback",
            namespaces=["mount", "pid", "net", "ipc", "uts", *([] if uid is not None else ["user"])],
            sistema_de_arquivos="construído do zero",
            seccomp="ativo" if isinstance(filtro, bytes) else f"indisponível: {filtro}",
        )
    aviso = aviso_de_isolamento(isolamento)
    if aviso:
        relatorio["isolamento"]["aviso"] = aviso
        _avisar_uma_vez(aviso)
    return relatorio, duracao


def _esperar(
    argv: list[str],
    entrada: bytes,
    passar: tuple[int, ...],
    limites: Limites,
    enquanto_espera: Callable[[], None] | None,
) -> tuple[bytes, bytes, int | None]:
    """Runs the launcher (config on stdin, report on stdout); kills its session if it outlives the
    deadline by 15 s. ``enquanto_espera`` is called about four times a second meanwhile."""
    processo = subprocess.Popen(
        argv,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        pass_fds=passar,
    )
    limite = time.monotonic() + limites.tempo_total_s + 15
    entrada_pendente: bytes | None = entrada
    try:
        while True:
            try:
                saida, erro = processo.communicate(
                    input=entrada_pendente, timeout=0.25 if enquanto_espera else max(0.0, limite - time.monotonic())
                )
                break
            except subprocess.TimeoutExpired:
                entrada_pendente = None
                if time.monotonic() >= limite:
                    # The launcher itself hung: the whole session goes (PID 1 of the namespace with it).
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(processo.pid, signal.SIGKILL)
                    saida, erro = processo.communicate()
                    break
                if enquanto_espera:
                    enquanto_espera()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(processo.pid, signal.SIGKILL)
        processo.wait()
    return saida, erro, processo.returncode


_avisados: set[str] = set()


def _avisar_uma_vez(aviso: str) -> None:
    if aviso not in _avisados:
        _avisados.add(aviso)
        _log.warning(aviso)


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
        if os.path.lexists(raiz / candidato):
            return candidato
    return classe.replace(".", "/")


def ler_junit_texto(texto: str, raiz: Path) -> list[ResultadoTeste]:
    """Every ``testcase`` of a JUnit XML (xunit2), parsed without entities or DTDs (it was
    written inside the sandbox)."""
    try:
        arvore = etree.fromstring(texto.encode("utf-8"), _PARSER)
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


def ler_cobertura_texto(texto: str, raiz: Path) -> dict[str, Any] | None:
    """Lines and branches from coverage.py's JSON report, in total and per file (relative);
    None when it is not one (it was written inside the sandbox)."""
    try:
        dados = json.loads(texto)
        return _cobertura(dados, raiz)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _cobertura(dados: dict[str, Any], raiz: Path) -> dict[str, Any]:
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
