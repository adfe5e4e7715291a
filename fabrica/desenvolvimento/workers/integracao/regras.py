"""The C vertente's rules, read from the spec: a ``forma`` (payload or response) as JSON Schema,
an example and a conformance check; an endpoint's parameters, their messages, examples and
invalid values."""

from __future__ import annotations

import datetime
import re
import urllib.parse
from decimal import Decimal, DecimalException
from typing import Any

from fabrica.desenvolvimento.literal import literal
from fabrica.specs import padroes

VERTENTE = "C"
RESERVADAS = ("endpoint", "payload")
TIPOS_PT = {
    "str": "um texto",
    "int": "um número inteiro",
    "float": "um número",
    "bool": "um booleano",
    "date": "uma data AAAA-MM-DD",
    "decimal": "um número decimal",
}
_PLACEHOLDER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")
_DATA = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"


def _py(valor: Any, nivel: int = 0) -> str:
    return literal(valor, nivel)


def _classe(nome: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in nome.split("_") if p) or "Conector"


def esquema_da_forma(forma: Any, *, resposta: bool) -> dict[str, Any]:
    """The JSON Schema of a ``forma``: a basic type, ``{campo: forma}`` or ``[forma]``. Every
    declared field is required; extra fields are refused in the payload and accepted in the response."""
    if isinstance(forma, dict):
        return {
            "type": "object",
            "properties": {k: esquema_da_forma(v, resposta=resposta) for k, v in forma.items()},
            "required": list(forma),
            "additionalProperties": resposta,
        }
    if isinstance(forma, list):
        return {"type": "array", "items": esquema_da_forma(forma[0], resposta=resposta)}
    basicos: dict[str, dict[str, Any]] = {
        "str": {"type": "string"},
        "int": {"type": "integer"},
        "float": {"type": "number"},
        "bool": {"type": "boolean"},
        "date": {"type": "string", "pattern": _DATA.pattern},
        "decimal": {"type": ["number", "string"], "pattern": _DECIMAL},
        "list": {"type": "array"},
        "dict": {"type": "object"},
    }
    return basicos[forma]


def exemplo_da_forma(forma: Any, nome: str = "valor") -> Any:
    """A value that follows the shape (the body the mock returns when the test says nothing else)."""
    if isinstance(forma, dict):
        return {k: exemplo_da_forma(v, k) for k, v in forma.items()}
    if isinstance(forma, list):
        return [exemplo_da_forma(forma[0], nome)]
    return {
        "str": f"{nome} de exemplo",
        "int": 7,
        "float": 7.5,
        "bool": True,
        "date": "2024-03-15",
        "decimal": "10.50",
        "list": [],
        "dict": {},
    }[forma]


def conforma(valor: Any, forma: Any, *, resposta: bool, caminho: str = "") -> list[str]:
    """Where ``valor`` does not follow the shape (empty: it does). The tests' oracle, without jsonschema."""
    onde = caminho or "(raiz)"
    if isinstance(forma, dict):
        if not isinstance(valor, dict):
            return [f"{onde}: deve ser um objeto"]
        erros = [f"{caminho + '.' if caminho else ''}{k}: ausente" for k in forma if k not in valor]
        if not resposta:
            erros += [
                f"{caminho + '.' if caminho else ''}{k}: não faz parte do contrato" for k in valor if k not in forma
            ]
        for k, sub in forma.items():
            if k in valor:
                erros += conforma(valor[k], sub, resposta=resposta, caminho=f"{caminho + '.' if caminho else ''}{k}")
        return erros
    if isinstance(forma, list):
        if not isinstance(valor, list):
            return [f"{onde}: deve ser uma lista"]
        return [
            e
            for i, item in enumerate(valor)
            for e in conforma(item, forma[0], resposta=resposta, caminho=f"{caminho}[{i}]")
        ]
    ok = {
        "str": isinstance(valor, str),
        "int": isinstance(valor, int) and not isinstance(valor, bool),
        "float": isinstance(valor, (int, float)) and not isinstance(valor, bool),
        "bool": isinstance(valor, bool),
        "date": isinstance(valor, str) and bool(_DATA.search(valor)),
        "decimal": (isinstance(valor, (int, float)) and not isinstance(valor, bool))
        or (isinstance(valor, str) and bool(re.search(_DECIMAL, valor))),
        "list": isinstance(valor, list),
        "dict": isinstance(valor, dict),
    }[forma]
    return [] if ok else [f"{onde}: deve ser {forma}"]


