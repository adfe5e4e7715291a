"""Issue 16 item 7, the hardening a security reviewer expects (docs/seguranca.md): login
throttling (django-axes), a Content-Security-Policy without inline scripts or styles
(django-csp), HttpOnly cookies everywhere and Secure cookies, HSTS and the redirect to https
under PROMETHEUS_HTTPS, and ``manage.py check --deploy`` clean under production settings.

The browser side (the pages, the admin and the API docs run under the policy; the lockout page)
is in tests/e2e/test_seguranca.py; every URL × role is in tests/test_matriz_de_permissoes.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.template.loaders.app_directories import get_app_template_dirs
from django.urls import reverse
from rest_framework.authtoken.models import Token

from fabrica.releases import realce

RAIZ = Path(__file__).resolve().parents[1]
SENHA = "senha-teste-123"  # the cast's password (tests/conftest.py)

# --- Content-Security-Policy ----------------------------------------------------------------------

POLITICA = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _politica(resposta) -> dict[str, str]:
    diretivas = (d.strip().split(" ", 1) for d in resposta["Content-Security-Policy"].split(";"))
    return {nome: valor for nome, valor in diretivas}


# What the policy refuses, as it can appear in a template: a <script> with a body (one with only a
# src= is a file), any <style> element, a style= attribute, an on*= event handler, a javascript: URL.
INLINE = [
    ("a <script> with code in it", re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)),
    ("a <style> element", re.compile(r"<style\b", re.I)),
    ("a style= attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("an inline event handler", re.compile(r"\son[a-z]+\s*=\s*['\"]", re.I)),
    ("a javascript: URL", re.compile(r"javascript:", re.I)),
    ("htmx's eval (hx-on, js:)", re.compile(r"\bhx-on|\bhx-vars|['\"]js:", re.I)),
]


def _templates_do_projeto() -> list[Path]:
    """templates/ and the project's apps' templates (the installed libraries' are theirs)."""
    pastas = [RAIZ / "templates"] + [Path(p) for p in get_app_template_dirs("templates")]
    do_projeto = {p for p in pastas if RAIZ in p.parents and ".venv" not in p.relative_to(RAIZ).parts}
    return sorted(arquivo for pasta in do_projeto for arquivo in pasta.rglob("*.html"))


def test_nenhum_template_do_projeto_tem_script_ou_estilo_inline():
    arquivos = _templates_do_projeto()
    assert any(a.name == "base.html" for a in arquivos)  # the search finds the project's templates
    achados = [
        f"{arquivo.relative_to(RAIZ)}:{texto[: m.start()].count(chr(10)) + 1}: {nome}"
        for arquivo in arquivos
        for texto in [re.sub(r"\{#.*?#\}", "", arquivo.read_text(encoding="utf-8"), flags=re.S)]
        for nome, padrao in INLINE
        for m in padrao.finditer(texto)
    ]
    assert achados == [], "move these into static/ (css/ or js/): the Content-Security-Policy refuses them"


def test_o_estilo_do_codigo_realcado_e_o_do_pygments():
    css = (RAIZ / "static" / "css" / "codigo.css").read_text(encoding="utf-8")
    assert realce.estilo() in css, (
        "static/css/codigo.css differs from Pygments' style: regenerate it from fabrica.releases.realce.estilo()"
    )


@pytest.mark.parametrize("endereco", ["/contas/login/", "/nao-existe/", "/api/backlog/itens/"])
def test_toda_resposta_tem_a_politica(client, db, endereco):
    resposta = client.get(endereco)
    assert _politica(resposta) == POLITICA
    assert resposta["X-Frame-Options"] == "DENY"
    assert resposta["X-Content-Type-Options"] == "nosniff"
    assert resposta["Referrer-Policy"] == "same-origin"
    assert resposta["Cross-Origin-Opener-Policy"] == "same-origin"


def test_paginas_do_po_sob_a_politica_so_carregam_arquivos_do_site(cliente_como, orcamento_pronto):
    html = cliente_como("po").get(reverse("orcamento", args=[orcamento_pronto.pk])).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert ('src="/static/js/prometheus.js" defer', "") in [(a.strip(), c) for a, c in scripts]
    assert all('src="/static/' in atributos and not corpo for atributos, corpo in scripts)
    assert "<style" not in html and " style=" not in html


def test_docs_da_api_tem_o_script_separado_e_imagens_data(api_como):
    sistema = api_como("sistema")
    pagina = sistema.get("/api/docs/")
    assert pagina.status_code == 200
    assert _politica(pagina) == {**POLITICA, "img-src": "'self' data:"}
    html = pagina.content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all("src=" in atributos and not corpo.strip() for atributos, corpo in scripts)
    script = sistema.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


# --- cookies ----------------------------------------------------------------------------------------


def test_cookies_de_sessao_e_csrf_sao_httponly_e_samesite(client, elenco):
    client.get("/contas/login/")
    resposta = client.post("/contas/login/", {"username": "po", "password": SENHA})
    assert resposta.status_code == 302
    for nome in ("sessionid", "csrftoken"):
        cookie = resposta.cookies[nome] if nome in resposta.cookies else client.cookies[nome]
        assert cookie["httponly"] is True, nome
        assert cookie["samesite"] == "Lax", nome


# --- login throttling (django-axes) ---------------------------------------------------------------


def _entrar(client, usuario: str, senha: str, ip: str = "10.0.0.1", **extra):
    return client.post("/contas/login/", {"username": usuario, "password": senha}, REMOTE_ADDR=ip, **extra)


@pytest.fixture
def tres_tentativas(settings):
    settings.AXES_FAILURE_LIMIT = 3


def test_depois_do_limite_nem_a_senha_certa_entra(client, elenco, tres_tentativas):
    for _ in range(2):
        resposta = _entrar(client, "po", "errada")
        assert resposta.status_code == 200
        assert "Usuário ou senha incorretos" in resposta.content.decode()
    bloqueio = _entrar(client, "po", "errada")
    assert bloqueio.status_code == 429
    texto = bloqueio.content.decode()
    assert "Muitas tentativas de entrar" in texto
    assert "Depois de 3 tentativas sem sucesso" in texto
    assert "daqui a 15 minutos" in texto
    certa = _entrar(client, "po", SENHA)
    assert certa.status_code == 429
    assert "_auth_user_id" not in client.session


def test_bloqueio_e_do_par_usuario_e_endereco(client, elenco, tres_tentativas):
    for _ in range(3):
        _entrar(client, "po", "errada", ip="10.0.0.1")
    assert _entrar(client, "po", SENHA, ip="10.0.0.1").status_code == 429
    # The same person from elsewhere, and someone else from the same address, still get in.
    assert _entrar(client, "po", SENHA, ip="10.0.0.2").status_code == 302
    client.post(reverse("logout"))
    assert _entrar(client, "admin", SENHA, ip="10.0.0.1").status_code == 302


def test_entrar_com_sucesso_zera_a_contagem(client, elenco, tres_tentativas):
    _entrar(client, "po", "errada")
    _entrar(client, "po", "errada")
    assert _entrar(client, "po", SENHA).status_code == 302
    client.post(reverse("logout"))
    _entrar(client, "po", "errada")
    _entrar(client, "po", "errada")
    assert _entrar(client, "po", SENHA).status_code == 302


def test_login_do_admin_tambem_e_limitado(client, elenco, tres_tentativas):
    for _ in range(3):
        client.post("/admin/login/", {"username": "admin", "password": "errada"}, REMOTE_ADDR="10.0.0.9")
    resposta = client.post("/admin/login/", {"username": "admin", "password": SENHA}, REMOTE_ADDR="10.0.0.9")
    assert resposta.status_code == 429
    assert "Muitas tentativas de entrar" in resposta.content.decode()


def test_pagina_de_bloqueio_em_ingles(client, elenco, tres_tentativas):
    client.cookies["django_language"] = "en"
    for _ in range(3):
        resposta = _entrar(client, "po", "errada")
    assert resposta.status_code == 429
    texto = resposta.content.decode()
    assert '<html lang="en">' in texto
    assert "Too many attempts to log in" in texto
    assert "After 3 unsuccessful attempts" in texto
    assert "Try again in 15 minutes" in texto


def test_token_da_api_nao_passa_pelo_limite(client, elenco, tres_tentativas):
    """A system's API token is not a login: a user locked out of the pages keeps its token working."""
    for _ in range(3):
        _entrar(client, "sistema", "errada")
    assert AccessAttempt.objects.filter(username="sistema").exists()
    token = Token.objects.create(user=elenco["sistema"])
    resposta = client.get("/api/backlog/itens/", HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR="10.0.0.1")
    assert resposta.status_code == 200


def test_cada_teste_comeca_sem_tentativas_registradas(db):
    """The cast is never locked out by an earlier test: attempts live in the test's transaction."""
    assert AccessAttempt.objects.count() == 0


# --- production settings ----------------------------------------------------------------------------

PRODUCAO = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 10 + "-uma-chave-de-teste-longa-e-variada-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "prometheus.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://prometheus.example.com",
}


