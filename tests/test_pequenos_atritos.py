"""The smaller items of issue 17 item 11: the favicon, the admin's way back to the app, the
admin's success messages in Portuguese without a wrong gender."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fabrica.models import Capacidade

pytestmark = pytest.mark.django_db


def test_favicon_na_raiz_e_no_layout(cliente_como):
    icone = cliente_como("anon").get("/favicon.ico")
    assert icone.status_code == 200
    assert icone["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(icone.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    login = cliente_como("anon").get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login


def test_admin_leva_aos_lugares_do_app(cliente_como):
    pagina = cliente_como("admin").get(reverse("admin:index")).content.decode()
    nav = pagina.split('class="lugares-do-app"', 1)[1].split("</nav>", 1)[0]
    for lugar in ("inicio", "specs", "ambientes", "backlog-quadro", "metricas"):
        assert f'href="{reverse(lugar)}"' in nav, lugar


def test_mensagem_do_admin_sem_genero_errado(cliente_como):
    admin = cliente_como("admin")
    resposta = admin.post(
        reverse("admin:fabrica_capacidade_add"),
        {"tipo": "api_externa", "tipo_outro": "", "nome": "whisper_api", "descricao": "", "habilitada": "on"},
        follow=True,
    )
    html = resposta.content.decode()
    assert Capacidade.objects.filter(nome="whisper_api").exists()
    assert "Inclusão concluída: capacidade “" in html
    assert "O capacidade" not in html
