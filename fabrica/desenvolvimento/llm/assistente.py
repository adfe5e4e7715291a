"""The model-backed generator and corrector (docs/modelo.md): the same interfaces as the Jinja
generator and the deterministic corrector (``Gerador``, ``Corretor``), so the loop of
``fabrica.desenvolvimento.ciclo`` runs them unchanged.

``GeradorModelo`` renders every artefact with the templates (the scaffold), then ``completar``
asks the model to fill in what the spec gives only in natural language. ``CorretorModelo`` asks
it to fix what failed, with the failing tests and their messages and the reason a person gave.
Both build the prompt from the vertente's instructions (``M3_<V>_*.md``: the spec repository's
``_catalogo/templates/`` first, else the project's, rendered like the Jinja templates), the
vertente's section of the spec and the files it may edit; both apply the answer through
``edicoes`` (strict SEARCH/REPLACE, allow-list, parse, compile, ruff). Whatever goes wrong — the
service, the answer, the edit — is a ``Correcao`` that changed nothing and says why, with the
call's record (prompt, answer, tokens, cost, time). Pure Python: no Django.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fabrica.desenvolvimento.corretor import Correcao, Corretor, PedidoCorrecao
from fabrica.desenvolvimento.gerador import TEMPLATES_DO_PROJETO, GeradorTemplates
from fabrica.desenvolvimento.llm import edicoes
from fabrica.desenvolvimento.llm.cliente import ClienteModelo

SECAO_DA_VERTENTE = {"E": "spec_poo", "P": "spec_bpmn", "D": "spec_dmn", "I": "spec_interface", "C": "spec_integracao"}
# The module of E's method bodies: the only file the model may edit there (the rest is the
# validation the spec's constraints demand, already complete).
MODULO_DOS_METODOS = "modelos.py"
MENSAGEM_MAX = 1500  # characters of one failing test's message in the prompt
FALHAS_MAX = 30  # failing tests listed in the prompt
TESTES_MAX = 40_000  # characters of test files shown (read-only) in a correction prompt

FORMATO = """
## Formato da resposta (obrigatório)

Responda somente com blocos de edição SEARCH/REPLACE, um por trecho alterado, assim:

{exemplo}/modelos.py
<<<<<<< SEARCH
        raise NotImplementedError(
            "..."
        )
=======
        return 42
>>>>>>> REPLACE

- A linha antes de `<<<<<<< SEARCH` é o caminho do arquivo, exatamente como listado.
- O texto de SEARCH copia linhas do arquivo atual exatamente (espaços incluídos) e aparece uma só
  vez nele; o de REPLACE o substitui.
- Arquivos que você pode editar: {permitidos}. Qualquer outro é recusado, e a resposta inteira
  com ele.
- Depois das edições, cada arquivo Python precisa compilar e passar no `ruff check`.
- Nada de JSON, nada de arquivo inteiro: só os blocos.
"""


def permitidos(pedido: PedidoCorrecao) -> set[str]:
    """What the model may edit: E's method bodies' module; for the other vertentes the code of
    their package. Never a test generated from the budget, never the release's root files."""
    raiz = f"{pedido.pacote}/{pedido.nome}/"
    codigo = {a.caminho for a in pedido.artefatos if a.papel == "codigo" and a.caminho.startswith(raiz)}
    if pedido.vertente == "E":
        return codigo & {raiz + MODULO_DOS_METODOS}
    return codigo


def instrucoes(vertente: str, sobreposicoes: Path | None) -> str:
    """The name of the vertente's instructions: ``M3_<V>_*.md`` of the spec repository, else the project's."""
    for pasta in (sobreposicoes, TEMPLATES_DO_PROJETO):
        if pasta is not None and pasta.is_dir():
            encontrados = sorted(p.name for p in pasta.glob(f"M3_{vertente}_*.md") if p.is_file())
            if encontrados:
                return encontrados[0]
    raise LookupError(f"Nenhum template M3_{vertente}_*.md para a vertente {vertente}.")


def _bloco(texto: str, linguagem: str = "") -> str:
    return f"```{linguagem}\n{texto.rstrip()}\n```"


