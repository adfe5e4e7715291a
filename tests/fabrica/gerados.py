"""Test helpers for the vertente workers: build the cases of a sample spec, write what a worker
produced into a directory, and run its generated tests the way the sandbox does — another
process, at the release root, with an empty environment — reading the results from JUnit XML.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabrica.desenvolvimento.base import CasoDeTeste, Entrada, Producao, Worker
from fabrica.desenvolvimento.gerador import GeradorTemplates
from fabrica.precificacao.cobertura import gerar_casos
from fabrica.specs.formato import carregar_spec

SPECS = Path(__file__).resolve().parents[2] / "examples" / "specs-repo" / "specs"

# One representative per equivalence class of the sample specs (a class without one is given as
# itself), as the development loop substitutes them before calling the workers.
REPRESENTANTES = {
    "spec_004": {
        "valor_total": {"centavos": 0.45, "tipico": 780, "acima_5000": 7200},
        "comprovante": {"pdf": "nota.pdf", "imagem": "recibo.jpg", "ausente": None},
    },
    "spec_005": {
        "cep": {"valido_existente": "01001000", "valido_inexistente": "99999999", "formato_invalido": "0100100"}
    },
}


def spec_de_exemplo(spec_id: str) -> dict[str, Any]:
    return carregar_spec((SPECS / f"{spec_id}.yaml").read_text())


def casos_da_spec(spec: dict[str, Any], representantes: dict | None = None) -> list[CasoDeTeste]:
    """Every covering-array row (``combinacao_NN``) and every explicit example (``caso_NN``)."""
    tdd = spec["schema_tdd"]
    representantes = REPRESENTANTES.get(spec["id"], {}) if representantes is None else representantes
    linhas = gerar_casos(tdd["parametros"], tdd.get("cobertura", "pairwise"), tdd.get("restricoes") or [])
    casos = [
        CasoDeTeste(
            f"combinacao_{i:02d}",
            "combinacao",
            ", ".join(f"{p}={v}" for p, v in linha.items()),
            {p: representantes.get(p, {}).get(v, v) for p, v in linha.items()},
        )
        for i, linha in enumerate(linhas, 1)
    ]
    casos += [
        CasoDeTeste(f"caso_{i:02d}", "caso", c.get("nome", ""), dict(c["dado"]), dict(c["espera"]))
        for i, c in enumerate(tdd.get("casos", []), 1)
    ]
    return casos


def produzir(worker: Worker, spec: dict, casos: list[CasoDeTeste], destino: Path, repositorio=None) -> Producao:
    producao = worker.produzir(Entrada(spec, casos, spec["id"], GeradorTemplates(repositorio)))
    for artefato in producao.codigo + producao.testes:
        arquivo = destino / artefato.caminho
        arquivo.parent.mkdir(parents=True, exist_ok=True)
        arquivo.write_text(artefato.conteudo)
    return producao


@dataclass
class Resultado:
    status: dict[str, str]  # "tests/test_x.py::test_y[caso]" → passou | falhou | erro | pulado
    saida: str

    def com(self, status: str) -> set[str]:
        return {nome for nome, s in self.status.items() if s == status}

    def ids_de(self, funcao: str) -> set[str]:
        """The parametrize ids of one test function, e.g. ``test_caso`` → {"combinacao_01", ...}."""
        return {n.split("[", 1)[1][:-1] for n in self.status if n.split("::")[1].startswith(funcao + "[")}


def rodar_testes(raiz: Path, prefixo: list[str] | None = None) -> Resultado:
    """``python -m pytest`` at the release root with an empty environment (as the sandbox does)."""
    junit = raiz / "junit.xml"
    comando = [*(prefixo or []), sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
    processo = subprocess.run(comando, cwd=raiz, env={}, capture_output=True, text=True, timeout=300)
    if not junit.exists():
        raise AssertionError(f"pytest não produziu o JUnit:\n{processo.stdout}\n{processo.stderr}")
    status = {}
    for caso in ET.parse(junit).iter("testcase"):
        modulo = caso.get("classname", "").replace(".", "/") + ".py"
        filhos = {f.tag for f in caso}
        status[f"{modulo}::{caso.get('name')}"] = (
            "falhou"
            if "failure" in filhos
            else "erro"
            if "error" in filhos
            else "pulado"
            if "skipped" in filhos
            else "passou"
        )
    return Resultado(status, processo.stdout + processo.stderr)


def ruff_check(raiz: Path) -> subprocess.CompletedProcess:
    """``ruff check`` with ruff's own defaults (the release has no configuration of its own)."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    return subprocess.run([ruff, "check", "--isolated", "--no-cache", "."], cwd=raiz, capture_output=True, text=True)
