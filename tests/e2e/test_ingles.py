"""Issue 17, item 8 in a real browser: a PO who reads English follows a failed deployment, rejects
its release into a correction and opens the hotfix that answers it; no page of that story shows
a Portuguese sentence (``tests.portugues`` reads the visible text), though the factory stores its
logs, its errors and the correction's ``erro`` in Portuguese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backlog.models import Item
from fabrica.models import Ambiente, Release
from tests.fabrica.implantacao.conftest import (  # noqa: F401 - fixtures shared with the service tests
    artefatos_de,
    fazer_release,
    implantacoes_dir,
    implantar,
    spec_teste,
)
from tests.factories import ReleaseFactory
from tests.portugues import com_contexto

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Proper names a page may show in any language: the language switch names each language in itself.
NOMES = ["Português (Brasil)"]
COMENTARIO = "the double of 2 must be 5"


@pytest.fixture
def homologacao(db) -> Ambiente:
    """The one environment of this story, running the release's own smoke tests."""
    return Ambiente.objects.create(nome="homologacao", ordem=10)


def _sem_portugues(page, *dados: str) -> str:
    """The page's visible text, once no Portuguese word is found in it outside ``dados``."""
    texto = page.locator("body").inner_text()
    achadas = com_contexto(texto, [*NOMES, *dados])
    assert achadas == {}, (page.url, "\n".join(f"{p}: {t!r}" for p, t in achadas.items()))
    return texto


def test_po_em_ingles_le_falha_rejeicao_e_hotfix_sem_portugues(
    entrar_como,
    fotografar,
    fazer_release,  # noqa: F811
    homologacao,
    live_server,
):
    falhou = implantar(fazer_release(1, smoke_passa=False))
    release = falhou.release
    titulo = release.spec.titulo  # the spec's title is its author's words
    po = entrar_como("po")
    po.locator("details.conta summary").click()
    po.get_by_label("Idioma").select_option("en")
    expect(po.locator("html")).to_have_attribute("lang", "en")

    # The failed deployment: its log, its error and the failing part, all stored in Portuguese.
    assert "fumaça" in falhou.erro
    po.goto(f"/implantacoes/{falhou.pk}/")
    expect(po.locator("#trecho")).to_contain_text("assert 4 == 5")
    texto = _sem_portugues(po, titulo)
    assert "The smoke tests failed (exit code" in texto
    fotografar(po, "implantacao-falhou-en")

    # The PO rejects the release from there, after confirming, in English.
    po.get_by_label("Comment for the fix (optional)").fill(COMENTARIO)
    po.get_by_role("button", name="Reject the release…").click()
    dialogo = po.locator("#confirmar-rejeitar-release")
    expect(dialogo).to_contain_text(COMENTARIO)
    _sem_portugues(po, titulo)
    dialogo.get_by_role("button", name="Reject the release").click()
    expect(po.locator(".aviso").first).to_contain_text("spec_teste-v1")
    _sem_portugues(po, titulo)
    corrigir = Item.objects.get(tipo="corrigir_bug")
    erro = corrigir.contexto["erro"]
    # Stored in one language whatever the reader's: the PO's words, then the failure in Portuguese.
    assert erro.startswith(COMENTARIO) and f"A implantação #{falhou.pk} em homologacao falhou: Os testes" in erro

    # The rejected release: its reason is the failure, read in English.
    po.goto(f"/releases/{release.pk}/")
    expect(po.locator("h1")).to_contain_text("spec_teste-v1")
    texto = _sem_portugues(po, titulo)
    assert f"Deployment #{falhou.pk} in homologacao failed: The smoke tests failed" in texto

    # The hotfix development records for that correction (its build is tested in tests/fabrica).
    hotfix = ReleaseFactory(
        spec=release.spec,
        versao=2,
        tipo=Release.Tipo.HOTFIX,
        corrige=release,
        correcao={"erro": erro, "stack_trace": ""},
        artefatos=artefatos_de(2),
    )
    po.goto(f"/releases/{hotfix.pk}/")
    relatado = po.locator("#erro-relatado")
    expect(relatado).to_contain_text(COMENTARIO)
    expect(relatado).to_contain_text(f"Deployment #{falhou.pk} in homologacao failed: The smoke tests failed")
    _sem_portugues(po, titulo, "by teste")  # the factory's producer, an actor's name
    fotografar(po, "hotfix-en")

    # And the same pages in Portuguese, as stored.
    po.locator("details.conta summary").click()
    po.get_by_label("Language").select_option("pt-br")
    expect(po.locator("html")).to_have_attribute("lang", "pt-br")
    expect(po.locator("#erro-relatado")).to_contain_text(f"A implantação #{falhou.pk} em homologacao falhou")
