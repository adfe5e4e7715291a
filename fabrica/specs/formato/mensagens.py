"""A jsonschema error → the field's path and a sentence saying what was expected, in the language
of the request (pt-BR by default; the validation's child process inherits it with the fork)."""

from __future__ import annotations

import datetime
import difflib
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fabrica.specs.formato.comum import CAMINHO, ID, ID_SPEC, NOME, URL, Caminho, mesmo_valor, mostrar, tipo_json

PADROES = {
    ID_SPEC: _("use apenas letras minúsculas, dígitos e _"),
    ID: _("use letras minúsculas, dígitos e _, começando por letra ou _"),
    NOME: _("use um identificador: letras, dígitos e _, sem começar por dígito"),
    URL: _("use uma URL http:// ou https:// sem espaços"),
    CAMINHO: _("use um caminho que começa por / e não tem espaços"),
}

NOMES_TIPO = {
    "string": _("um texto"),
    "integer": _("um número inteiro"),
    "number": _("um número"),
    "boolean": _("um booleano (true/false)"),
    "array": _("uma lista"),
    "object": _("um mapeamento (chave: valor)"),
    "null": _("nulo"),
}


def traduzir(erro) -> list[tuple[Caminho, str]]:
    """A jsonschema error → (caminho, frase); it may become several (one per field) or descend into an anyOf."""
    caminho, tipo, esperado, valor = tuple(erro.absolute_path), erro.validator, erro.validator_value, erro.instance
    if "propertyNames" in erro.absolute_schema_path:
        # The error is in a key's name: point at the key itself.
        regra = _padrao(esperado) if tipo == "pattern" else _frase(tipo, esperado, valor, erro.message)
        return [
            ((*caminho, str(valor)), gettext("nome inválido: %(v)s; %(regra)s") % {"v": mostrar(valor), "regra": regra})
        ]
    if tipo == "required":
        return [
            ((*caminho, c), gettext("campo obrigatório ausente: %(c)s") % {"c": c}) for c in esperado if c not in valor
        ]
    if tipo == "additionalProperties":
        conhecidos = list(erro.schema.get("properties", {}))
        return [((*caminho, str(k)), _desconhecido(k, conhecidos)) for k in valor if k not in conhecidos]
    if tipo in ("anyOf", "oneOf"):
        # Se o valor tem a forma estruturada de um ramo (objeto/lista), o erro útil está dentro dele.
        for i, ramo in enumerate(esperado):
            if ramo.get("type") in ("object", "array") and tipo_json(valor) == ramo["type"]:
                return [t for e in erro.context if e.relative_schema_path[0] == i for t in traduzir(e)]
        descricao = erro.schema.get("description", "")
        return [
            (
                caminho,
                gettext("valor inválido: %(v)s; esperado %(d)s")
                % {"v": mostrar(valor), "d": gettext(descricao) if descricao else ""},
            )
        ]
    return [(caminho, _frase(tipo, esperado, valor, erro.message))]


def _padrao(padrao: str) -> str:
    return str(PADROES[padrao]) if padrao in PADROES else gettext("padrão esperado: %(p)s") % {"p": padrao}


def _tipos(tipos: list[str]) -> str:
    return gettext(" ou ").join(str(NOMES_TIPO[t]) for t in tipos)


def _frase(tipo: str, esperado: Any, valor: object, original: str) -> str:
    if tipo == "type":
        recebido = tipo_json(valor)
        frase = gettext("deve ser %(esperado)s; recebido: %(recebido)s") % {
            "esperado": _tipos([esperado] if isinstance(esperado, str) else esperado),
            "recebido": NOMES_TIPO.get(recebido, recebido),
        }
        if isinstance(valor, (datetime.date, datetime.datetime)):
            frase += gettext("; no YAML, datas sem aspas viram datas: escreva entre aspas")
        return frase
    if tipo == "enum":
        return gettext("deve ser um dos valores: %(valores)s; recebido: %(v)s") % {
            "valores": ", ".join(map(str, esperado)),
            "v": mostrar(valor),
        }
    if tipo == "const":
        return gettext("deve ser %(v)s") % {"v": mostrar(esperado)}
    if tipo == "pattern":
        return gettext("formato inválido: %(v)s; %(regra)s") % {"v": mostrar(valor), "regra": _padrao(esperado)}
    if tipo == "minItems":
        if esperado == 1:
            return gettext("lista vazia não é permitida")
        return gettext("deve ter pelo menos %(n)s itens") % {"n": esperado}
    if tipo == "maxItems":
        return gettext("deve ter no máximo %(n)s itens") % {"n": esperado}
    if tipo == "uniqueItems":
        return gettext("valor duplicado: %(v)s") % {"v": mostrar(_primeiro_repetido(valor))}
    if tipo == "minLength":
        return gettext("texto vazio não é permitido")
    if tipo == "maxLength":
        return gettext("deve ter no máximo %(n)s caracteres") % {"n": esperado}
    if tipo == "minProperties":
        return gettext("objeto vazio não é permitido")
    if tipo == "maxProperties":
        return gettext("deve ter no máximo %(n)s campos") % {"n": esperado}
    if tipo == "minimum":
        return gettext("deve ser maior ou igual a %(n)s") % {"n": esperado}
    if tipo == "exclusiveMinimum":
        return gettext("deve ser maior que %(n)s") % {"n": esperado}
    if tipo == "maximum":
        return gettext("deve ser menor ou igual a %(n)s") % {"n": esperado}
    return original


def _desconhecido(chave: object, conhecidos: list[str]) -> str:
    parecidos = difflib.get_close_matches(str(chave), conhecidos, n=1)
    if parecidos:
        return gettext("campo desconhecido: %(c)s; você quis dizer '%(p)s'?") % {"c": chave, "p": parecidos[0]}
    return gettext("campo desconhecido: %(c)s; campos aceitos: %(aceitos)s") % {
        "c": chave,
        "aceitos": ", ".join(conhecidos),
    }


def _primeiro_repetido(valores: Any) -> object:
    for i, v in enumerate(valores):
        if any(mesmo_valor(v, w) for w in valores[:i]):
            return v
    return None
