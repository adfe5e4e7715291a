"""O formato das specs (DESIGN §4): JSON Schema, validação com caminho do campo, medidas de tamanho.

Uma spec é um documento YAML (``specs/<id>.yaml`` no repositório de specs, ou enviado pela API).
``SPEC_SCHEMA`` descreve a forma; ``validar_spec`` soma a ele as regras que um JSON Schema não
exprime (nomes únicos, referências entre ids, vertente ↔ seção) e devolve todos os erros, cada
um com o caminho do campo (``spec_poo.classes[0].atributos[1].tipo``) e uma frase em pt-BR.

Condições (gateways BPMN, células DMN) são dados estruturados ``{operador, valor}``, nunca
expressões escritas pelo usuário: os geradores as transformam em código, e nada aqui é avaliado.

Módulo puro: sem Django, para ser usado pela API, pelos workers, pela precificação e pelos testes.
"""

from __future__ import annotations

import datetime
import difflib
import keyword
import math
import re
from collections import defaultdict
from typing import Any, NamedTuple

import yaml
from jsonschema import Draft202012Validator

VERTENTES = ("E", "P", "D", "I", "C")
SECAO_DA_VERTENTE = {
    "E": "spec_poo",
    "P": "spec_bpmn",
    "D": "spec_dmn",
    "I": "spec_interface",
    "C": "spec_integracao",
}
TIPOS_BASICOS = ("str", "int", "float", "bool", "date", "decimal", "list", "dict")
TIPOS_ESCALARES = ("str", "int", "float", "bool", "date", "decimal")
TIPOS_ORDENAVEIS = ("int", "float", "decimal", "date")
TIPOS_CAMPO_TELA = (
    "texto",
    "texto_longo",
    "numero",
    "decimal",
    "data",
    "email",
    "senha",
    "booleano",
    "selecao",
    "arquivo",
)
OPERADORES = ("==", "!=", "<", "<=", ">", ">=", "in", "entre")
POLITICAS_DMN = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
METODOS_HTTP = ("GET", "POST", "PUT", "PATCH", "DELETE")

_ID_SPEC = r"^[a-z0-9_]+$"  # ids de spec e de recursos (APIs, containers) — DESIGN §4
_ID = r"^[a-z_][a-z0-9_]*$"  # ids que viram ids XML (BPMN/DMN) e rotas: não começam por dígito
_NOME = r"^[A-Za-z_][A-Za-z0-9_]*$"  # nomes que viram identificadores Python no código gerado
_URL = r"^https?://[^\s/]+(/\S*)?$"
_CAMINHO = r"^/\S*$"
_PADROES = {
    _ID_SPEC: "use apenas letras minúsculas, dígitos e _",
    _ID: "use letras minúsculas, dígitos e _, começando por letra ou _",
    _NOME: "use um identificador: letras, dígitos e _, sem começar por dígito",
    _URL: "use uma URL http:// ou https:// sem espaços",
    _CAMINHO: "use um caminho que começa por / e não tem espaços",
}


# --- JSON Schema -------------------------------------------------------------------------------


def _ref(nome: str) -> dict:
    return {"$ref": f"#/$defs/{nome}"}


def _objeto(propriedades: dict, obrigatorios: tuple = (), **extra: Any) -> dict:
    # additionalProperties false em todo objeto estruturado: um erro de digitação vira erro, não silêncio.
    return {
        "type": "object",
        "properties": propriedades,
        "required": list(obrigatorios),
        "additionalProperties": False,
        **extra,
    }


def _lista(item: dict, minimo: int = 0, unicos: bool = False) -> dict:
    esquema: dict = {"type": "array", "items": item}
    if minimo:
        esquema["minItems"] = minimo
    if unicos:
        esquema["uniqueItems"] = True
    return esquema


def _mapa(valor: dict, minimo: int = 0) -> dict:
    """Objeto cujas chaves são nomes (parâmetros, entradas, campos) e os valores seguem ``valor``."""
    esquema = {"type": "object", "propertyNames": _ref("nome"), "additionalProperties": valor}
    return {**esquema, "minProperties": minimo} if minimo else esquema


def _condicao(extras: dict, obrigatorios_extras: tuple = ()) -> dict:
    def se_operador(operadores: list, valor: dict) -> dict:
        return {
            "if": {"required": ["operador"], "properties": {"operador": {"enum": operadores}}},
            "then": {"properties": {"valor": valor}},
        }

    return _objeto(
        {**extras, "operador": {"enum": list(OPERADORES)}, "valor": {}},
        (*obrigatorios_extras, "operador", "valor"),
        allOf=[
            se_operador(["in"], _lista(_ref("escalar"), 1, unicos=True)),
            # entre: intervalo fechado [mínimo, máximo]
            se_operador(["entre"], {**_lista(_ref("escalar"), 2), "maxItems": 2}),
            se_operador([o for o in OPERADORES if o not in ("in", "entre")], _ref("escalar")),
        ],
    )


_TEXTO = _ref("texto")
_DESCRICAO = {"type": "string"}

_ATRIBUTO = _objeto(
    {
        "nome": _ref("nome"),
        "tipo": {"enum": list(TIPOS_BASICOS)},
        "obrigatorio": {"type": "boolean", "default": True},
        "descricao": _DESCRICAO,
        "restricoes": _objeto(
            {
                "min": {"type": "number"},
                "max": {"type": "number"},
                "min_len": {"type": "integer", "minimum": 0},
                "max_len": {"type": "integer", "minimum": 0},
                "padrao": _TEXTO,
                "escolhas": _lista(_ref("escalar"), 1, unicos=True),
            },
            minProperties=1,
        ),
    },
    ("nome", "tipo"),
)

_METODO = _objeto(
    {
        "nome": _ref("nome"),
        "descricao": _DESCRICAO,
        "parametros": _lista(_objeto({"nome": _ref("nome"), "tipo": _ref("nome")}, ("nome", "tipo"))),
        "retorna": _ref("nome"),
        "regras": _lista(_TEXTO),
    },
    ("nome",),
)

