"""The C vertente's test plans: what each endpoint, error, cache and budget case checks, and the
expected outcome the spec gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fabrica.desenvolvimento.base import CasoDeTeste, NaoTestavel
from fabrica.desenvolvimento.literal import literal
from fabrica.desenvolvimento.workers.integracao.regras import (
    _PLACEHOLDER,
    RESERVADAS,
    _como_texto,
    caminho_com,
    conforma,
    erro_do_parametro,
    exemplo_da_forma,
    exemplo_do_parametro,
    mensagens_do_parametro,
    parametros_do_endpoint,
    valores_invalidos,
)
from fabrica.specs.formato.integracao import ESTADOS_CACHE


def _requisicao_valida(endpoint: dict[str, Any]) -> tuple[dict[str, Any], Any] | None:
    parametros = {}
    for nome, d in parametros_do_endpoint(endpoint).items():
        if not d.get("obrigatorio", True):
            continue
        valor = exemplo_do_parametro(nome, d)
        if valor is None:
            return None
        parametros[nome] = valor
    payload = exemplo_da_forma(endpoint["payload"]) if "payload" in endpoint else None
    return parametros, payload


def _endpoints_testaveis(conector: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], Any]]:
    """The connector's endpoints for which there is a valid request, with it: (endpoint,
    parameters, payload), in the spec's order."""
    for endpoint in conector["endpoints"]:
        requisicao = _requisicao_valida(endpoint)
        if requisicao is not None:
            yield endpoint, *requisicao


def _consulta(endpoint: dict[str, Any], valores: dict[str, Any]) -> dict[str, list[str]]:
    return {
        nome: [_como_texto(valores[nome])]
        for nome, d in parametros_do_endpoint(endpoint).items()
        if d["local"] == "query" and valores.get(nome) is not None
    }


def _planos_de_endpoint(conector: dict[str, Any]) -> list[dict[str, Any]]:
    planos = []
    for endpoint, parametros, payload in _endpoints_testaveis(conector):
        planos.append(
            {
                "endpoint": endpoint["nome"],
                "metodo": endpoint["metodo"],
                "parametros": parametros,
                "payload": payload,
                "caminho": caminho_com(endpoint, parametros),
                "consulta": _consulta(endpoint, parametros),
                "corpo": exemplo_da_forma(endpoint["resposta"]) if "resposta" in endpoint else None,
                "fora_do_contrato": _fora_do_contrato(endpoint["resposta"]) if "resposta" in endpoint else None,
            }
        )
    return planos


def _fora_do_contrato(forma: Any) -> Any:
    """A response the contract refuses: the first field with the wrong type, or the wrong type."""
    if isinstance(forma, dict):
        corpo = exemplo_da_forma(forma)
        primeiro = next(iter(forma))
        corpo[primeiro] = [] if forma[primeiro] not in ("list",) and not isinstance(forma[primeiro], list) else "x"
        return corpo
    if isinstance(forma, list):
        return {"nao": "é uma lista"}
    return [] if forma != "list" else "x"


def _planos_invalidos(conector: dict[str, Any]) -> list[dict[str, Any]]:
    planos = []
    for endpoint, parametros, payload in _endpoints_testaveis(conector):
        for nome, d in parametros_do_endpoint(endpoint).items():
            mensagens = mensagens_do_parametro(nome, d)
            casos = valores_invalidos(nome, d)
            if d.get("obrigatorio", True):
                casos.insert(0, ("obrigatorio", None))
            for regra, valor in casos:
                planos.append(
                    {
                        "id": f"{endpoint['nome']}-{nome}-{regra}",
                        "endpoint": endpoint["nome"],
                        "parametros": {**parametros, nome: valor},
                        "payload": payload,
                        "campo": nome,
                        "mensagem": mensagens[regra],
                    }
                )
        if "payload" in endpoint:
            planos.append(
                {
                    "id": f"{endpoint['nome']}-payload",
                    "endpoint": endpoint["nome"],
                    "parametros": parametros,
                    "payload": _fora_do_contrato(endpoint["payload"]),
                    "campo": "payload",
                    "mensagem": None,
                }
            )
    return planos


