"""Vertente I (interface): telas, campos e ações — ``spec_interface``.

Formato, regras que o schema não exprime (nomes únicos, opções só em seleção, destinos
conhecidos) e o que ela conta para o tamanho.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fabrica.specs.formato.comum import (
    CAMINHO,
    DESCRICAO,
    METODOS_HTTP,
    TEXTO,
    Erros,
    Vertente,
    contar,
    duplicados,
    lista,
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


def checar(interface: dict, limpas: Mapping[str, Any]) -> Erros:
    telas = interface["telas"]
    ids = {t["id"] for t in telas}
    erros = duplicados(telas, "id", ("spec_interface", "telas"), "id de tela")
    for i, tela in enumerate(telas):
        base = ("spec_interface", "telas", i)
        campos, acoes = tela.get("campos", []), tela.get("acoes", [])
        erros += duplicados(campos, "nome", (*base, "campos"), "nome de campo")
        erros += duplicados(acoes, "nome", (*base, "acoes"), "nome de ação")
        for j, campo in enumerate(campos):
            if campo["tipo"] == "selecao" and "opcoes" not in campo:
                erros.append(
                    ((*base, "campos", j, "opcoes"), "campo obrigatório ausente: opcoes (exigido pelo tipo selecao)")
                )
            elif campo["tipo"] != "selecao" and "opcoes" in campo:
                erros.append(((*base, "campos", j, "opcoes"), "opcoes só se aplica ao tipo selecao"))
        for j, acao in enumerate(acoes):
            if "tela_destino" in acao and acao["tela_destino"] not in ids:
                erros.append(
                    (
                        (*base, "acoes", j, "tela_destino"),
                        f"tela desconhecida: {acao['tela_destino']}; telas: {', '.join(sorted(ids))}",
                    )
                )
            if "metodo" in acao and "endpoint" not in acao:
                erros.append(
                    ((*base, "acoes", j, "endpoint"), "campo obrigatório ausente: endpoint (exigido por metodo)")
                )
    return erros


def medir(interface: dict) -> dict[str, int]:
    """telas, e campos e acoes somados nas telas."""
    return contar(interface.get("telas", []), ("campos", "acoes"), contagem="telas")


VERTENTE = Vertente(codigo="I", secao="spec_interface", schema=SCHEMA, checar=checar, medir=medir)
