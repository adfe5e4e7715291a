"""A hotfix against the release it fixes (issue 17, "honest hotfixes"): which artefacts were
added, removed or changed (with a unified diff per changed file), and how each test went before
and after — fixed, still failing, newly failing — by test id.

Pure Python over the stored shapes (``Release.artefatos`` and ``Release.testes`` rows), so the
page, the API and the ``corrigir_bug`` handler (which decides "nada a corrigir automaticamente"
from it before recording anything) share one computation. No Django.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fabrica.desenvolvimento.sandbox import aprovado

DIFF_MAX = 60_000  # characters of one file's diff shown; beyond it, cut with a note


@dataclass(frozen=True)
class ArquivoAlterado:
    caminho: str
    vertente: str
    papel: str
    diff: str
    mais: int  # lines added
    menos: int  # lines removed


@dataclass(frozen=True)
class TesteComparado:
    id: str
    vertente: str
    nome: str
    arquivo: str
    antes: str | None  # the status in the fixed release; None: the test did not exist there
    depois: str | None  # the status in the hotfix; None: the test is gone
    mensagem: str = ""


@dataclass
class Comparacao:
    adicionados: list[dict[str, str]] = field(default_factory=list)  # {caminho, vertente, papel}
    removidos: list[dict[str, str]] = field(default_factory=list)
    alterados: list[ArquivoAlterado] = field(default_factory=list)
    iguais: int = 0
    corrigidos: list[TesteComparado] = field(default_factory=list)  # failed before, pass now
    ainda_falhando: list[TesteComparado] = field(default_factory=list)  # failed before, fail now
    novas_falhas: list[TesteComparado] = field(default_factory=list)  # passed before (or new), fail now
    novos_passando: list[TesteComparado] = field(default_factory=list)  # new tests that pass
    sumidos: list[TesteComparado] = field(default_factory=list)  # tests the hotfix no longer has
    mantidos: int = 0  # passed before and pass now

    @property
    def artefatos_da_vertente_iguais(self) -> bool:
        """The workers' code and tests are byte for byte the fixed release's. The root files
        (README, pyproject.toml, ``__init__``) are left out: they carry the version label."""
        mudancas = [*self.adicionados, *self.removidos, *({"vertente": a.vertente} for a in self.alterados)]
        return not any(m["vertente"] for m in mudancas)

    @property
    def codigo_igual(self) -> bool:
        """No file of the generated code (``papel == codigo``) was added, removed or changed."""
        mudancas = [*self.adicionados, *self.removidos, *({"papel": a.papel} for a in self.alterados)]
        return not any(m["papel"] == "codigo" for m in mudancas)

    @property
    def testes_iguais(self) -> bool:
        """The same tests with the same outcome (passed or not) as the fixed release."""
        return not (self.corrigidos or self.novas_falhas or self.novos_passando or self.sumidos)

    @property
    def nada_mudou(self) -> bool:
        return self.artefatos_da_vertente_iguais and self.testes_iguais

    def resumo(self) -> dict[str, int]:
        return {
            "adicionados": len(self.adicionados),
            "removidos": len(self.removidos),
            "alterados": len(self.alterados),
            "iguais": self.iguais,
            "corrigidos": len(self.corrigidos),
            "ainda_falhando": len(self.ainda_falhando),
            "novas_falhas": len(self.novas_falhas),
            "novos_passando": len(self.novos_passando),
            "sumidos": len(self.sumidos),
            "mantidos": self.mantidos,
        }


def id_do_teste(teste: Mapping[str, Any]) -> str:
    """A test's id across releases: ``arquivo::nome`` (each vertente has its own test files); a
    row without a file (a generation or verification failure) is named by its vertente."""
    arquivo = teste.get("arquivo") or ""
    return f"{arquivo}::{teste['nome']}" if arquivo else f"[{teste.get('vertente', '')}] {teste['nome']}"


def _diff(caminho: str, antes: str, depois: str) -> tuple[str, int, int]:
    linhas = list(
        difflib.unified_diff(
            antes.splitlines(keepends=True),
            depois.splitlines(keepends=True),
            fromfile=f"a/{caminho}",
            tofile=f"b/{caminho}",
        )
    )
    mais = sum(1 for linha in linhas if linha.startswith("+") and not linha.startswith("+++"))
    menos = sum(1 for linha in linhas if linha.startswith("-") and not linha.startswith("---"))
    texto = "".join(linha if linha.endswith("\n") else linha + "\n\\ No newline at end of file\n" for linha in linhas)
    if len(texto) > DIFF_MAX:
        texto = texto[:DIFF_MAX] + "\n… (diff cortado)\n"
    return texto, mais, menos


def _resumo_do_artefato(a: Mapping[str, Any]) -> dict[str, str]:
    return {"caminho": a["caminho"], "vertente": a.get("vertente") or "", "papel": a.get("papel") or ""}


def comparar_artefatos(antes: Iterable[Mapping[str, Any]], depois: Iterable[Mapping[str, Any]]) -> Comparacao:
    velhos = {a["caminho"]: a for a in antes}
    novos = {a["caminho"]: a for a in depois}
    comparacao = Comparacao()
    for caminho in sorted(velhos.keys() | novos.keys()):
        a, b = velhos.get(caminho), novos.get(caminho)
        if a is None:
            comparacao.adicionados.append(_resumo_do_artefato(b))  # type: ignore[arg-type]
        elif b is None:
            comparacao.removidos.append(_resumo_do_artefato(a))
        elif a["conteudo"] == b["conteudo"]:
            comparacao.iguais += 1
        else:
            diff, mais, menos = _diff(caminho, a["conteudo"], b["conteudo"])
            comparacao.alterados.append(
                ArquivoAlterado(caminho, b.get("vertente") or "", b.get("papel") or "", diff, mais, menos)
            )
    return comparacao


def _comparado(id_: str, antes: Mapping[str, Any] | None, depois: Mapping[str, Any] | None) -> TesteComparado:
    linha = depois or antes
    assert linha is not None
    return TesteComparado(
        id=id_,
        vertente=linha.get("vertente", ""),
        nome=linha["nome"],
        arquivo=linha.get("arquivo") or "",
        antes=antes["status"] if antes else None,
        depois=depois["status"] if depois else None,
        mensagem=(depois or {}).get("mensagem", "") if depois and not aprovado(depois["status"]) else "",
    )


def comparar(
    *,
    artefatos_antes: Iterable[Mapping[str, Any]],
    testes_antes: Iterable[Mapping[str, Any]],
    artefatos_depois: Iterable[Mapping[str, Any]],
    testes_depois: Iterable[Mapping[str, Any]],
) -> Comparacao:
    """The fixed release (``antes``) against its hotfix (``depois``): artefacts by path, tests by
    ``id_do_teste``. A test counts as passing as the release page counts it (``aprovado``)."""
    comparacao = comparar_artefatos(artefatos_antes, artefatos_depois)
    velhos = {id_do_teste(t): t for t in testes_antes}
    novos = {id_do_teste(t): t for t in testes_depois}
    for id_ in sorted(velhos.keys() | novos.keys()):
        a, b = velhos.get(id_), novos.get(id_)
        teste = _comparado(id_, a, b)
        if b is None:
            comparacao.sumidos.append(teste)
            continue
        passa = aprovado(b["status"])
        if a is None:
            (comparacao.novos_passando if passa else comparacao.novas_falhas).append(teste)
        elif aprovado(a["status"]):
            if passa:
                comparacao.mantidos += 1
            else:
                comparacao.novas_falhas.append(teste)
        else:
            (comparacao.corrigidos if passa else comparacao.ainda_falhando).append(teste)
    return comparacao
