"""The claim and the lease on real PostgreSQL, with real processes (issue 3).

Each consumer is a fresh Python process (``_CONSUMIDOR`` below, run with ``python -c``) with its
own connection to the test database: it claims and concludes through ``backlog.services`` and
reports on its stdout, one JSON line per step. The rows these tests create are committed
(``transaction=True``), since the consumers must see them.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from backlog import services
from backlog.erros import LeaseInvalido, TransicaoInvalida
from backlog.models import Evento, Item, Status

RAIZ = Path(__file__).resolve().parents[2]
PRAZO = 60  # seconds: a bound for a stuck consumer, not a performance figure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# drenar TIPOS NOME: once told to start, claims and concludes until nothing is left; prints the ids.
# segurar TIPOS NOME LEASE: claims one item with a LEASE-second lease, prints its id and token,
#   then waits for a line on stdin: "concluir" concludes it and prints the outcome.
_CONSUMIDOR = """
import json, sys
import django
django.setup()
from django.db import connection
from backlog import services

papel, tipos, nome = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
connection.ensure_connection()
print(json.dumps("pronto"), flush=True)
if papel == "drenar":
    sys.stdin.readline()
    concluidos = []
    while (item := services.consumir(tipos=tipos, consumidor=nome)) is not None:
        services.concluir(item_id=item.pk, lease_token=item.lease_token, resultado={"por": nome})
        concluidos.append(item.pk)
    print(json.dumps(concluidos), flush=True)
else:
    item = services.consumir(tipos=tipos, consumidor=nome, lease_segundos=int(sys.argv[4]))
    print(json.dumps({"id": item.pk, "lease": str(item.lease_token)}), flush=True)
    if sys.stdin.readline().strip() == "concluir":
        item = services.concluir(item_id=item.pk, lease_token=item.lease_token, resultado={"por": nome})
        print(json.dumps(item.status), flush=True)
