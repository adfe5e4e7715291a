"""The tests to generate, from a budget: one ``CasoDeTeste`` per covering-array row and per
explicit ``schema_tdd.casos`` entry, plus the regression cases of a fix.

So the budget's ``combinacoes_estimadas`` is what runs: every stored row
(``Orcamento.casos_teste``) becomes a case, named by its position (``combinacao_01`` …), and each
equivalence class in it is replaced by its representative (``schema_tdd.representantes``, see
the spec's JSON Schema): a value gives ``{parametro: valor}``, a mapping gives its variables
instead of the parameter, and a class without a representative is given as itself under the
parameter's name. Explicit examples keep their ``dado`` and ``espera`` (``caso_01`` …).

Pure Python: no Django.
"""

from __future__ import annotations

from typing import Any

from fabrica.desenvolvimento.base import CasoDeTeste
from fabrica.specs.formato.comum import texto_da_classe


def _largura(total: int) -> int:
    # Names sort as they run and stay the same for a given budget: combinacao_01 … combinacao_12.
    return max(2, len(str(total)))


def representante(tdd: dict[str, Any], parametro: str, classe: Any) -> dict[str, Any]:
    """The concrete variables a test receives for one class of one parameter."""
    por_classe = (tdd.get("representantes") or {}).get(parametro) or {}
    chaves = {texto_da_classe(k): v for k, v in por_classe.items()}
    texto = texto_da_classe(classe)
    if texto not in chaves:
        return {parametro: classe}
    valor = chaves[texto]
    return dict(valor) if isinstance(valor, dict) else {parametro: valor}


def dado_da_linha(tdd: dict[str, Any], linha: dict[str, Any]) -> dict[str, Any]:
    dado: dict[str, Any] = {}
    for parametro, classe in linha.items():
        dado.update(representante(tdd, parametro, classe))
    return dado


def casos_do_orcamento(tdd: dict[str, Any], linhas: list[dict[str, Any]]) -> list[CasoDeTeste]:
    """Every covering-array row, then every explicit example, each one case with a stable name."""
    casos: list[CasoDeTeste] = []
    largura = _largura(len(linhas))
    for i, linha in enumerate(linhas, start=1):
        casos.append(
            CasoDeTeste(
                nome=f"combinacao_{i:0{largura}d}",
                origem="combinacao",
                titulo=", ".join(f"{p}={texto_da_classe(v)}" for p, v in linha.items()),
                dado=dado_da_linha(tdd, linha),
                classes=dict(linha),
            )
        )
    explicitos = tdd.get("casos") or []
    largura = _largura(len(explicitos))
    for i, caso in enumerate(explicitos, start=1):
        casos.append(
            CasoDeTeste(
                nome=f"caso_{i:0{largura}d}",
                origem="caso",
                titulo=caso.get("nome") or f"caso {i}",
                dado=dict(caso["dado"]),
                espera=dict(caso["espera"]),
            )
        )
    return casos


def caso_de_regressao(n: int, *, dado: dict[str, Any], espera: dict[str, Any], erro: str) -> CasoDeTeste:
    """The structured case of a ``corrigir_bug`` (``caso: {dado, espera}``) as a regression test."""
    return CasoDeTeste(
        nome=f"regressao_{n:02d}",
        origem="regressao",
        titulo=erro.strip().splitlines()[0][:200] if erro.strip() else f"regressão {n}",
        dado=dict(dado),
        espera=dict(espera),
    )


def caso_de_dict(dados: dict[str, Any]) -> CasoDeTeste:
    """A case as stored on a release (``CasoDeTeste.como_dict``), back into a case."""
    return CasoDeTeste(
        nome=dados["nome"],
        origem=dados["origem"],
        titulo=dados.get("titulo", ""),
        dado=dict(dados.get("dado") or {}),
        espera=dados.get("espera"),
        classes=dados.get("classes"),
    )
