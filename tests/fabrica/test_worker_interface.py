"""WORKER_I: the sample spec and a spec with every field type become a Django app whose
generated tests pass in another process with an empty environment; the tests fail when the
screens stop following the spec; the expected outcomes come from the spec's rules."""

from __future__ import annotations

import copy

import pytest

from fabrica.desenvolvimento.base import CasoDeTeste, NaoTestavel, worker_de
from fabrica.desenvolvimento.workers.interface import WorkerInterface
from fabrica.desenvolvimento.workers.interface.modelo import _Tela
from fabrica.desenvolvimento.workers.interface.planos import planejar_caso
from fabrica.desenvolvimento.workers.interface.regras import OBRIGATORIO, erros_do_campo
from fabrica.specs.formato import validar_spec
from fabrica.specs.formato.interface import parametros_da_url
from tests.fabrica.gerados import casos_da_spec, produzir, rodar_testes, ruff_check, spec_de_exemplo

# A spec with every field type and rule, whose covering array mixes valid and invalid values
# of each field: the generated tests pass only if Django's screens agree with the rules as
# PROMETHEUS reads them.
SPEC_CAMPOS = {
    "id": "spec_campos",
    "titulo": "Cadastro com todos os tipos de campo",
    "vertentes": ["I"],
    "runtime": {"apis_externas": [], "gpu": False, "containers_necessarios": []},
    "schema_tdd": {
        "cobertura": "pairwise",
        "parametros": {
            "idade": [17, 18, 131, "dezoito", "18.0"],
            "email": ["ana@exemplo.com", "sem-arroba", "  ana@exemplo.com  "],
            "nascimento": ["2000-01-31", "31/01/2000", "2000-02-30", "vazia"],
            "salario": ["1500.50", "-1", "abc", "vazio"],
            "plano": ["pro", "3", "ouro"],
            "foto": ["eu.PNG", "eu.gif", "nenhuma"],
            "codigo": ["ABC-12", "abc-12"],
            "nome": ["Al", "A", "Nome longo demais", "   "],
            "aceite": [True, False],
            "bio": ["curta", "x" * 25],
            "percentual": [100, 101],
        },
        "casos": [
            {
                "nome": "menor de idade",
                "dado": {"tela": "perfil", "idade": 10},
                "espera": {"erros": {"idade": "Informe um valor maior ou igual a 18."}},
            },
            {
                "nome": "revisão leva à confirmação",
                "dado": {"tela": "revisao", "id": "42", "apelido": "Zé"},
                "espera": {"tela": "confirmacao"},
            },
            {
                "nome": "excluir",
                "dado": {"tela": "confirmacao", "acao": "excluir", "id": "7"},
                "espera": {"valido": True},
            },
            {
                "nome": "apelido vazio",
                "dado": {"tela": "revisao", "apelido": None},
                "espera": {"valido": False, "erro": {"campo": "apelido"}},
            },
            {
                "nome": "valores válidos escritos de outro jeito",
                "dado": {
                    "tela": "perfil",
                    "nome": " Ana ",
                    "idade": "18.0",
                    "salario": "1500.50",
                    "nascimento": "31/01/2000",
                    "email": "  ana@exemplo.com  ",
                    "aceite": True,
                    "plano": "3",
                    "foto": "eu.PNG",
                    "bio": "curta",
                    "percentual": 100,
                },
                "espera": {"valido": True},
            },
            {"nome": "busca vazia", "dado": {"tela": "busca", "termo": None}, "espera": {"valido": True}},
        ],
    },
    "spec_interface": {
        "telas": [
            {
                "id": "perfil",
                "titulo": 'Perfil <completo> & "aspas" {{ chaves }}',
                "acoes": [{"nome": "gravar", "rotulo": "Gravar", "endpoint": "/api/perfis/", "metodo": "POST"}],
                "campos": [
                    {
                        "nome": "nome",
                        "rotulo": "Nome",
                        "tipo": "texto",
                        "obrigatorio": True,
                        "restricoes": {"min_len": 2, "max_len": 10},
                    },
                    {
                        "nome": "codigo",
                        "rotulo": "Código",
                        "tipo": "texto",
                        "obrigatorio": True,
                        "restricoes": {"padrao": "^[A-Z]{3}-[0-9]{2}$"},
                        "mensagens": {"padrao": "Use AAA-99."},
                        "exemplo": "XYZ-99",
                    },
                    {
                        "nome": "idade",
                        "rotulo": "Idade",
                        "tipo": "numero",
                        "obrigatorio": True,
                        "restricoes": {"min": 18, "max": 130},
                    },
                    {
                        "nome": "salario",
                        "rotulo": "Salário",
                        "tipo": "decimal",
                        "restricoes": {"min": 0, "max": 99999.99},
                    },
                    {"nome": "nascimento", "rotulo": "Nascimento", "tipo": "data", "obrigatorio": True},
                    {"nome": "email", "rotulo": "E-mail", "tipo": "email", "obrigatorio": True},
                    {"nome": "senha", "rotulo": "Senha", "tipo": "senha", "restricoes": {"min_len": 8}},
                    {"nome": "aceite", "rotulo": "Aceito os termos", "tipo": "booleano", "obrigatorio": True},
                    {"nome": "plano", "rotulo": "Plano", "tipo": "selecao", "opcoes": ["basico", "pro", 3]},
                    {"nome": "foto", "rotulo": "Foto", "tipo": "arquivo", "restricoes": {"extensoes": ["png", "jpg"]}},
                    {
                        "nome": "bio",
                        "rotulo": "Bio",
                        "tipo": "texto_longo",
                        "restricoes": {"max_len": 20},
                        "ajuda": "Até 20 letras.",
                    },
                    {
                        "nome": "percentual",
                        "rotulo": "Percentual",
                        "tipo": "numero",
                        "restricoes": {"max": 100},
                        "mensagens": {"max": "No máximo 100%."},
                    },
                ],
            },
            {
                "id": "busca",
                "titulo": "Busca",
                "descricao": "Uma tela sem ações: valida e diz que recebeu.",
                "campos": [{"nome": "termo", "rotulo": "Termo", "tipo": "texto"}],
            },
            {
                "id": "revisao",
                "titulo": "Revisão",
                "campos": [{"nome": "apelido", "rotulo": "Apelido", "tipo": "texto", "obrigatorio": True}],
                "acoes": [
                    {
                        "nome": "salvar",
                        "rotulo": "Salvar",
                        "endpoint": "/api/perfis/{id}/",
                        "metodo": "PUT",
                        "tela_destino": "confirmacao",
                    }
                ],
            },
            {
                "id": "confirmacao",
                "titulo": "Confirmação",
                "campos": [{"nome": "motivo", "rotulo": "Motivo", "tipo": "texto_longo"}],
                "acoes": [
                    {"nome": "excluir", "rotulo": "Excluir", "endpoint": "/api/perfis/{id}/", "metodo": "DELETE"},
                    {"nome": "voltar", "rotulo": "Voltar", "tela_destino": "revisao"},
                ],
            },
        ]
    },
}


