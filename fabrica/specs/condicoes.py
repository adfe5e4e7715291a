"""Semântica das condições estruturadas das specs (gateways BPMN, células DMN), sem ``eval``.

Uma condição é ``{operador, valor}`` (mais ``variavel`` nos gateways) ou ``"-"`` (qualquer valor,
só nas células DMN). Este módulo é a leitura do PROMETHEUS dessas condições: decide se um valor
casa, acha valores que representam cada região de verdade de um conjunto de condições e, com
eles, responde se condições sobre a mesma variável podem valer juntas. Quem usa: a validação das
specs (sobreposição de regras UNIQUE/ANY), os workers P e D (o passeio pelo fluxo, as entradas
de cada regra, os resultados esperados) e os testes que conferem os artefatos com um motor FEEL.

Módulo puro: sem Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

QUALQUER = "-"


class Incomparavel(ValueError):
    """O valor não se compara com a condição (tipos diferentes, ou valor ausente)."""


def _eh_numero(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _familia(v: object) -> str:
    if isinstance(v, bool):
        return "bool"
    if _eh_numero(v):
        return "numero"
    if isinstance(v, str):
        return "texto"
    return type(v).__name__


def _igual(a: object, b: object) -> bool:
    if _familia(a) != _familia(b):
        raise Incomparavel(f"{a!r} e {b!r} não são do mesmo tipo")
    return a == b


def _ordem(a: Any, b: Any) -> int:
    fa, fb = _familia(a), _familia(b)
    if fa != fb or fa == "bool":
        raise Incomparavel(f"{a!r} e {b!r} não se ordenam")
    return (a > b) - (a < b)


def casa(condicao: dict | str, valor: object) -> bool:
    """O valor satisfaz a condição? ``"-"`` casa com tudo; ``entre`` é intervalo fechado.

    Levanta ``Incomparavel`` quando valor e condição não são do mesmo tipo (por exemplo um texto
    comparado com ``<`` a um número, ou um valor ausente): nem o PROMETHEUS nem um motor FEEL
    dariam um resultado com sentido ali, então quem chama decide o que isso significa.
    """
    if condicao == QUALQUER:
        return True
    assert isinstance(condicao, dict)
    operador, alvo = condicao["operador"], condicao["valor"]
    if valor is None:
        raise Incomparavel("valor ausente")
    if operador == "==":
        return _igual(valor, alvo)
    if operador == "!=":
        return not _igual(valor, alvo)
    if operador == "in":
        return any(_igual(valor, a) for a in alvo)
    if operador == "entre":
        return _ordem(valor, alvo[0]) >= 0 and _ordem(valor, alvo[1]) <= 0
    comparacao = _ordem(valor, alvo)
    return {"<": comparacao < 0, "<=": comparacao <= 0, ">": comparacao > 0, ">=": comparacao >= 0}[operador]


def constantes(condicao: dict | str) -> list:
    if condicao == QUALQUER:
        return []
    assert isinstance(condicao, dict)
    valor = condicao["valor"]
    return list(valor) if isinstance(valor, list) else [valor]


def _unicos(valores: Iterable) -> list:
    vistos: list = []
    for v in valores:
        if not any(_familia(v) == _familia(w) and v == w for w in vistos):
            vistos.append(v)
    return vistos


def _data(v: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(v) if isinstance(v, str) else None
    except ValueError:
        return None


def candidatos(condicoes: Iterable[dict | str], tipo: str | None = None) -> list:
    """Valores que representam cada região de verdade das condições sobre uma variável.

    Entre duas constantes consecutivas (e antes da primeira, depois da última) toda condição
    ``{operador, valor}`` tem o mesmo resultado; basta então provar cada constante, um ponto de
    cada intervalo e um ponto de fora. ``tipo`` é o tipo básico da spec (``int``, ``float``,
    ``decimal``, ``str``, ``bool``, ``date``); sem ele (gateways BPMN, variáveis sem tipo) o tipo
    vem das próprias constantes, e inteiros vêm antes de frações. A lista nunca é vazia.
    """
    consts = _unicos(c for cond in condicoes for c in constantes(cond))
    if tipo == "bool" or (tipo is None and consts and all(isinstance(c, bool) for c in consts)):
        return [True, False]
    numeros = sorted(c for c in consts if _eh_numero(c))
    textos = sorted(c for c in consts if isinstance(c, str))
    if tipo == "date":
        dias = sorted({d for d in map(_data, textos) if d is not None})
        if not dias:
            return ["2024-01-01"]
        datas = [dias[0] - datetime.timedelta(days=1)]
        for d in dias:
            datas += [d, d + datetime.timedelta(days=1)]
        return [p.isoformat() for p in dict.fromkeys(datas)]
    saida: list = []
    if tipo in ("int", "float", "decimal") or (tipo is None and numeros):
        if not numeros:
            saida = [0]
        else:
            inteiros = tipo == "int" or all(isinstance(n, int) for n in numeros)
            pontos: list = [numeros[0] - 1]
            for i, n in enumerate(numeros):
                pontos += [n, n + 1] if inteiros else [n]
                if i + 1 < len(numeros):
                    proximo = numeros[i + 1]
                    if not inteiros or tipo != "int":
                        pontos.append((n + proximo) / 2)
            pontos.append(numeros[-1] + 1)
            if tipo == "int":
                pontos = [p for p in pontos if isinstance(p, int) or float(p).is_integer()]
                pontos = [int(p) for p in pontos]
            vistos = _unicos(pontos)
            # inteiros primeiro: valores "redondos" nos testes gerados quando servem
            saida = sorted(vistos, key=lambda p: (not float(p).is_integer(), p))
            saida = [int(p) if isinstance(p, float) and p.is_integer() and inteiros else p for p in saida]
        if tipo is not None:
            return _unicos(saida)
    if tipo == "str" or (tipo is None and (textos or not numeros)):
        novo = "outro"
        while novo in textos:
            novo += "_"
        saida += [*textos, novo]
    return _unicos(saida)


def satisfaz(restricoes: Sequence[tuple[dict | str, bool]], tipo: str | None = None) -> tuple[bool, Any]:
    """Há um valor que dá a cada condição o resultado pedido? Devolve ``(True, valor)`` ou
    ``(False, None)``. Um valor que não se compara com alguma condição não serve."""
    for valor in candidatos((c for c, _ in restricoes), tipo):
        try:
            if all(casa(c, valor) == esperado for c, esperado in restricoes):
                return True, valor
        except Incomparavel:
            continue
    return False, None


def sobreposicao(
    regra_a: dict[str, dict | str], regra_b: dict[str, dict | str], tipos: dict[str, str]
) -> dict[str, Any] | None:
    """Entradas que fazem as duas regras casarem ao mesmo tempo, ou None quando não há.

    ``regra_*`` mapeia entrada → célula (ausente é ``"-"``); ``tipos`` dá o tipo de cada entrada.
    As entradas são independentes (cada célula olha só a sua), então as regras se sobrepõem
    exatamente quando, entrada por entrada, as duas células podem valer juntas.
    """
    exemplo: dict[str, Any] = {}
    for entrada, tipo in tipos.items():
        a, b = regra_a.get(entrada, QUALQUER), regra_b.get(entrada, QUALQUER)
        if a == QUALQUER and b == QUALQUER:
            continue
        ok, valor = satisfaz([(a, True), (b, True)], tipo)
        if not ok:
            return None
        exemplo[entrada] = valor
    return exemplo


def mostrar(valor: object) -> str:
    if isinstance(valor, bool):
        return "true" if valor else "false"
    return f"'{valor}'" if isinstance(valor, str) else str(valor)


def mascaras(celulas: Sequence[dict | str], tipo: str | None) -> tuple[list, list[int]]:
    """Os representantes da coluna (``candidatos`` de todas as células) e, por célula, a máscara
    de bits dos representantes com que ela casa. Duas células de uma mesma coluna podem valer
    juntas exatamente quando suas máscaras se cruzam (os representantes cobrem cada região de
    verdade de todas as células da coluna)."""
    pontos = candidatos(celulas, tipo)
    saida = []
    for celula in celulas:
        mascara = 0
        for i, valor in enumerate(pontos):
            try:
                if casa(celula, valor):
                    mascara |= 1 << i
            except Incomparavel:
                continue
        saida.append(mascara)
    return pontos, saida
