from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FabricaConfig(AppConfig):
    name = "fabrica"
    verbose_name = _("Fábrica PROMETHEUS")

    def ready(self) -> None:
        # The broker knows item types only as the schemas and listeners its users register
        # (DESIGN §2): fabrica registers the seed's payloads and its handlers here.
        from backlog.tipos import registrar_ouvinte
        from fabrica import consumidor, contratos, tasks
        from fabrica.decisoes import caixa
        from fabrica.desenvolvimento.base import registrar_worker
        from fabrica.desenvolvimento.workers.decisional import WorkerDecisional
        from fabrica.desenvolvimento.workers.estrutural import WorkerEstrutural
        from fabrica.desenvolvimento.workers.processual import WorkerProcessual
        from fabrica.precificacao.services import processar_orcar

        contratos.registrar()
        caixa.registrar(caixa.ORCAMENTO)
        registrar_worker(WorkerProcessual)
        registrar_worker(WorkerDecisional)
        consumidor.registrar_handler("orcar_spec", processar_orcar)
        registrar_ouvinte(consumidor.HANDLERS, tasks.despachar)
        registrar_worker(WorkerEstrutural)
