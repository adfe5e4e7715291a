"""The release root around the workers' artefacts, its README, and the zip a developer downloads.

The zip holds ``<spec>-v<n>/`` with the generated package, its tests, ``pyproject.toml``,
``requirements.txt`` and a README saying how to run them: ``pip install -r requirements.txt``
and ``pytest``, with no PROMETHEUS. The sandbox runs exactly this root. Pure Python: no Django.
"""

from __future__ import annotations

import ast
import functools
import io
import keyword
import sys
import zipfile
from importlib import metadata
from typing import Any

from fabrica.desenvolvimento.base import NOME_DA_VERTENTE, Artefato
from fabrica.desenvolvimento.verificacao import arvore_python

DEPENDENCIAS_DE_TESTE = ("pytest", "pytest-timeout", "coverage")
DATA_DO_ZIP = (2000, 1, 1, 0, 0, 0)  # fixed: the same artefacts always give the same zip


def nome_do_pacote(spec_ref: str) -> str:
    nome = spec_ref.lower()
    if not nome.isidentifier() or keyword.iskeyword(nome):
        nome = f"spec_{nome}"
    return nome


def _fixar(distribuicao: str) -> str:
    try:
        return f"{distribuicao}=={metadata.version(distribuicao)}"
    except metadata.PackageNotFoundError:
        return distribuicao


def requisitos(dependencias: list[str]) -> list[str]:
    """The release's pip requirements: the workers' and the test tools', a bare name pinned to
    the version the sandbox ran with (what was tested is what gets installed)."""
    vistos: dict[str, str] = {}
    fixados = [d if any(c in d for c in "=<>!~@;[") else _fixar(d.strip()) for d in dependencias]
    for requisito in [*fixados, *(_fixar(d) for d in DEPENDENCIAS_DE_TESTE)]:
        nome = requisito.split("==")[0].split(">=")[0].strip().lower()
        vistos.setdefault(nome, requisito)
    return sorted(vistos.values(), key=str.lower)


@functools.cache
def distribuicoes() -> dict[str, list[str]]:
    """Top-level module → the installed distributions providing it: read once per process (it
    walks every installed distribution's file list, about 1 s here; ``fabrica.tasks.aquecer``)."""
    return dict(metadata.packages_distributions())


def importados(artefatos: list[Artefato], pacote: str) -> list[str]:
    """The distributions that the generated Python imports (beyond the standard library and the
    release itself), so its requirements hold what its code and tests really need, whether or not
    the worker declared it."""
    modulos: set[str] = set()
    for artefato in artefatos:
        if not artefato.caminho.endswith(".py"):
            continue
        try:
            arvore = arvore_python(artefato.conteudo)
        except (SyntaxError, ValueError):
            continue
        for no in ast.walk(arvore):
            if isinstance(no, ast.Import):
                modulos.update(a.name.split(".")[0] for a in no.names)
            elif isinstance(no, ast.ImportFrom) and no.module and not no.level:
                modulos.add(no.module.split(".")[0])
    modulos -= {pacote, "tests", *sys.stdlib_module_names}
    provedores = distribuicoes()
    return sorted({sorted(provedores[m])[0] for m in modulos if m in provedores}, key=str.lower)


def _toml(texto: str) -> str:
    return '"' + texto.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def arquivos_da_raiz(
    *, spec: dict[str, Any], pacote: str, versao: str, dependencias: list[str], tempo_por_teste_s: float
) -> list[Artefato]:
    """``<pacote>/__init__.py``, ``tests/__init__.py``, ``pyproject.toml`` and ``requirements.txt``."""
    reqs = requisitos(dependencias)
    de_execucao = [r for r in reqs if r.split("==")[0].lower() not in DEPENDENCIAS_DE_TESTE]
    de_teste = [r for r in reqs if r.split("==")[0].lower() in DEPENDENCIAS_DE_TESTE]
    pyproject = "\n".join(
        [
            "[build-system]",
            'requires = ["setuptools>=68"]',
            'build-backend = "setuptools.build_meta"',
            "",
            "[project]",
            f"name = {_toml(spec['id'].replace('_', '-'))}",
            f"version = {_toml(versao)}",
            f"description = {_toml(spec.get('titulo', ''))}",
            'requires-python = ">=3.11"',
            "dependencies = [" + ", ".join(_toml(r) for r in de_execucao) + "]",
            "",
            "[project.optional-dependencies]",
            "test = [" + ", ".join(_toml(r) for r in de_teste) + "]",
            "",
            "[tool.setuptools.packages.find]",
            f"include = [{_toml(pacote)}, {_toml(pacote + '.*')}]",
            "",
            "[tool.setuptools.package-data]",
            '"*" = ["*.bpmn", "*.dmn", "*.xml", "*.xsd", "*.html", "*.json", "*.yaml", "*.txt"]',
            "",
            "[tool.pytest.ini_options]",
            'pythonpath = ["."]',
            'testpaths = ["tests"]',
            f"timeout = {tempo_por_teste_s:g}",
            "",
        ]
    )
    titulo = spec.get("titulo", spec["id"]).replace('"""', "'''")
    return [
        Artefato(
            f"{pacote}/__init__.py",
            "",
            "apoio",
            f'"""{titulo} ({spec["id"]}, versão {versao}), gerado pelo PROMETHEUS."""\n',
        ),
        Artefato("tests/__init__.py", "", "apoio", ""),
        Artefato("pyproject.toml", "", "apoio", pyproject),
        Artefato("requirements.txt", "", "apoio", "\n".join(reqs) + "\n"),
    ]


