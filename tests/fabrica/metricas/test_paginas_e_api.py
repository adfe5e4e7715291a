"""The metrics page, the facts behind each number and ``/api/metricas/``, with the cast: PO and
admins see them; a system, an outsider and anonymous are refused."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.apoio import assert_forma_de_erro
from tests.fabrica.metricas.test_dora import NOVEMBRO, historia  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

NOVEMBRO_QUERY = {"de": "2026-11-01", "ate": "2026-11-30"}


@pytest.mark.parametrize(
    ("quem", "esperado"), [("po", 200), ("admin", 200), ("sistema", 403), ("outsider", 403), ("anon", 302)]
)
def test_pagina_por_papel(cliente_como, quem, esperado):
    resposta = cliente_como(quem).get(reverse("metricas"))

    assert resposta.status_code == esperado
    if quem == "anon":
        assert resposta["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("quem", "esperado"), [("po", 200), ("admin", 200), ("sistema", 403), ("outsider", 403), ("anon", 401)]
)
def test_api_por_papel(api_como, quem, esperado):
    assert api_como(quem).get(reverse("api-metricas")).status_code == esperado


@pytest.mark.parametrize(("quem", "esperado"), [("po", 200), ("outsider", 403), ("anon", 302)])
def test_fatos_por_papel(cliente_como, quem, esperado):
    assert cliente_como(quem).get(reverse("metricas-fatos", args=["dora.falhas"])).status_code == esperado


def test_navegacao_leva_o_po_e_o_admin(cliente_como):
    assert 'data-lugar="metricas"' in cliente_como("po").get(reverse("specs")).content.decode()
    assert 'data-lugar="metricas"' in cliente_como("admin").get(reverse("metricas")).content.decode()


def test_sem_historia_diz_sem_dados_nunca_zero(cliente_como, api_como):
    pagina = cliente_como("po").get(reverse("metricas")).content.decode()
    corpo = api_como("po").get(reverse("api-metricas")).json()

    assert "sem dados" in pagina
    assert corpo["metricas"] and all(m["valor"] is None for m in corpo["metricas"] if m["chave"] != "dora.falhas")
    assert all(m["sem_dados"] and m["texto"] == "sem dados" for m in corpo["metricas"] if m["valor"] is None)


def test_sem_dados_em_ingles(cliente_como):
    cliente = cliente_como("po")
    cliente.cookies["django_language"] = "en"

    assert "no data" in cliente.get(reverse("metricas")).content.decode()


def test_api_com_definicoes_contagens_e_fatos(api_como, historia):  # noqa: F811
    corpo = api_como("po").get(reverse("api-metricas"), NOVEMBRO_QUERY).json()

    falhas = next(
        m for m in corpo["metricas"] if m["chave"] == "dora.falhas" and m["recorte"] == {"ambiente": "producao"}
    )
    assert falhas["valor"] == 0.5 and falhas["contagens"]["implantacoes"] == 2
    assert "revertida" in falhas["definicao"]
    assert corpo["ambiente_dora"] == "producao"
    assert corpo["faixas"]["chave"] == "dora_2023"
    assert corpo["periodo"] == {"de": "2026-11-01", "ate": "2026-11-30", "dias": 30}
    assert {t["chave"] for t in corpo["tendencias"]} >= {"dora.frequencia", "dora.falhas"}
    assert falhas["fatos"].startswith(reverse("metricas-fatos", args=["dora.falhas"]))


def test_api_diz_o_mesmo_que_o_serializador_da_saida(api_como, historia):  # noqa: F811
    """The view sends ``resposta`` as it is; passed through ``MetricasSaida`` (the schema's
    description) it gives the same JSON, value for value."""
    from rest_framework.renderers import JSONRenderer

    from fabrica.metricas.api import MetricasSaida, resposta
    from fabrica.metricas.selectors import painel

    corpo = api_como("po").get(reverse("api-metricas"), NOVEMBRO_QUERY).json()
    dados = resposta(painel(NOVEMBRO))
    assert corpo == json.loads(JSONRenderer().render(MetricasSaida(dados).data))
    assert corpo == json.loads(JSONRenderer().render(dados))
    assert any(m["valor"] is not None for m in corpo["metricas"])
    assert any(t["pontos"] for t in corpo["tendencias"])


def test_os_fatos_sao_as_linhas_contadas(cliente_como, api_como, historia):  # noqa: F811
    corpo = api_como("po").get(reverse("api-metricas"), NOVEMBRO_QUERY).json()
    falhas = next(
        m for m in corpo["metricas"] if m["chave"] == "dora.falhas" and m["recorte"] == {"ambiente": "producao"}
    )

    pagina = cliente_como("po").get(falhas["fatos"]).content.decode()

    assert f'data-implantacao="{historia["p1"].pk}"' in pagina
    assert f'data-implantacao="{historia["p2"].pk}"' in pagina
    assert f'data-implantacao="{historia["h1"].pk}"' not in pagina


def test_pagina_com_historia_mostra_graficos_e_faixas(cliente_como, historia):  # noqa: F811
    pagina = cliente_como("po").get(reverse("metricas"), NOVEMBRO_QUERY).content.decode()

    assert "<svg" in pagina and "<polyline" in pagina
    assert "50,0%" in pagina  # producao's change failure rate
    assert 'class="faixa faixa-baixa"' in pagina
    assert " style=" not in pagina and "<script>" not in pagina


@pytest.mark.parametrize(
    ("query", "campo"),
    [
        ({"de": "2026-13-01"}, "de"),
        ({"de": "2026-11-30", "ate": "2026-11-01"}, "de"),
        ({"de": "2000-01-01", "ate": "2026-11-01"}, "de"),
        ({"vertente": "X"}, "vertente"),
        ({"faixas": "outra"}, "faixas"),
        ({"spec": "não slug"}, "spec"),
    ],
)
def test_filtros_invalidos_400_nomeando_o_campo(api_como, query, campo):
    corpo = assert_forma_de_erro(api_como("po").get(reverse("api-metricas"), query), 400)

    assert campo in corpo["campos"]


def test_pagina_com_filtro_invalido_mostra_o_erro(cliente_como):
    resposta = cliente_como("po").get(reverse("metricas"), {"de": "2026-11-30", "ate": "2026-11-01"})

    assert resposta.status_code == 200
    assert "erro-campo" in resposta.content.decode()


def test_fatos_de_metrica_desconhecida_404(cliente_como):
    assert cliente_como("po").get(reverse("metricas-fatos", args=["nao.existe"])).status_code == 404


def test_admin_ve_o_backlog_agora_e_o_po_nao(cliente_como):
    assert 'id="backlog"' in cliente_como("admin").get(reverse("metricas")).content.decode()
    assert 'id="backlog"' not in cliente_como("po").get(reverse("metricas")).content.decode()


def test_graficos_com_numeros_de_svg_em_pt_br(cliente_como, historia):  # noqa: F811
    """SVG attributes are numbers with a dot: pt-BR's "160,0" is an invalid length the browser drops."""
    import re

    pagina = cliente_como("po").get(reverse("metricas"), NOVEMBRO_QUERY).content.decode()
    atributos = re.findall(r'\b(?:cx|cy|width|viewBox)="([^"]*)"', pagina)

    assert 'class="ponto"' in pagina and atributos
    assert [a for a in atributos if "," in a] == []
