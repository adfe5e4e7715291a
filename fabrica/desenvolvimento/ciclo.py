"""The development loop (docs/desenvolvimento.md, "The loop"), per vertente: generate, check, test
in the sandbox, then
up to three correction attempts, each recorded (what failed, what the corrector tried, the diff).

``desenvolver`` never raises for what a worker or its generated code does: a vertente without a
worker, a generator error, code that does not parse, tests that fail or hang all become results
(``passou`` false) that the release shows. Only the sandbox itself failing (``ErroSandbox``)
escapes, an infrastructure problem worth a retry. Slow and without a database: the caller
records the outcome afterwards. Pure Python: no Django.
"""

from __future__ import annotations

import difflib
import fnmatch
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabrica.desenvolvimento import pacote as raiz_da_release
from fabrica.desenvolvimento import sandbox
from fabrica.desenvolvimento.base import (
    NOME_DA_VERTENTE,
    Artefato,
    CasoDeTeste,
    Entrada,
    Gerador,
    NaoTestavel,
    Worker,
    worker_de,
)
from fabrica.desenvolvimento.corretor import Correcao, Corretor, PedidoCorrecao, resumo_das_falhas
from fabrica.desenvolvimento.pacote import importados
from fabrica.desenvolvimento.sandbox import ResultadoTeste, todos_passaram
from fabrica.desenvolvimento.verificacao import problemas

log = logging.getLogger(__name__)

MAX_TENTATIVAS = 3
DIFF_MAX = 60_000  # characters of a diff kept on the release

# (vertente, estado, tentativa, mensagem): gerando | testando | corrigindo | concluida
Progresso = Callable[[str, str, int, str], None]


@dataclass
class ResultadoVertente:
    vertente: str
    worker: str = ""
    artefatos: list[Artefato] = field(default_factory=list)
    testes: list[ResultadoTeste] = field(default_factory=list)
    cobertura: dict[str, Any] | None = None
    tentativas: list[dict[str, Any]] = field(default_factory=list)
    recursos: dict[str, Any] = field(default_factory=dict)
    pendencias: list[str] = field(default_factory=list)
    nao_testaveis: list[NaoTestavel] = field(default_factory=list)
    dependencias: list[str] = field(default_factory=list)
    erro: str = ""
    # The generator (a model) whose proposed implementation of ``pendencias`` was applied; "" = none.
    implementada_por: str = ""
    # What a generator that fills in the scaffold (a model, docs/modelo.md) proposed, before any test.
    geracao: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passou(self) -> bool:
        return not self.erro and todos_passaram(self.testes)

    def como_dict(self) -> dict[str, Any]:
        """JSON for the database: what another node's assembly reads back (``de_dict``)."""
        return {
            "vertente": self.vertente,
            "worker": self.worker,
            "artefatos": [a.como_dict() for a in self.artefatos],
            "testes": [t.como_dict() for t in self.testes],
            "cobertura": self.cobertura,
            "tentativas": self.tentativas,
            "recursos": self.recursos,
            "pendencias": self.pendencias,
            "nao_testaveis": [{"caso": n.caso, "motivo": n.motivo} for n in self.nao_testaveis],
            "dependencias": self.dependencias,
            "erro": self.erro,
            "implementada_por": self.implementada_por,
            "geracao": self.geracao,
        }

    @classmethod
    def de_dict(cls, dados: dict[str, Any]) -> ResultadoVertente:
        return cls(
            vertente=dados["vertente"],
            worker=dados.get("worker", ""),
            artefatos=[
                Artefato(caminho=a["caminho"], vertente=a["vertente"], papel=a["papel"], conteudo=a["conteudo"])
                for a in dados.get("artefatos", [])
            ],
            testes=[ResultadoTeste(**t) for t in dados.get("testes", [])],
            cobertura=dados.get("cobertura"),
            tentativas=list(dados.get("tentativas", [])),
            recursos=dict(dados.get("recursos", {})),
            pendencias=list(dados.get("pendencias", [])),
            nao_testaveis=[NaoTestavel(caso=n["caso"], motivo=n["motivo"]) for n in dados.get("nao_testaveis", [])],
            dependencias=list(dados.get("dependencias", [])),
            erro=dados.get("erro", ""),
            implementada_por=dados.get("implementada_por", ""),
            geracao=list(dados.get("geracao", [])),
        )


