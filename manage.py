#!/usr/bin/env python3
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prometheus_site.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # The settings create no directories on import; the commands that use local state
    # (migrate and runserver on SQLite, carregar_demo's spec repository, qcluster) need them.
    for pasta in getattr(settings, "PROMETHEUS_DIRETORIOS", []):
        pasta.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
