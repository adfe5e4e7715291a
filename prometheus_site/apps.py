from django.contrib.admin.apps import AdminConfig


class AdminDoPrometheus(AdminConfig):
    """``django.contrib.admin`` with the project's site (``prometheus_site.admin.SitePrometheus``)."""

    default_site = "prometheus_site.admin.SitePrometheus"
