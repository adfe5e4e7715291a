"""The I vertente's rules, read from the spec: what a person sends in each field, the messages
Django gives, and what the spec says happens (errors, the cleaned value, an example)."""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal, DecimalException
from typing import Any

from fabrica.specs import padroes
from fabrica.specs.formato.interface import TIPOS_NUMERO, TIPOS_TEXTO

VERTENTE = "I"
CHAVES_RESERVADAS = ("tela", "acao")
ESPERAS = ("erro", "erros", "tela", "valido")
FORMATOS_DATA = ("%Y-%m-%d", "%d/%m/%Y")
CONTEUDO_ARQUIVO_TESTE = "conteúdo de teste\n"

# What each field type of the spec becomes: a Django field, a widget and what the default ``exemplo`` is.
CAMPOS_DJANGO = {
    "texto": ("CharField", None),
    "texto_longo": ("CharField", "forms.Textarea"),
    "numero": ("IntegerField", None),
    "decimal": ("DecimalField", None),
    "data": ("DateField", 'forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")'),
    "email": ("EmailField", None),
    "senha": ("CharField", "forms.PasswordInput"),
    "booleano": ("BooleanField", None),
    "selecao": ("ChoiceField", None),
    "arquivo": ("FileField", None),
}

OBRIGATORIO = "Este campo é obrigatório."
_INVALIDO = {
    "numero": "Informe um número inteiro.",
    "decimal": "Informe um número.",
    "data": "Informe uma data válida (AAAA-MM-DD ou DD/MM/AAAA).",
    "email": "Informe um endereço de e-mail válido.",
}
NULO = "Caracteres nulos não são permitidos."


def _lista_pt(itens: list[str]) -> str:
    return itens[0] if len(itens) == 1 else ", ".join(itens[:-1]) + " ou " + itens[-1]


def _numero_pt(valor: Any) -> str:
    return str(int(valor)) if isinstance(valor, float) and valor.is_integer() else str(valor)


def mensagens_do_campo(campo: dict[str, Any]) -> dict[str, str]:
    """The field's error messages, per rule (this factory's defaults, or the spec's in
    ``campo.mensagens``). The same go to the generated ``Form`` and to the expected results."""
    restricoes = campo.get("restricoes", {})
    tipo = campo["tipo"]
    mensagens = {"obrigatorio": OBRIGATORIO}
    if tipo in _INVALIDO:
        mensagens["invalido"] = _INVALIDO[tipo]
    if tipo == "selecao":
        mensagens["escolha"] = f"Escolha uma das opções: {_lista_pt([str(o) for o in campo['opcoes']])}."
    if "min" in restricoes:
        mensagens["min"] = f"Informe um valor maior ou igual a {_numero_pt(restricoes['min'])}."
    if "max" in restricoes:
        mensagens["max"] = f"Informe um valor menor ou igual a {_numero_pt(restricoes['max'])}."
    if "min_len" in restricoes:
        mensagens["min_len"] = f"Use pelo menos {restricoes['min_len']} caracteres."
    if "max_len" in restricoes:
        mensagens["max_len"] = f"Use no máximo {restricoes['max_len']} caracteres."
    if "padrao" in restricoes:
        mensagens["padrao"] = "Informe um valor no formato esperado."
    if "extensoes" in restricoes:
        mensagens["extensoes"] = f"Envie um arquivo {_lista_pt(list(restricoes['extensoes']))}."
    mensagens.update(campo.get("mensagens", {}))
    return mensagens


def como_enviado(campo: dict[str, Any], valor: Any) -> str | None:
    """The text the browser sends for this value of the case (None: the field goes empty/absent)."""
    if valor is None:
        return None
    if campo["tipo"] == "booleano" and isinstance(valor, bool):
        return "on" if valor else None
    if isinstance(valor, bool):
        return "true" if valor else "false"
    if isinstance(valor, (datetime.date, datetime.datetime)):
        return valor.isoformat()
    return str(valor)


def _marcado(enviado: str | None) -> bool:
    # How CheckboxInput reads a form: absent is unticked; "true"/"false" are read.
    if enviado is None:
        return False
    return {"true": True, "false": False}.get(enviado.lower(), bool(enviado))


def _numero(tipo: str, texto: str) -> int | Decimal | None:
    if tipo == "numero":
        try:
            return int(re.sub(r"\.0*\s*$", "", texto))
        except ValueError:
            return None
    try:
        numero = Decimal(texto)
    except DecimalException:
        return None
    return numero if numero.is_finite() else None


def _data(texto: str) -> datetime.date | None:
    for formato in FORMATOS_DATA:
        try:
            return datetime.datetime.strptime(texto.strip(), formato).date()
        except ValueError:
            continue
    return None