_PROCESSO = _objeto(
    {
        "id": _ref("id"),
        "nome": _TEXTO,
        "descricao": _DESCRICAO,
        "inicio": _ref("id"),
        "fim": _ref("id"),
        "tarefas": _lista(
            _objeto(
                {
                    "id": _ref("id"),
                    "nome": _TEXTO,
                    "tipo": {"enum": ["usuario", "servico", "script"]},
                    "responsavel": _TEXTO,
                    "descricao": _DESCRICAO,
                },
                ("id", "nome", "tipo"),
            ),
            1,
        ),
        "gateways": _lista(
            _objeto(
                {
                    "id": _ref("id"),
                    "nome": _TEXTO,
                    "tipo": {"enum": ["exclusivo", "paralelo"]},
                    "condicoes": _lista(
                        _objeto({"para": _ref("id"), "quando": _ref("condicao_bpmn")}, ("para", "quando"))
                    ),
                    "padrao": _ref("id"),
                },
                ("id", "tipo"),
            )
        ),
        "fluxos": _lista(_objeto({"de": _ref("id"), "para": _ref("id")}, ("de", "para")), 1),
    },
    ("id", "nome", "inicio", "fim", "tarefas", "fluxos"),
)

_COLUNA_DMN = _objeto(
    {"nome": _ref("nome"), "tipo": {"enum": list(TIPOS_ESCALARES)}, "descricao": _DESCRICAO}, ("nome", "tipo")
)
_DECISAO = _objeto(
    {
        "id": _ref("id"),
        "nome": _TEXTO,
        "descricao": _DESCRICAO,
        "politica": {"enum": list(POLITICAS_DMN)},
        "agregacao": {"enum": ["SUM", "MIN", "MAX", "COUNT"]},
        "entradas": _lista(_COLUNA_DMN, 1),
        "saidas": _lista(_COLUNA_DMN, 1),
        "regras": _lista(
            _objeto(
                {
                    "quando": _mapa(
                        {
                            "description": "'-' (qualquer valor) ou uma condição {operador, valor}",
                            "anyOf": [{"const": "-"}, {"type": "object", **_ref("condicao_dmn")}],
                        }
                    ),
                    "entao": _mapa(_ref("escalar"), minimo=1),
                    "descricao": _DESCRICAO,
                },
                ("quando", "entao"),
            ),
            1,
        ),
    },
    ("id", "nome", "politica", "entradas", "saidas", "regras"),
)

_TELA = _objeto(
    {
        "id": _ref("id"),
        "titulo": _TEXTO,
        "descricao": _DESCRICAO,
        "campos": _lista(
            _objeto(
                {
                    "nome": _ref("nome"),
                    "rotulo": _TEXTO,
                    "tipo": {"enum": list(TIPOS_CAMPO_TELA)},
                    "obrigatorio": {"type": "boolean"},
                    "opcoes": _lista(_ref("escalar"), 1, unicos=True),
                    "ajuda": _DESCRICAO,
                },
                ("nome", "tipo"),
            )
        ),
        "acoes": _lista(
            _objeto(
                {
                    "nome": _ref("nome"),
                    "rotulo": _TEXTO,
                    "endpoint": {"type": "string", "pattern": _CAMINHO},
                    "metodo": {"enum": list(METODOS_HTTP)},
                    "tela_destino": _ref("id"),
                },
                ("nome",),
            )
        ),
    },
    ("id", "titulo"),
)

_CONECTOR = _objeto(
    {
        "nome": _ref("nome"),
        "descricao": _DESCRICAO,
        "api": _ref("id_spec"),  # a API de runtime.apis_externas que este conector usa
        "base_url": {"type": "string", "pattern": _URL},
        # credencial é o NOME do segredo no ambiente, nunca o segredo: specs vivem no git.
        "autenticacao": _objeto(
            {
                "tipo": {"enum": ["nenhuma", "api_key", "bearer", "basic", "oauth2"]},
                "credencial": _ref("id_spec"),
                "cabecalho": _TEXTO,
            },
            ("tipo",),
        ),
        "timeout_s": {"type": "number", "exclusiveMinimum": 0},
        "endpoints": _lista(
            _objeto(
                {
                    "nome": _ref("nome"),
                    "descricao": _DESCRICAO,
                    "metodo": {"enum": list(METODOS_HTTP)},
                    "caminho": {"type": "string", "pattern": _CAMINHO},
                    "payload": _ref("forma"),
                    "resposta": _ref("forma"),
                },
                ("nome", "metodo", "caminho"),
            ),
            1,
        ),
    },
    ("nome", "base_url", "endpoints"),
)

# Representante de cada classe de equivalência: o valor concreto que um teste usa quando uma
# combinação do orçamento pede aquela classe (fabrica.desenvolvimento.casos).
_REPRESENTANTES = {
    "type": "object",
    "propertyNames": _ref("nome"),
    "description": "parâmetro → {classe: representante}. O representante é um valor (o teste recebe "
    "{parâmetro: valor}) ou um mapeamento {variável: valor} (o teste recebe essas variáveis no lugar do "
    "parâmetro: duracao: {longa: {duracao_segundos: 3600}}). Classe sem representante: o teste recebe "
    "{parâmetro: classe}. Cada variável vem de um só parâmetro.",
    "additionalProperties": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": {
            "description": "um valor (texto, número, booleano ou nulo) ou um mapeamento {variável: valor}",
            "anyOf": [
                {"type": ["string", "number", "boolean", "null"]},
                {"type": "object", **_mapa({}, minimo=1)},
            ],
        },
    },
}

