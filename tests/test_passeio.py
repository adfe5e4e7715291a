"""What a newcomer's walk through the cycle found (issue 17's quality gate): a rejected release's
reason keeps its lines (a failed deployment's reason quotes its log), the regression case a fix
was asked with reads as JSON, and a budget waiting for gaps says where they are and who resolves them."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from backlog.models import Status
from fabrica.models import Release
from tests.factories import ItemComStatusFactory, ReleaseFactory, SpecFactory

pytestmark = pytest.mark.django_db


def _pagina(cliente_como, release: Release) -> lxml.html.HtmlElement:
    resposta = cliente_como("po").get(reverse("release", args=[release.pk]))
    assert resposta.status_code == 200
    return lxml.html.fromstring(resposta.content.decode())


def test_motivo_da_rejeicao_guarda_as_linhas_do_log(cliente_como, elenco):
    motivo = "A implantação #2 em homologacao falhou.\n05:49:06 │ FAILED tests/test_x.py::test_a\n05:49:06 │ 1 failed"
    release = ReleaseFactory(
        status=Release.Status.REJEITADA, motivo=motivo, decidido_por=elenco["po"], decidido_em=timezone.now()
    )

    (decisao,) = _pagina(cliente_como, release).xpath('//*[@id="decisao"]//span[@class="texto-com-linhas"]')

    assert decisao.text_content().splitlines()[1:] == motivo.splitlines()[1:]


def test_caso_do_pedido_de_correcao_se_le_como_json(cliente_como, elenco):
    spec = SpecFactory(spec_id="spec_x", conteudo={"id": "spec_x", "vertentes": ["I"]})
    v1 = ReleaseFactory(spec=spec, versao=1)
    caso = {"dado": {"comprovante": None, "valor_total": 150}, "espera": {"erro": {"campo": "comprovante"}}}
    pedido = ItemComStatusFactory(
        tipo="corrigir_bug",
        status=Status.CONCLUIDO,
        produtor="GENESIS",
        spec_ref="spec_x",
        contexto={"feature_ref": "spec_x-v1", "erro": "sem comprovante passa", "caso": caso},
    )
    v2 = ReleaseFactory(
        spec=spec, versao=2, tipo=Release.Tipo.HOTFIX, corrige=v1, item_origem=pedido, correcao={"erro": "x"}
    )

    codigos = [c.text_content() for c in _pagina(cliente_como, v2).xpath('//*[@id="pedido-de-correcao"]//code')]

    assert codigos == ['{"comprovante": null, "valor_total": 150}', '{"erro": {"campo": "comprovante"}}']


@pytest.mark.parametrize(
    ("idioma", "frase"),
    [
        ("pt-br", "espera a resolução dos gaps acima: um administrador resolve cada um"),
        ("en", "waiting for the gaps above to be resolved: an administrator resolves each one"),
    ],
)
def test_orcamento_bloqueado_diz_onde_estao_os_gaps_e_quem_os_resolve(cliente_como, orcamento_bloqueado, idioma, frase):
    cliente = cliente_como("po")
    cliente.cookies["django_language"] = idioma

    html = cliente.get(reverse("orcamento", args=[orcamento_bloqueado.pk])).content.decode()

    assert frase in html


def test_perfil_liga_cada_aviso_a_sua_decisao(cliente_como, elenco):
    from fabrica.avisos.models import Aviso

    release = ReleaseFactory()
    Aviso.objects.create(tipo=Aviso.Tipo.RELEASE, referencia=str(release.pk), usuario=elenco["po"])
    Aviso.objects.create(tipo=Aviso.Tipo.RESUMO, referencia="2026-12-06", usuario=elenco["po"])

    pagina = lxml.html.fromstring(cliente_como("po").get(reverse("perfil")).content.decode())
    celulas = pagina.xpath("//table//tbody/tr/td[1]")

    assert [c.xpath("./a/@href") for c in celulas] == [[], [reverse("release", args=[release.pk])]]
    assert cliente_como("po").get(reverse("release", args=[release.pk])).status_code == 200


@pytest.mark.parametrize(
    ("decisao", "campo"),
    [("aprovar", "Comentário:"), ("ajustar", "O que ajustar:"), ("rejeitar", "Motivo da rejeição:")],
)
def test_texto_longo_demais_no_orcamento_volta_nomeando_o_campo(cliente_como, orcamento_pronto, decisao, campo):
    motivo = "o custo por hora está alto " + "x" * 5000
    resposta = cliente_como("po").post(
        reverse("orcamento-decidir", args=[orcamento_pronto.pk, decisao]), {"motivo": motivo}
    )

    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert f">{motivo}</textarea>" in html
    assert f'<p class="erro-campo" id="erro-{decisao}">{campo} ' in html and "no máximo 5000 caracteres" in html
    assert f'aria-invalid="true" aria-describedby="erro-{decisao} limite-motivo-{decisao}"' in html