"""


def _url_do_banco_de_teste() -> str:
    """The test database (not the project's), as the URL the consumers' settings read."""
    d = connection.settings_dict
    credencial = quote(d["USER"] or "", safe="") + (f":{quote(d['PASSWORD'], safe='')}" if d["PASSWORD"] else "")
    return f"postgres://{credencial}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


class Consumidor:
    """One consumer process; its stderr goes to a file that failures quote."""

    def __init__(self, papel: str, tipos: list[str], nome: str, *extra: str, pasta: Path) -> None:
        self.nome = nome
        self.erros = (pasta / f"{nome}.stderr").open("w+")
        env = {**os.environ, "DATABASE_URL": _url_do_banco_de_teste(), "PYTHONUNBUFFERED": "1"}
        self.processo = subprocess.Popen(
            [sys.executable, "-c", _CONSUMIDOR, papel, json.dumps(tipos), nome, *extra],
            cwd=RAIZ,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.erros,
            text=True,
        )
        self._leitor = selectors.DefaultSelector()
        self._leitor.register(self.processo.stdout, selectors.EVENT_READ)

    def ler(self):
        """The consumer's next report; fails with its stderr if it dies or stays silent."""
        if not self._leitor.select(timeout=PRAZO):
            pytest.fail(f"{self.nome} said nothing for {PRAZO} s:\n{self.stderr()}")
        linha = self.processo.stdout.readline()
        if not linha:
            pytest.fail(f"{self.nome} ended (exit {self.processo.wait(timeout=PRAZO)}):\n{self.stderr()}")
        return json.loads(linha)

    def dizer(self, linha: str) -> None:
        self.processo.stdin.write(linha + "\n")
        self.processo.stdin.flush()

    def stderr(self) -> str:
        self.erros.flush()
        self.erros.seek(0)
        return self.erros.read()[-3000:]

    def encerrar(self) -> None:
        if self.processo.poll() is None:
            self.processo.kill()
        self.processo.wait(timeout=PRAZO)
        self.processo.stdout.close()
        self.processo.stdin.close()
        self.erros.close()


@pytest.fixture
def consumidor(tmp_path) -> Iterator[Callable[..., Consumidor]]:
    """Starts consumer processes; whatever is still running at the end is killed."""
    iniciados: list[Consumidor] = []

    def iniciar(papel: str, tipos: list[str], nome: str, *extra: str) -> Consumidor:
        iniciados.append(Consumidor(papel, tipos, nome, *extra, pasta=tmp_path))
        return iniciados[-1]

    yield iniciar
    for c in iniciados:
        c.encerrar()


def _eventos(item_id: int) -> list[tuple[str, str]]:
    return list(Evento.objects.filter(item_id=item_id).order_by("id").values_list("tipo", "ator"))


def test_quatro_processos_concluem_cada_item_exatamente_uma_vez(consumidor):
    # Two types at two priorities: consumers 0 and 1 claim both types (one index probe per type),
    # 2 and 3 only "conc_a" (the single-type statement); all of them race for the "conc_a" items.
    Item.objects.bulk_create(
        Item(tipo="conc_a" if n % 2 else "conc_b", produtor="teste", prioridade=n % 3) for n in range(2000)
    )
    ids = set(Item.objects.values_list("pk", flat=True))
    tipos = [["conc_a", "conc_b"], ["conc_b", "conc_a"], ["conc_a"], ["conc_a"]]
    consumidores = [consumidor("drenar", tipos[n], f"consumidor-{n}") for n in range(4)]
    for c in consumidores:
        assert c.ler() == "pronto"  # all four connected before any claims
    for c in consumidores:
        c.dizer("vai")
    concluidos = {c.nome: c.ler() for c in consumidores}

    todos = [pk for lista in concluidos.values() for pk in lista]
    assert len(todos) == len(set(todos)) == 2000  # nobody concluded an item another one did
    assert set(todos) == ids  # and none was lost
    assert all(concluidos.values()), {nome: len(lista) for nome, lista in concluidos.items()}

    finais = {
        pk: (status, quem, tentativas)
        for pk, status, quem, tentativas in Item.objects.values_list("pk", "status", "consumidor", "tentativas")
    }
    assert {status for status, _, _ in finais.values()} == {Status.CONCLUIDO}
    assert {tentativas for _, _, tentativas in finais.values()} == {1}
    for nome, lista in concluidos.items():
        assert {finais[pk][1] for pk in lista} == {nome}
    por_item = Counter(Evento.objects.values_list("item_id", "tipo"))
    assert set(por_item.values()) == {1}  # one event of each kind per item, never two
    assert set(por_item) == {(pk, tipo) for pk in ids for tipo in ("consumido", "concluido")}
    resultados = dict(Item.objects.values_list("pk", "resultado"))
    assert all(resultados[pk] == {"por": nome} for nome, lista in concluidos.items() for pk in lista)


def test_consumidor_morto_perde_o_item_depois_do_lease(consumidor):
    item = services.produzir(tipo="conc_lease", produtor="teste", contexto={"n": 1})

    morto = consumidor("segurar", ["conc_lease"], "consumidor-morto", "2")
    assert morto.ler() == "pronto"
    reservado = morto.ler()
    assert reservado["id"] == item.pk
    morto.processo.send_signal(signal.SIGKILL)
    assert morto.processo.wait(timeout=PRAZO) == -signal.SIGKILL

    # The database cannot tell a dead consumer from a slow one: the item waits for its lease.
    item.refresh_from_db()
    assert (item.status, item.consumidor, str(item.lease_token)) == (
        Status.EM_PROCESSAMENTO,
        "consumidor-morto",
        reservado["lease"],
    )
    if timezone.now() < item.lease_expira_em - timedelta(seconds=0.5):
        assert services.resgatar_expirados() == 0

    limite = time.monotonic() + PRAZO
    while services.resgatar_expirados() == 0:
        assert time.monotonic() < limite, "the expired lease was never rescued"
        time.sleep(0.05)
    assert timezone.now() >= item.lease_expira_em
    item.refresh_from_db()
    assert (item.status, item.lease_token, item.tentativas) == (Status.PENDENTE, None, 1)
    assert _eventos(item.pk)[-1] == ("lease_expirado", "MS_Backlog")

    outro = consumidor("segurar", ["conc_lease"], "consumidor-2", "300")
    assert outro.ler() == "pronto"
    novo = outro.ler()
    assert novo["id"] == item.pk and novo["lease"] != reservado["lease"]

    # The dead consumer's conclusion arrives late, with its old lease: refused, nothing changes.
    antes = _eventos(item.pk)
    with pytest.raises(LeaseInvalido):
        services.concluir(item_id=item.pk, lease_token=reservado["lease"], resultado={"por": "consumidor-morto"})
    item.refresh_from_db()
    assert (item.status, item.consumidor, str(item.lease_token), item.resultado) == (
        Status.EM_PROCESSAMENTO,
        "consumidor-2",
        novo["lease"],
        None,
    )
    assert _eventos(item.pk) == antes

    outro.dizer("concluir")
    assert outro.ler() == Status.CONCLUIDO
    item.refresh_from_db()
    assert (item.status, item.resultado) == (Status.CONCLUIDO, {"por": "consumidor-2"})

    # Later still, after the conclusion: refused as well, and the item stays concluded once.
    with pytest.raises(TransicaoInvalida):
        services.concluir(item_id=item.pk, lease_token=reservado["lease"], resultado={"por": "consumidor-morto"})
    item.refresh_from_db()
    assert item.resultado == {"por": "consumidor-2"}
    assert _eventos(item.pk) == [
        ("produzido", "teste"),
        ("consumido", "consumidor-morto"),
        ("lease_expirado", "MS_Backlog"),
        ("consumido", "consumidor-2"),
        ("concluido", "consumidor-2"),
    ]