SPEC_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Spec PROMETHEUS",
    "description": "Uma peça de software a precificar e construir (DESIGN §4). Uma seção por vertente.",
    "$defs": {
        "id_spec": {"type": "string", "pattern": _ID_SPEC, "maxLength": 100},
        "id": {"type": "string", "pattern": _ID, "maxLength": 100},
        "nome": {"type": "string", "pattern": _NOME, "maxLength": 100},
        "texto": {"type": "string", "minLength": 1},
        "escalar": {"type": ["string", "number", "boolean"]},
        "condicao_bpmn": _condicao({"variavel": _ref("nome")}, ("variavel",)),
        "condicao_dmn": _condicao({}),
        # "forma" de um payload: tipo básico, objeto {campo: forma} ou lista de um item [forma].
        "forma": {
            "description": "um tipo básico (" + ", ".join(TIPOS_BASICOS) + "), "
            "um objeto {campo: tipo} ou uma lista com um item [tipo]",
            "anyOf": [
                {"type": "string", "enum": list(TIPOS_BASICOS)},
                {"type": "object", **_mapa(_ref("forma"), minimo=1)},
                {"type": "array", "minItems": 1, "maxItems": 1, "items": _ref("forma")},
            ],
        },
    },
    **_objeto(
        {
            "id": _ref("id_spec"),
            "titulo": _TEXTO,
            "descricao": _DESCRICAO,
            "vertentes": {
                **_lista({"enum": list(VERTENTES)}, 1, unicos=True),
                "description": "workers que constroem a spec; cada vertente exige sua seção spec_*",
            },
            "depende_de": {
                **_lista(_ref("id_spec"), unicos=True),
                "default": [],
                "description": "specs construídas antes",
            },
            "runtime": _objeto(
                {
                    "apis_externas": _lista(_ref("id_spec"), unicos=True),
                    "gpu": {"type": "boolean"},
                    "containers_necessarios": _lista(_ref("id_spec"), unicos=True),
                    "cpu": {"type": "number", "exclusiveMinimum": 0},
                    "ram_mb": {"type": "integer", "exclusiveMinimum": 0},
                },
                ("apis_externas", "gpu", "containers_necessarios"),
                description="o que a spec precisa para rodar; os gaps de infraestrutura vêm daqui",
            ),
            "requisitos_nao_funcionais": _objeto(
                {
                    "tps": {"type": "number", "minimum": 0},
                    "usuarios": {"type": "integer", "minimum": 0},
                    "pico": _TEXTO,
                    "latencia_p95_ms": {"type": "number", "exclusiveMinimum": 0},
                },
                description="carga esperada; na falta, valem os padrões do seed §5.1 (tps 10, usuarios 50)",
            ),
            "schema_tdd": _objeto(
                {
                    "cobertura": {"enum": ["pairwise", "exaustiva", "cada_valor"], "default": "pairwise"},
                    # classes de equivalência: parâmetro → valores distintos. Limites: um arranjo
                    # par a par cresce com o produto dos dois maiores domínios (50 × 50 = 2.500 casos).
                    "parametros": {
                        **_mapa({**_lista(_ref("escalar"), 1, unicos=True), "maxItems": 50}),
                        "maxProperties": 200,
                    },
                    # cada restrição exclui as combinações que têm todos estes valores ao mesmo tempo
                    "restricoes": _lista(_mapa(_ref("escalar"), minimo=1)),
                    "representantes": _REPRESENTANTES,
                    "casos": _lista(
                        _objeto(
                            {
                                "nome": _TEXTO,
                                "dado": {"type": "object"},
                                "espera": {"type": "object", "minProperties": 1},
                            },
                            ("dado", "espera"),
                        )
                    ),
                },
                ("parametros",),
                description="de onde saem os casos de teste: classes de equivalência, exclusões e exemplos",
            ),
            "spec_poo": _objeto(
                {
                    "classes": _lista(
                        _objeto(
                            {
                                "nome": _ref("nome"),
                                "descricao": _DESCRICAO,
                                "atributos": _lista(_ATRIBUTO),
                                "metodos": _lista(_METODO),
                            },
                            ("nome",),
                        ),
                        1,
                    )
                },
                ("classes",),
            ),
            "spec_bpmn": _objeto({"processos": _lista(_PROCESSO, 1)}, ("processos",)),
            "spec_dmn": _objeto({"decisoes": _lista(_DECISAO, 1)}, ("decisoes",)),
            "spec_interface": _objeto({"telas": _lista(_TELA, 1)}, ("telas",)),
            "spec_integracao": _objeto({"conectores": _lista(_CONECTOR, 1)}, ("conectores",)),
        },
        ("id", "titulo", "vertentes", "runtime", "schema_tdd"),
    ),
}

_VALIDADOR = Draft202012Validator(SPEC_SCHEMA)


# --- Validação ---------------------------------------------------------------------------------


class ErroCampo(NamedTuple):
    campo: str  # caminho do campo: "" é o documento inteiro
    mensagem: str  # frase em pt-BR dizendo o que era esperado


class SpecInvalida(ValueError):
    """Spec recusada; ``erros`` traz todos os problemas encontrados, não só o primeiro."""

    def __init__(self, erros: list[ErroCampo]):
        self.erros = list(erros)
        super().__init__("; ".join(f"{e.campo or '(documento)'}: {e.mensagem}" for e in self.erros))


Caminho = tuple  # partes do caminho: str (chave) ou int (índice de lista)


def formatar_campo(caminho: Caminho) -> str:
    """``("spec_poo", "classes", 0, "nome")`` → ``spec_poo.classes[0].nome``; ``()`` → ``""``."""
    texto = ""
    for parte in caminho:
        texto += f"[{parte}]" if isinstance(parte, int) else (f".{parte}" if texto else str(parte))
    return texto


def validar_spec(dados: object) -> list[ErroCampo]:
    """Todos os erros da spec, ordenados pelo caminho; lista vazia quando ela é válida.

    Nunca levanta exceção, qualquer que seja a entrada (JSON da API ou YAML carregado).
    """
    return [ErroCampo(formatar_campo(c), m) for c, m in _validar(dados)]


def _validar(dados: object) -> list[tuple[Caminho, str]]:
    erros: list[tuple[Caminho, str]] = []
    for erro in _VALIDADOR.iter_errors(dados):
        erros.extend(_traduzir(erro))
    if isinstance(dados, dict) and not any(c == () for c, _ in erros):
        # As regras semânticas só olham seções que passaram no schema: podem confiar na forma.
        sujas = {c[0] for c, _ in erros}
        erros.extend(_semantica(dados, sujas))
        com_erro = {c for c, _ in erros}
        erros.extend(e for e in _fora_do_json(dados) if e[0] not in com_erro)
    unicos = list(dict.fromkeys(erros))  # 'required' repete o mesmo campo ausente
    return sorted(unicos, key=lambda e: tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in e[0]))


def _fora_do_json(valor: object, caminho: Caminho = ()) -> list[tuple[Caminho, str]]:
    """Valores que o YAML constrói e o JSON não tem (data sem aspas, .inf, .nan, !!binary, !!set),
    e textos com o caractere nulo, que o PostgreSQL recusa em text e jsonb.

    Nos campos livres (``schema_tdd.casos[].dado``/``espera``) o schema os deixa passar, e a
    spec não poderia ser guardada nem enviada pela API; nos tipados, isto só repete o erro de tipo.
    """
    nulo = "o caractere nulo (\\u0000) não é aceito em textos"
    if isinstance(valor, dict):
        return [
            e
            for k, v in valor.items()
            for e in ([((*caminho, str(k)), nulo)] if "\x00" in str(k) else _fora_do_json(v, (*caminho, str(k))))
        ]
    if isinstance(valor, list):
        return [e for i, v in enumerate(valor) for e in _fora_do_json(v, (*caminho, i))]
    if isinstance(valor, str):
        return [(caminho, nulo)] if "\x00" in valor else []
    if valor is None or isinstance(valor, (bool, int)) or (isinstance(valor, float) and math.isfinite(valor)):
        return []
    if isinstance(valor, (datetime.date, datetime.datetime)):
        return [
            (
                caminho,
                f"data {valor.isoformat()} sem equivalente em JSON; "
                "no YAML, datas sem aspas viram datas: escreva entre aspas",
            )
        ]
    return [
        (caminho, f"valor sem equivalente em JSON: {valor!r}; use texto, número finito, booleano, lista ou mapeamento")
    ]


