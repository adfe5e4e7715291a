"""Reading a spec's YAML: a safe loader that refuses duplicate keys, aliases and deep nesting,
and errors that cite the YAML line of the field."""

from __future__ import annotations

import yaml
from django.utils.translation import gettext

from fabrica.specs.formato.comum import (
    LIMITE_INTEIRO,
    MAX_DIGITOS_INTEIRO,
    Caminho,
    ErroCampo,
    SpecInvalida,
    formatar_campo,
    tipo_json,
)
from fabrica.specs.formato.mensagens import NOMES_TIPO
from fabrica.specs.formato.validacao import validar

MAX_ANINHAMENTO = 100  # nesting levels in the YAML; real specs use fewer than 10
MAX_CARACTERES = 1_000_000  # of one document; the sample specs have fewer than 10 thousand


class _CarregadorYaml(yaml.SafeLoader):
    """A ``SafeLoader`` that refuses duplicate keys and aliases.

    A duplicate key: plain YAML silently keeps the last one, and a spec would lose content.
    An alias (``*nome``): specs arrive over the API, and nested aliases turn a few bytes into a
    tree the validation would walk in exponential time ("billion laughs").
    """

    profundidade = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, gettext("aliases YAML (*nome) não são aceitos em specs"), self.peek_event().start_mark
            )
        # The composer descends by recursion: a few hundred nested brackets would end in a
        # RecursionError (a 500), far below a request's size limit.
        if self.profundidade >= MAX_ANINHAMENTO:
            raise yaml.composer.ComposerError(
                None,
                None,
                gettext("aninhamento acima de %(n)s níveis") % {"n": MAX_ANINHAMENTO},
                self.peek_event().start_mark,
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
            except TypeError:  # an unhashable key: the base constructor refuses it with its own message
                continue
            if repetida:
                raise yaml.constructor.ConstructorError(
                    None, None, gettext("chave duplicada: %(c)s") % {"c": chave}, no_chave.start_mark
                )
        return super().construct_mapping(node, deep=deep)


def carregar_spec(texto: str) -> dict:
    """Reads a spec's YAML and validates it; returns the valid spec's dict.

    Raises ``SpecInvalida`` with every error: unreadable YAML (field ``""``, with line and
    column), values YAML reads and Python does not keep (an integer of thousands of digits, the
    date ``2024-99-99``: the field of each), a document that is not a mapping (field ``""``), or a
    spec that fails ``validar_spec`` (each message ends with the YAML line where the field is, or
    where it should be).
    """
    if len(texto) > MAX_CARACTERES:
        raise SpecInvalida(
            [
                ErroCampo(
                    "",
                    gettext("a spec tem %(n)s caracteres; o máximo é %(max)s")
                    % {"n": len(texto), "max": MAX_CARACTERES},
                )
            ]
        )
    carregador = _CarregadorYaml(texto)
    try:
        raiz = carregador.get_single_node()
        if raiz is not None:
            impossiveis = _valores_impossiveis(carregador, raiz, ())
            if impossiveis:
                raise SpecInvalida(
                    [ErroCampo(formatar_campo(c), _na_linha(m, no.start_mark.line + 1)) for c, m, no in impossiveis]
                )
        dados = carregador.construct_document(raiz) if raiz is not None else None
    except _ERROS_DO_CONSTRUTOR as exc:  # a tag the walk above did not foresee: still a 400
        raise SpecInvalida(
            [ErroCampo("", gettext("YAML inválido: um valor não pôde ser lido (%(e)s)") % {"e": exc})]
        ) from exc
    except yaml.MarkedYAMLError as exc:
        marca = exc.problem_mark
        if marca:
            frase = gettext("YAML inválido na linha %(linha)s, coluna %(coluna)s: %(e)s") % {
                "linha": marca.line + 1,
                "coluna": marca.column + 1,
                "e": exc.problem,
            }
        else:
            frase = gettext("YAML inválido: %(e)s") % {"e": exc.problem}
        raise SpecInvalida([ErroCampo("", frase)]) from exc
    except yaml.YAMLError as exc:
        raise SpecInvalida([ErroCampo("", gettext("YAML inválido: %(e)s") % {"e": exc})]) from exc
    finally:
        carregador.dispose()
    if not isinstance(dados, dict):
        achado = gettext("documento vazio") if dados is None else NOMES_TIPO.get(tipo_json(dados), tipo_json(dados))
        raise SpecInvalida(
            [
                ErroCampo(
                    "",
                    gettext("o documento deve ser um mapeamento YAML (chave: valor); recebido: %(a)s") % {"a": achado},
                )
            ]
        )
    erros = validar(dados)
    if erros:
        assert raiz is not None  # the document is a mapping: its node exists
        raise SpecInvalida([ErroCampo(formatar_campo(c), _na_linha(m, _linha(raiz, c))) for c, m in erros])
    return dados


def _na_linha(mensagem: str, linha: int) -> str:
    return gettext("%(mensagem)s (linha %(linha)s)") % {"mensagem": mensagem, "linha": linha}


_TAG = "tag:yaml.org,2002:"
_INTEIRO = _TAG + "int"
# Scalar constructors that fail with Python's errors, not YAML's, on a bad value (!!int abc,
# !!bool talvez, !!timestamp 2024-99-99): each value is tried here, where its path is known.
_ESCALARES = {_INTEIRO, _TAG + "float", _TAG + "bool", _TAG + "timestamp"}
_PADRAO: dict[type, str] = {yaml.MappingNode: _TAG + "map", yaml.SequenceNode: _TAG + "seq"}
_ERROS_DO_CONSTRUTOR = (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError)


def _valores_impossiveis(
    carregador: _CarregadorYaml, no: yaml.Node, caminho: Caminho
) -> list[tuple[Caminho, str, yaml.Node]]:
    """The values YAML's constructor could not keep, with each one's path: integers above
    ``MAX_DIGITOS_INTEIRO`` digits (Python refuses to convert text above 4,300, and such a number
    fits no field of a spec), impossible dates, and values an explicit tag cannot read
    (``!!int abc``, ``!!set [1]``)."""
    if isinstance(no, yaml.ScalarNode):
        return _escalar_impossivel(carregador, no, caminho)
    achados = []
    if no.tag != _PADRAO.get(type(no)):
        # An explicit tag on a collection (!!set, !!omap…): tried whole here, to have the path.
        try:  # an error of YAML itself (with line and column) goes up as it is
            carregador.construct_object(no, deep=True)
        except _ERROS_DO_CONSTRUTOR as exc:
            frase = gettext("valor inválido para a tag %(tag)s: %(e)s") % {"tag": no.tag.removeprefix(_TAG), "e": exc}
            return [(caminho, frase, no)]
    if isinstance(no, yaml.MappingNode):
        for chave, valor in no.value:
            nome = chave.value if isinstance(chave, yaml.ScalarNode) else "?"
            achados += _valores_impossiveis(carregador, chave, (*caminho, nome))
            achados += _valores_impossiveis(carregador, valor, (*caminho, nome))
    elif isinstance(no, yaml.SequenceNode):
        achados += [a for i, item in enumerate(no.value) for a in _valores_impossiveis(carregador, item, (*caminho, i))]
    return achados


def _escalar_impossivel(
    carregador: _CarregadorYaml, no: yaml.ScalarNode, caminho: Caminho
) -> list[tuple[Caminho, str, yaml.Node]]:
    if no.tag not in _ESCALARES:
        return []
    grande = gettext("número inteiro com mais de %(n)s dígitos não é aceito") % {"n": MAX_DIGITOS_INTEIRO}
    if no.tag == _INTEIRO and sum(ch.isalnum() for ch in no.value) > MAX_DIGITOS_INTEIRO:
        return [(caminho, grande, no)]  # not even built: int("9" * 5000) raises ValueError
    try:
        valor = carregador.construct_object(no)
    except _ERROS_DO_CONSTRUTOR as exc:
        tipo = no.tag.removeprefix(_TAG)
        if tipo == "timestamp":
            detalhe = f" ({exc})" if isinstance(exc, ValueError) else ""
            frase = gettext("data impossível: %(v)s%(detalhe)s; se é um texto, escreva entre aspas")
            return [(caminho, frase % {"v": no.value, "detalhe": detalhe}, no)]
        return [
            (caminho, gettext("valor inválido para o tipo %(tipo)s: %(v)s") % {"tipo": tipo, "v": repr(no.value)}, no)
        ]
    if isinstance(valor, int) and not isinstance(valor, bool) and abs(valor) >= LIMITE_INTEIRO:
        return [(caminho, grande, no)]
    return []


def _linha(no: yaml.Node, caminho: Caminho) -> int:
    """The line (1-based) of the deepest node of the path that exists in the document."""
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
