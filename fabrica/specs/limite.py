"""Validating one spec inside a ceiling of time and memory.

Every step of the validation is bounded by itself (patterns in RE2, capped texts and numbers, no
YAML aliases, nesting up to ``MAX_ANINHAMENTO``); this is the wall behind those bounds, for what
nobody foresaw. The validation runs in a child forked from the process that asked for it (the
web worker, a command), with an address-space limit (``RLIMIT_AS``) and a deadline after which the
parent kills it. The child only parses and validates: it touches no database connection, no file
and no socket of the parent, and leaves with ``os._exit`` (no atexit handler, no buffer flushed
twice). Hitting the ceiling refuses the spec with a sentence that says so (``SpecInvalida``,
a 400 in the API).

A fork copies only the calling thread: were another thread of a gunicorn worker holding a lock
the validation needs at that instant, the child would wait on it until the deadline and the spec
would be refused as too slow, never hang the request.
"""

from __future__ import annotations

import logging
import os
import pickle  # noqa: S403 — only between this process and the child it forked, never from outside
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext

from fabrica.specs.formato import ErroCampo, SpecInvalida, carregar_spec, validar_spec

TEMPO_S = 10.0  # a real spec validates in milliseconds
MEMORIA_MB = 512  # above what the process already takes when the validation starts

log = logging.getLogger(__name__)

_OK, _ERRO, _MEMORIA, _RECURSAO, _FALHA = b"O", b"E", b"M", b"R", b"F"


def carregar_spec_limitada(texto: str) -> dict:
    """``carregar_spec`` within the ceiling: the spec's dictionary, or ``SpecInvalida``."""
    return _no_filho(carregar_spec, texto)


def validar_spec_limitada(dados: object) -> list[ErroCampo]:
    """``validar_spec`` within the ceiling; the ceiling itself comes back as one more error."""
    try:
        return _no_filho(validar_spec, dados)
    except SpecInvalida as exc:
        return exc.erros


def _acima_do_teto(o_que: str) -> SpecInvalida:
    return SpecInvalida(
        [
            ErroCampo(
                "",
                gettext(
                    "a validação desta spec passou do limite de %(o_que)s (limites: %(s)s s e %(mb)s MB por spec); "
                    "divida-a em specs menores ou simplifique padrões e expressões"
                )
                % {"o_que": o_que, "s": f"{TEMPO_S:g}", "mb": MEMORIA_MB},
            )
        ]
    )


class LimiteExcedido(Exception):
    """The child passed its ceiling: ``recurso`` is ``"tempo"`` or ``"memória"``."""

    def __init__(self, recurso: str) -> None:
        super().__init__(recurso)
        self.recurso = recurso


def executar_limitado(funcao: Callable[[Any], Any], argumento: object, *, tempo_s: float, memoria_mb: int) -> Any:
    """``funcao(argumento)`` in a forked child with ``memoria_mb`` more address space than it
    inherits and ``tempo_s`` seconds: its result (pickled back), the exception it raised (pickled
    back, or ``RuntimeError`` with its text when it does not pickle), ``RecursionError``, or
    ``LimiteExcedido``. The function and its argument reach the child by the fork, unpickled."""
    leitura, escrita = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover — runs in the child, which leaves with os._exit
        os.close(leitura)
        _filho(funcao, argumento, escrita, memoria_mb)
    os.close(escrita)
    recebido: bytes | None = None
    try:
        recebido = _ler_ate(leitura, time.monotonic() + tempo_s)
    finally:
        os.close(leitura)
        if recebido is None:
            _matar(pid)
        _esperar(pid)
    if recebido is None:
        raise LimiteExcedido("tempo")
    marca, corpo = recebido[:1], recebido[1:]
    if marca == _OK:
        return pickle.loads(corpo)  # noqa: S301 — written by our own child, above
    if marca == _ERRO:
        raise pickle.loads(corpo)  # noqa: S301
    if marca == _RECURSAO:
        raise RecursionError("aninhamento acima do limite de recursão")
    if marca == _FALHA:
        raise RuntimeError(corpo.decode(errors="replace"))
    # _MEMORIA, or a child that died without a word (a C library that aborts when memory runs out)
    raise LimiteExcedido("memória")


def _no_filho(funcao: Callable[[Any], Any], argumento: object) -> Any:
    try:
        return executar_limitado(funcao, argumento, tempo_s=TEMPO_S, memoria_mb=MEMORIA_MB)
    except LimiteExcedido as exc:
        raise _acima_do_teto(f"{TEMPO_S:g} s" if exc.recurso == "tempo" else f"{MEMORIA_MB} MB") from None
    except RecursionError:
        raise SpecInvalida([ErroCampo("", gettext("a spec é aninhada demais para ser validada"))]) from None
    except SpecInvalida:
        raise
    except Exception as exc:  # a defect of the validation, told as it is rather than as a limit
        motivo = f"{type(exc).__name__}: {exc}"
        log.error("A validação de uma spec falhou no processo filho: %s", motivo)
        raise SpecInvalida(
            [ErroCampo("", gettext("a spec não pôde ser validada: %(motivo)s") % {"motivo": motivo})]
        ) from None


def _filho(funcao: Callable[[Any], Any], argumento: object, escrita: int, memoria_mb: int) -> None:  # pragma: no cover
    codigo = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _limitar_memoria(memoria_mb)
        try:
            saida = _OK + pickle.dumps(funcao(argumento), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            saida = _MEMORIA
        except RecursionError:
            saida = _RECURSAO
        except Exception as exc:  # noqa: BLE001 — sent to the parent, never raised in the copy
            try:
                saida = _ERRO + pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.loads(saida[1:])  # noqa: S301 — an exception that pickles but does not load
            except Exception:  # noqa: BLE001
                saida = _FALHA + f"{type(exc).__name__}: {exc}"[:500].encode()
        with os.fdopen(escrita, "wb") as saida_do_filho:
            saida_do_filho.write(saida)
    except BaseException:  # noqa: BLE001 — nothing may escape into the copy of the parent's stack
        codigo = 1
    finally:
        os._exit(codigo)


def _limitar_memoria(memoria_mb: int) -> None:  # pragma: no cover — in the child
    """The child may grow ``memoria_mb`` beyond what it inherited (the parent's address space,
    thread stacks and arenas included)."""
    with open("/proc/self/status", encoding="ascii") as status:
        vm_kb = next((int(linha.split()[1]) for linha in status if linha.startswith("VmSize:")), 0)
    limite = vm_kb * 1024 + memoria_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limite, limite))


def _ler_ate(fd: int, prazo: float) -> bytes | None:
    """Everything the child writes, or None when the deadline comes first."""
    partes: list[bytes] = []
    while True:
        restante = prazo - time.monotonic()
        if restante <= 0:
            return None
        prontos, _, _ = select.select([fd], [], [], restante)
        if not prontos:
            return None
        bloco = os.read(fd, 1 << 16)
        if not bloco:
            return b"".join(partes)
        partes.append(bloco)


def _matar(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _esperar(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped (a SIGCHLD handler set to SIG_IGN)
        pass