def _planos_de_erro(conector: dict[str, Any]) -> list[dict[str, Any]]:
    planos = []
    for endpoint, parametros, payload in _endpoints_testaveis(conector):
        for erro in endpoint.get("erros", []):
            planos.append(
                {
                    "id": f"{endpoint['nome']}-{erro['status']}",
                    "endpoint": endpoint["nome"],
                    "parametros": parametros,
                    "payload": payload,
                    "status": erro["status"],
                    "corpo": erro.get("corpo", {"erro": erro["mensagem"]}),
                    "mensagem": erro["mensagem"],
                }
            )
        nao_declarado = next(
            s for s in (500, 502, 503, 418) if s not in {e["status"] for e in endpoint.get("erros", [])}
        )
        planos.append(
            {
                "id": f"{endpoint['nome']}-{nao_declarado}-nao-declarado",
                "endpoint": endpoint["nome"],
                "parametros": parametros,
                "payload": payload,
                "status": nao_declarado,
                "corpo": {"erro": "falha interna"},
                "mensagem": f"o serviço respondeu HTTP {nao_declarado}",
            }
        )
    return planos


def _plano_de_cache(conector: dict[str, Any]) -> dict[str, Any] | None:
    if "cache" not in conector:
        return None
    for endpoint, parametros, _payload in _endpoints_testaveis(conector):
        if endpoint["metodo"] == "GET":
            return {
                "endpoint": endpoint["nome"],
                "parametros": parametros,
                "corpo": exemplo_da_forma(endpoint["resposta"]) if "resposta" in endpoint else None,
                "ttl_s": conector["cache"]["ttl_s"],
            }
    return None


def _achar_endpoint(
    conectores: list[dict[str, Any]], dado: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str]:
    if "endpoint" in dado:
        achados = [(c, e) for c in conectores for e in c["endpoints"] if e["nome"] == dado["endpoint"]]
        if len(achados) != 1:
            nomes = ", ".join(e["nome"] for c in conectores for e in c["endpoints"])
            return (
                None,
                None,
                f"dado.endpoint = {dado['endpoint']!r} não nomeia um endpoint da spec; endpoints: {nomes}",
            )
        return achados[0][0], achados[0][1], ""

    def chaves_da_requisicao(conector: dict[str, Any]) -> set[str]:
        return {k for k in dado if k not in RESERVADAS and k not in conector.get("cenarios", {})}

    def cobre(conector: dict[str, Any], endpoint: dict[str, Any]) -> bool:
        campos = set(parametros_do_endpoint(endpoint))
        if isinstance(endpoint.get("payload"), dict) and "payload" not in dado:
            campos |= set(endpoint["payload"])
        return chaves_da_requisicao(conector) <= campos

    candidatos = [(c, e) for c in conectores for e in c["endpoints"] if cobre(c, e)]
    if len(candidatos) > 1:
        # Among those that cover, the one using most of the case's keys (an endpoint without parameters covers any empty case).
        def usadas(par: tuple[dict[str, Any], dict[str, Any]]) -> int:
            return len(chaves_da_requisicao(par[0]) & set(parametros_do_endpoint(par[1])))

        melhor = max(usadas(p) for p in candidatos)
        candidatos = [p for p in candidatos if usadas(p) == melhor]
    if len(candidatos) == 1:
        return candidatos[0][0], candidatos[0][1], ""
    if not candidatos:
        chaves = sorted(k for k in dado if k not in RESERVADAS)
        return (
            None,
            None,
            (
                f"nenhum endpoint tem todos os parâmetros e campos do caso ({', '.join(chaves)}); "
                "diga o endpoint em dado.endpoint, ou declare em cenarios do conector as chaves que descrevem o remoto ou o cache"
            ),
        )
    nomes = ", ".join(e["nome"] for _, e in candidatos)
    return None, None, f"o caso serve a mais de um endpoint ({nomes}); diga qual em dado.endpoint"


def _chave(endpoint: dict[str, Any], parametros: dict[str, Any], payload: Any) -> str:
    return literal((endpoint["nome"], sorted((k, _como_texto(v)) for k, v in parametros.items()), payload))


