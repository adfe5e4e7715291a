"""O formato das specs (docs/arquitetura.md, "Specs"): JSON Schema, validação com caminho do campo,
medidas de tamanho.

Uma spec é um documento YAML (``specs/<id>.yaml`` no repositório de specs, ou enviado pela API).
``SPEC_SCHEMA`` descreve a forma; ``validar_spec`` soma a ele as regras que um JSON Schema não
exprime (nomes únicos, referências entre ids, vertente ↔ seção) e devolve todos os erros, cada
um com o caminho do campo (``spec_poo.classes[0].atributos[1].tipo``) e uma frase em pt-BR.

Condições (gateways BPMN, células DMN) são dados estruturados ``{operador, valor}``, nunca
expressões escritas pelo usuário: os geradores as transformam em código, e nada aqui é avaliado.

Onde está cada coisa:

- ``comum``: tipos básicos, construtores de JSON Schema, ``ErroCampo``/``SpecInvalida``, ajudantes
  das regras semânticas e ``Vertente`` (o que cada vertente declara);
- ``estrutural`` (E, ``spec_poo``), ``processual`` (P, ``spec_bpmn``), ``decisional`` (D,
  ``spec_dmn``), ``interface`` (I, ``spec_interface``), ``integracao`` (C, ``spec_integracao``):
  cada um com o schema da sua seção, as regras dela e o que ela conta para o tamanho (``medir``);
- ``vertentes``: as cinco, na ordem do seed, e ``tamanho_por_vertente``;
- ``schema``: ``SPEC_SCHEMA`` montado com as seções comuns e as das vertentes;
- ``mensagens``: erro do jsonschema → frase em pt-BR;
- ``validacao``: ``validar_spec`` (schema + regras das seções comuns + regras de cada vertente);
- ``carregador``: o YAML (``carregar_spec``), com a linha de cada erro.

Os pesos que transformam as medidas em unidades de tamanho ficam com os coeficientes que os
multiplicam, em ``fabrica.precificacao.modelo``.

Pacote puro: sem Django, para ser usado pela API, pelos workers, pela precificação e pelos testes.
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
