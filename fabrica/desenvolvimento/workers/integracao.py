"""Worker da vertente C (``spec_integracao``): cliente HTTP de cada conector, um mock da API
remota no loopback e testes de contrato entre os dois.

O que ele gera, sob ``<pacote>/integracao/``:

- ``contrato.py`` — os dados do contrato, tirados da spec: URL base, autenticação, e de cada
  endpoint o método, o caminho, os parâmetros com suas regras, o JSON Schema do payload e o da
  resposta (``forma`` → JSON Schema: todo campo declarado é obrigatório; o payload não aceita
  campos a mais, a resposta aceita — leitor tolerante), e os erros declarados;
- ``cliente.py`` + ``<conector>.py`` — o cliente (stdlib ``urllib``): valida os parâmetros e o
  payload antes de chamar (``ErroValidacao``, sem requisição), autentica com a credencial lida do
  ambiente pelo nome que a spec dá, usa o cache (GET, quando o conector tem ``cache``), traduz
  os erros declarados (``ErroRemoto`` com a mensagem da spec), o tempo esgotado
  (``ErroTempoEsgotado``), o serviço fora do ar (``ErroIndisponivel``) e a resposta fora do
  contrato (``ErroContrato``);
- ``mock.py`` — ``MockRemoto``: a API remota em ``http.server`` no 127.0.0.1 (porta 0, numa
  thread), que confere rota, credencial e payload contra o contrato, grava cada requisição e
  responde o que o teste programar (ou um exemplo que segue o schema da resposta); sabe
  demorar além do timeout e sair do ar;

e ``tests/test_integracao_<conector>.py``: por endpoint, requisição e resposta validadas contra
os JSON Schemas, resposta fora do contrato recusada, cada erro declarado e um não declarado,
parâmetros inválidos recusados sem requisição; por conector, tempo esgotado, fora do ar,
credencial e cache; e um teste por caso do orçamento (id = nome do caso).

Como um caso vira teste (``CasoDeTeste.dado``):

- ``endpoint`` (reservada) escolhe o endpoint; sem ela, o único endpoint cujos parâmetros e
  campos do payload cobrem as chaves do caso; ``payload`` (reservada) é o corpo inteiro;
- as chaves listadas em ``cenarios`` do conector descrevem o mundo, não a requisição: o
  comportamento do remoto (``normal``, ``lenta`` — responde depois do timeout —, ``fora_do_ar``
  ou um status HTTP) e o estado do cache (``vazio``/``preenchido``);
- as demais são parâmetros do endpoint ou campos do payload; os que faltam recebem o
  ``exemplo`` do parâmetro (ou um valor do tipo) e o exemplo da forma do payload.

O resultado esperado vem da spec, calculado aqui: parâmetros que quebram as regras → erro de
validação com a mensagem da spec, sem requisição; cache preenchido num GET → o valor do cache,
sem requisição; remoto lento → tempo esgotado; fora do ar → indisponível; remoto normal → o que
os casos explícitos da spec dizem daquela mesma requisição (``espera`` com campos da resposta,
ou ``erro`` com a mensagem de um erro declarado), senão a resposta de exemplo do schema.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal, DecimalException
from typing import Any, ClassVar

from fabrica.desenvolvimento.base import Artefato, CasoDeTeste, Entrada, NaoTestavel, Worker
from fabrica.desenvolvimento.literal import literal
from fabrica.desenvolvimento.verificacao import verificar
from fabrica.specs import padroes
from fabrica.specs.formato.integracao import ESTADOS_CACHE

VERTENTE = "C"
RESERVADAS = ("endpoint", "payload")
TIPOS_PT = {
    "str": "um texto",
    "int": "um número inteiro",
    "float": "um número",
    "bool": "um booleano",
    "date": "uma data AAAA-MM-DD",
    "decimal": "um número decimal",
}
_PLACEHOLDER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")
_DATA = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"


def _py(valor: Any, nivel: int = 0) -> str:
    return literal(valor, nivel)


def _classe(nome: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in nome.split("_") if p) or "Conector"


# --- Formas (payload/resposta) → JSON Schema, exemplo e conferência ----------------------------


def esquema_da_forma(forma: Any, *, resposta: bool) -> dict[str, Any]:
    """JSON Schema de uma ``forma``: tipo básico, ``{campo: forma}`` ou ``[forma]``. Todo campo
    declarado é obrigatório; campos a mais são recusados no payload e aceitos na resposta."""
    if isinstance(forma, dict):
        return {
            "type": "object",
            "properties": {k: esquema_da_forma(v, resposta=resposta) for k, v in forma.items()},
            "required": list(forma),
            "additionalProperties": resposta,
        }
    if isinstance(forma, list):
        return {"type": "array", "items": esquema_da_forma(forma[0], resposta=resposta)}
    basicos: dict[str, dict[str, Any]] = {
        "str": {"type": "string"},
        "int": {"type": "integer"},
        "float": {"type": "number"},
        "bool": {"type": "boolean"},
        "date": {"type": "string", "pattern": _DATA.pattern},
        "decimal": {"type": ["number", "string"], "pattern": _DECIMAL},
        "list": {"type": "array"},
        "dict": {"type": "object"},
    }
    return basicos[forma]


def exemplo_da_forma(forma: Any, nome: str = "valor") -> Any:
    """Um valor que segue a forma (o corpo que o mock devolve quando o teste não diz outro)."""
    if isinstance(forma, dict):
        return {k: exemplo_da_forma(v, k) for k, v in forma.items()}
    if isinstance(forma, list):
        return [exemplo_da_forma(forma[0], nome)]
    return {
        "str": f"{nome} de exemplo",
        "int": 7,
        "float": 7.5,
        "bool": True,
        "date": "2024-03-15",
        "decimal": "10.50",
        "list": [],
        "dict": {},
    }[forma]


def conforma(valor: Any, forma: Any, *, resposta: bool, caminho: str = "") -> list[str]:
    """Onde ``valor`` não segue a forma (vazio: segue). O oráculo dos testes, sem o jsonschema."""
    onde = caminho or "(raiz)"
    if isinstance(forma, dict):
        if not isinstance(valor, dict):
            return [f"{onde}: deve ser um objeto"]
        erros = [f"{caminho + '.' if caminho else ''}{k}: ausente" for k in forma if k not in valor]
        if not resposta:
            erros += [
                f"{caminho + '.' if caminho else ''}{k}: não faz parte do contrato" for k in valor if k not in forma
            ]
        for k, sub in forma.items():
            if k in valor:
                erros += conforma(valor[k], sub, resposta=resposta, caminho=f"{caminho + '.' if caminho else ''}{k}")
        return erros
    if isinstance(forma, list):
        if not isinstance(valor, list):
            return [f"{onde}: deve ser uma lista"]
        return [
            e
            for i, item in enumerate(valor)
            for e in conforma(item, forma[0], resposta=resposta, caminho=f"{caminho}[{i}]")
        ]
    ok = {
        "str": isinstance(valor, str),
        "int": isinstance(valor, int) and not isinstance(valor, bool),
        "float": isinstance(valor, (int, float)) and not isinstance(valor, bool),
        "bool": isinstance(valor, bool),
        "date": isinstance(valor, str) and bool(_DATA.search(valor)),
        "decimal": (isinstance(valor, (int, float)) and not isinstance(valor, bool))
        or (isinstance(valor, str) and bool(re.search(_DECIMAL, valor))),
        "list": isinstance(valor, list),
        "dict": isinstance(valor, dict),
    }[forma]
    return [] if ok else [f"{onde}: deve ser {forma}"]


# --- Parâmetros (caminho e query string) ----------------------------------------------------------


def parametros_do_endpoint(endpoint: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Os parâmetros do endpoint, na ordem em que o cliente os confere: os ``{nome}`` do caminho
    (na ordem do caminho; ``str`` obrigatório quando não declarados), depois os só declarados,
    que vão na query string."""
    declarados = endpoint.get("parametros", {})
    no_caminho = _PLACEHOLDER.findall(endpoint["caminho"])
    parametros = {}
    for nome in no_caminho:
        parametros[nome] = {"tipo": "str", **declarados.get(nome, {}), "local": "caminho", "obrigatorio": True}
    for nome, declaracao in declarados.items():
        if nome not in parametros:
            parametros[nome] = {"tipo": "str", "obrigatorio": True, **declaracao, "local": "query"}
    return parametros


