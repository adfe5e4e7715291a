"""How a person or a process is named in events, ``produtor``, ``consumidor`` and ``ator``.

One form per kind of actor, so a timeline and a filter by actor find one person under one name:
a person is ``usuario:<username>`` whatever their role (the role is in the groups, not the name).
"""

from __future__ import annotations

from typing import Any

PREFIXO_USUARIO = "usuario:"


def ator_de(usuario: Any) -> str:
    """The actor string of a Django user (``usuario:ana``)."""
    return f"{PREFIXO_USUARIO}{usuario.get_username()}"
