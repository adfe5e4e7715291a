"""``SPEC_SCHEMA``: the JSON Schema of a spec, assembled from the sections every spec has
(runtime, requisitos_nao_funcionais, schema_tdd) and the section of each vertente."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import re2
from django.utils.translation import gettext_noop
from jsonschema import Draft202012Validator, ValidationError, validators

from fabrica.specs.formato.comum import DESCRICAO, ID, ID_SPEC, NOME, TEXTO, lista, mapa, objeto, ref
from fabrica.specs.formato.vertentes import POR_CODIGO, VERTENTES

_RUNTIME = objeto(
    {
        "apis_externas": lista(ref("id_spec"), unicos=True),
        "gpu": {"type": "boolean"},
        "containers_necessarios": lista(ref("id_spec"), unicos=True),
        # Maxima far above any machine, far below what would overflow the budget's columns.
        "cpu": {"type": "number", "exclusiveMinimum": 0, "maximum": 100_000},
        "ram_mb": {"type": "integer", "exclusiveMinimum": 0, "maximum": 1_000_000_000},
    },
    ("apis_externas", "gpu", "containers_necessarios"),
    description="o que a spec precisa para rodar; os gaps de infraestrutura vêm daqui",
)

_REQUISITOS_NAO_FUNCIONAIS = objeto(
    {
        "tps": {"type": "number", "minimum": 0, "maximum": 1_000_000_000},
        "usuarios": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000_000},
        "pico": TEXTO,
        "latencia_p95_ms": {"type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000_000},
    },
    description="carga esperada; na falta, valem os padrões do modelo de precificação (tps 10, usuarios 50)",
)

# The representative of each equivalence class: the concrete value a test uses when a combination
# of the budget asks for that class (fabrica.desenvolvimento.casos).
_REPRESENTANTES = {
    "type": "object",
    "propertyNames": ref("nome"),
    "description": "parâmetro → {classe: representante}. O representante é um valor (o teste recebe "
    "{parâmetro: valor}) ou um mapeamento {variável: valor} (o teste recebe essas variáveis no lugar do "
    "parâmetro: duracao: {longa: {duracao_segundos: 3600}}). Classe sem representante: o teste recebe "
    "{parâmetro: classe}. Cada variável vem de um só parâmetro.",
    "additionalProperties": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": {
            "description": gettext_noop(
                "um valor (texto, número, booleano ou nulo) ou um mapeamento {variável: valor}"
            ),
            "anyOf": [
                {"type": ["string", "number", "boolean", "null"]},
                {"type": "object", **mapa({}, minimo=1)},
            ],
        },
    },
}

_SCHEMA_TDD = objeto(
    {
        "cobertura": {"enum": ["pairwise", "exaustiva", "cada_valor"], "default": "pairwise"},
        # equivalence classes: parameter → distinct values. Limits: a pairwise array grows
        # with the product of the two largest domains (50 × 50 = 2,500 cases).
        "parametros": {
            **mapa({**lista(ref("escalar"), 1, unicos=True), "maxItems": 50}),
            "maxProperties": 200,
        },
        # each constraint excludes the combinations that have all these values at once
        "restricoes": lista(mapa(ref("escalar"), minimo=1)),
        "representantes": _REPRESENTANTES,
        "casos": lista(
            objeto(
                {
                    "nome": TEXTO,
                    "dado": {"type": "object"},
                    "espera": {"type": "object", "minProperties": 1},
                },
                ("dado", "espera"),
            )
        ),
    },
    ("parametros",),
    description="de onde saem os casos de teste: classes de equivalência, exclusões e exemplos",
)

SPEC_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Spec PROMETHEUS",
    "description": "Uma peça de software a precificar e construir (docs/arquitetura.md, Specs). Uma seção por vertente.",
    "$defs": {
        "id_spec": {"type": "string", "pattern": ID_SPEC, "maxLength": 100},
        "id": {"type": "string", "pattern": ID, "maxLength": 100},
        "nome": {"type": "string", "pattern": NOME, "maxLength": 100},
        "texto": {"type": "string", "minLength": 1},
        "escalar": {"type": ["string", "number", "boolean"]},
        **{nome: defn for v in POR_CODIGO.values() for nome, defn in v.defs.items()},
    },
    **objeto(
        {
            "id": ref("id_spec"),
            "titulo": TEXTO,
            "descricao": DESCRICAO,
            "vertentes": {
                **lista({"enum": list(VERTENTES)}, 1, unicos=True),
                "description": "workers que constroem a spec; cada vertente exige sua seção spec_*",
            },
            "depende_de": {
                **lista(ref("id_spec"), unicos=True),
                "default": [],
                "description": "specs construídas antes",
            },
            "runtime": _RUNTIME,
            "requisitos_nao_funcionais": _REQUISITOS_NAO_FUNCIONAIS,
            "schema_tdd": _SCHEMA_TDD,
            **{v.secao: v.schema for v in POR_CODIGO.values()},
        },
        ("id", "titulo", "vertentes", "runtime", "schema_tdd"),
    ),
}

_OPCOES_RE2 = re2.Options()
_OPCOES_RE2.log_errors = False


@functools.cache
def _padrao(padrao: str) -> re2._Regexp:
    return re2.compile(padrao, _OPCOES_RE2)


def _pattern(validador: Draft202012Validator, padrao: str, valor: object, schema: dict) -> Iterator[ValidationError]:
    """``pattern`` matched by RE2: linear time, and ``$`` is the end of the text as in ECMA-262
    (the JSON Schema dialect), so ``"spec_x\\n"`` is not an id. Python's ``re.search``, the
    jsonschema default, lets ``$`` match before a final newline."""
    if validador.is_type(valor, "string") and _padrao(padrao).search(valor) is None:
        yield ValidationError(f"{valor!r} does not match {padrao!r}")


_Validador = validators.extend(Draft202012Validator, {"pattern": _pattern})
VALIDADOR = _Validador(SPEC_SCHEMA)
