"""Capabilities in the Django admin (issue 4): the open gaps are listed with a link that
prefills the capability they wait for; the form says which gaps saving would resolve; saving
(or the enable action) resolves them and unblocks the budget when it was the last one."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.capacidades.services import capacidade_salvar
from fabrica.consumidor import processar_proximo
from fabrica.models import Capacidade, Orcamento

LISTA = reverse("admin:fabrica_capacidade_changelist")
NOVA = reverse("admin:fabrica_capacidade_add")


@pytest.fixture
def orcamento(specs_exemplo) -> Orcamento:
    """spec_001 priced: gaps whisper_api and gpu open, the approval Bloqueado."""
    item = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "spec_001"})
    assert processar_proximo(["orcar_spec"]) == item.pk
    return Orcamento.objects.get(item_orcar=item)


def status_da_aprovacao(orcamento: Orcamento) -> str:
    return Item.objects.get(pk=orcamento.item_aprovacao_id).status


def test_lista_mostra_os_gaps_abertos_com_link_para_registrar(cliente_como, orcamento):
    resp = cliente_como("admin").get(LISTA)
    assert resp.status_code == 200
    pagina = html.unescape(resp.content.decode())
    assert "Gaps abertos esperando uma capacidade" in pagina
    for gap in orcamento.gaps.all():
        assert f"#{gap.item_id} {gap.descricao}" in pagina
        assert f'href="{NOVA}?tipo={gap.tipo_recurso}&nome={gap.recurso}"' in pagina
    assert pagina.count("Registrar capacidade") == 2


def test_lista_sem_gaps_abertos_nao_mostra_o_quadro(cliente_como, specs_exemplo):
    pagina = cliente_como("admin").get(LISTA).content.decode()
    assert "Gaps abertos esperando uma capacidade" not in pagina


def test_formulario_prefilled_lista_o_gap_que_resolveria(cliente_como, orcamento):
    gpu = orcamento.gaps.get(recurso="gpu")
    resp = cliente_como("admin").get(NOVA, {"tipo": "hardware", "nome": "gpu"})
    assert resp.status_code == 200
    form = resp.context["adminform"].form
    assert (form.initial["tipo"], form.initial["nome"]) == ("hardware", "gpu")
    assert [g.item_id for g in resp.context["gaps_previstos"]] == [gpu.item_id]
    pagina = html.unescape(resp.content.decode())
    assert "resolverá 1 gap:" in pagina and f"#{gpu.item_id} — GPU não disponível (spec spec_001" in pagina
    # Only a look: nothing was resolved by opening the form.
    assert gpu.item.status == Status.PENDENTE and not Capacidade.objects.exists()


def test_formulario_sem_gap_correspondente_avisa(cliente_como, orcamento):
    resp = cliente_como("admin").get(NOVA, {"tipo": "container", "nome": "mongo"})
    assert resp.context["gaps_previstos"] == []
    assert "Nenhum gap aberto espera por container:mongo." in html.unescape(resp.content.decode())


def _salvar(cliente, dados: dict, url: str = NOVA):
    return cliente.post(url, {"descricao": "", **dados}, follow=True)


def test_salvar_pelo_admin_resolve_o_gap(cliente_como, orcamento):
    gpu = orcamento.gaps.get(recurso="gpu")
    resp = _salvar(cliente_como("admin"), {"tipo": "hardware", "nome": "gpu", "habilitada": "on"})
    assert resp.status_code == 200 and resp.redirect_chain[-1][0] == LISTA
    cap = Capacidade.objects.get(tipo="hardware", nome="gpu")
    assert cap.habilitada and cap.registrada_por == "usuario:admin"
    gpu.item.refresh_from_db()
    assert gpu.item.status == Status.CONCLUIDO
    assert gpu.item.resultado["resolvido_por"] == "usuario:admin"
    assert gpu.item.resultado["capacidade"] == {"id": cap.pk, "tipo": "hardware", "nome": "gpu"}
    mensagens = [str(m) for m in resp.context["messages"]]
    assert any(f"1 gap resolvido: #{gpu.item_id} (spec_001)" in m for m in mensagens), mensagens
    # whisper_api is still missing: the budget waits.
    assert status_da_aprovacao(orcamento) == Status.BLOQUEADO


def test_ultimo_gap_resolvido_pelo_admin_libera_o_orcamento(cliente_como, orcamento):
    capacidade_salvar(tipo="api_externa", nome="whisper_api", por=None)
    assert status_da_aprovacao(orcamento) == Status.BLOQUEADO
    _salvar(cliente_como("admin"), {"tipo": "hardware", "nome": "gpu", "habilitada": "on"})
    aprovacao = Item.objects.get(pk=orcamento.item_aprovacao_id)
    assert aprovacao.status == Status.PENDENTE
    assert aprovacao.desbloqueado_por_id == orcamento.gaps.get(recurso="gpu").item_id
    # The list has nothing left to register.
    assert "Gaps abertos esperando" not in cliente_como("admin").get(LISTA).content.decode()


def test_salvar_desabilitada_nao_resolve_e_habilitar_depois_resolve(cliente_como, orcamento):
    admin = cliente_como("admin")
    _salvar(admin, {"tipo": "hardware", "nome": "gpu"})  # checkbox off
    cap = Capacidade.objects.get(nome="gpu")
    assert cap.habilitada is False
    assert orcamento.gaps.get(recurso="gpu").item.status == Status.PENDENTE

    # The change form of the disabled capability shows what enabling it would resolve.
    url = reverse("admin:fabrica_capacidade_change", args=[cap.pk])
    assert len(admin.get(url).context["gaps_previstos"]) == 1

    resp = _salvar(admin, {"tipo": "hardware", "nome": "gpu", "habilitada": "on"}, url)
    assert resp.status_code == 200
    assert orcamento.gaps.get(recurso="gpu").item.status == Status.CONCLUIDO


def test_acao_habilitar_resolve_os_gaps(cliente_como, orcamento):
    gpu = Capacidade.objects.create(tipo="hardware", nome="gpu", habilitada=False)
    whisper = Capacidade.objects.create(tipo="api_externa", nome="whisper_api", habilitada=False)
    resp = cliente_como("admin").post(
        LISTA, {"action": "habilitar", "_selected_action": [gpu.pk, whisper.pk]}, follow=True
    )
    assert any("gaps resolvidos: 2" in str(m) for m in resp.context["messages"])
    assert status_da_aprovacao(orcamento) == Status.PENDENTE
    assert Capacidade.objects.filter(habilitada=True).count() == 2


def test_acao_desabilitar(cliente_como, orcamento):
    cap = Capacidade.objects.create(tipo="container", nome="redis")
    cliente_como("admin").post(LISTA, {"action": "desabilitar", "_selected_action": [cap.pk]})
    cap.refresh_from_db()
    assert cap.habilitada is False


def test_capacidade_repetida_no_admin_e_recusada(cliente_como, orcamento):
    Capacidade.objects.create(tipo="hardware", nome="gpu", habilitada=False)
    resp = _salvar(cliente_como("admin"), {"tipo": "hardware", "nome": "gpu", "habilitada": "on"})
    assert resp.context["adminform"].form.errors
    assert Capacidade.objects.count() == 1
    assert orcamento.gaps.get(recurso="gpu").item.status == Status.PENDENTE


def test_tipo_invalido_no_admin_e_recusado(cliente_como, orcamento):
    resp = _salvar(cliente_como("admin"), {"tipo": "GPU!", "nome": "gpu", "habilitada": "on"})
    assert "tipo" in resp.context["adminform"].form.errors
    assert not Capacidade.objects.exists()


@pytest.mark.parametrize("quem", ["po", "sistema", "outsider", "anon"])
@pytest.mark.parametrize("pagina", ["lista", "nova"])
def test_so_o_admin_chega_ao_admin_de_capacidades(cliente_como, orcamento, quem, pagina):
    url = {"lista": LISTA, "nova": f"{NOVA}?tipo=hardware&nome=gpu"}[pagina]
    resp = cliente_como(quem).get(url)
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("quem", ["po", "sistema", "outsider", "anon"])
def test_quem_nao_e_admin_nao_registra_pelo_admin(cliente_como, orcamento, quem):
    resp = cliente_como(quem).post(NOVA, {"tipo": "hardware", "nome": "gpu", "habilitada": "on", "descricao": ""})
    assert resp.status_code == 302
    assert not Capacidade.objects.exists()
    assert orcamento.gaps.get(recurso="gpu").item.status == Status.PENDENTE
