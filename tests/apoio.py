"""Helpers shared by the test modules (fixtures live in the conftest files)."""

from __future__ import annotations

import json
from pathlib import Path

from backlog import services as backlog
from backlog.models import Item
from fabrica.consumidor import processar_proximo
from fabrica.models import Orcamento, Release

RAIZ_DO_PROJETO = Path(__file__).resolve().parents[1]
EXEMPLOS = RAIZ_DO_PROJETO / "examples" / "specs-repo" / "specs"


def orcar(spec_ref: str, produtor: str = "teste") -> Orcamento:
    """Produces an ``orcar_spec`` and runs the consumer inline, as a cluster worker would."""
    item = backlog.produzir(tipo="orcar_spec", produtor=produtor, contexto={"spec_ref": spec_ref})
    assert processar_proximo(["orcar_spec"]) == item.pk
    return Orcamento.objects.get(item_orcar=item)


def assert_forma_de_erro(resposta, status_http: int) -> dict:
    """Every 4xx: ``{"erro": "<sentence>", "campos": {"<path>": ["..."]}}``, as JSON."""
    assert resposta.status_code == status_http, resposta.content
    assert resposta["Content-Type"].startswith("application/json")
    corpo = json.loads(resposta.content)
    assert set(corpo) == {"erro", "campos"}
    assert isinstance(corpo["erro"], str) and len(corpo["erro"]) > 10
    assert isinstance(corpo["campos"], dict)
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in corpo["campos"].values())
    return corpo


def desenvolver(orcamento: Orcamento, por) -> Release:
    """Approves a budget as the PO and runs the ``desenvolvimento`` it produces inline."""
    from fabrica.decisoes.services import orcamento_aprovar

    orcamento_aprovar(orcamento_id=orcamento.pk, por=por)
    item = Item.objects.get(tipo="desenvolvimento", spec_ref=orcamento.spec_ref, status="Pendente")
    assert processar_proximo(["desenvolvimento"]) == item.pk
    return Release.objects.get(item_origem=item)
