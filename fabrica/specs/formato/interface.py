"""Vertente I (interface): screens, fields and actions — ``spec_interface``.

The format, the rules the schema does not express (unique names, options only in a selection,
known targets, constraints that fit the field's type, an example that passes the field's rules)
and what it counts for size.

A field is what the user fills in: ``tipo`` says how the screen reads it, ``obrigatorio`` (default
false) whether it may stay empty (in a ``booleano``, whether it must be ticked), ``opcoes`` the
values of a ``selecao``, ``restricoes`` the rest of the rules (``min``/``max`` on numbers and
decimals; ``min_len``/``max_len``/``padrao`` on texts; ``extensoes`` on files), ``mensagens``
replaces a rule's error sentence, and ``exemplo`` is a valid value the tests use when a case does
not give the field (required on a required field with ``padrao``). An action with ``endpoint``
sends the fields (with ``metodo``, POST by default); without an endpoint and with
``tela_destino``, it only navigates; the endpoints' ``{nome}`` become parameters of the screen's
URL.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal, DecimalException
from typing import Any

from django.utils.translation import gettext, gettext_noop

from fabrica.specs import padroes
from fabrica.specs.formato.comum import (
    CAMINHO,
    DESCRICAO,
    MAX_TAMANHO,
    METODOS_HTTP,
    TEXTO,
    Erros,
    Vertente,
    contar,
    duplicados,
    lista,
    nome_python,
    objeto,
    ref,
)

TIPOS_CAMPO_TELA = (
    "texto",
    "texto_longo",
    "numero",
    "decimal",
    "data",
    "email",
    "senha",
    "booleano",
    "selecao",
    "arquivo",
)

TIPOS_TEXTO = ("texto", "texto_longo", "senha", "email")
TIPOS_NUMERO = ("numero", "decimal")
# Rule → the field types it applies to (those of restricoes, and those every field has).
REGRAS_DO_CAMPO = {
    "obrigatorio": TIPOS_CAMPO_TELA,
    "invalido": ("numero", "decimal", "data", "email"),
    "escolha": ("selecao",),
    "min": TIPOS_NUMERO,
    "max": TIPOS_NUMERO,
    "min_len": TIPOS_TEXTO,
    "max_len": TIPOS_TEXTO,
    "padrao": ("texto", "texto_longo", "senha"),
    "extensoes": ("arquivo",),
}
_PLACEHOLDER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")
# Names the generated code already uses: the base.html layout, the HTTP backend's test; and, in
# fields, the reserved keys of a case and of the submission (tela, acao).
TELAS_RESERVADAS = ("base", "backend_http")
CAMPOS_RESERVADOS = ("tela", "acao")

_TELA = objeto(
    {
        "id": ref("id"),
        "titulo": TEXTO,
        "descricao": DESCRICAO,
        "campos": lista(
            objeto(
                {
                    "nome": ref("nome"),
                    "rotulo": TEXTO,
                    "tipo": {"enum": list(TIPOS_CAMPO_TELA)},
                    "obrigatorio": {"type": "boolean"},
                    "opcoes": lista(ref("escalar"), 1, unicos=True),
                    "ajuda": DESCRICAO,
                    "restricoes": objeto(
                        {
                            "min": {"type": "number"},
                            "max": {"type": "number"},
                            "min_len": {"type": "integer", "minimum": 0, "maximum": MAX_TAMANHO},
                            "max_len": {"type": "integer", "minimum": 1, "maximum": MAX_TAMANHO},
                            "padrao": {**TEXTO, "description": "expressão regular (Python) procurada no texto"},
                            "extensoes": {
                                **lista({"type": "string", "pattern": r"^[a-z0-9]+$"}, 1, unicos=True),
                                "description": "extensões aceitas, em minúsculas e sem ponto (pdf, jpg)",
                            },
                        },
                        minProperties=1,
                    ),
                    "mensagens": objeto(
                        {regra: TEXTO for regra in REGRAS_DO_CAMPO},
                        minProperties=1,
                        description="a frase de erro de cada regra, no lugar da padrão",
                    ),
                    "exemplo": {
                        **ref("escalar"),
                        "description": "um valor válido, usado pelos testes quando o caso não dá o campo",
                    },
                },
                ("nome", "tipo"),
            )
        ),
        "acoes": lista(
            objeto(
                {
                    "nome": ref("nome"),
                    "rotulo": TEXTO,
                    "endpoint": {"type": "string", "pattern": CAMINHO},
                    "metodo": {"enum": list(METODOS_HTTP)},
                    "tela_destino": ref("id"),
                },
                ("nome",),
            )
        ),
    },
    ("id", "titulo"),
)

SCHEMA = objeto({"telas": lista(_TELA, 1)}, ("telas",))


def parametros_da_url(tela: dict) -> list[str]:
    """The parameters of the screen's URL: the ``{nome}`` of its actions' endpoints, in order."""
    nomes: list[str] = []
    for acao in tela.get("acoes", []):
        for nome in _PLACEHOLDER.findall(acao.get("endpoint", "")):
            if nome not in nomes:
                nomes.append(nome)
    return nomes


def _checar_regras(campo: dict, base: tuple) -> Erros:
    tipo, restricoes = campo["tipo"], campo.get("restricoes", {})
    erros: Erros = []
    for regra in restricoes:
        if tipo not in REGRAS_DO_CAMPO[regra]:
            aceitos = ", ".join(REGRAS_DO_CAMPO[regra])
            erros.append(
                (
                    (*base, "restricoes", regra),
                    gettext("%(regra)s não se aplica ao tipo %(tipo)s (só a %(aceitos)s)")
                    % {"regra": regra, "tipo": tipo, "aceitos": aceitos},
                )
            )
    for regra in campo.get("mensagens", {}):
        tem_regra = regra in ("obrigatorio", "invalido", "escolha") or regra in restricoes
        if tipo not in REGRAS_DO_CAMPO[regra] or not tem_regra:
            erros.append(
                (
                    (*base, "mensagens", regra),
                    gettext("o campo não tem a regra %(regra)s: a mensagem nunca apareceria") % {"regra": regra},
                )
            )
    for menor, maior in (("min", "max"), ("min_len", "max_len")):
        if menor in restricoes and maior in restricoes and restricoes[menor] > restricoes[maior]:
            erros.append(
                (
                    (*base, "restricoes", menor),
                    gettext("%(menor)s maior que %(maior)s") % {"menor": menor, "maior": maior},
                )
            )
    if "padrao" in restricoes:
        if motivo := padroes.validar(restricoes["padrao"]):
            return [*erros, ((*base, "restricoes", "padrao"), motivo)]
        if campo.get("obrigatorio") and "exemplo" not in campo:
            erros.append(
                (
                    (*base, "exemplo"),
                    gettext("campo obrigatório ausente: exemplo (exigido por restricoes.padrao num campo obrigatório)"),
                )
            )
    if "exemplo" in campo and not erros:
        motivo = _exemplo_invalido(campo)
        if motivo:
            erros.append(
                (
                    (*base, "exemplo"),
                    gettext("o exemplo não passa nas regras do campo: %(motivo)s") % {"motivo": motivo},
                )
            )
    return erros


def _exemplo_invalido(campo: dict) -> str:
    """Why the example is not a valid value of the field ('' when it is)."""
    tipo, restricoes, valor = campo["tipo"], campo.get("restricoes", {}), campo["exemplo"]
    texto = str(valor).strip() if not isinstance(valor, bool) else ""
    if tipo == "booleano":
        return "" if isinstance(valor, bool) else gettext("um booleano recebe true ou false")
    if tipo == "selecao":
        return "" if texto in [str(o) for o in campo["opcoes"]] else gettext("não é uma das opcoes")
    if isinstance(valor, bool) or texto == "":
        return gettext("vazio ou booleano")
    if tipo in TIPOS_NUMERO:
        try:
            numero = Decimal(texto)
        except DecimalException:
            return gettext("não é um número")
        if tipo == "numero" and numero != numero.to_integral_value():
            return gettext("não é um número inteiro")
        if "min" in restricoes and numero < Decimal(str(restricoes["min"])):
            return gettext("menor que min (%(min)s)") % {"min": restricoes["min"]}
        if "max" in restricoes and numero > Decimal(str(restricoes["max"])):
            return gettext("maior que max (%(max)s)") % {"max": restricoes["max"]}
        return ""
    if tipo == "data":
        for formato in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                datetime.datetime.strptime(texto, formato)
                return ""
            except ValueError:
                continue
        return gettext("não é uma data AAAA-MM-DD ou DD/MM/AAAA")
    if tipo == "arquivo":
        extensao = texto.rsplit(".", 1)[1].lower() if "." in texto else ""
        return (
            ""
            if "extensoes" not in restricoes or extensao in restricoes["extensoes"]
            else gettext("extensão não aceita")
        )
    if len(texto) > padroes.MAX_TEXTO:
        return gettext("tem mais de %(MAX_TEXTO)s caracteres") % {"MAX_TEXTO": padroes.MAX_TEXTO}
    if tipo == "email" and not padroes.casa_inteiro(r"[^@\s]+@[^@\s]+\.[^@\s]+", texto):
        return gettext("não é um e-mail")
    if "padrao" in restricoes and not padroes.procura(restricoes["padrao"], texto):
        return gettext("não casa com o padrao")
    if len(texto) < restricoes.get("min_len", 0) or len(texto) > restricoes.get("max_len", len(texto)):
        return gettext("fora dos tamanhos min_len/max_len")
    return ""


def checar(interface: dict, limpas: Mapping[str, Any]) -> Erros:
    telas = interface["telas"]
    ids = {t["id"] for t in telas}
    parametros = {t["id"]: parametros_da_url(t) for t in telas}
    erros = duplicados(telas, "id", ("spec_interface", "telas"), gettext_noop("id de tela"))
    classes: dict[str, str] = {}
    for i, tela in enumerate(telas):
        base = ("spec_interface", "telas", i)
        campos, acoes = tela.get("campos", []), tela.get("acoes", [])
        if tela["id"] in TELAS_RESERVADAS:
            erros.append(
                ((*base, "id"), gettext("id reservado pelo código gerado: %(id)s; escolha outro") % {"id": tela["id"]})
            )
        classe = "".join(p.capitalize() for p in tela["id"].split("_") if p)
        if classe in classes and classes[classe] != tela["id"]:
            erros.append(
                (
                    (*base, "id"),
                    gettext("a tela %(id)s e a tela %(v)s dariam a mesma classe %(classe)sForm")
                    % {"id": tela["id"], "v": classes[classe], "classe": classe},
                )
            )
        classes.setdefault(classe, tela["id"])
        erros += duplicados(campos, "nome", (*base, "campos"), gettext_noop("nome de campo"))
        erros += duplicados(acoes, "nome", (*base, "acoes"), gettext_noop("nome de ação"))
        for j, campo in enumerate(campos):
            if campo["tipo"] == "selecao" and "opcoes" not in campo:
                erros.append(
                    (
                        (*base, "campos", j, "opcoes"),
                        gettext("campo obrigatório ausente: opcoes (exigido pelo tipo selecao)"),
                    )
                )
            elif campo["tipo"] != "selecao" and "opcoes" in campo:
                erros.append(((*base, "campos", j, "opcoes"), gettext("opcoes só se aplica ao tipo selecao")))
            erros += _checar_regras(campo, (*base, "campos", j))
            erros += nome_python(campo["nome"], (*base, "campos", j, "nome"))
            if campo["nome"] in CAMPOS_RESERVADOS:
                erros.append(
                    (
                        (*base, "campos", j, "nome"),
                        gettext("nome reservado: %(nome)s (chave de caso e do envio)") % {"nome": campo["nome"]},
                    )
                )
            elif campo["nome"] in parametros[tela["id"]]:
                erros.append(
                    (
                        (*base, "campos", j, "nome"),
                        gettext("%(nome)s já é parâmetro da URL da tela (de um endpoint)") % {"nome": campo["nome"]},
                    )
                )
        for j, acao in enumerate(acoes):
            if "tela_destino" in acao and acao["tela_destino"] not in ids:
                erros.append(
                    (
                        (*base, "acoes", j, "tela_destino"),
                        f"tela desconhecida: {acao['tela_destino']}; telas: {', '.join(sorted(ids))}",
                    )
                )
            elif "tela_destino" in acao:
                # The target screen's URL takes its parameters: the source screen must have them.
                faltam = [p for p in parametros[acao["tela_destino"]] if p not in parametros[tela["id"]]]
                if faltam:
                    erros.append(
                        (
                            (*base, "acoes", j, "tela_destino"),
                            gettext("a tela %(tela_destino)s precisa de %(v)s na URL, que a tela %(id)s não tem")
                            % {
                                "tela_destino": acao["tela_destino"],
                                "v": ", ".join("{" + p + "}" for p in faltam),
                                "id": tela["id"],
                            },
                        )
                    )
            if "metodo" in acao and "endpoint" not in acao:
                erros.append(
                    (
                        (*base, "acoes", j, "endpoint"),
                        gettext("campo obrigatório ausente: endpoint (exigido por metodo)"),
                    )
                )
    return erros


def medir(interface: dict) -> dict[str, int]:
    """telas, and campos and acoes summed over the screens."""
    return contar(interface.get("telas", []), ("campos", "acoes"), contagem="telas")


VERTENTE = Vertente(codigo="I", secao="spec_interface", schema=SCHEMA, checar=checar, medir=medir)
