"""WORKER_E (vertente E, ``spec_poo``): an importable Python package and its tests.

The code, in ``<pacote>/estrutural/``:

- ``modelos.py``: one class per class of the spec, attributes typed and validated on construction
  and on assignment (required, type, min/max, min_len/max_len, padrao, choices), with an error
  ``erros.ErroValidacao`` (``ValueError``) naming the class, the attribute and the rule;
- the methods: with ``expressao`` (the language of ``fabrica.specs.expressoes``) the method is
  compiled into Python, with the preconditions of ``exige``; with natural-language ``regras`` only,
  it raises ``NotImplementedError`` with the rules and goes into ``pendencias`` ("needs an
  implementation");
- ``erros.py``, ``validacao.py`` and ``__init__.py``.

The tests, in ``tests/test_estrutural_*.py`` (at the release's root):

- ``restricoes``: valid values and accepted limits, and each constraint violated on construction
  and on assignment;
- ``metodos``: each method with an expression on a valid object, and each method without an
  implementation (these fail, honestly, until someone implements it);
- ``casos``: one test per ``CasoDeTeste`` (id = the case's name).

Every expected result comes from the spec through ``estrutural_regras`` and
``expressoes.avaliar``, never from the generated code. A case with no attribute or parameter of
``spec_poo`` in ``dado``, or asking for something the spec does not allow deriving, becomes
``NaoTestavel`` with the reason.
"""

from __future__ import annotations

import decimal
import json
import re
from typing import Any

from fabrica.desenvolvimento.base import Artefato, CasoDeTeste, Entrada, NaoTestavel, Worker
from fabrica.desenvolvimento.verificacao import arvore_python
from fabrica.desenvolvimento.workers import estrutural_regras as regras
from fabrica.desenvolvimento.workers.estrutural_regras import Classe, Codigo, Literais, Metodo, Modelo, Objeto
from fabrica.erros import DadosInvalidos
from fabrica.specs import expressoes

VERTENTE = "E"
MODULO = "estrutural"
_MODULOS_GERADOS = expressoes.Modulos(decimal="_decimal", datetime="_datetime")

_ANOTACOES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "decimal": "_decimal.Decimal",
    "date": "_datetime.date",
    "list": "list[_typing.Any]",
    "dict": "dict[_typing.Any, _typing.Any]",
}
# The return type of a method without an implementation, as the test checks it (isinstance).
_TIPOS_NO_TESTE = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "decimal": "decimal.Decimal",
    "date": "datetime.date",
    "list": "list",
    "dict": "dict",
}
# A method's arguments in the tests of ``test_estrutural_metodos`` (parameters have no constraints).
_ARGUMENTO_BASE: dict[str, Any] = {
    "str": "abc",
    "int": 1,
    "float": 1.5,
    "decimal": decimal.Decimal("1.5"),
    "bool": True,
    "date": regras.DATA_BASE,
    "list": [1],
    "dict": {"a": 1},
}
# Errors the generated code raises exactly as PROMETHEUS's evaluation does (same semantics).
_ERROS_DA_AVALIACAO = (ArithmeticError, IndexError, ValueError)


