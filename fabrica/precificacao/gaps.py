"""identificar_gaps (docs/arquitetura.md, "The cycle" step 2): what a spec's runtime needs that the
factory does not have."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

API_EXTERNA, HARDWARE, CONTAINER = "api_externa", "hardware", "container"


@dataclass(frozen=True)
class GapIdentificado:
    """A gap found by pricing, before it is stored: it becomes a ``fabrica.models.Gap`` (same
    ``tipo_recurso``, ``recurso``, ``descricao``) and the ``entrevistar_dor`` item that asks for it
    (``contexto_dor``, which also carries ``criterio`` and ``alternativas``)."""

    tipo_recurso: str
    recurso: str
    descricao: str
    criterio: str
    alternativas: list[str] = field(default_factory=list)

    def contexto_dor(self, spec_id: str) -> dict[str, Any]:
        """The ``entrevistar_dor`` payload of ``fabrica.contratos`` (``bloqueando`` is added once
        known)."""
        return {
            "sintoma": self.descricao,
            "frequencia": f"Sempre que spec usa {self.recurso}",
            "afetados": [spec_id],
            "impacto": "Spec bloqueada",
            "tentativas": list(self.alternativas),
            "alternativas": list(self.alternativas),
            "criterio_sucesso": self.criterio,
            "spec_origem_ref": spec_id,
            "tipo_recurso": self.tipo_recurso,
            "recurso": self.recurso,
            "bloqueando": [],
        }


def identificar_gaps(runtime: dict[str, Any], disponiveis: dict[str, set[str]]) -> list[GapIdentificado]:
    """``disponiveis`` maps a capability type to the names enabled (e.g. ``{"api_externa": {...}}``)."""
    gaps: list[GapIdentificado] = []
    apis = disponiveis.get(API_EXTERNA, set())
    for api in runtime.get("apis_externas") or []:
        if api not in apis:
            gaps.append(
                GapIdentificado(
                    API_EXTERNA,
                    api,
                    f"API {api} não configurada",
                    f"{api} funcional com credenciais válidas",
                    sorted(apis)[:5],
                )
            )
    if runtime.get("gpu") and "gpu" not in disponiveis.get(HARDWARE, set()):
        gaps.append(
            GapIdentificado(
                HARDWARE, "gpu", "GPU não disponível", "GPU CUDA funcional", ["CPU (mais lento)", "API externa"]
            )
        )
    containers = disponiveis.get(CONTAINER, set())
    for container in runtime.get("containers_necessarios") or []:
        if container not in containers:
            gaps.append(
                GapIdentificado(
                    CONTAINER, container, f"Container {container} não disponível", f"Container {container} rodando"
                )
            )
    return gaps
