"""The language of the messages of the spec's pure modules (``expressoes``, ``padroes``,
``condicoes``): they stay free of Django, and fabrica's ``AppConfig.ready`` registers Django's
``gettext`` here. Until then, and in a process without Django, a message is its Portuguese msgid.

``_("…")`` and ``gettext_noop("…")`` keep the names ``makemessages`` extracts, so their msgids are
in the catalogue like any other.
"""

from __future__ import annotations

from collections.abc import Callable

_tradutor: Callable[[str], str] = str


def registrar_tradutor(tradutor: Callable[[str], str]) -> None:
    global _tradutor  # noqa: PLW0603 — the one hook, set once at startup
    _tradutor = tradutor


def _(texto: str) -> str:
    """A message in the active language."""
    return _tradutor(texto)


def gettext_noop(texto: str) -> str:
    """Marks a msgid for the catalogue where it is stored (a table of words); ``_`` reads it
    where it is used."""
    return texto
