"""Covering-array generation for the test plans of ``schema_tdd`` (pure Python, no Django).

``gerar_casos`` turns a parameter model (``{"idioma": ["pt", "es"], ...}``) into test cases:

* ``"pairwise"`` -- a strength-2 covering array: for every two parameters, every pair of their
  values that can appear in a valid case appears in at least one returned case;
* ``"exaustiva"`` -- the full cartesian product (refused, before anything is built, when it
  would exceed ``limite_exaustiva`` cases);
* ``"cada_valor"`` -- each-choice: every value of every parameter appears at least once.

``restricoes`` are exclusions: ``{"idioma": "es", "duracao": "longa"}`` (or a list of values
per parameter) means that no case may contain all those assignments at once.

How pairwise arrays are built, in order (the first three need no restrictions):

1. algebraic constructions for the parameters with the most values -- orthogonal arrays over
   finite fields ``OA(q^2, q+1, q)`` (collapsed when the level is not a prime power), the
   product construction ``CA(N+M-s, k*l, v)``, cyclic difference arrays with one fixed point
   (``(v-1)*m + 1`` rows) and the Kleitman-Spencer binary construction;
2. IPOG-style horizontal/vertical growth for the remaining parameters (and for everything
   when there are restrictions); it always terminates with a valid covering array;
3. a post-optimisation that repeatedly deletes the least useful row and repairs the
   coverage with a tabu local search, under a fixed *step* budget -- never a wall-clock
   budget, so that the output depends only on the input and ``semente``.

All bookkeeping uses Python integers as bitsets: ``Z[c][x]`` holds the (column, value) pairs
not yet covered together with ``(c, x)``, ``U[c][x]`` those covered exactly once, and every
row has a mask ``P[r]`` of its (column, value) cells, so the gain or loss of changing one
cell is two ``&`` and two ``bit_count()`` calls, whatever the number of parameters.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable

from fabrica.erros import DadosInvalidos

__all__ = ["CoberturaInvalida", "COBERTURAS", "gerar_casos"]

COBERTURAS = ("pairwise", "exaustiva", "cada_valor")

_LIVRE = -1  # a "don't care" cell while an array is being built
_IMPOSSIVEL = 1 << 40  # count given to pairs no valid row can hold: never 0, never 1


class CoberturaInvalida(DadosInvalidos):
    """The model cannot be turned into test cases; ``campo`` names the offending field.

    The message is a pt-BR sentence prefixed by the field path, e.g.
    ``"schema_tdd.parametros.idioma: domínio vazio"``; ``campos`` is ``{campo: [motivo]}``.
    """

    def __init__(self, campo: str, motivo: str):
        self.campo = campo
        self.motivo = motivo
        super().__init__(f"{campo}: {motivo}", {campo: [motivo]})


# ---------------------------------------------------------------------------------------------
# Validation and the internal model
# ---------------------------------------------------------------------------------------------


def _chave(valor, campo: str):
    """Identity of a JSON scalar: ``True`` and ``1`` differ, ``1`` and ``1.0`` are the same number."""
    if valor is None:
        return ("nulo",)
    if isinstance(valor, bool):
        return ("bool", valor)
    if isinstance(valor, (int, float)):
        if valor != valor:  # NaN is never equal to itself; give every NaN one identity
            return ("nan",)
        return ("num", valor)
    if isinstance(valor, str):
        return ("str", valor)
    raise CoberturaInvalida(campo, f"valor {valor!r} não é um escalar JSON (texto, número, booleano ou nulo)")


class _Modelo:
    """A validated parameter model with values replaced by indices.

    Columns are sorted by decreasing number of values (stable), because every construction
    below works best when the widest parameters come first; ``ordem[i]`` is the position in
    the caller's dict of internal column ``i``.
    """

    def __init__(self, parametros, restricoes):
        if not isinstance(parametros, dict):
            raise CoberturaInvalida(
                "schema_tdd.parametros", "os parâmetros devem ser um objeto nome -> lista de valores"
            )
        nomes_originais = list(parametros)
        dominios_originais = []
        for nome in nomes_originais:
            campo = f"schema_tdd.parametros.{nome}"
            dominio = parametros[nome]
            if isinstance(dominio, (str, bytes)) or not isinstance(dominio, Iterable):
                raise CoberturaInvalida(campo, "o domínio deve ser uma lista de valores")
            dominio = list(dominio)
            if not dominio:
                raise CoberturaInvalida(campo, "domínio vazio")
            vistos = set()
            for valor in dominio:
                chave = _chave(valor, campo)
                if chave in vistos:
                    raise CoberturaInvalida(campo, f"valor duplicado {valor!r} no domínio")
                vistos.add(chave)
            dominios_originais.append(dominio)
        self.ordem = sorted(range(len(nomes_originais)), key=lambda i: -len(dominios_originais[i]))
        self.nomes = [nomes_originais[i] for i in self.ordem]
        self.dominios = [dominios_originais[i] for i in self.ordem]
        self.niveis = [len(d) for d in self.dominios]
        self.indice = {nome: c for c, nome in enumerate(self.nomes)}
        self._externa = sorted(range(len(self.ordem)), key=lambda c: self.ordem[c])
        self.restricoes = _compilar_restricoes(restricoes, self)

    def linha_externa(self, linha: list[int]) -> dict:
        """The case as the caller sees it: parameters in the caller's order, original values."""
        return {self.nomes[c]: self.dominios[c][linha[c]] for c in self._externa}


