"""The project's configuration: importing the settings writes nothing to disk, manage.py makes
the local directories, and the README lists every variable the settings read."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
