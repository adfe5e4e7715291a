"""The command target: PROMETHEUS runs the commands an admin configured for the environment
(``kubectl apply``, ``helm upgrade``, ``ansible-playbook``, an SSH script) and records what they
said, without pretending to be a deployment engine.

Settings (``Ambiente.configuracao``)::

    {"implantar": ["/opt/deploy.sh", "{arquivo}", "{versao}", "{ambiente}"],   # required
     "verificar": ["/opt/verify.sh", "{versao}"],     # optional: run after implantar
     "reverter": ["/opt/rollback.sh", "{versao}"],    # optional: else implantar with the earlier release
     "timeout": 600,                                   # seconds per command
     "variaveis": {"NAMESPACE": "homolog"},           # set for the commands
     "herdar": ["KUBECONFIG"],                         # passed from PROMETHEUS' own environment
     "diretorio_trabalho": "/srv/deploy"}             # else a fresh temporary directory

Placeholders in arguments: ``{arquivo}`` (the release archive), ``{versao}``, ``{ambiente}``,
``{spec}``, ``{release}`` (its id), ``{anterior}`` (what served before), ``{implantacao}``. A
command using none of them gets ``arquivo versao ambiente`` appended. Every command also receives
them as ``PROMETHEUS_ARQUIVO``, ``PROMETHEUS_VERSAO``, ``PROMETHEUS_AMBIENTE``, ``PROMETHEUS_SPEC``,
``PROMETHEUS_RELEASE``, ``PROMETHEUS_VERSAO_ANTERIOR``, ``PROMETHEUS_IMPLANTACAO`` and
``PROMETHEUS_OPERACAO``; its environment holds only those, ``PATH``/``HOME``/``LANG`` and what
``variaveis`` and ``herdar`` name. A line ``PROMETHEUS_URL=<url>`` in the output of ``implantar``
records where the release serves.

Each command runs in its own process group with the timeout (``processos.executar``). A failed
``verificar`` reverts to the earlier release before the deployment is recorded as failed, so what
served before serves again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings

from fabrica.implantacao import processos
from fabrica.implantacao.alvos import (
    Alvo,
    Contexto,
    FalhaNoAlvo,
    Resultado,
    erro_argv,
    erro_timeout,
    nome_de_variavel_valido,
)
from prometheus_site.env import env_repassar

CHAVES = {"implantar", "verificar", "reverter", "timeout", "variaveis", "herdar", "diretorio_trabalho"}
MARCADORES = ("arquivo", "versao", "ambiente", "spec", "release", "anterior", "implantacao")
_MARCADOR = re.compile(r"\{([a-z_]+)\}")
_URL = re.compile(r"^\s*PROMETHEUS_URL=(\S+)\s*$")


class AlvoComando(Alvo):
    tipo = "comando"
    rotulo = "comando"

    def implantar(self, ctx: Contexto) -> Resultado:
        url = self._exigir("implantar", ctx, ctx.versao, ctx.arquivo, ctx.release_id)
        try:
            self.verificar(ctx)
        except FalhaNoAlvo as falha:
            self._desfazer(ctx, falha)
            raise
        return Resultado(url=url)

    def verificar(self, ctx: Contexto) -> None:
        if "verificar" not in self.config:
            ctx.escrever("Nenhum comando de verificação configurado (configuracao.verificar).")
            return
        self._exigir("verificar", ctx, ctx.versao, ctx.arquivo, ctx.release_id)

    def reverter(self, ctx: Contexto) -> Resultado:
        if "reverter" not in self.config and not ctx.versao:
            raise FalhaNoAlvo(
                "Não há release anterior e o ambiente não tem comando de reversão (configuracao.reverter) "
                "para retirar esta."
            )
        operacao = "reverter" if "reverter" in self.config else "implantar"
        url = self._exigir(operacao, ctx, ctx.versao, ctx.arquivo, ctx.release_id, rotulo="reverter")
        return Resultado(url=url)

    def _desfazer(self, ctx: Contexto, falha: FalhaNoAlvo) -> None:
        """After a failed verification, what served before is put back (a deployment never leaves
        a release that failed its checks serving)."""
        if not ctx.anterior and "reverter" not in self.config:
            ctx.escrever(f"{falha} Sem release anterior nem comando de reversão: nada a desfazer.")
            return
        ctx.escrever(f"{falha} Revertendo para {ctx.anterior or '(nenhuma)'} …")
        anterior = Contexto(**{**ctx.__dict__, "versao": ctx.anterior, "arquivo": ctx.arquivo_anterior})
        try:
            self.reverter(anterior)
        except FalhaNoAlvo as exc:
            ctx.escrever(f"A reversão automática também falhou: {exc}")

    # --- running one command ----------------------------------------------------------------------

    def _exigir(
        self,
        operacao: str,
        ctx: Contexto,
        versao: str,
        arquivo: Path | None,
        release_id: int | None,
        rotulo: str | None = None,
    ) -> str:
        valores = {
            "arquivo": str(arquivo or ""),
            "versao": versao,
            "ambiente": self.ambiente.nome,
            "spec": ctx.spec_ref,
            "release": str(release_id or ""),
            "anterior": ctx.anterior,
            "implantacao": str(ctx.implantacao_id),
        }
        modelo = list(self.config[operacao])
        usa_marcador = any(_MARCADOR.search(a) for a in modelo)
        argv = [_MARCADOR.sub(lambda m: valores.get(m.group(1), m.group(0)), a) for a in modelo]
        if not usa_marcador:
            argv += [valores["arquivo"], valores["versao"], valores["ambiente"]]
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(ctx.trabalho),
            "LANG": "C.UTF-8",
            **{k: str(v) for k, v in (self.config.get("variaveis") or {}).items()},
            **env_repassar(list(self.config.get("herdar") or [])),
            **{f"PROMETHEUS_{k.upper()}": v for k, v in valores.items() if k not in ("anterior",)},
            "PROMETHEUS_VERSAO_ANTERIOR": valores["anterior"],
            "PROMETHEUS_OPERACAO": rotulo or operacao,
        }
        timeout = self.config.get("timeout", settings.PROMETHEUS_IMPLANTACAO_TIMEOUT)
        cwd = Path(self.config["diretorio_trabalho"]) if self.config.get("diretorio_trabalho") else ctx.trabalho
        urls: list[str] = []

        def linha(texto: str) -> None:
            if m := _URL.match(texto):
                urls.append(m.group(1))
            ctx.escrever("  │ " + texto)

        ctx.escrever(f"[{rotulo or operacao}] $ " + " ".join(argv))
        execucao = processos.executar(
            argv, cwd=cwd, env=env, timeout=timeout, linha=linha, enquanto_espera=ctx.esperando
        )
        if execucao.erro_ao_iniciar:
            raise FalhaNoAlvo(f"O comando '{operacao}' não pôde ser iniciado: {execucao.erro_ao_iniciar}")
        if execucao.tempo_esgotado:
            raise FalhaNoAlvo(
                f"O comando '{operacao}' passou do tempo limite de {timeout} s; o grupo de processos foi encerrado."
            )
        if execucao.codigo != 0:
            raise FalhaNoAlvo(f"O comando '{operacao}' terminou com o código {execucao.codigo}.")
        ctx.escrever(f"[{rotulo or operacao}] ok ({execucao.duracao:.1f} s)")
        return urls[-1] if urls else ""

    @classmethod
    def validar_configuracao(cls, config: dict[str, Any]) -> dict[str, list[str]]:
        erros: dict[str, list[str]] = {}

        def erro(chave: str, mensagem: str) -> None:
            erros.setdefault(f"configuracao.{chave}", []).append(mensagem)

        for chave in sorted(set(config) - CHAVES):
            erro(chave, f"Chave desconhecida para o alvo comando; use {', '.join(sorted(CHAVES))}.")
        if "implantar" not in config:
            erro("implantar", "O alvo comando precisa do comando de implantação.")
        for chave in ("implantar", "verificar", "reverter"):
            if chave not in config:
                continue
            if mensagem := erro_argv(config[chave]):
                erro(chave, mensagem)
                continue
            desconhecidos = sorted({m for a in config[chave] for m in _MARCADOR.findall(a)} - set(MARCADORES))
            if desconhecidos:
                erro(
                    chave,
                    f"Marcador desconhecido: {', '.join('{' + d + '}' for d in desconhecidos)}; use {', '.join('{' + m + '}' for m in MARCADORES)}.",
                )
        if "timeout" in config and (mensagem := erro_timeout(config["timeout"])):
            erro("timeout", mensagem)
        variaveis = config.get("variaveis", {})
        if not isinstance(variaveis, dict) or not all(isinstance(v, str) for v in variaveis.values()):
            erro("variaveis", "Informe um objeto {NOME: valor} com valores de texto.")
        else:
            for nome in variaveis:
                if not nome_de_variavel_valido(nome) or nome.startswith("PROMETHEUS_"):
                    erro("variaveis", f"{nome!r} não é um nome de variável permitido.")
        herdar = config.get("herdar", [])
        if not isinstance(herdar, list) or not all(nome_de_variavel_valido(n) for n in herdar):
            erro("herdar", 'Informe uma lista de nomes de variáveis, ex.: ["KUBECONFIG"].')
        elif any(n in {"DATABASE_URL", "SECRET_KEY"} or n.startswith("PROMETHEUS_") for n in herdar):
            erro(
                "herdar",
                "As variáveis do próprio PROMETHEUS (DATABASE_URL, SECRET_KEY, PROMETHEUS_*) não são repassadas.",
            )
        if "diretorio_trabalho" in config:
            valor = config["diretorio_trabalho"]
            if not isinstance(valor, str) or not valor.startswith("/"):
                erro("diretorio_trabalho", "Informe um caminho absoluto.")
        return erros
