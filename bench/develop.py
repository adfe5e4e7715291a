"""Development (issue 9): wall time per vertente of each sample spec, and what the sandbox costs.

    .venv/bin/python bench/develop.py [--repeticoes 3] [--testes 20,200] [--json saida.json]

No database: the sample specs of ``examples/specs-repo/`` are read and validated, their test
cases made as the budget makes them (the same covering array), and each spec is built by the
development loop with the workers registered in the app (``FabricaConfig.ready``) and the
default generator and corrector, the sandbox limits of the settings.

1. **Per vertente of each sample spec**: generate, test (sandbox runs) and correct seconds, the
   number of tests and how many passed, the correction attempts; the median of ``--repeticoes``
   builds. A vertente without a registered worker is listed as such.
2. **Sandbox against in-process**: N trivial tests (``--testes``) run (a) in this process with
   ``pytest.main``, (b) in a bare ``python -m pytest`` subprocess, (c) in the sandbox without
   coverage, (d) in the sandbox with coverage of lines and branches, (c) and (d) in every
   isolation this machine runs (bubblewrap, the namespaces of before, the basic one), samples
   interleaved; tests per second of each, the median of ``--repeticoes`` runs. The sandbox's
   fixed cost is the intercept of the line through the runs of 1 and of the largest N; the ratio
   bubblewrap / namespaces is printed (issue 16's target: at most 1.5×).
3. **The model path** (issue 19, docs/modelo.md), against the fake OpenAI-compatible server of the
   tests (its own process on loopback, answers at once): spec_002's E built with the deterministic
   generator and corrector (the baseline, same run), then by the model — a buggy generation and
   one correction. Apart from the model's time (each call's HTTP round trip), PROMETHEUS's own
   overhead per attempt: prompt building, parsing and applying the edits, ast + compile + ruff;
   and the sandbox run each attempt costs. With ``--llm-url`` and ``--llm-modelo`` (a real
   server, e.g. ``make modelo-local``), one generation against it: tokens per second and wall time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import _comum  # noqa: F401 - puts the project root on sys.path

RAIZ = _comum.RAIZ
EXEMPLOS = RAIZ / "examples" / "specs-repo" / "specs"


def configurar() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prometheus_site.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()


def _mediana(valores: list[float]) -> float:
    return round(statistics.median(valores), 3) if valores else 0.0


# --- 1. each sample spec, per vertente -----------------------------------------------------------------


def construir_amostras(repeticoes: int) -> list[dict]:
    from django.conf import settings

    from fabrica.desenvolvimento import ciclo, sandbox
    from fabrica.desenvolvimento.base import vertentes_registradas
    from fabrica.desenvolvimento.casos import casos_do_orcamento
    from fabrica.desenvolvimento.corretor import CorretorDeterministico
    from fabrica.desenvolvimento.gerador import GeradorTemplates
    from fabrica.desenvolvimento.pacote import nome_do_pacote
    from fabrica.precificacao.cobertura import gerar_casos
    from fabrica.specs.formato import carregar_spec

    registradas = set(vertentes_registradas())
    linhas = []
    for arquivo in sorted(EXEMPLOS.glob("*.yaml")):
        spec = carregar_spec(arquivo.read_text(encoding="utf-8"))
        tdd = spec["schema_tdd"]
        casos = casos_do_orcamento(
            tdd, gerar_casos(tdd["parametros"], tdd.get("cobertura", "pairwise"), tdd.get("restricoes"))
        )
        medidas: dict[str, list[dict]] = {}
        for _ in range(repeticoes):
            opcoes = ciclo.Opcoes(
                pacote=nome_do_pacote(spec["id"]),
                gerador=GeradorTemplates(repositorio=settings.PROMETHEUS_SPECS_EXEMPLO),
                corretor=CorretorDeterministico(gerador_do_projeto=GeradorTemplates()),
                limites=sandbox.Limites(**settings.PROMETHEUS_SANDBOX),
                isolamento=settings.PROMETHEUS_SANDBOX_ISOLAMENTO,
            )
            resultado = ciclo.desenvolver(spec=spec, casos=casos, opcoes=opcoes)
            for vertente, r in resultado.vertentes.items():
                medidas.setdefault(vertente, []).append(
                    {
                        "gerar_s": r.recursos.get("gerar_s", 0.0),
                        "testar_s": r.recursos.get("testar_s", 0.0),
                        "corrigir_s": r.recursos.get("corrigir_s", 0.0),
                        "total_s": r.recursos.get("total_s", 0.0),
                        "testes": len(r.testes),
                        "passaram": sum(1 for t in r.testes if t["status"] in ("passou", "pulou")),
                        "tentativas": len(r.tentativas),
                        "execucoes": len(r.recursos.get("execucoes", [])),
                        "worker": r.worker,
                        "modo": (r.recursos.get("execucoes") or [{}])[0].get("isolamento", {}).get("modo", ""),
                    }
                )
        for vertente, lista in medidas.items():
            ultima = lista[-1]
            linhas.append(
                {
                    "spec": spec["id"],
                    "vertente": vertente,
                    "worker": ultima["worker"] if vertente in registradas else "(nenhum)",
                    "casos": len(casos),
                    "testes": ultima["testes"],
                    "passaram": ultima["passaram"],
                    "tentativas": ultima["tentativas"],
                    "execucoes": ultima["execucoes"],
                    "modo": ultima["modo"],
                    **{k: _mediana([m[k] for m in lista]) for k in ("gerar_s", "testar_s", "corrigir_s", "total_s")},
                }
            )
    return linhas


# --- 2. sandbox against in-process --------------------------------------------------------------------


_RODADAS = iter(range(10**9))


def _pacote(n: int) -> tuple[dict[str, str], str]:
    """N trivial tests of a tiny package; names unique per call, so in-process runs never reuse
    an imported module (and never meet the project's own ``tests`` package)."""
    k = next(_RODADAS)
    corpo = "\n".join(f"def test_{i:04d}():\n    assert soma({i}, 1) == {i + 1}\n" for i in range(n))
    teste = f"testes_bench_{k}/test_bench_{k}.py"
    return {
        "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['.']\n",
        f"pacote_bench_{k}/__init__.py": "",
        f"pacote_bench_{k}/m.py": "def soma(a, b):\n    if a < 0:\n        return 0\n    return a + b\n",
        f"testes_bench_{k}/__init__.py": "",
        teste: f"from pacote_bench_{k}.m import soma\n\n\n" + corpo,
    }, teste


def _escrever(pasta: Path, arquivos: dict[str, str]) -> None:
    for caminho, texto in arquivos.items():
        (pasta / caminho).parent.mkdir(parents=True, exist_ok=True)
        (pasta / caminho).write_text(texto)


def em_processo(n: int) -> float:
    import pytest

    with tempfile.TemporaryDirectory(prefix="bench-inproc-") as pasta:
        raiz = Path(pasta)
        arquivos, teste = _pacote(n)
        _escrever(raiz, arquivos)
        inicio = time.perf_counter()
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            codigo = pytest.main(
                ["-q", "-p", "no:cacheprovider", "-p", "no:django", "--rootdir", pasta, str(raiz / teste)]
            )
        duracao = time.perf_counter() - inicio
    assert codigo == 0, f"pytest.main returned {codigo}"
    return duracao


def subprocesso(n: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-sub-") as pasta:
        _escrever(Path(pasta), _pacote(n)[0])
        inicio = time.perf_counter()
        feito = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=pasta,
            env={"PATH": "/usr/bin:/bin", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
            capture_output=True,
            timeout=600,
        )
        duracao = time.perf_counter() - inicio
    assert feito.returncode == 0, feito.stdout[-2000:]
    return duracao


def no_sandbox(n: int, cobertura: bool, isolamento: str) -> float:
    from fabrica.desenvolvimento.sandbox import Limites, executar

    arquivos, teste = _pacote(n)
    inicio = time.perf_counter()
    execucao = executar(
        arquivos,
        testes=[teste],
        cobertura_de=[teste.split("/")[0].replace("testes_", "pacote_")] if cobertura else [],
        limites=Limites(tempo_total_s=600, tempo_por_teste_s=60),
        isolamento=isolamento,
    )
    duracao = time.perf_counter() - inicio
    assert execucao.passou and len(execucao.testes) == n, (execucao.erro, execucao.saida[-2000:])
    return duracao


def medir_sandbox(tamanhos: list[int], repeticoes: int) -> dict:
    """Every way, interleaved (round-robin per sample, so the load of this shared machine weighs
    on all of them alike): in-process, a bare subprocess, and the sandbox in each isolation this
    machine runs — bubblewrap beside the namespaces of before (``unshare``) and the basic one."""
    from fabrica.desenvolvimento.sandbox import isolamentos

    modos = [m for m, motivo in isolamentos().items() if not motivo]
    formas = {
        "em processo (pytest.main)": em_processo,
        "subprocesso (python -m pytest)": subprocesso,
    }
    for modo in modos:
        formas[f"sandbox {modo}, sem cobertura"] = lambda n, m=modo: no_sandbox(n, False, m)
        if modo != "basico":
            formas[f"sandbox {modo}, com cobertura"] = lambda n, m=modo: no_sandbox(n, True, m)
    for funcao in formas.values():  # warm-up: imports, page cache
        funcao(1)
    amostras: dict[str, dict[int, list[float]]] = {nome: {n: [] for n in [1, *tamanhos]} for nome in formas}
    for n in [1, *tamanhos]:
        for _ in range(repeticoes):
            for nome, funcao in formas.items():
                amostras[nome][n].append(funcao(n))
    tabela = {}
    for nome in formas:
        tempos = {n: _mediana(v) for n, v in amostras[nome].items()}
        maior = max(tamanhos)
        inclinacao = (tempos[maior] - tempos[1]) / (maior - 1)
        tabela[nome] = {
            "segundos": tempos,
            "testes_por_s": {n: round(n / tempos[n], 1) for n in tamanhos},
            "custo_fixo_s": round(tempos[1] - inclinacao, 3),
            "por_teste_ms": round(inclinacao * 1000, 2),
        }
    razoes = {}
    for cobertura in ("sem cobertura", "com cobertura"):
        novo, hoje = tabela.get(f"sandbox bwrap, {cobertura}"), tabela.get(f"sandbox namespaces, {cobertura}")
        if novo and hoje:
            razoes[cobertura] = {
                "custo_fixo": round(novo["custo_fixo_s"] / hoje["custo_fixo_s"], 2),
                "um_teste": round(novo["segundos"][1] / hoje["segundos"][1], 2),
            }
    return {"modos": modos, "tamanhos": tamanhos, "formas": tabela, "bwrap_sobre_namespaces": razoes}


# --- output ----------------------------------------------------------------------------------------------


# --- 3. the model path ----------------------------------------------------------------------------------


def _construir_e(spec: dict, casos: list, gerador: Any, corretor: Any, tentativas: int = 3) -> Any:
    from django.conf import settings

    from fabrica.desenvolvimento import ciclo, sandbox

    opcoes = ciclo.Opcoes(
        pacote="spec_002",
        gerador=gerador,
        corretor=corretor,
        limites=sandbox.Limites(**settings.PROMETHEUS_SANDBOX),
        isolamento=settings.PROMETHEUS_SANDBOX_ISOLAMENTO,
        max_tentativas=tentativas,
    )
    return ciclo.desenvolver(spec=spec, casos=casos, opcoes=opcoes).vertentes["E"]


def medir_modelo(
    repeticoes: int,
    llm_url: str | None,
    llm_modelo: str | None,
    llm_max_resposta: int = 256,
    llm_tentativas: int = 3,
    llm_sonda: bool = False,
) -> dict:
    from fabrica.desenvolvimento.corretor import CorretorDeterministico
    from fabrica.desenvolvimento.gerador import GeradorTemplates
    from fabrica.desenvolvimento.llm.assistente import construtores
    from fabrica.desenvolvimento.llm.cliente import ClienteModelo, ConfigModelo
    from tests.fabrica.apoio_modelo import IDADE, IDADE_COM_BUG, MODELOS, andaime, bloco, implementacao, spec_002
    from tests.fabrica.gerados import casos_da_spec
    from tests.servidor_llm import ServidorFalso

    spec = {**spec_002(), "vertentes": ["E"]}
    casos = casos_da_spec(spec)
    texto = andaime(spec)

    def modelo(config: ConfigModelo) -> tuple:
        cliente = ClienteModelo(config)
        return construtores(
            cliente, GeradorTemplates(), None, CorretorDeterministico(gerador_do_projeto=GeradorTemplates())
        )

    medidas: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as pasta, ServidorFalso(Path(pasta)) as falso:
        falso.roteirizar(
            [
                {
                    "contem": ["O que falta implementar"],
                    "conteudo": implementacao(texto, IDADE_COM_BUG),
                    "vezes": 10**6,
                },
                {"contem": ["Testes que falharam"], "conteudo": bloco(MODELOS, IDADE_COM_BUG, IDADE), "vezes": 10**6},
            ]
        )
        config = ConfigModelo(url=falso.url, modelo="falso", timeout_s=30, tempo_total_s=60)
        for _ in range(repeticoes):  # baseline and model path interleaved
            base = _construir_e(
                spec, casos, GeradorTemplates(), CorretorDeterministico(gerador_do_projeto=GeradorTemplates())
            )
            e = _construir_e(spec, casos, *modelo(config))
            assert e.passou and len(e.tentativas) == 1, "the scripted build must pass after one correction"
            chamadas = [e.geracao[0]["modelo"]["duracao_s"], e.tentativas[0]["modelo"]["duracao_s"]]
            proprio = (e.recursos["gerar_s"] - base.recursos["gerar_s"] - chamadas[0]) + (
                e.recursos["corrigir_s"] - chamadas[1]
            )
            execucoes = e.recursos["execucoes"]
            for chave, valor in {
                "base_total_s": base.recursos["total_s"],
                "base_sandbox_s": base.recursos["testar_s"] / max(len(base.recursos["execucoes"]), 1),
                "modelo_total_s": e.recursos["total_s"],
                "chamada_s": sum(chamadas) / 2,
                "proprio_por_tentativa_s": proprio / 2,
                "sandbox_por_tentativa_s": e.recursos["testar_s"] / max(len(execucoes), 1),
            }.items():
                medidas.setdefault(chave, []).append(valor)
    resultado: dict[str, Any] = {k: round(_mediana(v), 4) for k, v in medidas.items()}
    resultado["proprio_sobre_sandbox"] = round(
        resultado["proprio_por_tentativa_s"] / resultado["sandbox_por_tentativa_s"], 3
    )
    resultado["modelo_sobre_base"] = round(resultado["modelo_total_s"] / resultado["base_total_s"], 3)
    if llm_url and llm_modelo:
        resultado["local"] = medir_local(spec, casos, llm_url, llm_modelo, llm_max_resposta, llm_tentativas, llm_sonda)
    return resultado


class _Cronometro:
    """Wraps the model's generator and corrector: the wall time of each attempt on the model's side
    (prompt, the call, parse, apply, ast + compile + ruff), in order."""

    def __init__(self, gerador: Any, corretor: Any) -> None:
        self.gerador, self.corretor, self.tempos = gerador, corretor, []
        self.nome = gerador.nome

    def _medir(self, funcao: Any, pedido: Any) -> Any:
        inicio = time.perf_counter()
        feito = funcao(pedido)
        if feito is not None:  # None: nothing for the model to complete (no attempt)
            self.tempos.append(time.perf_counter() - inicio)
        return feito

    def gerar(self, *args: Any) -> str:
        return self.gerador.gerar(*args)

    def completar(self, pedido: Any) -> Any:
        return self._medir(self.gerador.completar, pedido)

    def corrigir(self, pedido: Any) -> Any:
        return self._medir(self.corretor.corrigir, pedido)

    def le_motivo(self, vertente: str) -> bool:
        return self.corretor.le_motivo(vertente)


def _sondar(config: Any, mensagens: list[dict], max_tokens: int) -> dict:
    """One streamed request with the generation's prompt behind a line of its own (so a server that
    keeps the last prompt's cache, as llama.cpp does, processes it all): the time to the first token
    is the prompt's processing, the rest the generation. A chunk is counted as a token."""
    import uuid

    import openai

    cliente = openai.OpenAI(base_url=config.url, api_key=config.chave or "sem-chave", timeout=config.timeout_s)
    marca = [{"role": "system", "content": f"sonda {uuid.uuid4().hex}\n" + mensagens[0]["content"]}, *mensagens[1:]]
    inicio = time.perf_counter()
    primeiro, pedacos = 0.0, 0
    fluxo = cliente.chat.completions.create(
        model=config.modelo, messages=marca, max_tokens=max_tokens, temperature=0, stream=True
    )
    for pedaco in fluxo:
        if pedaco.choices and pedaco.choices[0].delta.content:
            pedacos += 1
            primeiro = primeiro or time.perf_counter() - inicio
    total = time.perf_counter() - inicio
    return {"primeiro_token_s": round(primeiro, 3), "pedacos": pedacos, "total_s": round(total, 3)}


def medir_local(spec: dict, casos: list, url: str, nome: str, max_resposta: int, tentativas: int, sonda: bool) -> dict:
    """spec_002's E against a real server: the deterministic build (the baseline, same run), then
    the model's — its generation and up to 3 corrections, each attempt's wall time split into the
    model's call, PROMETHEUS's own part and the sandbox run it caused — and one streamed probe of
    the generation's prompt for the prompt's and the answer's tokens per second apart."""
    from fabrica.desenvolvimento.corretor import CorretorDeterministico
    from fabrica.desenvolvimento.gerador import GeradorTemplates
    from fabrica.desenvolvimento.llm.assistente import construtores
    from fabrica.desenvolvimento.llm.cliente import ClienteModelo, ConfigModelo

    config = ConfigModelo(
        url=url, modelo=nome, timeout_s=600, tentativas=0, tempo_total_s=900, max_resposta=max_resposta
    )
    base = _construir_e(spec, casos, GeradorTemplates(), CorretorDeterministico(gerador_do_projeto=GeradorTemplates()))
    gerador, corretor = construtores(
        ClienteModelo(config), GeradorTemplates(), None, CorretorDeterministico(gerador_do_projeto=GeradorTemplates())
    )
    cronometro = _Cronometro(gerador, corretor)
    inicio = time.perf_counter()
    e = _construir_e(spec, casos, cronometro, cronometro, tentativas)
    parede = time.perf_counter() - inicio
    registros = [("geração", g) for g in e.geracao] + [(f"correção {t['n']}", t) for t in e.tentativas]
    sandbox_por = {x["tentativa"]: x["duracao_s"] for x in e.recursos["execucoes"]}
    tentativas = []
    for (rotulo, registro), tempo in zip(registros, cronometro.tempos, strict=True):
        chamada = registro.get("modelo") or {}
        n = registro.get("n", 0)
        duracao = chamada.get("duracao_s", 0.0)
        tentativas.append(
            {
                "tentativa": rotulo,
                "parede_s": round(tempo + sandbox_por.get(n, 0.0), 3),
                "chamada_s": duracao,
                "proprio_s": round(tempo - duracao, 4),
                "sandbox_s": sandbox_por.get(n, 0.0),  # the run it caused (none when it changed nothing)
                "tokens_entrada": chamada.get("tokens_entrada", 0),
                "tokens_saida": chamada.get("tokens_saida", 0),
                "estimados": chamada.get("tokens_estimados", False),
                "tokens_por_s": round((chamada.get("tokens_entrada", 0) + chamada.get("tokens_saida", 0)) / duracao, 1)
                if duracao
                else 0.0,
                "alterou": registro.get("alterou", False),
                "motivo": registro.get("tentou", ""),
            }
        )
    sondagem: dict = {}
    if sonda and e.geracao and e.geracao[0].get("modelo"):
        primeira = e.geracao[0]["modelo"]
        sondagem = _sondar(config, primeira["prompt"], max_resposta)
        entrada = primeira["tokens_entrada"]
        geracao_s = sondagem["total_s"] - sondagem["primeiro_token_s"]
        sondagem |= {
            "tokens_entrada": entrada,
            "entrada_por_s": round(entrada / sondagem["primeiro_token_s"], 1) if sondagem["primeiro_token_s"] else 0.0,
            "saida_por_s": round((sondagem["pedacos"] - 1) / geracao_s, 1)
            if geracao_s > 0 and sondagem["pedacos"] > 1
            else 0.0,
        }
    return {
        "modelo": nome,
        "base_total_s": base.recursos["total_s"],
        "modelo_total_s": round(parede, 3),
        "passou": e.passou,
        "testes": len(e.testes),
        "falharam": sum(1 for t in e.testes if t.status not in ("passou", "pulou")),
        "tentativas": tentativas,
        "sonda": sondagem,
    }


def imprimir_modelo(m: dict) -> None:
    print("\n## The model path against the fake server (spec_002 E: buggy generation + one correction; median s)\n")
    print("| measure | seconds |")
    print("|---|---:|")
    for chave, rotulo in (
        ("base_total_s", "deterministic build of E (baseline: 1 sandbox run, 3 corrections with nothing to try)"),
        ("base_sandbox_s", "baseline: one sandbox run"),
        ("modelo_total_s", "model build of E (generation, 2 sandbox runs, 1 correction)"),
        ("chamada_s", "model time per call (the fake server's HTTP round trip)"),
        (
            "proprio_por_tentativa_s",
            "PROMETHEUS's own overhead per attempt (prompt, parse, apply, ast + compile + ruff)",
        ),
        ("sandbox_por_tentativa_s", "sandbox run per attempt"),
    ):
        print(f"| {rotulo} | {m[chave]:.3f} |")
    print(
        f"\nown overhead / sandbox run: {m['proprio_sobre_sandbox']}×; model build / deterministic build: {m['modelo_sobre_base']}×"
    )
    if "local" in m:
        imprimir_local(m["local"])


def imprimir_local(local: dict) -> None:
    print(f"\n## The local model {local['modelo']} (spec_002 E: generation and up to 3 corrections; seconds)\n")
    print(
        "| attempt | wall s | model call s | own s | sandbox s | tokens in | tokens out | tokens/s (in+out) | changed | reason |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for t in local["tentativas"]:
        estimados = " (est.)" if t["estimados"] else ""
        print(
            f"| {t['tentativa']} | {t['parede_s']:.1f} | {t['chamada_s']:.1f} | {t['proprio_s']:.3f} | {t['sandbox_s']:.1f} | "
            f"{t['tokens_entrada']}{estimados} | {t['tokens_saida']} | {t['tokens_por_s']} | "
            f"{'yes' if t['alterou'] else 'no'} | {t['motivo'][:160]} |"
        )
    print(
        f"\nmodel build of E: {local['modelo_total_s']:.1f} s, deterministic build (same run): {local['base_total_s']:.1f} s; "
        f"passed: {local['passou']} ({local['falharam']} of {local['testes']} tests failing)"
    )
    sonda = local.get("sonda")
    if sonda:
        print(
            f"streamed probe of the generation's prompt ({sonda['tokens_entrada']} tokens, cache defeated): first token "
            f"after {sonda['primeiro_token_s']:.1f} s = {sonda['entrada_por_s']} prompt tokens/s; then "
            f"{sonda['pedacos']} chunks in {sonda['total_s'] - sonda['primeiro_token_s']:.1f} s = {sonda['saida_por_s']} "
            "answer tokens/s"
        )


def imprimir(amostras: list[dict], sandbox: dict) -> None:
    print("## Per vertente of each sample spec (median seconds)\n")
    print(
        "| spec | vertente | worker | cases | tests | passed | attempts | sandbox runs | generate s | test s | correct s | total s |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for linha in amostras:
        print(
            f"| {linha['spec']} | {linha['vertente']} | {linha['worker']} | {linha['casos']} | {linha['testes']} | {linha['passaram']} | "
            f"{linha['tentativas']} | {linha['execucoes']} | {linha['gerar_s']:.3f} | {linha['testar_s']:.3f} | "
            f"{linha['corrigir_s']:.3f} | {linha['total_s']:.3f} |"
        )
    print(f"\n## Sandbox against in-process (isolations that run here: {', '.join(sandbox['modos'])})\n")
    tamanhos = sandbox["tamanhos"]
    cabecalho = " | ".join(f"{n} tests s | {n} tests/s" for n in tamanhos)
    print(f"| how | 1 test s | {cabecalho} | fixed cost s | per test ms |")
    print("|---|---:|" + "---:|---:|" * len(tamanhos) + "---:|---:|")
    for nome, f in sandbox["formas"].items():
        colunas = " | ".join(f"{f['segundos'][n]:.3f} | {f['testes_por_s'][n]}" for n in tamanhos)
        print(f"| {nome} | {f['segundos'][1]:.3f} | {colunas} | {f['custo_fixo_s']:.3f} | {f['por_teste_ms']:.2f} |")
    for cobertura, razao in sandbox["bwrap_sobre_namespaces"].items():
        print(
            f"\nbwrap / namespaces ({cobertura}): fixed cost {razao['custo_fixo']}×, one-test run {razao['um_teste']}× "
            "(target: fixed cost at most 1.5×)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeticoes", type=int, default=3)
    parser.add_argument("--testes", default="20,200", help="sizes of the synthetic test files")
    parser.add_argument("--sem-amostras", action="store_true", help="only the sandbox measure")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--so-modelo", action="store_true", help="only the model path (3)")
    parser.add_argument("--llm-url", help="a real OpenAI-compatible server for the local-model figures")
    parser.add_argument("--llm-modelo", help="the model's name on that server")
    parser.add_argument(
        "--llm-max-resposta", type=int, default=256, help="max_tokens of each answer there (a CPU model writes ~5/s)"
    )
    parser.add_argument("--llm-tentativas", type=int, default=3, help="corrections after the generation there")
    parser.add_argument(
        "--llm-sonda", action="store_true", help="and a streamed probe: prompt and answer tokens/s apart"
    )
    args = parser.parse_args()
    configurar()
    tamanhos = [int(n) for n in args.testes.split(",")]
    amostras = [] if args.sem_amostras or args.so_modelo else construir_amostras(args.repeticoes)
    sandbox = {} if args.so_modelo else medir_sandbox(tamanhos, args.repeticoes)
    modelo = medir_modelo(
        args.repeticoes, args.llm_url, args.llm_modelo, args.llm_max_resposta, args.llm_tentativas, args.llm_sonda
    )
    if not args.so_modelo:
        imprimir(amostras, sandbox)
    imprimir_modelo(modelo)
    if args.json:
        dados = {"amostras": amostras, "sandbox": sandbox, "modelo": modelo}
        args.json.write_text(json.dumps(dados, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
