"""Deployment pages with the cast: the environments and what runs where, one environment's
history and rollback (admins), one deployment with its log and the PO's decisions, the inbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backlog.models import Item
from fabrica.decisoes import caixa
from fabrica.implantacao import services
from fabrica.implantacao.models import Implantacao
from tests.fabrica.implantacao.conftest import implantar, processar

pytestmark = pytest.mark.django_db

ELENCO = ["sistema", "admin", "po", "outsider", "anon"]
LEITORES = {"sistema", "admin", "po"}


def _recusado(resposta, quem: str) -> None:
    if quem == "anon":
        assert resposta.status_code == 302 and resposta["Location"].startswith(reverse("login"))
    else:
        assert resposta.status_code == 403


@pytest.mark.parametrize("quem", ELENCO)
def test_paginas_de_leitura_por_papel(cliente_como, implantada, quem):
    cliente = cliente_como(quem)
    urls = [
        reverse("ambientes"),
        reverse("ambiente", args=["homologacao"]),
        reverse("implantacao", args=[implantada.pk]),
        reverse("implantacao-log", args=[implantada.pk]),
    ]
    for url in urls:
        resposta = cliente.get(url)
        if quem in LEITORES:
            assert resposta.status_code == 200, url
        else:
            _recusado(resposta, quem)


def test_ambientes_mostra_o_que_roda_onde_e_o_caminho(cliente_como, fazer_release, rapidos, elenco):
    v1 = fazer_release(1)
    homolog = implantar(v1)
    services.implantacao_validar(implantacao_id=homolog.pk, por=elenco["po"], aprovado=True)
    processar(services.implantacao_promover(implantacao_id=homolog.pk, por=elenco["po"]))
    implantar(fazer_release(2))

    html = cliente_como("po").get(reverse("ambientes")).content.decode()

    assert 'id="ambiente-homologacao"' in html and 'id="ambiente-producao"' in html
    assert "exige validação em homologacao" in html
    assert html.count('data-spec="spec_teste"') == 2
    linha_v1 = html.split('data-release="spec_teste-v1"')[1].split("</tr>")[0]
    assert "Validada" in linha_v1 and linha_v1.count("● serve") == 1  # serves in producao, not in homologacao
    linha_v2 = html.split('data-release="spec_teste-v2"')[1].split("</tr>")[0]
    assert "aguardando validação" in linha_v2 and "● serve" in linha_v2


def test_pagina_do_ambiente_para_o_admin_tem_reversao(cliente_como, fazer_release, rapidos):
    v1 = fazer_release(1)
    implantar(v1)
    implantar(fazer_release(2))
    url = reverse("ambiente", args=["homologacao"])

    admin = cliente_como("admin").get(url).content.decode()
    po = cliente_como("po").get(url).content.decode()

    assert f'<option value="{v1.pk}">spec_teste-v1</option>' in admin
    assert 'action="/ambientes/homologacao/reverter/"' in admin
    assert "reverter/" not in po
    for html in (admin, po):
        assert html.count("data-implantacao=") == 2
        assert "spec_teste-v2" in html.split('id="servindo"')[1].split("</table>")[0]
    assert cliente_como("po").get(reverse("ambiente", args=["nenhum"])).status_code == 404


@pytest.mark.parametrize("quem", ELENCO)
def test_reverter_pela_pagina_so_o_admin(cliente_como, fazer_release, rapidos, quem):
    v1 = fazer_release(1)
    implantar(v1)
    implantar(fazer_release(2))

    url = reverse("ambiente-reverter", args=["homologacao"])
    pedido = {"spec_ref": "spec_teste", "release": v1.pk, "motivo": "v2 lenta"}
    pergunta = cliente_como(quem).post(url, pedido)
    resposta = cliente_como(quem).post(url, {**pedido, "confirmado": "sim"})

    reversoes = Item.objects.filter(tipo="implantar", contexto__has_key="reversao")
    if quem == "admin":
        # Asked first (issue 17 item 6): the page repeats what was typed and posts it again.
        html = pergunta.content.decode()
        assert pergunta.status_code == 200 and "Reverter spec_teste em homologacao?" in html
        assert '<input type="hidden" name="motivo" value="v2 lenta">' in html
        assert '<input type="hidden" name="confirmado" value="sim">' in html
        assert resposta.status_code == 302 and resposta["Location"] == reverse("ambiente", args=["homologacao"])
        assert reversoes.count() == 1
        reversao = processar(reversoes.get())
        assert reversao.release == v1 and reversao.motivo == "v2 lenta"
    else:
        _recusado(resposta, quem)
        assert not reversoes.exists()


def test_reversao_recusada_guarda_o_que_foi_digitado(cliente_como, fazer_release, rapidos):
    v1 = fazer_release(1)
    implantar(v1)
    implantar(fazer_release(2))
    longo = "a v2 derruba o login; " * 300  # over the 5,000 characters

    resposta = cliente_como("admin").post(
        reverse("ambiente-reverter", args=["homologacao"]),
        {"spec_ref": "spec_teste", "release": v1.pk, "motivo": longo, "confirmado": "sim"},
    )

    html = resposta.content.decode()
    assert resposta.status_code == 400
    assert f'value="{longo}"' in html  # the typed text, back in its field
    assert 'id="erro-motivo-spec_teste">Motivo:' in html  # the error names the field
    assert f'<option value="{v1.pk}" selected>' in html
    assert not Item.objects.filter(tipo="implantar", contexto__has_key="reversao").exists()


def test_reverter_sem_motivo_mostra_o_erro(cliente_como, implantada):
    resposta = cliente_como("admin").post(
        reverse("ambiente-reverter", args=["homologacao"]),
        {"spec_ref": "spec_teste", "release": 1, "motivo": ""},
        follow=True,
    )

    assert "Informe o motivo da reversão." in resposta.content.decode()
    assert not Item.objects.filter(tipo="implantar", contexto__has_key="reversao").exists()


def test_pagina_da_implantacao_para_o_po_e_para_os_outros(cliente_como, implantada):
    url = reverse("implantacao", args=[implantada.pk])

    po = cliente_como("po").get(url).content.decode()
    admin = cliente_como("admin").get(url).content.decode()

    assert 'id="validar"' in po and "Recusar e reverter" in po
    assert 'id="validar"' not in admin
    for html in (po, admin):
        assert "current → releases/spec_teste-v1" in html  # the kept log
        assert 'id="status" class="status status-Concluida"' in html
        assert "hx-get" not in html  # finished: nothing polls


def test_log_transmitido_enquanto_roda(cliente_como, implantada):
    Implantacao.objects.filter(pk=implantada.pk).update(
        status=Implantacao.Status.EM_ANDAMENTO, terminado_em=None, validacao=""
    )
    po = cliente_como("po")

    pagina = po.get(reverse("implantacao", args=[implantada.pk])).content.decode()
    fragmento = po.get(reverse("implantacao-log", args=[implantada.pk]), HTTP_HX_REQUEST="true")

    assert f'hx-get="{reverse("implantacao-log", args=[implantada.pk])}"' in pagina
    assert "htmx-2.min.js" in pagina
    assert fragmento.status_code == 200 and "current → releases/spec_teste-v1" in fragmento.content.decode()
    Implantacao.objects.filter(pk=implantada.pk).update(
        status=Implantacao.Status.CONCLUIDA, terminado_em=implantada.terminado_em
    )
    fim = po.get(reverse("implantacao-log", args=[implantada.pk]), HTTP_HX_REQUEST="true")
    assert fim["HX-Refresh"] == "true"


@pytest.mark.parametrize("quem", ELENCO)
def test_validar_pela_pagina_so_o_po(cliente_como, implantada, quem):
    resposta = cliente_como(quem).post(reverse("implantacao-validar", args=[implantada.pk]), {"decisao": "validar"})

    implantada.refresh_from_db()
    if quem == "po":
        assert resposta.status_code == 302
        assert implantada.validacao == Implantacao.Validacao.VALIDADA
    else:
        _recusado(resposta, quem)
        assert implantada.validacao == Implantacao.Validacao.PENDENTE


def test_validar_recusar_promover_pela_pagina(cliente_como, fazer_release, rapidos):
    po = cliente_como("po")
    implantar(fazer_release(1))
    segunda = implantar(fazer_release(2))

    sem_observacao = po.post(reverse("implantacao-validar", args=[segunda.pk]), {"decisao": "recusar"}, follow=True)
    assert "a observação vira o pedido de correção" in sem_observacao.content.decode()
    pergunta = po.post(
        reverse("implantacao-validar", args=[segunda.pk]), {"decisao": "recusar", "observacao": "errado"}
    )
    assert f"Recusar a implantação #{segunda.pk} e reverter homologacao?" in pergunta.content.decode()
    segunda.refresh_from_db()
    assert segunda.validacao == Implantacao.Validacao.PENDENTE  # asked, not acted
    recusa = po.post(
        reverse("implantacao-validar", args=[segunda.pk]),
        {"decisao": "recusar", "observacao": "errado", "confirmado": "sim"},
        follow=True,
    )
    assert "Implantação recusada: a reversão e a correção foram solicitadas." in recusa.content.decode()
    assert "Validação: <strong>recusada</strong> por po em" in recusa.content.decode()
    de_novo = po.post(reverse("implantacao-validar", args=[segunda.pk]), {"decisao": "validar"}, follow=True)
    assert "Esta implantação já foi recusada por po em" in de_novo.content.decode()

    processar(Item.objects.get(tipo="implantar", contexto__has_key="reversao"))
    terceira = implantar(fazer_release(3))
    validada = po.post(reverse("implantacao-validar", args=[terceira.pk]), {"decisao": "validar"}, follow=True)
    html = validada.content.decode()
    assert "promover para producao está à sua disposição" in html and "Promover para producao" in html
    assert 'data-confirmar="confirmar-promover"' in html  # promoting asks first (issue 17)
    pergunta = po.post(reverse("implantacao-promover", args=[terceira.pk]))
    assert "Implantar spec_teste-v3 em producao?" in pergunta.content.decode()
    assert not Item.objects.filter(tipo="implantar", contexto__ambiente="producao").exists()
    promovida = po.post(reverse("implantacao-promover", args=[terceira.pk]), {"confirmado": "sim"}, follow=True)
    # It lands on the release page: the deployment asked for, in words, and the part polling until
    # the worker creates it; then the part links it (issue 17 item 7).
    html = promovida.content.decode()
    assert (
        promovida.redirect_chain[-1][0] == reverse("release", args=[terceira.release_id]) + "#implantacoes-da-release"
    )
    assert "Nova implantação em producao solicitada" in html and "item #" not in html
    assert "Implantação em producao solicitada" in html and 'hx-trigger="every 2s"' in html
    assert Item.objects.filter(tipo="implantar", contexto__ambiente="producao").count() == 1
    em_producao = processar(Item.objects.get(tipo="implantar", contexto__ambiente="producao"))
    assert em_producao is not None
    parte = po.get(
        reverse("release", args=[terceira.release_id]), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="implantacoes-da-release"
    ).content.decode()
    assert f'href="{reverse("implantacao", args=[em_producao.pk])}"' in parte
    assert f'<dd data-ambiente="producao"><a href="{reverse("implantacao", args=[em_producao.pk])}"' in parte
    assert cliente_como("admin").post(reverse("implantacao-promover", args=[terceira.pk])).status_code == 403
    assert cliente_como("admin").post(reverse("implantacao-dispensar", args=[terceira.pk])).status_code == 403


def test_caixa_do_po_mostra_validacoes_e_promocoes(cliente_como, implantada, elenco):
    po = cliente_como("po")

    html = po.get(reverse("inicio")).content.decode()
    assert f'href="/implantacoes/{implantada.pk}/"' in html
    assert "spec_teste-v1 em homologacao" in html

    services.implantacao_validar(implantacao_id=implantada.pk, por=elenco["po"], aprovado=True, observacao="boa")
    html = po.get(reverse("inicio")).content.decode()
    assert "Promoção" in html and "validada em homologacao; promover para producao?" in html
    decididos = po.get(reverse("inicio") + "?aba=decididos&tipo=validar_implantacao").content.decode()
    assert "spec_teste" in decididos and "boa" in decididos

    services.implantacao_dispensar_promocao(implantacao_id=implantada.pk, por=elenco["po"])
    assert f'href="/implantacoes/{implantada.pk}/"' not in po.get(reverse("inicio")).content.decode()
    # The admin decides nothing here: no deployment kind in their inbox.
    assert "validar_implantacao" not in [t.nome for t in caixa.tipos_para(elenco["admin"])]


def test_caixa_em_espera_mostra_o_que_roda(cliente_como, implantada):
    Implantacao.objects.filter(pk=implantada.pk).update(
        status=Implantacao.Status.EM_ANDAMENTO, terminado_em=None, validacao=""
    )

    html = cliente_como("po").get(reverse("inicio") + "?aba=espera").content.decode()

    assert f'href="/implantacoes/{implantada.pk}/"' in html and "em andamento" in html


def test_navegacao_tem_ambientes(cliente_como, implantada):
    assert f'href="{reverse("ambientes")}"' in cliente_como("po").get(reverse("inicio")).content.decode()


def test_pagina_da_release_leva_as_suas_implantacoes(cliente_como, implantada):
    """A deployment (failed or not) is found from the release it deployed, not only from its
    environment's page."""
    html = cliente_como("po").get(reverse("release", args=[implantada.release_id])).content.decode()

    assert f'href="{reverse("implantacao", args=[implantada.pk])}"' in html
    assert "homologacao" in html.split('id="implantacoes"', 1)[1].split("</ul>", 1)[0]
