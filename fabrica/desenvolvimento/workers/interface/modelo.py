"""The model of the screens the I vertente's templates receive (``_Tela``, forms, actions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fabrica.desenvolvimento.literal import literal
from fabrica.desenvolvimento.workers.interface.regras import CAMPOS_DJANGO, FORMATOS_DATA, NULO, mensagens_do_campo
from fabrica.specs.formato.interface import TIPOS_NUMERO, TIPOS_TEXTO, parametros_da_url


def _classe(id_: str, sufixo: str) -> str:
    return "".join(p.capitalize() for p in id_.split("_") if p) + sufixo


def _slug(id_: str) -> str:
    return id_.replace("_", "-")


def _tipo_acao(acao: dict[str, Any]) -> str:
    if "endpoint" in acao:
        return "endpoint"
    return "navegacao" if "tela_destino" in acao else "validacao"


def acao_padrao(tela: dict[str, Any]) -> dict[str, Any] | None:
    """The action a submission without ``acao`` runs: the first with an endpoint that is not GET,
    then any with an endpoint, then the first that only validates. A screen with fields and none
    of these gets the implicit action ``enviar`` (validates and shows it succeeded)."""
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
    """A Python literal of the value, to go into the generated code without injection (``repr``)."""
    return literal(valor, nivel)


def _decimal_py(valor: float | int) -> str:
    # Decimal(7) for integers, Decimal('0.01') for the rest: exact, and as ruff asks (FURB157).
    return f"Decimal({int(valor)})" if float(valor).is_integer() else f"Decimal({_py(str(valor))})"


def _msg_django(texto: str) -> str:
    # Django formats messages with the error's parameters (message % params): a literal '%' is '%%'.
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
