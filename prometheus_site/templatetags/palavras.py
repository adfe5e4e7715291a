"""Template library ``palavras``: values as words, lists, money and JSON as a person reads them.

Registered in ``TEMPLATES["OPTIONS"]["libraries"]`` (the project has no app of its own), and
used by every app's pages: ``{% load palavras %}``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import capfirst, get_text_list
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext

from prometheus_site import navegacao, vocabulario

register = template.Library()


@register.simple_tag(takes_context=True)
def url_se_pode(context: template.Context, nome: str, *args: Any) -> str:
    """``{% url_se_pode "backlog-item" item.pk as url %}{% if url %}<a href="{{ url }}">…``: the
    page's address when the viewer may open it, else "" (the text stays, without a link that
    would answer 403). The one place a page decides whether to link (prometheus_site.navegacao)."""
    usuario = context.get("user") or getattr(context.get("request"), "user", None)
    if usuario is None or None in args or not navegacao.pode_abrir_url(nome, usuario):
        return ""
    return reverse(nome, args=args)


@register.filter
def palavra(valor: Any, conjunto: str) -> str:
    """``{{ item.status|palavra:"item" }}``: the registered word, capitalised as a label."""
    return capfirst(vocabulario.palavra(conjunto, valor))


@register.filter
def palavra_minuscula(valor: Any, conjunto: str) -> str:
    """The word as it reads inside a sentence ("decided: approved by po")."""
    texto = vocabulario.palavra(conjunto, valor)
    return texto[:1].lower() + texto[1:]


@register.filter
def tom(valor: Any, conjunto: str) -> str:
    return vocabulario.tom(conjunto, valor)


@register.simple_tag
def etiqueta(conjunto: str, valor: Any, titulo: str = "") -> str:
    """A status chip coloured by the value's tone: ``{% etiqueta "item" item.status %}``."""
    return format_html(
        '<span class="status tom-{}" data-valor="{}"{}>{}</span>',
        vocabulario.tom(conjunto, valor),
        valor,
        format_html(' title="{}"', titulo) if titulo else "",
        capfirst(vocabulario.palavra(conjunto, valor)),
    )


@register.filter
def frase(texto: Any) -> str:
    """A sentence the code stored in Portuguese, in the page's language (``vocabulario.frase``)."""
    return vocabulario.frase(None if texto is None else str(texto))


@register.filter
def log(texto: Any) -> str:
    """A stored log, each line's sentence in the page's language, times kept."""
    return vocabulario.linhas(None if texto is None else str(texto))


@register.filter
def ator(valor: str) -> str:
    return vocabulario.nome_do_ator(valor)


@register.filter
def json_legivel(valor: Any) -> str:
    """Stored JSON shown as JSON (not as a Python dict): indented, accents kept."""
    return json.dumps(valor, indent=2, ensure_ascii=False, sort_keys=False, default=str)


@register.filter
def json_compacto(valor: Any) -> str:
    """Stored JSON on one line, as JSON (``null``, double quotes), not as a Python dict."""
    return json.dumps(valor, ensure_ascii=False, separators=(", ", ": "), default=str)


@register.filter
def desde(quando: datetime | None) -> str:
    """How long ago, never "0 minutes": under a minute is "just now"."""
    if not quando:
        return "—"
    if timezone.now() - quando < timedelta(minutes=1):
        return gettext("agora há pouco")
    return gettext("há %(tempo)s") % {"tempo": timesince(quando, depth=1)}


@register.filter
def lista(valores: Any, vazio: str = "") -> str:
    """``["a", "b", "c"]`` → "a, b e c" (or "a, b and c"); an empty list → "nenhum" / "none"."""
    itens = [str(v) for v in (valores or [])]
    if not itens:
        return vazio or gettext("nenhum")
    return get_text_list(itens, gettext("e"))


@register.filter
def numero(valor: Any, casas: int = 2) -> str:
    """A number in the language's format, with grouping: 2.220,00 / 2,220.00."""
    if valor is None or valor == "":
        return "—"
    return number_format(valor, decimal_pos=int(casas), use_l10n=True, force_grouping=True)


@register.filter
def dinheiro(custo: dict | None) -> str:
    """A budget's ``custo`` ({"total", "moeda"}) as "BRL 2.220,00"."""
    if not custo or custo.get("total") is None:
        return "—"
    return f"{custo.get('moeda', '')} {numero(custo['total'], 2)}".strip()


@register.filter
def horas(valor: Any) -> str:
    if valor is None:
        return "—"
    return gettext("%(n)s h") % {"n": number_format(valor, decimal_pos=1, use_l10n=True, force_grouping=True)}


@register.filter
def sim_nao(valor: Any) -> str:
    return gettext("sim") if valor else gettext("não")


@register.filter
def valor(dado: Any) -> str:
    """Any stored value as a person reads it: yes/no, a list in words, a number in the
    language's format, "—" for nothing."""
    if dado is None or dado == "":
        return "—"
    if isinstance(dado, bool):
        return sim_nao(dado)
    if isinstance(dado, list | tuple):
        return lista([valor(v) for v in dado])
    if isinstance(dado, float):
        return number_format(dado, decimal_pos=None if dado != int(dado) else 0, use_l10n=True, force_grouping=True)
    if isinstance(dado, int):
        return number_format(dado, use_l10n=True, force_grouping=True)
    if isinstance(dado, dict):
        return json_legivel(dado)
    return str(dado)


@register.filter
def maquina(runtime: dict[str, Any]) -> str:
    """A budget's machine, "CPU 1 núcleo, RAM 512 MB": the noun agrees with the number of cores
    (a fraction of a core reads as a plural)."""
    cpu, ram = runtime.get("cpu"), runtime.get("ram_mb")
    n = int(cpu) if isinstance(cpu, int | float) and cpu == int(cpu) else 2
    return ngettext("CPU %(cpu)s núcleo, RAM %(ram)s MB", "CPU %(cpu)s núcleos, RAM %(ram)s MB", n) % {
        "cpu": valor(cpu),
        "ram": valor(ram),
    }
