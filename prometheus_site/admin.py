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


class AdminSomenteLeitura(admin.ModelAdmin):
    """Rows written by services only, listed and opened read-only: no add, no change, no delete
    (every field of the model shown as read-only)."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SitePrometheus(admin.AdminSite):
    """Django's admin, except that someone who is not staff gets the app's pages: a person
    logged in without the role sees the app's 403 (not the admin's own login form, which would
    suggest logging in again); an anonymous visitor goes to the app's login."""

    def login(self, request, extra_context=None):
        from django.conf import settings
        from django.contrib.auth.views import redirect_to_login
        from django.core.exceptions import PermissionDenied

        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied
        if not request.user.is_authenticated and request.method == "GET":
            return redirect_to_login(request.GET.get("next") or "/admin/", settings.LOGIN_URL)
        return super().login(request, extra_context)
