"""Search, empty states and error pages of the PO's pages (issue 11, items 8 and 9)."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from fabrica.models import Capacidade
from prometheus_site.busca import normalizar
from tests.apoio import orcar


@pytest.fixture
def caixa_com_dois(specs_exemplo):
    """spec_001 (Transcrição de consultas) waits for gaps; spec_002 is ready."""
    Capacidade.objects.create(tipo="container", nome="postgres")
    return {"transcricao": orcar("spec_001"), "credito": orcar("spec_002")}


def _ids(resposta) -> list[int]:
    return [int(n) for n in re.findall(r'data-id="orcamento-(\d+)"', resposta.content.decode())]


@pytest.mark.parametrize("busca", ["transcricao", "TRANSCRIÇÃO", "Transcrição de", "consultas", "SPEC_001"])
def test_busca_ignora_acentos_e_caixa(cliente_como, caixa_com_dois, busca):
    """Runs on SQLite and, with DATABASE_URL, on PostgreSQL: the match is on a normalised column."""
    resposta = cliente_como("po").get(reverse("inicio"), {"aba": "espera", "q": busca})
    assert _ids(resposta) == [caixa_com_dois["transcricao"].pk]


def test_normalizar():
    assert normalizar("  Transcrição  de Áudio ") == "transcricao de audio"
    assert normalizar("CRÉDITO") == normalizar("credito") == "credito"


def test_busca_sem_resultado_diz_e_oferece_limpar_e_contadores_mantem_totais(cliente_como, caixa_com_dois):
    resposta = cliente_como("po").get(reverse("inicio"), {"aba": "decidir", "q": "nada_disso"})
    pagina = resposta.content.decode()
    assert "Nenhum item com “nada_disso” nesta aba." in pagina
    assert '<a href="?aba=decidir">Limpar a busca</a>' in pagina
    contadores = re.findall(r'data-aba="(\w+)"[^>]*>[^<]*<span class="contador">(\d+)</span>', pagina)
    assert dict(contadores) == {"decidir": "1", "espera": "1", "decididos": "0"}


def test_busca_com_resultado_conta_o_que_achou(cliente_como, caixa_com_dois):
    pagina = cliente_como("po").get(reverse("inicio"), {"aba": "decidir", "q": "credito"}).content.decode()
    assert "1 item com “credito” nesta aba." in pagina


def test_caixa_vazia_aponta_para_specs(cliente_como, specs_exemplo):
    pagina = cliente_como("po").get(reverse("inicio")).content.decode()
    assert "Nada esperando sua decisão agora." in pagina
    assert f'<a href="{reverse("specs")}">Peça um orçamento em Specs</a>' in pagina


def test_quadro_vazio_aponta_para_specs(cliente_como, db):
    pagina = cliente_como("admin").get(reverse("backlog-quadro")).content.decode()
    assert f'<a href="{reverse("specs")}">Comece em Specs → Pedir orçamento.</a>' in pagina


def test_sair_diz_que_saiu(cliente_como, db):
    resposta = cliente_como("po").post(reverse("logout"), follow=True)
    assert resposta.redirect_chain[-1][0] == reverse("login")
    assert "Você saiu." in resposta.content.decode()
    assert cliente_como("anon").get(reverse("inicio")).status_code == 302


# --- error pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("idioma", "titulo", "volta"),
    [("pt-br", "Página não encontrada", "Voltar às decisões"), ("en", "Page not found", "Back to decisions")],
)
def test_404_da_aplicacao_no_idioma(cliente_como, db, idioma, titulo, volta):
    po = cliente_como("po")
    po.cookies["django_language"] = idioma
    resposta = po.get("/nao-existe/")
    assert resposta.status_code == 404
    pagina = resposta.content.decode()
    assert f'<h1 id="titulo-erro">{titulo}</h1>' in pagina
    assert f'<a class="botao" href="{reverse("inicio")}">{volta}</a>' in pagina
    assert 'href="/static/css/prometheus.css"' in pagina


def test_403_da_aplicacao(cliente_como, caixa_com_dois):
    resposta = cliente_como("outsider").get(reverse("orcamento", args=[caixa_com_dois["credito"].pk]))
    assert resposta.status_code == 403
    assert "Acesso negado" in resposta.content.decode() and "Voltar às decisões" in resposta.content.decode()


@pytest.mark.parametrize("quem", ["po", "outsider"])
def test_quem_nao_e_equipe_abre_o_admin_e_ve_o_403_da_aplicacao(cliente_como, db, quem):
    resposta = cliente_como(quem).get("/admin/", follow=True)
    assert resposta.status_code == 403
    pagina = resposta.content.decode()
    assert "Acesso negado" in pagina and 'href="/static/css/prometheus.css"' in pagina
    assert 'id="login-form"' not in pagina  # not the admin's own login


def test_anonimo_no_admin_vai_para_o_login_da_aplicacao(cliente_como, db):
    resposta = cliente_como("anon").get("/admin/fabrica/capacidade/", follow=True)
    assert resposta.redirect_chain[-1][0].startswith(reverse("login") + "?next=")
    assert "Entrar no PROMETHEUS" in resposta.content.decode()


def test_admin_ainda_entra_no_admin(cliente_como, db):
    assert cliente_como("admin").get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("idioma", "titulo"), [("pt-br", "Algo deu errado do nosso lado"), ("en", "Something went wrong on our side")]
)
def test_500_renderiza_sem_contexto_no_idioma(idioma, titulo):
    """Django renders 500.html without a request or context processors: it must stand alone."""
    with translation.override(idioma):
        pagina = render_to_string("500.html")
    assert titulo in pagina and 'href="/"' in pagina
