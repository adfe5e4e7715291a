"""The sandbox's launcher: the first process inside the sandbox, run as ``python -I lancador.py
<config.json>`` by ``fabrica.desenvolvimento.sandbox`` (see ``docs/sandbox.md``).

Standard library only, and nothing of PROMETHEUS: it runs with an empty environment, before any
generated code, and must not import the app. With ``isolar`` it is PID 1 of fresh PID, mount and
network namespaces (``unshare --pid --fork --mount --net --mount-proc``), still root there:

1. the app's local state (``esconder``: its ``var/`` with the SQLite database) is covered by an
   empty tmpfs; the interpreter's directories (``expor``) are made reachable even when they sit under a
   private directory (pyenv under ``/root``): that directory is covered by an empty tmpfs holding
   only them, which also hides the rest of it; then every mount becomes read-only in the
   namespace, except ``/proc`` and ``/dev`` (``/dev/shm`` is read-only too), and the work
   directory is bind-mounted back read-write: the only place the generated code can write;
2. the loopback interface is brought up (a fresh network namespace has only ``lo``, down), so a
   generated mock server on 127.0.0.1 works and nothing else is reachable;
3. each command runs in a child with the rlimits (plain bytes and seconds), no supplementary
   groups and, when a ``uid`` is given, under that uid (so the process limit counts, which it
   does not for root);
4. on the deadline, or when a command ends, every other process in the namespace is killed
   (``kill(-1)`` from PID 1 reaches the ones that left the process group too).

Without ``isolar`` (no root or no namespaces) only steps 3–4 apply, with the children in their
own process group. The outcome goes to ``<saida>/lancador.json``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import resource
import signal
import socket
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


def _mount(
    libc: ctypes.CDLL, origem: str | None, destino: str, flags: int, tipo: str | None = None, dados: str | None = None
) -> None:
    def codificar(texto: str | None) -> bytes | None:
        return texto.encode() if texto else None

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


def _preparar_filho(config: dict[str, Any]) -> None:
    """In the child, before exec: limits, identity, directory. Runs between fork and exec."""
    limites = config["limites"]
    os.setsid() if not config["isolar"] else os.setpgid(0, 0)
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
        os.setresuid(uid, uid, uid)
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
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.005)


def executar(config: dict[str, Any], comando: list[str], prazo: float, saida: str) -> dict[str, Any]:
    antes = resource.getrusage(resource.RUSAGE_CHILDREN)
    inicio = time.monotonic()
    with open(saida, "ab") as destino:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.dup2(destino.fileno(), 1)
                os.dup2(destino.fileno(), 2)
                nulo = os.open(os.devnull, os.O_RDONLY)
                os.dup2(nulo, 0)
                _preparar_filho(config)
                os.execve(comando[0], comando, config["ambiente"])  # noqa: S606 - the sandboxed command
            except BaseException as exc:  # noqa: BLE001 - report and leave, whatever it was
                os.write(2, f"lancador: {type(exc).__name__}: {exc}\n".encode())
            finally:
                os._exit(127)
    esgotado = False
    status = 0
    while True:
        pronto, status = os.waitpid(pid, os.WNOHANG)
        if pronto:
            break
        if time.monotonic() >= prazo:
            esgotado = True
            _matar_o_resto(config["isolar"], pid)
            os.kill(pid, signal.SIGKILL) if not config["isolar"] else None
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.01)
    # Whatever the command left behind (daemons, a fork bomb's children) ends with it.
    _matar_o_resto(config["isolar"], pid)
    if config["isolar"]:
        _colher_todos()
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


def main(caminho: str) -> int:
    with open(caminho, encoding="utf-8") as arquivo:
        config = json.load(arquivo)
    relatorio: dict[str, Any] = {"isolamento": {"modo": "completo" if config["isolar"] else "basico"}, "comandos": []}
    if config["isolar"]:
        relatorio["isolamento"]["pid_1"] = os.getpid() == 1
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
    for comando in config["comandos"]:
        resultado = executar(config, comando, prazo, config["saida_texto"])
        relatorio["comandos"].append(resultado)
        if resultado["tempo_esgotado"]:
            break
    with open(config["relatorio"], "w", encoding="utf-8") as arquivo:
        json.dump(relatorio, arquivo)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