def _compilar_restricoes(restricoes, modelo: _Modelo):
    """Checks the exclusions and returns them as tuples of ``(column, frozenset(value indices))``."""
    if restricoes is None:
        return []
    if isinstance(restricoes, dict) or not isinstance(restricoes, Iterable):
        raise CoberturaInvalida("schema_tdd.restricoes", "as restrições devem ser uma lista de objetos")
    compiladas = []
    for i, restricao in enumerate(restricoes):
        campo = f"schema_tdd.restricoes[{i}]"
        if not isinstance(restricao, dict):
            raise CoberturaInvalida(campo, "cada restrição deve ser um objeto parâmetro -> valor(es)")
        if not restricao:
            raise CoberturaInvalida(campo, "restrição vazia proibiria todos os casos")
        termos = []
        for nome, valores in restricao.items():
            campo_param = f"{campo}.{nome}"
            if nome not in modelo.indice:
                raise CoberturaInvalida(campo_param, f"parâmetro desconhecido {nome!r}")
            c = modelo.indice[nome]
            chaves = {_chave(v, campo_param): x for x, v in enumerate(modelo.dominios[c])}
            lista = valores if isinstance(valores, (list, tuple)) else [valores]
            if not lista:
                raise CoberturaInvalida(campo_param, "lista de valores vazia")
            indices = set()
            for valor in lista:
                chave = _chave(valor, campo_param)
                if chave not in chaves:
                    raise CoberturaInvalida(campo_param, f"valor {valor!r} não pertence ao domínio de {nome!r}")
                indices.add(chaves[chave])
            termos.append((c, frozenset(indices)))
        compiladas.append(tuple(termos))
    return compiladas


class _Restricoes:
    """Feasibility oracle for rows with free cells under the exclusions.

    ``completavel(linha)`` is exact: it answers whether the free cells can be filled so that
    no exclusion matches. Only the columns named by some exclusion matter, so the search
    runs over those alone and is memoised on their values.
    """

    def __init__(self, niveis: list[int], restricoes):
        self.niveis = niveis
        self.restricoes = restricoes
        self.colunas = sorted({c for r in restricoes for c, _ in r})
        self.envolvidas = set(self.colunas)
        self.por_coluna: dict[int, list] = {c: [] for c in self.colunas}
        for r in restricoes:
            for c, _ in r:
                self.por_coluna[c].append(r)
        self._cache: dict[tuple, bool] = {}

    @staticmethod
    def _casa(restricao, linha) -> bool:
        return all(linha[c] in valores for c, valores in restricao)

    def viola(self, linha, coluna: int | None = None) -> bool:
        """True when the (possibly partial) row already matches an exclusion.

        With ``coluna``, only the exclusions naming that column are checked -- enough after a
        change to that single cell. Free cells (``-1``) never match.
        """
        candidatas = self.restricoes if coluna is None else self.por_coluna.get(coluna, ())
        return any(self._casa(r, linha) for r in candidatas)

    def completavel(self, linha) -> bool:
        chave = tuple(linha[c] for c in self.colunas)
        resposta = self._cache.get(chave)
        if resposta is None:
            resposta = self.completa(linha) is not None
        return resposta

    def completa(self, linha, giro: int = 0) -> list[int] | None:
        """A completion of ``linha`` (its constrained free cells filled) or ``None`` if none exists.

        A plain depth-first search with a small node budget answers almost every query
        (feasible rows complete greedily); only when it runs out does the exact search with
        forward checking take over, so unlucky chains of exclusions cannot blow up.
        ``giro`` rotates the order in which values are tried, to vary the completions found.
        """
        trabalho = list(linha)
        if self.viola(trabalho):
            self._cache[tuple(linha[c] for c in self.colunas)] = False
            return None
        livres = [c for c in self.colunas if trabalho[c] == _LIVRE]
        orcamento = [4 * len(livres) + 16]
        resposta = self._rapida(trabalho, livres, 0, orcamento, giro)
        if resposta is None:
            resposta = self._busca(trabalho)
        self._cache[tuple(linha[c] for c in self.colunas)] = resposta
        return trabalho if resposta else None

    def _rapida(self, linha, livres, i, orcamento, giro) -> bool | None:
        """DFS in a fixed order; ``None`` when the node budget ran out (undecided).

        On success the cells stay filled; on failure they are free again.
        """
        if i == len(livres):
            return True
        c = livres[i]
        v = self.niveis[c]
        for j in range(v):
            x = (j + giro * (c + 1)) % v
            orcamento[0] -= 1
            if orcamento[0] < 0:
                linha[c] = _LIVRE
                return None
            linha[c] = x
            if not self.viola(linha, c):
                resposta = self._rapida(linha, livres, i + 1, orcamento, giro)
                if resposta is None or resposta:
                    if resposta is None:
                        linha[c] = _LIVRE
                    return resposta
        linha[c] = _LIVRE
        return False

    def _permitidos(self, linha, c: int) -> list[int]:
        """Values of free column ``c`` that would not complete an exclusion right away."""
        proibidos: set[int] = set()
        for restricao in self.por_coluna[c]:
            if all(linha[d] in valores for d, valores in restricao if d != c):
                proibidos |= next(valores for d, valores in restricao if d == c)
        return [x for x in range(self.niveis[c]) if x not in proibidos]

    def _busca(self, linha) -> bool:
        """Exact backtracking with forward checking and fewest-values-first ordering.

        Precondition: ``linha`` matches no exclusion. A free column left with no allowed
        value proves the branch dead at once, so chains such as "``a=1`` forbids every value
        of ``c``" are caught where ``a`` is set, not after trying every column in between.
        On success the cells stay filled; on failure they are free again.
        """
        escolhida, opcoes = None, None
        for c in self.colunas:
            if linha[c] == _LIVRE:
                permitidos = self._permitidos(linha, c)
                if not permitidos:
                    return False
                if opcoes is None or len(permitidos) < len(opcoes):
                    escolhida, opcoes = c, permitidos
        if escolhida is None or opcoes is None:
            return True
        for x in opcoes:
            linha[escolhida] = x
            if self._busca(linha):
                return True
        linha[escolhida] = _LIVRE
        return False


# ---------------------------------------------------------------------------------------------
# The bitset bookkeeping shared by every phase
# ---------------------------------------------------------------------------------------------


