"""Unpacking a release archive trusts nothing in it: absolute paths, ``..``, links and device
files are refused at unpack with nothing written; a good archive appears whole or not at all."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from fabrica.implantacao.arquivo import (
    MANIFESTO,
    ArquivoInvalido,
    arquivo_da_release,
    desempacotar,
    manifesto_confere,
)
from tests.fabrica.implantacao.conftest import artefato


def _zip(caminho: Path, membros: list[tuple[str, bytes, int]]) -> Path:
    with zipfile.ZipFile(caminho, "w") as zf:
        for nome, dados, modo in membros:
            info = zipfile.ZipInfo(nome)
            info.external_attr = modo << 16
            zf.writestr(info, dados)
    return caminho


def _tar(caminho: Path, membros: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(caminho, "w:gz") as tf:
        for membro in membros:
            if isinstance(membro, tarfile.TarInfo):
                tf.addfile(membro)
            else:
                nome, dados = membro
                info = tarfile.TarInfo(nome)
                info.size = len(dados)
                tf.addfile(info, io.BytesIO(dados))
    return caminho


REGULAR = stat.S_IFREG | 0o644
BOM = ("app/__init__.py", b"VERSAO = 1\n", REGULAR)


def _tudo_abaixo(raiz: Path) -> set[str]:
    return {str(p.relative_to(raiz)) for p in raiz.rglob("*")}


@pytest.fixture
def palco(tmp_path) -> dict[str, Path]:
    """An environment's releases/ folder, a marker file outside it that traversal would reach."""
    releases = tmp_path / "amb" / "spec" / "releases"
    releases.mkdir(parents=True)
    (tmp_path / "etc").mkdir()
    senha = tmp_path / "etc" / "passwd"
    senha.write_text("root:x:0:0\n")
    return {"raiz": tmp_path, "releases": releases, "senha": senha}


MALICIOSOS_ZIP = [
    ("../../etc/passwd", b"hacked\n", REGULAR, "sai do diretório da release"),
    ("app/../../../../etc/passwd", b"hacked\n", REGULAR, "sai do diretório da release"),
    ("/etc/passwd", b"hacked\n", REGULAR, "caminho absoluto"),
    ("app/link", b"../../../etc/passwd", stat.S_IFLNK | 0o777, "link simbólico"),
    ("app\\..\\..\\etc\\passwd", b"x", REGULAR, "barra invertida"),
    ("C:/Windows/x", b"x", REGULAR, "unidade de disco"),
    ("app/fifo", b"", stat.S_IFIFO | 0o644, "arquivo especial"),
    ("dev/sda", b"", stat.S_IFBLK | 0o660, "arquivo especial"),
]


@pytest.mark.parametrize(("nome", "dados", "modo", "motivo"), MALICIOSOS_ZIP, ids=[m[0] for m in MALICIOSOS_ZIP])
def test_zip_malicioso_recusado_sem_escrever_nada(palco, nome, dados, modo, motivo):
    arquivo = _zip(palco["raiz"] / "r.zip", [BOM, (nome, dados, modo)])
    antes = _tudo_abaixo(palco["raiz"])

    with pytest.raises(ArquivoInvalido) as recusa:
        desempacotar(arquivo, palco["releases"] / "spec-v1")

    assert any(motivo in p for p in recusa.value.problemas), recusa.value.problemas
    assert _tudo_abaixo(palco["raiz"]) == antes  # not even the good member, nor a temporary folder
    assert palco["senha"].read_text() == "root:x:0:0\n"


def _info(nome: str, tipo: bytes, **campos) -> tarfile.TarInfo:
    info = tarfile.TarInfo(nome)
    info.type = tipo
    for chave, valor in campos.items():
        setattr(info, chave, valor)
    return info


