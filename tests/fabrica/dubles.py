"""Test doubles of vertente workers (never registered in the app): they generate a tiny package
and one parametrized test per case, honestly asserting an outcome derived from the case.

``modo`` picks what the generated code does: ``ok`` (passes), ``falha`` (a bug: the tests fail
and no deterministic repair applies), ``tab`` (Python with mixed tabs: the corrector normalises
it), ``nao_implementado`` (raises NotImplementedError: needs an implementation), ``laco`` (an
infinite loop: the per-test timeout ends each test), ``template`` (rendered through the
generator from ``<vertente>/regras.py.j2``, so a spec repository can override it).
"""

from __future__ import annotations

import json

from fabrica.desenvolvimento.base import Artefato, Entrada, NaoTestavel, Worker

CORPOS = {
    "ok": "def chaves(dado):\n    return sorted(dado)\n",
    "falha": "def chaves(dado):\n    return sorted(dado)[1:]\n",
    "tab": "def chaves(dado):\n\tif dado:\n        return sorted(dado)\n\treturn []\n",
    "nao_implementado": (
        "def chaves(dado):\n    raise NotImplementedError('chaves: descrito só em linguagem natural')\n"
    ),
    "laco": "def chaves(dado):\n    while True:\n        pass\n",
}


class WorkerDeTeste(Worker):
    vertente = "E"
    secao = "spec_poo"
    modo = "ok"
    ignorar: tuple[str, ...] = ()  # case names declared untestable
    esquecer: tuple[str, ...] = ()  # case names silently left without a test

    def _corpo(self, entrada: Entrada) -> str:
        if self.modo == "template":
            return entrada.gerador.gerar(self.vertente, "regras.py.j2", {"funcao": "chaves"})
        return CORPOS[self.modo]

    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]:
        base = f"{entrada.pacote}/{self.nome}"
        return [
            Artefato(f"{base}/__init__.py", self.vertente, "codigo", ""),
            Artefato(f"{base}/regras.py", self.vertente, "codigo", self._corpo(entrada)),
        ]

    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]:
        casos = [c for c in entrada.casos if c.nome not in self.ignorar and c.nome not in self.esquecer]
        dados = json.dumps({c.nome: c.dado for c in casos}, ensure_ascii=False)
        teste = (
            "import json\n\nimport pytest\n\n"
            f"from {entrada.pacote}.{self.nome}.regras import chaves\n\n"
            f"CASOS = json.loads({dados!r})\n\n\n"
            "@pytest.mark.parametrize('nome', list(CASOS), ids=list(CASOS))\n"
            "def test_chaves(nome):\n"
            "    assert chaves(CASOS[nome]) == sorted(CASOS[nome])\n"
        )
        nao = [NaoTestavel(c, "o dublê não testa este caso") for c in self.ignorar]
        return [Artefato(f"tests/test_{self.nome}_regras.py", self.vertente, "teste", teste)], nao

    def pendencias(self, entrada: Entrada) -> list[str]:
        return ["chaves: descrito só em linguagem natural"] if self.modo == "nao_implementado" else []


def worker(vertente: str, modo: str = "ok", **extra) -> type[WorkerDeTeste]:
    """A double for one vertente (its section and name follow the vertente)."""
    secoes = {"E": "spec_poo", "P": "spec_bpmn", "D": "spec_dmn", "I": "spec_interface", "C": "spec_integracao"}
    return type(
        f"Duble{vertente}_{modo}",
        (WorkerDeTeste,),
        {"vertente": vertente, "secao": secoes[vertente], "modo": modo, **extra},
    )
