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

from fabrica.erros import DadosInvalidos

TIPOS_BASICOS = ("str", "int", "float", "bool", "date", "decimal", "list", "dict")
TIPOS_ESCALARES = ("str", "int", "float", "bool", "date", "decimal")
TIPOS_ORDENAVEIS = ("int", "float", "decimal", "date")
OPERADORES = ("==", "!=", "<", "<=", ">", ">=", "in", "entre")
METODOS_HTTP = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Inteiros de uma spec: nenhum campo pede mais que isto, e um valor maior (o YAML lê 5.000
# dígitos; o Python nem os converte em texto acima de 4.300) só serviria para travar quem o usa.
MAX_DIGITOS_INTEIRO = 100
LIMITE_INTEIRO = 10**MAX_DIGITOS_INTEIRO
# min_len/max_len: os testes gerados constroem textos e listas desse tamanho ("a" * max_len + 1).
MAX_TAMANHO = 1_000_000

ID_SPEC = r"^[a-z0-9_]+$"  # ids de spec e de recursos (APIs, containers): docs/arquitetura.md, "Specs"
ID = r"^[a-z_][a-z0-9_]*$"  # ids que viram ids XML (BPMN/DMN) e rotas: não começam por dígito
NOME = r"^[A-Za-z_][A-Za-z0-9_]*$"  # nomes que viram identificadores Python no código gerado
URL = r"^https?://[^\s/]+(/\S*)?$"
CAMINHO = r"^/\S*$"


# --- Caminhos e erros --------------------------------------------------------------------------

Caminho = tuple  # partes do caminho: str (chave) ou int (índice de lista)
Erros = list[tuple[Caminho, str]]


class ErroCampo(NamedTuple):
    campo: str  # caminho do campo: "" é o documento inteiro
    mensagem: str  # frase em pt-BR dizendo o que era esperado


class SpecInvalida(DadosInvalidos):
    """Spec recusada; ``erros`` traz todos os problemas encontrados, não só o primeiro.

    ``campos`` agrupa as mensagens pelo caminho do campo (``""`` é o documento inteiro), na
    forma de erro da API.
    """

    def __init__(self, erros: list[ErroCampo]):
        self.erros = list(erros)
        campos: dict[str, list[str]] = {}
        for erro in self.erros:
            campos.setdefault(erro.campo, []).append(erro.mensagem)
        super().__init__("A spec não é válida.", campos)

    def __reduce__(self) -> tuple:
        # Rebuilt from its errors when it crosses a process boundary (fabrica.specs.limite).
        return (SpecInvalida, (self.erros,))

    def __str__(self) -> str:
        return "; ".join(f"{e.campo or '(documento)'}: {e.mensagem}" for e in self.erros)


def formatar_campo(caminho: Caminho) -> str:
    """``("spec_poo", "classes", 0, "nome")`` → ``spec_poo.classes[0].nome``; ``()`` → ``""``."""
    texto = ""
    for parte in caminho:
        texto += f"[{parte}]" if isinstance(parte, int) else (f".{parte}" if texto else str(parte))
    return texto


# --- Uma vertente ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vertente:
    """O formato de uma vertente: a seção que ela exige, o schema dela, as regras que o schema
    não exprime e o que ela conta para o tamanho.

    ``checar(secao, limpas)`` recebe a seção (já aprovada pelo schema) e as outras seções da
    spec que passaram no schema (p.ex. ``runtime``); devolve ``[(caminho, frase)]``.
    ``medir(secao)`` devolve as medidas de tamanho (``{"classes": 2, ...}``); a precificação as
    pondera (``fabrica.precificacao.modelo.PESOS_UNIDADES``).
    """

    codigo: str
    secao: str
    schema: dict
    checar: Callable[[dict, Mapping[str, Any]], Erros]
    medir: Callable[[dict], dict[str, int]]
    defs: dict = field(default_factory=dict)  # $defs que a seção acrescenta ao SPEC_SCHEMA


def contar(itens: list[dict], sublistas: tuple[str, ...], contagem: str | None = None) -> dict[str, int]:
    """Medidas de uma lista da seção: ``{contagem: len(itens)}`` (se dada) e, para cada
    sublista, o total de itens dela somado em todos os ``itens``."""
    medidas = {contagem: len(itens)} if contagem else {}
    medidas.update({s: sum(len(item.get(s, [])) for item in itens) for s in sublistas})
    return medidas


# --- Construtores de JSON Schema ---------------------------------------------------------------


def ref(nome: str) -> dict:
    return {"$ref": f"#/$defs/{nome}"}


def objeto(propriedades: dict, obrigatorios: tuple = (), **extra: Any) -> dict:
    # additionalProperties false em todo objeto estruturado: um erro de digitação vira erro, não silêncio.
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
    """Objeto cujas chaves são nomes (parâmetros, entradas, campos) e os valores seguem ``valor``."""
    esquema = {"type": "object", "propertyNames": ref("nome"), "additionalProperties": valor}
    return {**esquema, "minProperties": minimo} if minimo else esquema


def condicao(extras: dict, obrigatorios_extras: tuple = ()) -> dict:
    """Uma condição estruturada ``{operador, valor}`` (gateways BPMN, células DMN), nunca uma
    expressão escrita pelo usuário: os geradores a transformam em código."""

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
            # entre: intervalo fechado [mínimo, máximo]
            se_operador(["entre"], {**lista(ref("escalar"), 2), "maxItems": 2}),
            se_operador([o for o in OPERADORES if o not in ("in", "entre")], ref("escalar")),
        ],
    )


TEXTO = ref("texto")
DESCRICAO = {"type": "string"}


# --- Ajudantes das regras semânticas -----------------------------------------------------------


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
    # Em YAML/JSON, true e 1 são valores diferentes; em Python, True == 1.
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def do_tipo(valor: object, tipo: str) -> bool:
    """O valor escalar da spec serve para um campo deste tipo básico?"""
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
            erros.append(((*base, i, chave), f"{rotulo} duplicado: {mostrar(item[chave])}"))
        vistos.add(item[chave])
    return erros


def nome_python(nome: str, caminho: Caminho) -> Erros:
    return [(caminho, f"palavra reservada do Python não pode ser nome: {nome}")] if keyword.iskeyword(nome) else []


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
    """Como uma classe de equivalência aparece como chave de ``representantes`` (chaves JSON são
    textos: a classe ``true`` é a chave ``"true"``, a classe ``10`` é ``"10"``)."""
    if isinstance(valor, bool):
        return "true" if valor else "false"
    return str(valor)


def variaveis_do_representante(parametro: str, representante: object) -> list[str]:
    """As variáveis que um representante dá ao teste: as chaves de um mapeamento, ou o parâmetro."""
    return [str(k) for k in representante] if isinstance(representante, dict) else [parametro]