def vertente_falhou(vertente: str, motivo: str) -> ResultadoVertente:
    """A vertente that could not be built at all (its item ran out of attempts): a failing
    result that says why, so the release still tells the whole truth."""
    return ResultadoVertente(
        vertente=vertente,
        erro=motivo,
        testes=[_falha("(construção)", motivo)],
        recursos={"gerar_s": 0.0, "testar_s": 0.0, "corrigir_s": 0.0, "execucoes": []},
    )


@dataclass
class ResultadoConstrucao:
    vertentes: dict[str, ResultadoVertente]
    raiz: list[Artefato]
    duracao_s: float
    tokens: int = 0
    dependencias: list[str] = field(default_factory=list)
    gerador: str = ""  # the generator's and the corrector's names ("templates", "modelo:<name>")
    corretor: str = ""

    @property
    def passou(self) -> bool:
        return bool(self.vertentes) and all(r.passou for r in self.vertentes.values())

    @property
    def cobertura_total(self) -> float:
        """coverage.py's percentage over every vertente: covered lines and branches over all."""
        cobertos = total = 0
        for r in self.vertentes.values():
            if r.cobertura:
                cobertos += r.cobertura["linhas"] + r.cobertura["ramos"]
                total += r.cobertura["linhas_total"] + r.cobertura["ramos_total"]
        return round(100.0 * cobertos / total, 2) if total else 0.0


@dataclass
class Opcoes:
    pacote: str
    gerador: Gerador
    corretor: Corretor
    limites: sandbox.Limites = field(default_factory=sandbox.Limites)
    versao: str = "v1"
    python: str | None = None
    isolamento: str = "auto"
    uid_base: int = sandbox.UID_BASE
    esconder: list[str] = field(default_factory=list)  # directories the generated code must not see
    max_tentativas: int = MAX_TENTATIVAS
    # Directory of the spec repository's template overrides (``_catalogo/templates``), if any.
    sobreposicoes: Path | None = None
    # Why this build was asked for, when a person or system said (a rejection, GENESIS's erro and
    # stack trace, the regression case): the corrector reads it.
    motivo: str = ""


def _sem_progresso(vertente: str, estado: str, tentativa: int, mensagem: str) -> None:
    return None


def desenvolver(
    *,
    spec: dict[str, Any],
    casos: list[CasoDeTeste],
    opcoes: Opcoes,
    progresso: Progresso | None = None,
) -> ResultadoConstrucao:
    """Builds every vertente of the spec, one after the other in the spec's order (one process;
    the factory spreads them as internal items instead: ``desenvolver_vertente`` then
    ``montar``); see the module's docstring."""
    inicio = time.monotonic()
    resultados = {
        vertente: desenvolver_vertente(vertente=vertente, spec=spec, casos=casos, opcoes=opcoes, progresso=progresso)
        for vertente in spec.get("vertentes", [])
    }
    return montar(
        spec=spec,
        opcoes=opcoes,
        resultados=resultados,
        duracao_s=time.monotonic() - inicio,
        tokens=int(getattr(opcoes.gerador, "tokens", 0) or 0),
    )


def desenvolver_vertente(
    *,
    vertente: str,
    spec: dict[str, Any],
    casos: list[CasoDeTeste],
    opcoes: Opcoes,
    progresso: Progresso | None = None,
) -> ResultadoVertente:
    """One vertente through the loop (generate, check, test, correct): what one internal item
    builds, on whichever node took it. Never raises for what the generated code does."""
    progresso = progresso or _sem_progresso
    resultado = _vertente(vertente, spec, casos, opcoes, progresso)
    progresso(vertente, "concluida", len(resultado.tentativas), "passou" if resultado.passou else "falhou")
    return resultado


def montar(
    *,
    spec: dict[str, Any],
    opcoes: Opcoes,
    resultados: dict[str, ResultadoVertente],
    duracao_s: float,
    tokens: int = 0,
) -> ResultadoConstrucao:
    """The build of the whole spec from its vertentes' results (in the spec's order)."""
    dependencias = [d for r in resultados.values() for d in r.dependencias]
    return ResultadoConstrucao(
        vertentes=resultados,
        raiz=_raiz(spec, opcoes, dependencias),
        duracao_s=round(duracao_s, 4),
        tokens=tokens,
        dependencias=dependencias,
        gerador=opcoes.gerador.nome,
        corretor=opcoes.corretor.nome,
    )


def _raiz(spec: dict[str, Any], opcoes: Opcoes, dependencias: list[str]) -> list[Artefato]:
    return raiz_da_release.arquivos_da_raiz(
        spec=spec,
        pacote=opcoes.pacote,
        versao=opcoes.versao,
        dependencias=dependencias,
        tempo_por_teste_s=opcoes.limites.tempo_por_teste_s,
    )


