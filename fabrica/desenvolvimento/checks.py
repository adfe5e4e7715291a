"""Said at start (``manage.py migrate``/``check``, so ``make run`` shows it): the sandbox's isolation
when it is weaker than bubblewrap, or when the configured one cannot run here (docs/sandbox.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def isolamento_do_sandbox(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from fabrica.desenvolvimento import sandbox

    configurado = settings.PROMETHEUS_SANDBOX_ISOLAMENTO
    try:
        sandbox.escolher_isolamento(configurado)
    except sandbox.ErroSandbox as exc:
        # A warning, not an error: the app still starts (the PO decides, deployments run); every
        # build is refused until the isolation is there.
        return [
            checks.Warning(
                f"{exc} Toda construção será recusada.",
                hint=f"Instale com: {sandbox.INSTALAR_BWRAP}.",
                id="fabrica.W102",
            )
        ]
    aviso = sandbox.aviso_de_isolamento(configurado)
    return [checks.Warning(aviso, id="fabrica.W101")] if aviso else []
