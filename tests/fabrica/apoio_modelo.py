"""What the model tests share: spec_002's scaffold and the answers a model gives to it."""

from __future__ import annotations

from fabrica.desenvolvimento.base import Entrada, worker_de
from fabrica.desenvolvimento.gerador import GeradorTemplates
from tests.fabrica.gerados import casos_da_spec, spec_de_exemplo

MODELOS = "spec_002/estrutural/modelos.py"

IDADE = """\
        anos = referencia.year - self.data_nascimento.year
        if (referencia.month, referencia.day) < (self.data_nascimento.month, self.data_nascimento.day):
            anos -= 1
        return anos
"""
# A bug a model makes: years as a fraction (a float where the spec says int).
IDADE_COM_BUG = """\
        return (referencia - self.data_nascimento).days / 365.25  # type: ignore[return-value]
"""
ANALISAR = """\
        idade = cliente.idade(referencia)
        renda = cliente.renda_mensal
        if idade < 18:
            risco, limite = "recusado", 0
        elif cliente.restricao_cadastral:
            risco, limite = "alto", 0
        elif idade > 70:
            risco, limite = "medio", 1000
        elif renda < 2000:
            risco, limite = "medio", 500
        elif renda <= 8000:
            risco, limite = "baixo", 3000
        else:
            risco, limite = "baixo", 10000
        parcelas = 1 if risco in ("recusado", "alto") else 6 if risco == "medio" else 12
        analise = AnaliseCredito(
            cpf=cliente.cpf,
            risco=risco,
            limite=_decimal.Decimal(limite),
            parcelas=parcelas,
            analisada_em=referencia,
        )
        ANALISES.append(analise)
        return analise
"""
GRAVADAS = """\
# Toda análise é gravada, inclusive as recusadas.
ANALISES: list[AnaliseCredito] = []


class AnalisadorCredito:
"""


def _pendente(modelos: str, metodo: str) -> str:
    """The ``raise NotImplementedError(...)`` of a method, as the scaffold has it."""
    inicio = modelos.index(f'"{metodo} precisa de uma implementação')
    comeco = modelos.rindex("        raise NotImplementedError(\n", 0, inicio)
    fim = modelos.index("        )\n", inicio) + len("        )\n")
    return modelos[comeco:fim]


def bloco(caminho: str, busca: str, troca: str) -> str:
    return f"{caminho}\n<<<<<<< SEARCH\n{busca.rstrip(chr(10))}\n=======\n{troca.rstrip(chr(10))}\n>>>>>>> REPLACE\n"


def implementacao(modelos: str, idade: str = IDADE) -> str:
    """A model's whole answer implementing spec_002's natural-language methods."""
    return "\n".join(
        [
            "Implementei os dois métodos.\n",
            bloco(MODELOS, _pendente(modelos, "Cliente.idade"), idade),
            bloco(MODELOS, _pendente(modelos, "AnalisadorCredito.analisar"), ANALISAR),
            bloco(MODELOS, "\n\nclass AnalisadorCredito:\n", "\n\n" + GRAVADAS),
        ]
    )


def andaime(spec: dict) -> str:
    """The scaffold the deterministic E worker writes: the model's edits are made against it."""
    entrada = Entrada(spec=spec, casos=casos_da_spec(spec), pacote="spec_002", gerador=GeradorTemplates())
    (artefato,) = [a for a in worker_de("E").produzir(entrada).codigo if a.caminho == MODELOS]
    return artefato.conteudo


def spec_002() -> dict:
    return spec_de_exemplo("spec_002")