def _falha(
    nome: str, mensagem: str, status: str = "erro", arquivo: str = "", caso: str | None = None
) -> ResultadoTeste:
    return ResultadoTeste(nome=nome, arquivo=arquivo, status=status, mensagem=mensagem, caso=caso)


def _fora_do_lugar(artefatos: list[Artefato], pacote: str, nome: str) -> list[ResultadoTeste]:
    """Each vertente writes only in its own places (base.py's conventions), so none overwrites another."""
    falhas = []
    for a in artefatos:
        if a.papel == "teste":
            certo = fnmatch.fnmatchcase(a.caminho, f"tests/test_{nome}_*.py") and a.caminho.count("/") == 1
            esperado = f"tests/test_{nome}_*.py"
        else:
            certo = a.caminho.startswith(f"{pacote}/{nome}/")
            esperado = f"{pacote}/{nome}/…"
        if not certo:
            falhas.append(
                _falha(f"(verificação) {a.caminho}", f"Artefato fora do lugar: esperado {esperado}.", arquivo=a.caminho)
            )
    return falhas


def _vertente(
    vertente: str, spec: dict[str, Any], casos: list[CasoDeTeste], opcoes: Opcoes, progresso: Progresso
) -> ResultadoVertente:
    progresso(vertente, "gerando", 0, "")
    try:
        worker = worker_de(vertente)
    except LookupError as exc:
        return ResultadoVertente(
            vertente=vertente,
            erro=str(exc),
            testes=[_falha("(sem worker)", f"{exc} Nada foi gerado nem testado para esta vertente.")],
            recursos={"gerar_s": 0.0, "testar_s": 0.0, "corrigir_s": 0.0, "execucoes": []},
        )
    return _Vertente(vertente, worker, spec, casos, opcoes, progresso).desenvolver()


