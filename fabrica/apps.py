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
        from fabrica.desenvolvimento import workers
        from fabrica.desenvolvimento.services import processar_corrigir, processar_desenvolvimento
        from fabrica.implantacao import alvos
        from fabrica.implantacao import caixa as caixa_implantacao
        from fabrica.implantacao.services import processar_implantar
        from fabrica.precificacao.services import processar_orcar
        from fabrica.releases import caixa as caixa_de_releases

        contratos.registrar()
        caixa.registrar(caixa.ORCAMENTO)
        consumidor.registrar_handler("orcar_spec", processar_orcar)
        consumidor.registrar_handler("desenvolvimento", processar_desenvolvimento)
        consumidor.registrar_handler("corrigir_bug", processar_corrigir)
        caixa_de_releases.registrar()
        alvos.registrar_padrao()
        caixa.registrar(caixa_implantacao.VALIDAR_IMPLANTACAO)
        consumidor.registrar_handler("implantar", processar_implantar)
        registrar_ouvinte(consumidor.HANDLERS, tasks.despachar)
        workers.registrar_todos()