class WorkerEstrutural(Worker):
    vertente = VERTENTE
    secao = "spec_poo"

    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]:
        modelo = _modelo(entrada)
        raiz = f"{entrada.pacote}/{MODULO}"
        contexto = {"spec_id": entrada.spec["id"], "titulo": entrada.spec.get("titulo", "")}
        nomes = [c.nome for c in modelo.classes]
        docstring = _docstring(
            f"Vertente E (estrutural) de {entrada.spec['id']} — {contexto['titulo']}.\n\n"
            "Gerado pelo PROMETHEUS a partir de spec_poo: " + ", ".join(nomes) + ".",
            0,
        )
        arquivos = {
            "__init__.py": (
                "__init__.py.j2",
                {
                    **contexto,
                    "docstring": docstring,
                    "importa_classes": _importacao(nomes) if nomes else "",
                    "todos": ", ".join(_texto(n) for n in sorted([*nomes, "erros"], key=_ordem_do_isort)),
                },
            ),
            "erros.py": ("erros.py.j2", contexto),
            "validacao.py": ("validacao.py.j2", contexto),
            "modelos.py": ("modelos.py.j2", {**contexto, **_contexto_modelos(entrada, modelo)}),
        }
        return [
            _artefato(f"{raiz}/{nome}", "codigo", entrada.gerador.gerar(VERTENTE, template, ctx))
            for nome, (template, ctx) in arquivos.items()
        ]

    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]:
        modelo = _modelo(entrada)
        bases = {c.nome: regras.base_valida(c) for c in modelo.classes}
        comum = {"spec_id": entrada.spec["id"], "pacote": entrada.pacote}
        testes: list[Artefato] = []

        nao_testaveis: list[NaoTestavel] = []
        literal = Literais()
        restricoes = _contexto_restricoes(modelo, bases, literal)
        # Without valid values, neither the constraints nor the class's methods get a test: the release says why.
        nao_testaveis += [
            NaoTestavel(f"{nome} (restrições e métodos)", motivo) for nome, motivo in restricoes["sem_base"]
        ]
        restricoes["sem_base"] = [f"{nome}: {motivo}" for nome, motivo in restricoes["sem_base"]]
        if restricoes["validos"] or restricoes["violacoes"]:
            texto = entrada.gerador.gerar(
                VERTENTE, "test_restricoes.py.j2", {**comum, **restricoes, "modulos": sorted(literal.modulos)}
            )
            testes.append(_artefato("tests/test_estrutural_restricoes.py", "teste", texto))

        literal = Literais()
        metodos = _contexto_metodos(modelo, bases, literal)
        nao_testaveis += [NaoTestavel(f"{nome} (método)", motivo) for nome, motivo in metodos.pop("sem_teste")]
        if metodos["metodos"] or metodos["pendentes"]:
            texto = entrada.gerador.gerar(
                VERTENTE, "test_metodos.py.j2", {**comum, **metodos, "modulos": sorted(literal.modulos)}
            )
            testes.append(_artefato("tests/test_estrutural_metodos.py", "teste", texto))

        literal = Literais()
        casos = []
        for caso in entrada.casos:
            resultado = derivar_caso(modelo, bases, caso)
            if isinstance(resultado, NaoTestavel):
                nao_testaveis.append(resultado)
            else:
                casos.append(
                    {
                        "id": literal(caso.nome),
                        "titulo": _comentario(caso.titulo or caso.nome),
                        "checagens": literal(resultado, recuo=8),
                    }
                )
        nomes_casos = {c.nome for c in entrada.casos}
        if casos:
            contexto = {
                **comum,
                "casos": casos,
                "nao_testaveis": [f"{n.caso}: {_comentario(n.motivo)}" for n in nao_testaveis if n.caso in nomes_casos],
                "modulos": sorted(literal.modulos),
            }
            testes.append(
                _artefato(
                    "tests/test_estrutural_casos.py",
                    "teste",
                    entrada.gerador.gerar(VERTENTE, "test_casos.py.j2", contexto),
                )
            )
        return testes, nao_testaveis

    def pendencias(self, entrada: Entrada) -> list[str]:
        return [
            f"{classe.nome}.{metodo.nome}: precisa de uma implementação — "
            + ("; ".join(metodo.regras) if metodo.regras else "a spec não dá regras nem expressão")
            for classe in _modelo(entrada).classes
            for metodo in classe.metodos
            if not metodo.construivel
        ]


def _modelo(entrada: Entrada) -> Modelo:
    try:
        return regras.ler_modelo(entrada.spec["spec_poo"])
    except regras.SpecPooInvalida as exc:
        raise DadosInvalidos(f"A spec_poo não pode ser construída: {exc}", {exc.campo: [str(exc)]}) from None
    except KeyError:
        raise DadosInvalidos("A spec não tem spec_poo (vertente E).", {"spec_poo": ["campo obrigatório"]}) from None


def _artefato(caminho: str, papel: str, texto: str) -> Artefato:
    # Generated code is checked before it runs: a template (or an override from the spec
    # repository) that produces invalid Python stops here, with the file and the line.
    try:
        arvore_python(texto)
    except SyntaxError as exc:
        raise DadosInvalidos(
            f"O código gerado em {caminho} não é Python válido (linha {exc.lineno}): {exc.msg}."
        ) from None
    return Artefato(caminho=caminho, vertente=VERTENTE, papel=papel, conteudo=texto)


