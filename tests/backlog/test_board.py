"""The server-rendered board (``/backlog/``) and the admin of items, with their cast."""

from __future__ import annotations

import importlib.util
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backlog import services
from backlog.models import Item, Status
from tests.factories import DependenciaFactory, ItemComStatusFactory, ItemFactory

pytestmark = pytest.mark.django_db

QUADRO = reverse("backlog-quadro")


def detalhe(item: Item) -> str:
    return reverse("backlog-item", args=[item.pk])


@pytest.fixture
def linhagem():
    """orcar_spec → (concluded, produced) entrevistar_dor → (consumed, failed once) its child."""
    services.produzir(tipo="orcar_spec", produtor="MS_Specs", contexto={"spec_ref": "SPEC-B"})
    orcar = services.consumir(tipos=["orcar_spec"], consumidor="PROMETHEUS")
    services.concluir(
        item_id=orcar.pk,
        lease_token=orcar.lease_token,
        resultado={"gaps": 1},
        items_gerados=[services.NovoItem(tipo="intermediario_quadro", produtor="PROMETHEUS", spec_ref="SPEC-B")],
    )
    meio = services.consumir(tipos=["intermediario_quadro"], consumidor="MS_Produto")
    services.concluir(
        item_id=meio.pk,
        lease_token=meio.lease_token,
        items_gerados=[services.NovoItem(tipo="neto_quadro", produtor="MS_Produto")],
    )
    neto = Item.objects.get(tipo="neto_quadro")
    return {"orcar": orcar, "meio": meio, "neto": neto}


# --- the cast -----------------------------------------------------------------------------------


# The board is the admin's (issue 11): the PO and systems follow items elsewhere and are refused.
@pytest.mark.parametrize(("quem", "esperado"), [("admin", 200), ("po", 403), ("sistema", 403), ("outsider", 403)])
def test_quadro_por_papel(cliente_como, quem, esperado):
    ItemFactory(tipo="tipo_visivel")

    resposta = cliente_como(quem).get(QUADRO)

    assert resposta.status_code == esperado
    assert (b"tipo_visivel" in resposta.content) is (esperado == 200)


@pytest.mark.parametrize(("quem", "esperado"), [("admin", 200), ("po", 403), ("outsider", 403)])
def test_detalhe_por_papel(cliente_como, linhagem, quem, esperado):
    resposta = cliente_como(quem).get(detalhe(linhagem["meio"]))

    assert resposta.status_code == esperado
    assert (b"intermediario_quadro" in resposta.content) is (esperado == 200)


@pytest.mark.parametrize("endereco", ["quadro", "detalhe"])
def test_anonimo_vai_para_o_login(cliente_como, linhagem, endereco):
    alvo = QUADRO if endereco == "quadro" else detalhe(linhagem["meio"])

    resposta = cliente_como("anon").get(alvo)

    assert resposta.status_code == 302
    assert resposta["Location"].startswith(reverse("login"))
    assert "next=" in resposta["Location"]


# --- what the board shows -----------------------------------------------------------------------


def test_quadro_conta_por_status_e_por_tipo(cliente_como):
    ItemFactory.create_batch(3, tipo="orcar_spec")
    ItemComStatusFactory(tipo="orcar_spec", status=Status.CONCLUIDO)
    ItemComStatusFactory(tipo="implantar", status=Status.FALHA)
    ItemComStatusFactory(tipo="implantar", status=Status.BLOQUEADO)

    resposta = cliente_como("admin").get(QUADRO)

    contagens = resposta.context["contagens"]
    assert contagens["por_status"] == {
        "Pendente": 3,
        "Bloqueado": 1,
        "EmProcessamento": 0,
        "Concluido": 1,
        "Falha": 1,
        "Cancelado": 0,
    }
    assert contagens["por_tipo"]["orcar_spec"]["Pendente"] == 3
    assert contagens["por_tipo"]["implantar"]["Falha"] == 1
    html = resposta.content.decode()
    assert 'href="?tipo=orcar_spec&status=Pendente">3</a>' in html
    assert 'href="?tipo=implantar&status=Falha">1</a>' in html