class Assistente:
    """What the generator and the corrector share: the prompt, the call, the edits."""

    def __init__(self, cliente: ClienteModelo, templates: GeradorTemplates, sobreposicoes: Path | None) -> None:
        self.cliente, self.templates, self.sobreposicoes = cliente, templates, sobreposicoes

    @property
    def nome(self) -> str:
        return f"modelo:{self.cliente.nome}"

    def prompt(self, pedido: PedidoCorrecao) -> tuple[str, str]:
        spec = pedido.spec
        aceitos = permitidos(pedido)
        contexto = {
            "spec_id": spec.get("id", ""),
            "titulo": spec.get("titulo", ""),
            "vertente": pedido.vertente,
            "nome": pedido.nome,
            "pacote": pedido.pacote,
        }
        sistema = self.templates.renderizar(instrucoes(pedido.vertente, self.sobreposicoes), contexto)
        sistema += FORMATO.format(
            exemplo=f"{pedido.pacote}/{pedido.nome}", permitidos=", ".join(sorted(aceitos)) or "nenhum"
        )
        secao = SECAO_DA_VERTENTE.get(pedido.vertente, "")
        partes = [
            f"# Spec {spec.get('id', '')}: {spec.get('titulo', '')}",
            f"## {secao}",
            _bloco(yaml.safe_dump(spec.get(secao), allow_unicode=True, sort_keys=False), "yaml"),
        ]
        if pedido.tentativa == 0:
            partes += ["## O que falta implementar", *(f"- {p}" for p in pedido.pendencias)]
        else:
            partes.append(f"## Correção: tentativa {pedido.tentativa}")
        if pedido.motivo:
            partes += ["## Motivo informado (correção pedida por uma pessoa ou sistema)", _bloco(pedido.motivo)]
        if pedido.falhas:
            partes.append(f"## Testes que falharam ({len(pedido.falhas)})")
            for falha in pedido.falhas[:FALHAS_MAX]:
                partes += [f"### {falha.nome} ({falha.status})", _bloco(falha.mensagem[-MENSAGEM_MAX:])]
        elif pedido.tentativa > 0:
            partes.append("Todos os testes passam: o motivo acima descreve um erro que eles ainda não pegam.")
        partes.append("## Arquivos que você pode editar")
        for artefato in pedido.artefatos:
            if artefato.caminho in aceitos:
                partes += [f"### {artefato.caminho}", _bloco(artefato.conteudo, "python")]
        com_falha = {f.arquivo for f in pedido.falhas if f.arquivo}
        testes = [a for a in pedido.artefatos if a.papel == "teste" and a.caminho in com_falha]
        if testes:
            partes.append("## Testes que falharam, por arquivo (somente leitura)")
            espaco = TESTES_MAX
            for artefato in testes:
                trecho = artefato.conteudo[:espaco]
                espaco -= len(trecho)
                partes += [f"### {artefato.caminho}", _bloco(trecho, "python")]
                if espaco <= 0:
                    break
        return sistema, "\n\n".join(partes) + "\n"

    def propor(self, pedido: PedidoCorrecao) -> Correcao:
        rotulo = "Geração" if pedido.tentativa == 0 else f"Tentativa {pedido.tentativa}"
        try:
            sistema, usuario = self.prompt(pedido)
        except Exception as exc:  # noqa: BLE001 - a template that fails is a reason, not a crash
            return Correcao(pedido.artefatos, f"{rotulo}: o prompt não pôde ser montado: {exc}")
        chamada = self.cliente.conversar(sistema, usuario)
        registro: dict[str, Any] = chamada.como_dict() | {"modelo": self.cliente.nome}
        if chamada.falha:
            return Correcao(pedido.artefatos, f"{rotulo}: {chamada.falha} Nada foi alterado.", chamada=registro)
        try:
            blocos = edicoes.ler(chamada.resposta)
            novos = edicoes.aplicar(pedido.artefatos, blocos, permitidos(pedido))
        except edicoes.EdicaoRecusada as exc:
            motivo = str(exc)
            if chamada.finalizacao == "length":  # the model was still writing: say so beside the reason
                motivo += f" A resposta foi cortada no limite de {chamada.max_tokens} tokens (max_tokens)."
            registro["falha"] = motivo
            return Correcao(pedido.artefatos, f"{rotulo}: resposta do modelo recusada. {motivo}", chamada=registro)
        arquivos = sorted({b.caminho for b in blocos})
        return Correcao(
            novos,
            f"{rotulo}: o modelo {self.cliente.nome} propôs {len(blocos)} "
            f"ediç{'ões' if len(blocos) > 1 else 'ão'} em {', '.join(arquivos)}.",
            chamada=registro,
        )


class GeradorModelo:
    """The templates' scaffold, filled in by the model where the spec gives only natural language."""

    def __init__(self, assistente: Assistente, vertentes: tuple[str, ...]) -> None:
        self.assistente, self.vertentes = assistente, vertentes
        self.nome = assistente.nome

    @property
    def tokens(self) -> int:
        return self.assistente.cliente.tokens

    def gerar(self, vertente: str, template: str, contexto: dict[str, Any]) -> str:
        return self.assistente.templates.gerar(vertente, template, contexto)

    def completar(self, pedido: PedidoCorrecao) -> Correcao | None:
        if pedido.vertente not in self.vertentes or not pedido.pendencias:
            return None
        return self.assistente.propor(pedido)


class CorretorModelo:
    """Corrections by the model for the configured vertentes; the others keep the deterministic one."""

    def __init__(self, assistente: Assistente, vertentes: tuple[str, ...], outro: Corretor) -> None:
        self.assistente, self.vertentes, self.outro = assistente, vertentes, outro
        self.nome = assistente.nome

    def le_motivo(self, vertente: str) -> bool:
        """Whether a person's reason for a fix is read for this vertente (the loop then asks once
        even when every test passes: the reason may name what no test checks yet)."""
        return vertente in self.vertentes

    def corrigir(self, pedido: PedidoCorrecao) -> Correcao:
        if pedido.vertente not in self.vertentes:
            return self.outro.corrigir(pedido)
        return self.assistente.propor(pedido)


def construtores(
    cliente: ClienteModelo, templates: GeradorTemplates, sobreposicoes: Path | None, deterministico: Corretor
) -> tuple[GeradorModelo, CorretorModelo]:
    assistente = Assistente(cliente, templates, sobreposicoes)
    config = cliente.config
    return GeradorModelo(assistente, config.gerar), CorretorModelo(assistente, config.corrigir, deterministico)
