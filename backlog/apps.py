from django.apps import AppConfig


class BacklogConfig(AppConfig):
    name = "backlog"
    verbose_name = "MS_Backlog"
