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
    """Size measures of each vertente of the spec (only the vertentes it lists), e.g.
    ``{"E": {"classes": 2, "atributos": 8, "metodos": 3}, "D": {"regras": 4, "entradas": 3, "saidas": 2}}``.

    Each vertente says what it counts (its module's ``medir``): E → classes, atributos, metodos ·
    P → tarefas, gateways, fluxos (summed over the processes) · D → regras, entradas, saidas
    (summed over the decisions) · I → telas, campos, acoes · C → conectores, endpoints. Expects a
    valid spec (``validar_spec`` without errors). The weight of each measure belongs to pricing
    (``fabrica.precificacao.modelo.unidades``).
    """
    return {v: POR_CODIGO[v].medir(spec.get(POR_CODIGO[v].secao, {})) for v in spec["vertentes"]}
