"""The expression language of ``spec_poo``'s methods: the form of a method a machine builds.

A class's method has two forms in the spec. With ``regras`` only (free text), the generated code
raises ``NotImplementedError`` and the release lists it as pending. With ``expressao`` (and,
optionally, ``exige``: preconditions), worker E builds it:

.. code-block:: yaml

    - nome: trecho
      parametros: [{nome: inicio, tipo: int}, {nome: fim, tipo: int}]
      retorna: str
      exige: [{condicao: "0 <= inicio <= fim", mensagem: "inicio deve ser menor ou igual a fim"}]
      expressao: "texto[inicio:fim]"

The expression has the syntax of a Python expression, but only what this list allows — and
nothing is evaluated with ``eval``: the text is read by ``ast.parse`` and each node is checked
against the list:

- constants: integers, decimals (``0.5``), quoted texts, ``True``, ``False``;
- names: the class's required attributes and the method's parameters (nothing else: no
  builtins, no ``self``, no names with ``__``);
- arithmetic ``+ - * / // %`` (not ``**``: it grows without bound), signs ``-x``, ``+x``;
- comparisons ``== != < <= > >=`` (chained: ``0 <= x <= 10``), ``in`` and ``not in`` (with a
  literal list ``[a, b]``, a text or a list/dict);
- logic ``and``, ``or``, ``not`` (on booleans only), and ``a if condicao else b``;
- index and slice of a text: ``texto[0]``, ``texto[inicio:fim]`` (no step);
- the functions ``abs``, ``len``, ``max``, ``min``, ``round`` — no other call.

Attribute access (``texto.upper``), other calls (``__import__('os')``), ``lambda``,
comprehensions, f-strings, ``:=`` and the rest are refused when the spec is validated, with the
column.

The types are those of ``spec_poo`` (``int float decimal str bool date list dict`` and the spec's
classes) and are checked before generating: ``decimal`` does not mix with ``float`` (Python would
raise ``TypeError``), except constants — ``preco * 0.9`` with a decimal ``preco`` computes
``Decimal("0.9")``; an ISO text compared with a date is a date (``criada_em >= "2024-01-01"``);
the expression's type must serve the method's ``retorna`` (``int`` serves ``float`` and
``decimal``).

Three uses of the same typed tree (``Expressao``): ``analisar`` (the spec's validation),
``compilar`` (the Python code the generator writes) and ``avaliar`` (the expected result in the
tests, computed by PROMETHEUS without going through the generated code). A pure module: no
Django.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fabrica.specs.traducao import _, gettext_noop

FUNCOES = ("abs", "len", "max", "min", "round")
# Global names the compiled code calls: a parameter with one of them would hide it.
NOMES_DO_CODIGO = (*FUNCOES, "float")
MAX_CARACTERES = 500
MAX_NOS = 200
# A repeated text or list (``"a" * n``) larger than this is not evaluated: the test would be huge.
MAX_TAMANHO_AVALIADO = 1_000_000
# Numbers PROMETHEUS evaluates: each intermediate result stays below this, so each operation
# costs microseconds (a product of 400-digit integers, not of millions) and every result fits a
# test's literal (Python refuses to convert to text above 4,300 digits).
MAX_DIGITOS = 400
# round(x, n): decimal places between -MAX_CASAS and MAX_CASAS (round(5, -10**10) would compute 10**10**10).
MAX_CASAS = 400
# Decimals: adjusted exponent (the order of magnitude) up to MAX_DIGITOS; the default context would go to 999,999.
MAX_EXPOENTE = MAX_DIGITOS
_LIMITE_INTEIRO = 10**MAX_DIGITOS

NUMERICOS = ("int", "float", "decimal")
ORIGENS = ("atributo", "parametro")

_ARITMETICOS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
}
_COMPARADORES: dict[type, str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_NAO_PERMITIDOS: dict[type, str] = {
    ast.Attribute: gettext_noop("acesso a atributo"),
    ast.Lambda: "lambda",
    ast.ListComp: gettext_noop("compreensão de lista"),
    ast.SetComp: gettext_noop("compreensão de conjunto"),
    ast.DictComp: gettext_noop("compreensão de dicionário"),
    ast.GeneratorExp: gettext_noop("gerador"),
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.NamedExpr: gettext_noop("atribuição (:=)"),
    ast.Starred: gettext_noop("desempacotamento (*)"),
    ast.Dict: gettext_noop("dicionário literal"),
    ast.Set: gettext_noop("conjunto literal"),
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_NOMES_OPERADOR: dict[type, str] = {
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Is: "is",
    ast.IsNot: "is not",
}


class ErroExpressao(ValueError):
    """A refused expression: the message says what and where (column, counted from 1)."""


class ErroAvaliacao(ValueError):
    """PROMETHEUS could not evaluate the expression (a value too large, say)."""


@dataclass(frozen=True)
class Simbolo:
    """A name the expression may use: an attribute of the class or a parameter of the method."""

    tipo: str
    origem: str  # one of ORIGENS


# --- The typed tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class No:
    tipo: str
    # Only constants at the leaves: it may become a decimal or a date depending on the side it is combined with.
    literal: bool


@dataclass(frozen=True)
class Const(No):
    valor: Any


@dataclass(frozen=True)
class Nome(No):
    nome: str
    origem: str


@dataclass(frozen=True)
class Unario(No):
    op: str  # "-", "+", "not"
    operando: No


@dataclass(frozen=True)
class Binario(No):
    op: str
    esq: No
    dir: No


@dataclass(frozen=True)
class Logico(No):
    op: str  # "and", "or"
    itens: tuple[No, ...]


@dataclass(frozen=True)
class Comparacao(No):
    ops: tuple[str, ...]
    itens: tuple[No, ...]  # len(ops) + 1


@dataclass(frozen=True)
class Sequencia(No):
    """A literal list, only to the right of ``in``/``not in``."""

    itens: tuple[No, ...]


@dataclass(frozen=True)
class Condicional(No):
    teste: No
    sim: No
    nao: No


@dataclass(frozen=True)
class Indice(No):
    valor: No
    indice: No


@dataclass(frozen=True)
class Fatia(No):
    valor: No
    inicio: No | None
    fim: No | None


@dataclass(frozen=True)
class Chamada(No):
    funcao: str
    args: tuple[No, ...]


@dataclass(frozen=True)
class Coercao(No):
    """``int`` → ``float``/``decimal`` where that is the type asked for (``float(x)``, ``Decimal(x)``)."""

    operando: No


@dataclass(frozen=True)
class Expressao:
    texto: str
    arvore: No

    @property
    def tipo(self) -> str:
        return self.arvore.tipo

    @property
    def nomes(self) -> set[str]:
        return {n.nome for n in _percorrer(self.arvore) if isinstance(n, Nome)}


def _percorrer(no: No):
    yield no
    for filho in _filhos(no):
        yield from _percorrer(filho)


def _filhos(no: No) -> tuple[No, ...]:
    if isinstance(no, Unario | Coercao):
        return (no.operando,)
    if isinstance(no, Binario):
        return (no.esq, no.dir)
    if isinstance(no, Logico | Comparacao | Sequencia):
        return no.itens
    if isinstance(no, Condicional):
        return (no.teste, no.sim, no.nao)
    if isinstance(no, Indice):
        return (no.valor, no.indice)
    if isinstance(no, Fatia):
        return tuple(f for f in (no.valor, no.inicio, no.fim) if f is not None)
    if isinstance(no, Chamada):
        return no.args
    return ()


# --- Analysis: text → typed tree (or ErroExpressao) ---------------------------------------------


def analisar(texto: object, escopo: Mapping[str, Simbolo]) -> Expressao:
    """Reads and checks the expression; returns the typed tree. ``ErroExpressao`` with a sentence
    in pt-BR when something is outside the language, a name is out of scope or the types do not
    match."""
    if not isinstance(texto, str) or not texto.strip():
        raise ErroExpressao(_("a expressão deve ser um texto não vazio"))
    if len(texto) > MAX_CARACTERES:
        raise ErroExpressao(
            _("a expressão deve ter no máximo %(MAX_CARACTERES)s caracteres") % {"MAX_CARACTERES": MAX_CARACTERES}
        )
    try:
        arvore = ast.parse(texto.strip(), mode="eval")
    except SyntaxError as exc:
        coluna = _(" na coluna %(offset)s") % {"offset": exc.offset} if exc.offset else ""
        raise ErroExpressao(_("sintaxe inválida%(coluna)s: %(msg)s") % {"coluna": coluna, "msg": exc.msg}) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ErroExpressao(_("expressão ilegível: %(exc)s") % {"exc": exc}) from None
    if sum(1 for _ in ast.walk(arvore)) > MAX_NOS:
        raise ErroExpressao(_("a expressão é grande demais (mais de %(MAX_NOS)s nós)") % {"MAX_NOS": MAX_NOS})
    return Expressao(texto, _Inferencia(escopo).no(arvore.body))


def analisar_retorno(texto: object, escopo: Mapping[str, Simbolo], retorna: str | None) -> Expressao:
    """``analisar``, and checks that the type serves the method's ``retorna`` (coercing ``int`` to
    ``float``/``decimal`` and constants to ``decimal``). Without ``retorna``, the inferred type holds."""
    expressao = analisar(texto, escopo)
    if retorna is None:
        return expressao
    return Expressao(expressao.texto, _Inferencia(escopo).para_tipo(expressao.texto, expressao.arvore, retorna))


def analisar_condicao(texto: object, escopo: Mapping[str, Simbolo]) -> Expressao:
    """A precondition (``exige``): a boolean expression."""
    expressao = analisar(texto, escopo)
    if expressao.tipo != "bool":
        raise ErroExpressao(
            _("a condição deve ser booleana; esta expressão é do tipo %(tipo)s") % {"tipo": expressao.tipo}
        )
    return expressao


def _coluna(no: ast.AST) -> str:
    return _(" (coluna %(n)s)") % {"n": no.col_offset + 1} if hasattr(no, "col_offset") else ""


class _Inferencia:
    def __init__(self, escopo: Mapping[str, Simbolo]):
        self.escopo = escopo

    def erro(self, no: ast.AST, frase: str) -> ErroExpressao:
        return ErroExpressao(f"{frase}{_coluna(no)}")

    # Each node of Python's ast becomes a typed node; "decimais"/"datas" ask numeric constants to
    # become Decimal and ISO texts to become dates (the side of a decimal or of a date).
    def no(self, no: ast.AST, decimais: bool = False, datas: bool = False) -> No:
        if type(no) in _NAO_PERMITIDOS:
            detalhe = f" ({ast.unparse(no)})" if isinstance(no, ast.Attribute) else ""
            raise self.erro(
                no,
                _("construção não permitida: %(v)s%(detalhe)s")
                % {"v": _(_NAO_PERMITIDOS[type(no)]), "detalhe": detalhe},
            )
        metodo = getattr(self, f"_{type(no).__name__.lower()}", None)
        if metodo is None:
            raise self.erro(no, _("construção não permitida: %(v)s") % {"v": type(no).__name__})
        return metodo(no, decimais, datas)

    def _constant(self, no: ast.Constant, decimais: bool, datas: bool) -> No:
        valor = no.value
        if isinstance(valor, bool):
            return Const("bool", False, valor)
        if isinstance(valor, int | float):
            if isinstance(valor, float) and not math.isfinite(valor):
                raise self.erro(no, _("constante numérica não finita"))
            if isinstance(valor, int) and _grande_demais(valor):
                raise self.erro(
                    no, _("constante inteira com mais de %(MAX_DIGITOS)s dígitos") % {"MAX_DIGITOS": MAX_DIGITOS}
                )
            if decimais:
                return Const("decimal", True, decimal.Decimal(repr(valor)))
            return Const("int" if isinstance(valor, int) else "float", True, valor)
        if isinstance(valor, str):
            if datas:
                try:
                    return Const("date", True, datetime.date.fromisoformat(valor))
                except ValueError:
                    raise self.erro(
                        no, _("o texto %(valor)s comparado com uma data deve ser AAAA-MM-DD") % {"valor": repr(valor)}
                    ) from None
            return Const("str", True, valor)
        raise self.erro(no, _("constante não permitida: %(no)s") % {"no": ast.unparse(no)})

    def _name(self, no: ast.Name, decimais: bool, datas: bool) -> No:
        if no.id.startswith("__"):
            raise self.erro(no, _("nomes com __ não são permitidos: %(id)s") % {"id": no.id})
        simbolo = self.escopo.get(no.id)
        if simbolo is None:
            disponiveis = ", ".join(sorted(self.escopo)) or "(nenhum)"
            raise self.erro(
                no,
                _("nome desconhecido: %(id)s; nomes disponíveis: %(disponiveis)s")
                % {"id": no.id, "disponiveis": disponiveis},
            )
        return Nome(simbolo.tipo, False, no.id, simbolo.origem)

    def _unaryop(self, no: ast.UnaryOp, decimais: bool, datas: bool) -> No:
        operando = self.no(no.operand, decimais)
        if isinstance(no.op, ast.Not):
            if operando.tipo != "bool":
                raise self.erro(no, _("not exige um booleano; recebeu %(tipo)s") % {"tipo": operando.tipo})
            return Unario("bool", False, "not", operando)
        if isinstance(no.op, ast.USub | ast.UAdd):
            if operando.tipo not in NUMERICOS:
                raise self.erro(no, _("sinal exige um número; recebeu %(tipo)s") % {"tipo": operando.tipo})
            return Unario(operando.tipo, operando.literal, "-" if isinstance(no.op, ast.USub) else "+", operando)
        raise self.erro(
            no, _("operador não permitido: %(v)s") % {"v": _NOMES_OPERADOR.get(type(no.op), type(no.op).__name__)}
        )

    def _numericos(self, no: ast.AST, a: ast.AST, b: ast.AST, decimais: bool) -> tuple[No, No]:
        """Both sides of a numeric operation, with decimals and float constants reconciled."""
        esq, dir_ = self.no(a, decimais), self.no(b, decimais)
        tipos = {esq.tipo, dir_.tipo}
        if tipos == {"decimal", "float"}:
            if esq.tipo == "float" and esq.literal:
                esq = self.no(a, decimais=True)
            elif dir_.tipo == "float" and dir_.literal:
                dir_ = self.no(b, decimais=True)
            else:
                raise self.erro(
                    no, _("decimal não se mistura com float: use constantes ou atributos decimal dos dois lados")
                )
        return esq, dir_

    def _binop(self, no: ast.BinOp, decimais: bool, datas: bool) -> No:
        op = _ARITMETICOS.get(type(no.op))
        if op is None:
            raise self.erro(
                no, _("operador não permitido: %(v)s") % {"v": _NOMES_OPERADOR.get(type(no.op), type(no.op).__name__)}
            )
        esq, dir_ = self._numericos(no, no.left, no.right, decimais)
        literal = esq.literal and dir_.literal
        tipos = (esq.tipo, dir_.tipo)
        if esq.tipo in NUMERICOS and dir_.tipo in NUMERICOS:
            tipo = _promover(esq.tipo, dir_.tipo)
            if op == "/" and tipo == "int":
                tipo = "float"
            return Binario(tipo, literal, op, esq, dir_)
        if op == "+" and esq.tipo == dir_.tipo and esq.tipo in ("str", "list"):
            return Binario(esq.tipo, literal, op, esq, dir_)
        if op == "*" and tipos in (("str", "int"), ("list", "int"), ("int", "str"), ("int", "list")):
            return Binario("str" if "str" in tipos else "list", literal, op, esq, dir_)
        raise self.erro(
            no,
            _("o operador %(op)s não se aplica a %(tipo)s e %(tipo2)s")
            % {"op": op, "tipo": esq.tipo, "tipo2": dir_.tipo},
        )

    def _boolop(self, no: ast.BoolOp, decimais: bool, datas: bool) -> No:
        itens = tuple(self.no(v) for v in no.values)
        for item, valor in zip(itens, no.values, strict=True):
            if item.tipo != "bool":
                raise self.erro(valor, f"and/or exigem booleanos; recebeu {item.tipo}")
        return Logico("bool", False, "and" if isinstance(no.op, ast.And) else "or", itens)

    def _compare(self, no: ast.Compare, decimais: bool, datas: bool) -> No:
        lados = [no.left, *no.comparators]
        itens: list[No] = [self.no(no.left, decimais)]
        ops: list[str] = []
        for i, operador in enumerate(no.ops):
            op = _COMPARADORES.get(type(operador))
            if op is None:
                nome = _NOMES_OPERADOR.get(type(operador), type(operador).__name__)
                raise self.erro(no, _("operador não permitido: %(nome)s") % {"nome": nome})
            ops.append(op)
            a, b = lados[i], lados[i + 1]
            if op in ("in", "not in"):
                itens.append(self._pertence(no, itens[-1], b, a))
                continue
            esq, dir_ = itens[-1], self.no(b, decimais)
            esq, dir_ = self._comparaveis(no, op, a, b, esq, dir_)
            itens[-1] = esq
            itens.append(dir_)
        return Comparacao("bool", False, tuple(ops), tuple(itens))

    def _comparaveis(self, no: ast.AST, op: str, a: ast.AST, b: ast.AST, esq: No, dir_: No) -> tuple[No, No]:
        if {esq.tipo, dir_.tipo} == {"decimal", "float"}:
            esq, dir_ = self._numericos(no, a, b, False)
        elif esq.tipo == "date" and dir_.tipo == "str" and dir_.literal:
            dir_ = self.no(b, datas=True)
        elif dir_.tipo == "date" and esq.tipo == "str" and esq.literal:
            esq = self.no(a, datas=True)
        numericos = esq.tipo in NUMERICOS and dir_.tipo in NUMERICOS
        if op in ("==", "!="):
            if numericos or esq.tipo == dir_.tipo:
                return esq, dir_
        elif numericos or (esq.tipo == dir_.tipo and esq.tipo in ("str", "date")):
            return esq, dir_
        raise self.erro(
            no,
            _("não se compara %(tipo)s com %(tipo2)s usando %(op)s") % {"tipo": esq.tipo, "tipo2": dir_.tipo, "op": op},
        )

    def _pertence(self, no: ast.AST, esq: No, direita: ast.AST, esquerda: ast.AST) -> No:
        if isinstance(direita, ast.List | ast.Tuple):
            if not direita.elts:
                raise self.erro(direita, _("a lista de in não pode ser vazia"))
            elementos = []
            for elt in direita.elts:
                item = self.no(elt)
                esq_, item = self._comparaveis(no, "==", esquerda, elt, esq, item)
                if esq_ != esq:  # the left constant would change type depending on the item: refused
                    raise self.erro(no, _("a constante à esquerda de in deve ser do tipo dos itens"))
                elementos.append(item)
            return Sequencia("lista", False, tuple(elementos))
        dir_ = self.no(direita)
        if dir_.tipo == "str" and esq.tipo == "str":
            return dir_
        if dir_.tipo in ("list", "dict"):
            return dir_
        raise self.erro(
            no,
            _("in exige à direita uma lista [..], um texto ou uma list/dict; recebeu %(tipo)s") % {"tipo": dir_.tipo},
        )

    def _ifexp(self, no: ast.IfExp, decimais: bool, datas: bool) -> No:
        teste = self.no(no.test)
        if teste.tipo != "bool":
            raise self.erro(no.test, _("a condição de if deve ser booleana; recebeu %(tipo)s") % {"tipo": teste.tipo})
        sim, nao = self.no(no.body, decimais), self.no(no.orelse, decimais)
        if sim.tipo == nao.tipo:
            return Condicional(sim.tipo, False, teste, sim, nao)
        if sim.tipo in NUMERICOS and nao.tipo in NUMERICOS:
            sim, nao = self._numericos(no, no.body, no.orelse, decimais)
            tipo = _promover(sim.tipo, nao.tipo)
            return Condicional(tipo, False, teste, _coagir(sim, tipo), _coagir(nao, tipo))
        raise self.erro(
            no,
            _("os dois ramos de if devem ter o mesmo tipo; recebeu %(tipo)s e %(tipo2)s")
            % {"tipo": sim.tipo, "tipo2": nao.tipo},
        )

    def _subscript(self, no: ast.Subscript, decimais: bool, datas: bool) -> No:
        valor = self.no(no.value)
        if valor.tipo != "str":
            raise self.erro(no, _("índice e fatia só se aplicam a texto; recebeu %(tipo)s") % {"tipo": valor.tipo})
        if isinstance(no.slice, ast.Slice):
            if no.slice.step is not None:
                raise self.erro(no, _("fatia com passo não é permitida"))
            partes = [None if p is None else self._inteiro(p) for p in (no.slice.lower, no.slice.upper)]
            return Fatia("str", False, valor, partes[0], partes[1])
        return Indice("str", False, valor, self._inteiro(no.slice))

    def _inteiro(self, no: ast.AST) -> No:
        resultado = self.no(no)
        if resultado.tipo != "int":
            raise self.erro(no, _("índice deve ser int; recebeu %(tipo)s") % {"tipo": resultado.tipo})
        return resultado

    def _call(self, no: ast.Call, decimais: bool, datas: bool) -> No:
        permitidas = ", ".join(FUNCOES)
        if not isinstance(no.func, ast.Name):
            raise self.erro(
                no,
                _("só se chamam as funções permitidas (%(permitidas)s): %(func)s")
                % {"permitidas": permitidas, "func": ast.unparse(no.func)},
            )
        nome = no.func.id
        if nome not in FUNCOES:
            raise self.erro(
                no,
                _("função desconhecida: %(nome)s; funções permitidas: %(permitidas)s")
                % {"nome": nome, "permitidas": permitidas},
            )
        if no.keywords or any(isinstance(a, ast.Starred) for a in no.args):
            raise self.erro(no, _("%(nome)s aceita só argumentos posicionais") % {"nome": nome})
        args = [self.no(a, decimais) for a in no.args]
        if nome == "len":
            if len(args) != 1 or args[0].tipo not in ("str", "list", "dict"):
                raise self.erro(no, _("len recebe um texto, list ou dict"))
            return Chamada("int", False, nome, tuple(args))
        if nome == "abs":
            if len(args) != 1 or args[0].tipo not in NUMERICOS:
                raise self.erro(no, _("abs recebe um número"))
            return Chamada(args[0].tipo, args[0].literal, nome, tuple(args))
        if nome == "round":
            if not 1 <= len(args) <= 2 or args[0].tipo not in NUMERICOS or (len(args) == 2 and args[1].tipo != "int"):
                raise self.erro(no, _("round recebe um número e, se quiser, as casas decimais (int)"))
            if len(args) == 2 and isinstance(args[1], Const | Unario) and args[1].literal:
                casas = _constante_inteira(args[1])
                if casas is not None and abs(casas) > MAX_CASAS:
                    raise self.erro(
                        no,
                        _("round aceita de -%(MAX_CASAS)s a %(MAX_CASAS)s casas decimais; recebeu %(casas)s")
                        % {"MAX_CASAS": MAX_CASAS, "casas": casas},
                    )
            tipo = "int" if len(args) == 1 else args[0].tipo
            return Chamada(tipo, all(a.literal for a in args), nome, tuple(args))
        # min, max: two or more numbers (promoted to one type) or two or more texts
        if len(args) < 2:
            raise self.erro(no, _("%(nome)s recebe dois ou mais valores") % {"nome": nome})
        if all(a.tipo == "str" for a in args):
            return Chamada("str", False, nome, tuple(args))
        if not all(a.tipo in NUMERICOS for a in args):
            raise self.erro(no, _("%(nome)s recebe só números ou só textos") % {"nome": nome})
        if "decimal" in {a.tipo for a in args}:
            if any(a.tipo == "float" and not a.literal for a in args):
                raise self.erro(no, _("decimal não se mistura com float"))
            args = [self.no(a, decimais=True) if r.literal else r for a, r in zip(no.args, args, strict=True)]
        tipo = "int"
        for a in args:
            tipo = _promover(tipo, a.tipo)
        return Chamada(tipo, all(a.literal for a in args), nome, tuple(_coagir(a, tipo) for a in args))

    def _list(self, no: ast.List, decimais: bool, datas: bool) -> No:
        raise self.erro(no, _("lista literal só à direita de in / not in"))

    def _tuple(self, no: ast.Tuple, decimais: bool, datas: bool) -> No:
        raise self.erro(no, _("tupla só à direita de in / not in"))

    def para_tipo(self, texto: str, arvore: No, tipo: str) -> No:
        """Adapts the result to the type asked for, or refuses."""
        if arvore.tipo == tipo:
            return arvore
        if arvore.tipo == "float" and tipo == "decimal" and arvore.literal:
            return _Inferencia(self.escopo).no(ast.parse(texto.strip(), mode="eval").body, decimais=True)
        if arvore.tipo == "int" and tipo in ("float", "decimal"):
            return _coagir(arvore, tipo)
        raise ErroExpressao(
            _("a expressão é do tipo %(tipo)s, mas o método retorna %(tipo2)s") % {"tipo": arvore.tipo, "tipo2": tipo}
        )


def _constante_inteira(no: No) -> int | None:
    """The value of ``5`` or ``-5`` written in the expression; None for the rest."""
    if isinstance(no, Unario) and no.op in ("-", "+"):
        valor = _constante_inteira(no.operando)
        return None if valor is None else (-valor if no.op == "-" else valor)
    if isinstance(no, Const) and isinstance(no.valor, int) and not isinstance(no.valor, bool):
        return no.valor
    return None


def _grande_demais(valor: object) -> bool:
    """A number PROMETHEUS does not evaluate: an integer above MAX_DIGITOS digits, a decimal whose
    order of magnitude is above MAX_EXPOENTE (or below -MAX_EXPOENTE, except zero)."""
    if isinstance(valor, bool):
        return False
    if isinstance(valor, int):
        return abs(valor) >= _LIMITE_INTEIRO
    if isinstance(valor, decimal.Decimal):
        return valor.is_finite() and valor != 0 and abs(valor.adjusted()) > MAX_EXPOENTE
    return False


def _promover(a: str, b: str) -> str:
    if a == b:
        return a
    if "decimal" in (a, b):
        return "decimal"
    return "float"


def _coagir(no: No, tipo: str) -> No:
    if no.tipo == tipo or no.tipo != "int":
        return no
    return Coercao(tipo, no.literal, no)


# --- Compilation: tree → Python code -------------------------------------------------------------


@dataclass(frozen=True)
class Modulos:
    """How the generated code calls the modules an expression needs (the import's aliases)."""

    decimal: str = "decimal"
    datetime: str = "datetime"


def compilar(expressao: Expressao, modulos: Modulos | None = None, objeto: str = "self") -> tuple[str, set[str]]:
    """The expression's Python code (attributes read from ``objeto``) and the modules it uses
    (``{"decimal", "datetime"}``). Generated by ``ast.unparse``: parentheses only where precedence asks."""
    usados: set[str] = set()
    arvore = _Compilador(modulos or Modulos(), objeto, usados).no(expressao.arvore)
    return ast.unparse(arvore), usados


class _Compilador:
    def __init__(self, modulos: Modulos, objeto: str, usados: set[str]):
        self.modulos, self.objeto, self.usados = modulos, objeto, usados

    def chamada(self, modulo: str, funcao: str, args: list[ast.expr]) -> ast.expr:
        self.usados.add(modulo)
        alias = getattr(self.modulos, modulo)
        return ast.Call(ast.Attribute(ast.Name(alias, ast.Load()), funcao, ast.Load()), args, [])

    def no(self, no: No) -> ast.expr:
        if isinstance(no, Const):
            valor = no.valor
            if isinstance(valor, decimal.Decimal):
                return self.chamada("decimal", "Decimal", [ast.Constant(str(valor))])
            if isinstance(valor, datetime.date):
                return self.chamada("datetime", "date", [ast.Constant(v) for v in (valor.year, valor.month, valor.day)])
            return ast.Constant(valor)
        if isinstance(no, Nome):
            if no.origem == "atributo":
                return ast.Attribute(ast.Name(self.objeto, ast.Load()), no.nome, ast.Load())
            return ast.Name(no.nome, ast.Load())
        if isinstance(no, Unario):
            alvo = no.operando
            if no.op == "not" and isinstance(alvo, Comparacao) and alvo.ops in (("in",), ("not in",)):
                # "not a in b" is "a not in b" (the form linters ask for, E713)
                oposto = "not in" if alvo.ops == ("in",) else "in"
                return self.no(Comparacao("bool", False, (oposto,), alvo.itens))
            op = {"-": ast.USub(), "+": ast.UAdd(), "not": ast.Not()}[no.op]
            return ast.UnaryOp(op, self.no(alvo))
        if isinstance(no, Binario):
            op = {v: k for k, v in _ARITMETICOS.items()}[no.op]()
            return ast.BinOp(self.no(no.esq), op, self.no(no.dir))
        if isinstance(no, Logico):
            return ast.BoolOp(ast.And() if no.op == "and" else ast.Or(), [self.no(i) for i in no.itens])
        if isinstance(no, Comparacao):
            booleano = _comparacao_com_booleano(no)
            if booleano is not None:
                # "x == True" is "x" (E712); the semantics are the same for booleans
                outro, positivo = booleano
                return self.no(outro) if positivo else ast.UnaryOp(ast.Not(), self.no(outro))
            inverso = {v: k for k, v in _COMPARADORES.items()}
            return ast.Compare(self.no(no.itens[0]), [inverso[o]() for o in no.ops], [self.no(i) for i in no.itens[1:]])
        if isinstance(no, Sequencia):
            return ast.Tuple([self.no(i) for i in no.itens], ast.Load())
        if isinstance(no, Condicional):
            return ast.IfExp(self.no(no.teste), self.no(no.sim), self.no(no.nao))
        if isinstance(no, Indice):
            return ast.Subscript(self.no(no.valor), self.no(no.indice), ast.Load())
        if isinstance(no, Fatia):
            partes = [None if p is None else self.no(p) for p in (no.inicio, no.fim)]
            return ast.Subscript(self.no(no.valor), ast.Slice(partes[0], partes[1]), ast.Load())
        if isinstance(no, Chamada):
            return ast.Call(ast.Name(no.funcao, ast.Load()), [self.no(a) for a in no.args], [])
        if isinstance(no, Coercao):
            if no.tipo == "decimal":
                return self.chamada("decimal", "Decimal", [self.no(no.operando)])
            return ast.Call(ast.Name("float", ast.Load()), [self.no(no.operando)], [])
        raise TypeError(
            _("nó desconhecido: %(no)s") % {"no": repr(no)}
        )  # pragma: no cover — the analysis only produces the ones above


def _comparacao_com_booleano(no: Comparacao) -> tuple[No, bool] | None:
    """``x == True`` → (x, True); ``x != True`` → (x, False); None if it is not that case."""
    if len(no.ops) != 1 or no.ops[0] not in ("==", "!="):
        return None
    esq, dir_ = no.itens
    constante, outro = (esq, dir_) if isinstance(esq, Const) and esq.tipo == "bool" else (dir_, esq)
    if not (isinstance(constante, Const) and constante.tipo == "bool"):
        return None
    return outro, constante.valor == (no.ops[0] == "==")


# --- Evaluation: the expected result, computed by PROMETHEUS -------------------------------------

_OPERACOES = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FUNCOES: dict[str, Callable[..., Any]] = {"abs": abs, "len": len, "max": max, "min": min, "round": round}


def avaliar(expressao: Expressao, valores: Mapping[str, Any]) -> Any:
    """Evaluates the tree with the names' values (attributes and parameters), with Python's
    semantics for those types and the default decimal context (28 digits, banker's rounding).

    The errors the generated code would also raise (``ZeroDivisionError``, ``IndexError``,
    ``decimal.InvalidOperation``…) go up as they are; ``ErroAvaliacao`` when a value (given or
    intermediate) would be too large to evaluate here: integers above ``MAX_DIGITOS`` digits,
    decimals with an exponent above ``MAX_EXPOENTE``, ``round`` with more than ``MAX_CASAS``
    places, texts and lists above ``MAX_TAMANHO_AVALIADO`` items. So each operation costs little,
    whatever the spec."""
    for nome, valor in valores.items():
        if _grande_demais(valor):
            raise ErroAvaliacao(
                _("o valor de %(nome)s é grande demais para avaliar (mais de %(MAX_DIGITOS)s dígitos)")
                % {"nome": nome, "MAX_DIGITOS": MAX_DIGITOS}
            )
    with decimal.localcontext(decimal.Context()):
        return _avaliar(expressao.arvore, valores)


def _avaliar(no: No, valores: Mapping[str, Any]) -> Any:
    resultado = _avaliar_no(no, valores)
    if _grande_demais(resultado):
        raise ErroAvaliacao(
            _("um resultado intermediário passaria de %(MAX_DIGITOS)s dígitos") % {"MAX_DIGITOS": MAX_DIGITOS}
        )
    if isinstance(resultado, str | list) and len(resultado) > MAX_TAMANHO_AVALIADO:
        raise ErroAvaliacao(
            _("um resultado intermediário passaria de %(MAX_TAMANHO_AVALIADO)s itens")
            % {"MAX_TAMANHO_AVALIADO": MAX_TAMANHO_AVALIADO}
        )
    return resultado


def _avaliar_no(no: No, valores: Mapping[str, Any]) -> Any:
    if isinstance(no, Const):
        return no.valor
    if isinstance(no, Nome):
        return valores[no.nome]
    if isinstance(no, Unario):
        valor = _avaliar(no.operando, valores)
        unarios: dict[str, Callable[[Any], Any]] = {"-": operator.neg, "+": operator.pos, "not": operator.not_}
        return unarios[no.op](valor)
    if isinstance(no, Binario):
        esq, dir_ = _avaliar(no.esq, valores), _avaliar(no.dir, valores)
        if no.op == "*" and (isinstance(esq, str | list) or isinstance(dir_, str | list)):
            sequencia, vezes = (esq, dir_) if isinstance(esq, str | list) else (dir_, esq)
            if len(sequencia) * max(vezes, 0) > MAX_TAMANHO_AVALIADO:
                raise ErroAvaliacao(
                    _("o resultado de %(op)s passaria de %(MAX_TAMANHO_AVALIADO)s itens")
                    % {"op": no.op, "MAX_TAMANHO_AVALIADO": MAX_TAMANHO_AVALIADO}
                )
        return _OPERACOES[no.op](esq, dir_)
    if isinstance(no, Logico):
        # short-circuit, as in Python: "b != 0 and a / b > 1" does not divide by zero
        for item in no.itens:
            valor = _avaliar(item, valores)
            if (no.op == "and" and not valor) or (no.op == "or" and valor):
                return valor
        return valor
    if isinstance(no, Comparacao):
        esq = _avaliar(no.itens[0], valores)
        for op, item in zip(no.ops, no.itens[1:], strict=True):
            dir_ = _avaliar(item, valores)
            if op == "in":
                verdade = esq in dir_
            elif op == "not in":
                verdade = esq not in dir_
            else:
                verdade = _OPERACOES[op](esq, dir_)
            if not verdade:
                return False
            esq = dir_
        return True
    if isinstance(no, Sequencia):
        return tuple(_avaliar(i, valores) for i in no.itens)
    if isinstance(no, Condicional):
        return _avaliar(no.sim if _avaliar(no.teste, valores) else no.nao, valores)
    if isinstance(no, Indice):
        return _avaliar(no.valor, valores)[_avaliar(no.indice, valores)]
    if isinstance(no, Fatia):
        partes = [None if p is None else _avaliar(p, valores) for p in (no.inicio, no.fim)]
        return _avaliar(no.valor, valores)[partes[0] : partes[1]]
    if isinstance(no, Chamada):
        args = [_avaliar(a, valores) for a in no.args]
        if no.funcao == "round" and len(args) == 2 and abs(args[1]) > MAX_CASAS:
            raise ErroAvaliacao(
                _("round com %(v)s casas decimais (o limite é %(MAX_CASAS)s)") % {"v": args[1], "MAX_CASAS": MAX_CASAS}
            )
        return _FUNCOES[no.funcao](*args)
    if isinstance(no, Coercao):
        valor = _avaliar(no.operando, valores)
        return decimal.Decimal(valor) if no.tipo == "decimal" else float(valor)
    raise TypeError(_("nó desconhecido: %(no)s") % {"no": repr(no)})  # pragma: no cover


# --- Binding with spec_poo ----------------------------------------------------------------------


def escopo_do_metodo(classe: Mapping[str, Any], metodo: Mapping[str, Any]) -> dict[str, Simbolo]:
    """The names a method's expression and preconditions may use: the class's required
    attributes and the method's parameters. An optional attribute may be None, so it is left out
    (the expression refuses it as an unknown name)."""
    escopo = {
        a["nome"]: Simbolo(a["tipo"], "atributo") for a in classe.get("atributos", []) if a.get("obrigatorio", True)
    }
    escopo.update({p["nome"]: Simbolo(p["tipo"], "parametro") for p in metodo.get("parametros", [])})
    return escopo
