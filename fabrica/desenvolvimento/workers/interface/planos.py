"""The I vertente's test plans: what each screen and budget case submits and expects."""

from __future__ import annotations

from typing import Any

from fabrica.desenvolvimento.base import CasoDeTeste, NaoTestavel
from fabrica.desenvolvimento.workers.interface.modelo import _Tela, acao_padrao
from fabrica.desenvolvimento.workers.interface.regras import (
    CHAVES_RESERVADAS,
    ESPERAS,
    como_enviado,
    erros_do_campo,
    exemplo_do_campo,
    valor_limpo,
)
from fabrica.specs.formato.interface import parametros_da_url


def _campos_para_teste(tela: _Tela) -> list[dict[str, Any]]:
    """What the rendering test checks of each field: name, label, required, options."""
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
    """A test's POST and what the spec says it produces."""
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
    """Accepted: goes to the action's target screen (with the URL parameters it uses) or shows it
    finished; the action with an endpoint receives the cleaned values (None: not checked)."""
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
        # The spec's validation guarantees each field's example passes its rules.
        raise ValueError(f"os exemplos da tela {tela.id} não passam nas suas regras: {plano['esperado']['erros']}")
    return plano


def planejar_caso(telas: list[_Tela], caso: CasoDeTeste) -> tuple[str, dict[str, Any]] | NaoTestavel:
    """A case's test (screen, action, POST and expected result), or why it does not become a test."""
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
            f"a vertente I verifica espera.{', espera.'.join(ESPERAS)} — o que a tela mostra e aonde ela leva"
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
    # The espera says accepted and the spec's rules refuse: the test follows the espera (the spec's
    # explicit example) and fails, with the messages the screen showed — the contradiction shows in the release.
    return _aceito(tela, acao, plano["parametros_url"], None), ""
