"""Links both ways, and none a role cannot open (issue 17 item 7).

One cycle as the PO lives it (a release approved, deployed, refused, its fix asked), then every
page the PO can reach from the inbox is opened with the PO's session, following every link: none
answers 403 or 404. The pages link deployment ↔ release ↔ budget ↔ spec, and show a decision's
result where the decision's redirect lands."""

from __future__ import annotations

import html
import re
from collections import deque

import pytest
from django.urls import reverse

from backlog.models import Item
from fabrica.consumidor import processar_proximo
from fabrica.implantacao.models import Implantacao

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/[^"#]*)')
# Not pages of the app: Django's admin and the API have their own tests, logging out ends the
# session, static files are files.
FORA = ("/admin/", "/api/", "/contas/logout/", "/i18n/", "/static/")


def _links(pagina: str) -> set[str]:
    return {html.unescape(u) for u in LINK.findall(pagina) if not u.startswith(FORA)}


def _percorrer(cliente, inicio: list[str], limite: int = 400) -> dict[str, int]:
    vistos: dict[str, int] = {}
    fila = deque(inicio)
    while fila and len(vistos) < limite:
        url = fila.popleft()
        if url in vistos:
            continue
        resposta = cliente.get(url)
        vistos[url] = resposta.status_code
        if resposta.status_code == 200 and resposta["Content-Type"].startswith("text/html"):
            fila.extend(_links(resposta.content.decode()) - set(vistos))
    return vistos


@pytest.fixture
def ciclo(cliente_como, release_pronta, ambientes, settings, tmp_path):
    """release_pronta approved for homologacao, deployed, its validation refused (rolled back,
    a fix asked): every kind of page the PO meets in one cycle."""
    settings.PROMETHEUS_IMPLANTACOES_DIR = tmp_path / "implantacoes"
    for ambiente in ambientes.values():
        ambiente.configuracao = {"smoke": False}
        ambiente.save()
    po = cliente_como("po")
    aprovada = po.post(
        reverse("release-decidir", args=[release_pronta.pk, "aprovar"]), {"ambiente": "homologacao"}, follow=True
    )
    item = Item.objects.get(tipo="implantar")
    assert processar_proximo(["implantar"]) == item.pk
    impl = Implantacao.objects.get(item=item)
    antes_da_recusa = po.get(reverse("implantacao", args=[impl.pk])).content.decode()
    po.post(
        reverse("implantacao-validar", args=[impl.pk]),
        {"decisao": "recusar", "observacao": "o login cai", "confirmado": "sim"},
    )
    assert processar_proximo(["implantar"]) is not None  # the rollback
    return {
        "po": po,
        "release": release_pronta,
        "implantacao": impl,
        "aprovada": aprovada.content.decode(),
        "antes_da_recusa": antes_da_recusa,
    }


def test_aprovar_mostra_a_implantacao_pedida_e_a_acompanha(ciclo):
    release, impl, po = ciclo["release"], ciclo["implantacao"], ciclo["po"]
    # Where the approval's redirect lands: the deployment asked for, and the part that polls.
    assert 'id="pedidas"' in ciclo["aprovada"] and "Implantação em homologacao solicitada" in ciclo["aprovada"]
    assert 'hx-trigger="every 2s"' in ciclo["aprovada"] and "htmx-2.min.js" in ciclo["aprovada"]
    # What the poll gets once the worker took it: the link to the deployment, and no more polling.
    parte = po.get(
        reverse("release", args=[release.pk]), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="implantacoes-da-release"
    ).content.decode()
    assert f'href="{reverse("implantacao", args=[impl.pk])}"' in parte
    assert "hx-trigger" not in parte and "<html" not in parte


def test_implantacao_release_orcamento_spec_ligados(ciclo):
    release, impl, po = ciclo["release"], ciclo["implantacao"], ciclo["po"]
    pagina_impl = ciclo["antes_da_recusa"]
    for destino in (
        reverse("release", args=[release.pk]),
        reverse("orcamento", args=[release.orcamento_id]),
        reverse("spec", args=[release.spec_id]),
    ):
        assert f'href="{destino}"' in pagina_impl, destino
    pagina_release = po.get(reverse("release", args=[release.pk])).content.decode()
    assert f'href="{reverse("implantacao", args=[impl.pk])}"' in pagina_release
    assert f'href="{reverse("orcamento", args=[release.orcamento_id])}"' in pagina_release
    pagina_spec = po.get(reverse("spec", args=[release.spec_id])).content.decode()
    assert f'href="{reverse("release", args=[release.pk])}"' in pagina_spec
    pagina_orcamento = po.get(reverse("orcamento", args=[release.orcamento_id])).content.decode()
    assert f'href="{reverse("release", args=[release.pk])}"' in pagina_orcamento


def test_release_recusada_leva_a_correcao(ciclo):
    release, po = ciclo["release"], ciclo["po"]
    corrigir = Item.objects.get(tipo="corrigir_bug")
    pagina = po.get(reverse("release", args=[release.pk])).content.decode()
    assert f'data-item="{corrigir.pk}"' in pagina
    assert f'href="{reverse("construcao", args=[corrigir.pk])}"' in pagina
    # The refused deployment links the fix its refusal asked for too.
    recusada = po.get(reverse("implantacao", args=[ciclo["implantacao"].pk])).content.decode()
    assert f'href="{reverse("construcao", args=[corrigir.pk])}"' in recusada.split('id="decisao"')[1]


def test_po_nao_ve_links_que_nao_pode_abrir(ciclo, cliente_como):
    impl = ciclo["implantacao"]
    url = reverse("implantacao", args=[impl.pk])
    item = reverse("backlog-item", args=[impl.item_id])
    assert item not in ciclo["po"].get(url).content.decode()  # the board is the admins'
    assert item in cliente_como("admin").get(url).content.decode()


def test_po_segue_cada_link_de_um_ciclo_sem_403_nem_404(ciclo):
    release, impl = ciclo["release"], ciclo["implantacao"]
    inicio = ["/", reverse("release", args=[release.pk]), reverse("implantacao", args=[impl.pk])]
    vistos = _percorrer(ciclo["po"], inicio)
    assert len(vistos) > 15, sorted(vistos)  # the crawl went somewhere
    assert reverse("orcamento", args=[release.orcamento_id]) in vistos
    quebrados = {url: status for url, status in vistos.items() if status in (403, 404)}
    assert quebrados == {}


def test_cartao_da_release_diz_que_a_implantacao_foi_recusada(ciclo):
    # The status tile follows the newest deployment, as the per-environment list does (issue 17 item 7).
    html = ciclo["po"].get(reverse("release", args=[ciclo["release"].pk])).content.decode()
    assert '<div class="n" id="situacao">recusada em homologacao</div>' in html
    assert 'data-ambiente="homologacao"' in html and ">aprovada</div>" not in html