def mensagens_do_parametro(nome: str, declaracao: dict[str, Any]) -> dict[str, str]:
    mensagens = {
        "obrigatorio": f"{nome} é obrigatório",
        "tipo": f"{nome} deve ser {TIPOS_PT[declaracao['tipo']]}",
    }
    if "padrao" in declaracao:
        mensagens["padrao"] = f"{nome} está fora do formato esperado"
    if "min_len" in declaracao:
        mensagens["min_len"] = f"{nome} deve ter pelo menos {declaracao['min_len']} caracteres"
    if "max_len" in declaracao:
        mensagens["max_len"] = f"{nome} deve ter no máximo {declaracao['max_len']} caracteres"
    if "min" in declaracao:
        mensagens["min"] = f"{nome} deve ser maior ou igual a {declaracao['min']}"
    if "max" in declaracao:
        mensagens["max"] = f"{nome} deve ser menor ou igual a {declaracao['max']}"
    if "escolhas" in declaracao:
        mensagens["escolhas"] = f"{nome} deve ser um de: {', '.join(map(str, declaracao['escolhas']))}"
    mensagens.update(declaracao.get("mensagens", {}))
    return mensagens


def _do_tipo(valor: Any, tipo: str) -> bool:
    if tipo == "str":
        return isinstance(valor, str)
    if tipo == "int":
        return isinstance(valor, int) and not isinstance(valor, bool)
    if tipo == "float":
        return isinstance(valor, (int, float)) and not isinstance(valor, bool)
    if tipo == "bool":
        return isinstance(valor, bool)
    if tipo == "date":
        if isinstance(valor, datetime.date):
            return True
        if not isinstance(valor, str):
            return False
        try:
            datetime.date.fromisoformat(valor)
        except ValueError:
            return False
        return bool(_DATA.search(valor))
    if isinstance(valor, bool):
        return False
    if isinstance(valor, (int, float, Decimal)):
        return True
    try:
        return isinstance(valor, str) and Decimal(valor).is_finite()
    except DecimalException:
        return False