# --- Parâmetros (caminho e query string) ----------------------------------------------------------


def parametros_do_endpoint(endpoint: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The endpoint's parameters, in the order the client checks them: the path's ``{nome}`` (in
    the path's order; a required ``str`` when not declared), then the declared-only ones, which go
    in the query string."""
    declarados = endpoint.get("parametros", {})
    no_caminho = _PLACEHOLDER.findall(endpoint["caminho"])
    parametros = {}
    for nome in no_caminho:
        parametros[nome] = {"tipo": "str", **declarados.get(nome, {}), "local": "caminho", "obrigatorio": True}
    for nome, declaracao in declarados.items():
        if nome not in parametros:
            parametros[nome] = {"tipo": "str", "obrigatorio": True, **declaracao, "local": "query"}
    return parametros


def mensagens_do_parametro(nome: str, declaracao: dict[str, Any]) -> dict[str, str]:
    mensagens = {
        "obrigatorio": f"{nome} é obrigatório",
        "tipo": f"{nome} deve ser {TIPOS_PT[declaracao['tipo']]}",
    }
    if "padrao" in declaracao:
        mensagens["padrao"] = f"{nome} está fora do formato esperado"
    if "min_len" in declaracao:
        mensagens["min_len"] = f"{nome} deve ter pelo menos {declaracao['min_len']} caracteres"
    if "max_len" in declaracao:
        mensagens["max_len"] = f"{nome} deve ter no máximo {declaracao['max_len']} caracteres"
    if "min" in declaracao:
        mensagens["min"] = f"{nome} deve ser maior ou igual a {declaracao['min']}"
    if "max" in declaracao:
        mensagens["max"] = f"{nome} deve ser menor ou igual a {declaracao['max']}"
    if "escolhas" in declaracao:
        mensagens["escolhas"] = f"{nome} deve ser um de: {', '.join(map(str, declaracao['escolhas']))}"
    mensagens.update(declaracao.get("mensagens", {}))
    return mensagens


def _do_tipo(valor: Any, tipo: str) -> bool:
    if tipo == "str":
        return isinstance(valor, str)
    if tipo == "int":
        return isinstance(valor, int) and not isinstance(valor, bool)
    if tipo == "float":
        return isinstance(valor, (int, float)) and not isinstance(valor, bool)
    if tipo == "bool":
        return isinstance(valor, bool)
    if tipo == "date":
        if isinstance(valor, datetime.date):
            return True
        if not isinstance(valor, str):
            return False
        try:
            datetime.date.fromisoformat(valor)
        except ValueError:
            return False
        return bool(_DATA.search(valor))
    if isinstance(valor, bool):
        return False
    if isinstance(valor, (int, float, Decimal)):
        return True
    try:
        return isinstance(valor, str) and Decimal(valor).is_finite()
    except DecimalException:
        return False


def erro_do_parametro(nome: str, declaracao: dict[str, Any], valor: Any) -> str | None:
    """A primeira regra do parâmetro que ``valor`` quebra (a mensagem), ou None. Ordem: obrigatório,
    tipo, escolhas, padrão, tamanho mínimo e máximo, mínimo e máximo."""
    mensagens = mensagens_do_parametro(nome, declaracao)
    if valor is None:
        return mensagens["obrigatorio"] if declaracao.get("obrigatorio", True) else None
    if not _do_tipo(valor, declaracao["tipo"]):
        return mensagens["tipo"]
    if "escolhas" in declaracao and valor not in declaracao["escolhas"]:
        return mensagens["escolhas"]
    texto = valor if isinstance(valor, str) else None
    if texto is not None and declaracao["tipo"] == "str":
        if "padrao" in declaracao and not padroes.procura(declaracao["padrao"], texto):
            return mensagens["padrao"]
        if "min_len" in declaracao and len(texto) < declaracao["min_len"]:
            return mensagens["min_len"]
        if "max_len" in declaracao and len(texto) > declaracao["max_len"]:
            return mensagens["max_len"]
    if declaracao["tipo"] in ("int", "float", "decimal"):
        numero = Decimal(str(valor))
        if "min" in declaracao and numero < Decimal(str(declaracao["min"])):
            return mensagens["min"]
        if "max" in declaracao and numero > Decimal(str(declaracao["max"])):
            return mensagens["max"]
    return None


def exemplo_do_parametro(nome: str, declaracao: dict[str, Any]) -> Any:
    """A valid value: the declared ``exemplo``, or one of the type that respects the rules (None
    when only a declared example would do: there is a pattern)."""
    if "exemplo" in declaracao:
        return declaracao["exemplo"]
    if "escolhas" in declaracao:
        return declaracao["escolhas"][0]
    tipo = declaracao["tipo"]
    if tipo == "str":
        if "padrao" in declaracao:
            return None
        texto = f"{nome}-exemplo".ljust(declaracao.get("min_len", 0), "x")
        return texto[: declaracao["max_len"]] if "max_len" in declaracao else texto
    if tipo == "bool":
        return True
    if tipo == "date":
        return "2024-03-15"
    minimo, maximo = declaracao.get("min"), declaracao.get("max")
    valor = minimo if minimo is not None else (maximo if maximo is not None and maximo < 1 else 1)
    return int(valor) if tipo == "int" and float(valor).is_integer() else valor


def valores_invalidos(nome: str, declaracao: dict[str, Any]) -> list[tuple[str, Any]]:
    """For each rule of the parameter, a value that breaks it (and only it, when possible): the
    client's validation tests. Rules without a value breaking them alone are left out."""
    tipo = declaracao["tipo"]
    candidatos: list[tuple[str, Any]] = [("tipo", [] if tipo != "str" else 12345)]
    if "escolhas" in declaracao:
        fora = next(
            (v for v in ("__fora__", -987654, "x") if v not in declaracao["escolhas"] and _do_tipo(v, tipo)), None
        )
        if fora is not None:
            candidatos.append(("escolhas", fora))
    if tipo == "str" and "padrao" in declaracao:
        quebra = next(
            (v for v in ("", "?", "x", "0", "0" * 64, "a b") if not padroes.procura(declaracao["padrao"], v)),
            None,
        )
        if quebra is not None:
            candidatos.append(("padrao", quebra))
    if tipo == "str" and declaracao.get("min_len", 0) > 0:
        candidatos.append(("min_len", "x" * (declaracao["min_len"] - 1)))
    if tipo == "str" and "max_len" in declaracao:
        candidatos.append(("max_len", "x" * (declaracao["max_len"] + 1)))
    if tipo in ("int", "float", "decimal"):
        if "min" in declaracao:
            candidatos.append(("min", declaracao["min"] - 1))
        if "max" in declaracao:
            candidatos.append(("max", declaracao["max"] + 1))
    mensagens = mensagens_do_parametro(nome, declaracao)
    # Only those breaking exactly the rule they name: the first broken rule is the one the client reports.
    return [(regra, v) for regra, v in candidatos if erro_do_parametro(nome, declaracao, v) == mensagens[regra]]


def caminho_com(endpoint: dict[str, Any], valores: dict[str, Any]) -> str:
    """O caminho da requisição: os ``{nome}`` trocados pelos valores, codificados (``quote``)."""

    def troca(m: re.Match[str]) -> str:
        return urllib.parse.quote(_como_texto(valores[m.group(1)]), safe="")

    return _PLACEHOLDER.sub(troca, endpoint["caminho"])


def _como_texto(valor: Any) -> str:
    if isinstance(valor, bool):
        return "true" if valor else "false"
    if isinstance(valor, datetime.date):
        return valor.isoformat()
    return str(valor)
