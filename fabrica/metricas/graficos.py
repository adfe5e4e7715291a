"""Charts as server-rendered SVG (no script, no inline style: the shapes carry classes that
static/css/metricas.css colours): coordinates are computed here, the template draws them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.translation import gettext

LARGURA, ALTURA, MARGEM = 320, 120, 8


@dataclass
class Marca:
    x: float
    y: float
    rotulo: str
    texto: str
    url: str = ""
    titulo: str = ""  # what the point says when pointed at: its week, its value, that it opens the facts


@dataclass
class Linha:
    pontos: str  # the polyline's "x,y x,y …"
    marcas: list[Marca]
    maximo: str
    primeira: str
    ultima: str
    largura: int = LARGURA
    altura: int = ALTURA


def linha(
    pontos: list[Any],
    formatar,
    de: date | None = None,
    ate: date | None = None,
    url_da_semana: Callable[[date], str] | None = None,
) -> Linha | None:
    """A weekly trend; None when no week has a value (the template says "sem dados"). With the
    period (``de``, ``ate``) each week sits at its place in it, so weeks without a value leave
    their gap instead of drawing the line closer; ``url_da_semana`` links each point to the
    facts of its week."""
    validos = [p for p in pontos if p.valor is not None]
    if not validos:
        return None
    # date_format, and the points' title translated, looked up once for every point
    formato = get_format("SHORT_DATE_FORMAT")
    titulo = gettext("Semana de %(semana)s: %(valor)s (abre os fatos)")
    maximo = max(p.valor for p in validos) or 1.0
    passo = (LARGURA - 2 * MARGEM) / max(len(validos) - 1, 1)
    dias = (ate - de).days if de and ate else 0
    marcas = []
    for i, p in enumerate(validos):
        if dias > 0 and de is not None:
            x = MARGEM + min(max((p.semana - de).days / dias, 0.0), 1.0) * (LARGURA - 2 * MARGEM)
        else:
            x = MARGEM + i * passo if len(validos) > 1 else LARGURA / 2
        y = ALTURA - MARGEM - (p.valor / maximo) * (ALTURA - 2 * MARGEM)
        semana = dateformat.format(p.semana, formato)
        url = url_da_semana(p.semana) if url_da_semana else ""
        valor = formatar(p.valor)
        marcas.append(Marca(round(x, 1), round(y, 1), semana, valor, url, titulo % {"semana": semana, "valor": valor}))
    return Linha(
        " ".join(f"{m.x},{m.y}" for m in marcas),
        marcas,
        formatar(maximo),
        # the axis: the period's ends when the weeks sit at their place in it
        dateformat.format(de, formato) if dias > 0 and de else marcas[0].rotulo,
        dateformat.format(ate, formato) if dias > 0 and ate else marcas[-1].rotulo,
    )


@dataclass
class Barra:
    rotulo: str
    largura: float
    y: float
    texto: str
    url: str


@dataclass
class Barras:
    barras: list[Barra]
    altura: int
    largura: int = LARGURA


def barras(itens: list[tuple[str, float | None, str, str]]) -> Barras | None:
    """Horizontal bars (label, value, text, facts URL); None when no bar has a value."""
    com_valor = [(r, v, t, u) for r, v, t, u in itens if v is not None]
    if not com_valor:
        return None
    maximo = max(v for _r, v, _t, _u in com_valor) or 1.0
    altura_barra = 22
    resultado = []
    for n, (rotulo, valor, texto, url) in enumerate(com_valor):
        resultado.append(
            Barra(rotulo, round(max(valor / maximo, 0.0) * (LARGURA - 120), 1), n * altura_barra, texto, url)
        )
    return Barras(resultado, len(resultado) * altura_barra)
