"""Issue 17, items 5 and 6 on the deployment pages: the observation and the rollback reason show
their limit; a refused validation keeps the text with the error at the field; refusing,
rolling back and promoting ask first (a dialog on the page)."""

from __future__ import annotations

from django.urls import reverse

from backlog.models import Item
from fabrica.implantacao.models import Implantacao
from tests.fabrica.implantacao.conftest import implantar


def test_recusa_sem_observacao_volta_nomeando_o_campo(cliente_como, implantada):
    resposta = cliente_como("po").post(
        reverse("implantacao-validar", args=[implantada.pk]), {"decisao": "recusar", "observacao": "   "}
    )

    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert 'id="erro-obs-recusar"' in html and "Observação: Diga o que está errado" in html
    implantada.refresh_from_db()
    assert implantada.validacao == Implantacao.Validacao.PENDENTE


def test_observacao_longa_demais_fica_no_campo_da_sua_decisao(cliente_como, implantada):
    observacao = "a tela de login quebrou " + "w" * 5000
    resposta = cliente_como("po").post(
        reverse("implantacao-validar", args=[implantada.pk]), {"decisao": "recusar", "observacao": observacao}
    )

    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert f">{observacao}</textarea>" in html
    assert html.count(observacao) == 1  # in the refusal's field, not in the validation's
    assert "no máximo 5000 caracteres" in html
    assert f"<span data-contagem>{len(observacao)}</span> de 5000 caracteres" in html
    implantada.refresh_from_db()
    assert implantada.validacao == Implantacao.Validacao.PENDENTE
    assert not Item.objects.filter(tipo="corrigir_bug").exists()


def test_recusar_pede_confirmacao_e_os_textos_mostram_o_limite(cliente_como, implantada):
    html = cliente_como("po").get(reverse("implantacao", args=[implantada.pk])).content.decode()

    assert 'data-confirmar="confirmar-recusar"' in html and '<dialog id="confirmar-recusar"' in html
    assert f"Recusar a implantação #{implantada.pk} e reverter homologacao?" in html
    for campo in ("obs-validar", "obs-recusar"):
        assert f'id="limite-{campo}"' in html


def test_reverter_pede_confirmacao_e_mostra_o_limite(cliente_como, fazer_release, rapidos):
    implantar(fazer_release(1))
    implantar(fazer_release(2))
    html = cliente_como("admin").get(reverse("ambiente", args=["homologacao"])).content.decode()

    assert 'data-confirmar="confirmar-reverter-spec_teste"' in html
    assert '<dialog id="confirmar-reverter-spec_teste"' in html
    assert 'id="limite-motivo-spec_teste"' in html
