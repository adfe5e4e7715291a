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


# Who may produce (P), consume (C) and conclude (F) each item type through a request (the REST
# API), by role; ``backlog.models.RegraAcesso`` holds them and an admin edits them. PROMETHEUS's
# own types (the budget, the development, the release, the deployment and their decisions) have
# a rule that grants nothing: only PROMETHEUS's services and the PO's decision services, in
# PROMETHEUS's own process, produce and conclude them. An MS_Produto deciding over the broker is
# a role an admin grants explicitly (its conclusion goes through the decision service).
# ``*`` covers the types PROMETHEUS does not know: other systems share the broker.
REGRAS_DE_ACESSO: dict[str, tuple[str, dict[str, str]]] = {
    "*": ("Tipos que PROMETHEUS não conhece (outros sistemas)", {"Sistema": "PCF", "Administrador": "PCF"}),
    "orcar_spec": ("Epistemologia pede o orçamento de uma spec", {"Sistema": "P", "Administrador": "P"}),
    "corrigir_bug": ("MS_Produto relata um bug", {"Sistema": "P", "Administrador": "P"}),
    "entrevistar_dor": ("GENESIS resolve um gap", {"Sistema": "CF", "Administrador": "CF"}),
    "ajustar_spec": ("Epistemologia ajusta a spec devolvida pelo PO", {"Sistema": "CF", "Administrador": "CF"}),
    "avaliar_efetividade": ("MS_Produto avalia a implantação validada", {"Sistema": "CF", "Administrador": "CF"}),
    "desenvolvimento": ("Reservado: produzido pela aprovação do orçamento", {}),
    "implantar": ("Reservado: produzido pela aprovação da release ou pela reversão", {}),
    "aprovar_orcamento": ("Reservado: decisão do PO (ou de um papel concedido)", {}),
    "aprovar_release": ("Reservado: decisão do PO (ou de um papel concedido)", {}),
    "validar_implantacao": ("Reservado: decisão do PO (ou de um papel concedido)", {}),
    # PROMETHEUS's internal items (seed §4.1): one per vertente of a build and its assembly.
    "worker_estrutura": ("Reservado: item interno de PROMETHEUS (vertente E)", {}),
    "worker_processo": ("Reservado: item interno de PROMETHEUS (vertente P)", {}),
    "worker_dados": ("Reservado: item interno de PROMETHEUS (vertente D)", {}),
    "worker_interface": ("Reservado: item interno de PROMETHEUS (vertente I)", {}),
    "worker_integracao": ("Reservado: item interno de PROMETHEUS (vertente C)", {}),
    "montar_release": ("Reservado: item interno de PROMETHEUS (montagem da release)", {}),
}


def sincronizar_regras_de_acesso(apps) -> None:
    """Writes the default access rules of the types above, leaving alone the rules an admin
    already wrote (a type that has a rule keeps it); idempotent (run by a migration)."""
    Group = apps.get_model("auth", "Group")
    RegraAcesso = apps.get_model("backlog", "RegraAcesso")
    Concessao = apps.get_model("backlog", "Concessao")
    for tipo, (descricao, por_papel) in REGRAS_DE_ACESSO.items():
        regra, criada = RegraAcesso.objects.get_or_create(tipo=tipo, defaults={"descricao": descricao})
        if not criada:
            continue
        for papel, letras in por_papel.items():
            grupo, _ = Group.objects.get_or_create(name=papel)
            Concessao.objects.create(
                regra=regra, grupo=grupo, produzir="P" in letras, consumir="C" in letras, concluir="F" in letras
            )
