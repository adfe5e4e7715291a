"""What every vertente's format shares: basic types, JSON-Schema builders, field paths, the
refusal (``SpecInvalida``) and the helpers of the semantic checks.

A vertente module (``estrutural``, ``processual``…) builds its section's schema with ``objeto``,
``lista``, ``mapa``…, checks what a JSON Schema cannot say with ``duplicados``, ``do_tipo``…, and
describes itself with one ``Vertente``.
"""

from __future__ import annotations

import datetime
import keyword
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext

from fabrica.erros import DadosInvalidos

TIPOS_BASICOS = ("str", "int", "float", "bool", "date", "decimal", "list", "dict")
TIPOS_ESCALARES = ("str", "int", "float", "bool", "date", "decimal")
TIPOS_ORDENAVEIS = ("int", "float", "decimal", "date")
OPERADORES = ("==", "!=", "<", "<=", ">", ">=", "in", "entre")
METODOS_HTTP = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A spec's integers: no field asks for more than this, and a larger value (YAML reads 5,000
# digits; Python does not even convert them to text above 4,300) would only serve to stall its user.
MAX_DIGITOS_INTEIRO = 100
LIMITE_INTEIRO = 10**MAX_DIGITOS_INTEIRO
# min_len/max_len: the generated tests build texts and lists of that size ("a" * max_len + 1).
MAX_TAMANHO = 1_000_000

ID_SPEC = r"^[a-z0-9_]+$"  # ids of specs and of resources (APIs, containers): docs/arquitetura.md, "Specs"
ID = r"^[a-z_][a-z0-9_]*$"  # ids that become XML ids (BPMN/DMN) and routes: they do not start with a digit
NOME = r"^[A-Za-z_][A-Za-z0-9_]*$"  # names that become Python identifiers in the generated code
URL = r"^https?://[^\s/]+(/\S*)?$"
CAMINHO = r"^/\S*$"


# --- Paths and errors ---------------------------------------------------------------------------

Caminho = tuple  # the path's parts: str (key) or int (list index)
Erros = list[tuple[Caminho, str]]


class ErroCampo(NamedTuple):
    campo: str  # the field's path: "" is the whole document
    mensagem: str  # a sentence in pt-BR saying what was expected


class SpecInvalida(DadosInvalidos):
    """A refused spec; ``erros`` holds every problem found, not only the first.

    ``campos`` groups the messages by the field's path (``""`` is the whole document), in the
    API's error shape.
    """

    def __init__(self, erros: list[ErroCampo]):
        self.erros = list(erros)
        campos: dict[str, list[str]] = {}
        for erro in self.erros:
            campos.setdefault(erro.campo, []).append(erro.mensagem)
        super().__init__(gettext("A spec não é válida."), campos)

    def __reduce__(self) -> tuple:
        # Rebuilt from its errors when it crosses a process boundary (fabrica.specs.limite).
        return (SpecInvalida, (self.erros,))

    def __str__(self) -> str:
        return "; ".join(f"{e.campo or gettext('(documento)')}: {e.mensagem}" for e in self.erros)


def formatar_campo(caminho: Caminho) -> str:
    """``("spec_poo", "classes", 0, "nome")`` → ``spec_poo.classes[0].nome``; ``()`` → ``""``."""
    texto = ""
    for parte in caminho:
        texto += f"[{parte}]" if isinstance(parte, int) else (f".{parte}" if texto else str(parte))
    return texto


# --- A vertente ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vertente:
    """A vertente's format: the section it requires, its schema, the rules the schema does not
    express and what it counts for size.

    ``checar(secao, limpas)`` takes the section (already passed by the schema) and the spec's
    other sections that passed the schema (e.g. ``runtime``); it returns ``[(caminho, frase)]``.
    ``medir(secao)`` returns the size measures (``{"classes": 2, ...}``); pricing weighs them
    (``fabrica.precificacao.modelo.PESOS_UNIDADES``).
    """

    codigo: str
    secao: str
    schema: dict
    checar: Callable[[dict, Mapping[str, Any]], Erros]
    medir: Callable[[dict], dict[str, int]]
    defs: dict = field(default_factory=dict)  # $defs the section adds to SPEC_SCHEMA


def contar(itens: list[dict], sublistas: tuple[str, ...], contagem: str | None = None) -> dict[str, int]:
    """Measures of one of the section's lists: ``{contagem: len(itens)}`` (if given) and, for
    each sublist, its total of items summed over all ``itens``."""
    medidas = {contagem: len(itens)} if contagem else {}
    medidas.update({s: sum(len(item.get(s, [])) for item in itens) for s in sublistas})
    return medidas


# --- JSON Schema builders -----------------------------------------------------------------------


def ref(nome: str) -> dict:
    return {"$ref": f"#/$defs/{nome}"}


