"""The token ceilings of a release and of a budget, in the database (docs/modelo.md, "Token ceilings").

A build is one internal item per vertente, each on any node of the cluster (issue 20), and a
budget's hotfixes are builds of their own: a ceiling for the whole release, or for the budget,
is a counter every one of them shares, not a process's memory. Before each call to the model
its client reserves the prompt and the most it lets the model answer with a conditional
``UPDATE … SET tokens_gastos = tokens_gastos + n WHERE tokens_gastos + n <= teto`` on the build's
row (``Construcao``) and the budget's (``Orcamento``), in one short transaction (both or
neither; always the build's row first, so two builds never wait on each other in a cycle);
after the call it settles what the call really spent. A process killed between the two leaves
its reservation counted: the ceiling errs on the side of spending less.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from fabrica.desenvolvimento.llm.cliente import Reserva
from fabrica.models import Construcao, Orcamento

# A reservation that lost a race with another node's is tried again with what is left.
_CORRIDAS = 5


class CotaNoBanco:
    """``fabrica.desenvolvimento.llm.cliente.Cota`` over the build's and the budget's counters."""

    def __init__(
        self, *, construcao_id: int, orcamento_id: int | None, tokens_release: int, tokens_orcamento: int
    ) -> None:
        self.construcao_id, self.orcamento_id = construcao_id, orcamento_id
        self.tokens_release, self.tokens_orcamento = tokens_release, tokens_orcamento

    def _livre(self) -> tuple[int, str]:
        gastos = Construcao.objects.filter(pk=self.construcao_id).values_list("tokens_gastos", flat=True).first()
        livre = self.tokens_release - (gastos or 0)
        teto = f"por release ({self.tokens_release} tokens, somadas todas as vertentes)"
        if self.orcamento_id is not None:
            do_orcamento = (
                Orcamento.objects.filter(pk=self.orcamento_id).values_list("tokens_gastos", flat=True).first()
            )
            livre_orcamento = self.tokens_orcamento - (do_orcamento or 0)
            if livre_orcamento < livre:
                livre = livre_orcamento
                teto = f"por orçamento ({self.tokens_orcamento} tokens, somadas a release e suas correções)"
        return livre, teto

    def reservar(self, desejado: int, minimo: int) -> Reserva:
        for _ in range(_CORRIDAS):
            livre, teto = self._livre()
            tokens = min(desejado, livre)
            if tokens < minimo:
                return Reserva(0, teto, max(livre, 0))
            with transaction.atomic():
                construcao = Construcao.objects.filter(
                    pk=self.construcao_id, tokens_gastos__lte=self.tokens_release - tokens
                ).update(tokens_gastos=F("tokens_gastos") + tokens)
                orcamento = self.orcamento_id is None or Orcamento.objects.filter(
                    pk=self.orcamento_id, tokens_gastos__lte=self.tokens_orcamento - tokens
                ).update(tokens_gastos=F("tokens_gastos") + tokens)
                if construcao and orcamento:
                    return Reserva(tokens, teto, livre)
                transaction.set_rollback(True)  # another node reserved meanwhile: read again
        livre, teto = self._livre()
        return Reserva(0, teto, max(livre, 0))

    def acertar(self, reservado: int, gasto: int) -> None:
        if reservado == gasto:
            return
        with transaction.atomic():
            Construcao.objects.filter(pk=self.construcao_id).update(
                tokens_gastos=F("tokens_gastos") - reservado + gasto
            )
            if self.orcamento_id is not None:
                Orcamento.objects.filter(pk=self.orcamento_id).update(
                    tokens_gastos=F("tokens_gastos") - reservado + gasto
                )
