"""``validar_spec``: the schema's errors, then the rules a JSON Schema cannot say (the sections
every spec has here; each vertente's in its own module), every error with its field's path."""

from __future__ import annotations

import datetime
import math

from django.utils.translation import gettext

from fabrica.specs.formato.comum import (
    LIMITE_INTEIRO,
    MAX_DIGITOS_INTEIRO,
    Caminho,
    ErroCampo,
    Erros,
    formatar_campo,
    mesmo_valor,
    mostrar,
    texto_da_classe,
    variaveis_do_representante,
)
from fabrica.specs.formato.mensagens import traduzir
from fabrica.specs.formato.schema import VALIDADOR
from fabrica.specs.formato.vertentes import POR_CODIGO


def validar_spec(dados: object) -> list[ErroCampo]:
    """Every error of the spec, sorted by path; an empty list when it is valid.

    Never raises, whatever the input (JSON from the API or loaded YAML).
    """
    return [ErroCampo(formatar_campo(c), m) for c, m in validar(dados)]


def validar(dados: object) -> Erros:
    """Like ``validar_spec``, with the path in parts (``("spec_poo", "classes", 0)``)."""
    erros: Erros = []
    for erro in VALIDADOR.iter_errors(dados):
        erros.extend(traduzir(erro))
    if isinstance(dados, dict) and not any(c == () for c, _ in erros):
        # The semantic rules only look at sections that passed the schema: they may trust the shape.
        sujas = {c[0] for c, _ in erros}
        erros.extend(_semantica(dados, sujas))
        com_erro = {c for c, _ in erros}
        erros.extend(e for e in _fora_do_json(dados) if e[0] not in com_erro)
    unicos = list(dict.fromkeys(erros))  # 'required' repeats the same missing field
    return sorted(unicos, key=lambda e: tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in e[0]))


def _semantica(spec: dict, sujas: set) -> Erros:
    limpas = {secao: valor for secao, valor in spec.items() if secao not in sujas}
    erros: Erros = []
    if "vertentes" in limpas:
        for codigo, vertente in POR_CODIGO.items():
            if codigo in spec["vertentes"] and vertente.secao not in spec:
                erros.append(
                    (
                        (vertente.secao,),
                        gettext("campo obrigatório ausente: %(secao)s (exigido pela vertente %(codigo)s)")
                        % {"secao": vertente.secao, "codigo": codigo},
                    )
                )
            elif codigo not in spec["vertentes"] and vertente.secao in spec:
                # Without the vertente, no worker builds the section: almost always an oversight.
                frase = gettext("a seção %(secao)s exige a vertente %(codigo)s em vertentes")
                erros.append(((vertente.secao,), frase % {"secao": vertente.secao, "codigo": codigo}))
    if "id" in limpas and "depende_de" in limpas:
        erros += [
            (("depende_de", i), gettext("a spec não pode depender de si mesma"))
            for i, d in enumerate(spec["depende_de"])
            if d == spec["id"]
        ]
    if "schema_tdd" in limpas:
        erros += _checar_tdd(spec["schema_tdd"])
    for vertente in POR_CODIGO.values():
        if vertente.secao in limpas:
            erros += vertente.checar(spec[vertente.secao], limpas)
    return erros


def _checar_representantes(dominios: dict, representantes: dict) -> Erros:
    erros: Erros = []
    origem: dict[str, str] = {}  # variable → the parameter it comes from
    for parametro in dominios:
        por_classe = representantes.get(parametro, {})
        classes = {texto_da_classe(v) for v in dominios[parametro]}
        # YAML turns the key true (or 10) into a boolean (a number): compare their text.
        sem_representante = [c for c in classes if c not in {texto_da_classe(k) for k in por_classe}]
        variaveis: list[tuple[Caminho, str]] = [((), parametro)] if sem_representante else []
        for chave, representante in por_classe.items():
            classe = texto_da_classe(chave)
            caminho = ("schema_tdd", "representantes", parametro, classe)
            if classe not in classes:
                lista = ", ".join(texto_da_classe(v) for v in dominios[parametro])
                frase = gettext("classe desconhecida: %(classe)s; classes de %(parametro)s: %(lista)s")
                erros.append((caminho, frase % {"classe": classe, "parametro": parametro, "lista": lista}))
                continue
            variaveis += [(caminho, v) for v in variaveis_do_representante(parametro, representante)]
        for caminho, variavel in variaveis:
            dono = origem.setdefault(variavel, parametro)
            if dono != parametro:
                erros.append(
                    (
                        caminho or ("schema_tdd", "representantes", parametro),
                        gettext(
                            "a variável %(variavel)s já vem do parâmetro %(dono)s; cada variável vem de um só parâmetro"
                        )
                        % {"variavel": variavel, "dono": dono},
                    )
                )
    for parametro in representantes:
        if parametro not in dominios:
            erros.append(
                (
                    ("schema_tdd", "representantes", parametro),
                    _desconhecido(parametro, dominios),
                )
            )
    return erros


def _desconhecido(parametro: str, dominios: dict) -> str:
    return gettext("parâmetro desconhecido: %(p)s; parâmetros: %(lista)s") % {
        "p": parametro,
        "lista": ", ".join(dominios) or gettext("(nenhum)"),
    }


def _checar_tdd(tdd: dict) -> Erros:
    dominios = tdd["parametros"]
    erros: Erros = _checar_representantes(dominios, tdd.get("representantes", {}))
    for i, restricao in enumerate(tdd.get("restricoes", [])):
        for parametro, valor in restricao.items():
            caminho = ("schema_tdd", "restricoes", i, parametro)
            if parametro not in dominios:
                erros.append((caminho, _desconhecido(parametro, dominios)))
            elif not any(mesmo_valor(valor, v) for v in dominios[parametro]):
                dominio = ", ".join(map(mostrar, dominios[parametro]))
                frase = gettext("valor %(v)s fora do domínio de %(parametro)s: %(dominio)s")
                erros.append((caminho, frase % {"v": mostrar(valor), "parametro": parametro, "dominio": dominio}))
    return erros


def _fora_do_json(valor: object, caminho: Caminho = ()) -> Erros:
    """Values YAML builds and JSON does not have (an unquoted date, .inf, .nan, !!binary, !!set),
    and texts with the null character, which PostgreSQL refuses in text and jsonb.

    In the free fields (``schema_tdd.casos[].dado``/``espera``) the schema lets them through, and
    the spec could be neither stored nor sent over the API; in typed ones, this only repeats the
    type error.
    """
    nulo = gettext("o caractere nulo (\\u0000) não é aceito em textos")
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
    if isinstance(valor, int) and not isinstance(valor, bool) and abs(valor) >= LIMITE_INTEIRO:
        return [
            (caminho, gettext("número inteiro com mais de %(n)s dígitos não é aceito") % {"n": MAX_DIGITOS_INTEIRO})
        ]
    if valor is None or isinstance(valor, (bool, int)) or (isinstance(valor, float) and math.isfinite(valor)):
        return []
    if isinstance(valor, (datetime.date, datetime.datetime)):
        return [
            (
                caminho,
                gettext(
                    "data %(data)s sem equivalente em JSON; no YAML, datas sem aspas viram datas: escreva entre aspas"
                )
                % {"data": valor.isoformat()},
            )
        ]
    return [
        (
            caminho,
            gettext("valor sem equivalente em JSON: %(v)s; use texto, número finito, booleano, lista ou mapeamento")
            % {"v": repr(valor)},
        )
    ]