_NOMES_TIPO = {
    "string": "um texto",
    "integer": "um número inteiro",
    "number": "um número",
    "boolean": "um booleano (true/false)",
    "array": "uma lista",
    "object": "um mapeamento (chave: valor)",
    "null": "nulo",
}


def _tipo_json(valor: object) -> str:
    if isinstance(valor, bool):
        return "boolean"
    if isinstance(valor, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object", type(None): "null"}.get(
        type(valor), type(valor).__name__
    )


def _mostrar(valor: object) -> str:
    if isinstance(valor, bool):
        return "true" if valor else "false"
    return f"'{valor}'" if isinstance(valor, str) else str(valor)


def _traduzir(erro) -> list[tuple[Caminho, str]]:
    """Um erro do jsonschema → (caminho, frase); pode virar vários (um por campo) ou descer num anyOf."""
    caminho, tipo, esperado, valor = tuple(erro.absolute_path), erro.validator, erro.validator_value, erro.instance
    if "propertyNames" in erro.absolute_schema_path:
        # O erro é no nome de uma chave: aponta para a própria chave.
        regra = _PADROES.get(esperado, "") if tipo == "pattern" else _frase(tipo, esperado, valor, erro.message)
        return [((*caminho, str(valor)), f"nome inválido: {_mostrar(valor)}; {regra}")]
    if tipo == "required":
        return [((*caminho, c), f"campo obrigatório ausente: {c}") for c in esperado if c not in valor]
    if tipo == "additionalProperties":
        conhecidos = list(erro.schema.get("properties", {}))
        return [((*caminho, str(k)), _desconhecido(k, conhecidos)) for k in valor if k not in conhecidos]
    if tipo in ("anyOf", "oneOf"):
        # Se o valor tem a forma estruturada de um ramo (objeto/lista), o erro útil está dentro dele.
        for i, ramo in enumerate(esperado):
            if ramo.get("type") in ("object", "array") and _tipo_json(valor) == ramo["type"]:
                return [t for e in erro.context if e.relative_schema_path[0] == i for t in _traduzir(e)]
        return [(caminho, f"valor inválido: {_mostrar(valor)}; esperado {erro.schema.get('description', '')}")]
    return [(caminho, _frase(tipo, esperado, valor, erro.message))]


def _frase(tipo: str, esperado: Any, valor: object, original: str) -> str:
    if tipo == "type":
        tipos = [esperado] if isinstance(esperado, str) else esperado
        recebido = _tipo_json(valor)
        frase = (
            f"deve ser {' ou '.join(_NOMES_TIPO[t] for t in tipos)}; recebido: {_NOMES_TIPO.get(recebido, recebido)}"
        )
        if isinstance(valor, (datetime.date, datetime.datetime)):
            frase += "; no YAML, datas sem aspas viram datas: escreva entre aspas"
        return frase
    if tipo == "enum":
        return f"deve ser um dos valores: {', '.join(map(str, esperado))}; recebido: {_mostrar(valor)}"
    if tipo == "const":
        return f"deve ser {_mostrar(esperado)}"
    if tipo == "pattern":
        return f"formato inválido: {_mostrar(valor)}; {_PADROES.get(esperado, 'padrão esperado: ' + esperado)}"
    if tipo == "minItems":
        return "lista vazia não é permitida" if esperado == 1 else f"deve ter pelo menos {esperado} itens"
    if tipo == "maxItems":
        return f"deve ter no máximo {esperado} itens"
    if tipo == "uniqueItems":
        return f"valor duplicado: {_mostrar(_primeiro_repetido(valor))}"
    if tipo == "minLength":
        return "texto vazio não é permitido"
    if tipo == "maxLength":
        return f"deve ter no máximo {esperado} caracteres"
    if tipo == "minProperties":
        return "objeto vazio não é permitido"
    if tipo == "maxProperties":
        return f"deve ter no máximo {esperado} campos"
    if tipo == "minimum":
        return f"deve ser maior ou igual a {esperado}"
    if tipo == "exclusiveMinimum":
        return f"deve ser maior que {esperado}"
    return original


def _desconhecido(chave: object, conhecidos: list[str]) -> str:
    parecidos = difflib.get_close_matches(str(chave), conhecidos, n=1)
    dica = f"; você quis dizer '{parecidos[0]}'?" if parecidos else f"; campos aceitos: {', '.join(conhecidos)}"
    return f"campo desconhecido: {chave}{dica}"


def _mesmo_valor(a: object, b: object) -> bool:
    # Em YAML/JSON, true e 1 são valores diferentes; em Python, True == 1.
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _primeiro_repetido(valores: list) -> object:
    for i, v in enumerate(valores):
        if any(_mesmo_valor(v, w) for w in valores[:i]):
            return v
    return None


def _do_tipo(valor: object, tipo: str) -> bool:
    """O valor escalar da spec serve para um campo deste tipo básico?"""
    if isinstance(valor, bool):
        return tipo == "bool"
    if tipo == "str":
        return isinstance(valor, str)
    if tipo == "int":
        return isinstance(valor, int)
    if tipo in ("float", "decimal"):
        return isinstance(valor, (int, float))
    if tipo == "date":
        try:
            return isinstance(valor, str) and bool(datetime.date.fromisoformat(valor))
        except ValueError:
            return False
    return False


# --- Regras semânticas (o que o JSON Schema não exprime) ---------------------------------------

Erros = list[tuple[Caminho, str]]


