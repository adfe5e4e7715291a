"""The project's configuration: importing the settings writes nothing to disk, manage.py makes
the local directories, and the README lists every variable the settings read."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[1]


def _rodar(codigo: list[str], var_dir: Path) -> subprocess.CompletedProcess:
    ambiente = {**os.environ, "PROMETHEUS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "prometheus_site.settings"}
    ambiente.pop("DATABASE_URL", None)  # the default SQLite database lives under PROMETHEUS_VAR_DIR
    return subprocess.run(codigo, cwd=RAIZ, env=ambiente, capture_output=True, text=True, timeout=120)


def test_importar_as_settings_nao_cria_diretorios(tmp_path):
    var_dir = tmp_path / "var"
    feito = _rodar([sys.executable, "-c", "from django.conf import settings; print(settings.VAR_DIR)"], var_dir)
    assert feito.returncode == 0, feito.stderr
    assert feito.stdout.strip() == str(var_dir)
    assert not var_dir.exists()


def test_manage_py_cria_o_diretorio_local_antes_do_comando(tmp_path):
    var_dir = tmp_path / "var"
    feito = _rodar([sys.executable, "manage.py", "check"], var_dir)
    assert feito.returncode == 0, feito.stderr
    assert var_dir.is_dir()


def test_readme_lista_cada_variavel_que_as_settings_leem():
    # The settings, and the production server's sizing (read by the settings and by gunicorn).
    settings = "".join(
        (RAIZ / "prometheus_site" / nome).read_text(encoding="utf-8") for nome in ("settings.py", "servidor.py")
    )
    lidas = set(re.findall(r'env_(?:str|bool|int|list|database|redes)\(\s*"([A-Z0-9_]+)"', settings))
    assert {"DATABASE_URL", "PROMETHEUS_VAR_DIR", "LOG_LEVEL"} <= lidas  # the pattern finds them
    readme = (RAIZ / "README.md").read_text(encoding="utf-8")
    tabela = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, re.M))
    assert lidas - tabela == set(), "add these variables to the README's configuration table"
    assert tabela - lidas == set(), "the README lists variables the settings no longer read"


def _settings_com(var_dir: Path, codigo: str, **variaveis: str) -> subprocess.CompletedProcess:
    ambiente = {**os.environ, "PROMETHEUS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "prometheus_site.settings"}
    for nome in ("DATABASE_URL", "EMAIL_HOST", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_PORT", "PROMETHEUS_URL_BASE"):
        ambiente.pop(nome, None)
    ambiente.update(variaveis)
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; {codigo}"],
        cwd=RAIZ,
        env=ambiente,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_email_sem_servidor_vai_ao_console_e_com_servidor_por_smtp(tmp_path):
    mostrar = "print(settings.EMAIL_BACKEND.rsplit('.', 2)[1], settings.EMAIL_PORT, settings.EMAIL_USE_TLS)"
    console = _settings_com(tmp_path, mostrar)
    assert console.returncode == 0, console.stderr
    assert console.stdout.split()[0] == "console"
    smtp = _settings_com(tmp_path, mostrar, EMAIL_HOST="smtp.example.com", EMAIL_USE_SSL="true")
    assert smtp.returncode == 0, smtp.stderr
    assert smtp.stdout.split() == ["smtp", "465", "False"]


@pytest.mark.parametrize(
    ("variaveis", "nomeada"),
    [
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_SSL"),
        ({"PROMETHEUS_URL_BASE": "prometheus.example.com"}, "PROMETHEUS_URL_BASE"),
        ({"PROMETHEUS_AVISOS_RESUMO": "talvez"}, "PROMETHEUS_AVISOS_RESUMO"),
    ],
)
def test_configuracao_de_avisos_invalida_para_a_partida_nomeando_a_variavel(tmp_path, variaveis, nomeada):
    feito = _settings_com(tmp_path, "settings.EMAIL_BACKEND", **variaveis)
    assert feito.returncode != 0
    assert "ImproperlyConfigured" in feito.stderr and nomeada in feito.stderr