class _Vertente:
    """One vertente through the loop of docs/desenvolvimento.md: generate, test, and while a test
    fails,
    correct and test again, at most ``opcoes.max_tentativas`` times."""

    def __init__(
        self,
        vertente: str,
        worker: Worker,
        spec: dict[str, Any],
        casos: list[CasoDeTeste],
        opcoes: Opcoes,
        progresso: Progresso,
    ) -> None:
        self.vertente, self.worker, self.spec, self.casos = vertente, worker, spec, casos
        self.opcoes, self.progresso = opcoes, progresso
        self.nome = NOME_DA_VERTENTE.get(vertente, vertente)
        self.resultado = ResultadoVertente(
            vertente=vertente, worker=type(worker).__name__, dependencias=list(worker.dependencias)
        )
        self.artefatos: list[Artefato] = []
        self.falhas_de_geracao: list[ResultadoTeste] = []  # why there is nothing to test, if so
        self.historico: list[str] = []  # the repairs the corrector applied, in order
        self.tempos = {"gerar_s": 0.0, "testar_s": 0.0, "corrigir_s": 0.0}
        self.execucoes: list[dict[str, Any]] = []  # one per sandbox run

    def desenvolver(self) -> ResultadoVertente:
        self.gerar()
        self.completar()
        self.testar(tentativa=0)
        for tentativa in range(1, self.opcoes.max_tentativas + 1):
            if todos_passaram(self.resultado.testes) and not (tentativa == 1 and self._motivo_a_corrigir()):
                break
            self.corrigir(tentativa)
        return self.concluir()

    def _motivo_a_corrigir(self) -> bool:
        """A fix someone asked for (a PO's rejection, GENESIS's erro) is worth one attempt even when
        every test passes — when the corrector reads reasons (a model: docs/modelo.md). The
        deterministic corrector has nothing to do with a reason, so green stays green without it."""
        le_motivo = getattr(self.opcoes.corretor, "le_motivo", None)
        return bool(self.opcoes.motivo) and callable(le_motivo) and bool(le_motivo(self.vertente))

    def gerar(self) -> None:
        """The worker's artefacts; a worker's or template's failure is a result, not a crash."""
        inicio = time.monotonic()
        try:
            self.artefatos = self._gerar_com(self.opcoes.gerador)
        except Exception as exc:  # noqa: BLE001 - see the docstring
            log.info("Geração da vertente %s falhou: %s", self.vertente, exc)
            self.falhas_de_geracao = [_falha("(geração)", f"A geração falhou: {type(exc).__name__}: {exc}")]
        self.tempos["gerar_s"] += time.monotonic() - inicio

    def completar(self) -> None:
        """A generator that fills in what templates cannot (``completar``: a model, docs/modelo.md)
        gets the scaffold and the parts given only in natural language; its edits replace the
        scaffold only when they applied and passed the checks. Recorded either way."""
        completar = getattr(self.opcoes.gerador, "completar", None)
        if completar is None or not self.artefatos or not self.resultado.pendencias:
            return
        inicio = time.monotonic()
        try:
            correcao = completar(self._pedido(0, []))
        except Exception as exc:  # noqa: BLE001 - a broken generator is recorded, the loop goes on
            correcao = Correcao(self.artefatos, f"O gerador falhou: {type(exc).__name__}: {exc}")
        self.tempos["gerar_s"] += time.monotonic() - inicio
        if correcao is None:
            return
        diff = _diff(self.artefatos, correcao.artefatos)
        self.resultado.geracao.append(
            {
                "vertente": self.vertente,
                "gerador": self.opcoes.gerador.nome,
                "tentou": correcao.descricao,
                "diff": diff,
                "alterou": bool(diff),
                "modelo": correcao.chamada,
            }
        )
        if diff:
            self.artefatos = correcao.artefatos
            self.resultado.implementada_por = self.opcoes.gerador.nome

    def testar(self, tentativa: int) -> None:
        """Checks the artefacts, then runs their tests in the sandbox: ``resultado.testes`` and
        ``resultado.cobertura`` say how this attempt went."""
        self.resultado.testes, self.resultado.cobertura = self._recusas(), None
        if self.resultado.testes:
            return
        self.progresso(self.vertente, "testando", tentativa, "")
        inicio = time.monotonic()
        opcoes = self.opcoes
        arquivos = {a.caminho: a.conteudo for a in _raiz(self.spec, opcoes, self.resultado.dependencias)}
        arquivos.update({a.caminho: a.conteudo for a in self.artefatos})
        execucao = sandbox.executar(
            arquivos,
            testes=sorted(a.caminho for a in self.artefatos if a.papel == "teste"),
            cobertura_de=[f"{opcoes.pacote}/{self.nome}"],
            limites=opcoes.limites,
            python=opcoes.python,
            isolamento=opcoes.isolamento,
            uid_base=opcoes.uid_base,
            esconder=opcoes.esconder,
        )
        self.tempos["testar_s"] += time.monotonic() - inicio
        self.execucoes.append({"tentativa": tentativa, **execucao.recursos, "isolamento": execucao.isolamento})
        testes = list(execucao.testes)
        nomes = {c.nome for c in self.casos}
        for teste in testes:  # a bracketed id that names no case (a screen, an endpoint) is not one
            if teste.caso not in nomes:
                teste.caso = None
        if execucao.erro:
            saida = "\n\n" + execucao.saida[-3000:] if execucao.saida else ""
            testes.append(_falha("(execução)", execucao.erro + saida))
        testes += _ausentes(testes, self.casos, self.resultado.nao_testaveis)
        self.resultado.testes, self.resultado.cobertura = testes, execucao.cobertura

    def corrigir(self, tentativa: int) -> None:
        """Asks the corrector for changed artefacts and tests them if anything changed; the
        attempt is recorded either way (what failed, what was tried, the diff, the outcome)."""
        self.progresso(self.vertente, "corrigindo", tentativa, "")
        falhas = [t for t in self.resultado.testes if not t.passou]
        inicio = time.monotonic()
        chamada = None
        try:
            correcao = self.opcoes.corretor.corrigir(self._pedido(tentativa, falhas))
            novos, descricao, reparo, chamada = (
                correcao.artefatos,
                correcao.descricao,
                correcao.reparo,
                correcao.chamada,
            )
        except Exception as exc:  # noqa: BLE001 - a broken corrector is recorded, the loop goes on
            novos, descricao, reparo = self.artefatos, f"O corretor falhou: {type(exc).__name__}: {exc}", ""
        self.tempos["corrigir_s"] += time.monotonic() - inicio
        if reparo:
            self.historico.append(reparo)
        diff = _diff(self.artefatos, novos)
        registro: dict[str, Any] = {
            "n": tentativa,
            "vertente": self.vertente,
            "corretor": self.opcoes.corretor.nome,
            "tentou": descricao,
            "reparo": reparo,
            "falhas": [{"nome": f.nome, "status": f.status, "mensagem": f.mensagem[:1000]} for f in falhas],
            "resumo_falhas": resumo_das_falhas(falhas),
            # No failing test to summarise: the attempt was driven by the reason given (rejection,
            # validation, GENESIS error), which the page says instead of "no failure described".
            "por_motivo": not falhas and bool(self.opcoes.motivo),
            "diff": diff,
            "alterou": bool(diff),
        }
        if chamada is not None:
            registro["modelo"] = chamada
        if diff:
            self.artefatos, self.falhas_de_geracao = novos, []
            self.testar(tentativa)
        registro["depois"] = _contagem(self.resultado.testes)
        self.resultado.tentativas.append(registro)

    def _pedido(self, tentativa: int, falhas: list[ResultadoTeste]) -> PedidoCorrecao:
        return PedidoCorrecao(
            vertente=self.vertente,
            nome=self.nome,
            pacote=self.opcoes.pacote,
            tentativa=tentativa,
            artefatos=self.artefatos,
            falhas=falhas,
            historico=list(self.historico),
            repositorio_sobrepoe=_sobrepoe(self.opcoes.sobreposicoes, self.vertente),
            regenerar=self._gerar_com,
            spec=self.spec,
            pendencias=list(self.resultado.pendencias),
            motivo=self.opcoes.motivo,
        )

    def concluir(self) -> ResultadoVertente:
        resultado = self.resultado
        resultado.artefatos = self.artefatos
        importa = importados(self.artefatos, self.opcoes.pacote)
        resultado.dependencias = list(dict.fromkeys([*self.worker.dependencias, *importa]))
        resultado.recursos = {k: round(v, 4) for k, v in self.tempos.items()} | {"execucoes": self.execucoes}
        resultado.recursos["total_s"] = round(sum(self.tempos.values()), 4)
        return resultado

    def _gerar_com(self, gerador: Gerador) -> list[Artefato]:
        """The artefacts with this generator (the corrector regenerates with another one)."""
        entrada = Entrada(spec=self.spec, casos=self.casos, pacote=self.opcoes.pacote, gerador=gerador)
        producao = self.worker.produzir(entrada)
        self.resultado.nao_testaveis, self.resultado.pendencias = (
            list(producao.nao_testaveis),
            list(producao.pendencias),
        )
        return [*producao.codigo, *producao.testes]

    def _recusas(self) -> list[ResultadoTeste]:
        """Why the artefacts cannot run: none generated, out of their place, or not valid code."""
        if not self.artefatos:
            return self.falhas_de_geracao or [_falha("(geração)", "O worker não gerou artefatos.")]
        return _fora_do_lugar(self.artefatos, self.opcoes.pacote, self.nome) + [
            _falha(
                f"(verificação) {p.caminho}", p.mensagem + (f" (linha {p.linha})" if p.linha else ""), arquivo=p.caminho
            )
            for p in problemas(self.artefatos)
        ]


