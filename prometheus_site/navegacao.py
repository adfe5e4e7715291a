"""The places of the top navigation: each app registers its own (``AppConfig.ready``) with the
test of who may open it, so a role sees only what it may use and a new page adds its link here
instead of editing the base layout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Lugar:
    nome: str
    rotulo: str | Promise
    url: str  # a URL name
    visivel: Callable[[Any], bool]  # user → may open it
    ordem: int = 50
    # URL names (or prefixes of paths) that belong to this place, for aria-current.
    caminhos: tuple[str, ...] = ()


_lugares: dict[str, Lugar] = {}

# The project's own places (Django's admin, the API docs) are not any app's.
_DO_PROJETO = (
    Lugar(
        "administracao",
        _("Administração"),
        "admin:index",
        lambda usuario: usuario.is_staff,
        ordem=80,
        caminhos=("/admin/",),
    ),
    # The API is for systems and the people who run them, not for deciding in the browser.
    Lugar(
        "api",
        "API",
        "api-docs",
        lambda usuario: usuario.is_staff or usuario.has_perm("backlog.operar_backlog"),
        ordem=90,
        caminhos=("/api/",),
    ),
)


# Who may open each page (a URL name → user → may open it), so a page links only where its viewer
# may go (issue 17 item 7: no link answers 403). Each app registers its pages' tests beside the
# views that enforce them; tests/test_matriz_de_permissoes.py holds both to the same answers.
_acessos: dict[str, Callable[[Any], bool]] = {}


def registrar(lugar: Lugar) -> None:
    _lugares[lugar.nome] = lugar
    _acessos.setdefault(lugar.url, lugar.visivel)


def registrar_acesso(url: str, visivel: Callable[[Any], bool]) -> None:
    _acessos[url] = visivel


def pode_abrir_url(url: str, usuario: Any) -> bool:
    """Whether ``usuario`` may open the page named ``url``. A page nobody registered is refused
    loudly: a link decided by this helper must have its rule written down."""
    if url not in _acessos:
        raise KeyError(f"no access rule registered for the URL name {url!r} (navegacao.registrar_acesso)")
    return bool(usuario.is_authenticated and _acessos[url](usuario))


def acessos_registrados() -> dict[str, Callable[[Any], bool]]:
    return dict(_acessos)


def pode_abrir(nome: str, usuario: Any) -> bool:
    """Whether ``usuario`` may open the place an app registered as ``nome`` (no such place: no)."""
    lugar = _lugares.get(nome)
    return lugar is not None and lugar.visivel(usuario)


def itens_para(request: HttpRequest) -> list[dict[str, Any]]:
    usuario = request.user
    caminho = request.path
    itens = []
    for lugar in sorted([*_lugares.values(), *_DO_PROJETO], key=lambda lugar: (lugar.ordem, lugar.nome)):
        if not lugar.visivel(usuario):
            continue
        url = reverse(lugar.url)
        prefixos = lugar.caminhos or ((url,) if url != "/" else ())
        atual = caminho == url or any(caminho.startswith(p) for p in prefixos)
        itens.append({"nome": lugar.nome, "rotulo": lugar.rotulo, "url": url, "atual": atual})
    return itens
