"""A fake OpenAI-compatible chat-completions server, run as its own process by the tests and by
bench/develop.py: ``python tests/servidor_llm.py <roteiro.json> <pedidos.jsonl> <porta>``.

The scenario file (re-read on every request, so a test may change it between builds) is a list of
answers; each request takes the first answer with uses left whose ``contem`` texts all appear in
the request's messages:

    [{"contem": ["Cliente.idade"], "vezes": 1, "status": 200, "atraso_s": 0,
      "conteudo": "...", "uso": [120, 40], "cabecalhos": {"Retry-After": "0"},
      "finalizacao": "stop", "recusa": null}]

A status other than 200 answers ``{"error": {...}}`` with that status. Every request is appended
to the requests file as one JSON line (path, headers, body), so a test reads what PROMETHEUS sent.
No answer left: 500 with a sentence, so a test that asks more than its script fails visibly.
Standard library only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_TRAVA = threading.Lock()
_USADAS: dict[int, int] = {}


def _escolher(roteiro: list[dict], texto: str) -> tuple[int, dict] | None:
    for i, resposta in enumerate(roteiro):
        if _USADAS.get(i, 0) >= resposta.get("vezes", 1):
            continue
        if all(trecho in texto for trecho in resposta.get("contem", [])):
            _USADAS[i] = _USADAS.get(i, 0) + 1
            return i, resposta
    return None


class _Pedido(BaseHTTPRequestHandler):
    roteiro: Path
    pedidos: Path

    def log_message(self, formato: str, *args: object) -> None:
        return None

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        corpo = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        texto = "\n".join(str(m.get("content", "")) for m in corpo.get("messages", []))
        with _TRAVA:
            with self.pedidos.open("a", encoding="utf-8") as saida:
                registro = {
                    "caminho": self.path,
                    "cabecalhos": {k.lower(): v for k, v in self.headers.items()},
                    "corpo": corpo,
                }
                saida.write(json.dumps(registro, ensure_ascii=False) + "\n")
            escolhida = _escolher(json.loads(self.roteiro.read_text(encoding="utf-8")), texto)
        if escolhida is None:
            self._responder(500, {"error": {"message": "sem resposta roteirizada para este pedido", "type": "teste"}})
            return
        indice, resposta = escolhida
        time.sleep(resposta.get("atraso_s", 0))
        status = resposta.get("status", 200)
        if status != 200:
            erro = {"error": {"message": resposta.get("conteudo", "erro roteirizado"), "type": "teste"}}
            self._responder(status, erro, resposta.get("cabecalhos", {}))
            return
        entrada, saida = resposta.get("uso", [len(texto) // 4, len(resposta.get("conteudo", "")) // 4])
        mensagem = {"role": "assistant", "content": resposta.get("conteudo"), "refusal": resposta.get("recusa")}
        self._responder(
            200,
            {
                "id": f"roteiro-{indice}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": corpo.get("model", ""),
                "choices": [{"index": 0, "message": mensagem, "finish_reason": resposta.get("finalizacao", "stop")}],
                "usage": {"prompt_tokens": entrada, "completion_tokens": saida, "total_tokens": entrada + saida},
            },
            resposta.get("cabecalhos", {}),
        )

    def _responder(self, status: int, corpo: dict, cabecalhos: dict | None = None) -> None:
        dados = json.dumps(corpo).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(dados)))
            for nome, valor in (cabecalhos or {}).items():
                self.send_header(nome, valor)
            self.end_headers()
            self.wfile.write(dados)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing to answer


class ServidorFalso:
    """Starts this script in its own process on a free loopback port (``with ServidorFalso(pasta)
    as s``); ``s.roteirizar([...])`` sets the answers, ``s.pedidos()`` reads what was asked."""

    def __init__(self, pasta: Path) -> None:
        self.roteiro, self.arquivo_pedidos = pasta / "roteiro.json", pasta / "pedidos.jsonl"
        self.roteirizar([])
        self.arquivo_pedidos.write_text("", encoding="utf-8")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.porta = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.porta}/v1"
        self.processo: subprocess.Popen | None = None

    def roteirizar(self, respostas: list[dict]) -> None:
        self.roteiro.write_text(json.dumps(respostas, ensure_ascii=False), encoding="utf-8")

    def pedidos(self) -> list[dict]:
        texto = self.arquivo_pedidos.read_text(encoding="utf-8")
        return [json.loads(linha) for linha in texto.splitlines() if linha.strip()]

    def __enter__(self) -> ServidorFalso:
        comando = [sys.executable, __file__, str(self.roteiro), str(self.arquivo_pedidos), str(self.porta)]
        self.processo = subprocess.Popen(  # noqa: S603 - this script, by its path
            comando, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        assert self.processo.stdout is not None
        if self.processo.stdout.readline().strip() != "pronto":
            raise RuntimeError("o servidor falso não subiu")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.processo is not None:
            os.killpg(self.processo.pid, signal.SIGTERM)
            self.processo.wait(timeout=10)


def main() -> None:
    roteiro, pedidos, porta = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    _Pedido.roteiro, _Pedido.pedidos = roteiro, pedidos
    servidor = ThreadingHTTPServer(("127.0.0.1", porta), _Pedido)
    servidor.daemon_threads = True
    print("pronto", flush=True)
    servidor.serve_forever()


if __name__ == "__main__":
    main()