def _semantica(spec: dict, sujas: set) -> Erros:
    def limpas(*secoes: str) -> bool:
        return all(s in spec and s not in sujas for s in secoes)

    erros: Erros = []
    if limpas("vertentes"):
        for vertente, secao in SECAO_DA_VERTENTE.items():
            if vertente in spec["vertentes"] and secao not in spec:
                erros.append(((secao,), f"campo obrigatório ausente: {secao} (exigido pela vertente {vertente})"))
            elif vertente not in spec["vertentes"] and secao in spec:
                # Sem a vertente, nenhum worker constrói a seção: quase sempre um esquecimento.
                erros.append(((secao,), f"a seção {secao} exige a vertente {vertente} em vertentes"))
    if limpas("id", "depende_de"):
        erros += [
            (("depende_de", i), "a spec não pode depender de si mesma")
            for i, d in enumerate(spec["depende_de"])
            if d == spec["id"]
        ]
    if limpas("schema_tdd"):
        erros += _checar_tdd(spec["schema_tdd"])
    if limpas("spec_poo"):
        erros += _checar_poo(spec["spec_poo"])
    if limpas("spec_bpmn"):
        erros += _checar_bpmn(spec["spec_bpmn"])
    if limpas("spec_dmn"):
        erros += _checar_dmn(spec["spec_dmn"])
    if limpas("spec_interface"):
        erros += _checar_interface(spec["spec_interface"])
    if limpas("spec_integracao"):
        erros += _checar_integracao(spec["spec_integracao"], spec["runtime"] if limpas("runtime") else None)
    return erros


def _duplicados(itens: list[dict], chave: str, base: Caminho, rotulo: str) -> Erros:
    vistos: set = set()
    erros: Erros = []
    for i, item in enumerate(itens):
        if item[chave] in vistos:
            erros.append(((*base, i, chave), f"{rotulo} duplicado: {_mostrar(item[chave])}"))
        vistos.add(item[chave])
    return erros


def texto_da_classe(valor: object) -> str:
    """Como uma classe de equivalência aparece como chave de ``representantes`` (chaves JSON são
    textos: a classe ``true`` é a chave ``"true"``, a classe ``10`` é ``"10"``)."""
    if isinstance(valor, bool):
        return "true" if valor else "false"
    return str(valor)


def variaveis_do_representante(parametro: str, representante: object) -> list[str]:
    """As variáveis que um representante dá ao teste: as chaves de um mapeamento, ou o parâmetro."""
    return [str(k) for k in representante] if isinstance(representante, dict) else [parametro]


def _checar_representantes(dominios: dict, representantes: dict) -> Erros:
    erros: Erros = []
    origem: dict[str, str] = {}  # variável → parâmetro de onde ela vem
    for parametro in dominios:
        por_classe = representantes.get(parametro, {})
        classes = {texto_da_classe(v) for v in dominios[parametro]}
        # YAML turns the key true (or 10) into a boolean (a number): compare their text.
        sem_representante = [c for c in classes if c not in {texto_da_classe(k) for k in por_classe}]
        variaveis = [((), parametro)] if sem_representante else []
        for chave, representante in por_classe.items():
            classe = texto_da_classe(chave)
            caminho = ("schema_tdd", "representantes", parametro, classe)
            if classe not in classes:
                lista = ", ".join(texto_da_classe(v) for v in dominios[parametro])
                erros.append((caminho, f"classe desconhecida: {classe}; classes de {parametro}: {lista}"))
                continue
            variaveis += [(caminho, v) for v in variaveis_do_representante(parametro, representante)]
        for caminho, variavel in variaveis:
            dono = origem.setdefault(variavel, parametro)
            if dono != parametro:
                erros.append(
                    (
                        caminho or ("schema_tdd", "representantes", parametro),
                        f"a variável {variavel} já vem do parâmetro {dono}; cada variável vem de um só parâmetro",
                    )
                )
    for parametro in representantes:
        if parametro not in dominios:
            erros.append(
                (
                    ("schema_tdd", "representantes", parametro),
                    f"parâmetro desconhecido: {parametro}; parâmetros: {', '.join(dominios) or '(nenhum)'}",
                )
            )
    return erros


def _checar_tdd(tdd: dict) -> Erros:
    dominios = tdd["parametros"]
    erros: Erros = _checar_representantes(dominios, tdd.get("representantes", {}))
    for i, restricao in enumerate(tdd.get("restricoes", [])):
        for parametro, valor in restricao.items():
            caminho = ("schema_tdd", "restricoes", i, parametro)
            if parametro not in dominios:
                erros.append(
                    (caminho, f"parâmetro desconhecido: {parametro}; parâmetros: {', '.join(dominios) or '(nenhum)'}")
                )
            elif not any(_mesmo_valor(valor, v) for v in dominios[parametro]):
                dominio = ", ".join(map(_mostrar, dominios[parametro]))
                erros.append((caminho, f"valor {_mostrar(valor)} fora do domínio de {parametro}: {dominio}"))
    return erros


_RESTRICAO_SE_APLICA = {
    "min": ("int", "float", "decimal"),
    "max": ("int", "float", "decimal"),
    "min_len": ("str", "list"),
    "max_len": ("str", "list"),
    "padrao": ("str",),
    "escolhas": ("str", "int", "float", "decimal"),
}


def _nome_python(nome: str, caminho: Caminho) -> Erros:
    return [(caminho, f"palavra reservada do Python não pode ser nome: {nome}")] if keyword.iskeyword(nome) else []


def _checar_poo(poo: dict) -> Erros:
    classes = poo["classes"]
    tipos_validos = set(TIPOS_BASICOS) | {c["nome"] for c in classes}
    erros = _duplicados(classes, "nome", ("spec_poo", "classes"), "nome de classe")
    for i, classe in enumerate(classes):
        base = ("spec_poo", "classes", i)
        erros += _nome_python(classe["nome"], (*base, "nome"))
        atributos, metodos = classe.get("atributos", []), classe.get("metodos", [])
        erros += _duplicados(atributos, "nome", (*base, "atributos"), "nome de atributo")
        erros += _duplicados(metodos, "nome", (*base, "metodos"), "nome de método")
        for j, atributo in enumerate(atributos):
            erros += _nome_python(atributo["nome"], (*base, "atributos", j, "nome"))
            erros += _checar_restricoes(atributo, (*base, "atributos", j, "restricoes"))
        for j, metodo in enumerate(metodos):
            mb = (*base, "metodos", j)
            erros += _nome_python(metodo["nome"], (*mb, "nome"))
            parametros = metodo.get("parametros", [])
            erros += _duplicados(parametros, "nome", (*mb, "parametros"), "nome de parâmetro")
            usados = [((*mb, "parametros", k, "tipo"), p["tipo"]) for k, p in enumerate(parametros)]
            usados += [((*mb, "retorna"), metodo["retorna"])] if "retorna" in metodo else []
            erros += [
                (
                    c,
                    f"tipo desconhecido: {t}; use um tipo básico ({', '.join(TIPOS_BASICOS)}) "
                    "ou uma classe de spec_poo",
                )
                for c, t in usados
                if t not in tipos_validos
            ]
            erros += [
                ((*mb, "parametros", k, "nome"), f"palavra reservada do Python não pode ser nome: {p['nome']}")
                for k, p in enumerate(parametros)
                if keyword.iskeyword(p["nome"])
            ]
    return erros


