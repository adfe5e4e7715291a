"""Searching as a person types: without accents and case ("transcricao" finds "Transcrição").

Text is normalised the same way when stored (a search column) and when searched, so the match
is a plain ``LIKE`` on every database: SQLite has no ``unaccent``, and PostgreSQL's needs an
extension a plain database user cannot create.
"""

from __future__ import annotations

import unicodedata


def normalizar(texto: str) -> str:
    """Lower case, accents dropped, spaces collapsed: "Transcrição  de Áudio" → "transcricao de audio"."""
    decomposto = unicodedata.normalize("NFKD", texto or "")
    sem_marcas = "".join(c for c in decomposto if not unicodedata.combining(c))
    return " ".join(sem_marcas.casefold().split())
