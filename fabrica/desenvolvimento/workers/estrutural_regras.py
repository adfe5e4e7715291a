"""``spec_poo`` as PROMETHEUS reads it: the classes, the check of the constraints and the test values.

Worker E generates code that validates the attributes; the tests' expected results come from here,
from a second implementation of the same rules that does not go through the generated code:

- ``verificar`` says which constraint a set of values violates first (or none), in the order
  the generated code also follows: attributes in the spec's order and, in each,
  required → type → min → max → min_len → max_len → padrao → escolhas;
- ``base_valida`` picks one valid value per attribute (the spec's ``exemplo``, the first of the
  ``escolhas``, the minimum, a text that matches the ``padrao``…);
- ``violacoes`` and ``limites`` give, per constraint, a value that violates it and the accepted
  limit values;
- ``literal`` writes a value as Python code for the generated tests.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# Private, but stable since 3.11 (re's own reader); typeshed does not declare them.
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

from fabrica.desenvolvimento.literal import em_linhas, em_uma_linha
from fabrica.specs import expressoes, padroes
from fabrica.specs.formato.comum import MAX_TAMANHO

ORDEM_REGRAS = ("obrigatorio", "tipo", "min", "max", "min_len", "max_len", "padrao", "escolhas")
# The error class the generated code raises for each violated rule (the package's ``erros`` module).
ERRO_DA_REGRA = {
    "obrigatorio": "AtributoObrigatorio",
    "tipo": "TipoInvalido",
    "min": "ForaDoIntervalo",
    "max": "ForaDoIntervalo",
    "min_len": "TamanhoInvalido",
    "max_len": "TamanhoInvalido",
    "padrao": "PadraoInvalido",
    "escolhas": "EscolhaInvalida",
}
DATA_BASE = datetime.date(2024, 1, 1)
MAX_EXEMPLO_PADRAO = padroes.MAX_TEXTO  # characters of a text generated to match a padrao


# --- The model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Atributo:
    nome: str
    tipo: str
    obrigatorio: bool
    restricoes: dict[str, Any]
    descricao: str = ""
    exemplo: Any = None  # the spec's value (JSON), when given

    def limite(self, chave: str) -> Any:
        """min/max already in the attribute's type (Decimal for decimal, float for float)."""
        valor = self.restricoes.get(chave)
        if valor is None:
            return None
        if self.tipo == "decimal":
            return decimal.Decimal(repr(valor))
        if self.tipo == "float":
            return float(valor)
        return valor

    @property
    def escolhas(self) -> tuple[Any, ...]:
        return tuple(converter(v, self.tipo) for v in self.restricoes.get("escolhas", ()))


@dataclass(frozen=True)
class Parametro:
    nome: str
    tipo: str


@dataclass(frozen=True)
class PreCondicao:
    texto: str
    mensagem: str
    expressao: expressoes.Expressao


@dataclass(frozen=True)
class Metodo:
    nome: str
    parametros: tuple[Parametro, ...]
    retorna: str | None  # the declared type, or the one inferred from the expression
    regras: tuple[str, ...]
    descricao: str
    exige: tuple[PreCondicao, ...]
    expressao: expressoes.Expressao | None  # None: natural language only, needs an implementation

    @property
    def construivel(self) -> bool:
        return self.expressao is not None


@dataclass(frozen=True)
class Classe:
    nome: str
    descricao: str
    atributos: tuple[Atributo, ...]
    metodos: tuple[Metodo, ...]

    def atributo(self, nome: str) -> Atributo | None:
        return next((a for a in self.atributos if a.nome == nome), None)

    def atributo_exigido(self, nome: str) -> Atributo:
        """The attribute ``nome``, which the caller took from this class's own values."""
        atributo = self.atributo(nome)
        if atributo is None:
            raise KeyError(f"{self.nome} não tem o atributo {nome}")
        return atributo


@dataclass(frozen=True)
class Modelo:
    classes: tuple[Classe, ...]

    def classe(self, nome: str) -> Classe | None:
        return next((c for c in self.classes if c.nome == nome), None)


