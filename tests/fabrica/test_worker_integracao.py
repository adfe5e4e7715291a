"""WORKER_C: the sample spec and a spec with authentication, payloads and query parameters
become a connector client, a loopback mock and contract tests that pass in another process
with an empty environment (also without network); the tests fail when the client breaks the
contract; the expected outcomes come from the spec."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from fabrica.desenvolvimento.base import CasoDeTeste, NaoTestavel, worker_de
from fabrica.desenvolvimento.workers.integracao import WorkerIntegracao
from fabrica.desenvolvimento.workers.integracao.planos import _exemplos_explicitos, planejar_caso
from fabrica.desenvolvimento.workers.integracao.regras import conforma, esquema_da_forma, valores_invalidos
from fabrica.specs.formato import validar_spec
from tests.fabrica.gerados import casos_da_spec, produzir, rodar_testes, ruff_check, spec_de_exemplo

SPEC_PEDIDOS = {
    "id": "spec_pedidos",
    "titulo": "Pedidos num ERP",
    "vertentes": ["C"],
    "runtime": {"apis_externas": ["erp_api"], "gpu": False, "containers_necessarios": []},
    "schema_tdd": {
        "cobertura": "pairwise",
        "parametros": {
            "quantidade": [1, 0, 1000],
            "erp": ["no_ar", "sobrecarregado", "caindo"],
            "cliente_id": ["C-1", "X"],
        },
        "casos": [
            {
                "nome": "pedido aceito",
                "dado": {"cliente_id": "C-1", "quantidade": 2, "itens": [{"sku": "A1", "preco": "9.90"}]},
                "espera": {"numero": 123, "situacao": "aberto"},
            },
            {
                "nome": "estoque insuficiente",
                "dado": {"cliente_id": "C-1", "quantidade": 999},
                "espera": {"erro": "Sem estoque"},
            },
            {
                "nome": "busca por data",
                "dado": {"endpoint": "listar", "desde": "2024-01-01", "ativos": True},
                "espera": {"total": 3},
            },
        ],
    },
    "spec_integracao": {
        "conectores": [
            {
                "nome": "erp",
                "api": "erp_api",
                "base_url": "https://erp.exemplo.com/api/v2",
                "autenticacao": {"tipo": "api_key", "credencial": "erp_token", "cabecalho": "X-Chave"},
                "timeout_s": 8,
                "cenarios": {"erp": {"no_ar": "normal", "sobrecarregado": 503, "caindo": "fora_do_ar"}},
                "endpoints": [
                    {
                        "nome": "criar_pedido",
                        "metodo": "POST",
                        "caminho": "/clientes/{cliente_id}/pedidos/",
                        "parametros": {
                            "cliente_id": {"padrao": "^C-[0-9]+$", "exemplo": "C-9"},
                            "quantidade": {
                                "tipo": "int",
                                "min": 1,
                                "max": 999,
                                "exemplo": 1,
                                "mensagens": {"max": "No máximo 999 por pedido"},
                            },
                        },
                        "payload": {"itens": [{"sku": "str", "preco": "decimal"}]},
                        "resposta": {"numero": "int", "situacao": "str", "criado_em": "date"},
                        "erros": [
                            {"status": 409, "mensagem": "Sem estoque"},
                            {"status": 503, "mensagem": "ERP sobrecarregado, tente depois"},
                        ],
                    },
                    {
                        "nome": "listar",
                        "metodo": "GET",
                        "caminho": "/pedidos/",
                        "parametros": {
                            "desde": {"tipo": "date", "exemplo": "2024-03-01"},
                            "ativos": {"tipo": "bool", "obrigatorio": False},
                            "situacao": {"escolhas": ["aberto", "fechado"], "obrigatorio": False},
                        },
                        "resposta": {"total": "int", "pedidos": [{"numero": "int"}]},
                    },
                    {
                        "nome": "cancelar",
                        "metodo": "DELETE",
                        "caminho": "/pedidos/{numero}/",
                        "parametros": {"numero": {"tipo": "int", "exemplo": 5}},
                    },
                ],
            },
            {
                "nome": "frete",
                "base_url": "http://frete.exemplo.com",
                "autenticacao": {"tipo": "bearer", "credencial": "frete_token"},
                "endpoints": [{"nome": "cotar", "metodo": "GET", "caminho": "/cotacao/{cep}", "resposta": "decimal"}],
            },
        ]
    },
}


def test_a_spec_de_teste_e_valida():
    assert validar_spec(SPEC_PEDIDOS) == []


def test_worker_c_esta_registrado():
    assert isinstance(worker_de("C"), WorkerIntegracao)


def test_spec_005_vira_cliente_mock_e_contrato_que_passam_num_ambiente_vazio(tmp_path):
    spec = spec_de_exemplo("spec_005")
    casos = casos_da_spec(spec)
    producao = produzir(WorkerIntegracao(), spec, casos, tmp_path)
    caminhos = {a.caminho for a in producao.codigo}
    assert {
        "spec_005/integracao/viacep.py",
        "spec_005/integracao/mock.py",
        "spec_005/integracao/contrato.py",
    } <= caminhos
    assert ruff_check(tmp_path).returncode == 0, ruff_check(tmp_path).stdout

    resultado = rodar_testes(tmp_path)
    assert resultado.com("falhou") | resultado.com("erro") == set(), resultado.saida
    assert producao.nao_testaveis == []
    assert resultado.ids_de("test_caso") == {c.nome for c in casos}
    # The declared errors, the undeclared status and the parameter rules each have a test.
    assert resultado.ids_de("test_erro_do_remoto_tem_o_status_e_a_mensagem_da_spec") >= {
        "consultar_cep-200",
        "consultar_cep-400",
        "consultar_cep-500-nao-declarado",
    }
    assert "consultar_cep-cep-padrao" in resultado.ids_de("test_parametro_invalido_e_recusado_sem_chamar_o_remoto")


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="um namespace de rede novo pede root e unshare"
)
def test_os_testes_do_conector_passam_sem_rede(tmp_path):
    """Under ``unshare -n`` the loopback starts down; the generated mock brings it up."""
    assert subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    spec = spec_de_exemplo("spec_005")
    produzir(WorkerIntegracao(), spec, casos_da_spec(spec), tmp_path)
    resultado = rodar_testes(tmp_path, prefixo=["unshare", "-n"])
    assert resultado.com("falhou") | resultado.com("erro") == set(), resultado.saida
    assert len(resultado.com("passou")) == len(resultado.status) > 20


def test_autenticacao_payload_query_e_cenarios_de_status(tmp_path):
    casos = casos_da_spec(SPEC_PEDIDOS, {})
    producao = produzir(WorkerIntegracao(), SPEC_PEDIDOS, casos, tmp_path)
    assert producao.nao_testaveis == []
    assert {a.caminho for a in producao.testes} == {"tests/test_integracao_erp.py", "tests/test_integracao_frete.py"}
    assert ruff_check(tmp_path).returncode == 0, ruff_check(tmp_path).stdout
    resultado = rodar_testes(tmp_path)
    assert resultado.com("falhou") | resultado.com("erro") == set(), resultado.saida
    assert resultado.ids_de("test_caso") == {c.nome for c in casos}
    nomes = {n.split("::")[1].split("[")[0] for n in resultado.status}
    assert {
        "test_credencial_vai_no_cabecalho_que_a_spec_diz",
        "test_credencial_errada_e_recusada_pelo_remoto",
        "test_sem_credencial_no_ambiente_o_conector_nao_nasce",
    } <= nomes
    assert "criar_pedido-payload" in resultado.ids_de("test_parametro_invalido_e_recusado_sem_chamar_o_remoto")


def _testes_com_o_cliente_alterado(pasta, trecho: str, por: str):
    """spec_005's connector built into ``pasta`` with ``trecho`` of its client replaced by ``por``;
    the result of its generated tests."""
    spec = spec_de_exemplo("spec_005")
    produzir(WorkerIntegracao(), spec, casos_da_spec(spec), pasta)
    cliente = pasta / "spec_005/integracao/cliente.py"
    texto = cliente.read_text()
    assert trecho in texto
    cliente.write_text(texto.replace(trecho, por))
    return rodar_testes(pasta)


def test_os_testes_de_contrato_falham_quando_o_cliente_quebra_o_contrato(tmp_path):
    # The client forgets the spec's declared errors: a "not found" 200 becomes a contract error.
    resultado = _testes_com_o_cliente_alterado(
        tmp_path, '        for erro in contrato["erros"]:\n', '        for erro in contrato["erros"][:0]:\n'
    )
    base = "tests/test_integracao_viacep.py::"
    assert {
        base + "test_caso[caso_03]",
        base + "test_erro_do_remoto_tem_o_status_e_a_mensagem_da_spec[consultar_cep-200]",
        base + "test_erro_do_remoto_tem_o_status_e_a_mensagem_da_spec[consultar_cep-400]",
    } <= resultado.com("falhou")
    assert base + "test_caso[caso_01]" in resultado.com("passou")


def test_os_testes_de_contrato_falham_quando_o_caminho_sai_errado(tmp_path):
    resultado = _testes_com_o_cliente_alterado(
        tmp_path,
        'urllib.parse.quote(como_texto(parametros[m.group(1)]), safe="")',
        'urllib.parse.quote(como_texto(parametros[m.group(1)]) + "0", safe="")',
    )
    assert (
        "tests/test_integracao_viacep.py::test_requisicao_e_resposta_seguem_o_contrato[consultar_cep]"
        in resultado.com("falhou")
    )


def _plano(spec, dado, espera=None):
    conectores = spec["spec_integracao"]["conectores"]
    exemplos = _exemplos_explicitos(conectores, spec["schema_tdd"].get("casos", []))
    return planejar_caso(conectores, CasoDeTeste("c", "caso" if espera else "combinacao", "", dado, espera), exemplos)


@pytest.mark.parametrize(
    ("dado", "esperado", "requisicoes"),
    [
        (
            {"cep": "01001000", "resposta_api": "ok", "cache": "vazio"},
            {"tipo": "sucesso", "logradouro": "Praça da Sé"},
            1,
        ),
        (
            {"cep": "01001000", "resposta_api": "fora_do_ar", "cache": "preenchido"},
            {"tipo": "sucesso", "logradouro": "Praça da Sé"},
            0,
        ),
        (
            {"cep": "99999999", "resposta_api": "ok", "cache": "preenchido"},
            {"tipo": "remoto", "mensagem": "CEP não encontrado"},
            1,
        ),
        ({"cep": "99999999", "resposta_api": "lenta", "cache": "preenchido"}, {"tipo": "tempo_esgotado"}, 1),
        (
            {"cep": "0100100", "resposta_api": "fora_do_ar", "cache": "vazio"},
            {"tipo": "validacao", "mensagem": "CEP deve ter 8 dígitos"},
            0,
        ),
        (
            {"cep": "12345678", "resposta_api": "ok", "cache": "vazio"},
            {"tipo": "sucesso", "logradouro": "logradouro de exemplo"},
            1,
        ),
    ],
)
def test_o_desfecho_de_um_caso_segue_a_ordem_do_cliente_e_o_que_a_spec_sabe_do_remoto(dado, esperado, requisicoes):
    conector, plano = _plano(spec_de_exemplo("spec_005"), dado)
    assert conector == "viacep"
    assert plano["esperado"]["tipo"] == esperado["tipo"]
    if "mensagem" in esperado:
        assert plano["esperado"]["mensagem"] == esperado["mensagem"]
    if "logradouro" in esperado:
        assert plano["esperado"]["corpo"]["logradouro"] == esperado["logradouro"]
    assert plano["requisicoes"] == requisicoes


@pytest.mark.parametrize(
    ("dado", "espera", "motivo"),
    [
        (
            {"cep": "01001000", "bairro_x": 1},
            None,
            "nenhum endpoint tem todos os parâmetros e campos do caso (bairro_x, cep)",
        ),
        ({"endpoint": "nada"}, None, "não nomeia um endpoint da spec"),
        ({"cep": "01001000", "resposta_api": "talvez"}, None, "não está em cenarios.resposta_api"),
        (
            {"cep": "01001000"},
            {"erro": "Qualquer coisa"},
            "não é mensagem de nenhum parâmetro nem de nenhum erro declarado",
        ),
        ({"cep": "01001000"}, {"rua": "x"}, "espera.rua não é campo da resposta de consultar_cep"),
        ({"endpoint": "buscar_por_endereco"}, {"cep": "x"}, "não declara uma resposta objeto"),
    ],
)
def test_caso_que_nao_vira_teste_e_relatado_com_o_motivo(dado, espera, motivo):
    plano = _plano(spec_de_exemplo("spec_005"), dado, espera)
    assert isinstance(plano, NaoTestavel)
    assert motivo in plano.motivo


def test_formas_viram_json_schema_e_o_oraculo_concorda_com_ele():
    from jsonschema import Draft202012Validator

    forma = {"itens": [{"sku": "str", "preco": "decimal"}], "em": "date", "n": "int"}
    valores = [
        {"itens": [{"sku": "A", "preco": "9.90"}], "em": "2024-01-01", "n": 1},
        {"itens": [{"sku": "A", "preco": 9.9}], "em": "2024-01-01", "n": 1},
        {"itens": [{"sku": "A", "preco": "9,90"}], "em": "2024-01-01", "n": 1},
        {"itens": [], "em": "01/01/2024", "n": 1},
        {"itens": [], "em": "2024-01-01", "n": True},
        {"itens": [], "em": "2024-01-01"},
        {"itens": [], "em": "2024-01-01", "n": 1, "extra": 0},
    ]
    for resposta in (False, True):
        validador = Draft202012Validator(esquema_da_forma(forma, resposta=resposta))
        for valor in valores:
            assert (conforma(valor, forma, resposta=resposta) == []) == validador.is_valid(valor), (resposta, valor)


def test_cada_regra_de_parametro_tem_um_valor_que_so_ela_recusa():
    regras = {"tipo": "str", "padrao": "^[0-9]{8}$", "min_len": 8, "max_len": 8, "mensagens": {"padrao": "8 dígitos"}}
    invalidos = dict(valores_invalidos("cep", regras))
    assert set(invalidos) == {"tipo", "padrao"}  # min_len/max_len: every value that breaks them breaks the padrao first
    assert not re.search(regras["padrao"], invalidos["padrao"])
    numero = dict(valores_invalidos("n", {"tipo": "int", "min": 1, "max": 999}))
    assert numero == {"tipo": [], "min": 0, "max": 1000}