def erro_do_parametro(nome: str, declaracao: dict[str, Any], valor: Any) -> str | None:
    """A primeira regra do parâmetro que ``valor`` quebra (a mensagem), ou None. Ordem: obrigatório,
    tipo, escolhas, padrão, tamanho mínimo e máximo, mínimo e máximo."""
    mensagens = mensagens_do_parametro(nome, declaracao)
    if valor is None:
        return mensagens["obrigatorio"] if declaracao.get("obrigatorio", True) else None
    if not _do_tipo(valor, declaracao["tipo"]):
        return mensagens["tipo"]
    if "escolhas" in declaracao and valor not in declaracao["escolhas"]:
        return mensagens["escolhas"]
    texto = valor if isinstance(valor, str) else None
    if texto is not None and declaracao["tipo"] == "str":
        if "padrao" in declaracao and not padroes.procura(declaracao["padrao"], texto):
            return mensagens["padrao"]
        if "min_len" in declaracao and len(texto) < declaracao["min_len"]:
            return mensagens["min_len"]
        if "max_len" in declaracao and len(texto) > declaracao["max_len"]:
            return mensagens["max_len"]
    if declaracao["tipo"] in ("int", "float", "decimal"):
        numero = Decimal(str(valor))
        if "min" in declaracao and numero < Decimal(str(declaracao["min"])):
            return mensagens["min"]
        if "max" in declaracao and numero > Decimal(str(declaracao["max"])):
            return mensagens["max"]
    return None


def exemplo_do_parametro(nome: str, declaracao: dict[str, Any]) -> Any:
    """Um valor válido: o ``exemplo`` declarado, ou um do tipo que respeita as regras (None
    quando só um exemplo declarado serviria: há um padrão)."""
    if "exemplo" in declaracao:
        return declaracao["exemplo"]
    if "escolhas" in declaracao:
        return declaracao["escolhas"][0]
    tipo = declaracao["tipo"]
    if tipo == "str":
        if "padrao" in declaracao:
            return None
        texto = f"{nome}-exemplo".ljust(declaracao.get("min_len", 0), "x")
        return texto[: declaracao["max_len"]] if "max_len" in declaracao else texto
    if tipo == "bool":
        return True
    if tipo == "date":
        return "2024-03-15"
    minimo, maximo = declaracao.get("min"), declaracao.get("max")
    valor = minimo if minimo is not None else (maximo if maximo is not None and maximo < 1 else 1)
    return int(valor) if tipo == "int" and float(valor).is_integer() else valor


def valores_invalidos(nome: str, declaracao: dict[str, Any]) -> list[tuple[str, Any]]:
    """Para cada regra do parâmetro, um valor que a quebra (e só ela, quando dá): os testes de
    validação do cliente. Regras sem valor que as quebre isoladamente ficam de fora."""
    tipo = declaracao["tipo"]
    candidatos: list[tuple[str, Any]] = [("tipo", [] if tipo != "str" else 12345)]
    if "escolhas" in declaracao:
        fora = next(
            (v for v in ("__fora__", -987654, "x") if v not in declaracao["escolhas"] and _do_tipo(v, tipo)), None
        )
        if fora is not None:
            candidatos.append(("escolhas", fora))
    if tipo == "str" and "padrao" in declaracao:
        quebra = next(
            (v for v in ("", "?", "x", "0", "0" * 64, "a b") if not padroes.procura(declaracao["padrao"], v)),
            None,
        )
        if quebra is not None:
            candidatos.append(("padrao", quebra))
    if tipo == "str" and declaracao.get("min_len", 0) > 0:
        candidatos.append(("min_len", "x" * (declaracao["min_len"] - 1)))
    if tipo == "str" and "max_len" in declaracao:
        candidatos.append(("max_len", "x" * (declaracao["max_len"] + 1)))
    if tipo in ("int", "float", "decimal"):
        if "min" in declaracao:
            candidatos.append(("min", declaracao["min"] - 1))
        if "max" in declaracao:
            candidatos.append(("max", declaracao["max"] + 1))
    mensagens = mensagens_do_parametro(nome, declaracao)
    # Só os que quebram exatamente a regra que nomeiam: a primeira regra quebrada é a que o cliente diz.
    return [(regra, v) for regra, v in candidatos if erro_do_parametro(nome, declaracao, v) == mensagens[regra]]


