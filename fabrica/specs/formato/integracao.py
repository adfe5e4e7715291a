"""Vertente C (integração): conectores de APIs externas — ``spec_integracao``.

Formato, regras que o schema não exprime (nomes únicos, credencial quando há autenticação, a
API declarada no runtime) e o que ela conta para o tamanho.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fabrica.specs.formato.comum import (
    CAMINHO,
    DESCRICAO,
    METODOS_HTTP,
    TEXTO,
    TIPOS_BASICOS,
    URL,
    Erros,
    Vertente,
    contar,
    duplicados,
    lista,
    mapa,
    objeto,
    ref,
)

_CONECTOR = objeto(
    {
        "nome": ref("nome"),
        "descricao": DESCRICAO,
        "api": ref("id_spec"),  # a API de runtime.apis_externas que este conector usa
        "base_url": {"type": "string", "pattern": URL},
        # credencial é o NOME do segredo no ambiente, nunca o segredo: specs vivem no git.
        "autenticacao": objeto(
            {
                "tipo": {"enum": ["nenhuma", "api_key", "bearer", "basic", "oauth2"]},
                "credencial": ref("id_spec"),
                "cabecalho": TEXTO,
            },
            ("tipo",),
        ),
        "timeout_s": {"type": "number", "exclusiveMinimum": 0},
        "endpoints": lista(
            objeto(
                {
                    "nome": ref("nome"),
                    "descricao": DESCRICAO,
                    "metodo": {"enum": list(METODOS_HTTP)},
                    "caminho": {"type": "string", "pattern": CAMINHO},
                    "payload": ref("forma"),
                    "resposta": ref("forma"),
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
    # "forma" de um payload: tipo básico, objeto {campo: forma} ou lista de um item [forma].
    "forma": {
        "description": "um tipo básico (" + ", ".join(TIPOS_BASICOS) + "), "
        "um objeto {campo: tipo} ou uma lista com um item [tipo]",
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
    erros = duplicados(conectores, "nome", ("spec_integracao", "conectores"), "nome de conector")
    for i, conector in enumerate(conectores):
        base = ("spec_integracao", "conectores", i)
        erros += duplicados(conector["endpoints"], "nome", (*base, "endpoints"), "nome de endpoint")
        autenticacao = conector.get("autenticacao", {"tipo": "nenhuma"})
        if autenticacao["tipo"] != "nenhuma" and "credencial" not in autenticacao:
            erros.append(
                (
                    (*base, "autenticacao", "credencial"),
                    f"campo obrigatório ausente: credencial (exigido pela autenticação {autenticacao['tipo']})",
                )
            )
        # A API precisa constar do runtime: é de lá que a precificação tira os gaps.
        if runtime is not None and "api" in conector and conector["api"] not in runtime["apis_externas"]:
            erros.append(((*base, "api"), f"a API {conector['api']} deve constar em runtime.apis_externas"))
    return erros


def medir(integracao: dict) -> dict[str, int]:
    """conectores, e endpoints somados nos conectores."""
    return contar(integracao.get("conectores", []), ("endpoints",), contagem="conectores")


VERTENTE = Vertente(codigo="C", secao="spec_integracao", schema=SCHEMA, checar=checar, medir=medir, defs=DEFS)
