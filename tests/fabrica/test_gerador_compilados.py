"""The generator's templates are compiled once per process (``gerador._CompiladosDoProcesso``):
each build makes a new generator, and a new Jinja environment would compile every template
again. An edited template is compiled anew, and an override never takes a shipped template's place."""

from __future__ import annotations

import pytest

from fabrica.desenvolvimento import gerador
from fabrica.desenvolvimento.gerador import GeradorTemplates


@pytest.fixture
def projeto(tmp_path, monkeypatch):
    pasta = tmp_path / "projeto"
    (pasta / "E").mkdir(parents=True)
    monkeypatch.setattr(gerador, "TEMPLATES_DO_PROJETO", pasta)
    monkeypatch.setattr(gerador, "_COMPILADOS", gerador._CompiladosDoProcesso())
    return pasta


@pytest.fixture
def compilacoes(monkeypatch):
    """The names of the templates Jinja compiled, in order."""
    nomes: list[str] = []
    original = gerador._AmbienteSeguro.compile

    def compilar(self, source, name=None, filename=None, raw=False, defer_init=False):
        nomes.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(gerador._AmbienteSeguro, "compile", compilar)
    return nomes


def test_novo_gerador_reusa_o_template_compilado(projeto, compilacoes):
    (projeto / "E" / "a.py.j2").write_text("x = {{ n }}\n")
    assert GeradorTemplates().gerar("E", "a.py.j2", {"n": 1}) == "x = 1\n"
    assert GeradorTemplates().gerar("E", "a.py.j2", {"n": 2}) == "x = 2\n"
    assert compilacoes == ["E/a.py.j2"]


def test_template_editado_e_compilado_de_novo(projeto, compilacoes):
    template = projeto / "E" / "a.py.j2"
    template.write_text("x = {{ n }}\n")
    assert GeradorTemplates().gerar("E", "a.py.j2", {"n": 1}) == "x = 1\n"
    template.write_text("y = {{ n }}\n")
    assert GeradorTemplates().gerar("E", "a.py.j2", {"n": 1}) == "y = 1\n"
    assert compilacoes == ["E/a.py.j2", "E/a.py.j2"]


def test_sobreposicao_nao_ocupa_o_lugar_do_template_do_projeto(projeto, tmp_path):
    (projeto / "E" / "a.py.j2").write_text("do_projeto = {{ n }}\n")
    sobreposto = tmp_path / "repo" / "_catalogo" / "templates" / "E"
    sobreposto.mkdir(parents=True)
    (sobreposto / "a.py.j2").write_text("do_repositorio = {{ n }}\n")
    assert GeradorTemplates(repositorio=tmp_path / "repo").gerar("E", "a.py.j2", {"n": 1}) == "do_repositorio = 1\n"
    assert GeradorTemplates().gerar("E", "a.py.j2", {"n": 1}) == "do_projeto = 1\n"
    assert GeradorTemplates(repositorio=tmp_path / "repo").gerar("E", "a.py.j2", {"n": 2}) == "do_repositorio = 2\n"


def test_aquecer_compila_os_templates_do_projeto_antes_do_primeiro_build(monkeypatch, compilacoes):
    """The cluster's main process compiles them before forking (``fabrica.tasks.aquecer``): a
    worker's first build compiles none of them."""
    monkeypatch.setattr(gerador, "_COMPILADOS", gerador._CompiladosDoProcesso())
    quantos = gerador.compilar_os_do_projeto()
    assert quantos == len(compilacoes) >= 40
    assert "E/modelos.py.j2" in compilacoes and "M3_E_POO.md" in compilacoes
    compilacoes.clear()
    GeradorTemplates().ambiente.get_template("E/modelos.py.j2")
    assert compilacoes == []
