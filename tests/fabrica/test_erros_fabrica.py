"""fabrica's refusals are fabrica.erros classes, and each reaches the API as a 4xx in the one
error shape ``{"erro", "campos"}`` (never a 500)."""

from __future__ import annotations

import pytest

from fabrica import erros
from fabrica.api import views
from fabrica.decisoes import services as decisoes
from fabrica.models import Orcamento
from fabrica.precificacao.cobertura import CoberturaInvalida, gerar_casos
from fabrica.precificacao.modelo import unidades
from fabrica.precificacao.services import esforco_real_registrar
from fabrica.specs.formato import SpecInvalida, carregar_spec
from fabrica.specs.repositorio import RepositorioInvalido, ler_specs
from tests.apoio import assert_forma_de_erro


def test_recusas_da_fabrica_sao_erros_da_fabrica(tmp_path):
    with pytest.raises(erros.DadosInvalidos):
        carregar_spec("- nao e mapeamento\n")
    with pytest.raises(erros.DadosInvalidos):
        gerar_casos({"a": []})
    with pytest.raises(erros.DadosInvalidos):
        unidades("X", {})
    with pytest.raises(erros.DadosInvalidos):
        ler_specs(tmp_path / "nao-existe")
    assert all(issubclass(c, erros.ErroFabrica) for c in (SpecInvalida, CoberturaInvalida, RepositorioInvalido))


@pytest.mark.django_db
def test_orcamento_inexistente_e_nao_encontrado_da_fabrica(elenco):
    with pytest.raises(erros.NaoEncontrado, match="#999999"):
        decisoes.orcamento_aprovar(orcamento_id=999999, por=elenco["po"])


@pytest.mark.django_db
def test_esforco_real_invalido_nomeia_as_vertentes(orcamento_pronto):
    orcamento = Orcamento.objects.get(pk=orcamento_pronto.pk)
    with pytest.raises(erros.DadosInvalidos) as exc:
        esforco_real_registrar(orcamento=orcamento, horas={"Z": 3, "E": -1})
    assert set(exc.value.campos) == {"horas.Z"}
    vertente = next(iter(orcamento.esforco["horas_dev_por_vertente"]))
    with pytest.raises(erros.DadosInvalidos) as exc:
        esforco_real_registrar(orcamento=orcamento, horas={vertente: float("nan")})
    assert set(exc.value.campos) == {f"horas.{vertente}"}
    with pytest.raises(erros.DadosInvalidos) as exc:
        esforco_real_registrar(orcamento=orcamento, horas={})
    assert set(exc.value.campos) == {"horas"}


@pytest.mark.django_db
def test_erro_real_de_um_servico_chega_a_api_como_404(api_como):
    corpo = assert_forma_de_erro(api_como("po").post("/api/orcamentos/999999/aprovar/", {}, format="json"), 404)
    assert "#999999" in corpo["erro"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("erro", "status_http"),
    [
        (erros.DadosInvalidos("A entrada não serve.", {"horas.E": ["Deve ser positivo."]}), 400),
        (erros.NaoEncontrado("O orçamento #7 não existe."), 404),
        (erros.TransicaoInvalida("O orçamento já foi decidido.", {"status": ["aprovado"]}), 409),
        (CoberturaInvalida("schema_tdd.restricoes", "as restrições proíbem todos os casos"), 400),
    ],
    ids=["dados-invalidos", "nao-encontrado", "transicao-invalida", "cobertura-invalida"],
)
def test_cada_tipo_de_erro_da_fabrica_chega_a_api_na_forma_de_erro(
    api_como, orcamento_pronto, monkeypatch, erro, status_http
):
    def servico(**kwargs):
        raise erro

    monkeypatch.setattr(views.AprovarOrcamentoView, "servico", staticmethod(servico))
    resposta = api_como("po").post(f"/api/orcamentos/{orcamento_pronto.pk}/aprovar/", {}, format="json")
    corpo = assert_forma_de_erro(resposta, status_http)
    assert corpo == {"erro": erro.mensagem, "campos": erro.campos}
