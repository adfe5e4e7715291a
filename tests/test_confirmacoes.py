"""Every irreversible action asks first (issue 17 item 6), one way everywhere: a form with
``data-confirmar`` opens its dialog (static/js/prometheus.js) and carries the hidden
``confirmado`` field the dialog fills; the server acts only on ``confirmado=sim`` and otherwise
answers the confirmation page (prometheus_site/confirmacao.py). The views' side is tested where
each action lives (budget, release, deployment, failure, rollback); here, the templates'."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)


def _formularios_que_perguntam() -> list[tuple[str, str]]:
    achados = []
    for arquivo in sorted(TEMPLATES.rglob("*.html")):
        texto = arquivo.read_text()
        achados += [(str(arquivo.relative_to(TEMPLATES)), f) for f in FORM.findall(texto) if "data-confirmar=" in f]
    return achados


def test_ha_formularios_que_perguntam():
    arquivos = {a for a, _ in _formularios_que_perguntam()}
    # Budget, release, deployment (refusal, promotion, failure) and environment (rollback).
    assert {
        "fabrica/orcamento.html",
        "fabrica/release.html",
        "fabrica/implantacao/implantacao.html",
        "fabrica/implantacao/ambiente.html",
    } <= arquivos


@pytest.mark.parametrize(("arquivo", "form"), _formularios_que_perguntam())
def test_cada_formulario_que_pergunta_tem_o_dialogo_e_o_campo(arquivo, form):
    dialogo = re.search(r'data-confirmar="([^"]+)"', form).group(1)
    texto = (TEMPLATES / arquivo).read_text()
    # The dialog it names exists in the same page (a templated id keeps its template).
    assert f'<dialog id="{dialogo}"' in texto, f"{arquivo}: no dialog {dialogo}"
    # Without this field the server would ask again after the dialog said yes.
    assert '<input type="hidden" name="confirmado" value="">' in form, f"{arquivo}: {form[:120]}"
