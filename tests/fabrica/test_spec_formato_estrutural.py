"""Vertente E of the spec format: the machine form of a method (expressao, exige) and the
attribute's exemplo are checked when the spec is validated, each refusal naming its field.

Pure Python: no database, no Django.
"""

from __future__ import annotations

import copy

import pytest

from fabrica.specs.formato import validar_spec

BASE: dict = {
    "id": "spec_e",
    "titulo": "Pedidos",
    "vertentes": ["E"],
    "runtime": {"apis_externas": [], "gpu": False, "containers_necessarios": []},
    "schema_tdd": {"parametros": {"quantidade": [1, 5]}},
    "spec_poo": {
        "classes": [
            {
                "nome": "Pedido",
                "atributos": [
                    {"nome": "preco", "tipo": "decimal", "restricoes": {"min": 0}},
                    {"nome": "quantidade", "tipo": "int", "restricoes": {"min": 1, "max": 99}},
                    {"nome": "codigo", "tipo": "str", "restricoes": {"padrao": "^P[0-9]{3}$"}, "exemplo": "P001"},
                    {"nome": "nota", "tipo": "str", "obrigatorio": False},
                ],
                "metodos": [
                    {
                        "nome": "total",
                        "parametros": [{"nome": "desconto", "tipo": "decimal"}],
                        "retorna": "decimal",
                        "exige": [{"condicao": "0 <= desconto <= 1", "mensagem": "desconto é uma fração"}],
                        "expressao": "round(preco * quantidade * (1 - desconto), 2)",
                    },
                    {"nome": "resumo", "retorna": "str", "regras": ["código e total, numa linha"]},
                ],
            }
        ]
    },
}
METODO = "spec_poo.classes[0].metodos[0]"


def _metodo(**mudancas) -> dict:
    spec = copy.deepcopy(BASE)
    spec["spec_poo"]["classes"][0]["metodos"][0].update(mudancas)
    return spec


def _erros(spec: dict) -> dict[str, str]:
    return {e.campo: e.mensagem for e in validar_spec(spec)}


def test_forma_de_maquina_valida():
    assert validar_spec(BASE) == []


@pytest.mark.parametrize(
    ("mudancas", "campo", "trecho"),
    [
        ({"expressao": "__import__('os').system('true')"}, "expressao", "só se chamam as funções permitidas"),
        ({"expressao": "__import__('os')"}, "expressao", "função desconhecida: __import__"),
        ({"expressao": "preco.quantize(1)"}, "expressao", "só se chamam as funções permitidas"),
        ({"expressao": "codigo.upper"}, "expressao", "acesso a atributo (codigo.upper)"),
        ({"expressao": "exec('1')"}, "expressao", "função desconhecida: exec"),
        ({"expressao": "preco * taxa"}, "expressao", "nome desconhecido: taxa"),
        # an optional attribute may be None: not in scope
        ({"expressao": "nota"}, "expressao", "nome desconhecido: nota"),
        ({"expressao": "preco ** 2"}, "expressao", "operador não permitido: **"),
        ({"expressao": "[p for p in codigo]"}, "expressao", "compreensão de lista"),
        ({"expressao": "quantidade > 1"}, "expressao", "é do tipo bool, mas o método retorna decimal"),
        ({"expressao": "preco +"}, "expressao", "sintaxe inválida"),
        ({"expressao": ""}, "expressao", "texto vazio"),
        ({"exige": [{"condicao": "desconto"}]}, "exige[0].condicao", "a condição deve ser booleana"),
        ({"exige": [{"condicao": "open('x')"}]}, "exige[0].condicao", "função desconhecida: open"),
        ({"exige": [{"mensagem": "sem condição"}]}, "exige[0].condicao", "campo obrigatório ausente"),
        ({"expressao": 3}, "expressao", "deve ser um texto"),
        ({"expresao": "preco"}, "expresao", "você quis dizer 'expressao'"),
    ],
)
def test_forma_de_maquina_recusada_no_campo(mudancas, campo, trecho):
    erros = _erros(_metodo(**mudancas))
    assert f"{METODO}.{campo}" in erros, erros
    assert trecho in erros[f"{METODO}.{campo}"]


