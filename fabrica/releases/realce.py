"""Server-side syntax highlighting of artefacts and diffs (Pygments), cached by content hash."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound

CLASSE = "codigo"
MAX_REALCE = 300_000  # characters: beyond this, plain escaped text (a page must stay light)
_FORMATADOR = HtmlFormatter(cssclass=CLASSE, linenos="table", wrapcode=True)
_FORMATADOR_DIFF = HtmlFormatter(cssclass=CLASSE, wrapcode=True)


def estilo() -> str:
    """The stylesheet of highlighted code, served as static/css/codigo.css (no inline <style>: the
    Content-Security-Policy refuses it); tests/test_seguranca.py keeps the file equal to this."""
    return HtmlFormatter(cssclass=CLASSE).get_style_defs(f".{CLASSE}")


def _lexer(caminho: str):
    nome = caminho.rsplit("/", 1)[-1]
    if nome.endswith((".bpmn", ".dmn")):
        nome += ".xml"
    try:
        return get_lexer_for_filename(nome, stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


def realcar(caminho: str, conteudo: str, sha256: str) -> SafeString:
    if len(conteudo) > MAX_REALCE:
        return mark_safe(f'<pre class="{CLASSE}">{escape(conteudo)}</pre>')  # noqa: S308 - escaped
    chave = f"realce:{sha256}:{caminho.rsplit('.', 1)[-1]}"
    html = cache.get(chave)
    if html is None:
        html = highlight(conteudo, _lexer(caminho), _FORMATADOR)
        cache.set(chave, html, 3600)
    return mark_safe(html)  # noqa: S308 - Pygments escapes the source


def realcar_diff(diff: str) -> SafeString:
    if not diff:
        return mark_safe("")
    return mark_safe(highlight(diff[:MAX_REALCE], DiffLexer(stripnl=False), _FORMATADOR_DIFF))  # noqa: S308
