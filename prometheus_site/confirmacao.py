"""The one way an irreversible action asks first (issue 17 item 6).

A form whose action cannot be undone carries ``data-confirmar`` (static/js/prometheus.js opens
its dialog) and a hidden ``confirmado`` field the dialog fills with ``sim``. The server checks
that field: a post without it never acts, it answers this confirmation page instead, which
repeats what was typed and posts it again with ``confirmado=sim``. So the question is asked
with JavaScript or without it, and a form that forgot the dialog still cannot act on one click.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise


def confirmado(request: HttpRequest) -> bool:
    return request.POST.get("confirmado") == "sim"


@dataclass(frozen=True)
class Pergunta:
    """What the confirmation page says and what it posts again."""

    titulo: str | Promise
    texto: str | Promise
    acao: str  # the URL the form posts to
    botao: str | Promise  # the button that acts, named for what it does
    voltar: str  # the page the person came from
    voltar_rotulo: str | Promise
    tom: str = "perigo"  # perigo (red) | alerta (amber) | "" (plain)
    campos: Mapping[str, object] = field(default_factory=dict)  # posted again, as typed
    citacao: str = ""  # the reason typed, quoted back


def pedir_confirmacao(request: HttpRequest, pergunta: Pergunta) -> HttpResponse:
    return render(request, "confirmar.html", {"p": pergunta})
