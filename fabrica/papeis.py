"""The roles of PROMETHEUS as Django groups, and the permissions each one holds.

- Sistema: other systems speaking the MS_Backlog contract over REST (token auth).
- Administrador: capacities, environments, the backlog itself (Django admin).
- PO: the Product Owner deciding budgets, releases and deployments in the browser.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

PAPEIS: dict[str, list[str]] = {
    "Sistema": [
        "backlog.operar_backlog",
        "backlog.view_item",
        "backlog.view_evento",
        "fabrica.view_spec",
        "fabrica.add_spec",
        "fabrica.view_capacidade",
        "fabrica.view_orcamento",
        "fabrica.view_modeloprecificacao",
        "fabrica.view_release",
        "fabrica.view_ambiente",
        "fabrica.view_implantacao",
    ],
    "Administrador": [
        "backlog.*",
        "fabrica.*",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "authtoken.view_tokenproxy",
        "authtoken.add_tokenproxy",
        "authtoken.delete_tokenproxy",
    ],
    "PO": [
        "backlog.view_item",
        "backlog.view_evento",
        "fabrica.view_spec",
        "fabrica.view_capacidade",
        "fabrica.view_orcamento",
        "fabrica.view_modeloprecificacao",
        "fabrica.decidir_orcamento",
        "fabrica.view_release",
        "fabrica.decidir_release",
        "fabrica.solicitar_orcamento",
        "fabrica.view_ambiente",
        "fabrica.view_implantacao",
        "fabrica.decidir_implantacao",
        "fabrica.ver_metricas",
    ],
}


def sincronizar_papeis(apps) -> None:
    """Creates the groups and grants their permissions; idempotent (run by a migration)."""
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for nome, perms in PAPEIS.items():
        grupo, _ = Group.objects.get_or_create(name=nome)
        for perm in perms:
            app, codename = perm.split(".")
            qs = Permission.objects.filter(content_type__app_label=app)
            if codename != "*":
                qs = qs.filter(codename=codename)
            else:
                # Decisions belong to the PO: an admin manages the factory, not its approvals.
                qs = qs.exclude(codename__startswith="decidir_")
            grupo.permissions.add(*qs)


def exigir(request: HttpRequest, *perms: str) -> None:
    """Pages are for roles: anyone lacking one of these permissions gets 403."""
    if not all(request.user.has_perm(p) for p in perms):
        raise PermissionDenied
