"""Correctors (``corrigir``, docs/desenvolvimento.md "The loop"): given what failed, propose changed
artefacts.

The corrector is an interface: ``CorretorDeterministico`` is the default, and a language-model
corrector would sit behind the same call. The default never touches what a test asserts (a
correction that edits expectations until they pass would be a lie); it tries, in order, the
repairs whose symptom it sees, each at most once, and always says what it tried:

- ``templates_do_projeto``: the spec repository overrides this vertente's templates
  (``_catalogo/templates/<vertente>/``) — regenerate with the project's own templates;
- ``normalizar_fontes``: Python that does not parse because of tabs, carriage returns or a
  byte-order mark — normalise the whitespace (tabs in indentation become four spaces).

When none applies it changes nothing and names the kinds of failure it saw (a method given
only by natural-language rules fails with ``NotImplementedError``: it needs an implementation,
which no deterministic repair can write). Pure Python: no Django.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from fabrica.desenvolvimento.base import Artefato, Gerador
from fabrica.desenvolvimento.sandbox import ResultadoTeste


@dataclass
class PedidoCorrecao:
    vertente: str
    nome: str  # the vertente's name in paths (estrutural, …)
    pacote: str
    tentativa: int  # 1, 2, 3
    artefatos: list[Artefato]  # this vertente's, as they are now
    falhas: list[ResultadoTeste]  # what did not pass
    historico: list[str] = field(default_factory=list)  # repairs already applied to this vertente
    repositorio_sobrepoe: bool = False  # the spec repository overrides this vertente's templates
    # Regenerates the vertente's artefacts with another generator (project templates only, …).
    regenerar: Callable[[Gerador], list[Artefato]] | None = None
    # What a model-backed corrector reads besides the failures (docs/modelo.md): the spec, the
    # parts given only in natural language, and the reason a person gave for a fix.
    spec: dict[str, Any] = field(default_factory=dict)
    pendencias: list[str] = field(default_factory=list)
    motivo: str = ""


@dataclass
class Correcao:
    artefatos: list[Artefato]
    descricao: str  # what was tried, in a sentence, for the PO and the developer
    reparo: str = ""  # the repair applied ("" when none applied)
    # A model's call (prompt, answer, tokens, cost, time, why it failed): kept on the attempt.
    chamada: dict[str, Any] | None = None


class Corretor(Protocol):
    nome: str

    def corrigir(self, pedido: PedidoCorrecao) -> Correcao: ...


_TIPO = re.compile(r"\b([A-Z][A-Za-z]*(?:Error|Exception|Timeout|Exit))\b")


def tipo_de_falha(mensagem: str) -> str:
    if "Timeout" in mensagem and "pytest-timeout" in mensagem:
        return "tempo esgotado"
    encontrado = _TIPO.search(mensagem or "")
    return encontrado.group(1) if encontrado else "falha"


def resumo_das_falhas(falhas: list[ResultadoTeste]) -> str:
    contagem = Counter(tipo_de_falha(f.mensagem) if f.status != "ausente" else "sem teste" for f in falhas)
    partes = []
    for tipo, n in contagem.most_common():
        rotulo = f"{tipo} em {n} teste{'s' if n > 1 else ''}"
        if tipo == "NotImplementedError":
            rotulo += " (precisa de implementação)"
        partes.append(rotulo)
    return "; ".join(partes) or "nenhuma falha descrita"


class CorretorDeterministico:
    nome = "deterministico"

    def __init__(self, gerador_do_projeto: Gerador | None = None) -> None:
        self.gerador_do_projeto = gerador_do_projeto

    def corrigir(self, pedido: PedidoCorrecao) -> Correcao:
        for reparo in (self._templates_do_projeto, self._normalizar_fontes):
            if reparo.__name__.lstrip("_") in pedido.historico:
                continue
            correcao = reparo(pedido)
            if correcao is not None:
                return correcao
        return Correcao(
            artefatos=pedido.artefatos,
            descricao=(
                f"Tentativa {pedido.tentativa}: nenhum reparo determinístico se aplica a "
                f"{resumo_das_falhas(pedido.falhas)}. Reparos conhecidos: templates do projeto no lugar "
                "dos do repositório, espaços e tabulações do Python que não compila"
                + (f" (já aplicados: {', '.join(pedido.historico)})" if pedido.historico else "")
                + "; nada foi alterado."
            ),
        )

    def _templates_do_projeto(self, pedido: PedidoCorrecao) -> Correcao | None:
        if not (pedido.repositorio_sobrepoe and pedido.regenerar and self.gerador_do_projeto):
            return None
        novos = pedido.regenerar(self.gerador_do_projeto)
        return Correcao(
            artefatos=novos,
            descricao=(
                f"Tentativa {pedido.tentativa}: o repositório de specs sobrepõe os templates da vertente "
                f"{pedido.vertente}; artefatos gerados de novo com os templates do projeto."
            ),
            reparo="templates_do_projeto",
        )

    def _normalizar_fontes(self, pedido: PedidoCorrecao) -> Correcao | None:
        sintomas = ("TabError", "IndentationError", "invalid non-printable character", "SyntaxError")
        if not any(s in f.mensagem for f in pedido.falhas for s in sintomas):
            return None
        alterados, novos = [], []
        for artefato in pedido.artefatos:
            if artefato.caminho.endswith(".py"):
                texto = _normalizar(artefato.conteudo)
                if texto != artefato.conteudo:
                    alterados.append(artefato.caminho)
                    artefato = replace(artefato, conteudo=texto)
            novos.append(artefato)
        if not alterados:
            return None
        return Correcao(
            artefatos=novos,
            descricao=(
                f"Tentativa {pedido.tentativa}: Python que não compila por tabulações, CR ou BOM; espaços "
                f"normalizados em {', '.join(alterados)} (tabulação da indentação = 4 espaços)."
            ),
            reparo="normalizar_fontes",
        )


def _normalizar(texto: str) -> str:
    texto = texto.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    linhas = []
    for linha in texto.split("\n"):
        corpo = linha.lstrip(" \t")
        linhas.append(linha[: len(linha) - len(corpo)].expandtabs(4) + corpo)
    return "\n".join(linhas)