class SpecPooInvalida(ValueError):
    """A method whose machine form fails the analysis (the spec was not validated before)."""

    def __init__(self, campo: str, mensagem: str):
        self.campo = campo
        super().__init__(f"{campo}: {mensagem}")


def ler_modelo(poo: dict[str, Any]) -> Modelo:
    """The model of a validated ``spec_poo`` section. The expressions are analysed again here
    (it is cheap) to have the typed tree the generator compiles and the tests evaluate."""
    classes = []
    for i, c in enumerate(poo["classes"]):
        atributos = tuple(
            Atributo(
                nome=a["nome"],
                tipo=a["tipo"],
                obrigatorio=a.get("obrigatorio", True),
                restricoes=dict(a.get("restricoes", {})),
                descricao=a.get("descricao", ""),
                exemplo=a.get("exemplo"),
            )
            for a in c.get("atributos", [])
        )
        metodos = []
        for j, m in enumerate(c.get("metodos", [])):
            base = f"spec_poo.classes[{i}].metodos[{j}]"
            escopo = expressoes.escopo_do_metodo(c, m)
            exige = []
            for k, pre in enumerate(m.get("exige", [])):
                try:
                    condicao = expressoes.analisar_condicao(pre["condicao"], escopo)
                except expressoes.ErroExpressao as exc:
                    raise SpecPooInvalida(f"{base}.exige[{k}].condicao", str(exc)) from None
                exige.append(PreCondicao(pre["condicao"], pre.get("mensagem", ""), condicao))
            expressao = None
            retorna = m.get("retorna")
            if "expressao" in m:
                try:
                    expressao = expressoes.analisar_retorno(m["expressao"], escopo, retorna)
                except expressoes.ErroExpressao as exc:
                    raise SpecPooInvalida(f"{base}.expressao", str(exc)) from None
                retorna = retorna or expressao.tipo
            metodos.append(
                Metodo(
                    nome=m["nome"],
                    parametros=tuple(Parametro(p["nome"], p["tipo"]) for p in m.get("parametros", [])),
                    retorna=retorna,
                    regras=tuple(m.get("regras", [])),
                    descricao=m.get("descricao", ""),
                    exige=tuple(exige),
                    expressao=expressao,
                )
            )
        classes.append(Classe(c["nome"], c.get("descricao", ""), atributos, tuple(metodos)))
    return Modelo(tuple(classes))


# --- Types and conversion of the spec's values -----------------------------------------------------


def converter(valor: Any, tipo: str) -> Any:
    """A value of the spec (JSON/YAML: no dates nor decimals) in the attribute's or parameter's
    Python type, when there is a natural conversion; else, the value as it came (and the check
    refuses it).

    date ← text YYYY-MM-DD; decimal ← number; float ← integer. Nothing else is converted: a text
    for an int stays a text, and the generated code refuses it with ``TipoInvalido``."""
    if valor is None or isinstance(valor, bool):
        return valor
    if tipo == "date" and isinstance(valor, str):
        try:
            return datetime.date.fromisoformat(valor)
        except ValueError:
            return valor
    if tipo == "decimal" and isinstance(valor, int | float) and math.isfinite(valor):
        return decimal.Decimal(repr(valor))
    if tipo == "float" and isinstance(valor, int):
        return float(valor)
    return valor


def do_tipo(valor: Any, tipo: str) -> bool:
    """Is the (already converted) value of the type? ``bool`` is not ``int``; ``datetime`` is not ``date``."""
    if tipo == "bool":
        return isinstance(valor, bool)
    if isinstance(valor, bool):
        return False
    return {
        "str": lambda: isinstance(valor, str),
        "int": lambda: isinstance(valor, int),
        "float": lambda: isinstance(valor, float | int),
        "decimal": lambda: isinstance(valor, decimal.Decimal | int),
        "date": lambda: isinstance(valor, datetime.date) and not isinstance(valor, datetime.datetime),
        "list": lambda: isinstance(valor, list),
        "dict": lambda: isinstance(valor, dict),
    }.get(tipo, lambda: False)()


