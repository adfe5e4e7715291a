"""Query-string filters of the API that name a record by its id."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from prometheus_site.erros import DadosInvalidos

# The largest id the database holds (bigint). The database cannot even compare with a larger
# number (SQLite raises OverflowError): such a filter is refused before any query.
MAIOR_ID = 2**63 - 1


def id_do_filtro(parametros: Mapping[str, str], nome: str) -> int | None:
    """The id a filter names (``?item=42``); None when absent or not a decimal number (the
    caller decides whether that is ignored or refused). A number past any id is refused (400
    naming the filter)."""
    valor = parametros.get(nome) or ""
    if not valor.isdecimal():
        return None
    numero = int(valor)
    if numero > MAIOR_ID:
        raise DadosInvalidos(
            _("O filtro %(nome)s não é o id de um registro.") % {"nome": nome},
            {nome: [_("Número grande demais para um id.")]},
        )
    return numero
