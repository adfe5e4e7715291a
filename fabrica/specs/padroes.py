"""The regular expressions of a spec (``padrao`` of an attribute, a field, a parameter), matched
by PROMETHEUS in linear time.

A spec's ``padrao`` is written in Python's syntax, because the generated code checks it with
``re.fullmatch``/``re.search``. PROMETHEUS itself never matches it with ``re``: a backtracking
engine takes exponential time on ``(a+)+$`` against a few dozen characters, in the web request
that validates the spec or in the worker that builds it. Instead, Python's own parser reads the
pattern (so it means what the generated code will mean) and the tree is written again for RE2,
which matches in time linear in the text:

- ``\\d``, ``\\w``, ``\\s`` keep Python's Unicode meaning (``\\w`` matches ``ç``; RE2's own
  classes are ASCII-only), or the ASCII one under ``(?a)``;
- what RE2 cannot express — back-references (``\\1``, ``(?P=nome)``), lookarounds (``(?=…)``,
  ``(?<!…)``), atomic groups, possessive repetitions, conditionals ``(?(1)…)`` — is refused with
  a sentence, and so is a repetition above 1,000 or a pattern whose program would not fit in
  RE2's memory budget.

Two small differences stay, both on the strict side: ``$`` without ``(?m)`` matches only at the
very end (Python's also matches before a final newline), and ``\\b`` counts only ASCII letters and
digits as word characters.

Pure module: no Django.
"""

from __future__ import annotations

import functools
import re
import warnings

# Private but stable in 3.11+ (the re module's own parser); typeshed does not declare them.
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import re2

from fabrica.specs.traducao import _, gettext_noop

MAX_PADRAO = 500  # characters of a pattern; real specs' ones have fewer than 50
MAX_TEXTO = 2_000  # characters of a matched text: RE2's worst case grows with text × program
MAX_REPETICAO = 1000  # the largest {n} RE2 accepts

_OPCOES = re2.Options()
_OPCOES.log_errors = False  # the error comes back as an exception; not on the process's stderr
_OPCOES.max_mem = 8 << 20  # RE2's default: fits ^[\w ]{1,100}$ (Unicode), refuses huge nested ones


class PadraoInvalido(ValueError):
    """A pattern refused: the sentence says why (pt-BR), for the field's error."""


class TextoLongoDemais(ValueError):
    """A text above ``MAX_TEXTO`` characters: PROMETHEUS does not match it."""


@functools.lru_cache(maxsize=32)  # cada programa pode ocupar até max_mem
def compilar(padrao: str) -> Any:
    """The RE2 program of a spec's pattern, or ``PadraoInvalido`` with the reason."""
    if not isinstance(padrao, str):
        raise PadraoInvalido(_("o padrão deve ser um texto"))
    if len(padrao) > MAX_PADRAO:
        raise PadraoInvalido(
            _("o padrão tem %(padrao)s caracteres; o máximo é %(MAX_PADRAO)s")
            % {"padrao": len(padrao), "MAX_PADRAO": MAX_PADRAO}
        )
    try:
        with warnings.catch_warnings():
            # "Possible nested set" ([[:alpha:]]): Python reads it as a plain set, other engines as
            # a POSIX class; a pattern that means two things is refused.
            warnings.simplefilter("error")
            arvore = _parser.parse(padrao)
    except (re.error, FutureWarning, DeprecationWarning) as exc:
        raise PadraoInvalido(_("expressão regular inválida: %(exc)s") % {"exc": exc}) from None
    except (OverflowError, RecursionError, ValueError):
        raise PadraoInvalido(_("expressão regular inválida: aninhamento ou repetição grandes demais")) from None
    flags = arvore.state.flags
    if flags & c.SRE_FLAG_LOCALE:
        raise PadraoInvalido(_("a flag (?L) não é aceita"))
    prefixo = "".join(
        f
        for bit, f in ((c.SRE_FLAG_IGNORECASE, "i"), (c.SRE_FLAG_MULTILINE, "m"), (c.SRE_FLAG_DOTALL, "s"))
        if flags & bit
    )
    texto = (f"(?{prefixo})" if prefixo else "") + _Escritor().sequencia(arvore, bool(flags & c.SRE_FLAG_ASCII))
    try:
        return re2.compile(texto, _OPCOES)
    except re2.error as exc:
        motivo = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        if "repetition" in motivo:
            raise PadraoInvalido(
                _("repetição acima de %(MAX_REPETICAO)s (ou repetições aninhadas) não é aceita")
                % {"MAX_REPETICAO": MAX_REPETICAO}
            ) from None
        if "too large" in motivo or "too big" in motivo or "memory" in motivo:
            raise PadraoInvalido(_("o padrão é grande demais (repetições aninhadas demais)")) from None
        raise PadraoInvalido(_("expressão regular não aceita: %(motivo)s") % {"motivo": motivo}) from None


