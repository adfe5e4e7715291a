"""Reading a spec's YAML: a safe loader that refuses duplicate keys, aliases and deep nesting,
and errors that cite the YAML line of the field."""

from __future__ import annotations

import yaml

from fabrica.specs.formato.comum import Caminho, ErroCampo, SpecInvalida, formatar_campo, tipo_json
from fabrica.specs.formato.mensagens import NOMES_TIPO
from fabrica.specs.formato.validacao import validar

MAX_ANINHAMENTO = 100  # níveis de aninhamento no YAML; specs reais usam menos de 10


class _CarregadorYaml(yaml.SafeLoader):
    """``SafeLoader`` que recusa chaves duplicadas e aliases.

    Chave duplicada: o YAML comum fica com a última em silêncio, e uma spec perderia conteúdo.
    Alias (``*nome``): specs chegam pela API, e aliases aninhados fazem poucos bytes virarem uma
    árvore que a validação percorreria em tempo exponencial ("billion laughs").
    """

    profundidade = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases YAML (*nome) não são aceitos em specs", self.peek_event().start_mark
            )
        # O composer desce por recursão: algumas centenas de colchetes aninhados acabariam em
        # RecursionError (um 500), muito abaixo do limite de tamanho de uma requisição.
        if self.profundidade >= MAX_ANINHAMENTO:
            raise yaml.composer.ComposerError(
                None, None, f"aninhamento acima de {MAX_ANINHAMENTO} níveis", self.peek_event().start_mark
            )
        self.profundidade += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.profundidade -= 1

    def construct_mapping(self, node, deep=False):
        vistas: set = set()
        for no_chave, _ in node.value:
            chave = self.construct_object(no_chave, deep=True)
            try:
                repetida = chave in vistas
                vistas.add(chave)
            except TypeError:  # chave não-hashable: o construtor base recusa com a mensagem dele
                continue
            if repetida:
                raise yaml.constructor.ConstructorError(None, None, f"chave duplicada: {chave}", no_chave.start_mark)
        return super().construct_mapping(node, deep=deep)


def carregar_spec(texto: str) -> dict:
    """Lê o YAML de uma spec e a valida; devolve o dicionário da spec válida.

    Levanta ``SpecInvalida`` com todos os erros: YAML ilegível (campo ``""``, com linha e coluna),
    documento que não é um mapeamento (campo ``""``), ou spec que não passa em ``validar_spec``
    (cada mensagem termina com a linha do YAML onde o campo está, ou onde deveria estar).
    """
    try:
        dados = yaml.load(texto, Loader=_CarregadorYaml)  # noqa: S506 — subclasse de SafeLoader
    except yaml.MarkedYAMLError as exc:
        marca = exc.problem_mark
        onde = f" na linha {marca.line + 1}, coluna {marca.column + 1}" if marca else ""
        raise SpecInvalida([ErroCampo("", f"YAML inválido{onde}: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise SpecInvalida([ErroCampo("", f"YAML inválido: {exc}")]) from exc
    if not isinstance(dados, dict):
        achado = "documento vazio" if dados is None else NOMES_TIPO.get(tipo_json(dados), tipo_json(dados))
        raise SpecInvalida(
            [ErroCampo("", f"o documento deve ser um mapeamento YAML (chave: valor); recebido: {achado}")]
        )
    erros = validar(dados)
    if erros:
        raiz = yaml.compose(texto, Loader=_CarregadorYaml)  # noqa: S506 — nós com posição, para as linhas
        assert raiz is not None  # a mapping, loaded above
        raise SpecInvalida([ErroCampo(formatar_campo(c), f"{m} (linha {_linha(raiz, c)})") for c, m in erros])
    return dados


def _linha(no: yaml.Node, caminho: Caminho) -> int:
    """Linha (1-based) do nó mais fundo do caminho que existe no documento."""
    for parte in caminho:
        filho = None
        if isinstance(no, yaml.MappingNode):
            filho = next((v for k, v in no.value if isinstance(k, yaml.ScalarNode) and k.value == str(parte)), None)
        elif isinstance(no, yaml.SequenceNode) and isinstance(parte, int) and parte < len(no.value):
            filho = no.value[parte]
        if filho is None:
            break
        no = filho
    return no.start_mark.line + 1