def normalizar(valor: Any, tipo: str) -> Any:
    """What the generated code keeps after accepting the value: an int becomes float/Decimal."""
    if tipo == "float" and isinstance(valor, int):
        return float(valor)
    if tipo == "decimal" and isinstance(valor, int):
        return decimal.Decimal(valor)
    return valor


# --- Checking (the second implementation of the constraints) ------------------------------------


@dataclass(frozen=True)
class Violacao:
    atributo: str
    regra: str

    @property
    def erro(self) -> str:
        return ERRO_DA_REGRA[self.regra]


def _nan(valor: Any) -> bool:
    if isinstance(valor, float):
        return math.isnan(valor)
    return isinstance(valor, decimal.Decimal) and valor.is_nan()


def violacao_do_atributo(atributo: Atributo, valor: Any) -> str | None:
    """The first rule the value violates, or None."""
    if valor is None:
        return "obrigatorio" if atributo.obrigatorio else None
    if not do_tipo(valor, atributo.tipo):
        return "tipo"
    valor = normalizar(valor, atributo.tipo)
    minimo, maximo = atributo.limite("min"), atributo.limite("max")
    if minimo is not None and (_nan(valor) or valor < minimo):
        return "min"
    if maximo is not None and (_nan(valor) or valor > maximo):
        return "max"
    r = atributo.restricoes
    if "min_len" in r and len(valor) < r["min_len"]:
        return "min_len"
    if "max_len" in r and len(valor) > r["max_len"]:
        return "max_len"
    if "padrao" in r and not padroes.casa_inteiro(r["padrao"], valor):
        return "padrao"
    if "escolhas" in r and not any(_igual(valor, e) for e in atributo.escolhas):
        return "escolhas"
    return None


def _igual(a: Any, b: Any) -> bool:
    # Like ``in`` in the generated code: Python's equality (1 == 1.0), but True is not 1 (do_tipo
    # already refused a bool in a numeric attribute).
    return bool(a == b)


def verificar(classe: Classe, valores: dict[str, Any]) -> Violacao | None:
    """The first violation when building ``classe(**valores)``, in the generated code's order."""
    for atributo in classe.atributos:
        regra = violacao_do_atributo(atributo, valores.get(atributo.nome))
        if regra is not None:
            return Violacao(atributo.nome, regra)
    return None


# --- Test values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repeticao:
    """A long text or list, written in the test as ``"a" * 200001`` rather than in full."""

    unidade: Any  # "a" or [0]
    vezes: int

    @property
    def valor(self) -> Any:
        # The spec caps min_len/max_len (MAX_TAMANHO); a spec stored before that cap must not
        # make the worker build gigabytes.
        if len(self) > MAX_TAMANHO + 1:
            raise ValueError(f"texto ou lista de {self.vezes} itens: acima do limite de {MAX_TAMANHO}")
        return self.unidade * self.vezes

    def __len__(self) -> int:
        return len(self.unidade) * self.vezes


def materializar(valor: Any) -> Any:
    return valor.valor if isinstance(valor, Repeticao) else valor


def _sequencia(tipo: str, n: int) -> Any:
    unidade = "a" if tipo == "str" else [0]
    return Repeticao(unidade, n) if n > 60 else unidade * n


@dataclass
class Base:
    """A class's valid values, or why there are none (``faltando``: attribute → reason)."""

    valores: dict[str, Any] = field(default_factory=dict)
    faltando: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.faltando


def base_valida(classe: Classe) -> Base:
    """One valid value per required attribute (optional ones are left out: None)."""
    base = Base()
    for atributo in classe.atributos:
        if not atributo.obrigatorio and atributo.exemplo is None:
            continue
        valor, motivo = valor_valido(atributo)
        if motivo is None:
            base.valores[atributo.nome] = valor
        else:
            base.faltando[atributo.nome] = motivo
    return base


