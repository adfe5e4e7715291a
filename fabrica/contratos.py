"""The payloads (``contexto``) of the item types (docs/arquitetura.md, "The backlog contract"),
registered with MS_Backlog.

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
    "implantar": (
        "Release aprovada, fazer deploy",
        _objeto(
            {"release_ref": _REF},
            {
                "ambiente": _TEXTO,
                # Who approved the deploy (a username), checked against the environment's approvers.
                "aprovado_por": {"type": "string"},
                # The validated deployment this one promotes (fabrica.implantacao).
                "origem_ref": {"type": "string"},
                # The failed deployment this one retries (fabrica.implantacao).
                "repete_ref": {"type": "string"},
                # A rollback: release_ref names the release taken down, para_release_ref the one
                # put back (null: none, the spec stops serving there).
                "reversao": {
                    "type": "object",
                    "properties": {
                        "para_release_ref": {"type": ["string", "null"]},
                        "implantacao_ref": {"type": "string"},
                        "motivo": {"type": "string"},
                        "por": {"type": "string"},
                    },
                    "required": ["motivo"],
                },
            },
        ),
    ),
    "corrigir_bug": (
        "Bug identificado, corrigir",
        _objeto(
            {
                # a release (spec_001-v2) or a spec (spec_001: its newest release); see
                # fabrica.releases.referencias
                "feature_ref": {**_REF, "description": "release (spec_001-v2) ou spec (spec_001) a corrigir"},
                "erro": _TEXTO,
            },
            {
                "stack_trace": {"type": "string"},
                # a structured example of the bug: it becomes a regression test of the hotfix
                "caso": {
                    "type": "object",
                    "properties": {"dado": {"type": "object"}, "espera": {"type": "object", "minProperties": 1}},
                    "required": ["dado", "espera"],
                    "additionalProperties": False,
                },
            },
        ),
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
    "avaliar_efetividade": (
        "Implantação validada, avaliar efetividade",
        _objeto({"release_ref": _REF, "implantacao_ref": _REF, "ambiente": _TEXTO}, {"observacao": {"type": "string"}}),
    ),
}


def registrar() -> None:
    from fabrica.releases.referencias import erros_de_corrigir_bug

    # Rules beyond the schema, checked when the item is produced (a reference must exist).
    validadores = {"corrigir_bug": erros_de_corrigir_bug}
    for nome, (descricao, schema) in CONTRATOS.items():
        registrar_tipo(nome, schema, descricao=descricao, validar=validadores.get(nome))
