"""The model's answer as edits: SEARCH/REPLACE blocks per file, read strictly and applied only
where the vertente may write (docs/modelo.md, "Edits").

    spec_002/estrutural/modelos.py
    <<<<<<< SEARCH
            raise NotImplementedError(
    =======
            return 42
    >>>>>>> REPLACE

The line before ``<<<<<<< SEARCH`` (a Markdown fence between them is allowed) names the file.
Each SEARCH text must occur exactly once in the file as it is after the earlier blocks; an empty
SEARCH, a file outside the allow-list, a block without its markers, or an answer without any
block is refused as a whole — nothing is half-applied. Every changed Python file must then parse
(``ast``), compile and pass ``ruff check`` with ruff's default rules before anything runs.
Pure Python: no Django.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass, replace

from fabrica.desenvolvimento.base import Artefato

INICIO, MEIO, FIM = "<<<<<<< SEARCH", "=======", ">>>>>>> REPLACE"
RUFF_TEMPO_S = 60


class EdicaoRecusada(Exception):
    """Why an answer was not applied; the attempt fails with this sentence."""


@dataclass(frozen=True)
class Edicao:
    caminho: str
    busca: str
    troca: str


def _caminho(linha: str) -> str:
    return linha.strip().strip("`*#:").strip()


def ler(texto: str) -> list[Edicao]:
    """The blocks of an answer, in order; ``EdicaoRecusada`` when the answer holds none or a
    block is malformed."""
    linhas = texto.replace("\r\n", "\n").split("\n")
    edicoes: list[Edicao] = []
    i = 0
    while i < len(linhas):
        if linhas[i].strip() != INICIO:
            if linhas[i].strip() in (MEIO, FIM):
                raise EdicaoRecusada(f"Linha {i + 1}: {linhas[i].strip()!r} fora de um bloco SEARCH/REPLACE.")
            i += 1
            continue
        anterior = i - 1
        while anterior >= 0 and (not linhas[anterior].strip() or linhas[anterior].strip().startswith("```")):
            anterior -= 1
        caminho = _caminho(linhas[anterior]) if anterior >= 0 else ""
        if not caminho or " " in caminho:
            raise EdicaoRecusada(f"Linha {i + 1}: o bloco SEARCH/REPLACE não vem depois do caminho do arquivo.")
        try:
            meio = next(j for j in range(i + 1, len(linhas)) if linhas[j].strip() in (MEIO, INICIO, FIM))
            if linhas[meio].strip() != MEIO:
                raise StopIteration
            fim = next(j for j in range(meio + 1, len(linhas)) if linhas[j].strip() in (MEIO, INICIO, FIM))
            if linhas[fim].strip() != FIM:
                raise StopIteration
        except StopIteration:
            raise EdicaoRecusada(
                f"Linha {i + 1}: bloco de {caminho} incompleto (esperado {MEIO!r} e depois {FIM!r})."
            ) from None
        busca, troca = linhas[i + 1 : meio], linhas[meio + 1 : fim]
        edicoes.append(Edicao(caminho, "".join(f"{x}\n" for x in busca), "".join(f"{x}\n" for x in troca)))
        i = fim + 1
    if not edicoes:
        raise EdicaoRecusada(
            "A resposta não traz nenhum bloco SEARCH/REPLACE: não é uma edição de código (nada foi aplicado)."
        )
    return edicoes


def aplicar(artefatos: list[Artefato], edicoes: list[Edicao], permitidos: set[str]) -> list[Artefato]:
    """The artefacts with every edit applied, or ``EdicaoRecusada`` (nothing applied)."""
    conteudos = {a.caminho: a.conteudo for a in artefatos}
    for n, edicao in enumerate(edicoes, 1):
        if edicao.caminho not in permitidos:
            raise EdicaoRecusada(
                f"Bloco {n}: {edicao.caminho} não pode ser alterado por esta vertente "
                f"(permitidos: {', '.join(sorted(permitidos)) or 'nenhum'}); nada foi aplicado."
            )
        atual = conteudos[edicao.caminho]
        if not edicao.busca.strip():
            raise EdicaoRecusada(f"Bloco {n} ({edicao.caminho}): SEARCH vazio; nada foi aplicado.")
        vezes = atual.count(edicao.busca)
        if vezes != 1:
            problema = (
                "não corresponde exatamente a nenhum trecho"
                if vezes == 0
                else f"corresponde a {vezes} trechos (inclua mais contexto)"
            )
            raise EdicaoRecusada(f"Bloco {n}: o SEARCH {problema} de {edicao.caminho}; nada foi aplicado.")
        conteudos[edicao.caminho] = atual.replace(edicao.busca, edicao.troca, 1)
    novos = [replace(a, conteudo=conteudos[a.caminho]) for a in artefatos]
    for artefato in novos:
        if artefato.caminho.endswith(".py") and artefato.caminho in {e.caminho for e in edicoes}:
            verificar_python(artefato.caminho, artefato.conteudo)
    return novos


def verificar_python(caminho: str, texto: str) -> None:
    """Parses, compiles and lints an edited module; ``EdicaoRecusada`` names the first problem."""
    try:
        ast.parse(texto, filename=caminho)
        compile(texto, caminho, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise EdicaoRecusada(
            f"Depois das edições, {caminho} não compila (linha {exc.lineno}): {exc.msg}; nada foi aplicado."
        ) from None
    try:
        feito = subprocess.run(  # noqa: S603 - ruff of this interpreter, the text on stdin
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--isolated",
                "--no-cache",
                "--output-format",
                "concise",
                "--stdin-filename",
                caminho,
                "-",
            ],
            input=texto,
            capture_output=True,
            text=True,
            timeout=RUFF_TEMPO_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EdicaoRecusada(f"ruff não pôde verificar {caminho}: {exc}; nada foi aplicado.") from None
    if feito.returncode == 1:
        achados = [linha for linha in feito.stdout.splitlines() if linha.startswith(caminho)][:10]
        raise EdicaoRecusada(
            f"Depois das edições, {caminho} não passa no ruff: " + "; ".join(achados) + "; nada foi aplicado."
        )
    if feito.returncode != 0:
        raise EdicaoRecusada(f"ruff não pôde verificar {caminho}: {feito.stderr.strip()[:300]}; nada foi aplicado.")