class _Arranjo:
    """Rows under construction plus the exact pair counts they produce.

    Invariants kept by ``muda`` (the only mutator of cells):

    * ``cnt[pid]`` is the number of rows holding pair ``pid`` (``_IMPOSSIVEL`` for pairs that
      no valid row can hold, so those never count as open);
    * bit ``(d, e)`` of ``Z[c][x]`` is set iff pair ``(c, x)``-``(d, e)`` is possible and
      uncovered, and of ``U[c][x]`` iff it is covered exactly once;
    * ``P[r]`` has bit ``(c, x)`` iff row ``r`` holds value ``x`` in column ``c``;
      ``R[c][x]`` has bit ``r`` iff row ``r`` holds ``x`` in ``c``, ``F[c]`` iff cell ``(r, c)``
      is free;
    * once ``rastreia_abertos()`` was called, ``abertos`` lists exactly the open (possible and
      uncovered) pairs and ``pos`` their slots (construction does not need the list, and
      keeping it costs a dict operation per covered pair).
    """

    def __init__(self, niveis: list[int]):
        self.v = v = list(niveis)
        self.k = k = len(v)
        self.bit = []
        deslocamento = 0
        for c in range(k):
            self.bit.append([1 << (deslocamento + x) for x in range(v[c])])
            deslocamento += v[c]
        self.mascara_coluna = [sum(b) for b in self.bit]
        tudo = (1 << deslocamento) - 1
        self.base = [[0] * k for _ in range(k)]
        self.par: list[tuple[int, int, int, int]] = []
        for c in range(k):
            for d in range(c + 1, k):
                self.base[c][d] = len(self.par)
                self.par.extend((c, x, d, e) for x in range(v[c]) for e in range(v[d]))
        # pid of (c, x)-(d, e) is desl[c][x][d] + e * passo[c][d]; the slot past the last
        # pair is a sink with an "impossible" count, which d == c maps to, so that the hot
        # loop in ``muda`` needs no test for the changed column itself.
        sumidouro = len(self.par)
        self.cnt = [0] * sumidouro + [_IMPOSSIVEL]
        self.passo = [[(v[c] if d < c else 1) if d != c else 0 for d in range(k)] for c in range(k)]
        self.desl = [
            [
                [
                    sumidouro if d == c else (self.base[d][c] + x if d < c else self.base[c][d] + x * v[d])
                    for d in range(k)
                ]
                for x in range(v[c])
            ]
            for c in range(k)
        ]
        self.Z = [[tudo & ~self.mascara_coluna[c] for _ in range(v[c])] for c in range(k)]
        self.U = [[0] * v[c] for c in range(k)]
        self.rastreando = False
        self.abertos: list[int] = []
        self.pos: dict[int, int] = {}
        self.linhas: list[list[int]] = []
        self.P: list[int] = []
        self.R = [[0] * v[c] for c in range(k)]
        self.F = [0] * k

    def marca_impossivel(self, pid: int) -> None:
        """Takes a pair out of the problem (before any row exists)."""
        c, x, d, e = self.par[pid]
        self.cnt[pid] = _IMPOSSIVEL
        self.Z[c][x] &= ~self.bit[d][e]
        self.Z[d][e] &= ~self.bit[c][x]

    # -- open-pair list: O(1) insertion, removal and random pick ------------------------------
    def rastreia_abertos(self) -> None:
        self.abertos = [pid for pid, n in enumerate(self.cnt) if n == 0]
        self.pos = {pid: i for i, pid in enumerate(self.abertos)}
        self.rastreando = True

    def _abre(self, pid: int) -> None:
        self.pos[pid] = len(self.abertos)
        self.abertos.append(pid)

    def _fecha(self, pid: int) -> None:
        i = self.pos.pop(pid)
        ultimo = self.abertos.pop()
        if ultimo != pid:
            self.abertos[i] = ultimo
            self.pos[ultimo] = i

    def pid(self, c: int, x: int, d: int, e: int) -> int:
        return self.desl[c][x][d] + e * self.passo[c][d]

    # -- rows ---------------------------------------------------------------------------------
    def nova_linha(self, valores: list[int] | None = None) -> int:
        """Appends a row (all free unless ``valores`` is given) and returns its index."""
        r = len(self.linhas)
        self.linhas.append([_LIVRE] * self.k)
        self.P.append(0)
        b = 1 << r
        for c in range(self.k):
            self.F[c] |= b
        if valores is not None:
            for c, x in enumerate(valores):
                if x != _LIVRE:
                    self.muda(r, c, x)
        return r

    def apaga_linha(self, r: int) -> None:
        """Removes row ``r``; the last row takes its index (so bitsets stay dense)."""
        for c in range(self.k):
            self.muda(r, c, _LIVRE)
        ultima = len(self.linhas) - 1
        br, bu = 1 << r, 1 << ultima
        if r != ultima:
            linha = self.linhas[ultima]
            for c in range(self.k):
                x = linha[c]
                if x == _LIVRE:
                    self.F[c] &= ~bu
                else:
                    self.R[c][x] ^= br | bu
                    self.F[c] &= ~br
            self.linhas[r] = linha
            self.P[r] = self.P[ultima]
        else:
            for c in range(self.k):
                self.F[c] &= ~bu
        self.linhas.pop()
        self.P.pop()

    def muda(self, r: int, c: int, y: int) -> None:
        """Sets cell ``(r, c)`` to ``y`` (``-1`` frees it), keeping every invariant exact."""
        linha = self.linhas[r]
        x = linha[c]
        if x == y:
            return
        cnt, Z, U, bit = self.cnt, self.Z, self.U, self.bit
        passo = self.passo[c]
        br = 1 << r
        if x != _LIVRE and y != _LIVRE:
            # The local search's move: one pass over the row does both the removal of the
            # old value's pairs and the insertion of the new one's (half the loop overhead).
            dx, dy = self.desl[c][x], self.desl[c][y]
            bx, by = bit[c][x], bit[c][y]
            zx, ux, zy, uy = Z[c][x], U[c][x], Z[c][y], U[c][y]
            rastreando = self.rastreando
            for d, e in enumerate(linha):
                if e < 0:
                    continue
                deslocamento = e * passo[d]
                pid = dx[d] + deslocamento
                n = cnt[pid] - 1
                cnt[pid] = n
                if n < 2:
                    be = bit[d][e]
                    if n == 1:
                        ux |= be
                        U[d][e] |= bx
                    else:
                        ux ^= be
                        U[d][e] ^= bx
                        zx |= be
                        Z[d][e] |= bx
                        if rastreando:
                            self._abre(pid)
                pid = dy[d] + deslocamento
                n = cnt[pid] + 1
                cnt[pid] = n
                if n < 3:
                    be = bit[d][e]
                    if n == 1:
                        zy ^= be
                        Z[d][e] ^= by
                        uy |= be
                        U[d][e] |= by
                        if rastreando:
                            self._fecha(pid)
                    else:
                        uy ^= be
                        U[d][e] ^= by
            Z[c][x], U[c][x], Z[c][y], U[c][y] = zx, ux, zy, uy
            self.R[c][x] ^= br
            self.R[c][y] |= br
            self.P[r] ^= bx | by
            linha[c] = y
            return
        if x != _LIVRE:
            desl = self.desl[c][x]
            bx = bit[c][x]
            zx, ux = Z[c][x], U[c][x]
            for d, e in enumerate(linha):
                if e < 0:
                    continue
                pid = desl[d] + e * passo[d]
                n = cnt[pid] - 1
                cnt[pid] = n
                if n > 1:
                    continue  # the common case: still covered at least twice
                be = bit[d][e]
                if n == 1:
                    ux |= be
                    U[d][e] |= bx
                else:
                    ux ^= be
                    U[d][e] ^= bx
                    zx |= be
                    Z[d][e] |= bx
                    if self.rastreando:
                        self._abre(pid)
            Z[c][x], U[c][x] = zx, ux
            self.R[c][x] ^= br
            self.P[r] ^= bx
        else:
            self.F[c] ^= br
        linha[c] = y
        if y != _LIVRE:
            desl = self.desl[c][y]
            by = bit[c][y]
            zy, uy = Z[c][y], U[c][y]
            for d, e in enumerate(linha):
                if e < 0:
                    continue
                pid = desl[d] + e * passo[d]
                n = cnt[pid] + 1
                cnt[pid] = n
                if n > 2:
                    continue
                be = bit[d][e]
                if n == 1:
                    zy ^= be
                    Z[d][e] ^= by
                    uy |= be
                    U[d][e] |= by
                    if self.rastreando:
                        self._fecha(pid)
                else:
                    uy ^= be
                    U[d][e] ^= by
            Z[c][y], U[c][y] = zy, uy
            self.R[c][y] |= br
            self.P[r] |= by
        else:
            self.F[c] |= br

    def exclusivos(self, r: int) -> int:
        """Number of pairs that only row ``r`` covers (what deleting it would open)."""
        linha, P, U = self.linhas[r], self.P[r], self.U
        return sum((U[c][x] & P).bit_count() for c, x in enumerate(linha) if x >= 0) // 2