def valor_valido(atributo: Atributo) -> tuple[Any, str | None]:
    """(valor, None) or (None, motivo)."""
    candidatos: list[Any] = []
    if atributo.exemplo is not None:
        candidatos.append(converter(atributo.exemplo, atributo.tipo))
    else:
        candidatos += list(atributo.escolhas) + list(_candidatos_validos(atributo))
    for candidato in candidatos:
        if candidato is not None and violacao_do_atributo(atributo, materializar(candidato)) is None:
            return normalizar(candidato, atributo.tipo), None
    if atributo.exemplo is not None:
        return None, f"o exemplo de {atributo.nome} viola a restrição {violacao_do_atributo(atributo, candidatos[0])}"
    if "padrao" in atributo.restricoes:
        return None, f"não há valor derivável do padrao de {atributo.nome}: dê um exemplo na spec"
    return None, f"não há valor que satisfaça todas as restrições de {atributo.nome}: dê um exemplo na spec"


def _candidatos_validos(atributo: Atributo) -> Iterator[Any]:
    tipo, r = atributo.tipo, atributo.restricoes
    minimo, maximo = atributo.limite("min"), atributo.limite("max")
    if tipo in ("int", "float", "decimal"):
        zero = {"int": 0, "float": 0.0, "decimal": decimal.Decimal(0)}[tipo]
        if minimo is not None:
            yield math.ceil(minimo) if tipo == "int" else minimo
        if maximo is not None and maximo < zero:
            yield math.floor(maximo) if tipo == "int" else maximo
        yield zero
    elif tipo == "str":
        if "padrao" in r:
            yield exemplo_de_padrao(r["padrao"])
        else:
            tamanho = max(r.get("min_len", 0), 1)
            yield _sequencia("str", min(tamanho, r.get("max_len", tamanho)))
    elif tipo == "list":
        yield _sequencia("list", r.get("min_len", 0))
    else:
        yield {"bool": False, "date": DATA_BASE, "dict": {}}[tipo]


def limites(atributo: Atributo) -> list[tuple[str, Any]]:
    """The limit values the constraints accept: (rule, value) for min, max, min_len, max_len."""
    r, tipo = atributo.restricoes, atributo.tipo
    candidatos: list[tuple[str, Any]] = []
    for chave in ("min", "max"):
        valor = atributo.limite(chave)
        if valor is not None:
            if tipo == "int":
                valor = math.ceil(valor) if chave == "min" else math.floor(valor)
            candidatos.append((chave, valor))
    if tipo in ("str", "list") and "padrao" not in r and "escolhas" not in r:
        candidatos += [(chave, _sequencia(tipo, r[chave])) for chave in ("min_len", "max_len") if chave in r]
    return [(k, v) for k, v in candidatos if violacao_do_atributo(atributo, materializar(v)) is None]


_TIPO_ERRADO = {
    "str": 0,
    "int": "0",
    "float": "0",
    "decimal": 0.5,  # a float in a decimal: refused (Decimal(0.5) would be binary, not decimal)
    "bool": 0,
    "date": "2024-01-01",  # a text is not a date: the generated code does not convert
    "list": "a",
    "dict": [],
}