def test_link_de_um_tipo_com_caracteres_especiais_leva_aos_seus_itens(cliente_como):
    ItemFactory(tipo="outro sistema&cia #1", produtor="especial")
    ItemFactory(tipo="outro sistema", produtor="comum")
    cliente = cliente_como("admin")

    html = cliente.get(QUADRO).content.decode()
    links = re.findall(r'href="(\?tipo=[^"&]*)">outro sistema&amp;cia #1</a>', html)

    assert len(links) == 1
    assert {i.produtor for i in cliente.get(QUADRO + links[0]).context["pagina"]} == {"especial"}


def test_quadro_vazio_diz_que_esta_vazio(cliente_como):
    resposta = cliente_como("admin").get(QUADRO)

    assert resposta.status_code == 200
    assert "O backlog está vazio." in resposta.content.decode()


@pytest.mark.parametrize(
    ("filtros", "esperados"),
    [
        ({"tipo": "implantar"}, {"implantar-S1", "implantar-S2"}),
        ({"status": "Falha"}, {"implantar-S2"}),
        ({"spec_ref": "S1"}, {"orcar-S1", "implantar-S1"}),
        ({"tipo": "implantar", "spec_ref": "S1"}, {"implantar-S1"}),
        ({"tipo": "nao_existe"}, set()),
        ({"ignorado": "x"}, {"orcar-S1", "implantar-S1", "implantar-S2"}),
    ],
)
def test_quadro_filtra(cliente_como, filtros, esperados):
    ItemFactory(tipo="orcar_spec", spec_ref="S1", produtor="orcar-S1")
    ItemFactory(tipo="implantar", spec_ref="S1", produtor="implantar-S1")
    ItemComStatusFactory(tipo="implantar", spec_ref="S2", produtor="implantar-S2", status=Status.FALHA)

    resposta = cliente_como("admin").get(QUADRO, filtros)

    assert {i.produtor for i in resposta.context["pagina"]} == esperados
    if not esperados:
        assert "Nenhum item com esses filtros." in resposta.content.decode()


def test_quadro_pagina_de_50_em_50_mantendo_os_filtros(cliente_como):
    ItemFactory.create_batch(55, tipo="muitos")
    ItemFactory(tipo="outro")

    primeira = cliente_como("admin").get(QUADRO, {"tipo": "muitos"})
    segunda = cliente_como("admin").get(QUADRO, {"tipo": "muitos", "pagina": 2})

    assert len(primeira.context["pagina"]) == 50
    assert 'href="?tipo=muitos&pagina=2"' in primeira.content.decode()
    assert len(segunda.context["pagina"]) == 5
    assert {i.tipo for i in segunda.context["pagina"]} == {"muitos"}


def test_quadro_custa_o_mesmo_com_5_ou_50_itens(cliente_como, django_assert_num_queries):
    for tipo, n in (("poucos", 5), ("cheio", 50)):
        raiz = ItemComStatusFactory(status=Status.CONCLUIDO, tipo=f"{tipo}_raiz")
        for _ in range(n):
            DependenciaFactory(depende_de=raiz, item__tipo=tipo)
    cliente = cliente_como("admin")
    cliente.get(QUADRO, {"tipo": "nenhum"})

    with CaptureQueriesContext(connection) as poucos:
        cliente.get(QUADRO, {"tipo": "poucos"})
    with django_assert_num_queries(len(poucos)):
        resposta = cliente.get(QUADRO, {"tipo": "cheio"})

    assert len(resposta.context["pagina"]) == 50


