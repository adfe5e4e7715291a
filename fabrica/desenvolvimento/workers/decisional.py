"""WORKER_D (docs/workers-p-d.md): ``spec_dmn`` → DMN 1.3 decision tables and tests that run them.

What it writes:

- ``<pacote>/decisional/<spec_id>.dmn``: a DMN 1.3 model valid against the OMG's XSD, with the
  requirements diagram (DRD: input data, decisions and the arrows between them, with DMNDI) and
  one table per decision, cells in S-FEEL (``< 18``, ``[18..70]``, ``"ruim"``,
  ``"recusado", "alto"``), the form Camunda and the other DMN engines run. An input of one
  decision named as another's output is a requirement between the two.
- ``<pacote>/decisional/motor.py``: evaluates the tables on SpiffWorkflow. Spiff reads cells as
  Python and only does UNIQUE (first match) and COLLECT (no aggregation) — docs/arquitetura.md,
  "Specs" —, so the bridge translates each generated S-FEEL cell (``feel.py``), asks Spiff for
  every matching rule and applies the hit policy itself with DMN 1.3's semantics.
- ``tests/test_decisional_esquema.py`` (XSD and structure), ``tests/test_decisional_regras.py``
  (each rule with inputs that make it match; and inputs no rule covers, when there are some) and
  ``tests/test_decisional_casos.py`` (one test per case of the budget).

The expectation comes from ``avaliar_decisao``/``avaliar``: PROMETHEUS's reading of the spec's
rules (structured conditions, ``fabrica.specs.condicoes``), independent of the generated XML and
of the engine.

The policies' semantics (DMN 1.3 §8.2.11), here and in the generated bridge:
UNIQUE — at most one rule matches (the spec's validation refuses overlapping rules);
ANY — all that match give the same output; FIRST — the first in the rules' order;
PRIORITY — the highest priority, by the order of the outputs' ``valores``; COLLECT — all, in the
rules' order, or the aggregation (SUM, MIN, MAX, COUNT) of the single output; RULE ORDER — all, in
the rules' order; OUTPUT ORDER — all, by priority. With no matching rule: ``None`` for the
single-hit policies, ``[]`` for the multiple-hit ones, ``{saida: None}`` for SUM/MIN/MAX and
``{saida: 0}`` for COUNT.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fabrica.desenvolvimento.base import Artefato, CasoDeTeste, Entrada, NaoTestavel, Worker
from fabrica.desenvolvimento.workers import feel
from fabrica.desenvolvimento.workers.checagem import checar_python, checar_xml
from fabrica.specs import condicoes as cond

ACERTO_UNICO = ("UNIQUE", "FIRST", "PRIORITY", "ANY")
TYPEREF = {"str": "string", "int": "number", "float": "number", "decimal": "number", "bool": "boolean", "date": "date"}
MAX_BUSCA_SEM_REGRA = 20_000


class NaoAvaliavel(Exception):
    """The rules give no result with these data; the message says why."""


# --- PROMETHEUS's reading of the tables ---------------------------------------------------------


def _casa_regra(decisao: dict[str, Any], regra: dict[str, Any], entradas: dict[str, Any]) -> bool:
    for coluna in decisao["entradas"]:
        celula = regra["quando"].get(coluna["nome"], cond.QUALQUER)
        if celula == cond.QUALQUER:
            continue
        valor = entradas.get(coluna["nome"])
        if valor is None:
            raise NaoAvaliavel(f"a decisão {decisao['id']} lê a entrada {coluna['nome']}, que não tem valor")
        try:
            if not cond.casa(celula, valor):
                return False
        except cond.Incomparavel:
            raise NaoAvaliavel(
                f"a entrada {coluna['nome']}={cond.mostrar(valor)} não se compara com a regra "
                f"{decisao['regras'].index(regra) + 1} de {decisao['id']}"
            ) from None
    return True


def _prioridade(decisao: dict[str, Any], saida: dict[str, Any]) -> tuple[Any, ...]:
    chave = []
    for coluna in decisao["saidas"]:
        valores = coluna.get("valores", [])
        valor = saida[coluna["nome"]]
        chave.append(next((i for i, v in enumerate(valores) if v == valor and type(v) is type(valor)), len(valores)))
    return tuple(chave)


def avaliar_decisao(decisao: dict[str, Any], entradas: dict[str, Any]) -> Any:
    """The result of one of the spec's tables for these inputs, with DMN's hit policy."""
    casadas = [r for r in decisao["regras"] if _casa_regra(decisao, r, entradas)]
    saidas = [dict(r["entao"]) for r in casadas]
    politica = decisao["politica"]
    if politica == "UNIQUE":
        if len(saidas) > 1:
            numeros = [decisao["regras"].index(r) + 1 for r in casadas]
            raise NaoAvaliavel(f"UNIQUE com mais de uma regra casando: {numeros}")
        return saidas[0] if saidas else None
    if politica == "FIRST":
        return saidas[0] if saidas else None
    if politica == "ANY":
        if any(s != saidas[0] for s in saidas):
            raise NaoAvaliavel("ANY com regras que casam e dão saídas diferentes")
        return saidas[0] if saidas else None
    if politica == "PRIORITY":
        return min(saidas, key=lambda s: _prioridade(decisao, s)) if saidas else None
    if politica == "OUTPUT ORDER":
        return sorted(saidas, key=lambda s: _prioridade(decisao, s))
    if politica == "RULE ORDER" or "agregacao" not in decisao:
        return saidas
    (coluna,) = decisao["saidas"]
    valores = [s[coluna["nome"]] for s in saidas]
    agregacao = decisao["agregacao"]
    if agregacao == "COUNT":
        return {coluna["nome"]: len(valores)}
    if not valores:
        return {coluna["nome"]: None}
    agregacoes: dict[str, Callable[..., Any]] = {"SUM": sum, "MIN": min, "MAX": max}
    funcao = agregacoes[agregacao]
    return {coluna["nome"]: funcao(valores)}


@dataclass
class Modelo:
    """The decisions of ``spec_dmn`` as a requirements graph (DRD)."""

    decisoes: list[dict[str, Any]]
    produtor: dict[str, str]  # output → the decision that produces it
    externas: dict[str, str]  # external input → type
    ordem: list[str]  # decisions in topological order
    requisitos: dict[str, list[str]]  # decision → the decisions it depends on

    @classmethod
    def da_spec(cls, spec_dmn: dict[str, Any]) -> Modelo:
        decisoes = spec_dmn["decisoes"]
        produtor = {s["nome"]: d["id"] for d in decisoes for s in d["saidas"]}
        externas: dict[str, str] = {}
        requisitos: dict[str, list[str]] = {}
        for d in decisoes:
            requisitos[d["id"]] = []
            for e in d["entradas"]:
                origem = produtor.get(e["nome"])
                if origem is not None and origem != d["id"]:
                    if origem not in requisitos[d["id"]]:
                        requisitos[d["id"]].append(origem)
                else:
                    externas.setdefault(e["nome"], e["tipo"])
        ordem: list[str] = []
        pendentes = [d["id"] for d in decisoes]
        while pendentes:
            prontas = [d for d in pendentes if all(r in ordem for r in requisitos[d])]
            if not prontas:  # a cycle: the spec's validation refuses it; here, the spec's order
                ordem += pendentes
                break
            ordem += prontas
            pendentes = [d for d in pendentes if d not in prontas]
        return cls(decisoes, produtor, externas, ordem, requisitos)

    def decisao(self, decisao_id: str) -> dict[str, Any]:
        return next(d for d in self.decisoes if d["id"] == decisao_id)


def avaliar(modelo: Modelo, dados: dict[str, Any]) -> dict[str, Any]:
    """Every decision, in requirements order: the output of a single-hit (or aggregated)
    decision feeds the input of the same name of those that depend on it."""
    contexto = dict(dados)
    resultados: dict[str, Any] = {}
    for decisao_id in modelo.ordem:
        decisao = modelo.decisao(decisao_id)
        for requisito in modelo.requisitos[decisao_id]:
            if resultados[requisito] is None:
                raise NaoAvaliavel(f"nenhuma regra de {requisito} casa, e {decisao_id} depende dela")
        resultado = avaliar_decisao(decisao, contexto)
        resultados[decisao_id] = resultado
        if isinstance(resultado, dict):
            for nome, valor in resultado.items():
                if modelo.produtor.get(nome) == decisao_id:
                    contexto[nome] = valor
    return resultados


# --- Inputs that exercise the rules -------------------------------------------------------------


def _candidatos_da_entrada(decisao: dict[str, Any], coluna: dict[str, Any]) -> list[Any]:
    celulas = [r["quando"].get(coluna["nome"], cond.QUALQUER) for r in decisao["regras"]]
    return cond.candidatos(celulas, coluna["tipo"])


def entradas_da_regra(decisao: dict[str, Any], indice: int) -> dict[str, Any]:
    """Inputs that rule ``indice`` matches: per column, a value satisfying the cell (among the
    representatives of each region of that column's cells)."""
    regra = decisao["regras"][indice]
    entradas = {}
    for coluna in decisao["entradas"]:
        celula = regra["quando"].get(coluna["nome"], cond.QUALQUER)
        for valor in _candidatos_da_entrada(decisao, coluna):
            try:
                if cond.casa(celula, valor):
                    entradas[coluna["nome"]] = valor
                    break
            except cond.Incomparavel:
                continue
    return entradas


def entradas_sem_regra(decisao: dict[str, Any]) -> dict[str, Any] | None:
    """Inputs no rule matches, if there are any (a pruned, bounded search)."""
    colunas = decisao["entradas"]
    candidatos = [_candidatos_da_entrada(decisao, c) for c in colunas]
    passos = 0

    def celula(regra: dict[str, Any], coluna: dict[str, Any]) -> dict[str, Any] | str:
        valor: dict[str, Any] | str = regra["quando"].get(coluna["nome"], cond.QUALQUER)
        return valor

    def buscar(i: int, vivas: list[dict[str, Any]], escolhidos: dict[str, Any]) -> dict[str, Any] | None:
        nonlocal passos
        passos += 1
        if passos > MAX_BUSCA_SEM_REGRA:
            return None
        if not vivas:
            # no rule can match any more: the remaining columns do not matter
            return {**escolhidos, **{c["nome"]: cands[0] for c, cands in zip(colunas[i:], candidatos[i:], strict=True)}}
        if i == len(colunas):
            return None
        coluna = colunas[i]
        for valor in candidatos[i]:
            try:
                restantes = [r for r in vivas if cond.casa(celula(r, coluna), valor)]
            except cond.Incomparavel:
                continue
            achado = buscar(i + 1, restantes, {**escolhidos, coluna["nome"]: valor})
            if achado is not None:
                return achado
        return None

    return buscar(0, list(decisao["regras"]), {})


# --- The DRD's layout (DMNDI) -------------------------------------------------------------------

TAMANHO_DECISAO, TAMANHO_ENTRADA = (180, 80), (125, 45)


def layout_drd(modelo: Modelo) -> tuple[dict[str, tuple[int, int, int, int]], dict[str, list[tuple[int, int]]]]:
    """Input data at the bottom, each decision one row above those it depends on; straight
    arrows from the source's top edge to the target's bottom one. One shape per grid cell."""
    nivel: dict[str, int] = {}
    for d in modelo.ordem:
        nivel[d] = 1 + max((nivel.get(r, 0) for r in modelo.requisitos[d]), default=0)
    topo = max(nivel.values(), default=1)
    linhas: dict[int, list[str]] = {}
    for d in modelo.ordem:
        linhas.setdefault(nivel[d], []).append(d)
    linhas[0] = [f"Entrada_{e}" for e in modelo.externas]
    largura = max(len(v) for v in linhas.values())
    formas: dict[str, tuple[int, int, int, int]] = {}
    for n, membros in linhas.items():
        w, h = TAMANHO_ENTRADA if n == 0 else TAMANHO_DECISAO
        deslocamento = (largura - len(membros)) * 110
        for i, elemento in enumerate(membros):
            cx, cy = 160 + deslocamento + i * 220, 100 + (topo - n) * 160
            formas[elemento] = (cx - w // 2, cy - h // 2, w, h)
    setas: dict[str, list[tuple[int, int]]] = {}
    for destino, origem, requisito in requisitos_drd(modelo):
        ox, oy, ow, _ = formas[origem]
        dx, dy, dw, dh = formas[destino]
        setas[requisito] = [(ox + ow // 2, oy), (dx + dw // 2, dy + dh)]
    return formas, setas


def requisitos_drd(modelo: Modelo) -> list[tuple[str, str, str]]:
    """(decision, required element, requirement id) in a stable order."""
    lista = []
    for d in modelo.decisoes:
        vistos = set()
        for e in d["entradas"]:
            origem = modelo.produtor.get(e["nome"])
            alvo = origem if origem is not None and origem != d["id"] else f"Entrada_{e['nome']}"
            if alvo in vistos:
                continue
            vistos.add(alvo)
            lista.append((d["id"], alvo, f"Requisito_{d['id']}_{len(vistos)}"))
    return lista


# --- The worker --------------------------------------------------------------------------------


def _py(valor: object) -> str:
    return repr(valor)


class WorkerDecisional(Worker):
    vertente = "D"
    secao = "spec_dmn"

    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]:
        spec = entrada.spec
        modelo = Modelo.da_spec(spec["spec_dmn"])
        base = f"{entrada.pacote}/decisional"
        formas, setas = layout_drd(modelo)
        requisitos: dict[str, list[dict[str, Any]]] = {}
        for decisao, alvo, rid in requisitos_drd(modelo):
            tipo = "requiredInput" if alvo.startswith("Entrada_") else "requiredDecision"
            requisitos.setdefault(decisao, []).append({"id": rid, "tipo": tipo, "alvo": alvo})
        decisoes = []
        for d in modelo.decisoes:
            tipos = {e["nome"]: e["tipo"] for e in d["entradas"]}
            decisoes.append(
                {
                    "id": d["id"],
                    "nome": d["nome"],
                    "descricao": d.get("descricao", ""),
                    "politica": d["politica"],
                    "agregacao": d.get("agregacao", ""),
                    "requisitos": requisitos.get(d["id"], []),
                    "entradas": [{"nome": e["nome"], "typeref": TYPEREF[e["tipo"]]} for e in d["entradas"]],
                    "saidas": [
                        {
                            "nome": s["nome"],
                            "typeref": TYPEREF[s["tipo"]],
                            "valores": ", ".join(feel.literal(v, s["tipo"]) for v in s.get("valores", [])),
                        }
                        for s in d["saidas"]
                    ],
                    "regras": [
                        {
                            "descricao": r.get("descricao", ""),
                            "celulas": [
                                feel.celula(r["quando"].get(e["nome"], cond.QUALQUER), tipos[e["nome"]])
                                for e in d["entradas"]
                            ],
                            "saidas": [feel.literal(r["entao"][s["nome"]], s["tipo"]) for s in d["saidas"]],
                        }
                        for r in d["regras"]
                    ],
                }
            )
        texto = entrada.gerador.gerar(
            "D",
            "decisoes.dmn.j2",
            {
                "spec_id": spec["id"],
                "titulo": spec["titulo"],
                "decisoes": decisoes,
                "externas": [
                    {"nome": n, "elemento": f"Entrada_{n}", "typeref": TYPEREF[t]} for n, t in modelo.externas.items()
                ],
                "formas": formas,
                "setas": setas,
            },
        )
        caminho = f"{base}/{spec['id']}.dmn"
        checar_xml(texto, caminho)
        artefatos = [Artefato(caminho, "D", "codigo", texto)]
        contexto = {"spec_id": spec["id"], "arquivo": f"{spec['id']}.dmn"}
        for nome in ("__init__.py", "motor.py", "feel.py"):
            conteudo = entrada.gerador.gerar("D", f"{nome}.j2", contexto)
            checar_python(conteudo, f"{base}/{nome}")
            artefatos.append(Artefato(f"{base}/{nome}", "D", "codigo", conteudo))
        return artefatos

    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]:
        spec = entrada.spec
        modelo = Modelo.da_spec(spec["spec_dmn"])
        estrutura = [
            {
                "id": d["id"],
                "politica": d["politica"],
                "agregacao": d.get("agregacao"),
                "entradas": [e["nome"] for e in d["entradas"]],
                "saidas": [s["nome"] for s in d["saidas"]],
                "regras": len(d["regras"]),
                "requer": sorted(modelo.requisitos[d["id"]]),
            }
            for d in modelo.decisoes
        ]
        regras = []
        nao_testaveis: list[NaoTestavel] = []
        for d in modelo.decisoes:
            for i in range(len(d["regras"])):
                nome = f"{d['id']}-regra_{i + 1:02d}"
                entradas = entradas_da_regra(d, i)
                try:
                    regras.append(
                        {
                            "nome": nome,
                            "decisao": d["id"],
                            "entradas": entradas,
                            "esperado": avaliar_decisao(d, entradas),
                        }
                    )
                except NaoAvaliavel as exc:
                    nao_testaveis.append(NaoTestavel(nome, str(exc)))
            sem = entradas_sem_regra(d)
            if sem is not None:
                regras.append(
                    {
                        "nome": f"{d['id']}-nenhuma_regra",
                        "decisao": d["id"],
                        "entradas": sem,
                        "esperado": avaliar_decisao(d, sem),
                    }
                )
        casos, nao = self._casos(modelo, entrada.casos)
        nao_testaveis += nao
        contexto = {
            "pacote": entrada.pacote,
            "spec_id": spec["id"],
            "estrutura": _py(estrutura),
            "regras": _py(regras),
            "casos": _py(casos),
        }
        testes = []
        for nome, ha in (
            ("test_decisional_esquema.py", True),
            ("test_decisional_regras.py", bool(regras)),
            ("test_decisional_casos.py", bool(casos)),
        ):
            if not ha:
                continue
            texto = entrada.gerador.gerar("D", f"{nome}.j2", contexto)
            checar_python(texto, f"tests/{nome}")
            testes.append(Artefato(f"tests/{nome}", "D", "teste", texto))
        return testes, nao_testaveis

    def _casos(self, modelo: Modelo, casos: list[CasoDeTeste]) -> tuple[list[dict[str, Any]], list[NaoTestavel]]:
        saida, nao = [], []
        for caso in casos:
            try:
                saida.append(self._caso(modelo, caso))
            except NaoAvaliavel as exc:
                nao.append(NaoTestavel(caso.nome, str(exc)))
        return saida, nao

    def _caso(self, modelo: Modelo, caso: CasoDeTeste) -> dict[str, Any]:
        espera = dict(caso.espera or {})
        desconhecidas = sorted(k for k in espera if k not in modelo.produtor)
        if desconhecidas:
            raise NaoAvaliavel(
                f"espera.{', espera.'.join(desconhecidas)}: nenhuma decisão produz isso "
                f"(saídas: {', '.join(modelo.produtor)})"
            )
        faltando = [e for e in modelo.externas if e not in caso.dado]
        if faltando:
            raise NaoAvaliavel(f"o caso não dá valor às entradas {', '.join(faltando)}")
        for nome, tipo in modelo.externas.items():
            valor = caso.dado[nome]
            if not _do_tipo(valor, tipo):
                raise NaoAvaliavel(f"a entrada {nome}={cond.mostrar(valor)} não é do tipo {tipo}")
        dado = {k: caso.dado[k] for k in modelo.externas}
        esperado = avaliar(modelo, dado)
        return {"nome": caso.nome, "titulo": caso.titulo, "dado": dado, "esperado": esperado, "espera": espera}


def _do_tipo(valor: object, tipo: str) -> bool:
    if isinstance(valor, bool):
        return tipo == "bool"
    if tipo == "int":
        return isinstance(valor, int)
    if tipo in ("float", "decimal"):
        return isinstance(valor, (int, float))
    if tipo == "date":
        try:
            return isinstance(valor, str) and bool(datetime.date.fromisoformat(valor))
        except ValueError:
            return False
    return isinstance(valor, str) if tipo == "str" else False
