"""Browser tests: Playwright's sync API driving Debian's chromium (never a downloaded browser)
against pytest-django's ``live_server``.

Without ``/usr/bin/chromium`` these tests skip on a developer's machine and fail under
``CI=true``. Screenshots for the README are written only with ``PROMETHEUS_SCREENSHOTS=1``, so
an ordinary run leaves the tree clean.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
EM_CI = os.environ.get("CI", "").lower() == "true"
GERAR_SCREENSHOTS = os.environ.get("PROMETHEUS_SCREENSHOTS") == "1"
RAIZ = Path(__file__).resolve().parents[2]
SCREENSHOTS = RAIZ / "docs" / "screenshots"
EXEMPLOS = RAIZ / "examples" / "specs-repo" / "specs"
SENHA = "senha-teste-123"  # the password of the cast (``elenco`` in tests/conftest.py)
ESPERA_MS = 10_000


@pytest.fixture(scope="module")
def navegador() -> Iterator:
    """One headless chromium per module. Playwright's sync API keeps an event loop running in
    this thread, and Django refuses ORM calls from such a thread; the documented escape hatch
    for tests is set only while the browser lives, so the rest of the suite keeps the guard."""
    if not CHROMIUM.exists():
        mensagem = (
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); never `playwright install`"
        )
        if EM_CI:
            pytest.fail(mensagem + " (CI=true: the browser tests must not skip)")
        pytest.skip(mensagem)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ESPERA_MS)
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as pw:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS_CHROMIUM)
        yield browser
        browser.close()


def _anotar_recusa_da_csp(msg, recusados: list[str]) -> None:
    """A refusal by the Content-Security-Policy, caused by the site's page or its files. What the
    tests themselves inject through Playwright (axe-core, which writes <style> elements as it
    checks) has no URL, and is not the site's doing."""
    if "Content Security Policy" in msg.text and msg.location.get("url"):
        recusados.append(f"{msg.location['url']}:{msg.location.get('lineNumber')}: {msg.text}")


@pytest.fixture
def abrir_contexto(navegador, live_server) -> Iterator[Callable]:
    """Opens browser contexts (one per person: separate cookies), in pt-BR and São Paulo time.
    Any request leaving the live server is refused and fails the test: no CDN, no internet.
    Anything the Content-Security-Policy refused (an inline script or style, an eval) fails it too."""
    contextos, externos, recusados_pela_csp = [], [], []

    def recusar(route) -> None:
        externos.append(route.request.url)
        route.abort()

    def abrir(largura: int = 1280, altura: int = 900):
        contexto = navegador.new_context(
            base_url=live_server.url,
            locale="pt-BR",
            timezone_id="America/Sao_Paulo",
            viewport={"width": largura, "height": altura},
        )
        contexto.set_default_timeout(ESPERA_MS)
        contexto.route(lambda url: not url.startswith(live_server.url), recusar)
        contexto.on("console", lambda msg: _anotar_recusa_da_csp(msg, recusados_pela_csp))
        contextos.append(contexto)
        return contexto

    yield abrir
    for contexto in contextos:
        contexto.close()
    assert not externos, f"the pages asked for something outside PROMETHEUS: {externos}"
    assert not recusados_pela_csp, f"the Content-Security-Policy refused: {recusados_pela_csp}"


@pytest.fixture
def pagina(abrir_contexto):
    """An anonymous visitor's page."""
    return abrir_contexto().new_page()


@pytest.fixture
def entrar_como(abrir_contexto, elenco) -> Callable:
    """Logs one of the cast in through the real login page, in a browser context of their own."""

    def entrar(quem: str, *, proxima: str = "", largura: int = 1280):
        page = abrir_contexto(largura=largura).new_page()
        page.goto("/contas/login/" + (f"?next={proxima}" if proxima else ""))
        page.get_by_label("Usuário").fill(elenco[quem].get_username())
        page.get_by_label("Senha").fill(SENHA)
        page.get_by_role("button", name="Entrar").click()
        page.wait_for_load_state()
        return page

    return entrar


@pytest.fixture
def fotografar() -> Callable:
    """Full-page screenshot into docs/screenshots/, only with PROMETHEUS_SCREENSHOTS=1."""

    def tirar(page, nome: str) -> None:
        if GERAR_SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{nome}.png"), full_page=True)

    return tirar