def caminho_com(endpoint: dict[str, Any], valores: dict[str, Any]) -> str:
    """O caminho da requisição: os ``{nome}`` trocados pelos valores, codificados (``quote``)."""

    def troca(m: re.Match[str]) -> str:
        return urllib.parse.quote(_como_texto(valores[m.group(1)]), safe="")

    return _PLACEHOLDER.sub(troca, endpoint["caminho"])


def _como_texto(valor: Any) -> str:
    if isinstance(valor, bool):
        return "true" if valor else "false"
    if isinstance(valor, datetime.date):
        return valor.isoformat()
    return str(valor)


# --- O modelo que os templates recebem ------------------------------------------------------------


def _conector_contrato(conector: dict[str, Any]) -> dict[str, Any]:
    autenticacao = conector.get("autenticacao", {"tipo": "nenhuma"})
    endpoints = {}
    for endpoint in conector["endpoints"]:
        endpoints[endpoint["nome"]] = {
            "metodo": endpoint["metodo"],
            "caminho": endpoint["caminho"],
            "parametros": {
                nome: {**{k: v for k, v in d.items() if k != "mensagens"}, "mensagens": mensagens_do_parametro(nome, d)}
                for nome, d in parametros_do_endpoint(endpoint).items()
            },
            "payload": esquema_da_forma(endpoint["payload"], resposta=False) if "payload" in endpoint else None,
            "resposta": esquema_da_forma(endpoint["resposta"], resposta=True) if "resposta" in endpoint else None,
            "exemplo": exemplo_da_forma(endpoint["resposta"]) if "resposta" in endpoint else None,
            "erros": [
                {"status": e["status"], "corpo": e.get("corpo"), "mensagem": e["mensagem"]}
                for e in endpoint.get("erros", [])
            ],
        }
    return {
        "nome": conector["nome"],
        "base_url": conector["base_url"],
        "timeout_s": conector.get("timeout_s", 10),
        "autenticacao": {
            "tipo": autenticacao["tipo"],
            "credencial": autenticacao.get("credencial"),
            "cabecalho": autenticacao.get(
                "cabecalho", "X-API-Key" if autenticacao["tipo"] == "api_key" else "Authorization"
            ),
        },
        "cache_ttl_s": conector["cache"]["ttl_s"] if "cache" in conector else None,
        "endpoints": endpoints,
    }


def _anotacao(forma: Any) -> str:
    if isinstance(forma, dict):
        return "dict[str, Any]"
    if isinstance(forma, list):
        return "list[Any]"
    return {
        "str": "str",
        "int": "int",
        "float": "float",
        "bool": "bool",
        "date": "str",
        "decimal": "str | float",
        "list": "list[Any]",
        "dict": "dict[str, Any]",
    }[forma]


_ANOTACAO_PARAMETRO = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "date": "str | datetime.date",
    "decimal": "Decimal | float | int | str",
}


def _metodos(conector: dict[str, Any]) -> list[dict[str, Any]]:
    metodos = []
    for endpoint in conector["endpoints"]:
        parametros = parametros_do_endpoint(endpoint)
        argumentos = []
        for nome, d in parametros.items():
            anotacao = _ANOTACAO_PARAMETRO[d["tipo"]]
            obrigatorio = d.get("obrigatorio", True)
            argumentos.append(f"{nome}: {anotacao}" if obrigatorio else f"{nome}: {anotacao} | None = None")
        if "payload" in endpoint:
            argumentos.append(f"payload: {_anotacao(endpoint['payload'])}")
        metodos.append(
            {
                "nome": endpoint["nome"],
                "assinatura": ", ".join(["self", "*", *argumentos]) if argumentos else "self",
                "retorno": _anotacao(endpoint["resposta"]) if "resposta" in endpoint else "Any",
                "parametros": list(parametros),
                "tem_payload": "payload" in endpoint,
                "resumo_py": _py(
                    f"{endpoint['metodo']} {endpoint['caminho']}"
                    + (f": {endpoint['descricao']}" if endpoint.get("descricao") else "")
                ),
            }
        )
    return metodos


# --- O worker --------------------------------------------------------------------------------------------