# The classes that stand for an empty field (a class is a scalar; its representative is null).
REPRESENTANTES_CAMPOS = {"nascimento": {"vazia": None}, "salario": {"vazio": None}, "foto": {"nenhuma": None}}


def test_a_spec_de_teste_e_valida():
    assert validar_spec(SPEC_CAMPOS) == []


def test_worker_i_esta_registrado():
    assert isinstance(worker_de("I"), WorkerInterface)


def test_spec_004_vira_telas_cujos_testes_passam_num_ambiente_vazio(tmp_path):
    spec = spec_de_exemplo("spec_004")
    casos = casos_da_spec(spec)
    producao = produzir(WorkerInterface(), spec, casos, tmp_path)

    caminhos = {a.caminho for a in producao.codigo}
    for tela in ("nova_solicitacao", "minhas_solicitacoes", "aprovacao_gestor"):
        assert f"spec_004/interface/templates/spec_004/interface/{tela}.html" in caminhos
        assert any(a.caminho == f"tests/test_interface_{tela}.py" for a in producao.testes)
    assert ruff_check(tmp_path).returncode == 0, ruff_check(tmp_path).stdout

    resultado = rodar_testes(tmp_path)
    assert resultado.com("falhou") | resultado.com("erro") == set(), resultado.saida
    # Every case is a test named after it, or reported as not testable: none is lost.
    assert producao.nao_testaveis == [NaoTestavel("caso_02", producao.nao_testaveis[0].motivo)]
    assert "espera.status" in producao.nao_testaveis[0].motivo
    assert resultado.ids_de("test_caso") == {c.nome for c in casos} - {"caso_02"}
    assert len(resultado.com("passou")) == len(resultado.status) > len(casos)


