from __future__ import annotations

import pytest
from django.utils.module_loading import import_string


@pytest.fixture
def cluster_sincrono(monkeypatch, django_capture_on_commit_callbacks):
    """Runs what would be sent to the django-q2 cluster inline, at commit, like a worker would."""
    executados: list[tuple] = []

    def async_task(func, *args, **kwargs):
        executados.append((func, args))
        return import_string(func)(*args)

    monkeypatch.setattr("fabrica.tasks.async_task", async_task)

    class Rodar:
        def __enter__(self):
            self._ctx = django_capture_on_commit_callbacks(execute=True)
            return self._ctx.__enter__()

        def __exit__(self, *exc):
            return self._ctx.__exit__(*exc)

    Rodar.executados = executados
    return Rodar
