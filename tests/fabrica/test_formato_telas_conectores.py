"""The I and C sections of the spec format: field rules, URL parameters, endpoint parameters,
declared errors, cache and cenarios — each refusal names the field and says what was expected."""

from __future__ import annotations

import copy

import pytest

from fabrica.specs.formato import validar_spec
from tests.fabrica.gerados import spec_de_exemplo

NOVA = ("spec_interface", "telas", 0)


def _campo(spec, j):
    return spec["spec_interface"]["telas"][0]["campos"][j]


def _endpoint(spec, j=0):
    return spec["spec_integracao"]["conectores"][0]["endpoints"][j]


def _conector(spec):
    return spec["spec_integracao"]["conectores"][0]


CASOS_I = [
    (
        "restricao fora do tipo",
        lambda s: _campo(s, 2)["restricoes"].update(min_len=2),
        "spec_interface.telas[0].campos[2].restricoes.min_len",
        "min_len não se aplica ao tipo decimal",
    ),
    (
        "extensao so em arquivo",
        lambda s: _campo(s, 0).update(restricoes={"extensoes": ["pdf"]}),
        "spec_interface.telas[0].campos[0].restricoes.extensoes",
        "extensoes não se aplica ao tipo texto",
    ),
    (
        "min maior que max",
        lambda s: _campo(s, 2)["restricoes"].update(max=0),
        "spec_interface.telas[0].campos[2].restricoes.min",
        "min maior que max",
    ),
    (
        "regex invalida",
        lambda s: _campo(s, 0).update(restricoes={"padrao": "(["}),
        "spec_interface.telas[0].campos[0].restricoes.padrao",
        "expressão regular inválida",
    ),
    (
        "padrao obrigatorio sem exemplo",
        lambda s: _campo(s, 0).update(restricoes={"padrao": "^[A-Z]"}),
        "spec_interface.telas[0].campos[0].exemplo",
        "exigido por restricoes.padrao",
    ),
    (
        "exemplo que quebra a regra",
        lambda s: _campo(s, 2).update(exemplo=0),
        "spec_interface.telas[0].campos[2].exemplo",
        "menor que min (0.01)",
    ),
    (
        "exemplo fora das opcoes",
        lambda s: _campo(s, 1).update(exemplo="avião"),
        "spec_interface.telas[0].campos[1].exemplo",
        "não é uma das opcoes",
    ),
    (
        "mensagem de regra ausente",
        lambda s: _campo(s, 0).update(mensagens={"max_len": "curto"}),
        "spec_interface.telas[0].campos[0].mensagens.max_len",
        "nunca apareceria",
    ),
    (
        "mensagem desconhecida",
        lambda s: _campo(s, 0).update(mensagens={"tamanho": "x"}),
        "spec_interface.telas[0].campos[0].mensagens.tamanho",
        "campo desconhecido",
    ),
    (
        "campo reservado",
        lambda s: _campo(s, 0).update(nome="acao"),
        "spec_interface.telas[0].campos[0].nome",
        "nome reservado: acao",
    ),
    (
        "campo palavra do Python",
        lambda s: _campo(s, 0).update(nome="class"),
        "spec_interface.telas[0].campos[0].nome",
        "palavra reservada do Python",
    ),
    (
        "tela reservada",
        lambda s: s["spec_interface"]["telas"][1].update(id="base"),
        "spec_interface.telas[1].id",
        "id reservado",
    ),
    (
        "destino sem o parametro da url",
        lambda s: s["spec_interface"]["telas"][1]["acoes"][1].update(tela_destino="aprovacao_gestor"),
        "spec_interface.telas[1].acoes[1].tela_destino",
        "precisa de {id} na URL",
    ),
    (
        "campo com nome de parametro da url",
        lambda s: s["spec_interface"]["telas"][2]["campos"][0].update(nome="id"),
        "spec_interface.telas[2].campos[0].nome",
        "já é parâmetro da URL",
    ),
]