def _checar_restricoes(atributo: dict, base: Caminho) -> Erros:
    restricoes, tipo = atributo.get("restricoes", {}), atributo["tipo"]
    erros: Erros = [
        ((*base, chave), f"a restrição {chave} não se aplica ao tipo {tipo}")
        for chave in restricoes
        if tipo not in _RESTRICAO_SE_APLICA[chave]
    ]
    for menor, maior in (("min", "max"), ("min_len", "max_len")):
        if menor in restricoes and maior in restricoes and restricoes[menor] > restricoes[maior]:
            erros.append(((*base, maior), f"{maior} deve ser maior ou igual a {menor}"))
    if "padrao" in restricoes:
        try:
            re.compile(restricoes["padrao"])
        except (re.error, OverflowError, RecursionError) as exc:
            erros.append(((*base, "padrao"), f"expressão regular inválida: {exc}"))
    if tipo in _RESTRICAO_SE_APLICA["escolhas"]:
        erros += [
            ((*base, "escolhas", k), f"valor {_mostrar(v)} não é do tipo {tipo}")
            for k, v in enumerate(restricoes.get("escolhas", []))
            if not _do_tipo(v, tipo)
        ]
    return erros


def _checar_entre(condicao: dict, caminho: Caminho) -> Erros:
    if condicao["operador"] == "entre":
        minimo, maximo = condicao["valor"]
        if _tipo_json(minimo) == _tipo_json(maximo) or {_tipo_json(minimo), _tipo_json(maximo)} <= {
            "integer",
            "number",
        }:
            if minimo > maximo:
                return [((*caminho, "valor"), "intervalo invertido: o primeiro valor deve ser o menor")]
    return []


def _checar_bpmn(bpmn: dict) -> Erros:
    processos = bpmn["processos"]
    erros = _duplicados(processos, "id", ("spec_bpmn", "processos"), "id de processo")
    for i, p in enumerate(processos):
        base = ("spec_bpmn", "processos", i)
        tarefas, gateways, fluxos = p["tarefas"], p.get("gateways", []), p["fluxos"]
        # inicio, fim, tarefas e gateways dividem um espaço de ids: os fluxos apontam para qualquer um.
        nos = {p["inicio"]}
        if p["fim"] in nos:
            erros.append(((*base, "fim"), "o fim deve ter id diferente do início"))
        nos.add(p["fim"])
        for lista, itens in (("tarefas", tarefas), ("gateways", gateways)):
            for j, no in enumerate(itens):
                if no["id"] in nos:
                    erros.append(((*base, lista, j, "id"), f"id duplicado no processo: {no['id']}"))
                nos.add(no["id"])
        conhecidos = ", ".join(sorted(nos))
        saidas: dict[str, list[str]] = defaultdict(list)
        pares: set = set()
        for k, fluxo in enumerate(fluxos):
            fb = (*base, "fluxos", k)
            erros += [
                ((*fb, ponta), f"id desconhecido: {fluxo[ponta]}; ids do processo: {conhecidos}")
                for ponta in ("de", "para")
                if fluxo[ponta] not in nos
            ]
            if fluxo["para"] == p["inicio"]:
                erros.append(((*fb, "para"), "o início não recebe fluxos"))
            if fluxo["de"] == p["fim"]:
                erros.append(((*fb, "de"), "o fim não tem fluxos de saída"))
            if (fluxo["de"], fluxo["para"]) in pares:
                erros.append((fb, "fluxo duplicado"))
            pares.add((fluxo["de"], fluxo["para"]))
            saidas[fluxo["de"]].append(fluxo["para"])
        for j, gateway in enumerate(gateways):
            erros += _checar_gateway(gateway, saidas[gateway["id"]], (*base, "gateways", j))
        if any(f["de"] not in nos or f["para"] not in nos for f in fluxos):
            continue  # com um fluxo quebrado, "inalcançável" seria eco do mesmo erro
        alcancados = _alcancaveis(p["inicio"], saidas)
        for lista, itens in (("tarefas", tarefas), ("gateways", gateways)):
            for j, no in enumerate(itens):
                if no["id"] not in alcancados:
                    erros.append(((*base, lista, j, "id"), f"{no['id']} não é alcançável a partir do início"))
                elif not saidas.get(no["id"]):
                    erros.append(
                        ((*base, lista, j, "id"), f"{no['id']} não tem fluxo de saída: a instância pararia ali")
                    )
        if p["fim"] not in alcancados:
            erros.append(((*base, "fim"), "o fim não é alcançável a partir do início"))
    return erros


def _checar_gateway(gateway: dict, destinos: list[str], base: Caminho) -> Erros:
    condicoes = gateway.get("condicoes", [])
    if gateway["tipo"] == "paralelo":
        # Paralelo segue todos os fluxos de saída: condição ou padrão ali seriam ignorados em silêncio.
        return ([((*base, "condicoes"), "gateway paralelo não tem condições")] if condicoes else []) + (
            [((*base, "padrao"), "gateway paralelo não tem fluxo padrão")] if "padrao" in gateway else []
        )
    erros: Erros = []
    condicionados: set = set()
    for k, condicao in enumerate(condicoes):
        cb = (*base, "condicoes", k)
        if condicao["para"] not in destinos:
            erros.append(((*cb, "para"), f"não há fluxo de {gateway['id']} para {condicao['para']}"))
        elif condicao["para"] in condicionados:
            erros.append(((*cb, "para"), f"já há condição para {condicao['para']}"))
        condicionados.add(condicao["para"])
        erros += _checar_entre(condicao["quando"], (*cb, "quando"))
    padrao = gateway.get("padrao")
    if padrao is not None and padrao not in destinos:
        erros.append(((*base, "padrao"), f"não há fluxo de {gateway['id']} para {padrao}"))
    if len(destinos) > 1:
        # Um exclusivo com uma saída sem condição e sem ser o padrão pode travar a instância.
        erros += [
            ((*base, "condicoes"), f"o fluxo para {d} não tem condição nem é o padrao")
            for d in dict.fromkeys(destinos)
            if d not in condicionados and d != padrao
        ]
    return erros


