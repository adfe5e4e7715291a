"""The expression language of spec_poo methods: what it accepts, what it refuses, and that the
Python it compiles to computes what PROMETHEUS's own evaluation computes."""

from __future__ import annotations

import ast
import datetime
import decimal
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabrica.specs.expressoes import (
    ErroAvaliacao,
    ErroExpressao,
    Simbolo,
    analisar,
    analisar_condicao,
    analisar_retorno,
    avaliar,
    compilar,
    escopo_do_metodo,
)

ESCOPO = {
    "preco": Simbolo("decimal", "atributo"),
    "quantidade": Simbolo("int", "atributo"),
    "peso": Simbolo("float", "atributo"),
    "texto": Simbolo("str", "atributo"),
    "ativo": Simbolo("bool", "atributo"),
    "criada_em": Simbolo("date", "atributo"),
    "itens": Simbolo("list", "atributo"),
    "inicio": Simbolo("int", "parametro"),
    "fim": Simbolo("int", "parametro"),
}
VALORES = {
    "preco": Decimal("10.50"),
    "quantidade": 3,
    "peso": 2.5,
    "texto": "bom dia, doutor",
    "ativo": True,
    "criada_em": datetime.date(2024, 5, 1),
    "itens": [1, 2, 3],
    "inicio": 4,
    "fim": 7,
}


class _Objeto:
    def __init__(self, valores):
        self.__dict__.update(valores)


def _executar(codigo: str, valores: dict):
    """Runs compiled code the way the generated method does: attributes on self, params as locals."""
    self = _Objeto({n: v for n, v in valores.items() if ESCOPO[n].origem == "atributo"})
    parametros = {n: v for n, v in valores.items() if ESCOPO[n].origem == "parametro"}
    return eval(codigo, {"decimal": decimal, "datetime": datetime}, {"self": self, **parametros})  # noqa: S307


@pytest.mark.parametrize(
    ("texto", "tipo", "esperado", "codigo"),
    [
        ("preco * quantidade", "decimal", Decimal("31.50"), "self.preco * self.quantidade"),
        # a float constant beside a decimal is a decimal constant: exact, and mypy-clean
        ("preco * 0.1", "decimal", Decimal("1.050"), "self.preco * decimal.Decimal('0.1')"),
        ("preco * (1 - 0.1)", "decimal", Decimal("9.450"), None),
        ("round(preco / 4, 2)", "decimal", Decimal("2.62"), None),
        ("quantidade / 2", "float", 1.5, "self.quantidade / 2"),
        ("quantidade // 2 + quantidade % 2", "int", 2, None),
        ("max(quantidade, peso)", "float", 3.0, "max(float(self.quantidade), self.peso)"),
        ("min(preco, 2)", "decimal", Decimal("2"), None),
        ("abs(-quantidade)", "int", 3, None),
        ("len(texto) > 3 and ativo", "bool", True, None),
        ("texto[inicio:fim]", "str", "dia", "self.texto[inicio:fim]"),
        ("texto[0]", "str", "b", None),
        ("texto[:3] + '!'", "str", "bom!", None),
        ("0 <= inicio <= fim", "bool", True, "0 <= inicio <= fim"),
        ("criada_em >= '2024-01-01'", "bool", True, "self.criada_em >= datetime.date(2024, 1, 1)"),
        ("'dia' in texto", "bool", True, None),
        ("quantidade in [1, 2, 3]", "bool", True, "self.quantidade in (1, 2, 3)"),
        ("2 in itens", "bool", True, None),
        ("len(itens) if ativo else 0", "int", 3, None),
        ("quantidade if ativo else 0.5", "float", 3.0, "float(self.quantidade) if self.ativo else 0.5"),
        ("not ativo or quantidade > 10", "bool", False, None),
        # the forms linters ask for (E712, E713), same meaning
        ("ativo == True", "bool", True, "self.ativo"),
        ("not texto in ['a']", "bool", True, "self.texto not in ('a',)"),
    ],
)
def test_expressao_aceita_compila_e_avalia(texto, tipo, esperado, codigo):
    expressao = analisar(texto, ESCOPO)
    assert expressao.tipo == tipo
    resultado = avaliar(expressao, VALORES)
    assert resultado == esperado and type(resultado) is type(esperado)
    compilado, _ = compilar(expressao)
    if codigo is not None:
        assert compilado == codigo
    executado = _executar(compilado, VALORES)
    assert executado == resultado and type(executado) is type(resultado)


