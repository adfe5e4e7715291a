from __future__ import annotations

import pytest
from django.utils.module_loading import import_string

from fabrica.models import Ambiente
from tests.factories import AmbienteFactory


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


@pytest.fixture
def workers(monkeypatch):
    """Replaces the registry of vertente workers for one test: register doubles with it."""
    from fabrica.desenvolvimento import base

    registro: dict = {}
    monkeypatch.setattr(base, "_workers", registro)

    def registrar(*classes):
        for classe in classes:
            registro[classe.vertente] = classe
        return registro

    return registrar


@pytest.fixture
def sandbox_rapido(settings):
    """Short sandbox limits, so a hung generated test costs seconds, not minutes."""
    settings.PROMETHEUS_SANDBOX = {**settings.PROMETHEUS_SANDBOX, "tempo_total_s": 60, "tempo_por_teste_s": 5}
    return settings.PROMETHEUS_SANDBOX


@pytest.fixture
def ambientes(db) -> dict[str, Ambiente]:
    """homologacao, then producao, both taking any approved release. The deployment tests
    (``tests/fabrica/implantacao/conftest.py``) add their rule: producao only after validation in
    homologacao, approved by the PO group."""
    return {
        "homologacao": AmbienteFactory(nome="homologacao", ordem=10),
        "producao": AmbienteFactory(nome="producao", ordem=20),
    }


@pytest.fixture
def ambiente_inativo(db) -> Ambiente:
    """An environment no release may go to any more."""
    return AmbienteFactory(nome="antigo", ativo=False, ordem=30)


_CONSTRUCOES: dict[str, tuple] = {}


@pytest.fixture
def release_pronta(orcamento_pronto, elenco, workers, sandbox_rapido, ambientes, ambiente_inativo, monkeypatch):
    """spec_002 (D, E) built by passing test doubles: an open release waiting for the PO.

    The same build gives the same result, so it runs in the sandbox once per test session and
    is replayed (progress included) for the other tests; everything after it is real."""
    import json

    from fabrica.desenvolvimento import ciclo
    from tests.apoio import desenvolver
    from tests.fabrica import dubles

    original = ciclo.desenvolver_vertente

    def uma_vez(*, vertente, spec, casos, opcoes, progresso=None):
        chave = json.dumps(
            [vertente, spec, [c.como_dict() for c in casos], opcoes.pacote, opcoes.versao], sort_keys=True
        )
        if chave not in _CONSTRUCOES:
            etapas: list[tuple] = []
            resultado = original(
                vertente=vertente, spec=spec, casos=casos, opcoes=opcoes, progresso=lambda *a: etapas.append(a)
            )
            _CONSTRUCOES[chave] = (resultado.como_dict(), etapas)
        resultado, etapas = _CONSTRUCOES[chave]
        for etapa in etapas:
            if progresso:
                progresso(*etapa)
        return ciclo.ResultadoVertente.de_dict(resultado)

    monkeypatch.setattr(ciclo, "desenvolver_vertente", uma_vez)
    workers(dubles.worker("D"), dubles.worker("E"))
    return desenvolver(orcamento_pronto, elenco["po"])