def test_cada_tipo_de_campo_segue_as_regras_da_spec_no_django(tmp_path):
    casos = casos_da_spec(SPEC_CAMPOS, REPRESENTANTES_CAMPOS)
    producao = produzir(WorkerInterface(), SPEC_CAMPOS, casos, tmp_path)
    assert producao.nao_testaveis == []
    assert ruff_check(tmp_path).returncode == 0, ruff_check(tmp_path).stdout
    resultado = rodar_testes(tmp_path)
    assert resultado.com("falhou") | resultado.com("erro") == set(), resultado.saida
    assert resultado.ids_de("test_caso") == {c.nome for c in casos}
    # The rows compare the exact errors of every field (each field refused somewhere), and the
    # accepted example compares what reaches the endpoint (dates, numbers, e-mail, file, choice).
    planos = {c.nome: planejar_caso(_telas(SPEC_CAMPOS), c)[1] for c in casos}
    recusados = [p for nome, p in planos.items() if nome.startswith("combinacao") and not p["esperado"]["valido"]]
    campos_com_erro = {campo for p in recusados for campo in p["esperado"]["erros"]}
    assert campos_com_erro == {c["nome"] for c in SPEC_CAMPOS["spec_interface"]["telas"][0]["campos"]} - {"senha"}
    dados = planos["caso_05"]["esperado"]["chamada"]["dados"]
    assert dados == {
        "nome": "Ana",
        "codigo": "XYZ-99",
        "idade": 18,
        "salario": "1500.50",
        "nascimento": "2000-01-31",
        "email": "ana@exemplo.com",
        "senha": "",
        "aceite": True,
        "plano": "3",
        "foto": "eu.PNG",
        "bio": "curta",
        "percentual": 100,
    }


def test_os_testes_gerados_falham_quando_a_tela_nao_segue_a_spec(tmp_path):
    spec = spec_de_exemplo("spec_004")
    produzir(WorkerInterface(), spec, casos_da_spec(spec), tmp_path)
    forms = tmp_path / "spec_004/interface/forms.py"
    texto = forms.read_text()
    trecho = "    comprovante = forms.FileField(\n        label='Comprovante (PDF ou imagem)',\n        required=True,"
    assert trecho in texto
    forms.write_text(texto.replace(trecho, trecho.replace("required=True", "required=False")))

    resultado = rodar_testes(tmp_path)
    base = "tests/test_interface_nova_solicitacao.py::"
    # The comprovante-less row and example, the empty submission and the rendering see it.
    assert {
        base + "test_caso[combinacao_03]",
        base + "test_caso[caso_01]",
        base + "test_envio_vazio_mostra_o_erro_de_cada_obrigatorio",
        base + "test_tela_mostra_os_campos_e_as_acoes_da_spec",
    } <= resultado.com("falhou")
    assert base + "test_caso[combinacao_01]" in resultado.com("passou")


CAMPO_DECIMAL = {"nome": "v", "tipo": "decimal", "obrigatorio": True, "restricoes": {"min": 0.01}}


