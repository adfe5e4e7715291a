"""Test oracles for ``fabrica.precificacao.cobertura``, written from its contract alone.

Nothing here imports the generator: values are compared as JSON scalars (``true`` is not ``1``,
``1`` is ``1.0``), an exclusion ``{p: v | [v, ...]}`` forbids every case holding all of its
assignments at once, and feasibility is brute force over the parameters the exclusions name
(the others can take any value). Used by the tests and by ``bench/pairwise.py``.
"""

from __future__ import annotations

import itertools


def _identidade(valor) -> tuple:
    """A JSON scalar's identity: booleans apart from numbers, ints equal to the same floats."""
    if isinstance(valor, bool):
        return ("booleano", valor)
    if isinstance(valor, (int, float)):
        return ("numero", valor)
    return (type(valor).__name__, valor)


def _valores(restricao_valor) -> set:
    lista = restricao_valor if isinstance(restricao_valor, (list, tuple)) else [restricao_valor]
    return {_identidade(v) for v in lista}


def _exclusoes(restricoes) -> list[dict]:
    """Each exclusion as ``{parameter: {identities}}``."""
    return [{p: _valores(v) for p, v in r.items()} for r in (restricoes or [])]


def _proibida(atribuicao: dict, exclusoes: list[dict]) -> bool:
    """True when ``atribuicao`` (parameter → identity) holds every assignment of some exclusion."""
    return any(all(p in atribuicao and atribuicao[p] in vs for p, vs in e.items()) for e in exclusoes)


def casos_proibidos(parametros: dict, casos: list[dict], restricoes: list[dict] | None = None) -> list[int]:
    """Indices of the cases that are not valid: a parameter missing, an unknown parameter, a value
    outside its parameter's domain, or every assignment of some exclusion held at once."""
    dominios = {p: {_identidade(v) for v in vs} for p, vs in parametros.items()}
    exclusoes = _exclusoes(restricoes)
    ruins = []
    for i, caso in enumerate(casos):
        atribuicao = {p: _identidade(v) for p, v in caso.items()}
        fora = set(atribuicao) != set(dominios) or any(atribuicao[p] not in dominios[p] for p in dominios)
        if fora or _proibida(atribuicao, exclusoes):
            ruins.append(i)
    return ruins


def _cobriveis(parametros: dict, restricoes) -> set | None:
    """``pares_cobriveis`` as ``(p1, i1, p2, i2)``, ``i`` the value's position in its domain
    (``True`` and ``1`` would be one key of a set)."""
    nomes = list(parametros)
    ids = {n: [_identidade(v) for v in parametros[n]] for n in nomes}
    exclusoes = _exclusoes(restricoes)
    restritos = [n for n in nomes if any(n in e for e in exclusoes)]
    validas = []
    for combinacao in itertools.product(*(range(len(ids[n])) for n in restritos)):
        posicoes = dict(zip(restritos, combinacao, strict=True))
        if not _proibida({n: ids[n][x] for n, x in posicoes.items()}, exclusoes):
            validas.append(posicoes)
    if not validas:
        return None
    juntos = {(a, v[a], b, v[b]) for v in validas for a, b in itertools.combinations(restritos, 2)}
    sozinhos = {(n, v[n]) for v in validas for n in restritos}
    cobriveis = set()
    for a, b in itertools.combinations(nomes, 2):
        for x, y in itertools.product(range(len(ids[a])), range(len(ids[b]))):
            if a in restritos and b in restritos:
                ok = (a, x, b, y) in juntos
            elif a in restritos:
                ok = (a, x) in sozinhos
            elif b in restritos:
                ok = (b, y) in sozinhos
            else:
                ok = True
            if ok:
                cobriveis.add((a, x, b, y))
    return cobriveis


def pares_cobriveis(parametros: dict, restricoes: list[dict] | None = None) -> set | None:
    """Every pair ``((p1, v1), (p2, v2))`` (``p1`` before ``p2`` in ``parametros``) that some valid
    case holds; ``None`` when the exclusions leave no valid case at all.

    Enumerates every assignment of the parameters the exclusions name; a parameter no exclusion
    names pairs with any value that a valid assignment gives the other one.
    """
    cobriveis = _cobriveis(parametros, restricoes)
    if cobriveis is None:
        return None
    return {((a, parametros[a][x]), (b, parametros[b][y])) for a, x, b, y in cobriveis}


def pares_descobertos(parametros: dict, casos: list[dict], restricoes: list[dict] | None = None) -> set:
    """Pairs some valid case could hold (``pares_cobriveis``) that no case in ``casos`` holds."""
    nomes = list(parametros)
    cobertos = {
        (a, _identidade(c[a]), b, _identidade(c[b]))
        for c in casos
        for a, b in itertools.combinations(nomes, 2)
        if a in c and b in c
    }
    return {
        ((a, parametros[a][x]), (b, parametros[b][y]))
        for a, x, b, y in _cobriveis(parametros, restricoes) or set()
        if (a, _identidade(parametros[a][x]), b, _identidade(parametros[b][y])) not in cobertos
    }