CASOS_C = [
    (
        "parametro do caminho opcional",
        lambda s: _endpoint(s)["parametros"]["cep"].update(obrigatorio=False),
        "parametros.cep.obrigatorio",
        "sempre obrigatório",
    ),
    (
        "padrao em int",
        lambda s: _endpoint(s)["parametros"]["cep"].update(tipo="int"),
        "parametros.cep.padrao",
        "padrao só se aplica ao tipo str",
    ),
    (
        "exemplo que quebra o padrao",
        lambda s: _endpoint(s)["parametros"]["cep"].update(exemplo="123"),
        "parametros.cep.exemplo",
        "não casa com o padrao",
    ),
    (
        "escolha de outro tipo",
        lambda s: _endpoint(s)["parametros"].update(n={"tipo": "int", "escolhas": [1, "dois"]}),
        "parametros.n.escolhas[1]",
        "não é do tipo int",
    ),
    ("parametro reservado", lambda s: _endpoint(s)["parametros"].update(payload={}), "parametros.payload", "reservado"),
    ("erro 2xx sem corpo", lambda s: _endpoint(s)["erros"][0].pop("corpo"), "erros[0].corpo", "seria todo sucesso"),
    (
        "erro 3xx",
        lambda s: _endpoint(s)["erros"].append({"status": 301, "corpo": {}, "mensagem": "x"}),
        "erros[2].status",
        "não são erros",
    ),
    (
        "erro repetido",
        lambda s: _endpoint(s)["erros"].append({"status": 400, "mensagem": "outra"}),
        "erros[2].status",
        "erro duplicado",
    ),
    (
        "cenario de parametro desconhecido",
        lambda s: _conector(s)["cenarios"].update(rede={"a": "normal"}),
        "cenarios.rede",
        "não é parâmetro de schema_tdd.parametros",
    ),
    (
        "cenario com classe desconhecida",
        lambda s: _conector(s)["cenarios"]["resposta_api"].update(talvez="normal"),
        "cenarios.resposta_api.talvez",
        "não é classe",
    ),
    (
        "cenario sem uma classe",
        lambda s: _conector(s)["cenarios"]["resposta_api"].pop("lenta"),
        "cenarios.resposta_api",
        "faltam as classes lenta",
    ),
    (
        "cenario misturado",
        lambda s: _conector(s)["cenarios"]["cache"].update(vazio="lenta"),
        "cenarios.cache",
        "não os dois",
    ),
    ("cenario de cache sem cache", lambda s: _conector(s).pop("cache"), "cenarios.cache", "declare cache.ttl_s"),
    (
        "comportamento desconhecido",
        lambda s: _conector(s)["cenarios"]["resposta_api"].update(ok="rapida"),
        "cenarios.resposta_api.ok",
        "valor inválido",
    ),
    ("conector com nome reservado", lambda s: _conector(s).update(nome="mock"), "conectores[0].nome", "nome reservado"),
    (
        "endpoint palavra do Python",
        lambda s: _endpoint(s).update(nome="import"),
        "endpoints[0].nome",
        "palavra reservada do Python",
    ),
]


@pytest.mark.parametrize(("nome", "mudar", "campo", "mensagem"), CASOS_I, ids=[c[0] for c in CASOS_I])
def test_regras_da_interface(nome, mudar, campo, mensagem):
    spec = copy.deepcopy(spec_de_exemplo("spec_004"))
    mudar(spec)
    erros = {e.campo: e.mensagem for e in validar_spec(spec)}
    assert campo in erros, erros
    assert mensagem in erros[campo]


@pytest.mark.parametrize(("nome", "mudar", "campo", "mensagem"), CASOS_C, ids=[c[0] for c in CASOS_C])
def test_regras_da_integracao(nome, mudar, campo, mensagem):
    spec = copy.deepcopy(spec_de_exemplo("spec_005"))
    mudar(spec)
    erros = {e.campo: e.mensagem for e in validar_spec(spec)}
    cheio = next((c for c in erros if c.endswith(campo)), None)
    assert cheio is not None, erros
    assert mensagem in erros[cheio]


def test_cache_sem_get_e_recusado():
    spec = copy.deepcopy(spec_de_exemplo("spec_005"))
    for endpoint in _conector(spec)["endpoints"]:
        endpoint["metodo"] = "POST"
    erros = {e.campo: e.mensagem for e in validar_spec(spec)}
    assert "não tem endpoint GET" in erros["spec_integracao.conectores[0].cache"]


def test_as_amostras_com_as_novas_regras_sao_validas():
    for spec_id in ("spec_004", "spec_005"):
        assert validar_spec(spec_de_exemplo(spec_id)) == []


def test_parametro_com_padrao_sem_exemplo_e_recusado():
    spec = copy.deepcopy(spec_de_exemplo("spec_005"))
    del _endpoint(spec)["parametros"]["cep"]["exemplo"]
    erros = {e.campo: e.mensagem for e in validar_spec(spec)}
    assert "exigido por padrao" in erros["spec_integracao.conectores[0].endpoints[0].parametros.cep.exemplo"]