@pytest.mark.parametrize(
    ("campo", "enviado", "esperado"),
    [
        (CAMPO_DECIMAL, None, [OBRIGATORIO]),
        (CAMPO_DECIMAL, "0.45", []),
        (CAMPO_DECIMAL, "0", ["Informe um valor maior ou igual a 0.01."]),
        (CAMPO_DECIMAL, "1,5", ["Informe um número."]),
        (CAMPO_DECIMAL, "NaN", ["Informe um número."]),
        ({"nome": "n", "tipo": "numero"}, "3.0", []),
        ({"nome": "n", "tipo": "numero"}, "3.5", ["Informe um número inteiro."]),
        ({"nome": "t", "tipo": "texto", "obrigatorio": True}, "   ", [OBRIGATORIO]),
        ({"nome": "t", "tipo": "texto", "restricoes": {"max_len": 3}}, " abc ", []),
        ({"nome": "d", "tipo": "data"}, "31/02/2024", ["Informe uma data válida (AAAA-MM-DD ou DD/MM/AAAA)."]),
        ({"nome": "b", "tipo": "booleano", "obrigatorio": True}, "false", [OBRIGATORIO]),
        ({"nome": "s", "tipo": "selecao", "opcoes": ["a", 1]}, "1", []),
        ({"nome": "s", "tipo": "selecao", "opcoes": ["a", 1]}, "b", ["Escolha uma das opções: a ou 1."]),
        ({"nome": "f", "tipo": "arquivo", "restricoes": {"extensoes": ["pdf"]}}, "NOTA.PDF", []),
        (
            {"nome": "f", "tipo": "arquivo", "restricoes": {"extensoes": ["pdf", "png"]}},
            "nota",
            ["Envie um arquivo pdf ou png."],
        ),
        ({"nome": "e", "tipo": "email", "mensagens": {"invalido": "E-mail?"}}, "a@b", ["E-mail?"]),
    ],
)
def test_as_regras_de_cada_campo_dao_as_mensagens_da_spec(campo, enviado, esperado):
    assert erros_do_campo(campo, enviado) == esperado


def _telas(spec):
    telas = spec["spec_interface"]["telas"]
    return [_Tela(t, {x["id"]: parametros_da_url(x) for x in telas}) for t in telas]


@pytest.mark.parametrize(
    ("dado", "espera", "motivo"),
    [
        ({"categoria": "outros", "inexistente": 1}, None, "nenhuma tela tem todos os campos do caso"),
        ({"tela": "nova_solicitacao", "status": "pago"}, None, "status: não é campo da tela nova_solicitacao"),
        ({"tela": "tela_x"}, None, "não é tela da spec"),
        ({"tela": "nova_solicitacao", "acao": "cancelar"}, None, "só navega para minhas_solicitacoes"),
        (
            {"tela": "nova_solicitacao"},
            {"tela": "aprovacao_gestor"},
            "nenhuma ação da tela nova_solicitacao que envia os campos leva à tela aprovacao_gestor",
        ),
        ({"tela": "nova_solicitacao"}, {"protocolo": "123"}, "espera.protocolo não se observa na interface"),
        ({"tela": "nova_solicitacao"}, {"erro": {"campo": "nada"}}, "nada não é campo da tela"),
        ({"tela": "nova_solicitacao", "descricao": ["a", "b"]}, None, "dado.descricao é uma estrutura"),
    ],
)
def test_caso_que_nao_vira_teste_e_relatado_com_o_motivo(dado, espera, motivo):
    plano = planejar_caso(_telas(spec_de_exemplo("spec_004")), CasoDeTeste("caso_01", "caso", "", dado, espera))
    assert isinstance(plano, NaoTestavel)
    assert plano.caso == "caso_01"
    assert motivo in plano.motivo


