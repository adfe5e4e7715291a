"""Fixtures of the deployment tests: environments deploying under a temporary directory, and
releases made directly as rows with small real artefacts (a package and its own smoke test), as
development would record them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from backlog import services as backlog
from backlog.models import Item
from fabrica.consumidor import processar_proximo
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente, Release, Spec
from tests.factories import ReleaseFactory, SpecFactory


def artefato(caminho: str, conteudo: str, vertente: str = "E", papel: str = "codigo") -> dict:
    return {
        "caminho": caminho,
        "vertente": vertente,
        "papel": papel,
        "conteudo": conteudo,
        "sha256": hashlib.sha256(conteudo.encode()).hexdigest(),
    }


def artefatos_de(versao: int, *, smoke_passa: bool = True, extra: list[dict] | None = None) -> list[dict]:
    esperado = 4 if smoke_passa else 5
    return [
        artefato("app/__init__.py", f"VERSAO = {versao}\n\n\ndef dobro(x):\n    return 2 * x\n"),
        artefato(
            "tests/test_smoke.py",
            f"import app\n\n\ndef test_versao():\n    assert app.VERSAO == {versao}\n\n\n"
            f"def test_dobro():\n    assert app.dobro(2) == {esperado}\n",
            papel="teste",
        ),
        *(extra or []),
    ]


@pytest.fixture(autouse=True)
def implantacoes_dir(settings, tmp_path) -> Path:
    """Every environment without its own directory deploys under this test's temporary folder."""
    raiz = tmp_path / "implantacoes"
    settings.PROMETHEUS_IMPLANTACOES_DIR = raiz
    settings.PROMETHEUS_IMPLANTACAO_ESPERA = 30
    return raiz


@pytest.fixture
def spec_teste(db) -> Spec:
    return SpecFactory(spec_id="spec_teste", titulo="Spec de teste da implantação")


@pytest.fixture
def fazer_release(spec_teste, elenco):
    """A release row as development records it, approved by the PO unless told otherwise."""

    def fazer(versao: int, *, smoke_passa: bool = True, artefatos: list[dict] | None = None, aprovada: bool = True):
        return ReleaseFactory(
            spec=spec_teste,
            versao=versao,
            artefatos=artefatos if artefatos is not None else artefatos_de(versao, smoke_passa=smoke_passa),
            status=Release.Status.APROVADA if aprovada else Release.Status.ABERTA,
            decidido_por=elenco["po"] if aprovada else None,
            decidido_em=timezone.now() if aprovada else None,
        )

    return fazer


@pytest.fixture
def ambientes(ambientes) -> dict[str, Ambiente]:
    """The environments of ``tests/fabrica/conftest.py`` with the deployment's rule: producao only
    after validation in homologacao, approved by the PO group."""
    producao = ambientes["producao"]
    producao.exige_validacao_em = ambientes["homologacao"]
    producao.save(update_fields=["exige_validacao_em"])
    producao.grupos_aprovadores.set([Group.objects.get(name="PO")])
    return ambientes


@pytest.fixture
def rapidos(ambientes):
    """The environments without smoke checks, for tests about something else (API, pages): the
    checks have their own tests."""
    for ambiente in ambientes.values():
        ambiente.configuracao = {"smoke": False}
        ambiente.save()
    return ambientes


@pytest.fixture
def implantada(fazer_release, rapidos) -> Implantacao:
    """Release 1 deployed to homologacao (no smoke checks)."""
    return implantar(fazer_release(1))


def produzir_implantar(release: Release, ambiente: str | None = "homologacao", **extra) -> Item:
    contexto = {"release_ref": release.rotulo_versao, **extra}
    if ambiente:
        contexto["ambiente"] = ambiente
    return backlog.produzir(tipo="implantar", produtor="MS_Produto", contexto=contexto, spec_ref=release.spec_ref)


def processar(item: Item) -> Implantacao | None:
    """Runs the consumer inline on this item, as a cluster worker would, and returns its record."""
    assert processar_proximo(["implantar"]) == item.pk
    return Implantacao.objects.filter(item=item).order_by("-id").first()


def implantar(release: Release, ambiente: str | None = "homologacao", **extra) -> Implantacao:
    return processar(produzir_implantar(release, ambiente, **extra))


def reverter(ambiente: Ambiente, release: Release, *, por, motivo: str = "volta") -> Implantacao | None:
    """Asks for the rollback of ``ambiente`` to ``release`` (as ``por``) and processes it inline."""
    from fabrica.implantacao import services

    item = services.reversao_solicitar(
        ambiente_id=ambiente.pk, spec_ref=release.spec_ref, release_id=release.pk, por=por, motivo=motivo
    )
    return processar(item)


def atual(ambiente: Ambiente, spec: str = "spec_teste") -> str | None:
    from fabrica.implantacao.alvos import alvo_de

    return alvo_de(ambiente).atual(spec)
