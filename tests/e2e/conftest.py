"""Browser tests: Playwright's sync API driving Debian's chromium (never a downloaded browser)
against pytest-django's ``live_server``.

Without ``/usr/bin/chromium`` these tests skip on a developer's machine and fail under
``CI=true``. Screenshots for the README are written only with ``PROMETHEUS_SCREENSHOTS=1``, so
an ordinary run leaves the tree clean.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
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


class PedidosEmCurso:
    """Wraps the live server's WSGI application and counts the requests it is still answering
    (from the call until the server closes the response, when Django's request_finished has run).

    The browser can leave requests behind when a test ends (a redirect's page, a form posted a
    moment before the last assertion, a closed tab's polling): the test's database flush must not
    run beside them, or its rows and theirs mix, and the next test starts on leftovers."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.ativos = 0
        self._condicao = threading.Condition()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        with self._condicao:
            self.ativos += 1
        try:
            resposta = self.app(environ, start_response)
        except BaseException:
            self._terminou()
            raise
        return _AoFechar(resposta, self._terminou)

    def _terminou(self) -> None:
        with self._condicao:
            self.ativos -= 1
            self._condicao.notify_all()

    def esperar_terminarem(self, segundos: float) -> bool:
        with self._condicao:
            return self._condicao.wait_for(lambda: self.ativos == 0, timeout=segundos)


class _AoFechar:
    """A WSGI response that calls ``depois`` once the server closed it."""

    def __init__(self, resposta: Iterable[bytes], depois: Callable[[], None]) -> None:
        self.resposta, self.depois = resposta, depois

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.resposta)

    def close(self) -> None:
        try:
            fechar = getattr(self.resposta, "close", None)
            if fechar is not None:
                fechar()
        finally:
            self.depois()


@pytest.fixture(scope="session")
def pedidos_em_curso(live_server) -> PedidosEmCurso:
    """The live server's requests, counted (installed once, on the session's one live server)."""
    servidor = live_server.thread.httpd
    contador = PedidosEmCurso(servidor.get_app())
    servidor.set_app(contador)
    return contador


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
def abrir_contexto(navegador, live_server, pedidos_em_curso) -> Iterator[Callable]:
    """Opens browser contexts (one per person: separate cookies), in pt-BR and São Paulo time.
    Any request leaving the live server is refused and fails the test: no CDN, no internet.
    Anything the Content-Security-Policy refused (an inline script or style, an eval) fails it too.
    At the end the contexts close and every request they left running finishes before the
    test's database is flushed (``transactional_db`` is torn down after this fixture)."""
    contextos, externos, recusados_pela_csp = [], [], []

    def recusar(route) -> None:
        externos.append(route.request.url)
        route.abort()

    def abrir(largura: int = 1280, altura: int = 900, *, com_js: bool = True):
        contexto = navegador.new_context(
            base_url=live_server.url,
            locale="pt-BR",
            timezone_id="America/Sao_Paulo",
            viewport={"width": largura, "height": altura},
            java_script_enabled=com_js,
        )
        contexto.set_default_timeout(ESPERA_MS)
        contexto.route(lambda url: not url.startswith(live_server.url), recusar)
        contexto.on("console", lambda msg: _anotar_recusa_da_csp(msg, recusados_pela_csp))
        contextos.append(contexto)
        return contexto

    yield abrir
    for contexto in contextos:
        contexto.close()
    assert pedidos_em_curso.esperar_terminarem(ESPERA_MS / 1000), (
        f"{pedidos_em_curso.ativos} request(s) still running {ESPERA_MS} ms after the test's browser closed"
    )
    assert not externos, f"the pages asked for something outside PROMETHEUS: {externos}"
    assert not recusados_pela_csp, f"the Content-Security-Policy refused: {recusados_pela_csp}"


@pytest.fixture
def pagina(abrir_contexto):
    """An anonymous visitor's page."""
    return abrir_contexto().new_page()


@pytest.fixture
def entrar_como(abrir_contexto, elenco) -> Callable:
    """Logs one of the cast in through the real login page, in a browser context of their own."""

    def entrar(quem: str, *, proxima: str = "", largura: int = 1280, com_js: bool = True):
        page = abrir_contexto(largura=largura, com_js=com_js).new_page()
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
