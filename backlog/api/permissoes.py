from rest_framework.permissions import BasePermission


class OperaBacklog(BasePermission):
    """Systems and admins speaking the MS_Backlog contract (permission ``operar_backlog``)."""

    message = "Você não tem permissão para operar o backlog."

    def has_permission(self, request, view) -> bool:
        usuario = request.user
        return bool(usuario and usuario.is_authenticated and usuario.has_perm("backlog.operar_backlog"))
