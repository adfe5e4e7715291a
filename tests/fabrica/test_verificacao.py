"""The checks of generated Python share one parse per text (``verificacao.arvore_python``): the
worker's check at generation, the checks before a run and the release's requirements read the
same files, and each parsed them again."""

from __future__ import annotations

import ast

import pytest

from fabrica.desenvolvimento import verificacao
from fabrica.desenvolvimento.base import Artefato
from fabrica.desenvolvimento.pacote import importados
from fabrica.desenvolvimento.workers.checagem import checar_python
from fabrica.erros import DadosInvalidos


@pytest.fixture
def analises(monkeypatch):
    """The texts ``ast.parse`` read, in order, with a cache of its own."""
    verificacao._arvore_guardada.cache_clear()
    lidos: list[str] = []
    original = ast.parse

    def contar(fonte, *args, **kwargs):
        lidos.append(fonte)
        return original(fonte, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", contar)
    yield lidos
    verificacao._arvore_guardada.cache_clear()


def test_um_texto_e_lido_uma_vez_por_todas_as_verificacoes(analises):
    texto = "import yaml\nimport os\n\n\ndef f():\n    return yaml.safe_load('a: 1')\n"
    artefato = Artefato(caminho="pac/m.py", vertente="E", papel="codigo", conteudo=texto)
    checar_python(texto, "pac/m.py")
    assert verificacao.problemas([artefato]) == []
    assert "PyYAML" in importados([artefato], "pac")
    assert analises == [texto]


@pytest.mark.parametrize(
    ("texto", "trecho"),
    [
        pytest.param("def f(:\n    pass\n", "linha 1", id="sintaxe"),
        pytest.param("def f():\n    return 1\nreturn 2\n", "'return' outside function", id="so-o-compile-ve"),
    ],
)
def test_python_invalido_ainda_e_recusado_com_a_linha(texto, trecho, analises):
    with pytest.raises(DadosInvalidos, match="não é Python válido") as exc:
        checar_python(texto, "pac/m.py")
    assert trecho in str(exc.value)


def test_problema_de_sintaxe_nomeia_arquivo_e_linha(analises):
    artefato = Artefato(caminho="pac/m.py", vertente="E", papel="codigo", conteudo="x = (\n")
    (problema,) = verificacao.problemas([artefato])
    assert problema.caminho == "pac/m.py" and problema.linha == 1
    assert verificacao.problemas([artefato]) == [problema]  # an error is not cached: read again, same answer


def test_texto_grande_nao_fica_guardado(analises, monkeypatch):
    """A generated file above ``MAIOR_EM_CACHE`` (an override can generate megabytes) is parsed
    each time rather than kept, with its tree, in the worker's memory."""
    monkeypatch.setattr(verificacao, "MAIOR_EM_CACHE", 100)
    grande = "x = 1\n" * 50
    verificacao.arvore_python(grande)
    verificacao.arvore_python(grande)
    assert analises == [grande, grande]
    assert verificacao._arvore_guardada.cache_info().currsize == 0
