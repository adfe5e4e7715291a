"""WORKER_D (docs/workers-p-d.md): ``spec_dmn`` → tabelas de decisão DMN 1.3 e testes que as rodam.

O que sai:

- ``<pacote>/decisional/<spec_id>.dmn``: um modelo DMN 1.3 válido contra o XSD da OMG, com o
  diagrama de requisitos (DRD: dados de entrada, decisões e as setas entre elas, com DMNDI) e
  uma tabela por decisão, células em S-FEEL (``< 18``, ``[18..70]``, ``"ruim"``,
  ``"recusado", "alto"``), a forma que o Camunda e os outros motores DMN rodam. Uma entrada de
  uma decisão com o nome de uma saída de outra é um requisito entre as duas.
- ``<pacote>/decisional/motor.py``: avalia as tabelas no SpiffWorkflow. O Spiff lê células como
  Python e só faz UNIQUE (primeira que casa) e COLLECT (sem agregação) — docs/arquitetura.md,
  "Specs" —, então a
  ponte traduz cada célula S-FEEL gerada (``feel.py``), pede ao Spiff todas as regras que casam
  e aplica ela mesma a política de acerto com a semântica do DMN 1.3.
- ``tests/test_decisional_esquema.py`` (XSD e estrutura), ``tests/test_decisional_regras.py``
  (cada regra com entradas que a fazem casar; e entradas que nenhuma regra cobre, quando
  existem) e ``tests/test_decisional_casos.py`` (um teste por caso do orçamento).

O esperado vem de ``avaliar_decisao``/``avaliar``: a leitura do PROMETHEUS das regras da spec
(condições estruturadas, ``fabrica.specs.condicoes``), independente do XML gerado e do motor.

Semântica das políticas (DMN 1.3 §8.2.11), aqui e na ponte gerada:
UNIQUE — no máximo uma regra casa (a validação da spec recusa regras que se sobrepõem);
ANY — todas as que casam dão a mesma saída; FIRST — a primeira na ordem das regras;
PRIORITY — a de maior prioridade, pela ordem de ``valores`` das saídas; COLLECT — todas, na
ordem das regras, ou a agregação (SUM, MIN, MAX, COUNT) da única saída; RULE ORDER — todas, na
ordem das regras; OUTPUT ORDER — todas, por prioridade. Sem regra que case: ``None`` nas de
acerto único, ``[]`` nas de vários, ``{saida: None}`` em SUM/MIN/MAX e ``{saida: 0}`` em COUNT.
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
    """As regras não dão um resultado com estes dados; a mensagem diz por quê."""


# --- A leitura do PROMETHEUS das tabelas --------------------------------------------------------


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
    """O resultado de uma tabela da spec para estas entradas, com a política de acerto do DMN."""
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
    """As decisões de ``spec_dmn`` como um grafo de requisitos (DRD)."""

    decisoes: list[dict[str, Any]]
    produtor: dict[str, str]  # saída → decisão que a produz
    externas: dict[str, str]  # entrada externa → tipo
    ordem: list[str]  # decisões em ordem topológica
    requisitos: dict[str, list[str]]  # decisão → decisões de que depende

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
            if not prontas:  # ciclo: a validação da spec recusa; aqui, ordem da spec
                ordem += pendentes
                break
            ordem += prontas
            pendentes = [d for d in pendentes if d not in prontas]
        return cls(decisoes, produtor, externas, ordem, requisitos)

    def decisao(self, decisao_id: str) -> dict[str, Any]:
        return next(d for d in self.decisoes if d["id"] == decisao_id)


def avaliar(modelo: Modelo, dados: dict[str, Any]) -> dict[str, Any]:
    """Todas as decisões, em ordem de requisitos: a saída de uma decisão de acerto único (ou
    agregada) alimenta a entrada de mesmo nome das que dependem dela."""
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


# --- Entradas que exercitam as regras ----------------------------------------------------------


def _candidatos_da_entrada(decisao: dict[str, Any], coluna: dict[str, Any]) -> list[Any]:
    celulas = [r["quando"].get(coluna["nome"], cond.QUALQUER) for r in decisao["regras"]]
    return cond.candidatos(celulas, coluna["tipo"])


def entradas_da_regra(decisao: dict[str, Any], indice: int) -> dict[str, Any]:
    """Entradas com que a regra ``indice`` casa: por coluna, um valor que satisfaz a célula
    (entre os representantes de cada região das células daquela coluna)."""
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
    """Entradas com que nenhuma regra casa, se existirem (busca com poda, limitada)."""
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
            # nenhuma regra pode mais casar: o resto das colunas tanto faz
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


# --- Layout do DRD (DMNDI) ---------------------------------------------------------------------

TAMANHO_DECISAO, TAMANHO_ENTRADA = (180, 80), (125, 45)


def layout_drd(modelo: Modelo) -> tuple[dict[str, tuple[int, int, int, int]], dict[str, list[tuple[int, int]]]]:
    """Dados de entrada embaixo, cada decisão uma linha acima das de que depende; setas retas da
    borda de cima da origem à de baixo do destino. Uma forma por célula da grade."""
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
    """(decisão, elemento requerido, id do requisito) em ordem estável."""
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


# --- O worker ----------------------------------------------------------------------------------


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
                f"espera traz {', '.join(desconhecidas)}, que nenhuma decisão produz "
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