class WorkerIntegracao(Worker):
    vertente = "C"
    secao = "spec_integracao"
    # Distributions the generated code imports at run time (besides pytest), for the release's
    # requirements: the packager pins them at the versions installed with PROMETHEUS.
    dependencias: ClassVar[tuple[str, ...]] = ("jsonschema",)

    def _contexto(self, entrada: Entrada) -> dict[str, Any]:
        conectores = entrada.spec[self.secao]["conectores"]
        return {
            "pacote": entrada.pacote,
            "spec_id": entrada.spec["id"],
            "conectores": [
                {
                    "nome": c["nome"],
                    "classe": _classe(c["nome"]),
                    "modulo": c["nome"].lower(),
                    "metodos": (metodos := _metodos(c)),
                    "usa_any": any("Any" in m["assinatura"] + m["retorno"] for m in metodos),
                    "usa_data": any(
                        d["tipo"] == "date" for e in c["endpoints"] for d in parametros_do_endpoint(e).values()
                    ),
                    "usa_decimal": any(
                        d["tipo"] == "decimal" for e in c["endpoints"] for d in parametros_do_endpoint(e).values()
                    ),
                }
                for c in conectores
            ],
            "contratos_py": _py({c["nome"]: _conector_contrato(c) for c in conectores}),
        }

    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]:
        contexto = self._contexto(entrada)
        base = f"{entrada.pacote}/integracao"

        def codigo(caminho: str, template: str, papel: str = "codigo", **extra: Any) -> Artefato:
            return Artefato(caminho, VERTENTE, papel, entrada.gerador.gerar(VERTENTE, template, {**contexto, **extra}))

        artefatos = [
            codigo(f"{base}/__init__.py", "__init__.py.j2"),
            codigo(f"{base}/erros.py", "erros.py.j2"),
            codigo(f"{base}/contrato.py", "contrato.py.j2"),
            codigo(f"{base}/cliente.py", "cliente.py.j2"),
            codigo(f"{base}/mock.py", "mock.py.j2"),
        ]
        for conector in contexto["conectores"]:
            artefatos.append(codigo(f"{base}/{conector['modulo']}.py", "conector.py.j2", conector=conector))
        return verificar(artefatos)

    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]:
        contexto = self._contexto(entrada)
        conectores = entrada.spec[self.secao]["conectores"]
        tdd = entrada.spec.get("schema_tdd", {})
        exemplos = _exemplos_explicitos(conectores, tdd.get("casos", []))
        por_conector: dict[str, list[dict[str, Any]]] = {c["nome"]: [] for c in conectores}
        nao_testaveis = []
        for caso in entrada.casos:
            plano = planejar_caso(conectores, caso, exemplos)
            if isinstance(plano, NaoTestavel):
                nao_testaveis.append(plano)
            else:
                por_conector[plano[0]].append(plano[1])
        testes = []
        for conector, ctx in zip(conectores, contexto["conectores"], strict=True):
            testes.append(
                Artefato(
                    f"tests/test_integracao_{ctx['modulo']}.py",
                    VERTENTE,
                    "teste",
                    entrada.gerador.gerar(
                        VERTENTE,
                        "test_conector.py.j2",
                        {
                            **contexto,
                            "conector": ctx,
                            "contratos_endpoints_py": _py(_planos_de_endpoint(conector)),
                            "invalidos_py": _py(_planos_invalidos(conector)),
                            "erros_py": _py(_planos_de_erro(conector)),
                            "tem_autenticacao": conector.get("autenticacao", {}).get("tipo", "nenhuma") != "nenhuma",
                            "credencial_py": _py(conector.get("autenticacao", {}).get("credencial")),
                            "tem_cache": "cache" in conector,
                            "cache_py": _py(_plano_de_cache(conector)),
                            "casos_py": _py(por_conector[conector["nome"]]),
                            "tem_casos": bool(por_conector[conector["nome"]]),
                        },
                    ),
                )
            )
        return verificar(testes), nao_testaveis


# --- Planos dos testes ------------------------------------------------------------------------------------


def _requisicao_valida(endpoint: dict[str, Any]) -> tuple[dict[str, Any], Any] | None:
    parametros = {}
    for nome, d in parametros_do_endpoint(endpoint).items():
        if not d.get("obrigatorio", True):
            continue
        valor = exemplo_do_parametro(nome, d)
        if valor is None:
            return None
        parametros[nome] = valor
    payload = exemplo_da_forma(endpoint["payload"]) if "payload" in endpoint else None
    return parametros, payload


def _endpoints_testaveis(conector: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any], Any]]:
    """Os endpoints do conector para os quais há uma requisição válida, com ela: (endpoint,
    parâmetros, payload), na ordem da spec."""
    for endpoint in conector["endpoints"]:
        requisicao = _requisicao_valida(endpoint)
        if requisicao is not None:
            yield endpoint, *requisicao


def _consulta(endpoint: dict[str, Any], valores: dict[str, Any]) -> dict[str, list[str]]:
    return {
        nome: [_como_texto(valores[nome])]
        for nome, d in parametros_do_endpoint(endpoint).items()
        if d["local"] == "query" and valores.get(nome) is not None
    }


def _planos_de_endpoint(conector: dict[str, Any]) -> list[dict[str, Any]]:
    planos = []
    for endpoint, parametros, payload in _endpoints_testaveis(conector):
        planos.append(
            {
                "endpoint": endpoint["nome"],
                "metodo": endpoint["metodo"],
                "parametros": parametros,
                "payload": payload,
                "caminho": caminho_com(endpoint, parametros),
                "consulta": _consulta(endpoint, parametros),
                "corpo": exemplo_da_forma(endpoint["resposta"]) if "resposta" in endpoint else None,
                "fora_do_contrato": _fora_do_contrato(endpoint["resposta"]) if "resposta" in endpoint else None,
            }
        )
    return planos