def objeto(propriedades: dict, obrigatorios: tuple = (), **extra: Any) -> dict:
    # additionalProperties false on every structured object: a typo becomes an error, not silence.
    return {
        "type": "object",
        "properties": propriedades,
        "required": list(obrigatorios),
        "additionalProperties": False,
        **extra,
    }


def lista(item: dict, minimo: int = 0, unicos: bool = False) -> dict:
    esquema: dict = {"type": "array", "items": item}
    if minimo:
        esquema["minItems"] = minimo
    if unicos:
        esquema["uniqueItems"] = True
    return esquema


def mapa(valor: dict, minimo: int = 0) -> dict:
    """An object whose keys are names (parameters, inputs, fields) and whose values follow ``valor``."""
    esquema = {"type": "object", "propertyNames": ref("nome"), "additionalProperties": valor}
    return {**esquema, "minProperties": minimo} if minimo else esquema


def condicao(extras: dict, obrigatorios_extras: tuple = ()) -> dict:
    """A structured condition ``{operador, valor}`` (BPMN gateways, DMN cells), never an
    expression written by the user: the generators turn it into code."""

    def se_operador(operadores: list, valor: dict) -> dict:
        return {
            "if": {"required": ["operador"], "properties": {"operador": {"enum": operadores}}},
            "then": {"properties": {"valor": valor}},
        }

    return objeto(
        {**extras, "operador": {"enum": list(OPERADORES)}, "valor": {}},
        (*obrigatorios_extras, "operador", "valor"),
        allOf=[
            se_operador(["in"], lista(ref("escalar"), 1, unicos=True)),
            # entre: closed interval [minimum, maximum]
            se_operador(["entre"], {**lista(ref("escalar"), 2), "maxItems": 2}),
            se_operador([o for o in OPERADORES if o not in ("in", "entre")], ref("escalar")),
        ],
    )


TEXTO = ref("texto")
DESCRICAO = {"type": "string"}


# --- Helpers of the semantic rules ----------------------------------------------------------------


def tipo_json(valor: object) -> str:
    if isinstance(valor, bool):
        return "boolean"
    if isinstance(valor, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object", type(None): "null"}.get(
        type(valor), type(valor).__name__
    )


def mostrar(valor: object) -> str:
    if isinstance(valor, bool):
        return "true" if valor else "false"
    return f"'{valor}'" if isinstance(valor, str) else str(valor)


def mesmo_valor(a: object, b: object) -> bool:
    # In YAML/JSON, true and 1 are different values; in Python, True == 1.
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def do_tipo(valor: object, tipo: str) -> bool:
    """Does the spec's scalar value fit a field of this basic type?"""
    if isinstance(valor, bool):
        return tipo == "bool"
    if tipo == "str":
        return isinstance(valor, str)
    if tipo == "int":
        return isinstance(valor, int)
    if tipo in ("float", "decimal"):
        return isinstance(valor, (int, float))
    if tipo == "date":
        try:
            return isinstance(valor, str) and bool(datetime.date.fromisoformat(valor))
        except ValueError:
            return False
    return False


def duplicados(itens: list[dict], chave: str, base: Caminho, rotulo: str) -> Erros:
    vistos: set = set()
    erros: Erros = []
    for i, item in enumerate(itens):
        if item[chave] in vistos:
            frase = gettext("%(rotulo)s duplicado: %(v)s") % {"rotulo": gettext(rotulo), "v": mostrar(item[chave])}
            erros.append(((*base, i, chave), frase))
        vistos.add(item[chave])
    return erros


def nome_python(nome: str, caminho: Caminho) -> Erros:
    if not keyword.iskeyword(nome):
        return []
    return [(caminho, gettext("palavra reservada do Python não pode ser nome: %(nome)s") % {"nome": nome})]


def checar_entre(condicao: dict, caminho: Caminho) -> Erros:
    if condicao["operador"] == "entre":
        minimo, maximo = condicao["valor"]
        if tipo_json(minimo) == tipo_json(maximo) or {tipo_json(minimo), tipo_json(maximo)} <= {
            "integer",
            "number",
        }:
            if minimo > maximo:
                return [((*caminho, "valor"), "intervalo invertido: o primeiro valor deve ser o menor")]
    return []


def texto_da_classe(valor: object) -> str:
    """How an equivalence class appears as a key of ``representantes`` (JSON keys are texts: the
    class ``true`` is the key ``"true"``, the class ``10`` is ``"10"``)."""
    if isinstance(valor, bool):
        return "true" if valor else "false"
    return str(valor)


def variaveis_do_representante(parametro: str, representante: object) -> list[str]:
    """The variables a representative gives the test: the keys of a mapping, or the parameter."""
    return [str(k) for k in representante] if isinstance(representante, dict) else [parametro]