MALICIOSOS_TAR = [
    (_info("app/link", tarfile.SYMTYPE, linkname="../../../etc/passwd"), "link (simbólico)"),
    (_info("app/hard", tarfile.LNKTYPE, linkname="etc/passwd"), "link (físico)"),
    (_info("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3), "arquivo especial"),
    (_info("dev/sda", tarfile.BLKTYPE, devmajor=8, devminor=0), "arquivo especial"),
    (_info("app/fifo", tarfile.FIFOTYPE), "arquivo especial"),
    (("../../etc/passwd", b"hacked\n"), "sai do diretório da release"),
    (("/etc/passwd", b"hacked\n"), "caminho absoluto"),
]


@pytest.mark.parametrize(
    ("membro", "motivo"), MALICIOSOS_TAR, ids=[m[1] + str(i) for i, m in enumerate(MALICIOSOS_TAR)]
)
def test_tar_malicioso_recusado_sem_escrever_nada(palco, membro, motivo):
    arquivo = _tar(palco["raiz"] / "r.tar.gz", [("app/__init__.py", b"VERSAO = 1\n"), membro])
    antes = _tudo_abaixo(palco["raiz"])

    with pytest.raises(ArquivoInvalido) as recusa:
        desempacotar(arquivo, palco["releases"] / "spec-v1")

    assert any(motivo in p for p in recusa.value.problemas), recusa.value.problemas
    assert _tudo_abaixo(palco["raiz"]) == antes
    assert palco["senha"].read_text() == "root:x:0:0\n"


def test_nomes_repetidos_arquivo_sobre_diretorio_e_limites(palco):
    conflito = _zip(palco["raiz"] / "b.zip", [("app", b"x", REGULAR), BOM])
    with pytest.warns(UserWarning, match="Duplicate name"):  # zipfile itself warns about the duplicate name
        repetido = _zip(palco["raiz"] / "a.zip", [BOM, BOM])

    with pytest.raises(ArquivoInvalido, match="nome repetido"):
        desempacotar(repetido, palco["releases"] / "v1")
    with pytest.raises(ArquivoInvalido, match="é um arquivo, não um diretório"):
        desempacotar(conflito, palco["releases"] / "v1")
    with pytest.raises(ArquivoInvalido, match="limite"):
        desempacotar(_zip(palco["raiz"] / "c.zip", [BOM]), palco["releases"] / "v1", max_bytes=5)
    (palco["raiz"] / "d.zip").write_bytes(b"nada disso")
    with pytest.raises(ArquivoInvalido, match="não é um zip nem um tar"):
        desempacotar(palco["raiz"] / "d.zip", palco["releases"] / "v1")
    assert list(palco["releases"].iterdir()) == []


def test_arquivo_bom_aparece_inteiro_com_manifesto(palco):
    arquivo = _zip(
        palco["raiz"] / "r.zip",
        [
            BOM,
            ("tests/test_smoke.py", b"def test_ok():\n    assert True\n", REGULAR),
            ("bin/rodar", b"#!/bin/sh\n", stat.S_IFREG | 0o755),
        ],
    )
    destino = palco["releases"] / "spec-v1"

    hashes = desempacotar(arquivo, destino)

    assert sorted(hashes) == ["app/__init__.py", "bin/rodar", "tests/test_smoke.py"]
    assert (destino / "app" / "__init__.py").read_bytes() == b"VERSAO = 1\n"
    assert os.access(destino / "bin" / "rodar", os.X_OK) and not os.access(destino / "app" / "__init__.py", os.X_OK)
    assert (destino / MANIFESTO).exists()
    assert manifesto_confere(destino) == []
    (destino / "app" / "__init__.py").write_text("mexido\n")
    assert manifesto_confere(destino) == ["app/__init__.py: alterado"]
    assert [p.name for p in palco["releases"].iterdir()] == ["spec-v1"]  # no temporary folder left
    with pytest.raises(FileExistsError):
        desempacotar(arquivo, destino)


def test_arquivo_da_release_confere_o_sha256(tmp_path):
    class Release:
        rotulo_versao = "spec-v1"
        artefatos = [artefato("app/__init__.py", "VERSAO = 1\n")]

    arquivo = arquivo_da_release(Release, tmp_path)
    with zipfile.ZipFile(arquivo) as zf:
        assert zf.read("app/__init__.py") == b"VERSAO = 1\n"
    # Deterministic: the same artefacts make the same bytes.
    assert arquivo_da_release(Release, tmp_path / "outra").read_bytes() == arquivo.read_bytes()

    Release.artefatos = [{**artefato("app/__init__.py", "VERSAO = 1\n"), "conteudo": "adulterado\n"}]
    with pytest.raises(ArquivoInvalido, match="não confere com o sha256"):
        arquivo_da_release(Release, tmp_path / "terceira")
