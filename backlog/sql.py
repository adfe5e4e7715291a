"""The hot statements of MS_Backlog on PostgreSQL, one round trip each.

Times come from the application (``timezone.now()``), as on the ORM path: PostgreSQL's
``now()`` is the start of the transaction, which inside a caller's transaction is in the past.

Measured on this machine kind (DESIGN §3), the idiomatic ORM cycle runs at a tenth of a bare
claim; these single statements claim (or conclude) and write their ``Evento`` together. They
implement exactly the transitions of ``services.TRANSICOES``, and the test suite runs the same
contract tests against them and against the portable ORM path.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.utils import timezone

from backlog.models import Item

# Tests switch this off to run the ORM path on PostgreSQL too.
HABILITADO = True

# One index probe per type (the partial index ``backlog_item_claim`` is ordered by
# prioridade DESC, id), then the best of those few candidates; a plain ``tipo = ANY(...)``
# would make PostgreSQL sort every pending row on each claim.
_CONSUMIR = """
WITH candidato AS (
    SELECT c.id
    FROM unnest(%(tipos)s::text[]) AS t(tipo)
    CROSS JOIN LATERAL (
        SELECT i.id, i.prioridade
        FROM backlog_item i
        WHERE i.tipo = t.tipo AND i.status = 'Pendente'
          AND (i.disponivel_em IS NULL OR i.disponivel_em <= %(agora)s)
        ORDER BY i.prioridade DESC, i.id
        LIMIT 1
        FOR NO KEY UPDATE SKIP LOCKED
    ) c
    ORDER BY c.prioridade DESC, c.id
    LIMIT 1
), reservado AS (
    UPDATE backlog_item i
    SET status = 'EmProcessamento', consumidor = %(consumidor)s, consumido_em = %(agora)s,
        tentativas = i.tentativas + 1, lease_token = gen_random_uuid(),
        lease_expira_em = %(agora)s + make_interval(secs => %(segundos)s)
    FROM candidato
    WHERE i.id = candidato.id
    RETURNING i.*
), evento AS (
    INSERT INTO backlog_evento (tipo, item_id, ator, dados, criado_em)
    SELECT 'consumido', id, consumidor, jsonb_build_object('tentativa', tentativas), %(agora)s
    FROM reservado
)
SELECT * FROM reservado
"""

_CONCLUIR = """
WITH concluido AS (
    UPDATE backlog_item
    SET status = 'Concluido', resultado = %(resultado)s::jsonb, concluido_em = %(agora)s,
        lease_token = NULL, lease_expira_em = NULL
    WHERE id = %(id)s AND status = 'EmProcessamento' AND lease_token = %(lease)s::uuid
    RETURNING *
), evento AS (
    INSERT INTO backlog_evento (tipo, item_id, ator, dados, criado_em)
    SELECT 'concluido', id, COALESCE(%(ator)s, consumidor), '{}'::jsonb, %(agora)s FROM concluido
)
SELECT concluido.*, EXISTS (
    SELECT 1 FROM backlog_dependencia d JOIN backlog_item b ON b.id = d.item_id
    WHERE d.depende_de_id = concluido.id AND b.status = 'Bloqueado'
) AS tem_dependentes
FROM concluido
"""

_JSON = {"contexto", "resultado"}


def _item(colunas: list[str], linha: tuple) -> Item:
    valores = dict(zip(colunas, linha, strict=False))
    for nome in _JSON:
        if isinstance(valores.get(nome), str):
            valores[nome] = json.loads(valores[nome])
    campos = [f.attname for f in Item._meta.concrete_fields]
    return Item.from_db(connection.alias, campos, [valores[c] for c in campos])


def consumir(tipos: list[str], consumidor: str, segundos: int) -> Item | None:
    with connection.cursor() as cursor:
        cursor.execute(_CONSUMIR, {"tipos": tipos, "consumidor": consumidor, "segundos": segundos,
                                   "agora": timezone.now()})
        linha = cursor.fetchone()
        if linha is None:
            return None
        return _item([c.name for c in cursor.description], linha)


def concluir(item_id: int, lease: str | None, resultado: dict[str, Any], ator: str | None) -> tuple[Item, bool] | None:
    """Returns the concluded item and whether it has blocked dependents, or None if no row
    matched (wrong status or lease: the caller diagnoses which)."""
    with connection.cursor() as cursor:
        cursor.execute(_CONCLUIR, {"id": item_id, "lease": lease, "resultado": json.dumps(resultado), "ator": ator,
                                   "agora": timezone.now()})
        linha = cursor.fetchone()
        if linha is None:
            return None
        colunas = [c.name for c in cursor.description]
        return _item(colunas[:-1], linha[:-1]), bool(linha[-1])