def validar(padrao: object) -> str | None:
    """The sentence refusing the pattern, or None when it is accepted."""
    try:
        compilar(padrao)
    except PadraoInvalido as exc:
        return str(exc)
    except TypeError:  # unhashable: not a text
        return _("o padrão deve ser um texto")
    return None


def _texto(texto: str) -> str:
    if len(texto) > MAX_TEXTO:
        raise TextoLongoDemais(_("texto com mais de %(MAX_TEXTO)s caracteres") % {"MAX_TEXTO": MAX_TEXTO})
    return texto


def casa_inteiro(padrao: str, texto: str) -> bool:
    """``re.fullmatch(padrao, texto) is not None``, in linear time."""
    return compilar(padrao).fullmatch(_texto(texto)) is not None


def procura(padrao: str, texto: str) -> bool:
    """``re.search(padrao, texto) is not None``, in linear time."""
    return compilar(padrao).search(_texto(texto)) is not None


# --- Python's tree → RE2's syntax ----------------------------------------------------------------

# Python's classes for text (str): Unicode by default, ASCII with (?a). Each is the content of an
# RE2 [...]; the negated ones (\D, \W, \S) are its complement.
_CLASSES_UNICODE = {
    c.CATEGORY_DIGIT: r"\p{Nd}",
    c.CATEGORY_WORD: r"\p{L}\p{N}_",
    c.CATEGORY_SPACE: r"\t\n\x0b\x0c\r\x1c-\x1f\x85\p{Z}",
}
_CLASSES_ASCII = {
    c.CATEGORY_DIGIT: "0-9",
    c.CATEGORY_WORD: "A-Za-z0-9_",
    c.CATEGORY_SPACE: r"\t\n\x0b\x0c\r ",
}
_NEGADAS = {
    c.CATEGORY_NOT_DIGIT: c.CATEGORY_DIGIT,
    c.CATEGORY_NOT_WORD: c.CATEGORY_WORD,
    c.CATEGORY_NOT_SPACE: c.CATEGORY_SPACE,
}
_RECUSADOS = {
    c.GROUPREF: gettext_noop("referência a grupo (\\1, (?P=nome))"),
    c.GROUPREF_EXISTS: gettext_noop("condicional (?(grupo)…)"),
    c.ASSERT: gettext_noop("lookahead/lookbehind ((?=…), (?<=…))"),
    c.ASSERT_NOT: gettext_noop("lookahead/lookbehind negativo ((?!…), (?<!…))"),
}
_ANCORAS = {
    c.AT_BEGINNING: "^",
    c.AT_BEGINNING_STRING: r"\A",
    c.AT_END: "$",
    c.AT_END_STRING: r"\z",
    c.AT_BOUNDARY: r"\b",
    c.AT_NON_BOUNDARY: r"\B",
}


def _caractere(codigo: int) -> str:
    return f"\\x{{{codigo:x}}}"