def test_detalhe_mostra_o_item_seus_eventos_e_sua_linhagem(cliente_como, linhagem):
    meio, orcar, neto = linhagem["meio"], linhagem["orcar"], linhagem["neto"]

    resposta = cliente_como("admin").get(detalhe(meio))

    assert resposta.status_code == 200
    assert [e.tipo for e in resposta.context["eventos"]] == ["produzido", "consumido", "concluido"]
    assert [i.pk for i in resposta.context["linhagem"]["ancestrais"]] == [orcar.pk]
    assert [i.pk for i in resposta.context["linhagem"]["descendentes"]] == [neto.pk]
    html = resposta.content.decode()
    for texto in ["produzido", "consumido", "concluido", "MS_Produto", "SPEC-B"]:
        assert texto in html
    assert f'href="{detalhe(orcar)}"' in html
    assert f'href="{detalhe(neto)}"' in html


def test_detalhe_mostra_dependencias_dependentes_e_desbloqueio(cliente_como):
    dependencia = services.produzir(tipo="dependencia_quadro", produtor="p")
    item = services.produzir(tipo="dependente_quadro", produtor="p", depende_de=[dependencia.pk])
    reservado = services.consumir(tipos=["dependencia_quadro"], consumidor="c")
    services.concluir(item_id=reservado.pk, lease_token=reservado.lease_token)
    cliente = cliente_como("admin")

    do_dependente = cliente.get(detalhe(item)).content.decode()
    da_dependencia = cliente.get(detalhe(dependencia)).content.decode()

    assert "desbloqueio" in do_dependente
    assert f'href="{detalhe(dependencia)}">#{dependencia.pk}</a>' in do_dependente
    assert f'href="{detalhe(item)}">#{item.pk} dependente_quadro</a>' in da_dependencia


def test_detalhe_de_item_inexistente_e_404(cliente_como):
    assert cliente_como("admin").get(reverse("backlog-item", args=[987654])).status_code == 404


# --- the admin ----------------------------------------------------------------------------------

sem_admin = pytest.mark.skipif(
    importlib.util.find_spec("backlog.admin") is None, reason="backlog/admin.py does not exist yet"
)


@sem_admin
def test_admin_lista_itens_e_filtra(cliente_como):
    ItemFactory(tipo="tipo_no_admin")
    ItemComStatusFactory(tipo="outro_no_admin", status=Status.FALHA)
    cliente = cliente_como("admin")

    lista = cliente.get("/admin/backlog/item/")
    filtrada = cliente.get("/admin/backlog/item/", {"status__exact": "Falha"})

    assert lista.status_code == 200
    assert {i.tipo for i in lista.context["cl"].result_list} == {"tipo_no_admin", "outro_no_admin"}
    assert "tipo_no_admin" in lista.content.decode()
    assert filtrada.status_code == 200
    assert [i.tipo for i in filtrada.context["cl"].result_list] == ["outro_no_admin"]


@sem_admin
def test_admin_mostra_o_item_com_seus_eventos(cliente_como, linhagem):
    resposta = cliente_como("admin").get(f"/admin/backlog/item/{linhagem['meio'].pk}/change/")

    assert resposta.status_code == 200
    assert "consumido" in resposta.content.decode()


@sem_admin
@pytest.mark.parametrize("quem", ["po", "outsider", "anon"])
def test_admin_recusa_quem_nao_e_equipe(cliente_como, quem):
    resposta = cliente_como(quem).get("/admin/backlog/item/")

    assert resposta.status_code == 302
    assert "/admin/login/" in resposta["Location"]


@sem_admin
def test_admin_cancela_pelo_servico(cliente_como):
    item = services.produzir(tipo="cancelavel", produtor="p")
    concluido = ItemComStatusFactory(status=Status.CONCLUIDO)

    resposta = cliente_como("admin").post(
        "/admin/backlog/item/",
        {
            "action": "cancelar",
            "_selected_action": [item.pk, concluido.pk],
        },
        follow=True,
    )

    assert resposta.status_code == 200
    assert Item.objects.get(pk=item.pk).status == Status.CANCELADO
    assert Item.objects.get(pk=concluido.pk).status == Status.CONCLUIDO
    assert item.eventos.filter(tipo="cancelado", ator="admin:admin").exists()