@pytest.mark.parametrize(
    ("parametro", "trecho"),
    [("preco", "tem o nome de um atributo"), ("len", "esconderia a função len")],
)
def test_parametro_que_torna_a_expressao_ambigua(parametro, trecho):
    spec = _metodo(parametros=[{"nome": parametro, "tipo": "decimal"}], exige=[], expressao="preco")
    assert trecho in _erros(spec)[f"{METODO}.parametros[0].nome"]


def test_metodo_so_com_regras_e_valido_e_sem_expressao_nada_e_analisado():
    spec = _metodo(expressao=None)
    del spec["spec_poo"]["classes"][0]["metodos"][0]["expressao"]
    del spec["spec_poo"]["classes"][0]["metodos"][0]["exige"]
    assert validar_spec(spec) == []


def test_tipo_desconhecido_nao_ecoa_na_expressao():
    erros = _erros(_metodo(retorna="Fatura"))
    assert f"{METODO}.retorna" in erros and f"{METODO}.expressao" not in erros


@pytest.mark.parametrize(
    ("campo", "valor", "caminho", "trecho"),
    [
        ("nome", "_REGRAS", "atributos[0].nome", "reservados ao código gerado"),
        ("nome", "self", "atributos[0].nome", "self é reservado"),
    ],
)
def test_nomes_reservados_ao_codigo_gerado(campo, valor, caminho, trecho):
    spec = copy.deepcopy(BASE)
    spec["spec_poo"]["classes"][0]["atributos"][0][campo] = valor
    erros = _erros(spec)
    assert trecho in erros[f"spec_poo.classes[0].{caminho}"]


@pytest.mark.parametrize("nome", ["str", "object", "Exception", "erros", "modelos"])
def test_nome_de_classe_que_esconderia_um_nome_do_codigo_gerado(nome):
    spec = copy.deepcopy(BASE)
    spec["spec_poo"]["classes"][0]["nome"] = nome
    assert "esconderia um nome do Python" in _erros(spec)["spec_poo.classes[0].nome"]


def test_parametro_float_esconderia_a_conversao():
    spec = _metodo(parametros=[{"nome": "float", "tipo": "int"}], exige=[], expressao="quantidade")
    assert "esconderia a função float" in _erros(spec)[f"{METODO}.parametros[0].nome"]


def test_metodo_com_nome_de_atributo():
    spec = copy.deepcopy(BASE)
    spec["spec_poo"]["classes"][0]["metodos"][1]["nome"] = "codigo"
    assert "já há um atributo codigo" in _erros(spec)["spec_poo.classes[0].metodos[1].nome"]


@pytest.mark.parametrize(
    ("indice", "exemplo", "trecho"),
    [
        (2, "X1", "não casa com o padrao"),
        (2, 7, "não é do tipo str"),
        (1, 0, "é menor que min (1)"),
        (1, 100, "é maior que max (99)"),
        (1, True, "não é do tipo int"),
    ],
)
def test_exemplo_deve_ser_aceito_pelo_atributo(indice, exemplo, trecho):
    spec = copy.deepcopy(BASE)
    spec["spec_poo"]["classes"][0]["atributos"][indice]["exemplo"] = exemplo
    assert trecho in _erros(spec)[f"spec_poo.classes[0].atributos[{indice}].exemplo"]


def test_amostras_tem_metodo_construivel_e_metodo_so_em_linguagem_natural():
    from pathlib import Path

    from fabrica.specs.formato import carregar_spec

    pasta = Path(__file__).resolve().parents[2] / "examples" / "specs-repo" / "specs"
    for arquivo in sorted(pasta.glob("*.yaml")):
        spec = carregar_spec(arquivo.read_text(encoding="utf-8"))
        if "E" not in spec["vertentes"]:
            continue
        metodos = [m for c in spec["spec_poo"]["classes"] for m in c.get("metodos", [])]
        assert any("expressao" in m for m in metodos), arquivo.name
        assert any("expressao" not in m and m.get("regras") for m in metodos), arquivo.name