def _requisicao_do_caso(
    endpoint: dict[str, Any], dado: dict[str, Any], cenarios: dict[str, Any]
) -> tuple[dict[str, Any], Any] | str:
    declarados = parametros_do_endpoint(endpoint)
    parametros: dict[str, Any] = {}
    for nome, d in declarados.items():
        if nome in dado:
            parametros[nome] = dado[nome]
        elif d.get("obrigatorio", True):
            exemplo = exemplo_do_parametro(nome, d)
            if exemplo is None:
                return f"o caso não dá {nome}, que tem padrão e nenhum exemplo declarado"
            parametros[nome] = exemplo
    payload = None
    if "payload" in endpoint:
        if "payload" in dado:
            payload = dado["payload"]
        else:
            payload = exemplo_da_forma(endpoint["payload"])
            if isinstance(payload, dict):
                for campo in endpoint["payload"]:
                    if campo in dado and campo not in declarados:
                        payload[campo] = dado[campo]
    return parametros, payload


def _exemplos_explicitos(conectores: list[dict[str, Any]], casos: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What the spec's explicit cases say of each request: the remote's mock "knows" it.
    Key: (endpoint, parameters, payload); value: ``{"corpo": ...}`` or ``{"erro": declared error}``."""
    sabidos: dict[str, dict[str, Any]] = {}
    for caso in casos:
        conector, endpoint, _ = _achar_endpoint(conectores, caso["dado"])
        if endpoint is None or conector is None or not isinstance(caso.get("espera"), dict):
            continue
        requisicao = _requisicao_do_caso(endpoint, caso["dado"], conector.get("cenarios", {}))
        if isinstance(requisicao, str):
            continue
        resposta = _resposta_esperada(endpoint, caso["espera"])
        if resposta is not None and resposta.get("tipo") in ("sucesso", "remoto"):
            sabidos[_chave(endpoint, *requisicao)] = resposta
    return sabidos


def _resposta_esperada(endpoint: dict[str, Any], espera: dict[str, Any]) -> dict[str, Any] | None:
    """``espera`` de um caso explícito como o que o remoto responde e o cliente devolve/levanta."""
    if "erro" in espera:
        mensagem = str(espera["erro"])
        declarado = next((e for e in endpoint.get("erros", []) if e["mensagem"] == mensagem), None)
        if declarado is not None:
            return {
                "tipo": "remoto",
                "status": declarado["status"],
                "corpo": declarado.get("corpo", {"erro": mensagem}),
                "mensagem": mensagem,
            }
        for nome, d in parametros_do_endpoint(endpoint).items():
            if mensagem in mensagens_do_parametro(nome, d).values():
                return {"tipo": "validacao", "campo": nome, "mensagem": mensagem}
        return None
    forma = endpoint.get("resposta")
    if not isinstance(forma, dict) or not espera or any(k not in forma for k in espera):
        return None
    corpo = exemplo_da_forma(forma)
    corpo.update(espera)
    return {"tipo": "sucesso", "corpo": corpo, "confere": dict(espera)}


def planejar_caso(
    conectores: list[dict[str, Any]], caso: CasoDeTeste, exemplos: dict[str, dict[str, Any]]
) -> tuple[str, dict[str, Any]] | NaoTestavel:
    """O teste de um caso: requisição, como o remoto e o cache estão, e o resultado esperado."""
    conector, endpoint, motivo = _achar_endpoint(conectores, caso.dado)
    if conector is None or endpoint is None:
        return NaoTestavel(caso.nome, motivo)
    cenarios = conector.get("cenarios", {})
    remoto: Any = "normal"
    cache = "vazio"
    for chave, mapa in cenarios.items():
        if chave not in caso.dado:
            continue
        valor = caso.dado[chave]
        if str(valor) not in mapa:
            return NaoTestavel(
                caso.nome, f"{chave} = {valor!r} não está em cenarios.{chave} do conector {conector['nome']}"
            )
        comportamento = mapa[str(valor)]
        if comportamento in ESTADOS_CACHE:
            cache = comportamento
        else:
            remoto = comportamento
    requisicao = _requisicao_do_caso(endpoint, caso.dado, cenarios)
    if isinstance(requisicao, str):
        return NaoTestavel(caso.nome, requisicao)
    parametros, payload = requisicao
    plano: dict[str, Any] = {
        "nome": caso.nome,
        "titulo": caso.titulo,
        "endpoint": endpoint["nome"],
        "parametros": parametros,
        "payload": payload,
        "caminho": caminho_com(endpoint, {k: v for k, v in parametros.items() if v is not None})
        if all(parametros.get(n) is not None for n in _PLACEHOLDER.findall(endpoint["caminho"]))
        else None,
        "remoto": remoto,
        "cache": cache if "cache" in conector and endpoint["metodo"] == "GET" else "vazio",
        "resposta_do_mock": None,
    }
    if caso.espera is not None:
        esperado = _resposta_esperada(endpoint, caso.espera)
        if esperado is None:
            return NaoTestavel(caso.nome, _por_que_nao(endpoint, caso.espera))
    else:
        esperado = None
    plano["esperado"], plano["resposta_do_mock"], plano["requisicoes"] = _desfecho(
        endpoint, parametros, payload, remoto, plano["cache"], esperado, exemplos
    )
    return conector["nome"], plano


def _por_que_nao(endpoint: dict[str, Any], espera: dict[str, Any]) -> str:
    if "erro" in espera:
        return (
            f"espera.erro = {espera['erro']!r} não é mensagem de nenhum parâmetro nem de nenhum erro declarado "
            f"do endpoint {endpoint['nome']}; declare-a em parametros.<nome>.mensagens ou em erros"
        )
    forma = endpoint.get("resposta")
    if not isinstance(forma, dict):
        return f"o endpoint {endpoint['nome']} não declara uma resposta objeto; espera só confere campos de uma resposta objeto"
    fora = sorted(k for k in espera if k not in forma)
    return f"espera.{', espera.'.join(fora)} não {'é campo' if len(fora) == 1 else 'são campos'} da resposta de {endpoint['nome']}"


def _desfecho(
    endpoint: dict[str, Any],
    parametros: dict[str, Any],
    payload: Any,
    remoto: Any,
    cache: str,
    explicito: dict[str, Any] | None,
    exemplos: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any] | None, int]:
    """(expected, the response the mock gives, how many requests the mock receives), in the order
    the client acts: validate, look up the cache, call."""
    for nome, d in parametros_do_endpoint(endpoint).items():
        mensagem = erro_do_parametro(nome, d, parametros.get(nome))
        if mensagem is not None:
            return explicito or {"tipo": "validacao", "campo": nome, "mensagem": mensagem}, None, 0
    if "payload" in endpoint and conforma(payload, endpoint["payload"], resposta=False):
        return explicito or {"tipo": "validacao", "campo": "payload", "mensagem": None}, None, 0
    if explicito is not None and explicito["tipo"] == "validacao":
        return explicito, None, 0  # a espera diz recusa e as regras aceitam: o teste falha, mostrando isso
    sabido = exemplos.get(_chave(endpoint, parametros, payload))
    resposta = explicito or sabido
    corpo_de_exemplo = exemplo_da_forma(endpoint["resposta"]) if "resposta" in endpoint else None
    if cache == "preenchido" and (resposta is None or resposta["tipo"] == "sucesso"):
        # The cache keeps only successful responses: filled means holding what the remote would answer.
        # When the remote answers an error, nothing would be kept, and the client goes to the remote.
        corpo = resposta["corpo"] if resposta else corpo_de_exemplo
        return {"tipo": "sucesso", "corpo": corpo, "do_cache": True}, None, 0
    if remoto == "lenta":
        return {"tipo": "tempo_esgotado"}, None, 1
    if remoto == "fora_do_ar":
        return {"tipo": "indisponivel"}, None, 0
    if isinstance(remoto, int):
        declarado = next((e for e in endpoint.get("erros", []) if e["status"] == remoto and "corpo" not in e), None)
        mensagem = declarado["mensagem"] if declarado else f"o serviço respondeu HTTP {remoto}"
        corpo = {"erro": mensagem}
        return {"tipo": "remoto", "status": remoto, "mensagem": mensagem}, {"status": remoto, "corpo": corpo}, 1
    if resposta is not None and resposta["tipo"] == "remoto":
        return (
            {"tipo": "remoto", "status": resposta["status"], "mensagem": resposta["mensagem"]},
            {"status": resposta["status"], "corpo": resposta["corpo"]},
            1,
        )
    if resposta is not None:
        return {"tipo": "sucesso", "corpo": resposta["corpo"]}, {"status": 200, "corpo": resposta["corpo"]}, 1
    return {"tipo": "sucesso", "corpo": corpo_de_exemplo}, {"status": 200, "corpo": corpo_de_exemplo}, 1