def _email_valido(texto: str) -> bool:
    # E-mail segue, por definição, o validador de e-mail do Django (RFC 5322 simplificada).
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(texto)
    except ValidationError:
        return False
    return True


def _vazio(campo: dict[str, Any], enviado: str | None) -> bool:
    if campo["tipo"] == "booleano":
        return not _marcado(enviado)
    if enviado is None:
        return True
    return (enviado.strip() if campo["tipo"] in TIPOS_TEXTO else enviado) == ""


def erros_do_campo(campo: dict[str, Any], enviado: str | None) -> list[str]:
    """The messages the screen must show for the field when the user submits ``enviado``.

    It is the generated tests' oracle: the spec's rules (required, type, options, restricoes)
    applied here, without the Django the tests exercise (e-mail is the documented exception).
    """
    mensagens = mensagens_do_campo(campo)
    tipo, restricoes = campo["tipo"], campo.get("restricoes", {})
    if _vazio(campo, enviado):
        return [mensagens["obrigatorio"]] if campo.get("obrigatorio", False) else []
    assert enviado is not None
    erros: list[str] = []
    if tipo in TIPOS_TEXTO:
        texto = enviado.strip()
        if tipo == "email" and not _email_valido(texto):
            erros.append(mensagens["invalido"])
        if "padrao" in restricoes and not padroes.procura(restricoes["padrao"], texto):
            erros.append(mensagens["padrao"])
        if "min_len" in restricoes and len(texto) < restricoes["min_len"]:
            erros.append(mensagens["min_len"])
        if "max_len" in restricoes and len(texto) > restricoes["max_len"]:
            erros.append(mensagens["max_len"])
        if "\x00" in texto:
            erros.append(NULO)
    elif tipo in TIPOS_NUMERO:
        numero = _numero(tipo, enviado.strip() if tipo == "numero" else enviado)
        if numero is None:
            return [mensagens["invalido"]]
        if "max" in restricoes and numero > Decimal(str(restricoes["max"])):
            erros.append(mensagens["max"])
        if "min" in restricoes and numero < Decimal(str(restricoes["min"])):
            erros.append(mensagens["min"])
    elif tipo == "data":
        if _data(enviado) is None:
            return [mensagens["invalido"]]
    elif tipo == "selecao":
        if enviado not in [str(o) for o in campo["opcoes"]]:
            return [mensagens["escolha"]]
    elif tipo == "arquivo":
        extensao = enviado.rsplit(".", 1)[1].lower() if "." in enviado else ""
        if "extensoes" in restricoes and extensao not in [e.lower() for e in restricoes["extensoes"]]:
            erros.append(mensagens["extensoes"])
    return erros


def valor_limpo(campo: dict[str, Any], enviado: str | None) -> Any:
    """The value the screen hands to the action's endpoint (already validated), as JSON: text
    without surrounding spaces, an integer, a decimal as text, an ISO date, a boolean, a file name."""
    tipo = campo["tipo"]
    if tipo == "booleano":
        return _marcado(enviado)
    if _vazio(campo, enviado):
        return "" if tipo in (*TIPOS_TEXTO, "selecao") else None
    assert enviado is not None
    if tipo in TIPOS_TEXTO:
        return enviado.strip()
    if tipo == "numero":
        return _numero(tipo, enviado.strip())
    if tipo == "decimal":
        return str(_numero(tipo, enviado))
    if tipo == "data":
        data = _data(enviado)
        return data.isoformat() if data else None
    return enviado


def exemplo_do_campo(campo: dict[str, Any]) -> Any:
    """Um valor válido do campo: o ``exemplo`` da spec, ou um do tipo que respeita as restrições."""
    if "exemplo" in campo:
        return campo["exemplo"]
    tipo, restricoes = campo["tipo"], campo.get("restricoes", {})
    if tipo in TIPOS_NUMERO:
        if "min" in restricoes:
            valor = restricoes["min"]
        elif "max" in restricoes and restricoes["max"] < 1:
            valor = restricoes["max"]
        else:
            valor = 1
        return (math.ceil(valor) if "min" in restricoes else math.floor(valor)) if tipo == "numero" else valor
    if tipo == "data":
        return "2024-03-15"
    if tipo == "booleano":
        return True
    if tipo == "selecao":
        return campo["opcoes"][0]
    if tipo == "arquivo":
        extensoes = restricoes.get("extensoes", ["pdf"])
        return f"exemplo.{extensoes[0]}"
    if tipo == "email":
        return "pessoa@exemplo.com.br"
    texto = "Senha-de-teste-123" if tipo == "senha" else "Texto de exemplo"
    minimo, maximo = restricoes.get("min_len", 0), restricoes.get("max_len")
    texto = texto.ljust(minimo, "x")
    return texto[:maximo] if maximo is not None else texto
