"""WORKER_P (docs/workers-p-d.md): ``spec_bpmn`` → executable BPMN 2.0, with a diagram, and
tests that run it.

What it writes, per process of the spec:

- ``<pacote>/processual/<processo>.bpmn``: BPMN 2.0 valid against the OMG's XSD, with a diagram
  (BPMNDI, a layered layout computed here) so that Camunda Modeler / bpmn.io open it tidy, clean
  under bpmnlint's recommended rules. The spec's implicit joins and splits (a task with several
  incoming or outgoing flows, a gateway that joins and splits) become explicit gateways with the
  same semantics; pass-through gateways (one in, one out, no condition) disappear. Conditions in
  FEEL (``=valor_total > 5000``), service and script tasks as Camunda 8 *jobs*
  (``zeebe:taskDefinition`` with the task's id), user tasks with the ``responsavel`` group.
- ``<pacote>/processual/motor.py``: runs a process on SpiffWorkflow (the tests' engine),
  completing user and service tasks; ``feel.py`` translates the generated FEEL conditions into
  the Python Spiff evaluates (docs/arquitetura.md, "Specs").
- ``tests/test_processual_esquema.py`` (XSD and diagram), ``tests/test_processual_caminhos.py``
  (one test per path the gateways allow, exclusive and parallel) and
  ``tests/test_processual_casos.py`` (one test per case of the budget).

Each test's expectation comes from PROMETHEUS's walk through the spec's flow (``percorrer``),
which reads ``tarefas``/``gateways``/``fluxos`` with BPMN's semantics — not the generated XML, nor
Spiff. A process's data does not change while it runs (the spec does not say which task writes
what): a path that comes back to a gateway repeats its choice, and such a cycle does not end.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from fabrica.desenvolvimento.base import Artefato, CasoDeTeste, Entrada, NaoTestavel, Worker
from fabrica.desenvolvimento.workers import feel
from fabrica.desenvolvimento.workers.checagem import checar_python, checar_xml
from fabrica.specs import condicoes as cond

MAX_CAMINHOS = 100

# --- Walking the spec's flow -------------------------------------------------------------------


class NaoExecutavel(Exception):
    """The process does not reach its end with these data; the message says why."""


class _Escolher(Exception):
    def __init__(self, gateway: str):
        self.gateway = gateway


@dataclass
class Percurso:
    tarefas: list[str]  # tasks visited, in the walk's order (tokens in a queue)
    fins: int  # how many tokens reached an end
    escolhas: dict[str, str]  # exclusive gateway → chosen target
    variaveis: list[str]  # variables the evaluated conditions read


@dataclass
class _Fluxo:
    de: str
    para: str


class Processo:
    """The flow of one process of the spec, read with BPMN 2.0's semantics:

    - a task or start with several outgoing flows: all fire (implicit split, parallel);
    - a task or end with several incoming flows: each arriving token fires (implicit join,
      exclusive);
    - an exclusive gateway: the first true condition, in the order of ``condicoes``, else the
      ``padrao``; neither, and the process stops there;
    - a parallel gateway with several incoming flows waits for a token from each; with several
      outgoing ones, fires them all.
    """

    def __init__(self, spec_processo: dict[str, Any]):
        self.spec = spec_processo
        self.id = spec_processo["id"]
        self.inicio, self.fim = spec_processo["inicio"], spec_processo["fim"]
        self.tarefas = {t["id"]: t for t in spec_processo["tarefas"]}
        self.gateways = {g["id"]: g for g in spec_processo.get("gateways", [])}
        self.fluxos = [_Fluxo(f["de"], f["para"]) for f in spec_processo["fluxos"]]
        self.saidas: dict[str, list[int]] = defaultdict(list)
        self.entradas: dict[str, list[int]] = defaultdict(list)
        for i, f in enumerate(self.fluxos):
            self.saidas[f.de].append(i)
            self.entradas[f.para].append(i)
        self.limite = 20 * (len(self.fluxos) + len(self.tarefas) + len(self.gateways) + 2)

    def opcoes(self, gateway_id: str) -> list[tuple[str, list[tuple[dict[str, Any], bool]]]]:
        """The outgoing flows of an exclusive gateway, each with the constraints that choose it:
        condition k true and the earlier ones false; the default, all false."""
        g = self.gateways[gateway_id]
        destinos = [self.fluxos[i].para for i in self.saidas[gateway_id]]
        condicoes = g.get("condicoes", [])
        if not condicoes:
            return [(destinos[0], [])] if len(destinos) == 1 else [(g["padrao"], [])]
        opcoes = []
        for k, c in enumerate(condicoes):
            opcoes.append((c["para"], [(x["quando"], False) for x in condicoes[:k]] + [(c["quando"], True)]))
        if "padrao" in g:
            opcoes.append((g["padrao"], [(x["quando"], False) for x in condicoes]))
        return opcoes

    def escolher(self, gateway_id: str, dados: dict[str, Any], lidas: list[str]) -> str:
        g = self.gateways[gateway_id]
        destinos = [self.fluxos[i].para for i in self.saidas[gateway_id]]
        for c in g.get("condicoes", []):
            quando = c["quando"]
            variavel = quando["variavel"]
            if variavel not in dados:
                raise NaoExecutavel(f"o gateway {gateway_id} lê a variável {variavel}, que o caso não dá")
            lidas.append(variavel)
            try:
                if cond.casa(quando, dados[variavel]):
                    return str(c["para"])
            except cond.Incomparavel:
                raise NaoExecutavel(
                    f"o gateway {gateway_id} compara {variavel}={cond.mostrar(dados[variavel])} "
                    f"com {cond.mostrar(quando['valor'])}: tipos que não se comparam"
                ) from None
        if "padrao" in g:
            return str(g["padrao"])
        if len(destinos) == 1 and not g.get("condicoes"):
            return destinos[0]
        raise NaoExecutavel(f"no gateway {gateway_id} nenhuma condição vale e não há padrão: o processo para ali")

    def percorrer(self, dados: dict[str, Any] | None = None, escolhas: dict[str, str] | None = None) -> Percurso:
        """Walks the flow with ``dados`` (exclusive gateways evaluate their conditions) or with
        fixed ``escolhas`` (gateway → target; a gateway without a choice raises ``_Escolher``)."""
        fila: deque[int] = deque(self.saidas[self.inicio])
        esperando: dict[str, Counter[int]] = defaultdict(Counter)
        tarefas: list[str] = []
        feitas: dict[str, str] = {}
        lidas: list[str] = []
        fins = passos = 0
        while fila:
            passos += 1
            if passos > self.limite:
                raise NaoExecutavel("o fluxo volta aos mesmos pontos sem que os dados mudem: o processo não terminaria")
            indice = fila.popleft()
            no = self.fluxos[indice].para
            if no == self.fim:
                fins += 1
            elif no in self.tarefas:
                tarefas.append(no)
                fila.extend(self.saidas[no])
            elif self.gateways[no]["tipo"] == "exclusivo":
                if no not in feitas:
                    if escolhas is None:
                        feitas[no] = self.escolher(no, dados or {}, lidas)
                    elif no in escolhas:
                        feitas[no] = escolhas[no]
                    else:
                        raise _Escolher(no)
                destino = feitas[no]
                fila.append(next(i for i in self.saidas[no] if self.fluxos[i].para == destino))
            else:
                entradas = self.entradas[no]
                if len(entradas) <= 1:
                    fila.extend(self.saidas[no])
                    continue
                esperando[no][indice] += 1
                if all(esperando[no][i] > 0 for i in entradas):
                    for i in entradas:
                        esperando[no][i] -= 1
                    fila.extend(self.saidas[no])
        presos = [g for g, c in esperando.items() if sum(c.values())]
        if presos:
            raise NaoExecutavel(
                f"a junção paralela {presos[0]} espera um fluxo que nunca chega: o processo não terminaria"
            )
        if not fins:
            raise NaoExecutavel("nenhum token chega ao fim")
        return Percurso(tarefas, fins, feitas, list(dict.fromkeys(lidas)))

    def variaveis(self) -> dict[str, list[dict[str, Any]]]:
        todas: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for g in self.gateways.values():
            for c in g.get("condicoes", []):
                todas[c["quando"]["variavel"]].append(c["quando"])
        return todas


@dataclass
class Caminho:
    nome: str
    dados: dict[str, Any]
    percurso: Percurso


def caminhos(processo: Processo) -> tuple[list[Caminho], list[NaoTestavel]]:
    """Every path the gateways allow: each combination of choices of the exclusive gateways
    reached that some data satisfy, with the data that produce it (found by
    ``condicoes.candidatos``). Parallel gateways follow every branch in the same path."""
    por_variavel = processo.variaveis()
    achados: list[tuple[dict[str, Any], Percurso]] = []
    problemas: list[str] = []

    def dados_de(restricoes: dict[str, list[tuple[dict[str, Any], bool]]]) -> dict[str, Any] | None:
        dados = {}
        for variavel, lista in restricoes.items():
            # candidates come from every condition on the variable in the process: coherent types
            ok, valor = _satisfaz_com(por_variavel[variavel], lista)
            if not ok:
                return None
            dados[variavel] = valor
        return dados

    def explorar(escolhas: dict[str, str], restricoes: dict[str, list[tuple[dict[str, Any], bool]]]) -> None:
        if len(achados) + len(problemas) >= MAX_CAMINHOS:
            return
        try:
            percurso = processo.percorrer(escolhas=escolhas)
        except _Escolher as pedido:
            for destino, novas in processo.opcoes(pedido.gateway):
                juntas = {k: list(v) for k, v in restricoes.items()}
                for c, valor in novas:
                    juntas.setdefault(c["variavel"], []).append((c, valor))
                if dados_de(juntas) is not None:
                    explorar({**escolhas, pedido.gateway: destino}, juntas)
            return
        except NaoExecutavel as exc:
            problemas.append(f"com as escolhas {_escolhas_legiveis(escolhas)}: {exc}")
            return
        dados = dados_de(restricoes)
        assert dados is not None
        achados.append((dados, percurso))

    explorar({}, {})
    resultado = [
        Caminho(f"{processo.id}-caminho_{i:02d}", dados, percurso) for i, (dados, percurso) in enumerate(achados, 1)
    ]
    nao = [NaoTestavel(f"{processo.id}-caminho_sem_fim_{i:02d}", m) for i, m in enumerate(problemas, 1)]
    if len(achados) + len(problemas) >= MAX_CAMINHOS:
        nao.append(
            NaoTestavel(
                f"{processo.id}-caminhos", f"mais de {MAX_CAMINHOS} caminhos: testados os {MAX_CAMINHOS} primeiros"
            )
        )
    return resultado, nao


def _satisfaz_com(todas: list[dict[str, Any]], restricoes: list[tuple[dict[str, Any], bool]]) -> tuple[bool, Any]:
    for valor in cond.candidatos(todas):
        try:
            if all(cond.casa(c, valor) == esperado for c, esperado in restricoes):
                return True, valor
        except cond.Incomparavel:
            continue
    return False, None


def _escolhas_legiveis(escolhas: dict[str, str]) -> str:
    return ", ".join(f"{g} → {d}" for g, d in escolhas.items()) or "(nenhuma)"


# --- From the spec's flow to BPMN: explicit gateways --------------------------------------------

TAG_TAREFA = {"usuario": "userTask", "servico": "serviceTask", "script": "scriptTask"}


@dataclass
class NoBpmn:
    id: str
    tag: str  # startEvent endEvent userTask serviceTask scriptTask exclusiveGateway parallelGateway
    nome: str
    responsavel: str = ""
    padrao: str = ""  # id of the default flow (exclusive)
    entrada: list[str] = field(default_factory=list)  # ids of the incoming flows
    saida: list[str] = field(default_factory=list)


@dataclass
class FluxoBpmn:
    id: str
    de: str
    para: str
    condicao: str = ""  # FEEL expression
    nome: str = ""


@dataclass
class Diagrama:
    nos: dict[str, NoBpmn]
    fluxos: list[FluxoBpmn]


def _humano(identificador: str) -> str:
    texto = identificador.replace("_", " ").strip()
    return texto[:1].upper() + texto[1:] if texto else identificador


def normalizar(processo: dict[str, Any]) -> Diagrama:
    """The spec's flow as BPMN without implicit joins/splits (bpmnlint ``fake-join``,
    ``no-implicit-split``, ``no-gateway-join-fork``, ``superfluous-gateway``), same semantics."""
    nos: dict[str, NoBpmn] = {processo["inicio"]: NoBpmn(processo["inicio"], "startEvent", _humano(processo["inicio"]))}
    for t in processo["tarefas"]:
        nos[t["id"]] = NoBpmn(t["id"], TAG_TAREFA[t["tipo"]], t["nome"], t.get("responsavel", ""))
    gateways = {g["id"]: g for g in processo.get("gateways", [])}
    for g in gateways.values():
        tag = "exclusiveGateway" if g["tipo"] == "exclusivo" else "parallelGateway"
        nos[g["id"]] = NoBpmn(g["id"], tag, g.get("nome") or _humano(g["id"]))
    nos[processo["fim"]] = NoBpmn(processo["fim"], "endEvent", _humano(processo["fim"]))

    # each edge: [from, to, target in the spec]; the target in the spec decides condition and
    # default even after an inserted join comes to sit in between
    arestas: list[list[str]] = [[f["de"], f["para"], f["para"]] for f in processo["fluxos"]]

    # pass-through gateways: one in, one out, no condition
    for gid, g in gateways.items():
        entram = [a for a in arestas if a[1] == gid]
        saem = [a for a in arestas if a[0] == gid]
        if len(entram) == 1 and len(saem) == 1 and not g.get("condicoes"):
            novo = [entram[0][0], saem[0][1], saem[0][2]]
            if not any(a[:2] == novo[:2] for a in arestas) and novo[0] != novo[1]:
                arestas = [a for a in arestas if a is not entram[0] and a is not saem[0]] + [novo]
                del nos[gid]

    usados = set(nos)

    def novo_id(base: str) -> str:
        candidato, n = base, 1
        while candidato in usados:
            n += 1
            candidato = f"{base}_{n}"
        usados.add(candidato)
        return candidato

    def inserir_antes(alvo: str, tag: str) -> None:
        gid = novo_id(f"Juncao_{alvo}")
        nos[gid] = NoBpmn(gid, tag, "")
        for a in arestas:
            if a[1] == alvo:
                a[1] = gid
        arestas.append([gid, alvo, alvo])

    def inserir_depois(origem: str) -> None:
        gid = novo_id(f"Divisao_{origem}")
        nos[gid] = NoBpmn(gid, "parallelGateway", "")
        for a in arestas:
            if a[0] == origem:
                a[0] = gid
        arestas.append([origem, gid, gid])

    for nid, no in list(nos.items()):
        n_entram = sum(1 for a in arestas if a[1] == nid)
        n_saem = sum(1 for a in arestas if a[0] == nid)
        if no.tag.endswith("Gateway"):
            if n_entram > 1 and n_saem > 1:
                inserir_antes(nid, no.tag)
        else:
            if n_entram > 1:
                inserir_antes(nid, "exclusiveGateway")
            if n_saem > 1:
                inserir_depois(nid)

    def exclusivo_da_spec(nid: str) -> dict[str, Any] | None:
        g = gateways.get(nid)
        return g if g is not None and g["tipo"] == "exclusivo" and nid in nos else None

    # order of the flows: an exclusive gateway's in the order of its conditions, the default last
    # (the order in which the engine evaluates them)
    def ordem(a: list[str]) -> int:
        g = exclusivo_da_spec(a[0])
        if g is None:
            return 0
        destinos = [c["para"] for c in g.get("condicoes", [])]
        return destinos.index(a[2]) if a[2] in destinos else len(destinos)

    origem_ordem = {nid: i for i, nid in enumerate(nos)}
    arestas.sort(key=lambda a: (origem_ordem[a[0]], ordem(a)))
    fluxos: list[FluxoBpmn] = []
    for i, (de, para, destino) in enumerate(arestas, 1):
        f = FluxoBpmn(f"Fluxo_{i}", de, para)
        g = exclusivo_da_spec(de)
        if g is not None:
            for c in g.get("condicoes", []):
                if c["para"] == destino:
                    f.condicao = feel.expressao(c["quando"])
                    f.nome = feel.rotulo(c["quando"])
            if g.get("padrao") == destino and sum(1 for a in arestas if a[0] == de) > 1:
                nos[de].padrao = f.id
        fluxos.append(f)
        nos[de].saida.append(f.id)
        nos[para].entrada.append(f.id)
    return Diagrama(nos, fluxos)


# --- The diagram's layout (BPMNDI) -------------------------------------------------------------

TAMANHOS = {"startEvent": (36, 36), "endEvent": (36, 36), "exclusiveGateway": (50, 50), "parallelGateway": (50, 50)}
TAMANHO_TAREFA = (100, 80)
DX, DY, X0, Y0 = 170, 130, 180, 120


@dataclass
class Forma:
    id: str
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2


def layout(diagrama: Diagrama) -> tuple[dict[str, Forma], dict[str, list[tuple[int, int]]]]:
    """A layered layout from left to right: layer = longest path from the start (without the
    back edges), order within a layer by barycentre, orthogonal edges; back edges pass below
    everything. Shapes never overlap (one per grid cell)."""
    nos, fluxos = diagrama.nos, diagrama.fluxos
    sucessores: dict[str, list[str]] = defaultdict(list)
    for f in fluxos:
        sucessores[f.de].append(f.para)
    inicio = next(n.id for n in nos.values() if n.tag == "startEvent")
    # back edges by DFS from the start
    volta: set[tuple[str, str]] = set()
    estado: dict[str, int] = {}
    ordem_dfs: list[str] = []
    pilha: list[tuple[str, int]] = [(inicio, 0)]
    estado[inicio] = 1
    ordem_dfs.append(inicio)
    while pilha:
        nid, i = pilha.pop()
        filhos = sucessores[nid]
        if i < len(filhos):
            pilha.append((nid, i + 1))
            filho = filhos[i]
            if estado.get(filho) == 1:
                volta.add((nid, filho))
            elif filho not in estado:
                estado[filho] = 1
                ordem_dfs.append(filho)
                pilha.append((filho, 0))
        else:
            estado[nid] = 2
    for nid in nos:
        if nid not in estado:
            ordem_dfs.append(nid)
    camada = {nid: 0 for nid in nos}
    # longest path in a DAG: relax in topological order (Kahn)
    grau = Counter(f.para for f in fluxos if (f.de, f.para) not in volta)
    fila = deque(n for n in ordem_dfs if grau[n] == 0)
    while fila:
        nid = fila.popleft()
        for filho in sucessores[nid]:
            if (nid, filho) in volta:
                continue
            camada[filho] = max(camada[filho], camada[nid] + 1)
            grau[filho] -= 1
            if grau[filho] == 0:
                fila.append(filho)
    camadas: dict[int, list[str]] = defaultdict(list)
    for nid in ordem_dfs:
        camadas[camada[nid]].append(nid)
    predecessores: dict[str, list[str]] = defaultdict(list)
    for f in fluxos:
        if (f.de, f.para) not in volta:
            predecessores[f.para].append(f.de)
    for _ in range(4):
        for c in sorted(camadas)[1:]:
            pos = {n: i for i, n in enumerate(camadas[c - 1])}
            camadas[c].sort(
                key=lambda n: (
                    sum(pos[p] for p in predecessores[n] if p in pos)
                    / max(1, len([p for p in predecessores[n] if p in pos]))
                )
            )
    altura = max(len(v) for v in camadas.values())
    formas: dict[str, Forma] = {}
    for c, membros in camadas.items():
        deslocamento = (altura - len(membros)) * DY / 2
        for i, nid in enumerate(membros):
            w, h = TAMANHOS.get(nos[nid].tag, TAMANHO_TAREFA)
            cx, cy = X0 + c * DX, int(Y0 + deslocamento + i * DY)
            formas[nid] = Forma(nid, cx - w // 2, cy - h // 2, w, h)
    fundo = max(f.y + f.h for f in formas.values()) + 40
    rotas: dict[str, list[tuple[int, int]]] = {}
    for f in fluxos:
        a, b = formas[f.de], formas[f.para]
        if (f.de, f.para) in volta or b.cx <= a.cx:
            rotas[f.id] = [(a.cx, a.y + a.h), (a.cx, fundo), (b.cx, fundo), (b.cx, b.y + b.h)]
        elif a.cy == b.cy:
            rotas[f.id] = [(a.x + a.w, a.cy), (b.x, b.cy)]
        elif nos[f.de].tag.endswith("Gateway"):
            saida_y = a.y if b.cy < a.cy else a.y + a.h
            rotas[f.id] = [(a.cx, saida_y), (a.cx, b.cy), (b.x, b.cy)]
        elif nos[f.para].tag.endswith("Gateway"):
            chegada_y = b.y if a.cy < b.cy else b.y + b.h
            rotas[f.id] = [(a.x + a.w, a.cy), (b.cx, a.cy), (b.cx, chegada_y)]
        else:
            meio = (a.x + a.w + b.x) // 2
            rotas[f.id] = [(a.x + a.w, a.cy), (meio, a.cy), (meio, b.cy), (b.x, b.cy)]
    return formas, rotas


# --- The worker --------------------------------------------------------------------------------


def _py(valor: object) -> str:
    """A Python literal of JSON data (dict, list, str, numbers, bool, None)."""
    return repr(valor)


class WorkerProcessual(Worker):
    vertente = "P"
    secao = "spec_bpmn"

    def _processos(self, entrada: Entrada) -> list[dict[str, Any]]:
        processos: list[dict[str, Any]] = entrada.spec["spec_bpmn"]["processos"]
        return processos

    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]:
        pacote = entrada.pacote
        base = f"{pacote}/processual"
        artefatos = []
        for p in self._processos(entrada):
            diagrama = normalizar(p)
            formas, rotas = layout(diagrama)
            texto = entrada.gerador.gerar(
                "P",
                "processo.bpmn.j2",
                {
                    "spec_id": entrada.spec["id"],
                    "titulo": entrada.spec["titulo"],
                    "processo": {"id": p["id"], "nome": p["nome"], "descricao": p.get("descricao", "")},
                    "nos": list(diagrama.nos.values()),
                    "fluxos": diagrama.fluxos,
                    "formas": formas,
                    "rotas": rotas,
                },
            )
            checar_xml(texto, f"{base}/{p['id']}.bpmn")
            artefatos.append(Artefato(f"{base}/{p['id']}.bpmn", "P", "codigo", texto))
        contexto = {
            "processos_py": _py(tuple(p["id"] for p in self._processos(entrada))),
            "spec_id": entrada.spec["id"],
        }
        for nome in ("__init__.py", "motor.py", "feel.py"):
            artefatos.append(
                Artefato(f"{base}/{nome}", "P", "codigo", entrada.gerador.gerar("P", f"{nome}.j2", contexto))
            )
        for a in artefatos:
            if a.caminho.endswith(".py"):
                checar_python(a.conteudo, a.caminho)
        return artefatos

    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]:
        pacote = entrada.pacote
        processos = [Processo(p) for p in self._processos(entrada)]
        nao_testaveis: list[NaoTestavel] = []
        todos_caminhos = []
        estrutura = []
        for p, spec_p in zip(processos, self._processos(entrada), strict=True):
            achados, nao = caminhos(p)
            nao_testaveis += nao
            todos_caminhos += [
                {
                    "nome": c.nome,
                    "processo": p.id,
                    "escolhas": c.percurso.escolhas,
                    "dados": c.dados,
                    "tarefas": sorted(Counter(c.percurso.tarefas).items()),
                    "fins": c.percurso.fins,
                }
                for c in achados
            ]
            diagrama = normalizar(spec_p)
            estrutura.append(
                {
                    "processo": p.id,
                    "arquivo": f"{p.id}.bpmn",
                    "inicio": p.inicio,
                    "fim": p.fim,
                    "tarefas": sorted((t["id"], TAG_TAREFA[t["tipo"]]) for t in spec_p["tarefas"]),
                    "nos": sorted(diagrama.nos),
                    "fluxos": sorted(f.id for f in diagrama.fluxos),
                }
            )
        casos, nao = self._casos(processos, entrada.casos)
        nao_testaveis += nao
        contexto = {
            "pacote": pacote,
            "spec_id": entrada.spec["id"],
            "estrutura": _py(estrutura),
            "caminhos": _py(todos_caminhos),
            "casos": _py(casos),
            "ha_caminhos": bool(todos_caminhos),
            "ha_casos": bool(casos),
        }
        testes = []
        for nome in ("test_processual_esquema.py", "test_processual_caminhos.py", "test_processual_casos.py"):
            if nome == "test_processual_caminhos.py" and not todos_caminhos:
                continue
            if nome == "test_processual_casos.py" and not casos:
                continue
            texto = entrada.gerador.gerar("P", f"{nome}.j2", contexto)
            checar_python(texto, f"tests/{nome}")
            testes.append(Artefato(f"tests/{nome}", "P", "teste", texto))
        return testes, nao_testaveis

    def _casos(
        self, processos: list[Processo], casos: list[CasoDeTeste]
    ) -> tuple[list[dict[str, Any]], list[NaoTestavel]]:
        saida, nao = [], []
        for caso in casos:
            try:
                saida.append(self._caso(processos, caso))
            except NaoExecutavel as exc:
                nao.append(NaoTestavel(caso.nome, str(exc)))
        return saida, nao

    def _caso(self, processos: list[Processo], caso: CasoDeTeste) -> dict[str, Any]:
        espera = dict(caso.espera or {})
        desconhecidas = sorted(set(espera) - {"passa_por", "nao_passa_por", "termina_em"})
        if desconhecidas:
            raise NaoExecutavel(
                f"espera.{', espera.'.join(desconhecidas)}: um processo BPMN não produz isso "
                "(a vertente P confere espera.passa_por, espera.nao_passa_por e espera.termina_em)"
            )
        passa = espera.get("passa_por", [])
        nao_passa = espera.get("nao_passa_por", [])
        if not isinstance(passa, list) or not isinstance(nao_passa, list):
            raise NaoExecutavel("passa_por e nao_passa_por devem ser listas de ids de tarefa")
        citados = set(passa) | set(nao_passa)
        termina = espera.get("termina_em")
        alvo = [p for p in processos if citados & set(p.tarefas) or termina == p.fim] or processos
        for p in alvo:
            fora = sorted(citados - set(p.tarefas))
            if fora:
                raise NaoExecutavel(f"o processo {p.id} não tem as tarefas {', '.join(fora)}")
            if termina is not None and termina != p.fim:
                raise NaoExecutavel(f"termina_em {termina} não é o fim do processo {p.id} ({p.fim})")
        execucoes = []
        for p in alvo:
            percurso = p.percorrer(dados=caso.dado)
            execucoes.append(
                {"processo": p.id, "tarefas": sorted(Counter(percurso.tarefas).items()), "fins": percurso.fins}
            )
        return {
            "nome": caso.nome,
            "titulo": caso.titulo,
            "origem": caso.origem,
            "dado": caso.dado,
            "execucoes": execucoes,
            "passa_por": passa,
            "nao_passa_por": nao_passa,
            "termina_em": termina,
        }
