from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FabricaConfig(AppConfig):
    name = "fabrica"
    verbose_name = _("Fábrica PROMETHEUS")

    def ready(self) -> None:
        # The broker knows item types only as the schemas and listeners its users register
        # (DESIGN §2): fabrica registers the seed's payloads and its handlers (each handler
        # brings its dispatch listener) here.
        from fabrica import consumidor, contratos
        from fabrica.decisoes import caixa
        from fabrica.desenvolvimento import workers
        from fabrica.precificacao.services import processar_orcar

        contratos.registrar()
        caixa.registrar(caixa.ORCAMENTO)
        consumidor.registrar_handler("orcar_spec", processar_orcar)
        workers.registrar_todos()
