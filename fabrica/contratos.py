"""The payloads (``contexto``) of the item types of seed §2, registered with MS_Backlog.

Types PROMETHEUS consumes (orcar_spec, desenvolvimento, implantar, corrigir_bug), produces
(aprovar_orcamento, entrevistar_dor, aprovar_release, validar_implantacao) and the PO's
(ajustar_spec, avaliar_efetividade). Extra keys are allowed: the seed lists what is expected,
and producers may add context.
"""

from __future__ import annotations

from backlog.tipos import registrar_tipo

# The name PROMETHEUS produces items under, and the actor of what the factory does on its own
# (a person is ``prometheus_site.atores.ator_de(user)``).
PRODUTOR = "PROMETHEUS"

_TEXTO = {"type": "string", "minLength": 1}
_REF = {"type": "string", "minLength": 1, "maxLength": 100}
_LISTA_TEXTO = {"type": "array", "items": {"type": "string"}}


def _objeto(obrigatorios: dict, opcionais: dict | None = None) -> dict:
    return {
        "type": "object",
        "properties": {**obrigatorios, **(opcionais or {})},
        "required": list(obrigatorios),
    }


CONTRATOS: dict[str, tuple[str, dict]] = {
    "orcar_spec": ("Spec pronta, precificar antes de desenvolver", _objeto({"spec_ref": _REF})),
    "desenvolvimento": (
        "Orçamento aprovado, pode desenvolver",
        _objeto({"spec_ref": _REF, "spec_recursos": {"type": "object"}}),
    ),
    "implantar": ("Release aprovada, fazer deploy", _objeto({"release_ref": _REF}, {"ambiente": _TEXTO})),
    "corrigir_bug": (
        "Bug identificado, corrigir",
        _objeto({"feature_ref": _REF, "erro": _TEXTO}, {"stack_trace": {"type": "string"}}),
    ),
    "aprovar_orcamento": (
        "Orçamento para aprovação do PO",
        _objeto({"spec_ref": _REF, "spec_recursos": {"type": "object"}}),
    ),
    "entrevistar_dor": (
        "GAP de infra como dor de PROMETHEUS",
        _objeto(
            {
                "sintoma": _TEXTO,
                "frequencia": _TEXTO,
                "afetados": _LISTA_TEXTO,
                "impacto": _TEXTO,
                "tentativas": _LISTA_TEXTO,
                "criterio_sucesso": _TEXTO,
            },
            {
                "spec_origem_ref": _REF,
                "bloqueando": {"type": "array"},
                "alternativas": _LISTA_TEXTO,
                "recurso": _TEXTO,
                "tipo_recurso": _TEXTO,
            },
        ),
    ),
    "aprovar_release": (
        "Release para aprovação do PO",
        _objeto(
            {"release_ref": _REF},
            {
                "spec_ref": _REF,
                "artefatos": _LISTA_TEXTO,
                "testes_passaram": {"type": "boolean"},
                "cobertura": {"type": "number", "minimum": 0, "maximum": 100},
            },
        ),
    ),
    "validar_implantacao": (
        "Deploy concluído, MS_Produto valida",
        _objeto({"release_ref": _REF, "implantacao_ref": _REF, "ambiente": _TEXTO}, {"url": {"type": "string"}}),
    ),
    "ajustar_spec": ("Orçamento devolvido para ajuste da spec", _objeto({"spec_ref": _REF, "motivo": _TEXTO})),
    "avaliar_efetividade": ("Implantação validada, avaliar efetividade", _objeto({"release_ref": _REF})),
}


def registrar() -> None:
    for nome, (descricao, schema) in CONTRATOS.items():
        registrar_tipo(nome, schema, descricao=descricao)
