"""Environments in the Django admin: the same rules as the API (each error on its field), the
approvers saved, a link to the environment's page; deployment records read-only."""

from __future__ import annotations

import pytest

from fabrica.models import Ambiente
from tests.fabrica.implantacao.conftest import implantar

pytestmark = pytest.mark.django_db

URL_ADD = "/admin/fabrica/ambiente/add/"


def _formulario(**campos) -> dict:
    return {
        "nome": "staging",
        "descricao": "",
        "ordem": "15",
        "ativo": "on",
        "alvo": "diretorio",
        "configuracao": "{}",
        "diretorio": "",
        "url": "",
        "retencao": "",
        **campos,
    }


def test_admin_cria_ambiente_com_aprovadores(cliente_como, ambientes, elenco):
    from django.contrib.auth.models import Group

    po = Group.objects.get(name="PO")
    resposta = cliente_como("admin").post(
        URL_ADD,
        _formulario(
            alvo="comando",
            configuracao='{"implantar": ["/opt/deploy.sh", "{arquivo}"], "timeout": 60}',
            exige_validacao_em=str(ambientes["homologacao"].pk),
            grupos_aprovadores=[str(po.pk)],
        ),
    )

    assert resposta.status_code == 302, resposta.content.decode()[:3000]
    staging = Ambiente.objects.get(nome="staging")
    assert staging.alvo == "comando" and staging.configuracao["timeout"] == 60
    assert list(staging.grupos_aprovadores.all()) == [po]
    assert staging.exige_validacao_em == ambientes["homologacao"]


@pytest.mark.parametrize(
    ("campos", "trecho"),
    [
        ({"alvo": "comando", "configuracao": "{}"}, "implantar: O alvo comando precisa do comando de implantação."),
        ({"configuracao": '{"smoke": "talvez"}'}, "smoke: true (os testes da release), false, ou um comando."),
        ({"diretorio": "relativo"}, "Informe um caminho absoluto"),
        ({"retencao": "1"}, "Guarde ao menos 2 releases"),
    ],
)
def test_admin_recusa_configuracao_invalida(cliente_como, ambientes, campos, trecho):
    resposta = cliente_como("admin").post(URL_ADD, _formulario(**campos))

    assert resposta.status_code == 200
    assert trecho in resposta.content.decode()
    assert not Ambiente.objects.filter(nome="staging").exists()


def test_admin_exige_validacao_em_ambiente_anterior(cliente_como, ambientes):
    resposta = cliente_como("admin").post(
        URL_ADD, _formulario(ordem="5", exige_validacao_em=str(ambientes["producao"].pk))
    )

    assert "precisa vir antes deste ambiente" in resposta.content.decode()


def test_lista_de_ambientes_leva_a_pagina_e_implantacoes_so_leitura(cliente_como, fazer_release, ambientes):
    impl = implantar(fazer_release(1))
    admin = cliente_como("admin")

    lista = admin.get("/admin/fabrica/ambiente/").content.decode()
    assert 'href="/ambientes/homologacao/"' in lista
    detalhe = admin.get(f"/admin/fabrica/implantacao/{impl.pk}/change/")
    assert detalhe.status_code == 200 and "current → releases/spec_teste-v1" in detalhe.content.decode()
    assert admin.get("/admin/fabrica/implantacao/add/").status_code == 403
    assert admin.post(f"/admin/fabrica/implantacao/{impl.pk}/delete/", {"post": "yes"}).status_code == 403
    assert cliente_como("po").get("/admin/fabrica/ambiente/").status_code == 302  # not staff