def violacoes(atributo: Atributo) -> list[tuple[str, Any]]:
    """(rule, value) for each rule of the attribute that a value can violate on its own."""
    tipo, r = atributo.tipo, atributo.restricoes
    candidatos: dict[str, list[Any]] = {"tipo": [_TIPO_ERRADO[tipo]]}
    if atributo.obrigatorio:
        candidatos["obrigatorio"] = [None]
    um: Any = {"int": 1, "float": 1.0, "decimal": decimal.Decimal(1)}.get(tipo)
    minimo, maximo = atributo.limite("min"), atributo.limite("max")
    if minimo is not None and um is not None:
        candidatos["min"] = [(math.ceil(minimo) if tipo == "int" else minimo) - um]
    if maximo is not None and um is not None:
        candidatos["max"] = [(math.floor(maximo) if tipo == "int" else maximo) + um]
    if r.get("min_len", 0) > 0:
        candidatos["min_len"] = [_sequencia(tipo, r["min_len"] - 1)]
    if "max_len" in r:
        candidatos["max_len"] = [_sequencia(tipo, r["max_len"] + 1)]
    if "padrao" in r:
        exemplo = exemplo_de_padrao(r["padrao"]) or ""
        tamanho = max(r.get("min_len", 0), 1)
        candidatos["padrao"] = ["", "!", "a" * tamanho, "0" * tamanho, exemplo + "!", "!" + exemplo, exemplo[:-1]]
    if "escolhas" in r:
        escolhas = atributo.escolhas
        if tipo == "str":
            candidatos["escolhas"] = ["x", "outro", *(f"{e}_x" for e in escolhas)]
        elif um is not None:
            inicio = minimo if minimo is not None else min(escolhas)
            inicio = math.ceil(inicio) if tipo == "int" else inicio
            candidatos["escolhas"] = [inicio + um * k for k in range(len(escolhas) + 2)]
    encontrados = []
    for regra in ORDEM_REGRAS:
        for valor in candidatos.get(regra, []):
            try:
                violada = violacao_do_atributo(atributo, materializar(valor))
            except padroes.TextoLongoDemais:  # "a" * min_len: too long to match the padrao
                continue
            if violada == regra:
                encontrados.append((regra, valor))
                break
    return encontrados


# --- A text that matches a pattern (the smallest, no randomness) ---------------------------------


class _SemExemplo(Exception):
    pass


def exemplo_de_padrao(padrao: str) -> str | None:
    """A short text that matches the whole pattern (``re.fullmatch``), or None if the pattern uses
    something this generator does not cover (the test then asks for an ``exemplo`` in the spec).

    Only patterns RE2 expresses (``padroes.compilar``: no group references, which would double the
    text at each one), and no text above ``MAX_EXEMPLO_PADRAO`` characters."""
    try:
        padroes.compilar(padrao)
        texto = _gerar(_parser.parse(padrao), {}, _constants)
        return texto if padroes.casa_inteiro(padrao, texto) else None
    except (_SemExemplo, ValueError, re.error, RecursionError, AttributeError, TypeError):
        return None  # PadraoInvalido and TextoLongoDemais are ValueError


_CANDIDATOS = "a0A _-.!x1Z@#"


def _gerar(itens: Any, grupos: dict[int, str], c: Any) -> str:
    partes: list[str] = []
    for op, av in itens:
        if op is c.LITERAL:
            partes.append(chr(av))
        elif op is c.NOT_LITERAL:
            partes.append(next(ch for ch in _CANDIDATOS if ord(ch) != av))
        elif op is c.ANY:
            partes.append("a")
        elif op is c.IN:
            partes.append(_escolher(av, c))
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # no width; the final check with fullmatch decides
        elif op is c.BRANCH:
            partes.append(_gerar(av[1][0], grupos, c))
        elif op is c.SUBPATTERN:
            texto = _gerar(av[3], grupos, c)
            if av[0] is not None:
                grupos[av[0]] = texto
            partes.append(texto)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)):
            minimo, _, sub = av
            texto = _gerar(sub, grupos, c)
            if len(texto) * minimo > MAX_EXEMPLO_PADRAO:
                raise _SemExemplo
            partes.append(texto * minimo)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            partes.append(_gerar(av, grupos, c))
        elif op is c.GROUPREF:
            partes.append(grupos.get(av, ""))
        else:
            raise _SemExemplo
        if sum(map(len, partes)) > MAX_EXEMPLO_PADRAO:
            raise _SemExemplo
    return "".join(partes)


def _escolher(itens: list[Any], c: Any) -> str:
    negado = bool(itens) and itens[0][0] is c.NEGATE
    conjunto = itens[1:] if negado else itens
    explicitos = []
    for op, av in conjunto:
        if op is c.LITERAL:
            explicitos.append(chr(av))
        elif op is c.RANGE:
            explicitos.append(chr(av[0]))
    for ch in ([] if negado else explicitos) + list(_CANDIDATOS):
        if any(_casa(op, av, ch, c) for op, av in conjunto) != negado:
            return ch
    raise _SemExemplo


