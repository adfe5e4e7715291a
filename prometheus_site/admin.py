"""Admin building blocks shared by the apps."""

from django.contrib import admin


class InlineSomenteLeitura(admin.TabularInline):
    """Rows written by services only, shown under their parent: no add, no change, no delete."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False
