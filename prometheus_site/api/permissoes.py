from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission


def exige(leitura: str, escrita: str | None = None) -> type[BasePermission]:
    """A permission class: ``leitura`` for safe methods, ``escrita`` (default: refused) otherwise."""

    class Exige(BasePermission):
        message = gettext_lazy("Você não tem permissão para esta operação.")

        def has_permission(self, request, view) -> bool:
            usuario = request.user
            if not (usuario and usuario.is_authenticated):
                return False
            perm = leitura if request.method in ("GET", "HEAD", "OPTIONS") else escrita
            return bool(perm and usuario.has_perm(perm))

    Exige.__name__ = f"Exige_{leitura.replace('.', '_')}"
    return Exige
