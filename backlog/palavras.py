"""The words pages show for the broker's values (``prometheus_site.vocabulario``): item
statuses, from their ``TextChoices`` labels, and the events of the audit trail."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from backlog.models import Status
from prometheus_site import vocabulario
from prometheus_site.vocabulario import Palavra

TONS_STATUS: dict[str, str] = {
    Status.PENDENTE: "info",
    Status.BLOQUEADO: "espera",
    Status.EM_PROCESSAMENTO: "info",
    Status.CONCLUIDO: "ok",
    Status.FALHA: "perigo",
    Status.CANCELADO: "neutro",
}

EVENTOS = {
    "produzido": Palavra(_("criado"), "info"),
    "consumido": Palavra(_("assumido por um consumidor"), "info"),
    "concluido": Palavra(_("concluído"), "ok"),
    "resolvido": Palavra(_("resolvido"), "ok"),
    "desbloqueio": Palavra(_("desbloqueado"), "ok"),
    "falha": Palavra(_("falhou"), "perigo"),
    "anotado": Palavra(_("contexto completado"), "neutro"),
    "cancelado": Palavra(_("cancelado"), "neutro"),
    "reenfileirado": Palavra(_("devolvido à fila"), "info"),
    "lease_expirado": Palavra(_("consumidor sem resposta: devolvido à fila"), "alerta"),
}


# The sentences the broker stores in an item's ``erro`` (``backlog.services``), read with ``|log``.
FRASES = {
    r"Lease de (?P<consumidor>.+) expirou\.": _("Lease de %(consumidor)s expirou."),
}


def registrar() -> None:
    vocabulario.registrar_escolhas("item", Status, TONS_STATUS)
    vocabulario.registrar("evento", EVENTOS)
    vocabulario.registrar_frases(FRASES)