# ---------------------------------------------------------------------------------------------
# Algebraic constructions (no restrictions): finite fields, OAs, products, cyclic arrays, KS
# ---------------------------------------------------------------------------------------------


def _potencia_de_primo(q: int) -> tuple[int, int] | None:
    if q < 2:
        return None
    for p in range(2, math.isqrt(q) + 1):
        if q % p == 0:
            m, resto = 0, q
            while resto % p == 0:
                resto //= p
                m += 1
            return (p, m) if resto == 1 else None
    return (q, 1)


_CORPOS: dict[int, tuple[list[list[int]], list[list[int]]]] = {}


def _corpo_finito(q: int) -> tuple[list[list[int]], list[list[int]]]:
    """Addition and multiplication tables of GF(q); elements are 0..q-1 (base-p digits)."""
    if q in _CORPOS:
        return _CORPOS[q]
    potencia = _potencia_de_primo(q)
    assert potencia is not None  # the callers ask only for prime powers
    p, m = potencia
    if m == 1:
        soma = [[(a + b) % p for b in range(p)] for a in range(p)]
        mult = [[(a * b) % p for b in range(p)] for a in range(p)]
    else:

        def digitos(a):
            return [(a // p**i) % p for i in range(m)]

        def numero(ds):
            return sum(d * p**i for i, d in enumerate(ds))

        def resto(poli, modulo):  # modulo is monic
            poli = list(poli)
            grau = len(modulo) - 1
            for i in range(len(poli) - 1, grau - 1, -1):
                coef = poli[i]
                if coef:
                    for j in range(grau + 1):
                        poli[i - grau + j] = (poli[i - grau + j] - coef * modulo[j]) % p
            return poli[:grau]

        def produto(a, b):
            out = [0] * (len(a) + len(b) - 1)
            for i, ai in enumerate(a):
                if ai:
                    for j, bj in enumerate(b):
                        out[i + j] = (out[i + j] + ai * bj) % p
            return out

        def irredutivel(f):
            for grau in range(1, m // 2 + 1):
                for cauda in itertools.product(range(p), repeat=grau):
                    if not any(resto(f, list(cauda) + [1])):
                        return False
            return True

        modulo = next(
            list(cauda) + [1]
            for cauda in itertools.product(range(p), repeat=m)
            if cauda[0] != 0 and irredutivel(list(cauda) + [1])
        )
        elementos = [digitos(a) for a in range(q)]
        soma = [
            [numero([(x + y) % p for x, y in zip(elementos[a], elementos[b], strict=True)]) for b in range(q)]
            for a in range(q)
        ]
        mult = [
            [numero(resto(produto(elementos[a], elementos[b]) + [0] * m, modulo)) for b in range(q)] for a in range(q)
        ]
    _CORPOS[q] = (soma, mult)
    return soma, mult


def _proxima_potencia_de_primo(v: int) -> int:
    q = max(v, 2)
    while _potencia_de_primo(q) is None:
        q += 1
    return q


def _oa(v: int, com_infinito: bool) -> list[list[int]]:
    """``OA(q^2, q+1, q)`` over GF(q), q the least prime power >= v, collapsed to ``v`` symbols.

    Rows ``(a, b)``: column ``x`` holds ``a*x + b``, the extra column holds ``a``. Any two
    columns see every pair of symbols exactly once. Without the extra column the ``q`` rows
    ``(0, b)`` are constant (``b`` everywhere), which the product construction exploits.
    When ``v < q`` the symbols ``>= v`` become free cells; the ``q - v`` rows ``(0, b)``,
    ``b >= v``, are then entirely free and are dropped (in the extra column, where those rows
    all hold ``0``, symbol ``0`` is swapped with ``q - 1`` so that it is the one freed).
    """
    q = _proxima_potencia_de_primo(v)
    soma, mult = _corpo_finito(q)
    linhas = []
    for a in range(q):
        for b in range(q):
            linha = [soma[mult[a][x]][b] for x in range(q)]
            if com_infinito:
                linha.append(q - 1 if a == 0 and v < q else (0 if a == q - 1 and v < q else a))
            linhas.append(linha)
    return _colapsa(linhas, v)


def _colapsa(linhas: list[list[int]], v: int) -> list[list[int]]:
    """Frees symbols ``>= v`` and drops rows left with no value at all."""
    saida = []
    for linha in linhas:
        nova = [x if x < v else _LIVRE for x in linha]
        if any(x != _LIVRE for x in nova):
            saida.append(nova)
    return saida


def _produto(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
    """Product construction: ``CA(N, k, v)`` x ``CA(M, l, v)`` -> ``CA(<= N+M, k*l, v)``.

    Column ``(i, j)`` takes column ``i`` of ``a`` in the first block of rows and column ``j``
    of ``b`` in the second: two columns with different ``i`` are covered by the first block,
    two with the same ``i`` by the second. Rows that come out identical (the constant rows of
    both factors) are kept once, which is where the ``- s`` of ``N + M - s`` comes from.
    """
    ka, kb = len(a[0]), len(b[0])
    saida, vistas = [], set()
    for linha in itertools.chain(
        ([x for x in ra for _ in range(kb)] for ra in a),
        ([rb[j] for _ in range(ka) for j in range(kb)] for rb in b),
    ):
        chave = tuple(linha)
        if chave not in vistas:
            vistas.add(chave)
            saida.append(linha)
    return saida


def _ciclico(v: int, k: int, rng: random.Random, passos: int = 4000) -> list[list[int]] | None:
    """A 1-rotational covering array: ``(v-1)*m + 1`` rows, ``m = max(k, v+1)`` columns.

    A starter vector ``s`` over ``Z_(v-1)`` plus a fixed point ``oo`` (stored as ``v-1``) is
    sought by local search such that, for every cyclic shift ``d``, the pairs
    ``(s[y], s[y+d])`` show every difference of ``Z_(v-1)``; with ``oo`` at one position they
    also show ``(oo, finite)`` and ``(finite, oo)``. The circulant of ``s``, developed by adding
    every ``g`` of ``Z_(v-1)`` (``oo`` fixed), plus one all-``oo`` row, then covers every pair
    of any two columns. Returns ``None`` if the search budget runs out.
    """
    q = v - 1
    if q < 2:
        return None
    m = max(k, q + 2)
    deslocamentos = range(1, m // 2 + 1)
    s = [q] + [rng.randrange(q) for _ in range(m - 1)]
    contagem = [[0] * q for _ in deslocamentos]
    for i, d in enumerate(deslocamentos):
        for y in range(m):
            a, b = s[y], s[(y + d) % m]
            if a != q and b != q:
                contagem[i][(b - a) % q] += 1
    faltas = sum(linha.count(0) for linha in contagem)

    def ajusta(y: int, sinal: int) -> int:
        """Adds (or removes) the pairs touching position ``y``; returns the change in faltas."""
        mudanca = 0
        for i, d in enumerate(deslocamentos):
            cont = contagem[i]
            for a, b in ((s[(y - d) % m], s[y]), (s[y], s[(y + d) % m])):
                if a != q and b != q:
                    t = (b - a) % q
                    n = cont[t] + sinal
                    cont[t] = n
                    if n == 0:
                        mudanca += 1
                    elif n == 1 and sinal > 0:
                        mudanca -= 1
        return mudanca

    for _ in range(passos):
        if faltas == 0:
            break
        y = rng.randrange(1, m)  # position 0 keeps the fixed point
        antigo = s[y]
        novo = rng.randrange(q - 1)
        novo += novo >= antigo
        delta = ajusta(y, -1)
        s[y] = novo
        delta += ajusta(y, 1)
        if delta <= 0:
            faltas += delta
        else:
            ajusta(y, -1)
            s[y] = antigo
            ajusta(y, 1)
    if faltas:
        return None
    linhas = [[q] * k]
    for x in range(m):
        base = [s[(x + i) % m] for i in range(k)]
        for g in range(q):
            linhas.append([q if e == q else (e + g) % q for e in base])
    return linhas


def _kleitman_spencer(k: int) -> list[list[int]]:
    """Optimal binary strength-2 array: the least ``N`` with ``C(N-1, ceil(N/2)) >= k`` rows.

    Columns are distinct ``N``-bit vectors with a 0 in the first row and weight ``ceil(N/2)``
    on the other ``N-1`` rows: two such sets intersect (``1,1``), neither contains the other
    (``1,0`` and ``0,1``), and the first row gives ``0,0``.
    """
    n = 2
    while math.comb(n - 1, (n + 1) // 2) < k:
        n += 1
    colunas = itertools.islice(itertools.combinations(range(1, n), (n + 1) // 2), k)
    matriz = [[0] * k for _ in range(n)]
    for j, conjunto in enumerate(colunas):
        for i in conjunto:
            matriz[i][j] = 1
    return matriz


def _sementes(v: int, k: int, rng: random.Random, teto: int) -> list[list[list[int]]]:
    """Algebraic arrays with ``v`` symbols and fewer than ``teto`` rows, smallest first.

    Each is a starting point for the widest parameters, used for as many of its columns as
    there are parameters; one with fewer columns than parameters is extended by IPOG.
    Constructions that cannot get under ``teto`` (the size greedy growth already reached)
    are not even built: that bounds the field sizes and the cyclic search.
    """
    if v == 1:
        return []
    if v == 2:
        return [_kleitman_spencer(k)]
    q = _proxima_potencia_de_primo(v)
    candidatos = []
    if q * q - (q - v) < teto:
        oa_cheio, oa_menos = _oa(v, True), _oa(v, False)
        candidatos += [oa_cheio, oa_menos]
        if k > len(oa_cheio[0]):
            # Products only pay when one orthogonal array is too narrow.
            p_mm = _produto(oa_menos, oa_menos)
            candidatos += [_produto(oa_cheio, oa_cheio), _produto(oa_cheio, oa_menos), p_mm]
            if k > len(p_mm[0]):
                candidatos += [_produto(oa_cheio, p_mm), _produto(oa_menos, p_mm)]
    completos = [len(c) for c in candidatos if len(c[0]) >= k]
    if k > q + 1 and (v - 1) * max(k, v + 1) + 1 < min(completos + [teto]):
        ciclico = _ciclico(v, k, rng)
        if ciclico is not None:
            candidatos.append(ciclico)
    # Keep only seeds no other one beats on both counts (fewer rows, more columns, capped
    # at k): IPOG would only do worse from a dominated one.
    uteis: list[list[list[int]]] = []
    for semente in sorted(candidatos, key=lambda c: (len(c), -min(len(c[0]), k))):
        colunas = min(len(semente[0]), k)
        if len(semente) < teto and all(colunas > min(len(u[0]), k) for u in uteis):
            uteis.append(semente)
    return uteis


# ---------------------------------------------------------------------------------------------
# Greedy growth (IPOG), filling and the post-optimisation
# ---------------------------------------------------------------------------------------------


def _pares_impossiveis(arr: _Arranjo, restr: _Restricoes | None) -> list[int]:
    """Pair ids that no valid row can contain (they need not, and cannot, be covered).

    Only pairs of two constrained columns need a search (a value of an unconstrained column
    goes with anything). Every completion found is a witness for all the pairs it holds,
    which removes most searches.
    """
    if restr is None:
        return []
    k = arr.k
    colunas = restr.colunas
    vistos: set[int] = set()  # pair ids known to be possible
    valores_vistos: set[tuple[int, int]] = set()

    def testemunha(linha) -> bool:
        # Rotating value orders makes successive witnesses hold different pairs.
        completa = restr.completa(linha, giro=len(valores_vistos) + len(vistos))
        if completa is None:
            return False
        for i, c in enumerate(colunas):
            desl, passo = arr.desl[c][completa[c]], arr.passo[c]
            vistos.update(desl[d] + completa[d] * passo[d] for d in colunas[i + 1 :])
            valores_vistos.add((c, completa[c]))
        return True

    valor_ok = {}
    for c in colunas:
        for x in range(arr.v[c]):
            if (c, x) not in valores_vistos:
                linha = [_LIVRE] * k
                linha[c] = x
                valor_ok[c, x] = testemunha(linha)
            else:
                valor_ok[c, x] = True
    impossiveis = []
    for pid, (c, x, d, e) in enumerate(arr.par):
        if not (valor_ok.get((c, x), True) and valor_ok.get((d, e), True)):
            impossiveis.append(pid)
        elif c in restr.envolvidas and d in restr.envolvidas and pid not in vistos:
            linha = [_LIVRE] * k
            linha[c], linha[d] = x, e
            if not testemunha(linha):
                impossiveis.append(pid)
    return impossiveis


def _cabe(arr: _Arranjo, restr: _Restricoes | None, r: int, mudancas) -> bool:
    """Whether row ``r`` stays completable after the ``(column, value)`` changes."""
    if restr is None or not any(c in restr.envolvidas for c, _ in mudancas):
        return True
    linha = list(arr.linhas[r])
    for c, y in mudancas:
        linha[c] = y
    return restr.completavel(linha)


def _ipog(arr: _Arranjo, primeira: int, restr: _Restricoes | None) -> None:
    """Adds columns ``primeira..k-1`` IPOG-style; afterwards every possible pair is covered.

    Horizontal growth gives each existing row the value of the new column that covers most
    open pairs with the cells already set (ties go to the least used value, which keeps the
    column balanced and leaves room for later columns); rows where no value helps keep a
    free cell. Vertical growth then places each pair still open in a row whose two cells
    are free or already right, creating a row only when none exists. Rows stay completable
    under the restrictions at every step, so the result can always be filled validly.
    """
    cel = [(d, e) for d in range(arr.k) for e in range(arr.v[d])]
    anteriores = 0
    for c in range(primeira):
        anteriores |= arr.mascara_coluna[c]
    for c in range(primeira, arr.k):
        vc = arr.v[c]
        Zc = arr.Z[c]
        uso = [0] * vc
        envolvida = restr is not None and c in restr.envolvidas
        for r in range(len(arr.linhas)):
            if arr.linhas[r][c] != _LIVRE:
                continue
            P = arr.P[r]
            ganhos = sorted((-(Zc[y] & P).bit_count(), uso[y], y) for y in range(vc))
            for ganho, _, y in ganhos:
                if ganho == 0:
                    break
                if not envolvida or _cabe(arr, restr, r, ((c, y),)):
                    arr.muda(r, c, y)
                    uso[y] += 1
                    break
        for y in range(vc):
            faltam = Zc[y] & anteriores
            while faltam:
                baixo = faltam & -faltam
                faltam ^= baixo
                if not Zc[y] & baixo:
                    continue  # covered meanwhile by a cell set for another pair
                d, e = cel[baixo.bit_length() - 1]
                Rcy, Rde, Fc, Fd = arr.R[c][y], arr.R[d][e], arr.F[c], arr.F[d]
                colocado = False
                for opcoes in ((Rcy & Fd) | (Fc & Rde), Fc & Fd):
                    while opcoes and not colocado:
                        b = opcoes & -opcoes
                        opcoes ^= b
                        r = b.bit_length() - 1
                        if _cabe(arr, restr, r, ((c, y), (d, e))):
                            arr.muda(r, c, y)
                            arr.muda(r, d, e)
                            colocado = True
                    if colocado:
                        break
                if not colocado:
                    r = arr.nova_linha()
                    arr.muda(r, c, y)
                    arr.muda(r, d, e)
        anteriores |= arr.mascara_coluna[c]


def _preenche(arr: _Arranjo, restr: _Restricoes | None) -> None:
    """Gives every free cell a value, keeping rows valid.

    All pairs are already covered, so the value chosen is the one that makes the most
    once-covered pairs twice-covered: that redundancy is what lets the post-optimisation
    delete rows.
    """
    U, Z = arr.U, arr.Z
    for r, linha in enumerate(arr.linhas):
        for c in range(arr.k):
            if linha[c] != _LIVRE:
                continue
            P = arr.P[r]
            ordem = sorted(
                range(arr.v[c]),
                key=lambda y: (-(Z[c][y] & P).bit_count(), -(U[c][y] & P).bit_count(), y),
            )
            for y in ordem:
                if restr is None or c not in restr.envolvidas or _cabe(arr, restr, r, ((c, y),)):
                    arr.muda(r, c, y)
                    break


def _reduz(
    arr: _Arranjo, passos: int, paciencia: int, rng: random.Random, restr: _Restricoes | None
) -> list[list[int]]:
    """Post-optimisation: returns the smallest complete covering array met within ``passos``.

    Repeatedly deletes the row covering the fewest pairs alone, then repairs the opened
    pairs with a tabu local search (the move set of TCA-like searches): pick an open pair,
    try every one-cell change that puts it in a row already holding half of it, apply the
    change with the best net effect on the number of open pairs, forbid changing that cell
    again for a few steps. Every intermediate array whose open-pair list empties is a valid
    covering array (with restrictions, no move may make a row match an exclusion), so the
    answer is never worse than the input.

    An attempt at one row fewer gets ``paciencia`` steps, or twice what the previous
    successful attempt needed if that is more: successes come in a few hundred steps while
    the next size is within reach, so a long failing attempt means the end of the road.
    """
    melhor = [list(linha) for linha in arr.linhas]
    k = arr.k
    arr.rastreia_abertos()
    tabu = [[0] * k for _ in arr.linhas]  # step until which cell (r, c) may not change
    passo = 0
    Z, U, R, P, linhas, par, abertos = arr.Z, arr.U, arr.R, arr.P, arr.linhas, arr.par, arr.abertos
    gasto_anterior = 0
    while passo < passos and len(linhas) > 1:
        inicio = passo
        limite = min(passos, passo + max(paciencia, 2 * gasto_anterior))
        alvo = min(range(len(linhas)), key=lambda r: (arr.exclusivos(r), -r))
        arr.apaga_linha(alvo)
        tabu[alvo] = tabu[-1]
        tabu.pop()
        recorde = len(abertos)
        while abertos and passo < limite:
            passo += 1
            c, x, d, e = par[abertos[rng.randrange(len(abertos))]]
            melhores, melhor_delta = [], None
            atual = len(abertos)
            # Candidate moves: set (r, c) to x where row r already has e in d, or the converse.
            for col, val, outras in ((c, x, R[d][e]), (d, e, R[c][x])):
                Zn = Z[col][val]
                Ucol = U[col]
                while outras:
                    b = outras & -outras
                    outras ^= b
                    r = b.bit_length() - 1
                    Pr = P[r]
                    # pairs only this cell covers are lost; open pairs it meets are gained
                    delta = (Ucol[linhas[r][col]] & Pr).bit_count() - (Zn & Pr).bit_count()
                    if tabu[r][col] > passo and atual + delta >= recorde:
                        continue  # tabu, unless it would beat the best count of this attempt
                    if restr is not None and col in restr.envolvidas:
                        linha = linhas[r]
                        antigo = linha[col]
                        linha[col] = val
                        proibida = restr.viola(linha, col)
                        linha[col] = antigo
                        if proibida:
                            continue
                    if melhor_delta is None or delta < melhor_delta:
                        melhor_delta, melhores = delta, [(r, col, val)]
                    elif delta == melhor_delta:
                        melhores.append((r, col, val))
            if not melhores:
                # Nothing allowed: put the whole pair in a random row, if that row stays valid.
                r = rng.randrange(len(linhas))
                if restr is not None:
                    linha = list(linhas[r])
                    linha[c], linha[d] = x, e
                    if restr.viola(linha):
                        continue
                arr.muda(r, c, x)
                arr.muda(r, d, e)
                tabu[r][c] = tabu[r][d] = passo + 3
            else:
                r, col, val = melhores[rng.randrange(len(melhores))] if len(melhores) > 1 else melhores[0]
                arr.muda(r, col, val)
                tabu[r][col] = passo + 3 + rng.randrange(3)
            if len(abertos) < recorde:
                recorde = len(abertos)
        if abertos:
            break
        gasto_anterior = passo - inicio
        melhor = [list(linha) for linha in linhas]
    return melhor


def _novo_arranjo(niveis: list[int], restr: _Restricoes | None) -> _Arranjo:
    arr = _Arranjo(niveis)
    if restr is not None:
        for pid in _pares_impossiveis(arr, restr):
            arr.marca_impossivel(pid)
    return arr


def _inicial_ipog(niveis, restr, semente_alg=None) -> _Arranjo:
    """A complete covering array: the seed (or all pairs of the first two columns) + IPOG."""
    k = len(niveis)
    arr = _novo_arranjo(niveis, restr)
    if semente_alg is not None:
        usadas = min(len(semente_alg[0]), k)
        for linha in semente_alg:
            nova = [x if x < niveis[j] else _LIVRE for j, x in enumerate(linha[:usadas])]
            if any(x != _LIVRE for x in nova):
                arr.nova_linha(nova + [_LIVRE] * (k - usadas))
    else:
        usadas = 2
        for x in range(niveis[0]):
            for e in range(niveis[1]):
                if arr.cnt[arr.pid(0, x, 1, e)] != _IMPOSSIVEL:
                    arr.nova_linha([x, e] + [_LIVRE] * (k - 2))
    _ipog(arr, usadas, restr)
    _preenche(arr, restr)
    return arr


def _limite_inferior(niveis: list[int], restr: _Restricoes | None) -> int:
    """A size no covering array can go below; reaching it makes optimisation pointless."""
    if restr is not None:
        return 1  # exclusions may remove pairs of the two widest parameters
    return niveis[0] * niveis[1]


def _atalho_otimo(niveis: list[int]) -> list[list[int]] | None:
    """The provably optimal array when one construction gives it outright, else ``None``.

    All binary: Kleitman-Spencer. Two widest parameters with the same prime-power number of
    values ``q`` and at most ``q + 1`` parameters: ``OA(q^2, q+1, q)``, whose ``q^2`` rows
    meet the lower bound (narrower parameters take their values below their level and any
    value, here 0, where the OA has a symbol they lack).
    """
    k = len(niveis)
    if all(v == 2 for v in niveis):
        return [linha[:k] for linha in _kleitman_spencer(k)]
    q = niveis[0]
    if niveis[1] == q and _potencia_de_primo(q) is not None and k <= q + 1:
        return [[x if x < niveis[j] else 0 for j, x in enumerate(linha[:k])] for linha in _oa(q, True)]
    return None


def _pairwise(modelo: _Modelo, semente: int) -> list[list[int]]:
    niveis = modelo.niveis
    k = len(niveis)
    rng = random.Random(semente)
    restr = _Restricoes(niveis, modelo.restricoes) if modelo.restricoes else None
    if k == 1:
        return [[x] for x in range(niveis[0]) if restr is None or restr.completavel([x])]
    if restr is None:
        otimo = _atalho_otimo(niveis)
        if otimo is not None:
            return otimo
    arr = _inicial_ipog(niveis, restr)
    if restr is None:
        for semente_alg in _sementes(niveis[0], k, rng, len(arr.linhas)):
            # A seed that already has as many rows as the best array so far cannot win.
            if len(semente_alg) < len(arr.linhas):
                outro = _inicial_ipog(niveis, None, semente_alg)
                if len(outro.linhas) < len(arr.linhas):
                    arr = outro
    if len(arr.linhas) <= _limite_inferior(niveis, restr):
        return arr.linhas
    # Step budget: a step costs about O(k) (the cell update), so wide models get fewer steps
    # to keep the run well under a second; the numbers come from bench/pairwise.py.
    passos = min(8000, 600_000 // k)
    return _reduz(arr, passos, passos // 4, rng, restr)


def _cada_valor(modelo: _Modelo) -> list[list[int]]:
    """Each value of each parameter at least once; ``max(levels)`` rows without restrictions.

    With restrictions, values that no valid case can hold are skipped, and rows are built
    greedily (each new row takes as many still-missing values as stay completable).
    """
    niveis = modelo.niveis
    k = len(niveis)
    if not modelo.restricoes:
        return [[r % v for v in niveis] for r in range(max(niveis))]
    restr = _Restricoes(niveis, modelo.restricoes)
    faltam = set()
    for c in range(k):
        for x in range(niveis[c]):
            linha = [_LIVRE] * k
            linha[c] = x
            if restr.completavel(linha):
                faltam.add((c, x))
    linhas = []
    while faltam:
        linha = [_LIVRE] * k
        for c, x in sorted(faltam):
            if linha[c] == _LIVRE:
                linha[c] = x
                if not restr.completavel(linha):
                    linha[c] = _LIVRE
        for c in range(k):
            if linha[c] == _LIVRE:
                for x in range(niveis[c]):
                    linha[c] = x
                    if restr.completavel(linha):
                        break
        faltam -= set(enumerate(linha))
        linhas.append(linha)
    return linhas


def _exaustiva(modelo: _Modelo, limite: int) -> list[list[int]]:
    total = math.prod(modelo.niveis)
    if total > limite:
        # Checked on the product, before enumerating anything, so a huge model costs nothing.
        raise CoberturaInvalida(
            "schema_tdd.cobertura",
            f"a cobertura exaustiva teria {total} casos, acima do limite de {limite}; use pairwise",
        )
    restr = _Restricoes(modelo.niveis, modelo.restricoes) if modelo.restricoes else None
    k = len(modelo.niveis)
    posicao = {original: c for c, original in enumerate(modelo.ordem)}
    niveis_originais = [modelo.niveis[posicao[i]] for i in range(k)]
    linhas = []
    for combinacao in itertools.product(*(range(v) for v in niveis_originais)):
        linha = [combinacao[modelo.ordem[c]] for c in range(k)]
        if restr is None or not restr.viola(linha):
            linhas.append(linha)
    return linhas


def gerar_casos(
    parametros: dict[str, list],
    cobertura: str = "pairwise",
    restricoes: list[dict] | None = None,
    *,
    limite_exaustiva: int = 10_000,
    semente: int = 0,
) -> list[dict]:
    """Returns the test cases (dicts parameter -> original value) of the requested coverage.

    Guarantees: no case matches an exclusion of ``restricoes``; for ``"pairwise"`` every pair
    of values of two parameters that some valid case can contain is in some case; for
    ``"cada_valor"`` every value that some valid case can contain is in some case; for
    ``"exaustiva"`` every valid combination is present exactly once. The result depends only
    on the arguments (same ``semente``, same cases). No parameters gives no cases.

    Raises ``CoberturaInvalida`` (with ``campo``) for an unknown coverage, a malformed or
    empty domain, duplicate values, restrictions naming unknown parameters or values,
    restrictions that forbid every case, and an exhaustive product above the limit.
    """
    if cobertura not in COBERTURAS:
        raise CoberturaInvalida(
            "schema_tdd.cobertura", f"cobertura desconhecida {cobertura!r}; use {', '.join(COBERTURAS)}"
        )
    modelo = _Modelo(parametros, restricoes)
    if not modelo.niveis:
        return []
    if modelo.restricoes:
        restr = _Restricoes(modelo.niveis, modelo.restricoes)
        if not restr.completavel([_LIVRE] * len(modelo.niveis)):
            raise CoberturaInvalida("schema_tdd.restricoes", "as restrições proíbem todos os casos")
    if cobertura == "exaustiva":
        linhas = _exaustiva(modelo, limite_exaustiva)
    elif cobertura == "cada_valor":
        linhas = _cada_valor(modelo)
    else:
        linhas = _pairwise(modelo, semente)
    return [modelo.linha_externa(linha) for linha in linhas]