def _casa(op: Any, av: Any, ch: str, c: Any) -> bool:
    if op is c.LITERAL:
        return bool(ord(ch) == av)
    if op is c.RANGE:
        return bool(av[0] <= ord(ch) <= av[1])
    if op is c.CATEGORY:
        classes = {
            c.CATEGORY_DIGIT: r"\d",
            c.CATEGORY_NOT_DIGIT: r"\D",
            c.CATEGORY_WORD: r"\w",
            c.CATEGORY_NOT_WORD: r"\W",
            c.CATEGORY_SPACE: r"\s",
            c.CATEGORY_NOT_SPACE: r"\S",
        }
        if av not in classes:
            raise _SemExemplo
        return re.fullmatch(classes[av], ch) is not None
    raise _SemExemplo


# --- Values as Python code -----------------------------------------------------------------------


@dataclass(frozen=True)
class Objeto:
    """An object of a class of the spec, built inside the test (not at collection)."""

    classe: str
    valores: dict[str, Any]


@dataclass(frozen=True)
class Codigo:
    """A piece of Python code already written (the name of an exception, say) and the modules it
    uses."""

    texto: str
    modulos: tuple[str, ...] = ()


class Literais:
    """Writes values as Python code and notes the modules the code uses (imports)."""

    def __init__(self) -> None:
        self.modulos: set[str] = set()

    def __call__(self, valor: Any, recuo: int = 0, largura: int = 100) -> str:
        curto = self._linha(valor)
        if len(curto) + recuo <= largura or not isinstance(valor, dict | list | tuple | Objeto):
            return curto
        return self._linhas(valor, recuo, largura)

    def _linha(self, valor: Any) -> str:
        if isinstance(valor, Codigo):
            self.modulos.update(valor.modulos)
            return valor.texto
        if isinstance(valor, Repeticao):
            return f"{self._linha(valor.unidade)} * {valor.vezes}"
        if isinstance(valor, Objeto):
            return f"Objeto({self._linha(valor.classe)}, {self._linha(valor.valores)})"
        if isinstance(valor, decimal.Decimal):
            self.modulos.add("decimal")
            texto = str(valor)
            # An integer without exponent: Decimal(1500) is the same value and the same exponent (FURB157).
            return f"decimal.Decimal({texto})" if re.fullmatch(r"-?\d+", texto) else f'decimal.Decimal("{texto}")'
        if isinstance(valor, datetime.datetime):
            raise TypeError("datetime não é um valor de spec_poo")
        if isinstance(valor, datetime.date):
            self.modulos.add("datetime")
            return f"datetime.date({valor.year}, {valor.month}, {valor.day})"
        if isinstance(valor, float):
            if not math.isfinite(valor):
                self.modulos.add("math")
                return "math.nan" if math.isnan(valor) else ("math.inf" if valor > 0 else "-math.inf")
            return repr(valor)
        if isinstance(valor, str):
            return json.dumps(valor, ensure_ascii=False)  # double quotes; JSON's escapes hold in Python
        if valor is None or isinstance(valor, bool | int):
            return repr(valor)
        if isinstance(valor, dict | list | tuple):
            return em_uma_linha(valor, self._linha)
        raise TypeError(f"valor sem forma literal: {valor!r}")

    def _linhas(self, valor: Any, recuo: int, largura: int) -> str:
        dentro = " " * (recuo + 4)
        fora = " " * recuo
        if isinstance(valor, Objeto):
            return f"Objeto(\n{dentro}{self._linha(valor.classe)},\n{dentro}{self(valor.valores, recuo + 4, largura)},\n{fora})"
        return em_linhas(valor, self._linha, lambda v: self(v, recuo + 4, largura), dentro, fora)
