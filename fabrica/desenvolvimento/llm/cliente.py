"""One conversation with a model over the OpenAI-compatible chat-completions API (docs/modelo.md).

Through the maintained ``openai`` client with its ``base_url`` (Ollama, vLLM, llama.cpp's server
and hosted providers speak it). The client's own retries are off (``max_retries=0``): its loop
has no ceiling on total time, so the retries are ours — 408, 429, 5xx, a timeout or a refused
connection are tried again after an exponential backoff with jitter (or the server's
``Retry-After``), at most ``tentativas`` times and never past ``tempo_total_s`` for the call.

Nothing here raises for what the service does: every outcome is a ``Chamada`` whose ``falha``
says why it gave no answer (timeout, 429/5xx past the retries, refusal, the token ceiling). The
key is held by the client only; ``repr`` of the configuration hides it and no record carries it.
Pure Python: no Django.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import openai

# The client's backoff (openai._base_client: 0.5 s doubling, capped at 8 s), with our ceiling.
ESPERA_INICIAL_S = 0.5
ESPERA_MAXIMA_S = 8.0
RETRY_AFTER_MAXIMO_S = 60.0
# Fewer tokens than this left for the answer: the call is not made (it could not hold an edit).
RESPOSTA_MINIMA = 256
_POR_MILHAO = Decimal(1_000_000)
# How a call refused by a token ceiling begins its reason (the release page finds them by it).
TETO_ATINGIDO = "Teto de tokens"


@dataclass(frozen=True)
class ConfigModelo:
    """``PROMETHEUS_LLM_*`` (prometheus_site/settings.py), read once by the settings."""

    url: str
    modelo: str
    chave: str = field(default="", repr=False)
    timeout_s: float = 120.0
    tentativas: int = 3  # retries after the first request
    tempo_total_s: float = 600.0  # one call, retries and waits included
    tokens_release: int = 200_000
    tokens_orcamento: int = 1_000_000
    max_resposta: int = 4096
    gerar: tuple[str, ...] = ("E",)  # vertentes whose natural-language methods the model implements
    corrigir: tuple[str, ...] = ("E", "P", "D", "I", "C")  # vertentes whose corrections it makes
    preco_entrada: Decimal = Decimal(0)  # per million tokens
    preco_saida: Decimal = Decimal(0)

    def custo(self, entrada: int, saida: int) -> Decimal:
        return (self.preco_entrada * entrada + self.preco_saida * saida) / _POR_MILHAO


@dataclass
class Chamada:
    """One call: what was sent, what came back, what it cost. ``falha`` is empty when it answered."""

    prompt: list[dict[str, str]]
    resposta: str = ""
    tokens_entrada: int = 0
    tokens_saida: int = 0
    custo: Decimal = Decimal(0)
    duracao_s: float = 0.0
    pedidos: int = 0  # HTTP requests made (1 + retries)
    falha: str = ""
    tokens_estimados: bool = False  # the server gave no usage: estimated from the text
    max_tokens: int = 0  # the answer's ceiling asked for
    finalizacao: str = ""  # the server's finish_reason ("length": cut at max_tokens)

    def como_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "resposta": self.resposta,
            "tokens_entrada": self.tokens_entrada,
            "tokens_saida": self.tokens_saida,
            "tokens_estimados": self.tokens_estimados,
            "custo": str(self.custo),
            "duracao_s": round(self.duracao_s, 4),
            "pedidos": self.pedidos,
            "max_tokens": self.max_tokens,
            "finalizacao": self.finalizacao,
            "falha": self.falha,
        }


def estimar_tokens(texto: str) -> int:
    """A conservative count (about 3 characters a token for code and Portuguese)."""
    return len(texto) // 3 + 1


class _Falha(Exception):
    def __init__(self, motivo: str, *, repetir: bool, espera: float | None = None) -> None:
        super().__init__(motivo)
        self.motivo, self.repetir, self.espera = motivo, repetir, espera


@dataclass(frozen=True)
class Reserva:
    """What a ceiling granted: ``tokens`` (0 = refused), the ceiling that binds, what was left."""

    tokens: int
    teto: str
    restante: int


class Cota(Protocol):
    """The token ceilings a call is made within. Before each call the client reserves the prompt
    and the most it lets the model answer; after it, it settles what the call really spent. In
    the database (``fabrica.desenvolvimento.tetos``) the counters are shared by every vertente of
    a release and every release of a budget, whatever process or node builds them."""

    def reservar(self, desejado: int, minimo: int) -> Reserva: ...

    def acertar(self, reservado: int, gasto: int) -> None: ...


class CotaLocal:
    """The ceilings in this process's memory (one build's client; the tests and the bench):
    ``gasto_orcamento`` is what the budget had spent before."""

    def __init__(self, tokens_release: int, tokens_orcamento: int, gasto_orcamento: int = 0) -> None:
        self.tokens_release, self.tokens_orcamento = tokens_release, tokens_orcamento
        self.gasto_orcamento = gasto_orcamento
        self.gastos = 0  # reserved or spent by this build

    def restante(self) -> tuple[int, str]:
        por_release = self.tokens_release - self.gastos
        por_orcamento = self.tokens_orcamento - self.gasto_orcamento - self.gastos
        if por_orcamento < por_release:
            return por_orcamento, f"por orçamento ({self.tokens_orcamento} tokens)"
        return por_release, f"por release ({self.tokens_release} tokens)"

    def reservar(self, desejado: int, minimo: int) -> Reserva:
        restante, teto = self.restante()
        tokens = min(desejado, restante)
        if tokens < minimo:
            return Reserva(0, teto, max(restante, 0))
        self.gastos += tokens
        return Reserva(tokens, teto, restante)

    def acertar(self, reservado: int, gasto: int) -> None:
        self.gastos += gasto - reservado


class ClienteModelo:
    """The model of one build: its calls are made within the ceilings of its ``cota`` (by
    default in this process's memory: the build's ceiling, and the budget's less
    ``gasto_orcamento``, what its earlier releases spent)."""

    def __init__(
        self,
        config: ConfigModelo,
        *,
        gasto_orcamento: int = 0,
        cota: Cota | None = None,
        dormir: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.cota: Cota = cota or CotaLocal(config.tokens_release, config.tokens_orcamento, gasto_orcamento)
        self.tokens = 0  # spent by this client, in and out
        self.dormir = dormir
        self._cliente = openai.OpenAI(
            base_url=config.url,
            # A local server takes any key; the client refuses to start without one.
            api_key=config.chave or "sem-chave",
            max_retries=0,
            timeout=config.timeout_s,
        )

    def __repr__(self) -> str:
        return f"ClienteModelo(modelo={self.config.modelo!r}, url={self.config.url!r})"

    @property
    def nome(self) -> str:
        return self.config.modelo

    def conversar(self, sistema: str, usuario: str) -> Chamada:
        mensagens = [{"role": "system", "content": sistema}, {"role": "user", "content": usuario}]
        chamada = Chamada(prompt=mensagens)
        inicio = time.monotonic()
        try:
            self._conversar(chamada)
        except _Falha as exc:
            chamada.falha = exc.motivo
        chamada.duracao_s = time.monotonic() - inicio
        return chamada

    def _conversar(self, chamada: Chamada) -> None:
        estimativa = sum(estimar_tokens(m["content"]) for m in chamada.prompt)
        # The least worth asking for: never more than the answer's own ceiling (a smaller one asks that).
        minima = min(RESPOSTA_MINIMA, self.config.max_resposta)
        reserva = self.cota.reservar(estimativa + self.config.max_resposta, estimativa + minima)
        if not reserva.tokens:
            raise _Falha(
                f"{TETO_ATINGIDO} {reserva.teto} atingido: restam {reserva.restante}, e o pedido precisaria de "
                f"cerca de {estimativa} mais {minima} para a resposta. O modelo não foi chamado.",
                repetir=False,
            )
        try:
            self._pedir(chamada, reserva.tokens - estimativa)
        finally:  # what the call really spent (nothing, when the service gave no answer)
            self.cota.acertar(reserva.tokens, chamada.tokens_entrada + chamada.tokens_saida)

    def _pedir(self, chamada: Chamada, max_resposta: int) -> None:
        chamada.max_tokens = max_resposta
        inicio = time.monotonic()
        for n in range(self.config.tentativas + 1):
            sobra = self.config.tempo_total_s - (time.monotonic() - inicio)
            try:
                chamada.pedidos += 1
                resposta = self._cliente.chat.completions.create(
                    model=self.config.modelo,
                    messages=chamada.prompt,  # type: ignore[arg-type]  # plain dicts of the wire format
                    max_tokens=max_resposta,
                    temperature=0,
                    timeout=max(min(self.config.timeout_s, sobra), 0.1),
                )
                self._ler(chamada, resposta)
                return
            except _Falha:
                raise
            except Exception as exc:  # noqa: BLE001 - every error of the service becomes a reason
                falha = _classificar(exc, self.config.timeout_s)
            sobra = self.config.tempo_total_s - (time.monotonic() - inicio)
            if not falha.repetir or n == self.config.tentativas:
                depois = f" depois de {chamada.pedidos} pedidos" if chamada.pedidos > 1 else ""
                raise _Falha(falha.motivo + depois + ".", repetir=False)
            espera = falha.espera if falha.espera is not None else _recuo(n)
            if espera >= sobra:
                raise _Falha(
                    f"{falha.motivo}; a próxima tentativa passaria do tempo total de "
                    f"{self.config.tempo_total_s:g} s por chamada ({chamada.pedidos} pedidos feitos).",
                    repetir=False,
                )
            self.dormir(espera)

    def _ler(self, chamada: Chamada, resposta: Any) -> None:
        uso = getattr(resposta, "usage", None)
        escolha = resposta.choices[0] if resposta.choices else None
        mensagem = escolha.message if escolha else None
        texto = (mensagem.content if mensagem else None) or ""
        if uso is not None and uso.prompt_tokens is not None:
            chamada.tokens_entrada, chamada.tokens_saida = uso.prompt_tokens, uso.completion_tokens or 0
        else:
            chamada.tokens_estimados = True
            chamada.tokens_entrada = sum(estimar_tokens(m["content"]) for m in chamada.prompt)
            chamada.tokens_saida = estimar_tokens(texto)
        self.tokens += chamada.tokens_entrada + chamada.tokens_saida
        chamada.custo = self.config.custo(chamada.tokens_entrada, chamada.tokens_saida)
        chamada.resposta = texto
        chamada.finalizacao = str(getattr(escolha, "finish_reason", "") or "")
        recusa = getattr(mensagem, "refusal", None) if mensagem else None
        if recusa or (escolha is not None and escolha.finish_reason == "content_filter"):
            raise _Falha(f"O modelo recusou o pedido: {recusa or 'filtro de conteúdo do serviço'}.", repetir=False)
        if not texto.strip():
            raise _Falha("O modelo respondeu sem texto.", repetir=False)


def _recuo(n: int) -> float:
    base = min(ESPERA_INICIAL_S * 2.0**n, ESPERA_MAXIMA_S)
    return base * (1 - 0.25 * random.random())  # noqa: S311 - jitter, not a secret


def _classificar(exc: Exception, timeout_s: float) -> _Falha:
    if isinstance(exc, openai.APITimeoutError):
        return _Falha(f"O serviço do modelo não respondeu em {timeout_s:g} s", repetir=True)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        mensagem = str(getattr(exc, "message", "") or "")[:300]
        repetir = status in (408, 429) or status >= 500
        espera = _retry_after(exc.response.headers) if repetir else None
        return _Falha(f"O serviço do modelo respondeu {status}: {mensagem}", repetir=repetir, espera=espera)
    if isinstance(exc, openai.APIConnectionError):
        return _Falha("Não foi possível conectar ao serviço do modelo", repetir=True)
    return _Falha(f"Erro ao chamar o modelo: {type(exc).__name__}: {str(exc)[:300]}", repetir=False)


def _retry_after(cabecalhos: Any) -> float | None:
    for nome, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        valor = cabecalhos.get(nome)
        if valor is None:
            continue
        try:
            return min(max(float(valor) / divisor, 0.0), RETRY_AFTER_MAXIMO_S)
        except ValueError:
            return None  # an HTTP date: our own backoff
    return None
