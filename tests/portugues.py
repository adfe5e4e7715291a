"""A detector of Portuguese in a page read in English (issue 17, item 8): frequent Portuguese
words and the letters English does not use, found in the visible text.

Identifiers are data, not sentences: a token with ``_``, ``/``, ``.``, ``-``, ``@``, ``:`` inside
or a digit (``spec_002``, ``p/estrutural/conta.py``, ``test_dobro[caso_01]``) is never read as a
word. Whatever else the page shows as data (a spec's title, a rule the spec wrote in Portuguese,
a PO's reason) is named by the caller in ``permitidos`` and taken out before reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Frequent Portuguese words that are not English words, and the words the factory stores
# (statuses, kinds, the sentences of its logs) that a page in English once showed.
PALAVRAS = frozenset(
    """
    não nao sim de da das dos em na nos nas para pela pelo pelos pelas com sem que uma um
    umas uns ao aos foi foram ser está estão esta este isto isso são já ainda quando onde porque
    então também mais menos muito cada todos todas nenhum nenhuma outro outra entre sobre até
    seu sua seus suas ou e é
    passou passaram falhou falharam falha falhas erro erros tentativa tentativas reparo reparos
    teste testes fumaça implantação implantações implantar implantada reversão revertida
    vertente vertentes estrutural processual integração integracao
    codigo código apoio completo concluido concluído concluída aberta aprovada rejeitada
    aguardando pendente pendentes diretorio diretório comando alvo ambiente ambientes
    determinístico deterministico corretor correção correções corrigir validar
    precisa implementação regras arquivo artefato artefatos desempacotado desempacotando
    retenção removida guardada conferida manifesto isolamento básico automático
    decisão decisões orçamento versão esforço horas motivo observação
    """.split()
)
# Letters of Portuguese words that English words never carry.
DIACRITICOS = re.compile(r"[ãõçáéíóúâêôàü]", re.IGNORECASE)
_TOKEN = re.compile(r"[^\s,;()\[\]{}«»\"'“”‘’!?…·—–|<>=+*#%$&]+")
_IDENTIFICADOR = re.compile(r"[_/.\-@:\d]")


def palavras_portuguesas(texto: str, permitidos: Iterable[str] = ()) -> list[str]:
    """The Portuguese words of ``texto`` (in order, repeated as they occur), after taking out
    each string of ``permitidos``."""
    for permitido in sorted(permitidos, key=len, reverse=True):
        texto = texto.replace(permitido, " ")
    achadas = []
    for token in _TOKEN.findall(texto):
        palavra = token.strip(".:")
        if not palavra or _IDENTIFICADOR.search(palavra):
            continue
        # A single capital letter is a vertente's (E, I, C, D, P), never the conjunction.
        chave = palavra if len(palavra) == 1 else palavra.lower()
        if chave in PALAVRAS or DIACRITICOS.search(palavra):
            achadas.append(palavra)
    return achadas


def com_contexto(texto: str, permitidos: Iterable[str] = (), largura: int = 50) -> dict[str, str]:
    """Each Portuguese word found, with the text around its first occurrence: what a failing
    test shows."""
    for permitido in sorted(permitidos, key=len, reverse=True):
        texto = texto.replace(permitido, " ")
    trechos = {}
    for palavra in dict.fromkeys(palavras_portuguesas(texto)):
        m = re.search(rf"(?<![\w/.]){re.escape(palavra)}(?![\w/])", texto)
        trechos[palavra] = texto[max(0, m.start() - largura) : m.end() + largura] if m else palavra
    return trechos
