"""The ``desenvolvimento`` handler re-checks what it builds (issue 16): only a budget the PO's
decision service approved, of a spec version no newer version superseded; else the item ends in
``Falha`` with the reason and nothing is built."""

from __future__ import annotations

import pytest

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.consumidor import processar_proximo
from fabrica.decisoes.services import orcamento_aprovar
from fabrica.models import Orcamento, Release
from tests.apoio import nova_versao

pytestmark = pytest.mark.django_db


def _desenvolvimento_de(orc: Orcamento) -> Item:
    return backlog.produzir(
        tipo="desenvolvimento",
        produtor="MS_Produto",
        spec_ref=orc.spec_ref,
        contexto={"spec_ref": orc.spec_ref, "spec_recursos": {"id": orc.pk}},
    )


def test_orcamento_nao_decidido_nao_e_construido(orcamento_pronto):
    item = _desenvolvimento_de(orcamento_pronto)

    assert processar_proximo(["desenvolvimento"]) == item.pk

    item.refresh_from_db()
    assert item.status == Status.FALHA
    assert f"#{orcamento_pronto.pk}" in item.erro and "não foi aprovado" in item.erro
    assert not Release.objects.exists()
    assert Orcamento.objects.get(pk=orcamento_pronto.pk).status == Orcamento.Status.ABERTO


def test_orcamento_sem_id_e_sem_aprovacao_nao_e_construido(orcamento_pronto):
    item = backlog.produzir(
        tipo="desenvolvimento",
        produtor="MS_Produto",
        contexto={"spec_ref": orcamento_pronto.spec_ref, "spec_recursos": {}},
    )

    processar_proximo(["desenvolvimento"])

    item.refresh_from_db()
    assert item.status == Status.FALHA and "não tem orçamento aprovado" in item.erro
    assert not Release.objects.exists()


def test_versao_substituida_nao_e_construida(orcamento_pronto, elenco):
    orcamento_aprovar(orcamento_id=orcamento_pronto.pk, por=elenco["po"])
    item = Item.objects.get(tipo="desenvolvimento")
    nova_versao("spec_002")

    processar_proximo(["desenvolvimento"])

    item.refresh_from_db()
    assert item.status == Status.FALHA and "substituída" in item.erro
    assert not Release.objects.exists()