def _manage(argumentos: list[str], ambiente: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **ambiente, "PROMETHEUS_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *argumentos], cwd=RAIZ, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_limpo_em_producao(tmp_path):
    feito = _manage(["check", "--deploy"], {**PRODUCAO, "PROMETHEUS_HTTPS": "true"}, tmp_path)
    assert feito.returncode == 0, feito.stdout + feito.stderr
    saida = feito.stdout + feito.stderr
    if shutil.which("bwrap") is not None:
        assert "System check identified no issues (0 silenced)." in feito.stdout, saida
    else:  # only the sandbox's warning that bubblewrap is missing (production and CI install it)
        problemas = [linha for linha in saida.splitlines() if re.match(r"\S*: \(", linha)]
        assert [p for p in problemas if "(fabrica.W101)" not in p] == [], saida


def test_check_deploy_sem_https_aponta_so_o_que_o_https_liga(tmp_path):
    """`make run`'s plain http: what remains is exactly what PROMETHEUS_HTTPS turns on."""
    feito = _manage(["check", "--deploy"], PRODUCAO, tmp_path)
    avisos = set(re.findall(r"\((security\.W\d+)\)", feito.stdout + feito.stderr))
    assert avisos == {"security.W004", "security.W008", "security.W012", "security.W016"}, feito.stderr


_SONDA = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
settings.ALLOWED_HOSTS = ["prometheus.example.com"]
http = Client().get("/contas/login/", HTTP_HOST="prometheus.example.com")
https = Client().get("/contas/login/", secure=True, HTTP_HOST="prometheus.example.com")
saude = Client().get("/saude/", HTTP_HOST="prometheus.example.com")
print(json.dumps({
    "http": [http.status_code, http.get("Location", "")],
    "saude": saude.status_code,
    "hsts": https.get("Strict-Transport-Security", ""),
    "csrf": {k: https.cookies["csrftoken"][k] for k in ("secure", "httponly")},
    "sessao_segura": settings.SESSION_COOKIE_SECURE,
}))
"""


def test_com_https_cookies_seguros_hsts_e_redirecionamento(tmp_path):
    env = {**PRODUCAO, "PROMETHEUS_HTTPS": "true", "DJANGO_SETTINGS_MODULE": "prometheus_site.settings"}
    feito = subprocess.run(
        [sys.executable, "-c", _SONDA],
        cwd=RAIZ,
        env={**os.environ, **env, "PROMETHEUS_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert feito.returncode == 0, feito.stderr
    visto = json.loads(feito.stdout.strip().splitlines()[-1])
    assert visto["http"] == [301, "https://prometheus.example.com/contas/login/"]
    assert visto["saude"] != 301  # a load balancer's plain-http health check is answered, not redirected
    assert visto["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert visto["csrf"] == {"secure": True, "httponly": True}
    assert visto["sessao_segura"] is True


def test_sem_debug_a_chave_secreta_e_obrigatoria(tmp_path):
    feito = _manage(["check"], {"DEBUG": "false", "SECRET_KEY": ""}, tmp_path)
    assert feito.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false." in feito.stderr


def test_chave_local_do_make_run_e_criada_uma_vez_e_so_o_dono_le(tmp_path):
    primeira = _manage(["chave_secreta_local"], {}, tmp_path)
    segunda = _manage(["chave_secreta_local"], {}, tmp_path)
    assert primeira.returncode == 0, primeira.stderr
    chave = primeira.stdout.strip()
    assert len(chave) >= 50 and segunda.stdout.strip() == chave
    arquivo = tmp_path / "var" / "chave-secreta"
    assert arquivo.stat().st_mode & 0o777 == 0o600
