"""Worker da vertente I (``spec_interface``): telas server-rendered em Django.

O que ele gera, sob ``<pacote>/interface/`` (um app Django que qualquer projeto inclui):

- ``forms.py`` — um ``Form`` por tela, um campo Django por campo da spec, com as validações
  dela (obrigatório, tipo, opções, ``restricoes``) e as mensagens em pt-BR desta fábrica;
- ``views.py``/``urls.py`` — uma view por tela (``GET`` mostra, ``POST`` valida e executa a ação
  escolhida); ``templates/<pacote>/interface/<tela>.html`` — o template Django de cada tela;
- ``acoes.py`` — o backend que as ações chamam (``endpoint`` + ``metodo`` da spec): HTTP por
  padrão, trocável nas settings;
- ``suporte_testes.py`` — um Django mínimo (``settings.configure``, sem banco) e um leitor de
  HTML, para os testes rodarem sem as settings de projeto nenhum.

Testes, planos em ``tests/test_interface_<tela>.py``: a tela renderiza os campos, rótulos e
ações da spec; enviar vazia mostra o erro de cada obrigatório; dados válidos são aceitos e
chegam ao endpoint da ação; CSRF é exigido; e um teste por caso do orçamento (id = o nome do
caso). O resultado esperado de cada caso vem da própria spec, calculado aqui (``erros_do_campo``),
independente do Django que o teste exercita.

Como um caso vira teste (``CasoDeTeste.dado``):

- chaves reservadas: ``tela`` (id da tela; sem ela, a única tela que tem todos os campos do
  caso), ``acao`` (nome da ação enviada; sem ela, a primeira ação com ``endpoint`` que não é
  ``GET``, depois qualquer uma com ``endpoint``, depois a primeira que só valida) e os
  parâmetros da URL da tela (``{id}`` dos endpoints das ações);
- as demais chaves são campos: o valor é o que o usuário digita (``null`` = deixou vazio; num
  ``arquivo``, o nome do arquivo enviado; num ``booleano``, marcado ou não). Campos obrigatórios
  que o caso não dá recebem o ``exemplo`` do campo (ou um valor válido do tipo);
- ``espera`` (casos explícitos): ``erro: {campo, mensagem}`` (ou uma lista deles), ``erros:
  {campo: mensagem | [mensagens]}``, ``tela: <id>`` (aceito e levado àquela tela) e ``valido:
  true|false``. Sem ``espera`` (linhas do arranjo), espera-se exatamente o que as regras dos
  campos dizem. Uma chave de ``espera`` que a interface não tem como observar torna o caso
  ``NaoTestavel``, com o motivo — nunca um teste que finge verificá-la.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, DecimalException
from typing import Any, ClassVar

from fabrica.desenvolvimento.base import Artefato, CasoDeTeste, Entrada, NaoTestavel, Worker
from fabrica.desenvolvimento.literal import literal
from fabrica.desenvolvimento.verificacao import verificar
from fabrica.specs import padroes
from fabrica.specs.formato.interface import TIPOS_NUMERO, TIPOS_TEXTO, parametros_da_url

VERTENTE = "I"
CHAVES_RESERVADAS = ("tela", "acao")
ESPERAS = ("erro", "erros", "tela", "valido")
FORMATOS_DATA = ("%Y-%m-%d", "%d/%m/%Y")
CONTEUDO_ARQUIVO_TESTE = "conteúdo de teste\n"

# O que cada tipo de campo da spec vira: campo Django, widget e o que o ``exemplo`` padrão vale.
CAMPOS_DJANGO = {
    "texto": ("CharField", None),
    "texto_longo": ("CharField", "forms.Textarea"),
    "numero": ("IntegerField", None),
    "decimal": ("DecimalField", None),
    "data": ("DateField", 'forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")'),
    "email": ("EmailField", None),
    "senha": ("CharField", "forms.PasswordInput"),
    "booleano": ("BooleanField", None),
    "selecao": ("ChoiceField", None),
    "arquivo": ("FileField", None),
}

OBRIGATORIO = "Este campo é obrigatório."
_INVALIDO = {
    "numero": "Informe um número inteiro.",
    "decimal": "Informe um número.",
    "data": "Informe uma data válida (AAAA-MM-DD ou DD/MM/AAAA).",
    "email": "Informe um endereço de e-mail válido.",
}
NULO = "Caracteres nulos não são permitidos."


def _lista_pt(itens: list[str]) -> str:
    return itens[0] if len(itens) == 1 else ", ".join(itens[:-1]) + " ou " + itens[-1]


def _numero_pt(valor: Any) -> str:
    return str(int(valor)) if isinstance(valor, float) and valor.is_integer() else str(valor)


def mensagens_do_campo(campo: dict[str, Any]) -> dict[str, str]:
    """As mensagens de erro do campo, por regra (as padrões desta fábrica, ou as da spec em
    ``campo.mensagens``). As mesmas vão para o ``Form`` gerado e para os resultados esperados."""
    restricoes = campo.get("restricoes", {})
    tipo = campo["tipo"]
    mensagens = {"obrigatorio": OBRIGATORIO}
    if tipo in _INVALIDO:
        mensagens["invalido"] = _INVALIDO[tipo]
    if tipo == "selecao":
        mensagens["escolha"] = f"Escolha uma das opções: {_lista_pt([str(o) for o in campo['opcoes']])}."
    if "min" in restricoes:
        mensagens["min"] = f"Informe um valor maior ou igual a {_numero_pt(restricoes['min'])}."
    if "max" in restricoes:
        mensagens["max"] = f"Informe um valor menor ou igual a {_numero_pt(restricoes['max'])}."
    if "min_len" in restricoes:
        mensagens["min_len"] = f"Use pelo menos {restricoes['min_len']} caracteres."
    if "max_len" in restricoes:
        mensagens["max_len"] = f"Use no máximo {restricoes['max_len']} caracteres."
    if "padrao" in restricoes:
        mensagens["padrao"] = "Informe um valor no formato esperado."
    if "extensoes" in restricoes:
        mensagens["extensoes"] = f"Envie um arquivo {_lista_pt(list(restricoes['extensoes']))}."
    mensagens.update(campo.get("mensagens", {}))
    return mensagens


# --- O que o usuário envia, e o que a spec diz que acontece --------------------------------------


def como_enviado(campo: dict[str, Any], valor: Any) -> str | None:
    """O texto que o navegador envia para este valor do caso (None: o campo vai vazio/ausente)."""
    if valor is None:
        return None
    if campo["tipo"] == "booleano" and isinstance(valor, bool):
        return "on" if valor else None
    if isinstance(valor, bool):
        return "true" if valor else "false"
    if isinstance(valor, (datetime.date, datetime.datetime)):
        return valor.isoformat()
    return str(valor)


def _marcado(enviado: str | None) -> bool:
    # Como o CheckboxInput lê um formulário: ausente é desmarcado; "true"/"false" são lidos.
    if enviado is None:
        return False
    return {"true": True, "false": False}.get(enviado.lower(), bool(enviado))


def _numero(tipo: str, texto: str) -> int | Decimal | None:
    if tipo == "numero":
        try:
            return int(re.sub(r"\.0*\s*$", "", texto))
        except ValueError:
            return None
    try:
        numero = Decimal(texto)
    except DecimalException:
        return None
    return numero if numero.is_finite() else None


def _data(texto: str) -> datetime.date | None:
    for formato in FORMATOS_DATA:
        try:
            return datetime.datetime.strptime(texto.strip(), formato).date()
        except ValueError:
            continue
    return None


def _email_valido(texto: str) -> bool:
    # E-mail segue, por definição, o validador de e-mail do Django (RFC 5322 simplificada).
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(texto)
    except ValidationError:
        return False
    return True


def _vazio(campo: dict[str, Any], enviado: str | None) -> bool:
    if campo["tipo"] == "booleano":
        return not _marcado(enviado)
    if enviado is None:
        return True
    return (enviado.strip() if campo["tipo"] in TIPOS_TEXTO else enviado) == ""


def erros_do_campo(campo: dict[str, Any], enviado: str | None) -> list[str]:
    """As mensagens que a tela deve mostrar para o campo quando o usuário envia ``enviado``.

    É o oráculo dos testes gerados: as regras da spec (obrigatório, tipo, opções, restricoes)
    aplicadas aqui, sem o Django que os testes exercitam (o e-mail é a exceção documentada).
    """
    mensagens = mensagens_do_campo(campo)
    tipo, restricoes = campo["tipo"], campo.get("restricoes", {})
    if _vazio(campo, enviado):
        return [mensagens["obrigatorio"]] if campo.get("obrigatorio", False) else []
    assert enviado is not None
    erros: list[str] = []
    if tipo in TIPOS_TEXTO:
        texto = enviado.strip()
        if tipo == "email" and not _email_valido(texto):
            erros.append(mensagens["invalido"])
        if "padrao" in restricoes and not padroes.procura(restricoes["padrao"], texto):
            erros.append(mensagens["padrao"])
        if "min_len" in restricoes and len(texto) < restricoes["min_len"]:
            erros.append(mensagens["min_len"])
        if "max_len" in restricoes and len(texto) > restricoes["max_len"]:
            erros.append(mensagens["max_len"])
        if "\x00" in texto:
            erros.append(NULO)
    elif tipo in TIPOS_NUMERO:
        numero = _numero(tipo, enviado.strip() if tipo == "numero" else enviado)
        if numero is None:
            return [mensagens["invalido"]]
        if "max" in restricoes and numero > Decimal(str(restricoes["max"])):
            erros.append(mensagens["max"])
        if "min" in restricoes and numero < Decimal(str(restricoes["min"])):
            erros.append(mensagens["min"])
    elif tipo == "data":
        if _data(enviado) is None:
            return [mensagens["invalido"]]
    elif tipo == "selecao":
        if enviado not in [str(o) for o in campo["opcoes"]]:
            return [mensagens["escolha"]]
    elif tipo == "arquivo":
        extensao = enviado.rsplit(".", 1)[1].lower() if "." in enviado else ""
        if "extensoes" in restricoes and extensao not in [e.lower() for e in restricoes["extensoes"]]:
            erros.append(mensagens["extensoes"])
    return erros


def valor_limpo(campo: dict[str, Any], enviado: str | None) -> Any:
    """O valor que a tela entrega ao endpoint da ação (já validado), como JSON: texto sem os
    espaços das pontas, número inteiro, decimal como texto, data ISO, booleano, nome do arquivo."""
    tipo = campo["tipo"]
    if tipo == "booleano":
        return _marcado(enviado)
    if _vazio(campo, enviado):
        return "" if tipo in (*TIPOS_TEXTO, "selecao") else None
    assert enviado is not None
    if tipo in TIPOS_TEXTO:
        return enviado.strip()
    if tipo == "numero":
        return _numero(tipo, enviado.strip())
    if tipo == "decimal":
        return str(_numero(tipo, enviado))
    if tipo == "data":
        data = _data(enviado)
        return data.isoformat() if data else None
    return enviado


def exemplo_do_campo(campo: dict[str, Any]) -> Any:
    """Um valor válido do campo: o ``exemplo`` da spec, ou um do tipo que respeita as restrições."""
    if "exemplo" in campo:
        return campo["exemplo"]
    tipo, restricoes = campo["tipo"], campo.get("restricoes", {})
    if tipo in TIPOS_NUMERO:
        if "min" in restricoes:
            valor = restricoes["min"]
        elif "max" in restricoes and restricoes["max"] < 1:
            valor = restricoes["max"]
        else:
            valor = 1
        return (math.ceil(valor) if "min" in restricoes else math.floor(valor)) if tipo == "numero" else valor
    if tipo == "data":
        return "2024-03-15"
    if tipo == "booleano":
        return True
    if tipo == "selecao":
        return campo["opcoes"][0]
    if tipo == "arquivo":
        extensoes = restricoes.get("extensoes", ["pdf"])
        return f"exemplo.{extensoes[0]}"
    if tipo == "email":
        return "pessoa@exemplo.com.br"
    texto = "Senha-de-teste-123" if tipo == "senha" else "Texto de exemplo"
    minimo, maximo = restricoes.get("min_len", 0), restricoes.get("max_len")
    texto = texto.ljust(minimo, "x")
    return texto[:maximo] if maximo is not None else texto


# --- O modelo das telas que os templates recebem --------------------------------------------------


def _classe(id_: str, sufixo: str) -> str:
    return "".join(p.capitalize() for p in id_.split("_") if p) + sufixo


def _slug(id_: str) -> str:
    return id_.replace("_", "-")


def _tipo_acao(acao: dict[str, Any]) -> str:
    if "endpoint" in acao:
        return "endpoint"
    return "navegacao" if "tela_destino" in acao else "validacao"


def acao_padrao(tela: dict[str, Any]) -> dict[str, Any] | None:
    """A ação que um envio sem ``acao`` executa: a primeira com endpoint que não é GET, depois
    qualquer uma com endpoint, depois a primeira que só valida. Uma tela com campos e sem
    nenhuma dessas ganha a ação implícita ``enviar`` (valida e mostra que deu certo)."""
    acoes = acoes_da_tela(tela)
    criterios: tuple[Callable[[dict[str, Any]], bool], ...] = (
        lambda a: a["tipo"] == "endpoint" and a["metodo"] != "GET",
        lambda a: a["tipo"] == "endpoint",
        lambda a: a["tipo"] == "validacao",
    )
    for criterio in criterios:
        achada = next((a for a in acoes if criterio(a)), None)
        if achada:
            return achada
    return None


def acoes_da_tela(tela: dict[str, Any]) -> list[dict[str, Any]]:
    acoes = []
    for acao in tela.get("acoes", []):
        tipo = _tipo_acao(acao)
        acoes.append(
            {
                "nome": acao["nome"],
                "rotulo": acao.get("rotulo", acao["nome"].replace("_", " ").capitalize()),
                "tipo": tipo,
                "metodo": acao.get("metodo", "POST") if tipo == "endpoint" else "",
                "endpoint": acao.get("endpoint", ""),
                "tela_destino": acao.get("tela_destino", ""),
            }
        )
    if tela.get("campos") and not any(a["tipo"] != "navegacao" for a in acoes):
        acoes.append(
            {
                "nome": "enviar",
                "rotulo": "Enviar",
                "tipo": "validacao",
                "metodo": "",
                "endpoint": "",
                "tela_destino": "",
            }
        )
    return acoes


def _py(valor: Any, nivel: int = 0) -> str:
    """Literal Python do valor, para entrar no código gerado sem injeção (``repr``)."""
    return literal(valor, nivel)


def _decimal_py(valor: float | int) -> str:
    # Decimal(7) para inteiros, Decimal('0.01') para o resto: exato, e como o ruff pede (FURB157).
    return f"Decimal({int(valor)})" if float(valor).is_integer() else f"Decimal({_py(str(valor))})"


def _msg_django(texto: str) -> str:
    # Django formata as mensagens com os parâmetros do erro (mensagem % params): '%' literal é '%%'.
    return texto.replace("%", "%%")


def _campo_form(campo: dict[str, Any]) -> dict[str, Any]:
    tipo, restricoes = campo["tipo"], campo.get("restricoes", {})
    classe, widget = CAMPOS_DJANGO[tipo]
    mensagens = mensagens_do_campo(campo)
    argumentos = [f"label={_py(campo.get('rotulo', campo['nome']))}", f"required={campo.get('obrigatorio', False)!r}"]
    if campo.get("ajuda"):
        argumentos.append(f"help_text={_py(campo['ajuda'])}")
    erros_django = {"required": mensagens["obrigatorio"]}
    validadores = []
    if tipo in TIPOS_TEXTO:
        if "min_len" in restricoes:
            argumentos.append(f"min_length={restricoes['min_len']}")
            erros_django["min_length"] = mensagens["min_len"]
        if "max_len" in restricoes:
            argumentos.append(f"max_length={restricoes['max_len']}")
            erros_django["max_length"] = mensagens["max_len"]
        erros_django["null_characters_not_allowed"] = NULO
        if "padrao" in restricoes:
            validadores.append(
                f"RegexValidator({_py(restricoes['padrao'])}, message={_py(_msg_django(mensagens['padrao']))},"
                ' code="padrao")'
            )
        if tipo == "email":
            erros_django["invalid"] = mensagens["invalido"]
            if "max_len" not in restricoes:
                argumentos.append("max_length=None")
    elif tipo in TIPOS_NUMERO:
        conversor = (lambda v: _py(int(v) if float(v).is_integer() else v)) if tipo == "numero" else None
        for chave, argumento, codigo in (("min", "min_value", "min_value"), ("max", "max_value", "max_value")):
            if chave in restricoes:
                valor = conversor(restricoes[chave]) if conversor else _decimal_py(restricoes[chave])
                argumentos.append(f"{argumento}={valor}")
                erros_django[codigo] = mensagens[chave]
        erros_django["invalid"] = mensagens["invalido"]
    elif tipo == "data":
        argumentos.append(f"input_formats={_py(list(FORMATOS_DATA))}")
        erros_django["invalid"] = mensagens["invalido"]
    elif tipo == "selecao":
        opcoes = [("", "—")] + [(str(o), str(o)) for o in campo["opcoes"]]
        argumentos.append(f"choices={_py(opcoes, 2)}")
        erros_django["invalid_choice"] = mensagens["escolha"]
    elif tipo == "arquivo":
        if "extensoes" in restricoes:
            validadores.append(
                f"FileExtensionValidator({_py([e.lower() for e in restricoes['extensoes']])},"
                f" message={_py(_msg_django(mensagens['extensoes']))})"
            )
        erros_django["empty"] = "O arquivo enviado está vazio."
        erros_django["missing"] = "Nenhum arquivo foi enviado."
        erros_django["invalid"] = "Nenhum arquivo foi enviado: verifique a codificação do formulário."
    if widget:
        argumentos.append(f"widget={widget}")
    if validadores:
        argumentos.append(f"validators=[{', '.join(validadores)}]")
    argumentos.append(f"error_messages={_py({k: _msg_django(v) for k, v in erros_django.items()}, 2)}")
    return {"nome": campo["nome"], "classe": classe, "argumentos": argumentos}


@dataclass
class _Tela:
    spec: dict[str, Any]
    parametros_de: dict[str, list[str]]  # tela → parâmetros da URL dela (de todas as telas da spec)
    campos: list[dict[str, Any]] = field(init=False)
    acoes: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.campos = self.spec.get("campos", [])
        self.acoes = acoes_da_tela(self.spec)

    @property
    def id(self) -> str:
        return str(self.spec["id"])

    def campo(self, nome: str) -> dict[str, Any] | None:
        return next((c for c in self.campos if c["nome"] == nome), None)

    def contexto(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "titulo": self.spec["titulo"],
            "titulo_py": _py(self.spec["titulo"]),
            "descricao_py": _py(self.spec.get("descricao", "")),
            "form": _classe(self.id, "Form"),
            "view": _classe(self.id, "View"),
            "slug": _slug(self.id),
            "parametros": parametros_da_url(self.spec),
            "campos": [_campo_form(c) for c in self.campos],
            "acoes_py": _py(tuple(self.acoes), 1),
            "acao_padrao_py": _py(padrao["nome"] if (padrao := acao_padrao(self.spec)) else None),
            "tem_arquivo": any(c["tipo"] == "arquivo" for c in self.campos),
        }


# --- O worker ----------------------------------------------------------------------------------------


class WorkerInterface(Worker):
    vertente = "I"
    secao = "spec_interface"
    # Distributions the generated code imports at run time (besides pytest), for the release's
    # requirements: the packager pins them at the versions installed with PROMETHEUS.
    dependencias: ClassVar[tuple[str, ...]] = ("Django",)

    def _telas(self, entrada: Entrada) -> list[_Tela]:
        telas = entrada.spec[self.secao]["telas"]
        parametros = {t["id"]: parametros_da_url(t) for t in telas}
        return [_Tela(t, parametros) for t in telas]

    def _contexto(self, entrada: Entrada) -> dict[str, Any]:
        telas = self._telas(entrada)
        return {
            "pacote": entrada.pacote,
            "spec_id": entrada.spec["id"],
            "spec_titulo": entrada.spec["titulo"],
            "spec_titulo_py": _py(entrada.spec["titulo"]),
            "telas": [t.contexto() for t in telas],
            "usa_decimal": any(
                c["tipo"] == "decimal" and {"min", "max"} & set(c.get("restricoes", {}))
                for t in telas
                for c in t.campos
            ),
            "usa_regex": any("padrao" in c.get("restricoes", {}) for t in telas for c in t.campos),
            "usa_extensoes": any("extensoes" in c.get("restricoes", {}) for t in telas for c in t.campos),
            "parametros_py": _py({t.id: parametros_da_url(t.spec) for t in telas}),
            "setting": entrada.pacote.upper() + "_INTERFACE",
        }

    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]:
        contexto = self._contexto(entrada)
        base = f"{entrada.pacote}/interface"
        gerar = entrada.gerador.gerar

        def codigo(caminho: str, template: str, papel: str = "codigo", **extra: Any) -> Artefato:
            return Artefato(caminho, VERTENTE, papel, gerar(VERTENTE, template, {**contexto, **extra}))

        artefatos = [
            codigo(f"{base}/__init__.py", "__init__.py.j2"),
            codigo(f"{base}/apps.py", "apps.py.j2"),
            codigo(f"{base}/forms.py", "forms.py.j2"),
            codigo(f"{base}/acoes.py", "acoes.py.j2"),
            codigo(f"{base}/views.py", "views.py.j2"),
            codigo(f"{base}/urls.py", "urls.py.j2"),
            codigo(f"{base}/templates/{entrada.pacote}/interface/base.html", "base.html.j2"),
            codigo(f"{base}/suporte_testes.py", "suporte_testes.py.j2", papel="apoio"),
        ]
        for tela in contexto["telas"]:
            artefatos.append(
                codigo(f"{base}/templates/{entrada.pacote}/interface/{tela['id']}.html", "tela.html.j2", tela=tela)
            )
        return verificar(artefatos)

    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]:
        telas = self._telas(entrada)
        contexto = self._contexto(entrada)
        por_tela: dict[str, list[dict[str, Any]]] = {t.id: [] for t in telas}
        nao_testaveis: list[NaoTestavel] = []
        for caso in entrada.casos:
            plano = planejar_caso(telas, caso)
            if isinstance(plano, NaoTestavel):
                nao_testaveis.append(plano)
            else:
                por_tela[plano[0]].append(plano[1])
        testes = []
        for tela, ctx_tela in zip(telas, contexto["telas"], strict=True):
            padrao = acao_padrao(tela.spec) if tela.campos else None
            testes.append(
                Artefato(
                    f"tests/test_interface_{tela.id}.py",
                    VERTENTE,
                    "teste",
                    entrada.gerador.gerar(
                        VERTENTE,
                        "test_tela.py.j2",
                        {
                            **contexto,
                            "tela": ctx_tela,
                            "campos_py": _py(_campos_para_teste(tela)),
                            "acoes_py": _py(tela.acoes),
                            "parametros_url_py": _py(_parametros_exemplo(tela)),
                            "vazio_py": _py(_plano_vazio(tela, padrao)) if padrao else "None",
                            "valido_py": _py(_plano_valido(tela, padrao)) if padrao else "None",
                            "valido_tem_chamada": bool(padrao and padrao["tipo"] == "endpoint"),
                            "conteudo_arquivo_py": _py(CONTEUDO_ARQUIVO_TESTE),
                            "casos_py": _py(por_tela[tela.id]),
                            "tem_casos": bool(por_tela[tela.id]),
                        },
                    ),
                )
            )
        if any(a["tipo"] == "endpoint" for t in telas for a in t.acoes):
            testes.append(
                Artefato(
                    "tests/test_interface_backend_http.py",
                    VERTENTE,
                    "teste",
                    entrada.gerador.gerar(
                        VERTENTE,
                        "test_backend_http.py.j2",
                        {
                            **contexto,
                            "chamadas_py": _py(
                                [
                                    {"tela": t.id, "acao": a["nome"], "metodo": a["metodo"], "endpoint": a["endpoint"]}
                                    for t in telas
                                    for a in t.acoes
                                    if a["tipo"] == "endpoint"
                                ]
                            ),
                        },
                    ),
                )
            )
        return verificar(testes), nao_testaveis


def _campos_para_teste(tela: _Tela) -> list[dict[str, Any]]:
    """O que o teste de renderização confere de cada campo: nome, rótulo, obrigatório, opções."""
    return [
        {
            "nome": c["nome"],
            "rotulo": c.get("rotulo", c["nome"]),
            "obrigatorio": bool(c.get("obrigatorio", False)),
            "opcoes": ["", *[str(o) for o in c["opcoes"]]] if c["tipo"] == "selecao" else None,
            "tag": {"texto_longo": "textarea", "selecao": "select"}.get(c["tipo"], "input"),
        }
        for c in tela.campos
    ]


def _envio(
    tela: _Tela, valores: dict[str, Any], acao: dict[str, Any], parametros: dict[str, str], nome: str
) -> dict[str, Any]:
    """O POST de um teste e o que a spec diz que ele produz."""
    dados: dict[str, str] = {"acao": acao["nome"]}
    arquivos: dict[str, str] = {}
    erros: dict[str, list[str]] = {}
    limpos: dict[str, Any] = {}
    for campo in tela.campos:
        enviado = como_enviado(campo, valores.get(campo["nome"]))
        if enviado is not None:
            (arquivos if campo["tipo"] == "arquivo" else dados)[campo["nome"]] = enviado
        mensagens = erros_do_campo(campo, enviado)
        if mensagens:
            erros[campo["nome"]] = sorted(mensagens)
        limpos[campo["nome"]] = valor_limpo(campo, enviado)
    plano: dict[str, Any] = {
        "nome": nome,
        "acao": acao["nome"],
        "parametros_url": parametros,
        "dados": dados,
        "arquivos": arquivos,
    }
    if erros:
        plano["esperado"] = {"valido": False, "erros": erros, "exatos": True}
    else:
        plano["esperado"] = _aceito(tela, acao, parametros, limpos)
    return plano


def _aceito(
    tela: _Tela, acao: dict[str, Any], parametros: dict[str, str], limpos: dict[str, Any] | None
) -> dict[str, Any]:
    """Aceito: vai para a tela destino da ação (com os parâmetros de URL que ela usa) ou mostra
    que concluiu; a ação com endpoint recebe os valores limpos (None: não conferidos)."""
    esperado: dict[str, Any] = {"valido": True, "destino": None}
    if acao["tela_destino"]:
        destino = acao["tela_destino"]
        esperado["destino"] = {"tela": destino, "parametros": {p: parametros[p] for p in tela.parametros_de[destino]}}
    if limpos is not None:
        chamada = None
        if acao["tipo"] == "endpoint":
            endpoint = acao["endpoint"]
            for nome_parametro, valor in parametros.items():
                endpoint = endpoint.replace("{" + nome_parametro + "}", valor)
            chamada = {"acao": acao["nome"], "metodo": acao["metodo"], "endpoint": endpoint, "dados": limpos}
        esperado["chamada"] = chamada
    return esperado


def _valores_validos(tela: _Tela) -> dict[str, Any]:
    return {c["nome"]: exemplo_do_campo(c) for c in tela.campos if c.get("obrigatorio", False)}


def _parametros_exemplo(tela: _Tela) -> dict[str, str]:
    return {p: "1" for p in parametros_da_url(tela.spec)}


def _plano_vazio(tela: _Tela, acao: dict[str, Any]) -> dict[str, Any]:
    return _envio(tela, {}, acao, _parametros_exemplo(tela), "vazia")


def _plano_valido(tela: _Tela, acao: dict[str, Any]) -> dict[str, Any]:
    plano = _envio(tela, _valores_validos(tela), acao, _parametros_exemplo(tela), "valida")
    if not plano["esperado"]["valido"]:
        # A validação da spec garante que o exemplo de cada campo passa nas suas regras.
        raise ValueError(f"os exemplos da tela {tela.id} não passam nas suas regras: {plano['esperado']['erros']}")
    return plano


def planejar_caso(telas: list[_Tela], caso: CasoDeTeste) -> tuple[str, dict[str, Any]] | NaoTestavel:
    """O teste de um caso (tela, ação, POST e resultado esperado), ou por que ele não vira teste."""
    dado = dict(caso.dado)
    tela, motivo = _tela_do_caso(telas, dado)
    if tela is None:
        return NaoTestavel(caso.nome, motivo)
    parametros = {p: str(dado.pop(p)) if p in dado else "1" for p in parametros_da_url(tela.spec)}
    dado.pop("tela", None)
    acao, motivo = _acao_do_caso(tela, dado.pop("acao", None), caso.espera)
    if acao is None:
        return NaoTestavel(caso.nome, motivo)
    for nome, valor in dado.items():
        if isinstance(valor, (list, dict)):
            return NaoTestavel(caso.nome, f"dado.{nome} é uma estrutura; um campo de tela recebe um valor só")
    plano = _envio(tela, {**_valores_validos(tela), **dado}, acao, parametros, caso.nome)
    if caso.espera is not None:
        esperado, motivo = _esperado_explicito(tela, acao, caso.espera, plano)
        if esperado is None:
            return NaoTestavel(caso.nome, motivo)
        plano["esperado"] = esperado
    return tela.id, plano


def _tela_do_caso(telas: list[_Tela], dado: dict[str, Any]) -> tuple[_Tela | None, str]:
    def cabe(tela: _Tela) -> list[str]:
        extras = (*CHAVES_RESERVADAS, *parametros_da_url(tela.spec))
        return sorted(k for k in dado if k not in extras and tela.campo(k) is None)

    if "tela" in dado:
        achada = next((t for t in telas if t.id == dado["tela"]), None)
        if achada is None:
            return None, f"dado.tela = {dado['tela']!r} não é tela da spec; telas: {', '.join(t.id for t in telas)}"
        fora = cabe(achada)
        if fora:
            return (
                None,
                f"{', '.join(fora)}: {'não é campo' if len(fora) == 1 else 'não são campos'} da tela {achada.id}",
            )
        return achada, ""
    candidatas = [t for t in telas if t.campos and not cabe(t)]
    if len(candidatas) == 1:
        return candidatas[0], ""
    if not candidatas:
        chaves = sorted(k for k in dado if k not in CHAVES_RESERVADAS)
        return None, (
            f"nenhuma tela tem todos os campos do caso ({', '.join(chaves)}); "
            "diga a tela em dado.tela ou use os nomes dos campos da spec"
        )
    return (
        None,
        f"os campos do caso existem em mais de uma tela ({', '.join(t.id for t in candidatas)}); diga qual em dado.tela",
    )


def _acao_do_caso(tela: _Tela, nome: Any, espera: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str]:
    if nome is not None:
        acao = next((a for a in tela.acoes if a["nome"] == nome), None)
        if acao is None:
            return None, f"dado.acao = {nome!r} não é ação da tela {tela.id}"
        if acao["tipo"] == "navegacao":
            return None, f"a ação {nome} só navega para {acao['tela_destino']}: não envia os campos"
        return acao, ""
    destino = (espera or {}).get("tela")
    if destino is not None:
        acao = next((a for a in tela.acoes if a["tipo"] != "navegacao" and a["tela_destino"] == destino), None)
        if acao is None:
            return None, f"nenhuma ação da tela {tela.id} que envia os campos leva à tela {destino}"
        return acao, ""
    acao = acao_padrao(tela.spec)
    if acao is None:
        return None, f"a tela {tela.id} não tem ação que envie os campos"
    return acao, ""


def _esperado_explicito(
    tela: _Tela, acao: dict[str, Any], espera: dict[str, Any], plano: dict[str, Any]
) -> tuple[dict[str, Any] | None, str]:
    desconhecidas = [k for k in espera if k not in ESPERAS]
    if desconhecidas:
        origem = f" (vêm do endpoint {acao['metodo']} {acao['endpoint']})" if acao["endpoint"] else ""
        return None, (
            f"espera.{', espera.'.join(desconhecidas)} não se observa na interface{origem}: "
            f"a vertente I verifica {', '.join(ESPERAS)} — o que a tela mostra e aonde ela leva"
        )
    erros: dict[str, list[str]] = {}
    itens = espera.get("erro", [])
    for item in itens if isinstance(itens, list) else [itens]:
        if not isinstance(item, dict) or "campo" not in item:
            return None, "espera.erro deve ser {campo, mensagem} (ou uma lista deles)"
        erros.setdefault(str(item["campo"]), []).extend([str(item["mensagem"])] if "mensagem" in item else [])
    erros_dados = espera.get("erros") or {}
    if not isinstance(erros_dados, dict):
        return None, "espera.erros deve ser {campo: mensagem ou [mensagens]}"
    for nome, mensagens in erros_dados.items():
        lista = mensagens if isinstance(mensagens, list) else [mensagens]
        erros.setdefault(str(nome), []).extend(str(m) for m in lista)
    fora = [n for n in erros if tela.campo(n) is None]
    if fora:
        return None, f"espera: {', '.join(fora)} não é campo da tela {tela.id}"
    valido = bool(espera["valido"]) if "valido" in espera else not erros
    if erros and valido:
        return None, "espera diz que o envio é aceito e também que mostra erros"
    if "tela" in espera and not valido:
        return None, "espera.tela (aceito e levado a outra tela) contradiz um envio recusado"
    if not valido:
        return {"valido": False, "erros": {k: sorted(v) for k, v in erros.items()}, "exatos": False}, ""
    if plano["esperado"]["valido"]:
        return plano["esperado"], ""
    # A espera diz aceito e as regras da spec recusam: o teste segue a espera (o exemplo explícito
    # da spec) e falha, com as mensagens que a tela mostrou — a contradição aparece na release.
    return _aceito(tela, acao, plano["parametros_url"], None), ""
