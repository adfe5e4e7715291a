"""``make run`` (carregar_demo) creates the demo pair of environments when there is none."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from fabrica.implantacao.demo import criar_ambientes_demo
from fabrica.models import Ambiente

pytestmark = pytest.mark.django_db


def test_carregar_demo_cria_homologacao_e_producao_uma_vez(tmp_path, settings):
    settings.PROMETHEUS_SPECS_REPO = tmp_path / "var" / "specs-repo"
    saida = StringIO()

    call_command("carregar_demo", stdout=saida)
    call_command("carregar_demo", stdout=StringIO())  # every start: idempotent

    assert "Ambientes de demonstração criados: homologacao, producao" in saida.getvalue()
    homologacao, producao = Ambiente.objects.order_by("ordem")
    assert (homologacao.nome, producao.nome) == ("homologacao", "producao")
    assert homologacao.alvo == producao.alvo == Ambiente.Alvo.DIRETORIO
    assert producao.exige_validacao_em == homologacao and homologacao.exige_validacao_em is None
    assert list(producao.grupos_aprovadores.values_list("name", flat=True)) == ["PO"]
    assert Ambiente.objects.count() == 2


def test_nao_mexe_em_ambientes_existentes(db):
    Ambiente.objects.create(nome="meu_ambiente")

    assert criar_ambientes_demo() == []
    assert list(Ambiente.objects.values_list("nome", flat=True)) == ["meu_ambiente"]
