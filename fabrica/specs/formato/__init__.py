"""The specs' format (docs/arquitetura.md, "Specs"): JSON Schema, validation naming the field's
path, size measures.

A spec is a YAML document (``specs/<id>.yaml`` in the spec repository, or sent over the API).
``SPEC_SCHEMA`` describes its shape; ``validar_spec`` adds the rules a JSON Schema does not
express (unique names, references between ids, vertente ↔ section) and returns every error, each
with the field's path (``spec_poo.classes[0].atributos[1].tipo``) and a sentence in pt-BR.

Conditions (BPMN gateways, DMN cells) are structured data ``{operador, valor}``, never
expressions written by the user: the generators turn them into code, and nothing here is
evaluated.

Where each thing is:

- ``comum``: basic types, JSON Schema builders, ``ErroCampo``/``SpecInvalida``, helpers of the
  semantic rules and ``Vertente`` (what each vertente declares);
- ``estrutural`` (E, ``spec_poo``), ``processual`` (P, ``spec_bpmn``), ``decisional`` (D,
  ``spec_dmn``), ``interface`` (I, ``spec_interface``), ``integracao`` (C, ``spec_integracao``):
  each with its section's schema, its rules and what it counts for size (``medir``);
- ``vertentes``: the five, in the seed's order, and ``tamanho_por_vertente``;
- ``schema``: ``SPEC_SCHEMA`` assembled from the common sections and the vertentes' ones;
- ``mensagens``: a jsonschema error → a sentence in pt-BR;
- ``validacao``: ``validar_spec`` (schema + rules of the common sections + each vertente's rules);
- ``carregador``: the YAML (``carregar_spec``), with each error's line.

The weights that turn the measures into size units live with the coefficients that multiply
them, in ``fabrica.precificacao.modelo``.

A pure package: no Django, so the API, the workers, pricing and the tests can use it.
"""

from fabrica.specs.formato.carregador import MAX_ANINHAMENTO, carregar_spec
from fabrica.specs.formato.comum import (
    METODOS_HTTP,
    OPERADORES,
    TIPOS_BASICOS,
    TIPOS_ESCALARES,
    TIPOS_ORDENAVEIS,
    Caminho,
    ErroCampo,
    SpecInvalida,
    Vertente,
    formatar_campo,
)
from fabrica.specs.formato.decisional import POLITICAS_DMN
from fabrica.specs.formato.interface import TIPOS_CAMPO_TELA
from fabrica.specs.formato.schema import SPEC_SCHEMA
from fabrica.specs.formato.validacao import validar_spec
from fabrica.specs.formato.vertentes import POR_CODIGO, SECAO_DA_VERTENTE, VERTENTES, tamanho_por_vertente

__all__ = [
    "MAX_ANINHAMENTO",
    "METODOS_HTTP",
    "OPERADORES",
    "POLITICAS_DMN",
    "POR_CODIGO",
    "SECAO_DA_VERTENTE",
    "SPEC_SCHEMA",
    "TIPOS_BASICOS",
    "TIPOS_CAMPO_TELA",
    "TIPOS_ESCALARES",
    "TIPOS_ORDENAVEIS",
    "VERTENTES",
    "Caminho",
    "ErroCampo",
    "SpecInvalida",
    "Vertente",
    "carregar_spec",
    "formatar_campo",
    "tamanho_por_vertente",
    "validar_spec",
]
