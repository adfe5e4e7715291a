"""Helpers for the tests of the vertente workers: build a spec's artefacts into a directory, run
their generated tests with pytest in a subprocess (JUnit XML), and the Node tools (bpmnlint,
feelin) that check the artefacts against the standard tooling."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from fabrica.desenvolvimento.base import CasoDeTeste, Entrada, Producao, worker_de
from fabrica.desenvolvimento.gerador import GeradorTemplates
from fabrica.precificacao.cobertura import gerar_casos
from fabrica.specs.formato import carregar_spec

RAIZ = Path(__file__).resolve().parents[2]
EXEMPLOS = RAIZ / "examples" / "specs-repo" / "specs"
NODE = RAIZ / "tools" / "node"


def spec_exemplo(spec_id: str) -> dict:
    return carregar_spec((EXEMPLOS / f"{spec_id}.yaml").read_text())


def casos_da_spec(spec: dict) -> list[CasoDeTeste]:
    """The budget's cases as development would hand them over: every covering-array row, then
    every explicit ``casos`` entry."""
    tdd = spec["schema_tdd"]
    linhas = gerar_casos(tdd["parametros"], tdd.get("cobertura", "pairwise"), tdd.get("restricoes"))
    casos = [
        CasoDeTeste(f"combinacao_{i:02d}", "combinacao", str(linha), dict(linha)) for i, linha in enumerate(linhas, 1)
    ]
    casos += [
        CasoDeTeste(f"caso_{i:02d}", "caso", c.get("nome", ""), c["dado"], c["espera"])
        for i, c in enumerate(tdd.get("casos", []), 1)
    ]
    return casos


def produzir(spec: dict, vertente: str, casos: list[CasoDeTeste] | None = None) -> Producao:
    entrada = Entrada(
        spec=spec,
        casos=casos_da_spec(spec) if casos is None else casos,
        pacote=spec["id"],
        gerador=GeradorTemplates(),
    )
    return worker_de(vertente).produzir(entrada)


def escrever(producao: Producao, destino: Path, pacote: str) -> Path:
    for artefato in producao.codigo + producao.testes:
        arquivo = destino / artefato.caminho
        arquivo.parent.mkdir(parents=True, exist_ok=True)
        arquivo.write_text(artefato.conteudo)
    (destino / pacote / "__init__.py").touch()
    return destino


@dataclass
class Resultado:
    codigo: int
    saida: str
    testes: dict[str, str]  # "arquivo::teste[id]" -> passed | failed | error | skipped


def rodar_pytest(pasta: Path) -> Resultado:
    """The generated tests with the project's interpreter, in a subprocess, at the release root,
    with an environment that has nothing of the app's (the sandbox does more; this is the
    worker's own check)."""
    junit = pasta / "junit.xml"
    ambiente = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1"}
    processo = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", "tests"],
        cwd=pasta,
        env=ambiente,
        capture_output=True,
        text=True,
        timeout=300,
    )
    testes = {}
    if junit.exists():
        for caso in ET.parse(junit).iter("testcase"):
            nome = f"{caso.get('classname').rsplit('.', 1)[-1]}::{caso.get('name')}"
            estado = "passed"
            for filho in caso:
                if filho.tag in ("failure", "error", "skipped"):
                    estado = {"failure": "failed"}.get(filho.tag, filho.tag)
            testes[nome] = estado
    return Resultado(processo.returncode, processo.stdout + processo.stderr, testes)


def ferramentas_node() -> Path:
    """tools/node with its packages installed (``npm ci`` from the committed lock file when they
    are missing). Without npm: fails under CI=true, skips elsewhere."""
    if not (NODE / "node_modules" / "bpmnlint").is_dir() or not (NODE / "node_modules" / "feelin").is_dir():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            if os.environ.get("CI") == "true":
                pytest.fail("npm/node are needed for the bpmnlint and feelin checks and are missing")
            pytest.skip("npm/node missing")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE, check=True, capture_output=True, timeout=600)
    return NODE


def bpmnlint(arquivo: Path) -> subprocess.CompletedProcess:
    pasta = ferramentas_node()
    return subprocess.run(
        ["node", str(pasta / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js"), "--max-warnings=0", str(arquivo)],
        cwd=pasta,
        capture_output=True,
        text=True,
        timeout=120,
    )


def feelin(itens: list[dict]) -> list:
    """Evaluates FEEL texts with feelin (``tools/node/feel.mjs``); see that script for the items."""
    pasta = ferramentas_node()
    processo = subprocess.run(
        ["node", str(pasta / "feel.mjs")],
        cwd=pasta,
        input=json.dumps(itens),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(processo.stdout)


def spec_de(texto: str) -> dict:
    """A spec from YAML, validated (so tests build from specs the format accepts)."""
    return carregar_spec(texto if texto.lstrip().startswith("id:") else yaml.safe_dump(yaml.safe_load(texto)))
