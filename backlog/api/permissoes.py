from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Q
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from backlog.api import autenticacao


class OperaBacklog(BasePermission):
    """Systems and admins speaking the MS_Backlog contract (permission ``operar_backlog``).

    Asked of every request of the broker's hot endpoints: one query (the user's own permission
    or one of their groups'), where ``has_perm`` loads all of the user's permissions in two.
    """

    message = "Você não tem permissão para operar o backlog."

    def has_permission(self, request: Request, view: Any) -> bool:
        return autenticacao.permissao(request, "backlog.operar_backlog", lambda: self._verificar(request))

    def _verificar(self, request: Request) -> bool:
        usuario = request.user
        if not (usuario and usuario.is_authenticated and usuario.is_active):
            return False
        if usuario.is_superuser or hasattr(usuario, "_perm_cache"):
            return bool(usuario.has_perm("backlog.operar_backlog"))  # already known, or every permission
        return (
            Permission.objects.filter(content_type__app_label="backlog", codename="operar_backlog")
            .filter(Q(user=usuario) | Q(group__user=usuario))
            .exists()
        )