@pytest.mark.parametrize(
    ("texto", "mensagem"),
    [
        ("__import__('os')", "função desconhecida: __import__"),
        ("eval('1')", "função desconhecida: eval"),
        ("open('/etc/passwd')", "função desconhecida: open"),
        ("getattr(texto, 'upper')", "função desconhecida: getattr"),
        ("texto.upper()", "só se chamam as funções permitidas"),
        ("texto.upper", "acesso a atributo (texto.upper)"),
        ("().__class__", "acesso a atributo"),
        ("(lambda: 1)()", "só se chamam as funções permitidas"),
        ("lambda: 1", "construção não permitida: lambda"),
        ("[c for c in texto]", "compreensão de lista"),
        ("f'{texto}'", "f-string"),
        ("(n := 1)", "atribuição (:=)"),
        ("{1: 2}", "dicionário literal"),
        ("{1}", "conjunto literal"),
        ("[1, 2]", "lista literal só à direita de in"),
        ("__builtins__", "nomes com __ não são permitidos"),
        ("self", "nome desconhecido: self"),
        ("desconto * 2", "nome desconhecido: desconto"),
        ("print", "nome desconhecido: print"),
        ("quantidade ** 2", "operador não permitido: **"),
        ("quantidade << 2", "operador não permitido: <<"),
        ("quantidade is 1", "operador não permitido: is"),
        ("preco * peso", "decimal não se mistura com float"),
        ("quantidade and ativo", "and/or exigem booleanos"),
        ("not quantidade", "not exige um booleano"),
        ("1 if quantidade else 2", "a condição de if deve ser booleana"),
        ("'a' if ativo else 1", "os dois ramos de if devem ter o mesmo tipo"),
        ("texto < 1", "não se compara str com int"),
        ("texto - 'a'", "o operador - não se aplica a str e str"),
        ("criada_em > 'ontem'", "deve ser AAAA-MM-DD"),
        ("itens[0]", "índice e fatia só se aplicam a texto"),
        ("texto[1:5:2]", "fatia com passo não é permitida"),
        ("texto[peso]", "índice deve ser int"),
        ("len(texto, 1)", "len recebe um texto"),
        ("max(1)", "max recebe dois ou mais valores"),
        ("round(preco, key=1)", "round aceita só argumentos posicionais"),
        ("None", "constante não permitida"),
        ("b'x'", "constante não permitida"),
        ("1j", "constante não permitida"),
        ("1e999", "constante numérica não finita"),
        ("quantidade +", "sintaxe inválida"),
        ("x = 1", "sintaxe inválida"),
        ("quantidade; 1", "sintaxe inválida"),
        ("", "não vazio"),
        ("quantidade + " * 100 + "1", "no máximo 500 caracteres"),
        ("-" * 250 + "quantidade", "grande demais"),
    ],
)
def test_expressao_recusada(texto, mensagem):
    with pytest.raises(ErroExpressao, match=re.escape(mensagem)):
        analisar(texto, ESCOPO)


def test_recusa_diz_a_coluna():
    with pytest.raises(ErroExpressao, match=r"coluna 14\)"):
        analisar("quantidade + desconto", ESCOPO)


def test_retorno_confere_o_tipo_do_metodo():
    assert analisar_retorno("quantidade * 2", ESCOPO, "float").tipo == "float"
    decimal_de_int = analisar_retorno("quantidade * 2", ESCOPO, "decimal")
    assert decimal_de_int.tipo == "decimal" and avaliar(decimal_de_int, VALORES) == Decimal(6)
    assert compilar(decimal_de_int)[0] == "decimal.Decimal(self.quantidade * 2)"
    assert avaliar(analisar_retorno("0.5", ESCOPO, "decimal"), VALORES) == Decimal("0.5")
    with pytest.raises(ErroExpressao, match="é do tipo float, mas o método retorna int"):
        analisar_retorno("peso * 2", ESCOPO, "int")
    with pytest.raises(ErroExpressao, match="deve ser booleana"):
        analisar_condicao("quantidade + 1", ESCOPO)


