"""One budget per spec version (issue 11): the database refuses a second open one, asking again
leads to the one there is (page and REST), and a newer version supersedes the open one."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica import selectors
from fabrica.consumidor import processar_proximo
from fabrica.decisoes import services as decisoes
from fabrica.models import Capacidade, Orcamento
from fabrica.precificacao import services as precificacao
from prometheus_site import erros
from tests.apoio import nova_versao, orcar


@pytest.fixture
def postgres(specs_exemplo):
    return Capacidade.objects.create(tipo="container", nome="postgres")


def _copia_aberta(orc: Orcamento, **mudancas) -> Orcamento:
    """A second budget row for the same version, as the old bug made (new items of its own)."""
    item = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": orc.spec_ref})
    campos = {
        f.name: getattr(orc, f.name)
        for f in Orcamento._meta.concrete_fields
        if f.name not in ("id", "item_orcar", "item_aprovacao", "criado_em")
    }
    return Orcamento(**{**campos, "item_orcar": item, "item_aprovacao": None, **mudancas})


# --- the database ---------------------------------------------------------------------------------


@pytest.mark.parametrize("primeiro", [Orcamento.Status.ABERTO, Orcamento.Status.APROVADO])
def test_banco_recusa_segundo_orcamento_aberto_da_mesma_versao(postgres, elenco, primeiro):
    orc = orcar("spec_002")
    if primeiro == Orcamento.Status.APROVADO:
        decisoes.orcamento_aprovar(orcamento_id=orc.pk, por=elenco["po"])
    with pytest.raises(IntegrityError), transaction.atomic():
        _copia_aberta(orc, status=Orcamento.Status.ABERTO, decidido_em=None).save()
    assert Orcamento.objects.filter(spec=orc.spec).count() == 1


def test_banco_aceita_novo_orcamento_depois_de_rejeitado(postgres, elenco):
    orc = orcar("spec_002")
    decisoes.orcamento_rejeitar(orcamento_id=orc.pk, por=elenco["po"], motivo="caro")
    _copia_aberta(orc, status=Orcamento.Status.ABERTO, decidido_em=None, decidido_por=None, motivo="").save()
    assert Orcamento.objects.filter(spec=orc.spec, status=Orcamento.Status.ABERTO).count() == 1


def test_substituido_diz_por_qual_versao(postgres):
    orc = orcar("spec_002")
    with pytest.raises(IntegrityError), transaction.atomic():
        Orcamento.objects.filter(pk=orc.pk).update(status=Orcamento.Status.SUBSTITUIDO)


# --- asking again ---------------------------------------------------------------------------------


def test_segundo_orcar_spec_conclui_apontando_para_o_orcamento(postgres):
    orc = orcar("spec_002")
    item = backlog.produzir(tipo="orcar_spec", produtor="Epistemologia", contexto={"spec_ref": "spec_002"})
    assert processar_proximo(["orcar_spec"]) == item.pk

    item.refresh_from_db()
    assert item.status == Status.CONCLUIDO
    assert item.resultado["ja_orcada"] is True
    assert item.resultado["spec_recursos_id"] == orc.pk
    assert Orcamento.objects.count() == 1
    assert Item.objects.filter(tipo="aprovar_orcamento").count() == 1


def test_dois_consumidores_ao_mesmo_tempo_fazem_um_orcamento(postgres, monkeypatch):
    """The second consumer checked before the first committed (the check missed it): the
    constraint refuses its insert, and its item is concluded pointing to the first budget."""
    a = backlog.produzir(tipo="orcar_spec", produtor="p", contexto={"spec_ref": "spec_002"})
    b = backlog.produzir(tipo="orcar_spec", produtor="p", contexto={"spec_ref": "spec_002"})
    primeiro = precificacao.processar_orcar(backlog.consumir(tipos=["orcar_spec"], consumidor="c1"))
    real, chamadas = selectors.orcamento_vigente, []

    def viu_tarde(spec):
        chamadas.append(spec)
        return None if len(chamadas) == 1 else real(spec)

    monkeypatch.setattr(selectors, "orcamento_vigente", viu_tarde)
    segundo = precificacao.processar_orcar(backlog.consumir(tipos=["orcar_spec"], consumidor="c2"))

    assert len(chamadas) == 2  # the late check, then the one after the refused insert
    assert segundo.pk == primeiro.pk
    assert Orcamento.objects.count() == 1
    assert Item.objects.get(pk=b.pk).resultado["ja_orcada"] is True
    assert "ja_orcada" not in Item.objects.get(pk=a.pk).resultado
    assert Item.objects.filter(tipo="aprovar_orcamento").count() == 1


def test_pedir_pela_pagina_leva_ao_que_existe(cliente_como, postgres):
    po = cliente_como("po")
    spec = selectors.specs("spec_002").first()
    url = reverse("spec-orcar", args=[spec.pk])

    primeiro = po.post(url)
    em_curso = po.post(url)  # not priced yet: the same item
    processar_proximo(["orcar_spec"])
    orc = Orcamento.objects.get(spec_ref="spec_002")
    depois = po.post(url, follow=True)

    item = Item.objects.get(tipo="orcar_spec")
    assert primeiro["Location"] == em_curso["Location"] == reverse("orcar-progresso", args=[item.pk])
    assert depois.redirect_chain[-1][0] == reverse("orcamento", args=[orc.pk])
    assert f"já foi orçada como #{orc.pk}" in depois.content.decode()
    assert Item.objects.filter(tipo="orcar_spec").count() == 1
    lista = po.get(reverse("specs")).content.decode()
    assert f"já orçada como #{orc.pk}" in lista


def test_progresso_de_um_pedido_repetido_abre_o_orcamento(cliente_como, postgres):
    orc = orcar("spec_002")
    item = backlog.produzir(tipo="orcar_spec", produtor="Epistemologia", contexto={"spec_ref": "spec_002"})
    processar_proximo(["orcar_spec"])

    resposta = cliente_como("po").get(reverse("orcar-progresso", args=[item.pk]), HTTP_HX_REQUEST="true")

    assert resposta["HX-Redirect"] == reverse("orcamento", args=[orc.pk])


@pytest.mark.parametrize(
    ("quem", "esperado"), [("po", 202), ("admin", 202), ("sistema", 403), ("outsider", 403), ("anon", 401)]
)
def test_pedir_pela_api_por_papel(api_como, postgres, quem, esperado):
    spec = selectors.specs("spec_002").first()
    resposta = api_como(quem).post(reverse("api-spec-orcar", args=[spec.pk]))
    assert resposta.status_code == esperado
    assert Item.objects.filter(tipo="orcar_spec").count() == (1 if esperado == 202 else 0)


def test_pedir_pela_api_devolve_o_item_e_depois_o_orcamento(api_como, postgres):
    po = api_como("po")
    spec = selectors.specs("spec_002").first()
    url = reverse("api-spec-orcar", args=[spec.pk])

    novo = po.post(url)
    de_novo = po.post(url)
    processar_proximo(["orcar_spec"])
    existente = po.post(url)

    assert novo.status_code == de_novo.status_code == 202
    assert novo.json()["id"] == de_novo.json()["id"]
    assert novo["Location"] == reverse("api-backlog-item", args=[novo.json()["id"]])
    orc = Orcamento.objects.get(spec_ref="spec_002")
    assert existente.status_code == 200
    assert existente.json()["id"] == orc.pk
    assert existente["Location"] == reverse("api-orcamento", args=[orc.pk])


def test_versao_antiga_nao_se_pede(api_como, cliente_como, postgres):
    antiga = selectors.specs("spec_002").first()
    nova_versao("spec_002")

    resposta = api_como("po").post(reverse("api-spec-orcar", args=[antiga.pk]))
    pagina = cliente_como("po").post(reverse("spec-orcar", args=[antiga.pk]), follow=True)

    assert resposta.status_code == 409
    assert "substituída por uma mais nova" in resposta.json()["erro"]
    assert "substituída por uma mais nova" in pagina.content.decode()
    assert not Item.objects.filter(tipo="orcar_spec").exists()


# --- supersession ---------------------------------------------------------------------------------


def test_nova_versao_substitui_o_orcamento_aberto(postgres, elenco, cliente_como):
    antigo = orcar("spec_002")
    nova = nova_versao("spec_002")

    antigo.refresh_from_db()
    assert antigo.status == Orcamento.Status.SUBSTITUIDO
    assert antigo.substituido_por == nova
    assert antigo.decidido_em is not None and antigo.decidido_por is None
    assert antigo.item_aprovacao.status == Status.CANCELADO
    with pytest.raises(erros.TransicaoInvalida, match="substituído"):
        decisoes.orcamento_aprovar(orcamento_id=antigo.pk, por=elenco["po"])
    assert not Item.objects.filter(tipo="desenvolvimento").exists()
    caixa = cliente_como("po").get(reverse("inicio")).content.decode()
    assert f'data-id="orcamento-{antigo.pk}"' not in caixa
    pagina = cliente_como("po").get(reverse("orcamento", args=[antigo.pk])).content.decode()
    assert "não pode mais ser decidido" in pagina
    assert "Pedir o orçamento da versão atual" in pagina
    assert 'id="acoes"' not in pagina


def test_nova_versao_nao_mexe_no_orcamento_decidido(postgres, elenco):
    aprovado = orcar("spec_002")
    decisoes.orcamento_aprovar(orcamento_id=aprovado.pk, por=elenco["po"])
    nova_versao("spec_002")
    aprovado.refresh_from_db()
    assert aprovado.status == Orcamento.Status.APROVADO
    novo = orcar("spec_002")  # the new version has a budget of its own
    assert novo.pk != aprovado.pk and novo.status == Orcamento.Status.ABERTO


def test_decisao_pela_api_de_substituido_e_409(api_como, postgres):
    antigo = orcar("spec_002")
    nova_versao("spec_002")
    resposta = api_como("po").post(f"/api/orcamentos/{antigo.pk}/aprovar/", {}, format="json")
    assert resposta.status_code == 409
    assert "versão mais nova" in resposta.json()["erro"]


# --- the inbox --------------------------------------------------------------------------------------


def test_caixa_mostra_numero_e_versao(cliente_como, postgres):
    orc = orcar("spec_002")
    nova_versao("spec_002")
    novo = orcar("spec_002")

    html = cliente_como("po").get(reverse("inicio")).content.decode()

    assert f"Orçamento <strong>#{novo.pk}</strong>" in html
    assert '<strong>spec_002</strong> <span class="versao">v2</span>' in html
    assert f'data-id="orcamento-{orc.pk}"' not in html


# --- the migration ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migracao_marca_duplicados_antigos(specs_exemplo):
    """Budgets duplicated before the constraint: one is kept per version, the others are
    superseded by that same version and their approval items withdrawn; then the constraint holds."""
    Capacidade.objects.create(tipo="container", nome="postgres")
    orc = orcar("spec_002")
    antes, depois = [("fabrica", "0010_ambientes_implantacoes")], [("fabrica", "0011_orcamento_um_por_versao")]
    executor = MigrationExecutor(connection)
    executor.migrate(antes)
    try:
        apps = executor.loader.project_state(antes).apps
        Historico, ItemH = apps.get_model("fabrica", "Orcamento"), apps.get_model("backlog", "Item")
        aprovacao = ItemH.objects.create(tipo="aprovar_orcamento", produtor="p", status="Pendente")
        duplicado = Historico.objects.get(pk=orc.pk)
        duplicado.pk, duplicado.item_aprovacao = None, aprovacao
        duplicado.item_orcar = ItemH.objects.create(tipo="orcar_spec", produtor="p")
        duplicado.save()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(depois)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())  # and the migrations after it

    duplicado = Orcamento.objects.get(item_aprovacao_id=aprovacao.pk)
    assert duplicado.status == Orcamento.Status.SUBSTITUIDO and duplicado.substituido_por_id == orc.spec_id
    assert f"duplicado do orçamento #{orc.pk}" in duplicado.motivo
    assert Item.objects.get(pk=aprovacao.pk).status == Status.CANCELADO
    assert Orcamento.objects.get(pk=orc.pk).status == Orcamento.Status.ABERTO
    with pytest.raises(IntegrityError), transaction.atomic():
        Orcamento.objects.filter(pk=duplicado.pk).update(status=Orcamento.Status.ABERTO)
