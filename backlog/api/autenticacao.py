"""Token authentication for the broker's hot endpoints, remembered for a few seconds.

A REST consumer sends two requests per item (claim, conclude), each with its token; looking the
token up and checking its permission were two of the three queries of a request and two thirds
of its server time (bench/README.md). Each server process remembers a token's user and that
user's answer to the permission check for ``PROMETHEUS_API_CACHE_SEGUNDOS`` (5 s by default; 0
turns this off): a token deleted or a permission withdrawn stops working within that time, not at
once. Session requests (the browser) are not remembered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from drf_spectacular.drainage import set_override
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.request import Request

_MAXIMO = 10_000  # tokens remembered at once; the expired ones go first
_lembrados: dict[str, tuple[float, object, object, dict[str, bool]]] = {}
_trava = threading.Lock()


class TokenLembrado(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        segundos = settings.PROMETHEUS_API_CACHE_SEGUNDOS
        agora = time.monotonic()
        lembrado = _lembrados.get(key)
        if lembrado is not None and lembrado[0] > agora:
            return lembrado[1], lembrado[2]
        usuario, token = super().authenticate_credentials(key)
        if segundos > 0:
            with _trava:
                if len(_lembrados) >= _MAXIMO:
                    for chave in [c for c, v in _lembrados.items() if v[0] <= agora] or list(_lembrados):
                        del _lembrados[chave]
                _lembrados[key] = (agora + segundos, usuario, token, {})
        return usuario, token


# The schema's "tokenAuth" scheme is DRF's token: this class only remembers it for a while.
set_override(TokenLembrado, "suppress_collision_warning", True)


def permissao(request: Request, nome: str, verificar: Callable[[], bool]) -> bool:
    """``verificar()``, remembered with the request's token while the token is (``TokenLembrado``)."""
    token = request.auth
    lembrado = _lembrados.get(getattr(token, "key", None) or "")
    if lembrado is None or lembrado[2] is not token:
        return verificar()
    respostas = lembrado[3]
    if nome not in respostas:
        respostas[nome] = verificar()
    return respostas[nome]


def esquecer_todos() -> None:
    """Forgets every remembered token (tests; a deployment changing permissions in bulk restarts)."""
    with _trava:
        _lembrados.clear()


AUTENTICACAO = [TokenLembrado, SessionAuthentication]
