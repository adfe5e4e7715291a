"""The names that go over the wire, in one place: the item types (docs/arquitetura.md, "The
backlog contract") and their payloads (``contexto``) registered with MS_Backlog, who produces
them, and the label that names a release.

Types PROMETHEUS consumes (orcar_spec, desenvolvimento, implantar, corrigir_bug), produces
(aprovar_orcamento, entrevistar_dor, aprovar_release, validar_implantacao) and the PO's
(ajustar_spec, avaliar_efetividade). Extra keys are allowed: the seed lists what is expected,
and producers may add context.

Code never spells a type, a producer or a payload itself: it names ``TipoItem`` and builds the
item with the ``item_*`` builder of its type, so a key is written here once. The payload keys
stay as the seed spells them (``release_ref``, ``feature_ref``); in code a release's label is
``rotulo_versao`` (``spec_001-v2``), formatted and read only by the two functions below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from django.urls import reverse

from backlog.services import NovoItem
from backlog.tipos import registrar_tipo


class TipoItem(StrEnum):
    """The item types PROMETHEUS and the PO exchange on MS_Backlog (docs/arquitetura.md, "The backlog
    contract")."""

    ORCAR_SPEC = "orcar_spec"
    APROVAR_ORCAMENTO = "aprovar_orcamento"
    ENTREVISTAR_DOR = "entrevistar_dor"
    DESENVOLVIMENTO = "desenvolvimento"
    AJUSTAR_SPEC = "ajustar_spec"
    IMPLANTAR = "implantar"
    CORRIGIR_BUG = "corrigir_bug"
    APROVAR_RELEASE = "aprovar_release"
    VALIDAR_IMPLANTACAO = "validar_implantacao"
    AVALIAR_EFETIVIDADE = "avaliar_efetividade"
    # PROMETHEUS's internal items (seed §4.1, "Cada worker pode produzir items internos"): one per
    # vertente of a build, and the assembly that packages the release when they all concluded.
    # The seed names worker_estrutura, worker_processo and worker_dados (the D worker's table of
    # decisions, DMN) "etc."; I and C follow the same pattern.
    WORKER_ESTRUTURA = "worker_estrutura"
    WORKER_PROCESSO = "worker_processo"
    WORKER_DADOS = "worker_dados"
    WORKER_INTERFACE = "worker_interface"
    WORKER_INTEGRACAO = "worker_integracao"
    MONTAR_RELEASE = "montar_release"


# The internal item of each vertente (E P D I C, fabrica.desenvolvimento.base.NOME_DA_VERTENTE).
TIPO_DA_VERTENTE: dict[str, TipoItem] = {
    "E": TipoItem.WORKER_ESTRUTURA,
    "P": TipoItem.WORKER_PROCESSO,
    "D": TipoItem.WORKER_DADOS,
    "I": TipoItem.WORKER_INTERFACE,
    "C": TipoItem.WORKER_INTEGRACAO,
}
# Produced and concluded only by PROMETHEUS's own services (their access rule grants nothing).
TIPOS_INTERNOS = (*TIPO_DA_VERTENTE.values(), TipoItem.MONTAR_RELEASE)


# The name PROMETHEUS produces items under, and the actor of what the factory does on its own
# (a person is ``prometheus_site.atores.ator_de(user)``).
PRODUTOR = "PROMETHEUS"
# What the PO's decisions produce is produced under the product system's name (MS_Produto acts as
# the PO: docs/arquitetura.md, "The backlog contract"); who decided is in the item's events and in the payload.
PRODUTOR_PO = "MS_Produto"
# A rollback goes before deployments waiting in the queue.
PRIORIDADE_REVERSAO = 100

# --- a release's label --------------------------------------------------------------------------

# A spec id (fabrica.specs.formato.comum.ID_SPEC) and a version that fits the database's integer.
_SPEC = r"[a-z0-9_]+"
_ROTULO = re.compile(rf"(?P<spec>{_SPEC})-v(?P<versao>[0-9]{{1,9}})")
_SPEC_REF = re.compile(_SPEC)


def rotulo_versao(spec_ref: str, versao: int) -> str:
    """A release's label, as ``release_ref``/``feature_ref`` carry it: ``spec_001-v2``."""
    return f"{spec_ref}-v{versao}"


def ler_rotulo_versao(texto: str) -> tuple[str, int] | None:
    """``(spec_ref, versao)`` of a release label, or None when ``texto`` is not one."""
    casamento = _ROTULO.fullmatch(texto or "")
    if casamento is None:
        return None
    return casamento["spec"], int(casamento["versao"])


def e_spec_ref(texto: str) -> bool:
    """Whether ``texto`` is a spec id (``spec_001``), as a ``feature_ref`` may name one."""
    return _SPEC_REF.fullmatch(texto or "") is not None


# --- the schemas ------------------------------------------------------------------------------------

_TEXTO = {"type": "string", "minLength": 1}
_REF = {"type": "string", "minLength": 1, "maxLength": 100}
_LISTA_TEXTO = {"type": "array", "items": {"type": "string"}}


def _objeto(obrigatorios: dict, opcionais: dict | None = None) -> dict:
    return {
        "type": "object",
        "properties": {**obrigatorios, **(opcionais or {})},
        "required": list(obrigatorios),
    }


CONTRATOS: dict[TipoItem, tuple[str, dict]] = {
    TipoItem.ORCAR_SPEC: ("Spec pronta, precificar antes de desenvolver", _objeto({"spec_ref": _REF})),
    TipoItem.DESENVOLVIMENTO: (
        "Orçamento aprovado, pode desenvolver",
        _objeto({"spec_ref": _REF, "spec_recursos": {"type": "object"}}),
    ),
    TipoItem.IMPLANTAR: (
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
    TipoItem.CORRIGIR_BUG: (
        "Bug identificado, corrigir",
        _objeto(
            {
                # a release (spec_001-v2) or a spec (spec_001: its newest release); see
                # fabrica.selectors.release_a_corrigir
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
    TipoItem.APROVAR_ORCAMENTO: (
        "Orçamento para aprovação do PO",
        _objeto({"spec_ref": _REF, "spec_recursos": {"type": "object"}}),
    ),
    TipoItem.ENTREVISTAR_DOR: (
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
    TipoItem.APROVAR_RELEASE: (
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
    TipoItem.VALIDAR_IMPLANTACAO: (
        "Deploy concluído, MS_Produto valida",
        _objeto({"release_ref": _REF, "implantacao_ref": _REF, "ambiente": _TEXTO}, {"url": {"type": "string"}}),
    ),
    TipoItem.AJUSTAR_SPEC: ("Orçamento devolvido para ajuste da spec", _objeto({"spec_ref": _REF, "motivo": _TEXTO})),
    TipoItem.AVALIAR_EFETIVIDADE: (
        "Implantação validada, avaliar efetividade",
        _objeto({"release_ref": _REF, "implantacao_ref": _REF, "ambiente": _TEXTO}, {"observacao": {"type": "string"}}),
    ),
}


# An internal item pins what its build is made of, so every node builds the same thing whenever it
# runs: the item that asked for the build (``origem``), the spec version, the budget and the
# release a hotfix fixes (database ids).
_FIXADO = {
    "spec_ref": _REF,
    "origem": {"type": "integer"},
    "spec_versao_id": {"type": "integer"},
    "orcamento_id": {"type": ["integer", "null"]},
    "corrige_id": {"type": ["integer", "null"]},
}
for _tipo, _vertente in ((t, v) for v, t in TIPO_DA_VERTENTE.items()):
    CONTRATOS[_tipo] = (
        f"Interno: construir a vertente {_vertente} de uma spec",
        _objeto({**_FIXADO, "vertente": {"type": "string", "enum": [_vertente]}}),
    )
CONTRATOS[TipoItem.MONTAR_RELEASE] = (
    "Interno: montar a release quando todas as vertentes concluírem",
    _objeto({**_FIXADO, "vertentes": _LISTA_TEXTO}),
)


# --- the builders: one per item type that fabrica produces ---------------------------------------


def item_orcar_spec(*, spec_ref: str, produtor: str) -> NovoItem:
    return NovoItem(tipo=TipoItem.ORCAR_SPEC, produtor=produtor, spec_ref=spec_ref, contexto={"spec_ref": spec_ref})


def item_entrevistar_dor(*, spec_ref: str, contexto: dict[str, Any]) -> NovoItem:
    """A gap of infrastructure as PROMETHEUS's pain (``contexto``: ``Gap.contexto_dor``)."""
    return NovoItem(tipo=TipoItem.ENTREVISTAR_DOR, produtor=PRODUTOR, spec_ref=spec_ref, contexto=contexto)


def item_aprovar_orcamento(
    *, spec_ref: str, spec_recursos: dict[str, Any], spec_recursos_id: int, depende_de_gerados: Sequence[int] = ()
) -> NovoItem:
    return NovoItem(
        tipo=TipoItem.APROVAR_ORCAMENTO,
        produtor=PRODUTOR,
        spec_ref=spec_ref,
        contexto={"spec_ref": spec_ref, "spec_recursos": spec_recursos, "spec_recursos_id": spec_recursos_id},
        depende_de_gerados=list(depende_de_gerados),
    )


def item_desenvolvimento(*, spec_ref: str, spec_recursos: dict[str, Any], depende_de: Sequence[int] = ()) -> NovoItem:
    """The PO approved the budget: develop the spec (after the specs it depends on)."""
    return NovoItem(
        tipo=TipoItem.DESENVOLVIMENTO,
        produtor=PRODUTOR_PO,
        spec_ref=spec_ref,
        contexto={"spec_ref": spec_ref, "spec_recursos": spec_recursos},
        depende_de=list(depende_de),
    )


def montagem_url(origem: int) -> str:
    """Where a build's outcome appears over REST (the path, on the site's address): the list
    holding its assembly item (``montar_release``), whose ``resultado`` names the release
    (``release_ref``, ``release_url``) or says there was nothing to fix (``nada_a_corrigir``,
    ``corrige_url``). The ``desenvolvimento`` / ``corrigir_bug`` item's own result carries it."""
    return f"{reverse('api-backlog-itens')}?produzido_por={origem}&tipo={TipoItem.MONTAR_RELEASE}"


def release_url(release_id: int) -> str:
    """A release over REST (the path, on the site's address)."""
    return reverse("api-release", args=[release_id])


def itens_da_construcao(
    *,
    spec_ref: str,
    vertentes: Sequence[str],
    origem: int,
    spec_versao_id: int,
    orcamento_id: int | None,
    corrige_id: int | None,
    na_fila: Sequence[str] | None = None,
) -> list[NovoItem]:
    """A build as internal items: one per vertente (any node may take any of them), produced in
    the order ``na_fila`` (the same vertentes; default: the spec's), then the assembly, which
    depends on all of them (the unblocking rule makes it claimable when the last one concludes)."""
    fixado = {
        "spec_ref": spec_ref,
        "origem": origem,
        "spec_versao_id": spec_versao_id,
        "orcamento_id": orcamento_id,
        "corrige_id": corrige_id,
    }
    itens = [
        NovoItem(tipo=TIPO_DA_VERTENTE[v], produtor=PRODUTOR, spec_ref=spec_ref, contexto={**fixado, "vertente": v})
        for v in (na_fila if na_fila is not None else vertentes)
    ]
    montagem = NovoItem(
        tipo=TipoItem.MONTAR_RELEASE,
        produtor=PRODUTOR,
        spec_ref=spec_ref,
        contexto={**fixado, "vertentes": list(vertentes)},
        depende_de_gerados=list(range(len(itens))),
    )
    return [*itens, montagem]


def item_ajustar_spec(*, spec_ref: str, motivo: str, spec_recursos_id: int) -> NovoItem:
    return NovoItem(
        tipo=TipoItem.AJUSTAR_SPEC,
        produtor=PRODUTOR_PO,
        spec_ref=spec_ref,
        contexto={"spec_ref": spec_ref, "motivo": motivo, "spec_recursos_id": spec_recursos_id},
    )


def item_aprovar_release(
    *,
    rotulo_versao: str,
    spec_ref: str,
    artefatos: list[str],
    testes_passaram: bool,
    cobertura: float,
    release_id: int,
    tipo: str,
    corrige: str = "",
) -> NovoItem:
    """A built release for the PO (``corrige``: the label of the release a hotfix fixes)."""
    return NovoItem(
        tipo=TipoItem.APROVAR_RELEASE,
        produtor=PRODUTOR,
        spec_ref=spec_ref,
        contexto={
            "release_ref": rotulo_versao,
            "spec_ref": spec_ref,
            "artefatos": artefatos,
            "testes_passaram": testes_passaram,
            "cobertura": cobertura,
            "release_id": release_id,
            "tipo": tipo,
            **({"corrige": corrige} if corrige else {}),
        },
    )


def item_corrigir_bug(
    *,
    rotulo_versao: str,
    spec_ref: str,
    erro: str,
    rejeitada_por: str = "",
    implantacao_ref: str = "",
    ambiente: str = "",
) -> NovoItem:
    """The PO found a bug in a release (``rotulo_versao``): rejected it (``rejeitada_por``) or
    refused its deployment (``implantacao_ref``, ``ambiente``)."""
    contexto: dict[str, Any] = {"feature_ref": rotulo_versao, "erro": erro}
    if rejeitada_por:
        contexto["rejeitada_por"] = rejeitada_por
    if implantacao_ref:
        contexto["implantacao_ref"] = implantacao_ref
    if ambiente:
        contexto["ambiente"] = ambiente
    return NovoItem(tipo=TipoItem.CORRIGIR_BUG, produtor=PRODUTOR_PO, spec_ref=spec_ref, contexto=contexto)


def item_implantar(
    *,
    rotulo_versao: str,
    spec_ref: str,
    ambiente: str,
    aprovado_por: str,
    origem_ref: str = "",
    repete_ref: str = "",
) -> NovoItem:
    """Deploy an approved release (``aprovado_por``: a username, checked against the environment's
    approvers; ``origem_ref``: the validated deployment this one promotes; ``repete_ref``: the
    failed deployment this one retries)."""
    contexto: dict[str, Any] = {"release_ref": rotulo_versao, "ambiente": ambiente, "aprovado_por": aprovado_por}
    if origem_ref:
        contexto["origem_ref"] = origem_ref
    if repete_ref:
        contexto["repete_ref"] = repete_ref
    return NovoItem(tipo=TipoItem.IMPLANTAR, produtor=PRODUTOR_PO, spec_ref=spec_ref, contexto=contexto)


def item_reverter(
    *,
    rotulo_versao: str,
    spec_ref: str,
    ambiente: str,
    para: str | None,
    motivo: str,
    por: str,
    implantacao_ref: str = "",
    produtor: str = PRODUTOR,
) -> NovoItem:
    """A rollback, as an ``implantar`` ahead of the queue: takes ``rotulo_versao`` down and puts
    ``para`` back (None: nothing, the spec stops serving there); ``por`` is the actor who asked."""
    reversao: dict[str, Any] = {"para_release_ref": para}
    if implantacao_ref:
        reversao["implantacao_ref"] = implantacao_ref
    reversao |= {"motivo": motivo, "por": por}
    return NovoItem(
        tipo=TipoItem.IMPLANTAR,
        produtor=produtor,
        spec_ref=spec_ref,
        prioridade=PRIORIDADE_REVERSAO,
        contexto={"release_ref": rotulo_versao, "ambiente": ambiente, "reversao": reversao},
    )


def item_validar_implantacao(
    *, rotulo_versao: str, spec_ref: str, implantacao_ref: str, ambiente: str, url: str = ""
) -> NovoItem:
    contexto: dict[str, Any] = {"release_ref": rotulo_versao, "implantacao_ref": implantacao_ref, "ambiente": ambiente}
    if url:
        contexto["url"] = url
    return NovoItem(tipo=TipoItem.VALIDAR_IMPLANTACAO, produtor=PRODUTOR, spec_ref=spec_ref, contexto=contexto)


def item_avaliar_efetividade(
    *, rotulo_versao: str, spec_ref: str, implantacao_ref: str, ambiente: str, observacao: str
) -> NovoItem:
    return NovoItem(
        tipo=TipoItem.AVALIAR_EFETIVIDADE,
        produtor=PRODUTOR_PO,
        spec_ref=spec_ref,
        contexto={
            "release_ref": rotulo_versao,
            "implantacao_ref": implantacao_ref,
            "ambiente": ambiente,
            "observacao": observacao,
        },
    )


def registrar(validadores: dict[TipoItem, Callable[[dict[str, Any]], dict[str, list[str]]]]) -> None:
    """Registers every type with MS_Backlog; ``validadores``: rules beyond a type's schema, checked
    when an item is produced (a reference must exist), given by ``FabricaConfig.ready``."""
    vertentes = set(TIPO_DA_VERTENTE.values())
    for tipo, (descricao, schema) in CONTRATOS.items():
        # A vertente that cannot be built is still a part of its release, shown failed with its
        # reason: its item concludes with the failure when its attempts run out, so the assembly
        # is unblocked (docs/desenvolvimento.md, "Internal items").
        registrar_tipo(
            tipo.value, schema, descricao=descricao, validar=validadores.get(tipo), falha_conclui=tipo in vertentes
        )
