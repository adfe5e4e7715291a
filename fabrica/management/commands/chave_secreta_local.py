"""The SECRET_KEY of ``make run`` (DEBUG off needs a real one): made once per machine, kept in
``$PROMETHEUS_VAR_DIR/chave-secreta`` readable by its owner only, printed for the Makefile.
Sessions survive a restart because the key does. Production sets ``SECRET_KEY`` itself."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

ARQUIVO = "chave-secreta"


def chave_local() -> str:
    """This checkout's key, created on first use (0600, never overwritten)."""
    caminho = settings.VAR_DIR / ARQUIVO
    try:
        descritor = os.open(caminho, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        chave = caminho.read_text(encoding="ascii").strip()
        if len(chave) >= 50:
            return chave
        raise
    with os.fdopen(descritor, "w", encoding="ascii") as arquivo:
        chave = secrets.token_urlsafe(64)
        arquivo.write(chave + "\n")
    return chave


class Command(BaseCommand):
    help = "Imprime a SECRET_KEY local do `make run` (criada em PROMETHEUS_VAR_DIR na primeira vez)."

    def handle(self, *args, **options):
        self.stdout.write(chave_local())