def test_curto_circuito_como_no_python():
    valores = {**VALORES, "quantidade": 0}
    expressao = analisar("quantidade != 0 and 10 / quantidade > 1", ESCOPO)
    assert avaliar(expressao, valores) is False
    with pytest.raises(ZeroDivisionError):
        avaliar(analisar("10 / quantidade", ESCOPO), valores)


def test_avaliacao_recusa_resultado_enorme():
    with pytest.raises(ErroAvaliacao):
        avaliar(analisar("texto * 999999999", ESCOPO), VALORES)


def test_escopo_tem_atributos_obrigatorios_e_parametros():
    classe = {
        "nome": "C",
        "atributos": [{"nome": "a", "tipo": "int"}, {"nome": "b", "tipo": "str", "obrigatorio": False}],
    }
    escopo = escopo_do_metodo(classe, {"nome": "m", "parametros": [{"nome": "p", "tipo": "date"}]})
    assert escopo == {"a": Simbolo("int", "atributo"), "p": Simbolo("date", "parametro")}


_EXPRESSOES_NUMERICAS = [
    "preco * quantidade - 0.25",
    "round(preco / quantidade, 2)",
    "preco // quantidade + preco % quantidade",
    "abs(inicio - fim) * peso",
    "max(inicio, fim, quantidade) / min(quantidade, 7)",
    "inicio * 3 if inicio <= fim else fim // 2",
    "0 <= inicio <= fim and not quantidade in [2, 4]",
]


@settings(max_examples=60, deadline=None)
@given(
    preco=st.decimals(min_value=-10_000, max_value=10_000, places=2),
    quantidade=st.integers(min_value=-50, max_value=50),
    peso=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    inicio=st.integers(min_value=-20, max_value=20),
    fim=st.integers(min_value=-20, max_value=20),
)
def test_codigo_compilado_calcula_o_mesmo_que_a_avaliacao(preco, quantidade, peso, inicio, fim):
    """The property the generated tests rely on: compiled code and PROMETHEUS's evaluation agree,
    result and exception alike."""
    valores = {**VALORES, "preco": preco, "quantidade": quantidade, "peso": peso, "inicio": inicio, "fim": fim}
    for texto in _EXPRESSOES_NUMERICAS:
        expressao = analisar(texto, ESCOPO)
        try:
            esperado = avaliar(expressao, valores)
        except ArithmeticError as exc:
            with pytest.raises(type(exc)):
                _executar(compilar(expressao)[0], valores)
            continue
        with decimal.localcontext(decimal.Context()):
            obtido = _executar(compilar(expressao)[0], valores)
        assert obtido == esperado and type(obtido) is type(esperado), texto


_PECAS = [
    "preco", "quantidade", "peso", "texto", "ativo", "inicio", "fim", "itens", "os", "__import__",
    "1", "0.5", "'a'", "True", "+", "-", "*", "/", "//", "%", "**", "(", ")", "[", "]", ",", ":", ".",
    "==", "<", ">=", " in ", " not ", " and ", " or ", " if ", " else ", "len", "round", "max", "lambda",
    "upper", "system", "'2024-01-01'", "=", ";", "{", "}", "@", "f'", "\\n",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PECAS), min_size=1, max_size=12))
def test_qualquer_texto_e_recusado_ou_compila_so_para_o_permitido(pecas):
    """Whatever the text, analysis either refuses it or yields code that reads only self's
    attributes and parameters and calls only the five functions, float and Decimal/date."""
    try:
        expressao = analisar("".join(pecas), ESCOPO)
    except ErroExpressao:
        return
    codigo, _ = compilar(expressao)
    for no in ast.walk(ast.parse(codigo, mode="eval")):
        if isinstance(no, ast.Attribute):
            assert (isinstance(no.value, ast.Name) and no.value.id == "self" and no.attr in ESCOPO) or (
                ast.unparse(no) in ("decimal.Decimal", "datetime.date")
            ), codigo
        elif isinstance(no, ast.Call):
            assert ast.unparse(no.func) in (
                "abs",
                "len",
                "max",
                "min",
                "round",
                "float",
                "decimal.Decimal",
                "datetime.date",
            )
        elif isinstance(no, ast.Name):
            assert no.id in ESCOPO or no.id in (
                "self",
                "decimal",
                "datetime",
                "abs",
                "len",
                "max",
                "min",
                "round",
                "float",
            )
        else:
            assert not isinstance(no, ast.Lambda | ast.NamedExpr | ast.comprehension | ast.Starred), codigo
