"""The directory target (the default): each spec of an environment lives in
``<raiz>/<spec>/releases/<versao>/`` and ``<raiz>/<spec>/current`` is a symlink to the one that
serves. A deployment unpacks the release into its own directory (``desempacotar``: nothing unsafe
is written, and the directory appears whole or not at all), runs the release's smoke checks
(its own tests: generated code, so in a copy of that directory under the sandbox of
``fabrica.desenvolvimento.sandbox``, with its limits; a command the admin configured instead
runs as configured), and only then switches ``current`` by renaming a new link over the old one, an atomic
step: a reader always finds the old release or the new one, complete. Earlier releases stay for
rollback until retention removes them (never the current or the previous one).
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings

from fabrica.desenvolvimento import sandbox
from fabrica.implantacao import processos
from fabrica.implantacao.alvos import Alvo, Contexto, FalhaNoAlvo, Resultado, erro_argv, erro_timeout
from fabrica.implantacao.arquivo import (
    MANIFESTO,
    ArquivoInvalido,
    desempacotar,
    manifesto_confere,
    sincronizar_diretorio,
)

CHAVES = {"smoke", "timeout"}
# pytest's "no tests were collected": a release without tests has no smoke checks to fail.
PYTEST_SEM_TESTES = 5


class AlvoDiretorio(Alvo):
    tipo = "diretorio"
    rotulo = "diretório"

    # --- where things are -------------------------------------------------------------------------

    @property
    def raiz(self) -> Path:
        if self.ambiente.diretorio:
            return Path(self.ambiente.diretorio)
        return Path(settings.PROMETHEUS_IMPLANTACOES_DIR) / self.ambiente.nome

    def pasta(self, spec_ref: str) -> Path:
        return self.raiz / spec_ref

    def releases(self, spec_ref: str) -> Path:
        return self.pasta(spec_ref) / "releases"

    def current(self, spec_ref: str) -> Path:
        return self.pasta(spec_ref) / "current"

    def atual(self, spec_ref: str) -> str | None:
        try:
            alvo = os.readlink(self.current(spec_ref))
        except OSError:
            return None
        return Path(alvo).name

    def guardadas(self, spec_ref: str) -> list[str]:
        pasta = self.releases(spec_ref)
        if not pasta.is_dir():
            return []
        return sorted(
            p.name for p in pasta.iterdir() if not p.name.startswith(".") and p.is_dir() and (p / MANIFESTO).exists()
        )

    # --- the interface ----------------------------------------------------------------------------

    def implantar(self, ctx: Contexto) -> Resultado:
        assert ctx.arquivo is not None and ctx.versao
        destino = self.releases(ctx.spec_ref) / ctx.versao
        self._limpar_restos(ctx.spec_ref, ctx.escrever)
        if destino.exists() and self.atual(ctx.spec_ref) == ctx.versao:
            # Redeploying what serves (or resuming after the switch was made): its files are checked,
            # never replaced under a reader.
            faltas = manifesto_confere(destino)
            if faltas:
                raise FalhaNoAlvo(
                    f"A release {ctx.versao} que está servindo foi alterada no disco ({'; '.join(faltas[:5])}); "
                    "implante outra versão ou reverta."
                )
            ctx.escrever(f"releases/{ctx.versao}/ já é a atual e confere com o manifesto.")
        else:
            if destino.exists() or destino.is_symlink():
                ctx.escrever(f"releases/{ctx.versao}/ ficou de uma tentativa anterior: refazendo do arquivo.")
                self._remover(destino)
            self._desempacotar(ctx, destino)
        self.verificar(ctx, diretorio=destino)
        self._trocar(ctx.spec_ref, ctx.versao, ctx.escrever)
        return Resultado(caminho=str(destino))

    def verificar(self, ctx: Contexto, diretorio: Path | None = None) -> None:
        diretorio = diretorio or self.current(ctx.spec_ref)
        smoke = self.config.get("smoke", True)
        if smoke is False:
            ctx.escrever("Testes de fumaça desligados neste ambiente (configuracao.smoke = false).")
            return
        timeout = self.config.get("timeout", settings.PROMETHEUS_IMPLANTACAO_TIMEOUT)
        if smoke is True:
            self._fumaca_no_sandbox(ctx, diretorio, timeout)
            return
        argv = [a.replace("{python}", sys.executable) for a in smoke]
        ctx.escrever("Testes de fumaça (comando do ambiente, fora do sandbox): " + " ".join(argv))
        execucao = processos.executar(
            argv,
            cwd=diretorio,
            env=self._env_smoke(ctx.trabalho),
            timeout=timeout,
            linha=lambda texto: ctx.escrever("  │ " + texto),
            enquanto_espera=ctx.esperando,
        )
        if execucao.erro_ao_iniciar:
            raise FalhaNoAlvo(f"Os testes de fumaça não puderam ser iniciados: {execucao.erro_ao_iniciar}")
        if execucao.tempo_esgotado:
            raise FalhaNoAlvo(f"Os testes de fumaça passaram do tempo limite de {timeout} s e foram interrompidos.")
        if execucao.codigo != 0:
            raise FalhaNoAlvo(f"Os testes de fumaça falharam (código de saída {execucao.codigo}).")
        ctx.escrever(f"Testes de fumaça passaram ({execucao.duracao:.1f} s).")

    def _fumaca_no_sandbox(self, ctx: Contexto, diretorio: Path, timeout: float) -> None:
        """The release's own tests, in a copy of its directory under the development sandbox (the
        same isolation, uid and limits as the generated tests; the wall clock is the
        environment's timeout)."""
        argv = self._argv_padrao(diretorio)
        ctx.escrever("Testes de fumaça no sandbox: " + " ".join(argv))
        try:
            execucao = sandbox.executar_comando(
                diretorio,
                argv,
                limites=replace(sandbox.Limites(**settings.PROMETHEUS_SANDBOX), tempo_total_s=timeout),
                python=settings.PROMETHEUS_SANDBOX_PYTHON or None,
                isolamento=settings.PROMETHEUS_SANDBOX_ISOLAMENTO,
                uid_base=settings.PROMETHEUS_SANDBOX_UID,
                esconder=[str(settings.VAR_DIR), str(settings.PROMETHEUS_IMPLANTACOES_DIR), str(self.raiz)],
                enquanto_espera=ctx.esperando,
            )
        except sandbox.ErroSandbox as exc:
            raise FalhaNoAlvo(f"Os testes de fumaça não puderam ser iniciados: {exc}") from None
        isolamento = execucao.isolamento
        ctx.escrever(
            f"Sandbox: isolamento {isolamento.get('modo')}"
            + (f", uid {isolamento['uid']}" if isolamento.get("uid") is not None else "")
            + (f". {isolamento['aviso']}" if isolamento.get("aviso") else "")
        )
        for texto in execucao.saida.splitlines()[-200:]:
            ctx.escrever(
                "  │ " + (texto if len(texto) <= processos.MAX_LINHA else texto[: processos.MAX_LINHA] + " […]")
            )
        if execucao.tempo_esgotado:
            raise FalhaNoAlvo(f"Os testes de fumaça passaram do tempo limite de {timeout} s e foram interrompidos.")
        if execucao.retorno == PYTEST_SEM_TESTES:
            ctx.escrever("A release não tem testes: nenhum teste de fumaça a executar.")
            return
        if execucao.retorno != 0:
            raise FalhaNoAlvo(f"Os testes de fumaça falharam (código de saída {execucao.retorno}).")
        ctx.escrever(f"Testes de fumaça passaram ({execucao.duracao_s:.1f} s).")

    def reverter(self, ctx: Contexto) -> Resultado:
        self._limpar_restos(ctx.spec_ref, ctx.escrever)
        if not ctx.versao:
            current = self.current(ctx.spec_ref)
            if current.is_symlink():
                os.unlink(current)
                sincronizar_diretorio(current.parent)
            ctx.escrever("Nenhuma release anterior: current removido, a spec não serve mais neste ambiente.")
            return Resultado()
        destino = self.releases(ctx.spec_ref) / ctx.versao
        faltas = manifesto_confere(destino) if destino.exists() else ["ausente"]
        if faltas:
            if self.atual(ctx.spec_ref) == ctx.versao:
                raise FalhaNoAlvo(f"A release {ctx.versao} serve mas está alterada no disco.")
            ctx.arquivo = ctx.arquivo or ctx.fazer_arquivo()
            if ctx.arquivo is None:
                raise FalhaNoAlvo(f"A release {ctx.versao} não está mais guardada neste ambiente.")
            ctx.escrever(f"releases/{ctx.versao}/ não está completa ({'; '.join(faltas[:3])}): refazendo do arquivo.")
            self._remover(destino)
            self._desempacotar(ctx, destino)
        else:
            ctx.escrever(f"releases/{ctx.versao}/ guardada e conferida com o manifesto.")
        self._trocar(ctx.spec_ref, ctx.versao, ctx.escrever)
        return Resultado(caminho=str(destino))

    def podar(self, spec_ref: str, manter: set[str], escrever: Callable[[str], None]) -> list[str]:
        protegidas = set(manter)
        atual = self.atual(spec_ref)
        if atual:
            protegidas.add(atual)
        removidas = [v for v in self.guardadas(spec_ref) if v not in protegidas]
        for versao in removidas:
            self._remover(self.releases(spec_ref) / versao)
            escrever(f"Retenção: releases/{versao}/ removida.")
        return removidas

    @classmethod
    def validar_configuracao(cls, config: dict[str, Any]) -> dict[str, list[str]]:
        erros: dict[str, list[str]] = {}
        for chave in sorted(set(config) - CHAVES):
            erros[f"configuracao.{chave}"] = [
                f"Chave desconhecida para o alvo diretório; use {', '.join(sorted(CHAVES))}."
            ]
        if "smoke" in config and not isinstance(config["smoke"], bool):
            erro = erro_argv(config["smoke"])
            if erro:
                erros["configuracao.smoke"] = ["true (os testes da release), false, ou um comando. " + erro]
        if "timeout" in config and (erro := erro_timeout(config["timeout"])):
            erros["configuracao.timeout"] = [erro]
        return erros

    # --- the steps --------------------------------------------------------------------------------

    def _desempacotar(self, ctx: Contexto, destino: Path) -> None:
        assert ctx.arquivo is not None
        ctx.escrever(f"Desempacotando {ctx.arquivo.name} em releases/{ctx.versao}/ …")
        try:
            hashes = desempacotar(ctx.arquivo, destino)
        except ArquivoInvalido as exc:
            for problema in exc.problemas[:50]:
                ctx.escrever("  recusado: " + problema)
            raise FalhaNoAlvo(
                f"O arquivo da release foi recusado, nada foi escrito: {len(exc.problemas)} membro(s) inseguro(s) "
                f"({exc.problemas[0]})."
            ) from None
        ctx.escrever(f"{len(hashes)} arquivo(s) desempacotado(s).")

    def _trocar(self, spec_ref: str, versao: str, escrever: Callable[[str], None]) -> None:
        """``current`` → ``releases/<versao>`` in one rename: never absent, never half-made."""
        pasta = self.pasta(spec_ref)
        novo = pasta / f".current-{uuid.uuid4().hex}"
        os.symlink(f"releases/{versao}", novo)
        try:
            os.replace(novo, self.current(spec_ref))
        except BaseException:
            os.unlink(novo)
            raise
        sincronizar_diretorio(pasta)
        escrever(f"current → releases/{versao}")

    def _limpar_restos(self, spec_ref: str, escrever: Callable[[str], None]) -> None:
        """What a killed deployment left half-made (the caller holds the environment)."""
        for pasta in (self.pasta(spec_ref), self.releases(spec_ref)):
            if not pasta.is_dir():
                continue
            for resto in pasta.iterdir():
                if resto.name.startswith((".desempacotando-", ".current-")):
                    self._remover(resto)
                    escrever(f"Removido o que uma tentativa interrompida deixou: {resto.name}")

    @staticmethod
    def _remover(caminho: Path) -> None:
        if caminho.is_symlink() or caminho.is_file():
            caminho.unlink()
        elif caminho.exists():
            shutil.rmtree(caminho)

    @staticmethod
    def _argv_padrao(diretorio: Path) -> list[str]:
        # The release's own pytest configuration if it ships one (relative: the sandbox runs in a
        # copy of the directory, where no other project's configuration lies above it).
        config = next(
            (nome for nome in ("pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg") if (diretorio / nome).exists()),
            None,
        )
        return [
            "{python}",
            "-m",
            "pytest",
            "-q",
            # The sandbox turns plugin autoload off: pytest-timeout is named, so the `timeout` the
            # release's pyproject.toml sets bounds each smoke test (not an unknown option warned about).
            "-p",
            "pytest_timeout",
            "-p",
            "no:cacheprovider",
            *(["-c", config] if config else []),
            "--rootdir",
            ".",
        ]

    @staticmethod
    def _env_smoke(trabalho: Path) -> dict[str, str]:
        """Nothing of PROMETHEUS' own environment (no DATABASE_URL, no SECRET_KEY)."""
        return {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(trabalho),
            "TMPDIR": str(trabalho),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
        }
