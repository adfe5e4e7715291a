"""The release archive a target deploys, and unpacking one without trusting it.

``arquivo_da_release`` writes the zip of a release's artefacts (``Release.artefatos``, each
checked against its recorded sha256). ``desempacotar`` reads a zip or a tar and refuses, before
writing anything, absolute paths, ``..``, links, device files, FIFOs, duplicate names and
archives over the size limits: an artefact path comes from generated code and templates a spec
repository may override, so it is input like any other.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

# Written at the root of every unpacked release: what it holds, so a reader (the bench, a
# verification) can tell a complete release from a partial one.
MANIFESTO = ".prometheus-manifesto.json"
MAX_ARQUIVOS = 100_000
MAX_BYTES = 2 * 1024**3
_DATA_ZIP = (2020, 1, 1, 0, 0, 0)  # fixed: the same artefacts make the same archive


class ArquivoInvalido(Exception):
    """The archive holds something that must not be unpacked; ``problemas`` lists each member."""

    def __init__(self, problemas: list[str]) -> None:
        super().__init__(
            "; ".join(problemas[:10]) + (f" (e mais {len(problemas) - 10})" if len(problemas) > 10 else "")
        )
        self.problemas = problemas


def _problema_do_caminho(nome: str) -> str | None:
    if not nome or nome in {".", "./"}:
        return "nome vazio"
    if "\x00" in nome:
        return "caractere nulo no nome"
    if "\\" in nome:
        return "barra invertida no nome"
    if nome.startswith("/") or PurePosixPath(nome).is_absolute():
        return "caminho absoluto"
    if len(nome) >= 2 and nome[1] == ":":
        return "caminho com unidade de disco"
    partes = nome.rstrip("/").split("/")
    if any(p == ".." for p in partes):
        return "sai do diretório da release (..)"
    if any(p == "" for p in partes):
        return "componente vazio no caminho"
    if partes[0] == MANIFESTO:
        return "nome reservado"
    return None


def _normal(nome: str) -> str:
    return "/".join(p for p in nome.rstrip("/").split("/") if p != ".")


# --- the archive of a release ---------------------------------------------------------------------


def conteudo_dos_artefatos(release: Any) -> list[tuple[str, bytes, int]]:
    """``(caminho, bytes, modo)`` of each artefact, checked against its recorded sha256."""
    itens = []
    for i, artefato in enumerate(release.artefatos or []):
        caminho = str(artefato.get("caminho", ""))
        dados = str(artefato.get("conteudo", "")).encode("utf-8")
        esperado = artefato.get("sha256")
        if esperado and hashlib.sha256(dados).hexdigest() != esperado:
            raise ArquivoInvalido([f"artefatos[{i}] {caminho}: o conteúdo não confere com o sha256 registrado"])
        modo = 0o755 if artefato.get("executavel") else 0o644
        itens.append((caminho, dados, modo))
    return itens


def arquivo_da_release(release: Any, destino: Path) -> Path:
    """Writes ``<destino>/<spec>-v<n>.zip`` with the release's artefacts as they are recorded
    (paths unchanged: refusing a bad one is the unpacker's job, where it matters) and returns it."""
    destino.mkdir(parents=True, exist_ok=True)
    caminho = destino / f"{release.rotulo_versao}.zip"
    with zipfile.ZipFile(caminho, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for nome, dados, modo in conteudo_dos_artefatos(release):
            info = zipfile.ZipInfo(nome, date_time=_DATA_ZIP)
            info.external_attr = (stat.S_IFREG | modo) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, dados)
    return caminho


# --- unpacking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Membro:
    nome: str
    diretorio: bool
    tamanho: int
    modo: int
    ler: Any  # () -> bytes


def _membros_zip(zf: zipfile.ZipFile) -> tuple[list[Membro], list[str]]:
    membros, problemas = [], []
    for info in zf.infolist():
        modo = info.external_attr >> 16
        tipo = stat.S_IFMT(modo)
        nome = info.filename
        erro = _problema_do_caminho(nome)
        if erro:
            problemas.append(f"{nome!r}: {erro}")
            continue
        if tipo == stat.S_IFLNK:
            problemas.append(f"{nome!r}: link simbólico")
            continue
        if tipo and tipo not in (stat.S_IFREG, stat.S_IFDIR):
            problemas.append(f"{nome!r}: arquivo especial (dispositivo, FIFO ou socket)")
            continue
        diretorio = info.is_dir() or tipo == stat.S_IFDIR
        membros.append(Membro(_normal(nome), diretorio, info.file_size, modo & 0o777, lambda i=info: zf.read(i)))
    return membros, problemas


def _membros_tar(tf: tarfile.TarFile) -> tuple[list[Membro], list[str]]:
    membros, problemas = [], []
    for info in tf.getmembers():
        nome = info.name
        erro = _problema_do_caminho(nome)
        if erro:
            problemas.append(f"{nome!r}: {erro}")
            continue
        if info.issym() or info.islnk():
            problemas.append(f"{nome!r}: link ({'simbólico' if info.issym() else 'físico'})")
            continue
        if not (info.isfile() or info.isdir()):
            problemas.append(f"{nome!r}: arquivo especial (dispositivo, FIFO ou socket)")
            continue

        def ler(i: tarfile.TarInfo = info) -> bytes:
            arquivo = tf.extractfile(i)
            return arquivo.read() if arquivo else b""

        membros.append(Membro(_normal(nome), info.isdir(), info.size, info.mode & 0o777, ler))
    return membros, problemas


def _verificar(membros: list[Membro], problemas: list[str], max_arquivos: int, max_bytes: int) -> None:
    vistos: dict[str, bool] = {}
    for m in membros:
        if m.nome in vistos:
            problemas.append(f"{m.nome!r}: nome repetido no arquivo")
        vistos[m.nome] = m.diretorio
    # A file may not also be the directory of another member (``a`` and ``a/b``).
    for nome in vistos:
        partes = nome.split("/")
        for i in range(1, len(partes)):
            pai = "/".join(partes[:i])
            if vistos.get(pai) is False:
                problemas.append(f"{nome!r}: {pai!r} é um arquivo, não um diretório")
    if len(membros) > max_arquivos:
        problemas.append(f"{len(membros)} membros: o limite é {max_arquivos}")
    total = sum(m.tamanho for m in membros)
    if total > max_bytes:
        problemas.append(f"{total} bytes descompactados: o limite é {max_bytes}")
    if problemas:
        raise ArquivoInvalido(problemas)


def _abrir(arquivo: Path):
    if zipfile.is_zipfile(arquivo):
        zf = zipfile.ZipFile(arquivo)
        return zf, _membros_zip(zf)
    if tarfile.is_tarfile(arquivo):
        tf = tarfile.open(arquivo)  # noqa: SIM115 - closed by the caller
        return tf, _membros_tar(tf)
    raise ArquivoInvalido([f"{arquivo.name}: não é um zip nem um tar"])


def desempacotar(
    arquivo: Path, destino: Path, *, max_arquivos: int = MAX_ARQUIVOS, max_bytes: int = MAX_BYTES
) -> dict[str, str]:
    """Unpacks ``arquivo`` into the new directory ``destino`` (which must not exist) and returns
    ``{path: sha256}`` of its files, also written to ``MANIFESTO`` inside it.

    Everything is checked before anything is written; the files are written into a sibling
    temporary directory renamed to ``destino`` at the end, so ``destino`` either does not exist
    or holds the whole release. Raises ``ArquivoInvalido`` naming every bad member."""
    if destino.exists() or destino.is_symlink():
        raise FileExistsError(destino)
    fonte, (membros, problemas) = _abrir(arquivo)
    with fonte:
        _verificar(membros, problemas, max_arquivos, max_bytes)
        destino.parent.mkdir(parents=True, exist_ok=True)
        temporario = Path(tempfile.mkdtemp(prefix=f".desempacotando-{destino.name}-", dir=destino.parent))
        try:
            hashes: dict[str, str] = {}
            escritos = 0
            for m in sorted(membros, key=lambda m: m.nome):
                alvo = temporario.joinpath(*m.nome.split("/"))
                if m.diretorio:
                    alvo.mkdir(parents=True, exist_ok=True)
                    continue
                alvo.parent.mkdir(parents=True, exist_ok=True)
                dados = m.ler()
                escritos += len(dados)
                if escritos > max_bytes:  # the header lied about the size
                    raise ArquivoInvalido([f"mais de {max_bytes} bytes descompactados"])
                # O_EXCL | O_NOFOLLOW: never through something already there.
                fd = os.open(
                    alvo, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o755 if m.modo & 0o111 else 0o644
                )
                with os.fdopen(fd, "wb") as saida:
                    saida.write(dados)
                hashes[m.nome] = hashlib.sha256(dados).hexdigest()
            manifesto = {"arquivos": hashes, "tamanhos": {n: (temporario / n).stat().st_size for n in hashes}}
            (temporario / MANIFESTO).write_text(json.dumps(manifesto, sort_keys=True), encoding="utf-8")
            _sincronizar_arvore(temporario)
            os.rename(temporario, destino)
            _sincronizar_diretorio(destino.parent)  # the rename too, before anyone links to it
        except BaseException:
            shutil.rmtree(temporario, ignore_errors=True)
            raise
    return hashes


def _syncfs() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.syncfs
    except (OSError, AttributeError):
        return None


_SYNCFS = _syncfs()


def _sincronizar_arvore(raiz: Path) -> None:
    """Puts the unpacked files on disk before the rename that publishes them, so a crash right
    after the switch never leaves empty files behind it. One ``syncfs`` of the deployment's
    filesystem: on this machine an fsync per file made a 1,000-file deploy 3-4 s slower
    (bench/deploy.py); ``sync`` where ``syncfs`` is missing."""
    fd = os.open(raiz, os.O_RDONLY)
    try:
        if _SYNCFS is None or _SYNCFS(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _sincronizar_diretorio(pasta: Path) -> None:
    fd = os.open(pasta, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def manifesto_confere(diretorio: Path) -> list[str]:
    """What is missing or changed in an unpacked release against its manifest (empty: complete)."""
    try:
        manifesto = json.loads((diretorio / MANIFESTO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [f"{MANIFESTO} ausente ou ilegível"]
    faltas = []
    for nome, sha in manifesto.get("arquivos", {}).items():
        caminho = diretorio / nome
        try:
            dados = caminho.read_bytes()
        except OSError:
            faltas.append(f"{nome}: ausente")
            continue
        if hashlib.sha256(dados).hexdigest() != sha:
            faltas.append(f"{nome}: alterado")
    return faltas