def _alcancaveis(inicio: str, saidas: dict[str, list[str]]) -> set[str]:
    vistos, fila = {inicio}, [inicio]
    while fila:
        for proximo in saidas.get(fila.pop(), []):
            if proximo not in vistos:
                vistos.add(proximo)
                fila.append(proximo)
    return vistos


def _checar_dmn(dmn: dict) -> Erros:
    decisoes = dmn["decisoes"]
    erros = _duplicados(decisoes, "id", ("spec_dmn", "decisoes"), "id de decisão")
    for i, d in enumerate(decisoes):
        base = ("spec_dmn", "decisoes", i)
        erros += _duplicados(d["entradas"], "nome", (*base, "entradas"), "nome de entrada")
        erros += _duplicados(d["saidas"], "nome", (*base, "saidas"), "nome de saída")
        if "agregacao" in d and d["politica"] != "COLLECT":
            erros.append(((*base, "agregacao"), "agregacao só se aplica à política COLLECT"))
        entradas = {e["nome"]: e["tipo"] for e in d["entradas"]}
        saidas = {s["nome"]: s["tipo"] for s in d["saidas"]}
        for r, regra in enumerate(d["regras"]):
            rb = (*base, "regras", r)
            for nome, celula in regra["quando"].items():
                if nome not in entradas:
                    erros.append(
                        ((*rb, "quando", nome), f"entrada desconhecida: {nome}; entradas: {', '.join(entradas)}")
                    )
                elif celula != "-":
                    erros += _checar_celula(celula, entradas[nome], (*rb, "quando", nome))
            for nome, valor in regra["entao"].items():
                if nome not in saidas:
                    erros.append(((*rb, "entao", nome), f"saída desconhecida: {nome}; saídas: {', '.join(saidas)}"))
                elif not _do_tipo(valor, saidas[nome]):
                    erros.append(((*rb, "entao", nome), f"valor {_mostrar(valor)} não é do tipo {saidas[nome]}"))
            erros += [
                ((*rb, "entao", nome), f"campo obrigatório ausente: {nome} (toda regra define todas as saídas)")
                for nome in saidas
                if nome not in regra["entao"]
            ]
    return erros


def _checar_celula(condicao: dict, tipo: str, caminho: Caminho) -> Erros:
    # Os tipos são verificados aqui para que o gerador escreva células corretas (DESIGN §6:
    # uma célula mal tipada só falha quando a regra é alcançada, ou nunca casa em silêncio).
    operador, valor = condicao["operador"], condicao["valor"]
    if operador in ("<", "<=", ">", ">=", "entre") and tipo not in TIPOS_ORDENAVEIS:
        return [((*caminho, "operador"), f"o operador {operador} exige entrada numérica ou data (a entrada é {tipo})")]
    for v in valor if isinstance(valor, list) else [valor]:
        if not _do_tipo(v, tipo):
            return [((*caminho, "valor"), f"valor {_mostrar(v)} não é do tipo {tipo}")]
    return _checar_entre(condicao, caminho)


def _checar_interface(interface: dict) -> Erros:
    telas = interface["telas"]
    ids = {t["id"] for t in telas}
    erros = _duplicados(telas, "id", ("spec_interface", "telas"), "id de tela")
    for i, tela in enumerate(telas):
        base = ("spec_interface", "telas", i)
        campos, acoes = tela.get("campos", []), tela.get("acoes", [])
        erros += _duplicados(campos, "nome", (*base, "campos"), "nome de campo")
        erros += _duplicados(acoes, "nome", (*base, "acoes"), "nome de ação")
        for j, campo in enumerate(campos):
            if campo["tipo"] == "selecao" and "opcoes" not in campo:
                erros.append(
                    ((*base, "campos", j, "opcoes"), "campo obrigatório ausente: opcoes (exigido pelo tipo selecao)")
                )
            elif campo["tipo"] != "selecao" and "opcoes" in campo:
                erros.append(((*base, "campos", j, "opcoes"), "opcoes só se aplica ao tipo selecao"))
        for j, acao in enumerate(acoes):
            if "tela_destino" in acao and acao["tela_destino"] not in ids:
                erros.append(
                    (
                        (*base, "acoes", j, "tela_destino"),
                        f"tela desconhecida: {acao['tela_destino']}; telas: {', '.join(sorted(ids))}",
                    )
                )
            if "metodo" in acao and "endpoint" not in acao:
                erros.append(
                    ((*base, "acoes", j, "endpoint"), "campo obrigatório ausente: endpoint (exigido por metodo)")
                )
    return erros


def _checar_integracao(integracao: dict, runtime: dict | None) -> Erros:
    conectores = integracao["conectores"]
    erros = _duplicados(conectores, "nome", ("spec_integracao", "conectores"), "nome de conector")
    for i, conector in enumerate(conectores):
        base = ("spec_integracao", "conectores", i)
        erros += _duplicados(conector["endpoints"], "nome", (*base, "endpoints"), "nome de endpoint")
        autenticacao = conector.get("autenticacao", {"tipo": "nenhuma"})
        if autenticacao["tipo"] != "nenhuma" and "credencial" not in autenticacao:
            erros.append(
                (
                    (*base, "autenticacao", "credencial"),
                    f"campo obrigatório ausente: credencial (exigido pela autenticação {autenticacao['tipo']})",
                )
            )
        # A API precisa constar do runtime: é de lá que a precificação tira os gaps.
        if runtime is not None and "api" in conector and conector["api"] not in runtime["apis_externas"]:
            erros.append(((*base, "api"), f"a API {conector['api']} deve constar em runtime.apis_externas"))
    return erros


# --- Leitura do YAML ---------------------------------------------------------------------------


MAX_ANINHAMENTO = 100  # níveis de aninhamento no YAML; specs reais usam menos de 10