def _fora_do_contrato(forma: Any) -> Any:
    """Uma resposta que o contrato recusa: o primeiro campo com o tipo errado, ou o tipo errado."""
    if isinstance(forma, dict):
        corpo = exemplo_da_forma(forma)
        primeiro = next(iter(forma))
        corpo[primeiro] = [] if forma[primeiro] not in ("list",) and not isinstance(forma[primeiro], list) else "x"
        return corpo
    if isinstance(forma, list):
        return {"nao": "é uma lista"}
    return [] if forma != "list" else "x"


def _planos_invalidos(conector: dict[str, Any]) -> list[dict[str, Any]]:
    planos = []
    for endpoint, parametros, payload in _endpoints_testaveis(conector):
        for nome, d in parametros_do_endpoint(endpoint).items():
            mensagens = mensagens_do_parametro(nome, d)
            casos = valores_invalidos(nome, d)
            if d.get("obrigatorio", True):
                casos.insert(0, ("obrigatorio", None))
            for regra, valor in casos:
                planos.append(
                    {
                        "id": f"{endpoint['nome']}-{nome}-{regra}",
                        "endpoint": endpoint["nome"],
                        "parametros": {**parametros, nome: valor},
                        "payload": payload,
                        "campo": nome,
                        "mensagem": mensagens[regra],
                    }
                )
        if "payload" in endpoint:
            planos.append(
                {
                    "id": f"{endpoint['nome']}-payload",
                    "endpoint": endpoint["nome"],
                    "parametros": parametros,
                    "payload": _fora_do_contrato(endpoint["payload"]),
                    "campo": "payload",
                    "mensagem": None,
                }
            )
    return planos


def _planos_de_erro(conector: dict[str, Any]) -> list[dict[str, Any]]:
    planos = []
    for endpoint, parametros, payload in _endpoints_testaveis(conector):
        for erro in endpoint.get("erros", []):
            planos.append(
                {
                    "id": f"{endpoint['nome']}-{erro['status']}",
                    "endpoint": endpoint["nome"],
                    "parametros": parametros,
                    "payload": payload,
                    "status": erro["status"],
                    "corpo": erro.get("corpo", {"erro": erro["mensagem"]}),
                    "mensagem": erro["mensagem"],
                }
            )
        nao_declarado = next(
            s for s in (500, 502, 503, 418) if s not in {e["status"] for e in endpoint.get("erros", [])}
        )
        planos.append(
            {
                "id": f"{endpoint['nome']}-{nao_declarado}-nao-declarado",
                "endpoint": endpoint["nome"],
                "parametros": parametros,
                "payload": payload,
                "status": nao_declarado,
                "corpo": {"erro": "falha interna"},
                "mensagem": f"o serviço respondeu HTTP {nao_declarado}",
            }
        )
    return planos


def _plano_de_cache(conector: dict[str, Any]) -> dict[str, Any] | None:
    if "cache" not in conector:
        return None
    for endpoint, parametros, _payload in _endpoints_testaveis(conector):
        if endpoint["metodo"] == "GET":
            return {
                "endpoint": endpoint["nome"],
                "parametros": parametros,
                "corpo": exemplo_da_forma(endpoint["resposta"]) if "resposta" in endpoint else None,
                "ttl_s": conector["cache"]["ttl_s"],
            }
    return None


def _achar_endpoint(
    conectores: list[dict[str, Any]], dado: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str]:
    if "endpoint" in dado:
        achados = [(c, e) for c in conectores for e in c["endpoints"] if e["nome"] == dado["endpoint"]]
        if len(achados) != 1:
            nomes = ", ".join(e["nome"] for c in conectores for e in c["endpoints"])
            return (
                None,
                None,
                f"dado.endpoint = {dado['endpoint']!r} não nomeia um endpoint da spec; endpoints: {nomes}",
            )
        return achados[0][0], achados[0][1], ""

    def chaves_da_requisicao(conector: dict[str, Any]) -> set[str]:
        return {k for k in dado if k not in RESERVADAS and k not in conector.get("cenarios", {})}

    def cobre(conector: dict[str, Any], endpoint: dict[str, Any]) -> bool:
        campos = set(parametros_do_endpoint(endpoint))
        if isinstance(endpoint.get("payload"), dict) and "payload" not in dado:
            campos |= set(endpoint["payload"])
        return chaves_da_requisicao(conector) <= campos

    candidatos = [(c, e) for c in conectores for e in c["endpoints"] if cobre(c, e)]
    if len(candidatos) > 1:
        # Entre os que cobrem, o que usa mais chaves do caso (um endpoint sem parâmetros cobre qualquer caso vazio).
        def usadas(par: tuple[dict[str, Any], dict[str, Any]]) -> int:
            return len(chaves_da_requisicao(par[0]) & set(parametros_do_endpoint(par[1])))

        melhor = max(usadas(p) for p in candidatos)
        candidatos = [p for p in candidatos if usadas(p) == melhor]
    if len(candidatos) == 1:
        return candidatos[0][0], candidatos[0][1], ""
    if not candidatos:
        chaves = sorted(k for k in dado if k not in RESERVADAS)
        return (
            None,
            None,
            (
                f"nenhum endpoint tem todos os parâmetros e campos do caso ({', '.join(chaves)}); "
                "diga o endpoint em dado.endpoint, ou declare em cenarios do conector as chaves que descrevem o remoto ou o cache"
            ),
        )
    nomes = ", ".join(e["nome"] for _, e in candidatos)
    return None, None, f"o caso serve a mais de um endpoint ({nomes}); diga qual em dado.endpoint"