def _contagem(testes: list[ResultadoTeste]) -> dict[str, int]:
    passaram = sum(1 for t in testes if t.passou)
    return {"passaram": passaram, "falharam": len(testes) - passaram}


def _ausentes(
    linhas: list[ResultadoTeste], casos: list[CasoDeTeste], nao_testaveis: list[NaoTestavel]
) -> list[ResultadoTeste]:
    """A case the worker neither tested nor declared untestable is reported, never hidden."""
    com_teste = {linha.caso for linha in linhas if linha.caso}
    declarados = {n.caso for n in nao_testaveis}
    sem_teste = "Nenhum teste gerado para este caso, e o worker não disse por quê."
    return [
        _falha(f"(sem teste) {c.nome}", sem_teste, "ausente", caso=c.nome)
        for c in casos
        if c.nome not in com_teste and c.nome not in declarados
    ]


def _sobrepoe(sobreposicoes: Path | None, vertente: str) -> bool:
    pasta = sobreposicoes / vertente if sobreposicoes else None
    return bool(pasta and pasta.is_dir() and any(pasta.iterdir()))


def _diff(antes: list[Artefato], depois: list[Artefato]) -> str:
    velhos = {a.caminho: a.conteudo for a in antes}
    novos = {a.caminho: a.conteudo for a in depois}
    partes: list[str] = []
    for caminho in sorted(velhos.keys() | novos.keys()):
        a, b = velhos.get(caminho), novos.get(caminho)
        if a == b:
            continue
        partes.extend(
            difflib.unified_diff(
                (a or "").splitlines(keepends=True),
                (b or "").splitlines(keepends=True),
                fromfile=f"a/{caminho}" if a is not None else "/dev/null",
                tofile=f"b/{caminho}" if b is not None else "/dev/null",
            )
        )
        if partes and not partes[-1].endswith("\n"):
            partes[-1] += "\n"
    texto = "".join(partes)
    return texto if len(texto) <= DIFF_MAX else texto[:DIFF_MAX] + "\n… (diff cortado)\n"
