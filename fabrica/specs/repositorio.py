"""Reads specs from a git repository at a commit, with dulwich (no hand-parsed ``.git``)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from dulwich import porcelain
from dulwich.objects import Blob, Commit, ObjectID, Tree
from dulwich.repo import Repo

from fabrica.erros import DadosInvalidos


class RepositorioInvalido(DadosInvalidos):
    """The spec repository is missing, is not a git repository, or lacks the commit asked for."""


def ler_specs(caminho: str | Path, commit: str | None = None) -> tuple[str, list[tuple[str, str | None]]]:
    """Returns (commit sha, [(path, text)]) for ``specs/*.yaml`` in that commit (HEAD by default).

    Reads the committed tree, not the working copy: what is priced is what is committed.
    The text is None for a file that is not UTF-8, for the caller to report (one bad file
    must not stop the others).
    """
    if not Path(caminho).exists():
        raise RepositorioInvalido(f"{caminho} não existe; informe o caminho de um repositório git de specs.")
    try:
        repo = Repo(str(caminho))
    except Exception:  # dulwich raises NotGitRepository and OSError subclasses
        raise RepositorioInvalido(f"{caminho} não é um repositório git (não há uma pasta .git ali).") from None
    with repo:
        try:
            sha = commit.encode() if commit else repo.head()
            arvore = cast(Tree, repo[cast(Commit, repo[sha]).tree])
        except KeyError:
            raise RepositorioInvalido(f"O repositório {caminho} não tem o commit {commit or 'HEAD'}.") from None
        arquivos: list[tuple[str, str | None]] = []
        if b"specs" in arvore:
            _modo, sha_specs = arvore[b"specs"]
            specs = repo[sha_specs]
            if isinstance(specs, Tree):
                for entrada in sorted(specs.items(), key=lambda e: e.path):
                    nome = entrada.path.decode()
                    objeto = repo[entrada.sha]
                    if nome.endswith((".yaml", ".yml")) and isinstance(objeto, Blob):
                        try:
                            texto: str | None = objeto.data.decode("utf-8")
                        except UnicodeDecodeError:
                            texto = None
                        arquivos.append((f"specs/{nome}", texto))
        return sha.decode(), arquivos


def datas_dos_commits(caminho: str | Path, commit: str, arquivos: list[str]) -> dict[str, datetime]:
    """For each path, the committer date (UTC) of the last commit at or before ``commit`` that
    changed it: when that version of the file was committed, where DORA's lead time for changes
    starts. A path no commit changed (not in the history) is left out."""
    datas: dict[str, datetime] = {}
    with Repo(str(caminho)) as repo:
        for arquivo in arquivos:
            for entrada in repo.get_walker(
                include=[cast(ObjectID, commit.encode())], paths=[arquivo.encode()], max_entries=1
            ):
                datas[arquivo] = datetime.fromtimestamp(entrada.commit.commit_time, tz=UTC)
    return datas


def criar_de_pasta(origem: str | Path, destino: str | Path, mensagem: str = "Specs de exemplo") -> str:
    """Turns a folder into a new git repository with one commit (the demo's spec repository)."""
    destino = Path(destino)
    shutil.copytree(origem, destino)
    repo = porcelain.init(str(destino))
    with repo:
        arquivos = [str(p) for p in destino.rglob("*") if p.is_file() and ".git" not in p.parts]
        porcelain.add(repo, arquivos)
        sha = porcelain.commit(
            repo,
            message=mensagem.encode(),
            author=b"PROMETHEUS <prometheus@localhost>",
            committer=b"PROMETHEUS <prometheus@localhost>",
        )
    return sha.decode()
