"""The development loop of seed §4.3, per vertente: generate, check, test in the sandbox, then
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
from fabrica.desenvolvimento.corretor import Corretor, PedidoCorrecao, resumo_das_falhas
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

    @property
    def passou(self) -> bool:
        return not self.erro and todos_passaram(self.testes)


@dataclass
class ResultadoConstrucao:
    vertentes: dict[str, ResultadoVertente]
    raiz: list[Artefato]
    duracao_s: float
    tokens: int = 0
    dependencias: list[str] = field(default_factory=list)

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


def _sem_progresso(vertente: str, estado: str, tentativa: int, mensagem: str) -> None:
    return None


def desenvolver(
    *,
    spec: dict[str, Any],
    casos: list[CasoDeTeste],
    opcoes: Opcoes,
    progresso: Progresso | None = None,
) -> ResultadoConstrucao:
    """Builds every vertente of the spec, in the spec's order; see the module's docstring."""
    progresso = progresso or _sem_progresso
    inicio = time.monotonic()
    resultados: dict[str, ResultadoVertente] = {}
    dependencias: list[str] = []
    for vertente in spec.get("vertentes", []):
        resultado = _vertente(vertente, spec, casos, opcoes, progresso)
        resultados[vertente] = resultado
        dependencias += resultado.dependencias
        progresso(vertente, "concluida", len(resultado.tentativas), "passou" if resultado.passou else "falhou")
    raiz = _raiz(spec, opcoes, dependencias)
    return ResultadoConstrucao(
        vertentes=resultados,
        raiz=raiz,
        duracao_s=round(time.monotonic() - inicio, 4),
        tokens=int(getattr(opcoes.gerador, "tokens", 0) or 0),
        dependencias=dependencias,
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


def _gerar(worker: Worker, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel], list[str]]:
    producao = worker.produzir(entrada)
    return [*producao.codigo, *producao.testes], list(producao.nao_testaveis), list(producao.pendencias)


def _vertente(
    vertente: str, spec: dict[str, Any], casos: list[CasoDeTeste], opcoes: Opcoes, progresso: Progresso
) -> ResultadoVertente:
    resultado = ResultadoVertente(vertente=vertente)
    nome = NOME_DA_VERTENTE.get(vertente, vertente)
    tempos = {"gerar_s": 0.0, "testar_s": 0.0, "corrigir_s": 0.0}
    execucoes: list[dict[str, Any]] = []
    resultado.recursos = {**tempos, "execucoes": execucoes}
    progresso(vertente, "gerando", 0, "")
    try:
        worker = worker_de(vertente)
    except LookupError as exc:
        resultado.erro = str(exc)
        resultado.testes = [_falha("(sem worker)", f"{exc} Nada foi gerado nem testado para esta vertente.")]
        return resultado
    resultado.worker = type(worker).__name__
    resultado.dependencias = list(worker.dependencias)

    def entrada_com(gerador: Gerador) -> Entrada:
        return Entrada(spec=spec, casos=casos, pacote=opcoes.pacote, gerador=gerador)

    def regenerar(gerador: Gerador) -> list[Artefato]:
        artefatos, nao_testaveis, pendencias = _gerar(worker, entrada_com(gerador))
        resultado.nao_testaveis, resultado.pendencias = nao_testaveis, pendencias
        return artefatos

    inicio = time.monotonic()
    artefatos: list[Artefato] = []
    falhas_de_geracao: list[ResultadoTeste] = []
    try:
        artefatos = regenerar(opcoes.gerador)
    except Exception as exc:  # noqa: BLE001 - a worker's or template's failure is a result, not a crash
        log.info("Geração da vertente %s falhou: %s", vertente, exc)
        falhas_de_geracao = [_falha("(geração)", f"A geração falhou: {type(exc).__name__}: {exc}")]
    tempos["gerar_s"] += time.monotonic() - inicio

    def testar(artefatos: list[Artefato], tentativa: int) -> tuple[list[ResultadoTeste], dict[str, Any] | None, str]:
        if not artefatos:
            return falhas_de_geracao or [_falha("(geração)", "O worker não gerou artefatos.")], None, ""
        recusas = _fora_do_lugar(artefatos, opcoes.pacote, nome) + [
            _falha(
                f"(verificação) {p.caminho}", p.mensagem + (f" (linha {p.linha})" if p.linha else ""), arquivo=p.caminho
            )
            for p in problemas(artefatos)
        ]
        if recusas:
            return recusas, None, "O código gerado não passou na verificação; nada foi executado."
        progresso(vertente, "testando", tentativa, "")
        inicio = time.monotonic()
        arquivos = {a.caminho: a.conteudo for a in _raiz(spec, opcoes, resultado.dependencias)}
        arquivos.update({a.caminho: a.conteudo for a in artefatos})
        testes = sorted(a.caminho for a in artefatos if a.papel == "teste")
        execucao = sandbox.executar(
            arquivos,
            testes=testes,
            cobertura_de=[f"{opcoes.pacote}/{nome}"],
            limites=opcoes.limites,
            python=opcoes.python,
            isolamento=opcoes.isolamento,
            uid_base=opcoes.uid_base,
            esconder=opcoes.esconder,
        )
        tempos["testar_s"] += time.monotonic() - inicio
        execucoes.append({"tentativa": tentativa, **execucao.recursos, "isolamento": execucao.isolamento})
        linhas = list(execucao.testes)
        nomes = {c.nome for c in casos}
        for linha in linhas:  # a bracketed id that names no case (a screen, an endpoint) is not one
            if linha.caso not in nomes:
                linha.caso = None
        if execucao.erro:
            linhas.append(
                _falha("(execução)", execucao.erro + ("\n\n" + execucao.saida[-3000:] if execucao.saida else ""))
            )
        linhas += _ausentes(linhas, casos, resultado.nao_testaveis)
        return linhas, execucao.cobertura, execucao.erro

    resultado.testes, resultado.cobertura, _ = testar(artefatos, 0)
    historico: list[str] = []
    for tentativa in range(1, opcoes.max_tentativas + 1):
        if todos_passaram(resultado.testes):
            break
        progresso(vertente, "corrigindo", tentativa, "")
        falhas = [t for t in resultado.testes if not t.passou]
        inicio = time.monotonic()
        pedido = PedidoCorrecao(
            vertente=vertente,
            nome=nome,
            pacote=opcoes.pacote,
            tentativa=tentativa,
            artefatos=artefatos,
            falhas=falhas,
            historico=list(historico),
            repositorio_sobrepoe=_sobrepoe(opcoes.sobreposicoes, vertente),
            regenerar=regenerar,
        )
        try:
            correcao = opcoes.corretor.corrigir(pedido)
            novos, descricao, reparo = correcao.artefatos, correcao.descricao, correcao.reparo
        except Exception as exc:  # noqa: BLE001 - a broken corrector is recorded, the loop goes on
            novos, descricao, reparo = artefatos, f"O corretor falhou: {type(exc).__name__}: {exc}", ""
        tempos["corrigir_s"] += time.monotonic() - inicio
        if reparo:
            historico.append(reparo)
        diff = _diff(artefatos, novos)
        registro: dict[str, Any] = {
            "n": tentativa,
            "vertente": vertente,
            "corretor": opcoes.corretor.nome,
            "tentou": descricao,
            "reparo": reparo,
            "falhas": [{"nome": f.nome, "status": f.status, "mensagem": f.mensagem[:1000]} for f in falhas],
            "resumo_falhas": resumo_das_falhas(falhas),
            "diff": diff,
            "alterou": bool(diff),
        }
        if diff:
            artefatos = novos
            falhas_de_geracao = []
            resultado.testes, resultado.cobertura, _ = testar(artefatos, tentativa)
        registro["depois"] = _contagem(resultado.testes)
        resultado.tentativas.append(registro)
    resultado.artefatos = artefatos
    resultado.dependencias = list(dict.fromkeys([*worker.dependencias, *importados(artefatos, opcoes.pacote)]))
    resultado.recursos = {k: round(v, 4) for k, v in tempos.items()} | {"execucoes": execucoes}
    resultado.recursos["total_s"] = round(sum(tempos.values()), 4)
    return resultado


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
