"""A jsonschema error → the field's path and a pt-BR sentence saying what was expected."""

from __future__ import annotations

import datetime
import difflib
from typing import Any

from fabrica.specs.formato.comum import CAMINHO, ID, ID_SPEC, NOME, URL, Caminho, mesmo_valor, mostrar, tipo_json

PADROES = {
    ID_SPEC: "use apenas letras minúsculas, dígitos e _",
    ID: "use letras minúsculas, dígitos e _, começando por letra ou _",
    NOME: "use um identificador: letras, dígitos e _, sem começar por dígito",
    URL: "use uma URL http:// ou https:// sem espaços",
    CAMINHO: "use um caminho que começa por / e não tem espaços",
}

NOMES_TIPO = {
    "string": "um texto",
    "integer": "um número inteiro",
    "number": "um número",
    "boolean": "um booleano (true/false)",
    "array": "uma lista",
    "object": "um mapeamento (chave: valor)",
    "null": "nulo",
}


def traduzir(erro) -> list[tuple[Caminho, str]]:
    """A jsonschema error → (caminho, frase); it may become several (one per field) or descend into an anyOf."""
    caminho, tipo, esperado, valor = tuple(erro.absolute_path), erro.validator, erro.validator_value, erro.instance
    if "propertyNames" in erro.absolute_schema_path:
        # The error is in a key's name: point at the key itself.
        regra = PADROES.get(esperado, "") if tipo == "pattern" else _frase(tipo, esperado, valor, erro.message)
        return [((*caminho, str(valor)), f"nome inválido: {mostrar(valor)}; {regra}")]
    if tipo == "required":
        return [((*caminho, c), f"campo obrigatório ausente: {c}") for c in esperado if c not in valor]
    if tipo == "additionalProperties":
        conhecidos = list(erro.schema.get("properties", {}))
        return [((*caminho, str(k)), _desconhecido(k, conhecidos)) for k in valor if k not in conhecidos]
    if tipo in ("anyOf", "oneOf"):
        # Se o valor tem a forma estruturada de um ramo (objeto/lista), o erro útil está dentro dele.
        for i, ramo in enumerate(esperado):
            if ramo.get("type") in ("object", "array") and tipo_json(valor) == ramo["type"]:
                return [t for e in erro.context if e.relative_schema_path[0] == i for t in traduzir(e)]
        return [(caminho, f"valor inválido: {mostrar(valor)}; esperado {erro.schema.get('description', '')}")]
    return [(caminho, _frase(tipo, esperado, valor, erro.message))]


def _frase(tipo: str, esperado: Any, valor: object, original: str) -> str:
    if tipo == "type":
        tipos = [esperado] if isinstance(esperado, str) else esperado
        recebido = tipo_json(valor)
        frase = f"deve ser {' ou '.join(NOMES_TIPO[t] for t in tipos)}; recebido: {NOMES_TIPO.get(recebido, recebido)}"
        if isinstance(valor, (datetime.date, datetime.datetime)):
            frase += "; no YAML, datas sem aspas viram datas: escreva entre aspas"
        return frase
    if tipo == "enum":
        return f"deve ser um dos valores: {', '.join(map(str, esperado))}; recebido: {mostrar(valor)}"
    if tipo == "const":
        return f"deve ser {mostrar(esperado)}"
    if tipo == "pattern":
        return f"formato inválido: {mostrar(valor)}; {PADROES.get(esperado, 'padrão esperado: ' + esperado)}"
    if tipo == "minItems":
        return "lista vazia não é permitida" if esperado == 1 else f"deve ter pelo menos {esperado} itens"
    if tipo == "maxItems":
        return f"deve ter no máximo {esperado} itens"
    if tipo == "uniqueItems":
        return f"valor duplicado: {mostrar(_primeiro_repetido(valor))}"
    if tipo == "minLength":
        return "texto vazio não é permitido"
    if tipo == "maxLength":
        return f"deve ter no máximo {esperado} caracteres"
    if tipo == "minProperties":
        return "objeto vazio não é permitido"
    if tipo == "maxProperties":
        return f"deve ter no máximo {esperado} campos"
    if tipo == "minimum":
        return f"deve ser maior ou igual a {esperado}"
    if tipo == "exclusiveMinimum":
        return f"deve ser maior que {esperado}"
    if tipo == "maximum":
        return f"deve ser menor ou igual a {esperado}"
    return original


def _desconhecido(chave: object, conhecidos: list[str]) -> str:
    parecidos = difflib.get_close_matches(str(chave), conhecidos, n=1)
    dica = f"; você quis dizer '{parecidos[0]}'?" if parecidos else f"; campos aceitos: {', '.join(conhecidos)}"
    return f"campo desconhecido: {chave}{dica}"


def _primeiro_repetido(valores: Any) -> object:
    for i, v in enumerate(valores):
        if any(mesmo_valor(v, w) for w in valores[:i]):
            return v
    return None
