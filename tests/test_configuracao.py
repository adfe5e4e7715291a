"""The project's configuration: importing the settings writes nothing to disk, manage.py makes
the local directories, and the README lists every variable the settings read."""

from __future__ import annotations

import json
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


def test_sem_url_do_modelo_nada_muda(tmp_path):
    feito = _settings_com(tmp_path, "print(settings.PROMETHEUS_LLM, settings.Q_CLUSTER['timeout'])")
    assert feito.returncode == 0, feito.stderr
    assert feito.stdout.split() == ["None", "3000"]


def test_modelo_configurado_e_a_chave_a_parte_e_mascarada(tmp_path):
    codigo = (
        "import json\n"
        "from django.views.debug import SafeExceptionReporterFilter\n"
        "seguras = SafeExceptionReporterFilter().get_safe_settings()\n"
        "print(json.dumps({'llm': settings.PROMETHEUS_LLM, 'chave': settings.PROMETHEUS_LLM_API_KEY,\n"
        "  'mascarada': seguras['PROMETHEUS_LLM_API_KEY'], 'timeout': settings.Q_CLUSTER['timeout'],\n"
        "  'relatorio': str(seguras['PROMETHEUS_LLM'])}, default=str))\n"
    )
    feito = _settings_com(
        tmp_path,
        codigo,
        PROMETHEUS_LLM_URL="http://127.0.0.1:11434/v1",
        PROMETHEUS_LLM_MODELO="qwen2.5-coder:7b",
        PROMETHEUS_LLM_CHAVE="sk-segredo",
        PROMETHEUS_LLM_GERAR="e",
        PROMETHEUS_LLM_CORRIGIR="E,D",
        PROMETHEUS_LLM_PRECO_SAIDA="0.60",
        PROMETHEUS_LLM_TEMPO_TOTAL_S="100",
    )
    assert feito.returncode == 0, feito.stderr
    lido = json.loads(feito.stdout)
    assert lido["llm"]["url"] == "http://127.0.0.1:11434/v1" and lido["llm"]["modelo"] == "qwen2.5-coder:7b"
    assert lido["llm"]["gerar"] == ["E"] and lido["llm"]["corrigir"] == ["E", "D"]
    assert lido["llm"]["preco_saida"] == "0.60" and lido["llm"]["preco_entrada"] == "0"
    assert (lido["llm"]["timeout_s"], lido["llm"]["tentativas"], lido["llm"]["tokens_release"]) == (120, 3, 200_000)
    assert lido["chave"] == "sk-segredo" and "chave" not in lido["llm"]
    assert lido["mascarada"] != "sk-segredo" and "sk-segredo" not in lido["relatorio"]
    # the task timeout covers a model call per generation and per correction
    assert lido["timeout"] == 3000 + 5 * 4 * 100


@pytest.mark.parametrize(
    ("ambiente", "frase"),
    [
        ({"PROMETHEUS_LLM_URL": "http://x/v1"}, "PROMETHEUS_LLM_MODELO must name the model"),
        ({"PROMETHEUS_LLM_URL": "ftp://x", "PROMETHEUS_LLM_MODELO": "m"}, "use an http:// or https:// URL"),
        (
            {"PROMETHEUS_LLM_URL": "http://x/v1", "PROMETHEUS_LLM_MODELO": "m", "PROMETHEUS_LLM_GERAR": "E,X"},
            "E,P,D,I,C",
        ),
        (
            {"PROMETHEUS_LLM_URL": "http://x/v1", "PROMETHEUS_LLM_MODELO": "m", "PROMETHEUS_LLM_PRECO_ENTRADA": "caro"},
            "is not a number",
        ),
        (
            {"PROMETHEUS_LLM_URL": "http://x/v1", "PROMETHEUS_LLM_MODELO": "m", "PROMETHEUS_LLM_TOKENS_RELEASE": "10"},
            "at least 1000",
        ),
    ],
    ids=["sem-modelo", "esquema", "vertente", "preco", "teto"],
)
def test_configuracao_do_modelo_invalida_para_a_partida_com_uma_frase(tmp_path, ambiente, frase):
    feito = _settings_com(tmp_path, "print(settings.PROMETHEUS_LLM)", **ambiente)
    assert feito.returncode != 0
    assert "ImproperlyConfigured" in feito.stderr and frase in feito.stderr
