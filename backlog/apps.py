from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BacklogConfig(AppConfig):
    name = "backlog"
    verbose_name = "MS_Backlog"

    def ready(self) -> None:
        from backlog import palavras
        from backlog.views import pode_ver_quadro
        from prometheus_site.navegacao import Lugar, registrar, registrar_acesso

        palavras.registrar()
        registrar(Lugar("backlog", _("Backlog"), "backlog-quadro", pode_ver_quadro, ordem=30))
        registrar_acesso("backlog-item", pode_ver_quadro)