class _Escritor:
    def recusar(self, construcao: str) -> PadraoInvalido:
        return PadraoInvalido(
            _("o PROMETHEUS casa padrões em tempo linear (RE2) e não aceita %(construcao)s")
            % {"construcao": construcao}
        )

    def sequencia(self, itens: Any, ascii_: bool) -> str:
        return "".join(self.item(op, av, ascii_) for op, av in itens)

    def item(self, op: Any, av: Any, ascii_: bool) -> str:
        if op is c.LITERAL:
            return _caractere(av)
        if op is c.NOT_LITERAL:
            return f"[^{_caractere(av)}]"
        if op is c.ANY:
            return "."
        if op is c.IN:
            return self.conjunto(av, ascii_)
        if op is c.AT:
            if av not in _ANCORAS:
                raise self.recusar(_("a âncora %(av)s") % {"av": av})
            return _ANCORAS[av]
        if op is c.BRANCH:
            return "(?:" + "|".join(self.sequencia(ramo, ascii_) for ramo in av[1]) + ")"
        if op is c.SUBPATTERN:
            grupo, ligar, desligar, sub = av
            if (ligar | desligar) & c.SRE_FLAG_LOCALE:
                raise PadraoInvalido(_("a flag (?L) não é aceita"))
            if ligar & c.SRE_FLAG_ASCII:
                ascii_ = True
            elif ligar & c.SRE_FLAG_UNICODE:
                ascii_ = False
            flags = "".join(
                f
                for bit, f in ((c.SRE_FLAG_IGNORECASE, "i"), (c.SRE_FLAG_MULTILINE, "m"), (c.SRE_FLAG_DOTALL, "s"))
                if ligar & bit
            )
            sem = "".join(
                f
                for bit, f in ((c.SRE_FLAG_IGNORECASE, "i"), (c.SRE_FLAG_MULTILINE, "m"), (c.SRE_FLAG_DOTALL, "s"))
                if desligar & bit
            )
            corpo = self.sequencia(sub, ascii_)
            if flags or sem:
                corpo = f"(?{flags}{'-' + sem if sem else ''}:{corpo})"
            return f"({corpo})" if grupo is not None else f"(?:{corpo})"
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            minimo, maximo, sub = av
            if minimo > MAX_REPETICAO or (maximo is not c.MAXREPEAT and maximo > MAX_REPETICAO):
                raise PadraoInvalido(
                    _("repetição acima de %(MAX_REPETICAO)s não é aceita") % {"MAX_REPETICAO": MAX_REPETICAO}
                )
            vezes = f"{{{minimo},}}" if maximo is c.MAXREPEAT else f"{{{minimo},{maximo}}}"
            return f"(?:{self.sequencia(sub, ascii_)}){vezes}{'?' if op is c.MIN_REPEAT else ''}"
        if op in _RECUSADOS:
            raise self.recusar(_(_RECUSADOS[op]))
        if op is getattr(c, "ATOMIC_GROUP", None):
            raise self.recusar(_("grupo atômico (?>…)"))
        if op is getattr(c, "POSSESSIVE_REPEAT", None):
            raise self.recusar(_("repetição possessiva (*+, ++, ?+)"))
        raise self.recusar(_("a construção %(op)s") % {"op": op})

    def conjunto(self, itens: list, ascii_: bool) -> str:
        classes = _CLASSES_ASCII if ascii_ else _CLASSES_UNICODE
        negado = bool(itens) and itens[0][0] is c.NEGATE
        positivos: list[str] = []
        complementos: list[str] = []
        for op, av in itens[1:] if negado else itens:
            if op is c.LITERAL:
                positivos.append(_caractere(av))
            elif op is c.RANGE:
                positivos.append(f"{_caractere(av[0])}-{_caractere(av[1])}")
            elif op is c.CATEGORY and av in classes:
                positivos.append(classes[av])
            elif op is c.CATEGORY and av in _NEGADAS:
                complementos.append(classes[_NEGADAS[av]])
            else:
                raise self.recusar(f"a classe {av}")
        if not complementos:
            return f"[{'^' if negado else ''}{''.join(positivos)}]"
        if negado:
            # [^\W…] would be an intersection, which an RE2 class does not express
            raise self.recusar(_("uma classe negada com \\D, \\W ou \\S dentro ([^\\W…])"))
        partes = ([f"[{''.join(positivos)}]"] if positivos else []) + [f"[^{x}]" for x in complementos]
        return partes[0] if len(partes) == 1 else "(?:" + "|".join(partes) + ")"
