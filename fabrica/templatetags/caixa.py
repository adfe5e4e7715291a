"""Template library ``caixa``: the inbox's rows (``{% linhas_da_caixa %}``), written in Python.

A page of the inbox has 50 rows of up to nine cells; as template code (a loop, an ``include`` per
cell, a dozen filters) they cost about 0.3 ms each, most of a page's time at 100,000 decisions
(bench/inbox.py). The same HTML, byte for byte, is written here with the same filters and tags
called directly and the row's words translated once per page.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import date, floatformat, truncatechars
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs
from django.utils.translation import gettext, ngettext

from prometheus_site.templatetags.palavras import desde, dinheiro, etiqueta, horas, log, palavra, tom

register = template.Library()


def _v(valor: Any) -> str:
    """``{{ valor }}``: localized and escaped, as the template engine renders a variable."""
    return conditional_escape(localize(valor))


def _data(quando: Any) -> str:
    """``{{ quando|date:"SHORT_DATETIME_FORMAT" }}`` (the filter expects local time)."""
    return conditional_escape(date(template_localtime(quando), "SHORT_DATETIME_FORMAT"))


def _celula(chave: str, linha: Any, nenhum: str, nenhum_teste: str, o_que_falhou: str) -> str:
    """One cell of an open tab: cost, hours, gaps, tests, build or deployment."""
    if chave == "custo":
        return _v(dinheiro(linha.custo))
    if chave == "horas":
        return _v(horas(linha.horas))
    if chave == "gaps":
        if not linha.gaps:
            return f'<span class="suave">{nenhum}</span>'
        return "".join(
            f'<span class="status tom-{_v(tom(g["status"], "item"))}" title="#{_v(g["item"])}">'
            f"{_v(g['recurso'])}: {_v(palavra(g['status'], 'item'))}</span> "
            for g in linha.gaps
        )
    if chave == "testes":
        testes = linha.testes
        if not testes.get("total"):
            return f'<span class="status tom-alerta" data-testes="0/0">{nenhum_teste}</span>'
        passaram = ngettext("%(p)s de %(n)s teste passou", "%(p)s de %(n)s testes passaram", testes["total"]) % {
            "p": _v(testes.get("passaram")),
            "n": _v(testes["total"]),
        }
        cobertura = gettext("cobertura %(c)s %%") % {"c": _v(floatformat(testes.get("cobertura"), 0))}
        return (
            f'<span class="status tom-{_v(linha.testes_tom)}" data-testes="{_v(testes.get("passaram"))}/'
            f'{_v(testes["total"])}">{passaram}</span> <span class="suave">{cobertura}</span>'
        )
    if chave == "construcao":
        return _v(linha.resumo)
    if chave == "implantacao":
        html = (
            f'<span class="detalhe">{_v(linha.detalhe)}</span> <span class="status status-{_v(linha.situacao)}"'
            f' data-situacao="{_v(linha.situacao)}">{_v(linha.status)}</span>'
        )
        if linha.trecho:
            html += (
                f'<details class="trecho-da-falha"><summary>{o_que_falhou}</summary>'
                f'<pre class="log">{_v(log(linha.trecho))}</pre></details>'
            )
        return html
    return ""


@register.simple_tag
def linhas_da_caixa(linhas: list[Any], aba: str, colunas: list[dict[str, Any]], somente_leitura: bool) -> SafeString:
    """Every row of the page (``<tr>``), as the loop of templates/fabrica/inicio.html wrote them."""
    palavras = {
        "item": _v(gettext("Item")),
        "spec": _v(gettext("Spec")),
        "decisao": _v(gettext("Decisão")),
        "por": _v(gettext("Por")),
        "quando": _v(gettext("Quando")),
        "motivo": _v(gettext("Motivo")),
        "ha": _v(gettext("Há")),
        "voce_ve": _v(gettext("Você vê, mas não decide")),
        "nao_se_aplica": _v(gettext("não se aplica a este tipo")),
        "so_leitura": _v(gettext("só leitura")),
        "nenhum": _v(gettext("nenhum")),
        "nenhum_teste": _v(gettext("nenhum teste")),
        "o_que_falhou": _v(gettext("O que falhou no log")),
    }
    colunas = [{"chave": c["chave"], "html": _v(c["chave"]), "nome": _v(c["nome"])} for c in colunas]
    partes = []
    for linha in linhas:
        leitura = (
            f' <span class="status tom-neutro somente-leitura" title="{palavras["voce_ve"]}">{palavras["so_leitura"]}</span>'
            if not linha.decide and not somente_leitura
            else ""
        )
        versao = f' <span class="versao">{_v(linha.versao)}</span>' if linha.versao else ""
        alerta = f' <span class="status tom-perigo alerta">⚠ {_v(linha.alerta)}</span>' if linha.alerta else ""
        partes.append(
            f'\n  <tr data-id="{_v(linha.tipo)}-{_v(linha.id)}">\n'
            f'    <td data-rotulo="{palavras["item"]}" class="item">{_v(linha.rotulo)} <strong>#{_v(linha.id)}</strong>{leitura}</td>\n'
            f'    <td data-rotulo="{palavras["spec"]}" class="spec"><a href="{_v(linha.url)}"><strong>{_v(linha.spec_ref)}</strong>'
            f"{versao} — {_v(linha.titulo)}</a>{alerta}</td>\n    "
        )
        if aba == "decididos":
            decisao = etiqueta(linha.vocabulario, linha.situacao) if linha.vocabulario else _v(linha.status)
            partes.append(
                f'\n    <td data-rotulo="{palavras["decisao"]}">{decisao}</td>\n'
                f'    <td data-rotulo="{palavras["por"]}">{_v(linha.decidido_por or "—")}</td>\n'
                f'    <td data-rotulo="{palavras["quando"]}">{_data(linha.decidido_em)}</td>\n'
                f'    <td data-rotulo="{palavras["motivo"]}">{_v(truncatechars(linha.motivo or "—", 80))}</td>\n    '
            )
        else:
            celulas = "".join(
                f'<td data-rotulo="{c["nome"]}" data-coluna="{c["html"]}">'
                # The cell's template ended with a line break, kept so the HTML is the same.
                f"{_celula(c['chave'], linha, palavras['nenhum'], palavras['nenhum_teste'], palavras['o_que_falhou'])}\n</td>"
                if c["chave"] in linha.colunas
                else f'<td class="nao-se-aplica" data-coluna="{c["html"]}"><span class="suave" title="{palavras["nao_se_aplica"]}">—</span></td>'
                for c in colunas
            )
            partes.append(
                f'\n    <td data-rotulo="{palavras["ha"]}" title="{_data(linha.criado_em)}">{_v(desde(linha.criado_em))}</td>\n'
                f"    {celulas}\n    "
            )
        partes.append("\n  </tr>\n  ")
    return mark_safe("".join(partes))  # noqa: S308 (every value above is escaped by _v or is the app's own HTML)
