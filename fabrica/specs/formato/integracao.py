"""Vertente C (integração): connectors to external APIs — ``spec_integracao``.

The format, the rules the schema does not express (unique names, a credential when there is
authentication, the API declared in the runtime, coherent parameters and errors, scenarios tied
to ``schema_tdd``) and what it counts for size.

An endpoint is ``metodo`` + ``caminho`` (the ``{nome}`` are path parameters); ``parametros``
declares their type and rules and those of the query string (the declared ones not in the path),
with each rule's error sentence in ``mensagens`` — the client refuses the value before calling;
``payload`` and ``resposta`` are shapes (every declared field is required; the response may carry
extra fields); ``erros`` are the error responses the API has, each with the message the client
gives: a status (400–599), or a 2xx status with the ``corpo`` that identifies it (APIs that answer
200 with ``{"erro": true}``).

In the connector, ``cache`` keeps GET responses for ``ttl_s`` seconds, and ``cenarios`` says which
parameters of ``schema_tdd`` describe the world rather than the request: each class of the
parameter becomes a behaviour of the remote (``normal``, ``lenta`` — answers after the timeout —,
``fora_do_ar`` or an HTTP status 400–599) or a state of the cache (``vazio``, ``preenchido``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, gettext_noop

from fabrica.specs import padroes
from fabrica.specs.formato.comum import (
    CAMINHO,
    DESCRICAO,
    MAX_TAMANHO,
    METODOS_HTTP,
    TEXTO,
    TIPOS_BASICOS,
    TIPOS_ESCALARES,
    URL,
    Erros,
    Vertente,
    contar,
    do_tipo,
    duplicados,
    lista,
    mapa,
    mesmo_valor,
    mostrar,
    nome_python,
    objeto,
    ref,
)

COMPORTAMENTOS_REMOTO = ("normal", "lenta", "fora_do_ar")
ESTADOS_CACHE = ("vazio", "preenchido")
REGRAS_DO_PARAMETRO = ("obrigatorio", "tipo", "escolhas", "padrao", "min_len", "max_len", "min", "max")
_REGRAS_DE_TEXTO = ("padrao", "min_len", "max_len")
_REGRAS_DE_NUMERO = ("min", "max")
_PLACEHOLDER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")
# Modules the generated code already has (the connector becomes <lower-case name>.py) and
# arguments the client's methods and the cases already use.
MODULOS_RESERVADOS = ("cliente", "contrato", "erros", "mock")
PARAMETROS_RESERVADOS = ("payload", "endpoint", "self")

_PARAMETRO = objeto(
    {
        "tipo": {"enum": list(TIPOS_ESCALARES), "default": "str"},
        "obrigatorio": {"type": "boolean", "default": True},
        "descricao": DESCRICAO,
        "escolhas": lista(ref("escalar"), 1, unicos=True),
        "padrao": {**TEXTO, "description": "expressão regular (Python) procurada no texto"},
        "min_len": {"type": "integer", "minimum": 0, "maximum": MAX_TAMANHO},
        "max_len": {"type": "integer", "minimum": 1, "maximum": MAX_TAMANHO},
        "min": {"type": "number"},
        "max": {"type": "number"},
        "exemplo": {**ref("escalar"), "description": "um valor válido, usado quando um caso não dá o parâmetro"},
        "mensagens": objeto({regra: TEXTO for regra in REGRAS_DO_PARAMETRO}, minProperties=1),
    }
)
_ERRO = objeto(
    {
        "status": {"type": "integer", "minimum": 200, "maximum": 599},
        "corpo": {"description": "o corpo JSON que identifica o erro (obrigatório num status 2xx)"},
        "mensagem": TEXTO,
        "descricao": DESCRICAO,
    },
    ("status", "mensagem"),
)

_CONECTOR = objeto(
    {
        "nome": ref("nome"),
        "descricao": DESCRICAO,
        "api": ref("id_spec"),  # the API of runtime.apis_externas this connector uses
        "base_url": {"type": "string", "pattern": URL},
        # credencial is the NAME of the secret in the environment, never the secret: specs live in git.
        "autenticacao": objeto(
            {
                "tipo": {"enum": ["nenhuma", "api_key", "bearer", "basic", "oauth2"]},
                "credencial": ref("id_spec"),
                "cabecalho": TEXTO,
            },
            ("tipo",),
        ),
        "timeout_s": {"type": "number", "exclusiveMinimum": 0},
        "cache": objeto({"ttl_s": {"type": "integer", "exclusiveMinimum": 0}}, ("ttl_s",)),
        "cenarios": {
            **mapa(
                mapa(
                    {
                        "anyOf": [
                            {"enum": [*COMPORTAMENTOS_REMOTO, *ESTADOS_CACHE]},
                            {"type": "integer", "minimum": 400, "maximum": 599},
                        ],
                        "description": gettext_noop(
                            "normal, lenta, fora_do_ar, um status HTTP 400–599, vazio ou preenchido"
                        ),
                    },
                    minimo=1,
                ),
                minimo=1,
            ),
            "description": "parâmetro do schema_tdd → {classe: comportamento do remoto ou estado do cache}",
        },
        "endpoints": lista(
            objeto(
                {
                    "nome": ref("nome"),
                    "descricao": DESCRICAO,
                    "metodo": {"enum": list(METODOS_HTTP)},
                    "caminho": {"type": "string", "pattern": CAMINHO},
                    "parametros": mapa(_PARAMETRO),
                    "payload": ref("forma"),
                    "resposta": ref("forma"),
                    "erros": lista(_ERRO),
                },
                ("nome", "metodo", "caminho"),
            ),
            1,
        ),
    },
    ("nome", "base_url", "endpoints"),
)

SCHEMA = objeto({"conectores": lista(_CONECTOR, 1)}, ("conectores",))
DEFS = {
    # the "shape" of a payload: a basic type, an object {campo: shape} or a one-item list [shape].
    "forma": {
        # Literal, for the translation catalogue (tests/fabrica/test_i18n.py checks it names TIPOS_BASICOS).
        "description": gettext_noop(
            "um tipo básico (str, int, float, bool, date, decimal, list, dict), "
            "um objeto {campo: tipo} ou uma lista com um item [tipo]"
        ),
        "anyOf": [
            {"type": "string", "enum": list(TIPOS_BASICOS)},
            {"type": "object", **mapa(ref("forma"), minimo=1)},
            {"type": "array", "minItems": 1, "maxItems": 1, "items": ref("forma")},
        ],
    },
}


def checar(integracao: dict, limpas: Mapping[str, Any]) -> Erros:
    runtime = limpas.get("runtime")
    conectores = integracao["conectores"]
    erros = duplicados(conectores, "nome", ("spec_integracao", "conectores"), gettext_noop("nome de conector"))
    modulos: dict[str, str] = {}
    for i, conector in enumerate(conectores):
        base = ("spec_integracao", "conectores", i)
        erros += duplicados(conector["endpoints"], "nome", (*base, "endpoints"), gettext_noop("nome de endpoint"))
        modulo = conector["nome"].lower()
        if modulo in MODULOS_RESERVADOS:
            erros.append(
                (
                    (*base, "nome"),
                    gettext("nome reservado pelo código gerado: %(nome)s; escolha outro") % {"nome": conector["nome"]},
                )
            )
        elif modulo in modulos and modulos[modulo] != conector["nome"]:
            erros.append(
                (
                    (*base, "nome"),
                    gettext("%(nome)s e %(v)s dariam o mesmo módulo %(modulo)s.py")
                    % {"nome": conector["nome"], "v": modulos[modulo], "modulo": modulo},
                )
            )
        modulos.setdefault(modulo, conector["nome"])
        erros += nome_python(modulo, (*base, "nome"))
        autenticacao = conector.get("autenticacao", {"tipo": "nenhuma"})
        if autenticacao["tipo"] != "nenhuma" and "credencial" not in autenticacao:
            erros.append(
                (
                    (*base, "autenticacao", "credencial"),
                    gettext("campo obrigatório ausente: credencial (exigido pela autenticação %(tipo)s)")
                    % {"tipo": autenticacao["tipo"]},
                )
            )
        # The API must be in the runtime: pricing takes the gaps from there.
        if runtime is not None and "api" in conector and conector["api"] not in runtime["apis_externas"]:
            erros.append(
                (
                    (*base, "api"),
                    gettext("a API %(api)s deve constar em runtime.apis_externas") % {"api": conector["api"]},
                )
            )
        for j, endpoint in enumerate(conector["endpoints"]):
            erros += _checar_endpoint(endpoint, (*base, "endpoints", j))
        if "cache" in conector and not any(e["metodo"] == "GET" for e in conector["endpoints"]):
            erros.append(
                ((*base, "cache"), gettext("o cache guarda respostas de GET, e o conector não tem endpoint GET"))
            )
        erros += _checar_cenarios(conector, limpas.get("schema_tdd"), base)
    return erros


def _checar_endpoint(endpoint: dict, base: tuple) -> Erros:
    erros: Erros = nome_python(endpoint["nome"], (*base, "nome"))
    no_caminho = _PLACEHOLDER.findall(endpoint["caminho"])
    for nome in dict.fromkeys(no_caminho + list(endpoint.get("parametros", {}))):
        onde = (*base, "parametros", nome) if nome in endpoint.get("parametros", {}) else (*base, "caminho")
        erros += nome_python(nome, onde)
        if nome in PARAMETROS_RESERVADOS:
            erros.append((onde, gettext("nome de parâmetro reservado: %(nome)s") % {"nome": nome}))
    for nome, parametro in endpoint.get("parametros", {}).items():
        onde = (*base, "parametros", nome)
        tipo = parametro.get("tipo", "str")
        antes = len(erros)
        if nome in no_caminho and parametro.get("obrigatorio") is False:
            erros.append(((*onde, "obrigatorio"), gettext("um parâmetro do caminho é sempre obrigatório")))
        for regra in _REGRAS_DE_TEXTO:
            if regra in parametro and tipo != "str":
                erros.append(
                    (
                        (*onde, regra),
                        gettext("%(regra)s só se aplica ao tipo str (o parâmetro é %(tipo)s)")
                        % {"regra": regra, "tipo": tipo},
                    )
                )
        for regra in _REGRAS_DE_NUMERO:
            if regra in parametro and tipo not in ("int", "float", "decimal"):
                erros.append(
                    (
                        (*onde, regra),
                        gettext("%(regra)s só se aplica a int, float e decimal (o parâmetro é %(tipo)s)")
                        % {"regra": regra, "tipo": tipo},
                    )
                )
        for menor, maior in (("min", "max"), ("min_len", "max_len")):
            if menor in parametro and maior in parametro and parametro[menor] > parametro[maior]:
                erros.append(
                    ((*onde, menor), gettext("%(menor)s maior que %(maior)s") % {"menor": menor, "maior": maior})
                )
        for k, valor in enumerate(parametro.get("escolhas", [])):
            if not do_tipo(valor, tipo):
                erros.append(
                    (
                        (*onde, "escolhas", k),
                        gettext("valor %(valor)s não é do tipo %(tipo)s") % {"valor": mostrar(valor), "tipo": tipo},
                    )
                )
        for regra in parametro.get("mensagens", {}):
            if regra not in ("obrigatorio", "tipo") and regra not in parametro:
                erros.append(
                    (
                        (*onde, "mensagens", regra),
                        gettext("o parâmetro não tem a regra %(regra)s: a mensagem nunca apareceria")
                        % {"regra": regra},
                    )
                )
        if "padrao" in parametro and (motivo := padroes.validar(parametro["padrao"])):
            erros.append(((*onde, "padrao"), motivo))
            continue
        obrigatorio = nome in no_caminho or parametro.get("obrigatorio", True)
        if "padrao" in parametro and obrigatorio and "exemplo" not in parametro:
            erros.append(
                (
                    (*onde, "exemplo"),
                    gettext("campo obrigatório ausente: exemplo (exigido por padrao num parâmetro obrigatório)"),
                )
            )
        if "exemplo" in parametro and len(erros) == antes:
            motivo = _exemplo_invalido(parametro, tipo)
            if motivo:
                erros.append(
                    (
                        (*onde, "exemplo"),
                        gettext("o exemplo não passa nas regras do parâmetro: %(motivo)s") % {"motivo": motivo},
                    )
                )
    vistos: list[tuple[int, Any]] = []
    for k, erro in enumerate(endpoint.get("erros", [])):
        onde = (*base, "erros", k)
        if erro["status"] < 400 and "corpo" not in erro:
            erros.append(
                (
                    (*onde, "corpo"),
                    gettext("campo obrigatório ausente: corpo (um status %(status)s sem corpo seria todo sucesso)")
                    % {"status": erro["status"]},
                )
            )
        if erro["status"] >= 300 and erro["status"] < 400:
            erros.append(
                ((*onde, "status"), gettext("redirecionamentos (3xx) não são erros: use 2xx com corpo ou 400–599"))
            )
        chave = (erro["status"], erro.get("corpo"))
        if any(s == chave[0] and mesmo_valor(c, chave[1]) for s, c in vistos):
            erros.append(
                (
                    (*onde, "status"),
                    gettext("erro duplicado: status %(status)s com o mesmo corpo") % {"status": erro["status"]},
                )
            )
        vistos.append(chave)
    return erros


def _exemplo_invalido(parametro: dict, tipo: str) -> str:
    valor = parametro["exemplo"]
    if not do_tipo(valor, tipo):
        return gettext("não é do tipo %(tipo)s") % {"tipo": tipo}
    if "escolhas" in parametro and not any(mesmo_valor(valor, e) for e in parametro["escolhas"]):
        return gettext("não é uma das escolhas")
    if tipo == "str":
        if len(valor) > padroes.MAX_TEXTO:
            return gettext("tem mais de %(MAX_TEXTO)s caracteres") % {"MAX_TEXTO": padroes.MAX_TEXTO}
        if "padrao" in parametro and not padroes.procura(parametro["padrao"], valor):
            return gettext("não casa com o padrao")
        if not parametro.get("min_len", 0) <= len(valor) <= parametro.get("max_len", len(valor)):
            return gettext("fora dos tamanhos min_len/max_len")
    if tipo in ("int", "float", "decimal"):
        numero = Decimal(str(valor))
        if "min" in parametro and numero < Decimal(str(parametro["min"])):
            return gettext("menor que min (%(min)s)") % {"min": parametro["min"]}
        if "max" in parametro and numero > Decimal(str(parametro["max"])):
            return gettext("maior que max (%(max)s)") % {"max": parametro["max"]}
    return ""


def _checar_cenarios(conector: dict, tdd: dict | None, base: tuple) -> Erros:
    if "cenarios" not in conector or tdd is None:
        return []
    erros: Erros = []
    parametros = tdd.get("parametros", {})
    for nome, mapa_classes in conector["cenarios"].items():
        onde = (*base, "cenarios", nome)
        if nome not in parametros:
            conhecidos = ", ".join(sorted(parametros)) or "nenhum"
            erros.append(
                (
                    onde,
                    gettext("%(nome)s não é parâmetro de schema_tdd.parametros (parâmetros: %(conhecidos)s)")
                    % {"nome": nome, "conhecidos": conhecidos},
                )
            )
            continue
        classes = [chave_da_classe(c) for c in parametros[nome]]
        for classe in mapa_classes:
            if classe not in classes:
                erros.append(
                    (
                        (*onde, classe),
                        gettext("%(classe)s não é classe de schema_tdd.parametros.%(nome)s (%(classes)s)")
                        % {"classe": classe, "nome": nome, "classes": ", ".join(classes)},
                    )
                )
        faltam = [c for c in classes if c not in mapa_classes]
        if faltam:
            erros.append(
                (
                    onde,
                    gettext("faltam as classes %(faltam)s de schema_tdd.parametros.%(nome)s")
                    % {"faltam": ", ".join(faltam), "nome": nome},
                )
            )
        de_cache = [v in ESTADOS_CACHE for v in mapa_classes.values()]
        if any(de_cache) and not all(de_cache):
            erros.append((onde, gettext("um parâmetro descreve o remoto ou o cache, não os dois")))
        elif all(de_cache) and "cache" not in conector:
            erros.append((onde, gettext("estados de cache num conector sem cache: declare cache.ttl_s")))
    return erros


def chave_da_classe(classe: Any) -> str:
    # The classes of schema_tdd are scalars; in the cenarios map they are keys (text).
    if isinstance(classe, bool):
        return "true" if classe else "false"
    return str(classe)


def medir(integracao: dict) -> dict[str, int]:
    """conectores, and endpoints summed over the connectors."""
    return contar(integracao.get("conectores", []), ("endpoints",), contagem="conectores")


VERTENTE = Vertente(codigo="C", secao="spec_integracao", schema=SCHEMA, checar=checar, medir=medir, defs=DEFS)
