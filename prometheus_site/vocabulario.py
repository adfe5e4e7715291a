"""The words pages show for the values the code stores: one place, per set of values.

Statuses, event names, item types, vertentes… are stored as the seed spells them
(``EmProcessamento``, ``orcar_spec``, ``E``); a page never shows them raw. Each app registers the
words of its values here in ``AppConfig.ready`` (backlog: item statuses and events; fabrica:
budget situations, item types, vertentes, coverage; releases and deployments theirs), and pages
read them through the ``palavras`` template library::

    {% load palavras %}
    {{ item.status|palavra:"item" }}            → "Em processamento" / "In progress"
    {% etiqueta "orcamento" orc.situacao %}     → <span class="status tom-ok">Aprovado</span>

A word is lazy (``gettext_lazy``), so it is read in the language of the page. A value nobody
registered is shown as it is: the data is never hidden. The tone says how a chip or a banner of
that value looks, so "rejected" is red and "approved" green on every page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext

# neutro: nothing to do · info: someone may act · espera: waiting for something else ·
# ok: done well · alerta: needs attention · perigo: refused or failed.
TONS = ("neutro", "info", "espera", "ok", "alerta", "perigo")


@dataclass(frozen=True)
class Palavra:
    texto: str | Promise
    tom: str = "neutro"

    def __post_init__(self) -> None:
        if self.tom not in TONS:
            raise ValueError(f"tom {self.tom!r} desconhecido; use um de {', '.join(TONS)}")


_conjuntos: dict[str, dict[str, Palavra]] = {}


# A stored value: a str, or a str enum (TextChoices, the item types of fabrica/contratos.py).
Valor = TypeVar("Valor", bound=str)


def registrar(conjunto: str, palavras: Mapping[Valor, Palavra | str | Promise]) -> None:
    """Adds (or replaces) the words of some values of ``conjunto``."""
    destino = _conjuntos.setdefault(conjunto, {})
    for valor, p in palavras.items():
        destino[str(valor)] = p if isinstance(p, Palavra) else Palavra(p)


def registrar_escolhas(conjunto: str, escolhas: type[TextChoices], tons: Mapping[str, str] | None = None) -> None:
    """The words of a model's status are its ``TextChoices`` labels: one source for the admin's
    filters and for the pages."""
    tons = tons or {}
    registrar(conjunto, {valor: Palavra(rotulo, tons.get(valor, "neutro")) for valor, rotulo in escolhas.choices})


def _achar(conjunto: str, valor: Any) -> Palavra | None:
    return _conjuntos.get(conjunto, {}).get(str(valor))


def palavra(conjunto: str, valor: Any) -> str:
    """The word for ``valor`` in the active language, or the value itself if none is registered."""
    achada = _achar(conjunto, valor)
    return str(achada.texto) if achada else ("" if valor is None else str(valor))


def tom(conjunto: str, valor: Any) -> str:
    achada = _achar(conjunto, valor)
    return achada.tom if achada else "neutro"


def valores(conjunto: str) -> list[str]:
    """The values of a set, in the order they were registered (a filter's options)."""
    return list(_conjuntos.get(conjunto, {}))


_WORKER = re.compile(r"^(?P<sistema>[A-Za-z_][\w-]*)@(?P<onde>\S+)$")
# Older rows name a person by role ("admin:ana", "po:ana"); prometheus_site.atores names them
# ``usuario:ana`` now. Either way a page shows the person.
_PESSOA = re.compile(r"^(?:usuario|admin|po):(?P<nome>.+)$")


def nome_do_ator(ator: str | None) -> str:
    """How a page names whoever did something: a person by their username, a worker process as
    ``PROMETHEUS (worker vm:18244)``, a system by its name."""
    if not ator:
        return "—"
    if achada := _achar("ator", ator):
        return str(achada.texto)
    if m := _PESSOA.match(ator):
        return m.group("nome")
    if m := _WORKER.match(ator):
        return gettext("%(sistema)s (worker %(onde)s)") % m.groupdict()
    return ator


# Sentences the code stored in Portuguese (a deployment's log, a corrector's attempt, a failure):
# the stored text is never rewritten, so a page translates it when it shows it. Each app registers
# the patterns of the sentences it writes, with the msgid that says the same thing; a sentence no
# pattern matches is shown as it was stored.
_frases: list[tuple[re.Pattern[str], str | Promise]] = []


def registrar_frases(frases: Mapping[str, str | Promise]) -> None:
    """``{regex with named groups: msgid with the same %(names)s}``, tried in registration order.
    A group named ``frase…`` holds a sentence of its own and is translated too."""
    _frases.extend((re.compile(padrao, re.DOTALL), msgid) for padrao, msgid in frases.items())
    _traduzida.cache_clear()


def frase(texto: str | None) -> str:
    """A stored sentence in the active language (the first registered pattern that matches it whole)."""
    if not texto:
        return ""
    traduzida = _frase_inteira(texto)
    if traduzida is None and "; " in texto:  # a list of sentences ("X em 2 testes; Y em 1 teste")
        partes = [_frase_inteira(parte) for parte in texto.split("; ")]
        if all(p is not None for p in partes):
            return "; ".join(p for p in partes if p is not None)
    return texto if traduzida is None else traduzida


def _frase_inteira(texto: str) -> str | None:
    return _traduzida(get_language(), texto)


@functools.lru_cache(maxsize=4096)
def _traduzida(_idioma: str | None, texto: str) -> str | None:
    """A sentence tried against every registered pattern (a hundred of them): a log's lines and
    the failures' errors repeat (the inbox shows the failing part of a log on each row), so each
    sentence is matched once per language."""
    for padrao, msgid in _frases:
        if m := padrao.fullmatch(texto):
            try:
                partes = {k: frase(v) if k.startswith("frase") else (v or "") for k, v in m.groupdict().items()}
                return str(msgid) % partes
            except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
                return texto
    return None


_HORA = re.compile(r"^(?P<hora>\d\d:\d\d:\d\d )?(?P<resto>.*)$")


def linhas(texto: str | None) -> str:
    """A log written line by line (``HH:MM:SS sentence``): each sentence translated, the time kept."""
    saida = []
    for linha in (texto or "").split("\n"):
        m = _HORA.match(linha)
        assert m is not None  # the pattern matches any line
        saida.append((m.group("hora") or "") + frase(m.group("resto")))
    return "\n".join(saida)
