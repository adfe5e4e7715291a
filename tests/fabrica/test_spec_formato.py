"""The spec format: schema, field-path errors, semantic rules, YAML loading, size measures.

Pure Python: no database, no Django.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from fabrica.erros import DadosInvalidos
from fabrica.precificacao.modelo import unidades
from fabrica.specs.formato import (
    SPEC_SCHEMA,
    ErroCampo,
    SpecInvalida,
    carregar_spec,
    tamanho_por_vertente,
    validar_spec,
)

AMOSTRAS = sorted((Path(__file__).resolve().parents[2] / "examples" / "specs-repo" / "specs").glob("*.yaml"))

# A small spec with all five vertentes, so every section can be broken from a valid start.
BASE: dict = {
    "id": "spec_teste",
    "titulo": "Spec de teste",
    "vertentes": ["E", "P", "D", "I", "C"],
    "depende_de": ["spec_outra"],
    "runtime": {"apis_externas": ["cep_api"], "gpu": False, "containers_necessarios": ["postgres"]},
    "requisitos_nao_funcionais": {"tps": 5, "usuarios": 10, "pico": "seg 9h"},
    "schema_tdd": {
        "cobertura": "pairwise",
        "parametros": {"idioma": ["pt", "en"], "formato": ["mp3", "wav"]},
        "restricoes": [{"idioma": "en", "formato": "wav"}],
        "casos": [{"dado": {"idioma": "pt"}, "espera": {"ok": True}}],
    },
    "spec_poo": {
        "classes": [
            {
                "nome": "Pedido",
                "atributos": [
                    {"nome": "numero", "tipo": "int", "restricoes": {"min": 1}},
                    {"nome": "cliente", "tipo": "str", "obrigatorio": True},
                ],
                "metodos": [
                    {"nome": "total", "parametros": [{"nome": "desconto", "tipo": "decimal"}], "retorna": "decimal"}
                ],
            }
        ]
    },
    "spec_bpmn": {
        "processos": [
            {
                "id": "aprovacao",
                "nome": "Aprovação",
                "inicio": "inicio",
                "fim": "fim",
                "tarefas": [
                    {"id": "revisar", "nome": "Revisar", "tipo": "usuario"},
                    {"id": "arquivar", "nome": "Arquivar", "tipo": "servico"},
                ],
                "gateways": [
                    {
                        "id": "aprovado",
                        "tipo": "exclusivo",
                        "padrao": "fim",
                        "condicoes": [
                            {"para": "arquivar", "quando": {"variavel": "valor", "operador": ">", "valor": 100}}
                        ],
                    }
                ],
                "fluxos": [
                    {"de": "inicio", "para": "revisar"},
                    {"de": "revisar", "para": "aprovado"},
                    {"de": "aprovado", "para": "arquivar"},
                    {"de": "aprovado", "para": "fim"},
                    {"de": "arquivar", "para": "fim"},
                ],
            }
        ]
    },
    "spec_dmn": {
        "decisoes": [
            {
                "id": "risco",
                "nome": "Risco",
                "politica": "UNIQUE",
                "entradas": [{"nome": "idade", "tipo": "int"}],
                "saidas": [{"nome": "nivel", "tipo": "str"}],
                "regras": [
                    {"quando": {"idade": {"operador": "<", "valor": 18}}, "entao": {"nivel": "alto"}},
                    {"quando": {"idade": {"operador": ">=", "valor": 18}}, "entao": {"nivel": "baixo"}},
                ],
            }
        ]
    },
    "spec_interface": {
        "telas": [
            {
                "id": "cadastro",
                "titulo": "Cadastro",
                "campos": [{"nome": "uf", "tipo": "selecao", "opcoes": ["SP", "RJ"]}],
                "acoes": [{"nome": "salvar", "endpoint": "/api/pedidos/", "metodo": "POST"}],
            }
        ]
    },
    "spec_integracao": {
        "conectores": [
            {
                "nome": "cep",
                "api": "cep_api",
                "base_url": "https://cep.exemplo.com",
                "endpoints": [{"nome": "consultar", "metodo": "GET", "caminho": "/{cep}", "resposta": {"uf": "str"}}],
            }
        ]
    },
}


def _campos(erros: list[ErroCampo]) -> list[str]:
    return [e.campo for e in erros]


# --- samples --------------------------------------------------------------------------------


def test_schema_e_um_json_schema_2020_12_valido():
    Draft202012Validator.check_schema(SPEC_SCHEMA)


def test_base_dos_testes_e_valida():
    assert validar_spec(BASE) == []


@pytest.mark.parametrize("caminho", AMOSTRAS, ids=lambda p: p.name)
def test_cada_amostra_e_valida_e_tem_o_id_do_arquivo(caminho: Path):
    spec = carregar_spec(caminho.read_text(encoding="utf-8"))
    assert spec["id"] == caminho.stem


def test_amostras_cobrem_as_cinco_vertentes_e_os_tres_tipos_de_gap():
    specs = {p.stem: carregar_spec(p.read_text(encoding="utf-8")) for p in AMOSTRAS}
    assert 5 <= len(specs) <= 6
    assert {v for s in specs.values() for v in s["vertentes"]} == {"E", "P", "D", "I", "C"}
    # seed 3.3: Whisper + GPU, exactly the two gaps
    assert specs["spec_001"]["runtime"] == {
        **specs["spec_001"]["runtime"],
        "apis_externas": ["whisper_api"],
        "gpu": True,
        "containers_necessarios": [],
    }
    sem_gap = specs["spec_002"]["runtime"]
    assert (sem_gap["apis_externas"], sem_gap["gpu"], sem_gap["containers_necessarios"]) == ([], False, ["postgres"])
    assert any(s["depende_de"] for s in specs.values())
    assert any("viacep_api" in s["runtime"]["apis_externas"] for s in specs.values())


# --- errors name the field ------------------------------------------------------------------


def _sem(chave: str) -> dict:
    spec = copy.deepcopy(BASE)
    del spec[chave]
    return spec


def _com(caminho: str, valor) -> dict:
    """BASE with the value at a dotted path (list indices as numbers) replaced."""
    spec = copy.deepcopy(BASE)
    alvo = spec
    partes = [int(p) if p.isdigit() else p for p in caminho.split(".")]
    for parte in partes[:-1]:
        alvo = alvo[parte]
    alvo[partes[-1]] = valor
    return spec


CASOS_INVALIDOS = [
    # (nome, spec, campo esperado, trecho da mensagem)
    (
        "tipo errado número",
        _com("requisitos_nao_funcionais.tps", "muito"),
        "requisitos_nao_funcionais.tps",
        "um número",
    ),
    ("tipo errado booleano", _com("runtime.gpu", "sim"), "runtime.gpu", "booleano"),
    ("tps negativo", _com("requisitos_nao_funcionais.tps", -1), "requisitos_nao_funcionais.tps", "maior ou igual a 0"),
    ("campo obrigatório ausente", _sem("titulo"), "titulo", "campo obrigatório ausente: titulo"),
    (
        "obrigatório aninhado",
        _com("spec_poo.classes.0.atributos.0", {"tipo": "int"}),
        "spec_poo.classes[0].atributos[0].nome",
        "campo obrigatório ausente: nome",
    ),
    ("vertente desconhecida", _com("vertentes", ["E", "X"]), "vertentes[1]", "deve ser um dos valores: E, P, D, I, C"),
    ("vertentes vazia", _com("vertentes", []), "vertentes", "lista vazia não é permitida"),
    ("vertente sem sua seção", _sem("spec_bpmn"), "spec_bpmn", "campo obrigatório ausente: spec_bpmn"),
    ("seção sem sua vertente", _com("vertentes", ["E", "D", "I", "C"]), "spec_bpmn", "vertente P"),
    ("id com maiúsculas", _com("id", "Spec-1"), "id", "letras minúsculas"),
    ("campo de topo desconhecido", {**_sem("titulo"), "titlo": "x"}, "titlo", "você quis dizer 'titulo'"),
    ("depende de si mesma", _com("depende_de", ["spec_teste"]), "depende_de[0]", "si mesma"),
    (
        "valor duplicado no domínio",
        _com("schema_tdd.parametros.idioma", ["pt", "en", "pt"]),
        "schema_tdd.parametros.idioma",
        "valor duplicado: 'pt'",
    ),
    (
        "domínio vazio",
        _com("schema_tdd.parametros.idioma", []),
        "schema_tdd.parametros.idioma",
        "lista vazia não é permitida",
    ),
    (
        "nome de parâmetro inválido",
        _com("schema_tdd.parametros", {"meu idioma": ["pt"]}),
        "schema_tdd.parametros.meu idioma",
        "nome inválido",
    ),
    (
        "cobertura desconhecida",
        _com("schema_tdd.cobertura", "total"),
        "schema_tdd.cobertura",
        "pairwise, exaustiva, cada_valor",
    ),
    (
        "restrição com parâmetro desconhecido",
        _com("schema_tdd.restricoes", [{"idiomaa": "pt"}]),
        "schema_tdd.restricoes[0].idiomaa",
        "parâmetro desconhecido",
    ),
    (
        "restrição com valor fora do domínio",
        _com("schema_tdd.restricoes", [{"formato": "ogg"}]),
        "schema_tdd.restricoes[0].formato",
        "fora do domínio",
    ),
    (
        "tipo de atributo inválido",
        _com("spec_poo.classes.0.atributos.1.tipo", "texto"),
        "spec_poo.classes[0].atributos[1].tipo",
        "deve ser um dos valores: str, int",
    ),
    (
        "atributo duplicado",
        _com("spec_poo.classes.0.atributos.1.nome", "numero"),
        "spec_poo.classes[0].atributos[1].nome",
        "duplicado",
    ),
    (
        "restrição que não se aplica ao tipo",
        _com("spec_poo.classes.0.atributos.0.restricoes", {"max_len": 3}),
        "spec_poo.classes[0].atributos[0].restricoes.max_len",
        "não se aplica ao tipo int",
    ),
    (
        "regex inválida",
        _com("spec_poo.classes.0.atributos.1.restricoes", {"padrao": "([a-z"}),
        "spec_poo.classes[0].atributos[1].restricoes.padrao",
        "expressão regular inválida",
    ),
    (
        "retorno de tipo desconhecido",
        _com("spec_poo.classes.0.metodos.0.retorna", "Fatura"),
        "spec_poo.classes[0].metodos[0].retorna",
        "tipo desconhecido: Fatura",
    ),
    (
        "chave desconhecida em atributo",
        _com("spec_poo.classes.0.atributos.0.obrigatoria", True),
        "spec_poo.classes[0].atributos[0].obrigatoria",
        "você quis dizer 'obrigatorio'",
    ),
    (
        "fluxo para tarefa desconhecida",
        _com("spec_bpmn.processos.0.fluxos.1.para", "aprovadoo"),
        "spec_bpmn.processos[0].fluxos[1].para",
        "id desconhecido: aprovadoo",
    ),
    (
        "id de tarefa duplicado",
        _com("spec_bpmn.processos.0.tarefas.1.id", "revisar"),
        "spec_bpmn.processos[0].tarefas[1].id",
        "id duplicado",
    ),
    (
        "condição para destino sem fluxo",
        _com("spec_bpmn.processos.0.gateways.0.condicoes.0.para", "revisar"),
        "spec_bpmn.processos[0].gateways[0].condicoes[0].para",
        "não há fluxo de aprovado para revisar",
    ),
    (
        "operador desconhecido",
        _com("spec_bpmn.processos.0.gateways.0.condicoes.0.quando.operador", "=~"),
        "spec_bpmn.processos[0].gateways[0].condicoes[0].quando.operador",
        "deve ser um dos valores: ==, !=",
    ),
    (
        "in com valor escalar",
        _com(
            "spec_bpmn.processos.0.gateways.0.condicoes.0.quando", {"variavel": "uf", "operador": "in", "valor": "SP"}
        ),
        "spec_bpmn.processos[0].gateways[0].condicoes[0].quando.valor",
        "uma lista",
    ),
    (
        "saída de exclusivo sem condição",
        _com("spec_bpmn.processos.0.gateways.0.padrao", "arquivar"),
        "spec_bpmn.processos[0].gateways[0].condicoes",
        "o fluxo para fim não tem condição",
    ),
    (
        "fluxo saindo do fim",
        _com("spec_bpmn.processos.0.fluxos.4.de", "fim"),
        "spec_bpmn.processos[0].fluxos[4].de",
        "o fim não tem fluxos de saída",
    ),
    (
        "entrada DMN desconhecida",
        _com("spec_dmn.decisoes.0.regras.0.quando", {"idad": {"operador": "<", "valor": 18}}),
        "spec_dmn.decisoes[0].regras[0].quando.idad",
        "entrada desconhecida: idad",
    ),
    (
        "saída DMN desconhecida",
        _com("spec_dmn.decisoes.0.regras.0.entao", {"nivel": "alto", "cor": "azul"}),
        "spec_dmn.decisoes[0].regras[0].entao.cor",
        "saída desconhecida: cor",
    ),
    (
        "então vazio",
        _com("spec_dmn.decisoes.0.regras.1.entao", {}),
        "spec_dmn.decisoes[0].regras[1].entao",
        "objeto vazio",
    ),
    (
        "regra sem uma das saídas",
        _com("spec_dmn.decisoes.0.saidas", [{"nome": "nivel", "tipo": "str"}, {"nome": "cor", "tipo": "str"}]),
        "spec_dmn.decisoes[0].regras[0].entao.cor",
        "toda regra define todas as saídas",
    ),
    (
        "célula DMN em texto livre",
        _com("spec_dmn.decisoes.0.regras.0.quando", {"idade": "< 18"}),
        "spec_dmn.decisoes[0].regras[0].quando.idade",
        "'-' (qualquer valor) ou uma condição",
    ),
    (
        "célula DMN sem operador",
        _com("spec_dmn.decisoes.0.regras.0.quando", {"idade": {"valor": 18}}),
        "spec_dmn.decisoes[0].regras[0].quando.idade.operador",
        "campo obrigatório ausente: operador",
    ),
    (
        "célula DMN com valor do tipo errado",
        _com("spec_dmn.decisoes.0.regras.0.quando.idade.valor", "18"),
        "spec_dmn.decisoes[0].regras[0].quando.idade.valor",
        "não é do tipo int",
    ),
    (
        "política desconhecida",
        _com("spec_dmn.decisoes.0.politica", "PRIMEIRA"),
        "spec_dmn.decisoes[0].politica",
        "UNIQUE",
    ),
    (
        "seleção sem opções",
        _com("spec_interface.telas.0.campos.0", {"nome": "uf", "tipo": "selecao"}),
        "spec_interface.telas[0].campos[0].opcoes",
        "exigido pelo tipo selecao",
    ),
    (
        "tela de destino desconhecida",
        _com("spec_interface.telas.0.acoes.0.tela_destino", "lista"),
        "spec_interface.telas[0].acoes[0].tela_destino",
        "tela desconhecida: lista",
    ),
    (
        "método HTTP inválido",
        _com("spec_integracao.conectores.0.endpoints.0.metodo", "FETCH"),
        "spec_integracao.conectores[0].endpoints[0].metodo",
        "GET, POST, PUT, PATCH, DELETE",
    ),
    (
        "base_url sem esquema",
        _com("spec_integracao.conectores.0.base_url", "cep.exemplo.com"),
        "spec_integracao.conectores[0].base_url",
        "URL",
    ),
    (
        "forma de resposta inválida",
        _com("spec_integracao.conectores.0.endpoints.0.resposta", {"uf": "texto"}),
        "spec_integracao.conectores[0].endpoints[0].resposta.uf",
        "um tipo básico",
    ),
    (
        "api do conector fora do runtime",
        _com("runtime.apis_externas", []),
        "spec_integracao.conectores[0].api",
        "runtime.apis_externas",
    ),
    (
        "autenticação sem credencial",
        _com("spec_integracao.conectores.0.autenticacao", {"tipo": "bearer"}),
        "spec_integracao.conectores[0].autenticacao.credencial",
        "credencial",
    ),
]


@pytest.mark.parametrize(
    ("spec", "campo", "trecho"), [c[1:] for c in CASOS_INVALIDOS], ids=[c[0] for c in CASOS_INVALIDOS]
)
def test_spec_invalida_aponta_o_campo(spec, campo, trecho):
    erros = validar_spec(spec)
    assert campo in _campos(erros), erros
    assert any(trecho in e.mensagem for e in erros if e.campo == campo), erros


def test_documento_que_nao_e_mapeamento():
    assert _campos(validar_spec(["id", "titulo"])) == [""]


def test_erros_vem_todos_e_ordenados_pelo_caminho():
    spec = _com("vertentes", ["E", "X"])
    spec["titulo"] = 3
    spec["schema_tdd"]["parametros"]["idioma"] = []
    erros = validar_spec(spec)
    assert _campos(erros) == ["schema_tdd.parametros.idioma", "titulo", "vertentes[1]"]


def test_tarefa_inalcancavel_aponta_a_tarefa():
    spec = copy.deepcopy(BASE)
    processo = spec["spec_bpmn"]["processos"][0]
    processo["tarefas"].append({"id": "esquecida", "nome": "Esquecida", "tipo": "script"})
    assert "spec_bpmn.processos[0].tarefas[2].id" in _campos(validar_spec(spec))


def test_tarefa_sem_saida_aponta_a_tarefa():
    spec = copy.deepcopy(BASE)
    spec["spec_bpmn"]["processos"][0]["fluxos"].pop()  # arquivar → fim
    erros = validar_spec(spec)
    assert "spec_bpmn.processos[0].tarefas[1].id" in _campos(erros)


def test_secao_com_erro_de_schema_nao_quebra_as_regras_semanticas():
    spec = _com("spec_bpmn", {"processos": [{"id": "p", "fluxos": "nenhum"}]})
    erros = validar_spec(spec)
    assert "spec_bpmn.processos[0].fluxos" in _campos(erros)
    assert "spec_bpmn.processos[0].inicio" in _campos(erros)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda filhos: st.lists(filhos, max_size=3) | st.dictionaries(st.text(max_size=5), filhos, max_size=3),
    max_leaves=10,
)


def _caminhos(valor, prefixo=()):
    """Every path inside BASE, so the fuzz below can break any field at any depth."""
    filhos = valor.items() if isinstance(valor, dict) else enumerate(valor) if isinstance(valor, list) else ()
    for chave, filho in filhos:
        yield (*prefixo, chave)
        yield from _caminhos(filho, (*prefixo, chave))


@settings(max_examples=500, deadline=None)
@given(caminho=st.sampled_from(list(_caminhos(BASE))), valor=_JSON | st.just("-") | st.just([]))
def test_validar_nunca_levanta_excecao(caminho, valor):
    """The API hands it arbitrary JSON: it answers with errors, never with an exception."""
    spec = copy.deepcopy(BASE)
    alvo = spec
    for parte in caminho[:-1]:
        alvo = alvo[parte]
    alvo[caminho[-1]] = valor
    erros = validar_spec(spec)
    assert all(isinstance(e, ErroCampo) and isinstance(e.campo, str) and e.mensagem for e in erros)


# --- YAML -----------------------------------------------------------------------------------


def test_carregar_spec_valida_devolve_o_dicionario():
    texto = AMOSTRAS[0].read_text(encoding="utf-8")
    assert carregar_spec(texto)["titulo"] == "Transcrição de consultas"


def test_yaml_com_erro_de_sintaxe_informa_a_linha():
    with pytest.raises(SpecInvalida) as exc:
        carregar_spec("id: spec_x\ntitulo: ok\nvertentes: [E, D\nruntime: {}\n")
    [erro] = exc.value.erros
    assert erro.campo == ""
    assert "linha 4" in erro.mensagem


@pytest.mark.parametrize("texto", ["- a\n- b\n", "", "apenas texto\n"])
def test_documento_yaml_que_nao_e_mapeamento(texto):
    with pytest.raises(SpecInvalida) as exc:
        carregar_spec(texto)
    assert _campos(exc.value.erros) == [""]
    assert "mapeamento" in exc.value.erros[0].mensagem


def test_chave_duplicada_no_yaml_e_recusada():
    with pytest.raises(SpecInvalida) as exc:
        carregar_spec("id: spec_x\ntitulo: a\ntitulo: b\n")
    assert "chave duplicada: titulo" in exc.value.erros[0].mensagem
    assert "linha 3" in exc.value.erros[0].mensagem


def test_aliases_yaml_sao_recusados():
    with pytest.raises(SpecInvalida) as exc:
        carregar_spec("a: &x [1, 2]\nb: *x\n")
    assert "aliases" in exc.value.erros[0].mensagem


def test_erros_de_validacao_do_yaml_trazem_a_linha_do_campo():
    texto = AMOSTRAS[0].read_text(encoding="utf-8").replace("gpu: true", "gpu: talvez")
    linha = next(i for i, t in enumerate(texto.splitlines(), 1) if "gpu: talvez" in t)
    with pytest.raises(SpecInvalida) as exc:
        carregar_spec(texto)
    assert exc.value.erros == [
        ErroCampo("runtime.gpu", f"deve ser um booleano (true/false); recebido: um texto (linha {linha})")
    ]


# --- size -----------------------------------------------------------------------------------


def test_tamanho_por_vertente_conta_cada_secao():
    assert tamanho_por_vertente(BASE) == {
        "E": {"classes": 1, "atributos": 2, "metodos": 1},
        "P": {"tarefas": 2, "gateways": 1, "fluxos": 5},
        "D": {"regras": 2, "entradas": 1, "saidas": 1},
        "I": {"telas": 1, "campos": 1, "acoes": 1},
        "C": {"conectores": 1, "endpoints": 1},
    }


def test_tamanho_so_das_vertentes_da_spec():
    spec = carregar_spec(AMOSTRAS[0].read_text(encoding="utf-8"))  # spec_001: E e D
    assert tamanho_por_vertente(spec) == {
        "E": {"classes": 2, "atributos": 8, "metodos": 6},
        "D": {"regras": 4, "entradas": 3, "saidas": 2},
    }


def test_unidades_pondera_as_medidas():
    assert unidades("E", {"classes": 2, "atributos": 8, "metodos": 3}) == 2 + 8 + 2 * 3
    assert unidades("C", {"conectores": 1}) == 2
    with pytest.raises(DadosInvalidos, match="[Vv]ertente desconhecida"):
        unidades("X", {})


def test_dominios_grandes_demais_sao_recusados_antes_de_gerar_casos():
    """A pairwise array grows with the product of the two largest domains: bounded at the door."""
    import yaml as _yaml

    spec = _yaml.safe_load(next(a for a in AMOSTRAS if a.stem == "spec_001").read_text(encoding="utf-8"))
    spec["schema_tdd"]["parametros"]["idioma"] = [f"v{i}" for i in range(51)]
    assert ("schema_tdd.parametros.idioma", "deve ter no máximo 50 itens") in validar_spec(spec)
    spec["schema_tdd"] = {"parametros": {f"p{i}": [1, 2] for i in range(201)}}
    assert ("schema_tdd.parametros", "deve ter no máximo 200 campos") in validar_spec(spec)