def _chave(endpoint: dict[str, Any], parametros: dict[str, Any], payload: Any) -> str:
    return literal((endpoint["nome"], sorted((k, _como_texto(v)) for k, v in parametros.items()), payload))


def _requisicao_do_caso(
    endpoint: dict[str, Any], dado: dict[str, Any], cenarios: dict[str, Any]
) -> tuple[dict[str, Any], Any] | str:
    declarados = parametros_do_endpoint(endpoint)
    parametros: dict[str, Any] = {}
    for nome, d in declarados.items():
        if nome in dado:
            parametros[nome] = dado[nome]
        elif d.get("obrigatorio", True):
            exemplo = exemplo_do_parametro(nome, d)
            if exemplo is None:
                return f"o caso não dá {nome}, que tem padrão e nenhum exemplo declarado"
            parametros[nome] = exemplo
    payload = None
    if "payload" in endpoint:
        if "payload" in dado:
            payload = dado["payload"]
        else:
            payload = exemplo_da_forma(endpoint["payload"])
            if isinstance(payload, dict):
                for campo in endpoint["payload"]:
                    if campo in dado and campo not in declarados:
                        payload[campo] = dado[campo]
    return parametros, payload


def _exemplos_explicitos(conectores: list[dict[str, Any]], casos: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """O que os casos explícitos da spec dizem de cada requisição: o mock do remoto "sabe" isso.
    Chave: (endpoint, parâmetros, payload); valor: ``{"corpo": ...}`` ou ``{"erro": erro declarado}``."""
    sabidos: dict[str, dict[str, Any]] = {}
    for caso in casos:
        conector, endpoint, _ = _achar_endpoint(conectores, caso["dado"])
        if endpoint is None or conector is None or not isinstance(caso.get("espera"), dict):
            continue
        requisicao = _requisicao_do_caso(endpoint, caso["dado"], conector.get("cenarios", {}))
        if isinstance(requisicao, str):
            continue
        resposta = _resposta_esperada(endpoint, caso["espera"])
        if resposta is not None and resposta.get("tipo") in ("sucesso", "remoto"):
            sabidos[_chave(endpoint, *requisicao)] = resposta
    return sabidos


def _resposta_esperada(endpoint: dict[str, Any], espera: dict[str, Any]) -> dict[str, Any] | None:
    """``espera`` de um caso explícito como o que o remoto responde e o cliente devolve/levanta."""
    if "erro" in espera:
        mensagem = str(espera["erro"])
        declarado = next((e for e in endpoint.get("erros", []) if e["mensagem"] == mensagem), None)
        if declarado is not None:
            return {
                "tipo": "remoto",
                "status": declarado["status"],
                "corpo": declarado.get("corpo", {"erro": mensagem}),
                "mensagem": mensagem,
            }
        for nome, d in parametros_do_endpoint(endpoint).items():
            if mensagem in mensagens_do_parametro(nome, d).values():
                return {"tipo": "validacao", "campo": nome, "mensagem": mensagem}
        return None
    forma = endpoint.get("resposta")
    if not isinstance(forma, dict) or not espera or any(k not in forma for k in espera):
        return None
    corpo = exemplo_da_forma(forma)
    corpo.update(espera)
    return {"tipo": "sucesso", "corpo": corpo, "confere": dict(espera)}


def planejar_caso(
    conectores: list[dict[str, Any]], caso: CasoDeTeste, exemplos: dict[str, dict[str, Any]]
) -> tuple[str, dict[str, Any]] | NaoTestavel:
    """O teste de um caso: requisição, como o remoto e o cache estão, e o resultado esperado."""
    conector, endpoint, motivo = _achar_endpoint(conectores, caso.dado)
    if conector is None or endpoint is None:
        return NaoTestavel(caso.nome, motivo)
    cenarios = conector.get("cenarios", {})
    remoto: Any = "normal"
    cache = "vazio"
    for chave, mapa in cenarios.items():
        if chave not in caso.dado:
            continue
        valor = caso.dado[chave]
        if str(valor) not in mapa:
            return NaoTestavel(
                caso.nome, f"{chave} = {valor!r} não está em cenarios.{chave} do conector {conector['nome']}"
            )
        comportamento = mapa[str(valor)]
        if comportamento in ESTADOS_CACHE:
            cache = comportamento
        else:
            remoto = comportamento
    requisicao = _requisicao_do_caso(endpoint, caso.dado, cenarios)
    if isinstance(requisicao, str):
        return NaoTestavel(caso.nome, requisicao)
    parametros, payload = requisicao
    plano: dict[str, Any] = {
        "nome": caso.nome,
        "titulo": caso.titulo,
        "endpoint": endpoint["nome"],
        "parametros": parametros,
        "payload": payload,
        "caminho": caminho_com(endpoint, {k: v for k, v in parametros.items() if v is not None})
        if all(parametros.get(n) is not None for n in _PLACEHOLDER.findall(endpoint["caminho"]))
        else None,
        "remoto": remoto,
        "cache": cache if "cache" in conector and endpoint["metodo"] == "GET" else "vazio",
        "resposta_do_mock": None,
    }
    if caso.espera is not None:
        esperado = _resposta_esperada(endpoint, caso.espera)
        if esperado is None:
            return NaoTestavel(caso.nome, _por_que_nao(endpoint, caso.espera))
    else:
        esperado = None
    plano["esperado"], plano["resposta_do_mock"], plano["requisicoes"] = _desfecho(
        endpoint, parametros, payload, remoto, plano["cache"], esperado, exemplos
    )
    return conector["nome"], plano


def _por_que_nao(endpoint: dict[str, Any], espera: dict[str, Any]) -> str:
    if "erro" in espera:
        return (
            f"espera.erro = {espera['erro']!r} não é mensagem de nenhum parâmetro nem de nenhum erro declarado "
            f"do endpoint {endpoint['nome']}; declare-a em parametros.<nome>.mensagens ou em erros"
        )
    forma = endpoint.get("resposta")
    if not isinstance(forma, dict):
        return f"o endpoint {endpoint['nome']} não declara uma resposta objeto; espera só confere campos de uma resposta objeto"
    fora = sorted(k for k in espera if k not in forma)
    return f"espera.{', espera.'.join(fora)} não {'é campo' if len(fora) == 1 else 'são campos'} da resposta de {endpoint['nome']}"


def _desfecho(
    endpoint: dict[str, Any],
    parametros: dict[str, Any],
    payload: Any,
    remoto: Any,
    cache: str,
    explicito: dict[str, Any] | None,
    exemplos: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any] | None, int]:
    """(esperado, resposta que o mock dá, quantas requisições o mock recebe), pela ordem em que o
    cliente age: valida, consulta o cache, chama."""
    for nome, d in parametros_do_endpoint(endpoint).items():
        mensagem = erro_do_parametro(nome, d, parametros.get(nome))
        if mensagem is not None:
            return explicito or {"tipo": "validacao", "campo": nome, "mensagem": mensagem}, None, 0
    if "payload" in endpoint and conforma(payload, endpoint["payload"], resposta=False):
        return explicito or {"tipo": "validacao", "campo": "payload", "mensagem": None}, None, 0
    if explicito is not None and explicito["tipo"] == "validacao":
        return explicito, None, 0  # a espera diz recusa e as regras aceitam: o teste falha, mostrando isso
    sabido = exemplos.get(_chave(endpoint, parametros, payload))
    resposta = explicito or sabido
    corpo_de_exemplo = exemplo_da_forma(endpoint["resposta"]) if "resposta" in endpoint else None
    if cache == "preenchido" and (resposta is None or resposta["tipo"] == "sucesso"):
        # O cache guarda só respostas de sucesso: preenchido é ter lá o que o remoto responderia.
        # Quando o remoto responde um erro, nada estaria guardado, e o cliente vai ao remoto.
        corpo = resposta["corpo"] if resposta else corpo_de_exemplo
        return {"tipo": "sucesso", "corpo": corpo, "do_cache": True}, None, 0
    if remoto == "lenta":
        return {"tipo": "tempo_esgotado"}, None, 1
    if remoto == "fora_do_ar":
        return {"tipo": "indisponivel"}, None, 0
    if isinstance(remoto, int):
        declarado = next((e for e in endpoint.get("erros", []) if e["status"] == remoto and "corpo" not in e), None)
        mensagem = declarado["mensagem"] if declarado else f"o serviço respondeu HTTP {remoto}"
        corpo = {"erro": mensagem}
        return {"tipo": "remoto", "status": remoto, "mensagem": mensagem}, {"status": remoto, "corpo": corpo}, 1
    if resposta is not None and resposta["tipo"] == "remoto":
        return (
            {"tipo": "remoto", "status": resposta["status"], "mensagem": resposta["mensagem"]},
            {"status": resposta["status"], "corpo": resposta["corpo"]},
            1,
        )
    if resposta is not None:
        return {"tipo": "sucesso", "corpo": resposta["corpo"]}, {"status": 200, "corpo": resposta["corpo"]}, 1
    return {"tipo": "sucesso", "corpo": corpo_de_exemplo}, {"status": 200, "corpo": corpo_de_exemplo}, 1
