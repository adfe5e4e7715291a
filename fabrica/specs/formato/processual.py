"""Vertente P (processual): BPMN processes — ``spec_bpmn``.

The format, the rules the schema does not express (one id space per process, flows joining known
ids, coherent gateways, everything reachable from the start) and what it counts for size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from fabrica.specs.formato.comum import (
    DESCRICAO,
    TEXTO,
    Caminho,
    Erros,
    Vertente,
    checar_entre,
    condicao,
    contar,
    duplicados,
    lista,
    objeto,
    ref,
)

_PROCESSO = objeto(
    {
        "id": ref("id"),
        "nome": TEXTO,
        "descricao": DESCRICAO,
        "inicio": ref("id"),
        "fim": ref("id"),
        "tarefas": lista(
            objeto(
                {
                    "id": ref("id"),
                    "nome": TEXTO,
                    "tipo": {"enum": ["usuario", "servico", "script"]},
                    "responsavel": TEXTO,
                    "descricao": DESCRICAO,
                },
                ("id", "nome", "tipo"),
            ),
            1,
        ),
        "gateways": lista(
            objeto(
                {
                    "id": ref("id"),
                    "nome": TEXTO,
                    "tipo": {"enum": ["exclusivo", "paralelo"]},
                    "condicoes": lista(objeto({"para": ref("id"), "quando": ref("condicao_bpmn")}, ("para", "quando"))),
                    "padrao": ref("id"),
                },
                ("id", "tipo"),
            )
        ),
        "fluxos": lista(objeto({"de": ref("id"), "para": ref("id")}, ("de", "para")), 1),
    },
    ("id", "nome", "inicio", "fim", "tarefas", "fluxos"),
)

SCHEMA = objeto({"processos": lista(_PROCESSO, 1)}, ("processos",))
DEFS = {"condicao_bpmn": condicao({"variavel": ref("nome")}, ("variavel",))}


def checar(bpmn: dict, limpas: Mapping[str, Any]) -> Erros:
    processos = bpmn["processos"]
    erros = duplicados(processos, "id", ("spec_bpmn", "processos"), gettext("id de processo"))
    for i, p in enumerate(processos):
        base = ("spec_bpmn", "processos", i)
        tarefas, gateways, fluxos = p["tarefas"], p.get("gateways", []), p["fluxos"]
        # inicio, fim, tarefas and gateways share one id space: flows point at any of them.
        nos = {p["inicio"]}
        if p["fim"] in nos:
            erros.append(((*base, "fim"), gettext("o fim deve ter id diferente do início")))
        nos.add(p["fim"])
        for nome_lista, itens in (("tarefas", tarefas), ("gateways", gateways)):
            for j, no in enumerate(itens):
                if no["id"] in nos:
                    erros.append(((*base, nome_lista, j, "id"), f"id duplicado no processo: {no['id']}"))
                nos.add(no["id"])
        conhecidos = ", ".join(sorted(nos))
        saidas: dict[str, list[str]] = defaultdict(list)
        pares: set = set()
        for k, fluxo in enumerate(fluxos):
            fb = (*base, "fluxos", k)
            erros += [
                ((*fb, ponta), f"id desconhecido: {fluxo[ponta]}; ids do processo: {conhecidos}")
                for ponta in ("de", "para")
                if fluxo[ponta] not in nos
            ]
            if fluxo["para"] == p["inicio"]:
                erros.append(((*fb, "para"), gettext("o início não recebe fluxos")))
            if fluxo["de"] == p["fim"]:
                erros.append(((*fb, "de"), gettext("o fim não tem fluxos de saída")))
            if (fluxo["de"], fluxo["para"]) in pares:
                erros.append((fb, "fluxo duplicado"))
            pares.add((fluxo["de"], fluxo["para"]))
            saidas[fluxo["de"]].append(fluxo["para"])
        for j, gateway in enumerate(gateways):
            erros += _checar_gateway(gateway, saidas[gateway["id"]], (*base, "gateways", j))
        if any(f["de"] not in nos or f["para"] not in nos for f in fluxos):
            continue  # with a broken flow, "unreachable" would echo the same error
        alcancados = _alcancaveis(p["inicio"], saidas)
        for nome_lista, itens in (("tarefas", tarefas), ("gateways", gateways)):
            for j, no in enumerate(itens):
                if no["id"] not in alcancados:
                    erros.append(
                        (
                            (*base, nome_lista, j, "id"),
                            gettext("%(id)s não é alcançável a partir do início") % {"id": no["id"]},
                        )
                    )
                elif not saidas.get(no["id"]):
                    erros.append(
                        (
                            (*base, nome_lista, j, "id"),
                            gettext("%(id)s não tem fluxo de saída: a instância pararia ali") % {"id": no["id"]},
                        )
                    )
        if p["fim"] not in alcancados:
            erros.append(((*base, "fim"), gettext("o fim não é alcançável a partir do início")))
    return erros


def _checar_gateway(gateway: dict, destinos: list[str], base: Caminho) -> Erros:
    condicoes = gateway.get("condicoes", [])
    if gateway["tipo"] == "paralelo":
        # A parallel gateway follows every outgoing flow: a condition or default there would be silently ignored.
        return ([((*base, "condicoes"), gettext("gateway paralelo não tem condições"))] if condicoes else []) + (
            [((*base, "padrao"), gettext("gateway paralelo não tem fluxo padrão"))] if "padrao" in gateway else []
        )
    erros: Erros = []
    condicionados: set = set()
    for k, cond in enumerate(condicoes):
        cb = (*base, "condicoes", k)
        if cond["para"] not in destinos:
            erros.append(
                (
                    (*cb, "para"),
                    gettext("não há fluxo de %(id)s para %(para)s") % {"id": gateway["id"], "para": cond["para"]},
                )
            )
        elif cond["para"] in condicionados:
            erros.append(((*cb, "para"), gettext("já há condição para %(para)s") % {"para": cond["para"]}))
        condicionados.add(cond["para"])
        erros += checar_entre(cond["quando"], (*cb, "quando"))
    padrao = gateway.get("padrao")
    if padrao is not None and padrao not in destinos:
        erros.append(
            (
                (*base, "padrao"),
                gettext("não há fluxo de %(id)s para %(padrao)s") % {"id": gateway["id"], "padrao": padrao},
            )
        )
    if len(destinos) > 1:
        # An exclusive gateway with an outgoing flow that has no condition and is not the default may stall the instance.
        erros += [
            ((*base, "condicoes"), gettext("o fluxo para %(d)s não tem condição nem é o padrao") % {"d": d})
            for d in dict.fromkeys(destinos)
            if d not in condicionados and d != padrao
        ]
    return erros


def _alcancaveis(inicio: str, saidas: dict[str, list[str]]) -> set[str]:
    vistos, fila = {inicio}, [inicio]
    while fila:
        for proximo in saidas.get(fila.pop(), []):
            if proximo not in vistos:
                vistos.add(proximo)
                fila.append(proximo)
    return vistos


def medir(bpmn: dict) -> dict[str, int]:
    """tarefas, gateways and fluxos summed over the processes."""
    return contar(bpmn.get("processos", []), ("tarefas", "gateways", "fluxos"))


VERTENTE = Vertente(codigo="P", secao="spec_bpmn", schema=SCHEMA, checar=checar, medir=medir, defs=DEFS)
