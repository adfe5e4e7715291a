from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FabricaConfig(AppConfig):
    name = "fabrica"
    verbose_name = _("Fábrica PROMETHEUS")

    def ready(self) -> None:
        # The broker knows item types only as the schemas its users register (DESIGN §2).
        from fabrica import contratos

        contratos.registrar()
