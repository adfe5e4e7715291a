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


def test_carregar_demo_diz_onde_o_site_responde(tmp_path, settings, monkeypatch):
    """``make run`` prints the address gunicorn is bound to (issue 17 item 11), never a fixed :8000."""
    settings.PROMETHEUS_SPECS_REPO = tmp_path / "var" / "specs-repo"
    monkeypatch.setenv("PROMETHEUS_WEB_BIND", "127.0.0.1:8123")
    saida = StringIO()

    call_command("carregar_demo", stdout=saida)

    assert "(http://127.0.0.1:8123/)" in saida.getvalue()
    assert "http://127.0.0.1:8123/api/backlog/itens/" in saida.getvalue()
    assert ":8000" not in saida.getvalue()


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        ("[::]:9001", "http://127.0.0.1:9001"),
        ("localhost:8080", "http://localhost:8080"),
        ("unix:/run/prometheus.sock", "unix:/run/prometheus.sock"),
    ],
)
def test_url_do_site_segue_o_bind(monkeypatch, bind, url):
    from prometheus_site import servidor

    monkeypatch.setenv("PROMETHEUS_WEB_BIND", bind)
    assert servidor.url_do_site() == url
