"""Issue 17, item 5: the PO's forms keep what was typed. Every text field shows its limit and a
count; a refused decision comes back with the error at the field and the text in it; a body
over the limit answers the app's 413 page (never Django's traceback, DEBUG on or off)."""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse

from backlog.models import Item
from fabrica.models import Orcamento, Release


def test_pagina_da_release_mostra_o_limite_de_cada_texto(cliente_como, release_pronta):
    html = cliente_como("po").get(reverse("release", args=[release_pronta.pk])).content.decode()

    for campo in ("motivo-aprovar", "motivo-rejeitar"):
        assert f'id="{campo}"' in html
        assert f'id="limite-{campo}"' in html
    assert html.count('maxlength="5000" data-contar') == 2
    assert "<span data-contagem>0</span> de 5000 caracteres" in html


def test_motivo_longo_demais_volta_com_o_texto_e_o_campo_nomeado(cliente_como, release_pronta):
    motivo = "falta o campo de desconto " + "x" * 5000
    resposta = cliente_como("po").post(
        reverse("release-decidir", args=[release_pronta.pk, "rejeitar"]), {"motivo": motivo}
    )

    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert f">{motivo}</textarea>" in html  # what was typed is still there
    assert 'id="erro-rejeitar"' in html and "O que está errado:" in html
    assert "no máximo 5000 caracteres" in html
    assert 'aria-invalid="true" aria-describedby="erro-rejeitar limite-motivo-rejeitar"' in html
    assert f"<span data-contagem>{len(motivo)}</span> de 5000 caracteres" in html
    assert Release.objects.get(pk=release_pronta.pk).status == Release.Status.ABERTA
    assert not Item.objects.filter(tipo="corrigir_bug").exists()


def test_motivo_em_branco_volta_nomeando_o_campo(cliente_como, release_pronta):
    resposta = cliente_como("po").post(
        reverse("release-decidir", args=[release_pronta.pk, "rejeitar"]), {"motivo": " "}
    )

    assert resposta.status_code == 400
    assert "O que está errado: Informe o motivo da decisão." in resposta.content.decode()


def test_comentario_da_aprovacao_longo_demais_fica_no_campo(cliente_como, release_pronta):
    comentario = "<b>ok</b>" + "y" * 5000
    resposta = cliente_como("po").post(
        reverse("release-decidir", args=[release_pronta.pk, "aprovar"]),
        {"ambiente": "homologacao", "motivo": comentario},
    )

    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert f">{html_lib.escape(comentario)}</textarea>" in html  # kept, and escaped
    assert "Comentário: " in html
    assert Release.objects.get(pk=release_pronta.pk).status == Release.Status.ABERTA


def test_rejeitar_a_release_pede_confirmacao_num_dialogo(cliente_como, release_pronta):
    html = cliente_como("po").get(reverse("release", args=[release_pronta.pk])).content.decode()

    assert 'data-confirmar="confirmar-rejeitar-release"' in html
    assert '<dialog id="confirmar-rejeitar-release"' in html
    assert f"Rejeitar a release {release_pronta.rotulo_versao}?" in html


@pytest.mark.parametrize("debug", [False, True])
def test_corpo_grande_demais_responde_a_pagina_413(cliente_como, release_pronta, settings, debug):
    settings.DEBUG = debug
    resposta = cliente_como("po").post(
        reverse("release-decidir", args=[release_pronta.pk, "rejeitar"]), {"motivo": "x" * (3 * 1024 * 1024)}
    )

    assert resposta.status_code == 413
    html = resposta.content.decode()
    assert "Texto grande demais" in html and "1024 KiB" in html
    assert "Traceback" not in html and "RequestDataTooBig" not in html
    assert Release.objects.get(pk=release_pronta.pk).status == Release.Status.ABERTA


def test_pagina_413_em_ingles(cliente_como, orcamento_pronto, settings):
    settings.DEBUG = True
    cliente = cliente_como("po")
    cliente.post(reverse("set_language"), {"language": "en", "next": "/"})
    resposta = cliente.post(
        reverse("orcamento-decidir", args=[orcamento_pronto.pk, "rejeitar"]), {"motivo": "x" * (2 * 1024 * 1024)}
    )

    assert resposta.status_code == 413
    assert "Text too large" in resposta.content.decode()
    assert Orcamento.objects.get(pk=orcamento_pronto.pk).status == Orcamento.Status.ABERTO


def test_api_continua_com_o_413_em_json(api_como, release_pronta):
    resposta = api_como("po").post(
        reverse("api-release-rejeitar", args=[release_pronta.pk]), {"motivo": "x" * (2 * 1024 * 1024)}, format="json"
    )

    assert resposta.status_code == 413
    assert "limite" in resposta.json()["erro"]


def test_orcamento_mostra_limite_e_contagem_do_que_voltou(cliente_como, orcamento_pronto):
    motivo = "z" * 5001
    resposta = cliente_como("po").post(
        reverse("orcamento-decidir", args=[orcamento_pronto.pk, "rejeitar"]), {"motivo": motivo}
    )

    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert f">{motivo}</textarea>" in html
    assert "<span data-contagem>5001</span> de 5000 caracteres" in html
