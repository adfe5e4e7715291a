"""The sandbox's launcher: the first process inside the sandbox, run as ``python -I lancador.py``
by ``fabrica.desenvolvimento.sandbox`` (see ``docs/sandbox.md``), its configuration as JSON on
standard input and its report as JSON on standard output (nothing the generated code can write).

Standard library only, and nothing of PROMETHEUS: it runs with an empty environment, before any
generated code, and must not import the app. Three modes (``config["modo"]``):

- ``bwrap``: bubblewrap built the file system from nothing and the PID, network, IPC and UTS
  namespaces, set ``no_new_privs`` and the seccomp filter; this launcher is PID 1 there
  (``--as-pid-1``), still uid 0 with only ``CAP_SETUID``, ``CAP_SETGID`` and ``CAP_KILL``;
- ``namespaces`` (the fallback where bubblewrap cannot run: ``unshare --pid --fork --mount --net
  --mount-proc``): PID 1 of fresh PID, mount and network namespaces, root there. It covers the
  app's local state (``esconder``) with an empty tmpfs, makes the interpreter's directories
  (``expor``) reachable under a private home, remounts every mount read-only but the run's
  directories, and brings the loopback interface up;
- ``basico``: none of that, only the steps below.

Then, in every mode:

1. each command runs in a child with the rlimits (plain bytes and seconds), no supplementary
   groups and, when a ``uid`` is given, under that uid (so the process limit counts, which it
   does not for root); its output goes to a pipe this launcher reads (the tail is kept);
2. on the deadline, or when a command ends, every other process is killed (``kill(-1)`` from
   PID 1 reaches the ones that left the process group too);
3. once nothing of the generated code runs any more, the result files (``coletar``) are read
   without following symlinks, regular files only, size-capped, and go into the report.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import resource
import select
import signal
import socket
import stat
import struct
import sys
import time
from typing import Any

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_RELATIME = 1 << 21
_OPCOES = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}
# Left writable: /proc is the namespace's own, /dev holds only device nodes root owns (/dev/null).
_MANTER = ("/proc", "/dev", "/dev/pts")


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _codificar(texto: str | None) -> bytes | None:
    return texto.encode() if texto else None


def _mount(
    libc: ctypes.CDLL, origem: str | None, destino: str, flags: int, tipo: str | None = None, dados: str | None = None
) -> None:
    codificar = _codificar
    if libc.mount(codificar(origem), destino.encode(), codificar(tipo), flags, codificar(dados)) != 0:
        numero = ctypes.get_errno()
        raise OSError(numero, f"mount {destino}: {os.strerror(numero)}")


def _ancestral_privado(caminho: str) -> str | None:
    """The highest directory above ``caminho`` that others may not traverse (no o+x), if any."""
    atual = "/"
    for parte in [p for p in caminho.split("/") if p][:-1]:
        atual = os.path.join(atual, parte)
        if not os.stat(atual).st_mode & 0o001:
            return atual
    return None


def expor(libc: ctypes.CDLL, diretorios: list[str], trabalho: str) -> list[str]:
    """Makes each directory reachable by the sandbox's uid: a private ancestor (``/root``) is
    covered by a tmpfs that holds only these directories, bind-mounted back in place."""
    por_ancestral: dict[str, list[str]] = {}
    for diretorio in diretorios:
        ancestral = _ancestral_privado(diretorio)
        if ancestral is not None:
            if trabalho.startswith(ancestral + "/"):
                raise OSError(errno.EINVAL, f"o diretório de trabalho {trabalho} está dentro de {ancestral}")
            por_ancestral.setdefault(ancestral, []).append(diretorio)
    expostos = []
    for n, (ancestral, dentro) in enumerate(sorted(por_ancestral.items())):
        palco = []
        for i, diretorio in enumerate(dentro):
            ponto = os.path.join(trabalho, ".expor", f"{n}-{i}")
            os.makedirs(ponto)
            _mount(libc, diretorio, ponto, MS_BIND | MS_REC)
            palco.append((ponto, diretorio))
        _mount(libc, "tmpfs", ancestral, MS_NOSUID | MS_NODEV, "tmpfs", "mode=755")
        for ponto, diretorio in palco:
            os.makedirs(diretorio, mode=0o755, exist_ok=True)
            _mount(libc, ponto, diretorio, MS_MOVE)
            expostos.append(diretorio)
    return expostos


def _pontos_de_montagem() -> list[tuple[str, int]]:
    pontos = []
    with open("/proc/self/mountinfo", encoding="utf-8") as arquivo:
        for linha in arquivo:
            campos = linha.split()
            destino = campos[4].encode().decode("unicode_escape")  # \040 for a space
            flags = 0
            for opcao in campos[5].split(","):
                flags |= _OPCOES.get(opcao, 0)
            pontos.append((destino, flags))
    return pontos


def esconder(libc: ctypes.CDLL, diretorios: list[str], trabalho: str, expostos: list[str]) -> list[str]:
    """Covers each directory with an empty tmpfs (the app's local state: its SQLite database, its
    tokens), unless the work directory or the interpreter lives inside it."""
    escondidos = []
    for diretorio in diretorios:
        dentro = [c for c in [trabalho, *expostos] if c == diretorio or c.startswith(diretorio.rstrip("/") + "/")]
        if os.path.isdir(diretorio) and not dentro:
            _mount(libc, "tmpfs", diretorio, MS_NOSUID | MS_NODEV | MS_NOEXEC, "tmpfs", "mode=000,size=4k")
            escondidos.append(diretorio)
    return escondidos


def isolar_sistema_de_arquivos(
    trabalho: str, expor_tambem: list[str], esconder_tambem: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """The interpreter reachable, the app's state hidden, everything read-only, then the work
    directory writable again; returns (what stayed writable, what was exposed, what was hidden)."""
    libc = _libc()
    expostos = expor(libc, expor_tambem, trabalho)
    escondidos = esconder(libc, esconder_tambem, trabalho, expor_tambem)
    for destino, flags in _pontos_de_montagem():
        if destino in _MANTER or destino.startswith("/proc/"):
            continue
        try:
            _mount(libc, None, destino, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EINVAL, errno.ENOENT):
                raise
    _mount(libc, trabalho, trabalho, MS_BIND)
    _mount(libc, None, trabalho, MS_REMOUNT | MS_BIND)
    return [trabalho, *_MANTER], expostos, escondidos


def ligar_loopback() -> None:
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        pedido = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, siocgifflags, pedido))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH14s", b"lo", flags | iff_up, b""))


def _preparar_filho(config: dict[str, Any], saida: int) -> None:
    """In the child, before exec: output, limits, identity, directory. Runs between fork and exec."""
    os.dup2(saida, 1)
    os.dup2(saida, 2)
    nulo = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nulo, 0)
    limites = config["limites"]
    os.setsid() if config["modo"] == "basico" else os.setpgid(0, 0)
    for recurso, valor in (
        (resource.RLIMIT_AS, limites["memoria_bytes"]),
        (resource.RLIMIT_CPU, limites["cpu_s"]),
        (resource.RLIMIT_NOFILE, limites["arquivos_abertos"]),
        (resource.RLIMIT_FSIZE, limites["tamanho_arquivo_bytes"]),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(recurso, (valor, valor))
    uid = config.get("uid")
    if uid is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (limites["processos"], limites["processos"]))
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # from uid 0 to another: every capability is dropped with it
    elif os.geteuid() != 0:
        # Without a uid of its own the process limit counts every process of this user.
        resource.setrlimit(resource.RLIMIT_NPROC, (limites["processos"], limites["processos"]))
    os.chdir(config["raiz"])


def _matar_o_resto(sou_init: bool, grupo: int) -> None:
    if sou_init:
        try:
            os.kill(-1, signal.SIGKILL)  # every process of the namespace but this one
        except ProcessLookupError:
            pass
    else:
        try:
            os.killpg(grupo, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _colher_todos() -> None:
    """Reaps every process of the namespace (all are this PID 1's children by now), killing again
    whatever a fork racing the first kill(-1) made."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            _matar_o_resto(True, 0)
            time.sleep(0.005)


class Cauda:
    """The last ``maximo`` bytes of a stream (the generated code can print without end)."""

    def __init__(self, maximo: int) -> None:
        self.maximo = maximo
        self.dados = bytearray()

    def ler(self, fd: int) -> bool:
        """Reads what is there; False at end of file."""
        try:
            bloco = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not bloco:
            return False
        self.dados += bloco
        if len(self.dados) > 2 * self.maximo:
            del self.dados[: len(self.dados) - self.maximo]
        return True

    def texto(self) -> str:
        return bytes(self.dados[-self.maximo :]).decode("utf-8", errors="replace")


def executar(config: dict[str, Any], comando: list[str], prazo: float, cauda: Cauda) -> dict[str, Any]:
    sou_init = config["modo"] != "basico"
    antes = resource.getrusage(resource.RUSAGE_CHILDREN)
    inicio = time.monotonic()
    leitura, escrita = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(leitura)
            _preparar_filho(config, escrita)
            os.execve(comando[0], comando, config["ambiente"])  # noqa: S606 - the sandboxed command
        except BaseException as exc:  # noqa: BLE001 - report and leave, whatever it was
            os.write(2, f"lancador: {type(exc).__name__}: {exc}\n".encode())
        finally:
            os._exit(127)
    os.close(escrita)
    os.set_blocking(leitura, False)
    aberto = True
    esgotado = False
    status = 0
    while True:
        pronto, status = os.waitpid(pid, os.WNOHANG)
        if pronto:
            break
        if time.monotonic() >= prazo:
            esgotado = True
            _matar_o_resto(sou_init, pid)
            os.kill(pid, signal.SIGKILL) if not sou_init else None
            _, status = os.waitpid(pid, 0)
            break
        if aberto:
            legiveis, _, _ = select.select([leitura], [], [], 0.01)
            if legiveis:
                aberto = cauda.ler(leitura)
        else:
            time.sleep(0.01)
    # Whatever the command left behind (daemons, a fork bomb's children) ends with it.
    _matar_o_resto(sou_init, pid)
    if sou_init:
        _colher_todos()
    while aberto and select.select([leitura], [], [], 0)[0]:
        aberto = cauda.ler(leitura)  # what is left in the pipe (every writer is dead)
    os.close(leitura)
    depois = resource.getrusage(resource.RUSAGE_CHILDREN)
    retorno = os.waitstatus_to_exitcode(status)
    return {
        "comando": comando[1:4],
        "retorno": retorno,
        "sinal": signal.Signals(-retorno).name if retorno < 0 else "",
        "tempo_esgotado": esgotado,
        "duracao_s": round(time.monotonic() - inicio, 4),
        "cpu_s": round(
            (depois.ru_utime - antes.ru_utime) + (depois.ru_stime - antes.ru_stime),
            4,
        ),
        "memoria_max_bytes": depois.ru_maxrss * 1024,
    }


def ler_resultado(caminho: str, maximo: int) -> tuple[str | None, str]:
    """A result file the generated code wrote: opened without following a symlink, a regular file
    only, at most ``maximo`` bytes; (text, "") or (None, why not)."""
    try:
        fd = os.open(caminho, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, f"{os.path.basename(caminho)}: {os.strerror(exc.errno or 0)} (um link simbólico é recusado)"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, f"{os.path.basename(caminho)}: não é um arquivo comum"
        if info.st_nlink != 1:  # a hard link to a file elsewhere
            return None, f"{os.path.basename(caminho)}: tem {info.st_nlink} links no disco"
        if info.st_size > maximo:
            return None, f"{os.path.basename(caminho)}: {info.st_size} bytes, acima do limite de {maximo}"
        partes, total = [], 0
        while total <= maximo:
            bloco = os.read(fd, 1 << 20)
            if not bloco:
                break
            partes.append(bloco)
            total += len(bloco)
        if total > maximo:  # it grew after fstat
            return None, f"{os.path.basename(caminho)}: acima do limite de {maximo} bytes"
        conteudo = b"".join(partes)
        return conteudo.decode("utf-8", errors="replace"), ""
    finally:
        os.close(fd)


def _nao_depuravel() -> None:
    """PR_SET_DUMPABLE 0: a process of the same uid (the basic mode) cannot ptrace this one or
    open its /proc/<pid>/fd (the report's pipe)."""
    libc = _libc()
    libc.prctl(4, 0, 0, 0, 0)


def main() -> int:
    config = json.loads(sys.stdin.buffer.read())
    relatorio_fd = os.dup(1)
    nulo = os.open(os.devnull, os.O_RDWR)
    os.dup2(nulo, 0)
    os.dup2(nulo, 1)  # nothing but the report reaches the parent's pipe
    _nao_depuravel()
    modo = config["modo"]
    relatorio: dict[str, Any] = {"isolamento": {"modo": modo}, "comandos": []}
    if modo != "basico":
        relatorio["isolamento"]["pid_1"] = os.getpid() == 1
    if modo == "namespaces":
        gravavel, expostos, escondidos = isolar_sistema_de_arquivos(
            config["trabalho"], config.get("expor", []), config.get("esconder", [])
        )
        relatorio["isolamento"]["gravavel"] = gravavel
        relatorio["isolamento"]["expostos"] = expostos
        relatorio["isolamento"]["escondidos"] = escondidos
        ligar_loopback()
        relatorio["isolamento"]["rede"] = "somente loopback"
    relatorio["isolamento"]["uid"] = config.get("uid")
    prazo = time.monotonic() + config["limites"]["tempo_total_s"]
    cauda = Cauda(config["saida_max"])
    for comando in config["comandos"]:
        resultado = executar(config, comando, prazo, cauda)
        relatorio["comandos"].append(resultado)
        if resultado["tempo_esgotado"]:
            break
    relatorio["saida"] = cauda.texto()
    relatorio["resultados"], relatorio["problemas"] = {}, []
    for nome, (caminho, maximo) in config.get("coletar", {}).items():
        texto, problema = ler_resultado(caminho, maximo)
        relatorio["resultados"][nome] = texto
        if problema:
            relatorio["problemas"].append(problema)
    with os.fdopen(relatorio_fd, "w", encoding="utf-8") as saida:
        json.dump(relatorio, saida)
    return 0


if __name__ == "__main__":
    sys.exit(main())
