"""The five vertentes, in the seed's order, and the size of a spec measured by each of them."""

from __future__ import annotations

from fabrica.specs.formato import decisional, estrutural, integracao, interface, processual
from fabrica.specs.formato.comum import Vertente

POR_CODIGO: dict[str, Vertente] = {
    m.VERTENTE.codigo: m.VERTENTE for m in (estrutural, processual, decisional, interface, integracao)
}
VERTENTES = tuple(POR_CODIGO)  # ("E", "P", "D", "I", "C")
SECAO_DA_VERTENTE = {codigo: v.secao for codigo, v in POR_CODIGO.items()}


def tamanho_por_vertente(spec: dict) -> dict[str, dict[str, int]]:
    """Medidas de tamanho de cada vertente da spec (só as vertentes listadas), p.ex.
    ``{"E": {"classes": 2, "atributos": 8, "metodos": 3}, "D": {"regras": 4, "entradas": 3, "saidas": 2}}``.

    Cada vertente diz o que conta (``medir`` do seu módulo): E → classes, atributos, metodos ·
    P → tarefas, gateways, fluxos (somados nos processos) · D → regras, entradas, saidas
    (somados nas decisões) · I → telas, campos, acoes · C → conectores, endpoints. Espera uma
    spec válida (``validar_spec`` sem erros). Os pesos de cada medida são da precificação
    (``fabrica.precificacao.modelo.unidades``).
    """
    return {v: POR_CODIGO[v].medir(spec.get(POR_CODIGO[v].secao, {})) for v in spec["vertentes"]}
