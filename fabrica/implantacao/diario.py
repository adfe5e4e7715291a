"""The log of a running implantacao: lines buffered in memory and appended to the record's
``log`` column a few times a second, each append its own short autocommit statement, so the page
shows the log while the deployment runs and keeps it afterwards.

Lines may come from a reader thread (a command's output); only the thread that created the
journal touches the database.
"""

from __future__ import annotations

import threading
import time

from django.db.models import F, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from fabrica.implantacao.models import Implantacao

# The kept log stops growing here (a command printing without end must not fill the database);
# the last lines still arrive after the cut notice, so the end of a long log is never lost.
MAX_LOG = 512 * 1024
INTERVALO = 0.5


class Diario:
    def __init__(self, implantacao_id: int) -> None:
        self.implantacao_id = implantacao_id
        self._pendente: list[str] = []
        self._trava = threading.Lock()
        self._escritos = 0
        self._cortado = False
        self._cauda: list[str] = []
        self._ultimo = 0.0

    def __call__(self, texto: str) -> None:
        """Adds a line stamped with the local time (thread-safe); written at the next flush."""
        hora = timezone.localtime().strftime("%H:%M:%S")
        linhas = [f"{hora} {parte}" for parte in str(texto).splitlines() or [""]]
        with self._trava:
            for linha in linhas:
                if self._cortado:
                    self._cauda = [*self._cauda[-49:], linha]
                    continue
                self._escritos += len(linha) + 1
                self._pendente.append(linha)
                if self._escritos > MAX_LOG:
                    self._cortado = True
                    self._pendente.append(f"{hora} … log cortado em {MAX_LOG // 1024} KiB; seguem as últimas linhas …")

    def talvez_descarregar(self) -> None:
        if time.monotonic() - self._ultimo >= INTERVALO:
            self.descarregar()

    def descarregar(self) -> None:
        with self._trava:
            linhas, self._pendente = self._pendente, []
        self._ultimo = time.monotonic()
        if not linhas:
            return
        Implantacao.objects.filter(pk=self.implantacao_id).update(
            log=Concat(F("log"), Value("\n".join(linhas) + "\n"), output_field=TextField())
        )

    def fechar(self) -> None:
        with self._trava:
            if self._cauda:
                self._pendente.extend(self._cauda)
                self._cauda = []
        self.descarregar()