def readme(
    *,
    spec: dict[str, Any],
    rotulo: str,
    commit: str,
    sha256: str,
    pacote: str,
    vertentes: dict[str, dict[str, Any]],
    testes_passaram: bool,
    cobertura_total: float,
    tipo: str = "normal",
    corrige: str = "",
) -> Artefato:
    """The README of the zip: what it is, how to run its tests, and how they went here."""
    linhas = [
        f"# {spec.get('titulo', spec['id'])} — {rotulo}",
        "",
        f"Gerado pelo PROMETHEUS a partir da spec `{spec['id']}`"
        + (f" (commit `{commit}`" if commit else " (")
        + f"{', ' if commit else ''}sha256 `{sha256[:12]}`)."
        + (f" Release de correção (hotfix) de `{corrige}`." if tipo == "hotfix" else ""),
        "",
        "## Rodar os testes",
        "",
        "Só é preciso Python 3.11 ou mais novo:",
        "",
        "```sh",
        "python3 -m venv .venv",
        ".venv/bin/pip install -r requirements.txt",
        ".venv/bin/pytest",
        "```",
        "",
        "Ou instale o pacote com as dependências de teste: `pip install -e '.[test]'`.",
        "",
        "## O que há aqui",
        "",
        f"- `{pacote}/`: o código gerado, um subpacote por vertente;",
        "- `tests/`: um arquivo `test_<vertente>_*.py` por grupo de testes; cada teste gerado de um "
        "caso do orçamento tem o nome do caso (`test_…[combinacao_03]`, `[caso_01]`, `[regressao_01]`).",
        "",
        "| vertente | pasta | testes | resultado no PROMETHEUS | cobertura |",
        "|---|---|---|---|---|",
    ]
    for vertente, info in vertentes.items():
        nome = NOME_DA_VERTENTE.get(vertente, vertente)
        linhas.append(
            f"| {vertente} | `{pacote}/{nome}/` | {info['total']} | "
            f"{info['passaram']} passaram, {info['falharam']} não | {info['cobertura']} |"
        )
    linhas += [
        "",
        f"Resultado: {'todos os testes passaram' if testes_passaram else 'há testes que não passaram'}; "
        f"cobertura (linhas + ramos) {cobertura_total:.1f} %.",
    ]
    pendencias = [
        (v, p, info.get("implementada_por", "")) for v, info in vertentes.items() for p in info.get("pendencias", [])
    ]
    if pendencias:
        linhas += ["", "## Precisa de implementação", ""]
        linhas += [
            f"- {v}: {p} — descrito só em linguagem natural na spec; "
            + (f"implementado pelo modelo {modelo}." if modelo else "levanta `NotImplementedError`.")
            for v, p, modelo in pendencias
        ]
    nao_testaveis = [(v, n) for v, info in vertentes.items() for n in info.get("nao_testaveis", [])]
    if nao_testaveis:
        linhas += ["", "## Casos sem teste nesta vertente", ""]
        linhas += [f"- {v}: `{n['caso']}` — {n['motivo']}" for v, n in nao_testaveis]
    return Artefato("README.md", "", "apoio", "\n".join(linhas) + "\n")


def zip_da_release(rotulo: str, artefatos: list[dict[str, Any]]) -> bytes:
    """The artefacts under ``<rotulo>/``, in path order, with fixed dates (reproducible)."""
    memoria = io.BytesIO()
    with zipfile.ZipFile(memoria, "w", compression=zipfile.ZIP_DEFLATED) as arquivo:
        for artefato in sorted(artefatos, key=lambda a: a["caminho"]):
            info = zipfile.ZipInfo(f"{rotulo}/{artefato['caminho']}", date_time=DATA_DO_ZIP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            arquivo.writestr(info, artefato["conteudo"])
    return memoria.getvalue()