def _docstring(texto: str, recuo: int) -> str:
    """A docstring safe for any text of the spec (quotes, backslashes), with the given indent."""
    margem = " " * recuo
    texto = texto.replace("\r", "").replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    if texto.endswith('"'):
        texto = texto[:-1] + '\\"'
    linhas = [linha.rstrip() for linha in texto.split("\n")]
    if len(linhas) == 1:
        return f'{margem}"""{linhas[0]}"""'
    corpo = "\n".join(f"{margem}{linha}" if linha else "" for linha in linhas[1:])
    return f'{margem}"""{linhas[0]}\n{corpo}\n{margem}"""'


def _ordem_do_isort(nome: str) -> tuple[Any, ...]:
    # isort's (and ruff's) order: CONSTANTS, then Classes, then variables; within each group,
    # case-insensitive, with numbers in natural order (a2 before a10).
    tipo = 0 if len(nome) > 1 and nome.isupper() else (1 if nome[0].isupper() else 2)
    return (tipo, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", nome.lower())])


def _importacao(nomes: list[str], largura: int = 120) -> str:
    """``from .modelos import ...`` as isort writes it: on one line, if it fits."""
    ordenados = sorted(nomes, key=_ordem_do_isort)
    linha = f"from .modelos import {', '.join(ordenados)}"
    if len(linha) <= largura:
        return linha
    return "from .modelos import (\n" + "".join(f"    {n},\n" for n in ordenados) + ")"


def _texto(texto: str) -> str:
    """A Python text literal in double quotes (JSON escapes as Python reads)."""
    return json.dumps(texto, ensure_ascii=False)


def _comentario(texto: str) -> str:
    return " ".join(texto.split())


# --- modelos.py ---------------------------------------------------------------------------------


def _anotacao(tipo: str) -> str:
    return _ANOTACOES.get(tipo, tipo)  # a class of the spec: its own name


def _contexto_modelos(entrada: Entrada, modelo: Modelo) -> dict[str, Any]:
    classes = [_contexto_classe(c) for c in modelo.classes]
    codigo = repr(classes)
    imports = [
        linha
        for linha, usado in (
            ("import datetime as _datetime", "_datetime." in codigo),
            ("import decimal as _decimal", "_decimal." in codigo),
            ("import typing as _typing", "_typing." in codigo or any(c["atributos"] for c in classes)),
        )
        if usado
    ]
    locais = [
        linha
        for linha, usado in (
            ("from . import erros as _erros", any(m["exige"] for c in classes for m in c["metodos"])),
            ("from . import validacao as _validacao", any(c["atributos"] for c in classes)),
        )
        if usado
    ]
    if imports and locais:
        imports.append("")
    docstring = _docstring(
        f"Classes da vertente E de {entrada.spec['id']} (gerado pelo PROMETHEUS a partir de spec_poo).\n\n"
        "Cada atributo é validado ao construir e ao atribuir (tipo, obrigatoriedade e restrições da\n"
        "spec); um valor recusado levanta um ``erros.ErroValidacao`` que nomeia o atributo. Métodos com\n"
        "expressão na spec são calculados; os que só têm regras em linguagem natural levantam\n"
        "``NotImplementedError`` até alguém implementá-los.",
        0,
    )
    return {"docstring": docstring, "imports": imports + locais, "classes": classes}


def _contexto_classe(classe: Classe) -> dict[str, Any]:
    atributos = []
    for a in classe.atributos:
        anotacao = _anotacao(a.tipo) if a.obrigatorio else f"{_anotacao(a.tipo)} | None"
        atributos.append(
            {
                "nome": a.nome,
                "chave": _texto(a.nome),
                "anotacao": anotacao,
                "parametro": f"{a.nome}: {anotacao}" + ("" if a.obrigatorio else " = None"),
                "regra": _regra(a),
            }
        )
    nomes = [a.nome for a in classe.atributos]
    # In natural order (RUF023); the spec's order stays in _REGRAS (repr, __eq__).
    ordenados = sorted(nomes, key=lambda n: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", n)])
    slots = "(" + ", ".join(_texto(n) for n in ordenados) + ("," if len(nomes) == 1 else "") + ")"
    descricao = classe.descricao or f"Classe {classe.nome} de spec_poo."
    return {
        "nome": classe.nome,
        "chave": _texto(classe.nome),
        "docstring": _docstring(descricao, 4),
        "slots": slots,
        "atributos": atributos,
        "metodos": [_contexto_metodo(classe, m) for m in classe.metodos],
    }


def _regra(atributo: regras.Atributo) -> str:
    codigo = Literais()
    partes = [_texto(atributo.tipo)]
    if not atributo.obrigatorio:
        partes.append("obrigatorio=False")
    for chave, campo in (("min", "minimo"), ("max", "maximo")):
        valor = atributo.limite(chave)
        if valor is not None:
            partes.append(f"{campo}={codigo(valor)}")
    for chave in ("min_len", "max_len", "padrao"):
        if chave in atributo.restricoes:
            valor = atributo.restricoes[chave]
            partes.append(f"{chave}={_texto(valor) if isinstance(valor, str) else valor}")
    if "escolhas" in atributo.restricoes:
        partes.append(f"escolhas={codigo(atributo.escolhas)}")
    texto = f"_validacao.Regra({', '.join(partes)})"
    # The rule's values are written as in the test (decimal.Decimal); here the module has an alias.
    return texto.replace("decimal.Decimal(", "_decimal.Decimal(")


def _contexto_metodo(classe: Classe, metodo: Metodo) -> dict[str, Any]:
    parametros = ", ".join(["self", *(f"{p.nome}: {_anotacao(p.tipo)}" for p in metodo.parametros)])
    retorno = _anotacao(metodo.retorna) if metodo.retorna else "None"
    linhas = [metodo.descricao.strip()] if metodo.descricao.strip() else []
    if metodo.regras:
        linhas += ["", "Regras:", *(f"- {r}" for r in metodo.regras)]
    for pre in metodo.exige:
        linhas += ["", f"Exige ``{pre.texto}``" + (f": {pre.mensagem}" if pre.mensagem else ".")]
    if metodo.expressao is not None:
        linhas += ["", f"Calcula ``{metodo.expressao.texto.strip()}`` (expressão da spec)."]
    else:
        linhas += ["", "Precisa de uma implementação: a spec só dá regras em linguagem natural."]
    while linhas and not linhas[0]:
        linhas.pop(0)
    exige = []
    for pre in metodo.exige:
        negacao = expressoes.Expressao(pre.texto, expressoes.Unario("bool", False, "not", pre.expressao.arvore))
        exige.append(
            {
                "negacao": expressoes.compilar(negacao, _MODULOS_GERADOS)[0],
                "texto": _texto(pre.texto.strip()),
                "mensagem": _texto(pre.mensagem),
            }
        )
    corpo = None if metodo.expressao is None else expressoes.compilar(metodo.expressao, _MODULOS_GERADOS)[0]
    pendente = f"{classe.nome}.{metodo.nome} precisa de uma implementação. Regras: " + (
        "; ".join(metodo.regras) if metodo.regras else "(nenhuma na spec)"
    )
    return {
        "nome": metodo.nome,
        "chave": _texto(metodo.nome),
        "parametros": parametros,
        "retorno": retorno,
        "docstring": _docstring("\n".join(linhas), 8),
        "exige": exige,
        "corpo": corpo,
        "pendente": _texto(pendente),
    }


# --- test_estrutural_restricoes.py --------------------------------------------------------------


def _contexto_restricoes(modelo: Modelo, bases: dict[str, regras.Base], literal: Literais) -> dict[str, Any]:
    validos, violacoes, sem_base = [], [], []
    base_ok: dict[str, Any] = {}
    for classe in modelo.classes:
        if not classe.atributos:
            continue
        base = bases[classe.nome]
        if not base.ok:
            sem_base.append((classe.nome, "; ".join(base.faltando.values())))
            continue
        base_ok[classe.nome] = base.valores
        validos.append({"classe": _texto(classe.nome), "mudancas": "{}", "id": _texto(classe.nome)})
        for atributo in classe.atributos:
            for regra, valor in regras.limites(atributo):
                valores = {**base.valores, atributo.nome: regras.materializar(valor)}
                if regras.verificar(classe, valores) is None:
                    validos.append(
                        {
                            "classe": _texto(classe.nome),
                            "mudancas": literal({atributo.nome: regras.normalizar(valor, atributo.tipo)}),
                            "id": _texto(f"{classe.nome}.{atributo.nome}={regra}"),
                        }
                    )
            for regra, valor in regras.violacoes(atributo):
                valores = {**base.valores, atributo.nome: regras.materializar(valor)}
                if regras.verificar(classe, valores) == regras.Violacao(atributo.nome, regra):
                    violacoes.append(
                        {
                            "classe": _texto(classe.nome),
                            "atributo": _texto(atributo.nome),
                            "valor": literal(valor),
                            "regra": _texto(regra),
                            "erro": regras.ERRO_DA_REGRA[regra],
                            "id": _texto(f"{classe.nome}.{atributo.nome}-{regra}"),
                        }
                    )
    opcionais = {
        c.nome: [a.nome for a in c.atributos if not a.obrigatorio] for c in modelo.classes if c.nome in base_ok
    }
    return {
        "base": literal(base_ok),
        "opcionais": literal(opcionais),
        "validos": validos,
        "violacoes": violacoes,
        "sem_base": sem_base,
    }


# --- test_estrutural_metodos.py -----------------------------------------------------------------


def _objeto_base(modelo: Modelo, bases: dict[str, regras.Base], nome: str) -> Objeto | None:
    base = bases.get(nome)
    return Objeto(nome, dict(base.valores)) if base is not None and base.ok else None


def _argumento_base(modelo: Modelo, bases: dict[str, regras.Base], tipo: str) -> Any:
    if tipo in _ARGUMENTO_BASE:
        return _ARGUMENTO_BASE[tipo]
    return _objeto_base(modelo, bases, tipo)


def _contexto_metodos(modelo: Modelo, bases: dict[str, regras.Base], literal: Literais) -> dict[str, Any]:
    metodos: list[dict[str, Any]] = []
    pendentes: list[dict[str, Any]] = []
    sem_teste: list[tuple[str, str]] = []
    for classe in modelo.classes:
        objeto = _objeto_base(modelo, bases, classe.nome)
        if objeto is None:
            continue  # reported with the constraints
        for metodo in classe.metodos:
            nome = f"{classe.nome}.{metodo.nome}"
            argumentos = {p.nome: _argumento_base(modelo, bases, p.tipo) for p in metodo.parametros}
            sem_valor = [p.nome for p in metodo.parametros if argumentos[p.nome] is None]
            if sem_valor:
                sem_teste.append((nome, f"sem valores válidos para os parâmetros {', '.join(sem_valor)}"))
                continue
            chamada = _chamada_esperada(classe, metodo, objeto.valores, argumentos, None)
            if isinstance(chamada, str):
                sem_teste.append((nome, chamada))  # the evaluation did not reach a result
                continue
            pendente = chamada is None
            if chamada is None:
                # No implementation: only the return type is known, and the call fails until there is one.
                chamada = {"metodo": metodo.nome, "argumentos": argumentos, "tipo": _tipo_no_teste(metodo.retorna)}
            item = {
                "objeto": literal(objeto, recuo=8),
                "chamada": literal(chamada, recuo=8),
                "id": _texto(f"{classe.nome}.{metodo.nome}"),
            }
            (pendentes if pendente else metodos).append(item)
    return {"metodos": metodos, "pendentes": pendentes, "sem_teste": sem_teste}


def _tipo_no_teste(tipo: str | None) -> Codigo:
    if tipo is None:
        return Codigo("type(None)")
    texto = _TIPOS_NO_TESTE.get(tipo, f"modelos.{tipo}")
    return Codigo(texto, (texto.split(".")[0],) if tipo in ("decimal", "date") else ())


def _nome_da_excecao(exc: BaseException) -> Codigo:
    tipo = type(exc)
    if tipo.__module__ == "builtins":
        return Codigo(tipo.__name__)
    return Codigo(f"{tipo.__module__}.{tipo.__name__}", (tipo.__module__,))


def _valores_para_avaliar(valores: dict[str, Any]) -> dict[str, Any]:
    return {nome: regras.materializar(v) for nome, v in valores.items()}


def _chamada_esperada(
    classe: Classe,
    metodo: Metodo,
    valores: dict[str, Any],
    argumentos: dict[str, Any],
    espera: tuple[Any] | None,
) -> dict[str, Any] | str | None:
    """What the call must do: the refused precondition, the exception, the result (from the
    case's ``espera`` or from the expression), or None if nothing is known (a method without an
    implementation, no ``espera``). A text is the reason it cannot be evaluated."""
    chamada: dict[str, Any] = {"metodo": metodo.nome, "argumentos": argumentos}
    escopo = {**_valores_para_avaliar(valores), **argumentos}
    try:
        for pre in metodo.exige:
            if not expressoes.avaliar(pre.expressao, escopo):
                return {**chamada, "precondicao": pre.texto.strip()}
        if espera is not None:
            return {**chamada, "resultado": espera[0]}
        if metodo.expressao is None:
            return None
        resultado = expressoes.avaliar(metodo.expressao, escopo)
    except expressoes.ErroAvaliacao as exc:
        return f"{classe.nome}.{metodo.nome}: {exc}"
    except _ERROS_DA_AVALIACAO as exc:
        if espera is not None:
            return {**chamada, "resultado": espera[0]}
        return {**chamada, "levanta": _nome_da_excecao(exc)}
    if isinstance(resultado, float) and resultado != resultado:  # NaN: no value equals it
        return f"{classe.nome}.{metodo.nome}: o resultado é NaN"
    return {**chamada, "resultado": resultado}


# --- test_estrutural_casos.py -------------------------------------------------------------------


def _erro_esperado(espera: dict[str, Any], classe: Classe) -> dict[str, Any] | None:
    """The construction error the case's ``espera`` names in this class, if it names one."""
    erro = espera.get("erro")
    if isinstance(erro, str) and classe.atributo(erro) is not None:
        return {"atributo": erro, "regra": None}
    if isinstance(erro, dict):
        nome = erro.get("atributo", erro.get("campo"))
        if isinstance(nome, str) and classe.atributo(nome) is not None:
            regra = erro.get("regra")
            return {"atributo": nome, "regra": regra if regra in regras.ORDEM_REGRAS else None}
    return None


def _precondicao_esperada(espera: dict[str, Any], metodo: Metodo) -> bool:
    erro = espera.get("erro")
    return isinstance(erro, dict) and erro.get("metodo") == metodo.nome


def _argumento(modelo: Modelo, bases: dict[str, regras.Base], tipo: str, valor: Any) -> tuple[Any, str | None]:
    """A parameter's argument from the case's ``dado``: (valor, None) or (None, motivo)."""
    classe = modelo.classe(tipo)
    if classe is None:
        convertido = regras.normalizar(regras.converter(valor, tipo), tipo)
        if not regras.do_tipo(convertido, tipo):
            return None, f"{valor!r} não é do tipo {tipo}"
        return convertido, None
    if not isinstance(valor, dict):
        return None, f"um {tipo} se dá em dado como um mapeamento dos atributos; recebido {valor!r}"
    base = bases[tipo]
    faltando = [a for a in base.faltando if a not in valor]
    if faltando:
        return None, f"faltam atributos de {tipo} sem valor derivável: {', '.join(faltando)}"
    valores = {
        **base.valores,
        **{a.nome: regras.converter(valor[a.nome], a.tipo) for a in classe.atributos if a.nome in valor},
    }
    violacao = regras.verificar(classe, _valores_para_avaliar(valores))
    if violacao is not None:
        return None, f"não constrói um {tipo} válido ({violacao.atributo}: {violacao.regra})"
    return Objeto(tipo, {n: regras.normalizar(v, classe.atributo_exigido(n).tipo) for n, v in valores.items()}), None


def _resultado_esperado(modelo: Modelo, bases: dict[str, regras.Base], tipo: str | None, valor: Any) -> Any:
    if tipo is None:
        return valor
    if modelo.classe(tipo) is not None and isinstance(valor, dict):
        convertido, motivo = _argumento(modelo, bases, tipo, valor)
        return valor if motivo else convertido
    return regras.normalizar(regras.converter(valor, tipo), tipo)


def derivar_caso(
    modelo: Modelo, bases: dict[str, regras.Base], caso: CasoDeTeste
) -> list[dict[str, Any]] | NaoTestavel:
    """A case's checks (one per class it touches), or why it does not become a test here."""
    dado, espera = caso.dado, caso.espera or {}
    checagens: list[dict[str, Any]] = []
    for classe in modelo.classes:
        atributos = [a for a in classe.atributos if a.nome in dado]
        chamadas: list[tuple[Metodo, bool]] = []  # (method, whether the espera gives the result)
        for metodo in classe.metodos:
            nomes = [p.nome for p in metodo.parametros]
            completos = all(n in dado for n in nomes)
            pedido = metodo.nome in espera or _precondicao_esperada(espera, metodo)
            if pedido and not completos:
                faltam = ", ".join(n for n in nomes if n not in dado)
                return NaoTestavel(caso.nome, f"espera.{metodo.nome}: faltam em dado os parâmetros {faltam}")
            if pedido or (metodo.construivel and completos and (nomes or atributos)):
                chamadas.append((metodo, metodo.nome in espera))
        if not atributos and not chamadas:
            continue
        base = bases[classe.nome]
        faltando = [nome for nome in base.faltando if nome not in dado]
        if faltando:
            motivos = "; ".join(base.faltando[n] for n in faltando)
            return NaoTestavel(caso.nome, f"{classe.nome} não tem valores válidos deriváveis: {motivos}")
        valores = {**base.valores, **{a.nome: regras.converter(dado[a.nome], a.tipo) for a in atributos}}
        checagem: dict[str, Any] = {"classe": classe.nome, "valores": valores}
        violacao = regras.verificar(classe, _valores_para_avaliar(valores))
        explicito = _erro_esperado(espera, classe)
        if explicito is not None:
            # The case's espera rules; the derived rule completes it when it agrees on the attribute.
            if explicito["regra"] is None and violacao is not None and violacao.atributo == explicito["atributo"]:
                explicito["regra"] = violacao.regra
            checagens.append({**checagem, "erro": explicito})
            continue
        if violacao is not None:
            checagens.append({**checagem, "erro": {"atributo": violacao.atributo, "regra": violacao.regra}})
            continue
        normalizados = {nome: regras.normalizar(v, classe.atributo_exigido(nome).tipo) for nome, v in valores.items()}
        esperados = {a.nome: normalizados[a.nome] for a in atributos}
        for nome, valor in espera.items():
            atributo = classe.atributo(nome)
            if atributo is not None:
                esperados[nome] = regras.normalizar(regras.converter(valor, atributo.tipo), atributo.tipo)
        checagem.update(erro=None, atributos=esperados, metodos=[])
        for metodo, da_espera in chamadas:
            argumentos = {}
            for p in metodo.parametros:
                argumento, motivo = _argumento(modelo, bases, p.tipo, dado[p.nome])
                if motivo is not None:
                    return NaoTestavel(caso.nome, f"dado.{p.nome} ({classe.nome}.{metodo.nome}): {motivo}")
                argumentos[p.nome] = argumento
            esperado = (_resultado_esperado(modelo, bases, metodo.retorna, espera[metodo.nome]),) if da_espera else None
            chamada = _chamada_esperada(classe, metodo, normalizados, argumentos, esperado)
            if isinstance(chamada, str):
                return NaoTestavel(caso.nome, chamada)
            if _precondicao_esperada(espera, metodo) and "precondicao" not in (chamada or {}):
                # The espera says a precondition refuses; the evaluation did not find which: the espera holds.
                chamada = {"metodo": metodo.nome, "argumentos": argumentos, "precondicao": None}
            if chamada is not None:
                checagem["metodos"].append(chamada)
        checagens.append(checagem)
    if not checagens:
        dados = ", ".join(sorted(dado)) or "(vazio)"
        return NaoTestavel(
            caso.nome, f"nenhum nome de dado é atributo de uma classe ou parâmetro de um método de spec_poo ({dados})"
        )
    return checagens
