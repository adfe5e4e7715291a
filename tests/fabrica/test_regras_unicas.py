"""Rules of fabrica written once: what reads them elsewhere agrees with the one place they live."""

from __future__ import annotations

import dataclasses
import importlib

import pytest
from django.db import models
from django.urls import reverse

from fabrica.capacidades.services import capacidade_salvar
from fabrica.erros import DadosInvalidos
from fabrica.models import Orcamento
from fabrica.precificacao.modelo import SECOES, Precificacao
from fabrica.precificacao.services import SECOES_NOS_ITENS, resumo_orcamento
from tests.apoio import assert_forma_de_erro


def test_as_seis_secoes_do_seed_sao_as_da_precificacao_e_as_do_orcamento():
    assert SECOES == ("runtime", "teste", "carga", "esforco", "dependencias", "custo")  # docs/precificacao.md
    assert [f.name for f in dataclasses.fields(Precificacao) if f.name != "explicacao"] == list(SECOES)
    for secao in SECOES:
        assert isinstance(Orcamento._meta.get_field(secao), models.JSONField), secao


@pytest.mark.django_db
def test_secoes_chegam_ao_item_e_a_api(api_como, orcamento_bloqueado):
    resumo = resumo_orcamento(orcamento_bloqueado)
    assert [s for s in SECOES if s in resumo] == list(SECOES_NOS_ITENS) == [s for s in SECOES if s != "dependencias"]
    detalhe = api_como("po").get(reverse("api-orcamento", args=[orcamento_bloqueado.pk])).json()
    assert all(secao in detalhe for secao in SECOES)
    assert detalhe["dependencias"]["status"] == "bloqueado"


@pytest.mark.django_db
def test_capacidade_repetida_tem_uma_recusa_pela_api_e_pelo_servico(api_como):
    admin = api_como("admin")
    assert (
        admin.post(reverse("api-capacidades"), {"tipo": "container", "nome": "redis"}, format="json").status_code == 201
    )
    pela_api = assert_forma_de_erro(
        admin.post(reverse("api-capacidades"), {"tipo": "container", "nome": "redis"}, format="json"), 400
    )
    with pytest.raises(DadosInvalidos) as pelo_servico:
        capacidade_salvar(tipo="container", nome="redis", por=None)
    assert pela_api == {"erro": pelo_servico.value.mensagem, "campos": pelo_servico.value.campos}


def test_tipos_de_decisao_sao_registrados_no_ready_nao_na_importacao():
    from fabrica.decisoes import caixa
    from fabrica.implantacao.caixa import VALIDAR_IMPLANTACAO

    registrados = dict(caixa._tipos)
    assert registrados["orcamento"] is caixa.ORCAMENTO  # FabricaConfig.ready did it
    assert registrados["validar_implantacao"] is VALIDAR_IMPLANTACAO
    # and fabrica.releases.caixa's, and the failed deployments'
    assert set(registrados) == {"orcamento", "validar_implantacao", "release", "falha_implantacao"}
    try:
        importlib.reload(caixa)
        assert caixa._tipos == {}  # importing registers nothing
    finally:
        for tipo in registrados.values():
            caixa.registrar(tipo)