def test_campos_em_mais_de_uma_tela_pedem_a_tela():
    spec = spec_de_exemplo("spec_004")
    plano = planejar_caso(_telas(spec), CasoDeTeste("combinacao_01", "combinacao", "", {}, None))
    assert isinstance(plano, NaoTestavel)
    assert "mais de uma tela" in plano.motivo


def test_o_esperado_de_um_caso_vem_das_regras_e_da_acao():
    telas = _telas(spec_de_exemplo("spec_004"))
    tela, plano = planejar_caso(
        telas,
        CasoDeTeste("c", "combinacao", "", {"categoria": "outros", "valor_total": 0.0, "comprovante": "a.gif"}, None),
    )
    assert tela == "nova_solicitacao"
    assert plano["esperado"] == {
        "valido": False,
        "erros": {
            "valor_total": ["Informe um valor maior ou igual a 0.01."],
            "comprovante": ["Envie o comprovante em PDF ou imagem (JPG, PNG)."],
        },
        "exatos": True,
    }
    _, plano = planejar_caso(
        telas,
        CasoDeTeste("c", "combinacao", "", {"categoria": "outros", "valor_total": 7200, "comprovante": "a.jpg"}, None),
    )
    assert plano["esperado"]["destino"] == {"tela": "minhas_solicitacoes", "parametros": {}}
    chamada = plano["esperado"]["chamada"]
    assert (chamada["metodo"], chamada["endpoint"]) == ("POST", "/api/reembolsos/")
    assert chamada["dados"]["valor_total"] == "7200"
    assert chamada["dados"]["comprovante"] == "a.jpg"
    assert chamada["dados"]["observacoes"] == ""


def test_template_do_repositorio_de_specs_sobrepoe_o_do_projeto(tmp_path):
    sobreposto = tmp_path / "repo" / "_catalogo" / "templates" / "I"
    sobreposto.mkdir(parents=True)
    sobreposto.joinpath("base.html.j2").write_text(
        "{% raw %}<html><body>MARCA DO CATÁLOGO{% block conteudo %}{% endblock %}</body></html>{% endraw %}\n"
    )
    spec = spec_de_exemplo("spec_004")
    producao = produzir(WorkerInterface(), spec, [], tmp_path / "saida", repositorio=tmp_path / "repo")
    base = next(a for a in producao.codigo if a.caminho.endswith("interface/base.html"))
    assert "MARCA DO CATÁLOGO" in base.conteudo


def test_textos_da_spec_nao_viram_codigo(tmp_path):
    spec = copy.deepcopy(SPEC_CAMPOS)
    spec["spec_interface"]["telas"][0]["campos"][0]["rotulo"] = "x'); import os; os.system('false') #"
    producao = produzir(WorkerInterface(), spec, [], tmp_path)
    forms = next(a for a in producao.codigo if a.caminho.endswith("forms.py"))
    assert "label=\"x'); import os; os.system('false') #\"" in forms.conteudo
    compile(forms.conteudo, "forms.py", "exec")


def test_template_sobreposto_que_gera_codigo_quebrado_e_recusado_antes_de_rodar(tmp_path):
    from fabrica.erros import DadosInvalidos

    sobreposto = tmp_path / "_catalogo" / "templates" / "I"
    sobreposto.mkdir(parents=True)
    sobreposto.joinpath("apps.py.j2").write_text("class InterfaceConfig(:\n")
    sobreposto.joinpath("tela.html.j2").write_text("{% raw %}{% if %}{% endraw %}\n")
    spec = spec_de_exemplo("spec_004")
    with pytest.raises(DadosInvalidos, match=r"apps\.py não é Python válido \(linha 1\)"):
        produzir(WorkerInterface(), spec, [], tmp_path / "saida", repositorio=tmp_path)
    sobreposto.joinpath("apps.py.j2").unlink()
    with pytest.raises(DadosInvalidos, match=r"nova_solicitacao\.html não compila"):
        produzir(WorkerInterface(), spec, [], tmp_path / "saida", repositorio=tmp_path)