class _CarregadorYaml(yaml.SafeLoader):
    """``SafeLoader`` que recusa chaves duplicadas e aliases.

    Chave duplicada: o YAML comum fica com a última em silêncio, e uma spec perderia conteúdo.
    Alias (``*nome``): specs chegam pela API, e aliases aninhados fazem poucos bytes virarem uma
    árvore que a validação percorreria em tempo exponencial ("billion laughs").
    """

    profundidade = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases YAML (*nome) não são aceitos em specs", self.peek_event().start_mark
            )
        # O composer desce por recursão: algumas centenas de colchetes aninhados acabariam em
        # RecursionError (um 500), muito abaixo do limite de tamanho de uma requisição.
        if self.profundidade >= MAX_ANINHAMENTO:
            raise yaml.composer.ComposerError(
                None, None, f"aninhamento acima de {MAX_ANINHAMENTO} níveis", self.peek_event().start_mark
            )
        self.profundidade += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.profundidade -= 1

    def construct_mapping(self, node, deep=False):
        vistas: set = set()
        for no_chave, _ in node.value:
            chave = self.construct_object(no_chave, deep=True)
            try:
                repetida = chave in vistas
                vistas.add(chave)
            except TypeError:  # chave não-hashable: o construtor base recusa com a mensagem dele
                continue
            if repetida:
                raise yaml.constructor.ConstructorError(None, None, f"chave duplicada: {chave}", no_chave.start_mark)
        return super().construct_mapping(node, deep=deep)


def carregar_spec(texto: str) -> dict:
    """Lê o YAML de uma spec e a valida; devolve o dicionário da spec válida.

    Levanta ``SpecInvalida`` com todos os erros: YAML ilegível (campo ``""``, com linha e coluna),
    documento que não é um mapeamento (campo ``""``), ou spec que não passa em ``validar_spec``
    (cada mensagem termina com a linha do YAML onde o campo está, ou onde deveria estar).
    """
    try:
        dados = yaml.load(texto, Loader=_CarregadorYaml)  # noqa: S506 — subclasse de SafeLoader
    except yaml.MarkedYAMLError as exc:
        marca = exc.problem_mark
        onde = f" na linha {marca.line + 1}, coluna {marca.column + 1}" if marca else ""
        raise SpecInvalida([ErroCampo("", f"YAML inválido{onde}: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise SpecInvalida([ErroCampo("", f"YAML inválido: {exc}")]) from exc
    if not isinstance(dados, dict):
        achado = "documento vazio" if dados is None else _NOMES_TIPO.get(_tipo_json(dados), _tipo_json(dados))
        raise SpecInvalida(
            [ErroCampo("", f"o documento deve ser um mapeamento YAML (chave: valor); recebido: {achado}")]
        )
    erros = _validar(dados)
    if erros:
        raiz = yaml.compose(texto, Loader=_CarregadorYaml)  # noqa: S506 — nós com posição, para as linhas
        raise SpecInvalida([ErroCampo(formatar_campo(c), f"{m} (linha {_linha(raiz, c)})") for c, m in erros])
    return dados


def _linha(no: yaml.Node, caminho: Caminho) -> int:
    """Linha (1-based) do nó mais fundo do caminho que existe no documento."""
    for parte in caminho:
        filho = None
        if isinstance(no, yaml.MappingNode):
            filho = next((v for k, v in no.value if isinstance(k, yaml.ScalarNode) and k.value == str(parte)), None)
        elif isinstance(no, yaml.SequenceNode) and isinstance(parte, int) and parte < len(no.value):
            filho = no.value[parte]
        if filho is None:
            break
        no = filho
    return no.start_mark.line + 1


# --- Tamanho (para a precificação) -------------------------------------------------------------

# vertente → (lista da seção, medida que conta os itens dela ou None, sublistas somadas)
_MEDIDAS = {
    "E": ("classes", "classes", ("atributos", "metodos")),
    "P": ("processos", None, ("tarefas", "gateways", "fluxos")),
    "D": ("decisoes", None, ("regras", "entradas", "saidas")),
    "I": ("telas", "telas", ("campos", "acoes")),
    "C": ("conectores", "conectores", ("endpoints",)),
}

VERSAO_PESOS = 1
PESOS_UNIDADES: dict[str, dict[str, int]] = {
    "E": {"classes": 1, "atributos": 1, "metodos": 2},
    "P": {"tarefas": 2, "gateways": 3, "fluxos": 1},
    "D": {"regras": 2, "entradas": 1, "saidas": 1},
    "I": {"telas": 2, "campos": 1, "acoes": 2},
    "C": {"conectores": 2, "endpoints": 3},
}


def tamanho_por_vertente(spec: dict) -> dict[str, dict[str, int]]:
    """Medidas de tamanho de cada vertente da spec (só as vertentes listadas), p.ex.
    ``{"E": {"classes": 2, "atributos": 8, "metodos": 3}, "D": {"regras": 4, "entradas": 3, "saidas": 2}}``.

    E → classes, atributos, metodos · P → tarefas, gateways, fluxos (somados nos processos) ·
    D → regras, entradas, saidas (somados nas decisões) · I → telas, campos, acoes ·
    C → conectores, endpoints. Espera uma spec válida (``validar_spec`` sem erros).
    """
    tamanhos: dict[str, dict[str, int]] = {}
    for vertente in spec["vertentes"]:
        lista, contagem, sublistas = _MEDIDAS[vertente]
        itens = spec.get(SECAO_DA_VERTENTE[vertente], {}).get(lista, [])
        medidas = {contagem: len(itens)} if contagem else {}
        medidas.update({s: sum(len(item.get(s, [])) for item in itens) for s in sublistas})
        tamanhos[vertente] = medidas
    return tamanhos


def unidades(vertente: str, medidas: dict[str, int]) -> int:
    """Unidades de tamanho de uma vertente: soma ponderada das medidas de ``tamanho_por_vertente``.

    A precificação multiplica as unidades pelo coeficiente calibrado (horas por unidade) da
    própria vertente; unidades só se comparam dentro da mesma vertente. Pesos (``PESOS_UNIDADES``,
    versão ``VERSAO_PESOS``), pelo que cada item custa para gerar e testar:

    - E: classes + atributos + 2×metodos — um método carrega regras de negócio e seus testes;
    - P: 2×tarefas + 3×gateways + fluxos — cada gateway abre caminhos a testar;
    - D: 2×regras + entradas + saidas — cada regra é uma linha da tabela e um caso de teste;
    - I: 2×telas + campos + 2×acoes — tela e ação têm rota, layout e teste; campo, validação;
    - C: 2×conectores + 3×endpoints — endpoint é método do cliente + mock + teste de contrato.

    Medidas ausentes contam 0. Vertente desconhecida → ``ValueError``.
    """
    if vertente not in PESOS_UNIDADES:
        raise ValueError(f"vertente desconhecida: {vertente!r}; use uma de {', '.join(VERTENTES)}")
    return sum(peso * medidas.get(nome, 0) for nome, peso in PESOS_UNIDADES[vertente].items())
