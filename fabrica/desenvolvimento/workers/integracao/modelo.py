"""The model the C vertente's templates receive: each connector's contract and methods."""

from __future__ import annotations

from typing import Any

from fabrica.desenvolvimento.workers.integracao.regras import (
    _py,
    esquema_da_forma,
    exemplo_da_forma,
    mensagens_do_parametro,
    parametros_do_endpoint,
)


def _conector_contrato(conector: dict[str, Any]) -> dict[str, Any]:
    autenticacao = conector.get("autenticacao", {"tipo": "nenhuma"})
    endpoints = {}
    for endpoint in conector["endpoints"]:
        endpoints[endpoint["nome"]] = {
            "metodo": endpoint["metodo"],
            "caminho": endpoint["caminho"],
            "parametros": {
                nome: {**{k: v for k, v in d.items() if k != "mensagens"}, "mensagens": mensagens_do_parametro(nome, d)}
                for nome, d in parametros_do_endpoint(endpoint).items()
            },
            "payload": esquema_da_forma(endpoint["payload"], resposta=False) if "payload" in endpoint else None,
            "resposta": esquema_da_forma(endpoint["resposta"], resposta=True) if "resposta" in endpoint else None,
            "exemplo": exemplo_da_forma(endpoint["resposta"]) if "resposta" in endpoint else None,
            "erros": [
                {"status": e["status"], "corpo": e.get("corpo"), "mensagem": e["mensagem"]}
                for e in endpoint.get("erros", [])
            ],
        }
    return {
        "nome": conector["nome"],
        "base_url": conector["base_url"],
        "timeout_s": conector.get("timeout_s", 10),
        "autenticacao": {
            "tipo": autenticacao["tipo"],
            "credencial": autenticacao.get("credencial"),
            "cabecalho": autenticacao.get(
                "cabecalho", "X-API-Key" if autenticacao["tipo"] == "api_key" else "Authorization"
            ),
        },
        "cache_ttl_s": conector["cache"]["ttl_s"] if "cache" in conector else None,
        "endpoints": endpoints,
    }


def _anotacao(forma: Any) -> str:
    if isinstance(forma, dict):
        return "dict[str, Any]"
    if isinstance(forma, list):
        return "list[Any]"
    return {
        "str": "str",
        "int": "int",
        "float": "float",
        "bool": "bool",
        "date": "str",
        "decimal": "str | float",
        "list": "list[Any]",
        "dict": "dict[str, Any]",
    }[forma]


_ANOTACAO_PARAMETRO = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "date": "str | datetime.date",
    "decimal": "Decimal | float | int | str",
}


def _metodos(conector: dict[str, Any]) -> list[dict[str, Any]]:
    metodos = []
    for endpoint in conector["endpoints"]:
        parametros = parametros_do_endpoint(endpoint)
        argumentos = []
        for nome, d in parametros.items():
            anotacao = _ANOTACAO_PARAMETRO[d["tipo"]]
            obrigatorio = d.get("obrigatorio", True)
            argumentos.append(f"{nome}: {anotacao}" if obrigatorio else f"{nome}: {anotacao} | None = None")
        if "payload" in endpoint:
            argumentos.append(f"payload: {_anotacao(endpoint['payload'])}")
        metodos.append(
            {
                "nome": endpoint["nome"],
                "assinatura": ", ".join(["self", "*", *argumentos]) if argumentos else "self",
                "retorno": _anotacao(endpoint["resposta"]) if "resposta" in endpoint else "Any",
                "parametros": list(parametros),
                "tem_payload": "payload" in endpoint,
                "resumo_py": _py(
                    f"{endpoint['metodo']} {endpoint['caminho']}"
                    + (f": {endpoint['descricao']}" if endpoint.get("descricao") else "")
                ),
            }
        )
    return metodos
