"""The pricing model (docs/precificacao.md): every number of a budget, with the rule that made it.

Pure computation: it takes a validated spec, the covering-array rows and the coefficients of
a model version, and returns the seed's sections plus an explanation per number
(``{"valor", "regra", "entradas", "coeficientes"}``), which the budget stores and the pages show.
A rule is stored as its (Portuguese) msgid, with ``regra_params`` for the values put in it, and
translated when shown (``fabrica.palavras.regra``): the same budget reads in either language.
The coefficients live in the database (``ModeloPrecificacao``) and are re-fitted from actuals by
``fabrica.precificacao.calibracao``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from fabrica.erros import DadosInvalidos
from fabrica.specs.formato import VERTENTES, tamanho_por_vertente

# Version 1, before any actual was recorded: an hour per size unit and vertente, as judged by
# the team on the sample specs. Calibration replaces them with fitted values.
COEFICIENTES_INICIAIS: dict[str, Any] = {
    "horas_por_unidade": {"E": 0.5, "P": 0.75, "D": 0.4, "I": 1.0, "C": 1.25},
    "horas_teste_base": 1.0,
    "horas_teste_por_caso": 0.1,
    "horas_deploy_base": 2.0,
    "horas_deploy_por_container": 0.5,
    "horas_deploy_por_api": 1.0,
    "segundos_execucao_por_caso": 0.5,
    "cpu_base": 0.5,
    "cpu_por_tps": 0.05,
    "ram_mb_base": 256,
    "ram_mb_por_usuario": 2,
    "tokens_por_caso_por_api": 500,
    "custo_hora": 120.0,
    "moeda": "BRL",
}

# The prior of the model's tokens (docs/precificacao.md, "Tokens"): tokens a build spends per
# size unit and vertente — prompts carry the vertente's spec section and its code, so they grow
# with its size — and the share of them that is the model's answer, before any build with a model
# was recorded. Calibration (``calibracao.ajustar_tokens``) replaces them with what builds spent.
TOKENS_INICIAIS: dict[str, Any] = {
    "tokens_por_unidade": {"E": 600, "P": 400, "D": 300, "I": 400, "C": 500},
    "fracao_saida": 0.2,
}

# Size units: what each measure of a vertente (``tamanho_por_vertente``, counted by the vertente's
# module in ``fabrica.specs.formato``) weighs before ``horas_por_unidade[vertente]`` multiplies it.
PESOS_UNIDADES: dict[str, dict[str, int]] = {
    "E": {"classes": 1, "atributos": 1, "metodos": 2},
    "P": {"tarefas": 2, "gateways": 3, "fluxos": 1},
    "D": {"regras": 2, "entradas": 1, "saidas": 1},
    "I": {"telas": 2, "campos": 1, "acoes": 2},
    "C": {"conectores": 2, "endpoints": 3},
}


def unidades(vertente: str, medidas: dict[str, int]) -> int:
    """A vertente's size units: the weighted sum of the measures of ``tamanho_por_vertente``.

    Pricing multiplies the units by the vertente's own calibrated coefficient (hours per unit);
    units only compare within one vertente. Weights (``PESOS_UNIDADES``), by what each item costs
    to generate and test:

    - E: classes + atributos + 2×metodos — a method carries business rules and their tests;
    - P: 2×tarefas + 3×gateways + fluxos — each gateway opens paths to test;
    - D: 2×regras + entradas + saidas — each rule is a row of the table and a test case;
    - I: 2×telas + campos + 2×acoes — screens and actions have a route, a layout and a test;
      fields, a validation;
    - C: 2×conectores + 3×endpoints — an endpoint is a client method + a mock + a contract test.

    Missing measures count 0. An unknown vertente → ``fabrica.erros.DadosInvalidos``.
    """
    if vertente not in PESOS_UNIDADES:
        raise DadosInvalidos(
            f"Vertente desconhecida: {vertente!r}; use uma de {', '.join(VERTENTES)}.",
            {"vertente": [f"vertente desconhecida: {vertente!r}"]},
        )
    return sum(peso * medidas.get(nome, 0) for nome, peso in PESOS_UNIDADES[vertente].items())


# The seed's six sections of a budget (§5.1), in its order: the pricing fills them
# (``Precificacao``), the budget stores them (``fabrica.models.Orcamento``), items carry them
# (``spec_recursos``) and the pages and API show them, all from this one list.
SECOES = ("runtime", "teste", "carga", "esforco", "dependencias", "custo")

TPS_PADRAO = 10
USUARIOS_PADRAO = 50


@dataclass
class Precificacao:
    """A priced spec: the ``SECOES`` (one dict each) and the explanation of every number."""

    runtime: dict[str, Any] = field(default_factory=dict)
    teste: dict[str, Any] = field(default_factory=dict)
    carga: dict[str, Any] = field(default_factory=dict)
    esforco: dict[str, Any] = field(default_factory=dict)
    dependencias: dict[str, Any] = field(default_factory=dict)
    custo: dict[str, Any] = field(default_factory=dict)
    explicacao: dict[str, dict[str, Any]] = field(default_factory=dict)

    def secoes(self) -> dict[str, dict[str, Any]]:
        """``{section: its values}`` for every name of ``SECOES``."""
        return {secao: getattr(self, secao) for secao in SECOES}

    def explicar(
        self,
        chave: str,
        valor: Any,
        regra: str,
        entradas: dict[str, Any] | None = None,
        coeficientes: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        self.explicacao[chave] = {
            "valor": valor,
            "regra": regra,
            "entradas": entradas or {},
            "coeficientes": coeficientes or {},
            **({"regra_params": params} if params else {}),
        }
        return valor


def _r(valor: float) -> float:
    return round(valor, 2)


def precificar(
    spec: dict[str, Any],
    casos: list[dict[str, Any]],
    coef: dict[str, Any],
    *,
    versao: int,
    modelo_de_codigo: dict[str, Any] | None = None,
) -> Precificacao:
    """Prices a validated spec whose test cases were already generated (``casos``). With a model
    building code (``modelo_de_codigo``: ``settings.PROMETHEUS_LLM``), also the tokens its build
    will spend and their cost (``precificar_tokens``)."""
    orc = Precificacao()
    runtime = spec.get("runtime") or {}
    rnf = spec.get("requisitos_nao_funcionais") or {}
    tdd = spec.get("schema_tdd") or {}
    apis = list(runtime.get("apis_externas") or [])
    containers = list(runtime.get("containers_necessarios") or [])
    tps = rnf.get("tps", TPS_PADRAO)
    usuarios = rnf.get("usuarios", USUARIOS_PADRAO)

    # 1. RUNTIME
    cpu = _r(runtime["cpu"]) if "cpu" in runtime else _r(coef["cpu_base"] + coef["cpu_por_tps"] * tps)
    orc.runtime["cpu"] = orc.explicar(
        "runtime.cpu",
        cpu,
        gettext_noop("declarado na spec") if "cpu" in runtime else gettext_noop("cpu = cpu_base + cpu_por_tps × tps"),
        {"tps": tps},
        {} if "cpu" in runtime else {"cpu_base": coef["cpu_base"], "cpu_por_tps": coef["cpu_por_tps"]},
    )
    ram = (
        int(runtime["ram_mb"])
        if "ram_mb" in runtime
        else int(coef["ram_mb_base"] + coef["ram_mb_por_usuario"] * usuarios)
    )
    orc.runtime["ram_mb"] = orc.explicar(
        "runtime.ram_mb",
        ram,
        gettext_noop("declarado na spec")
        if "ram_mb" in runtime
        else gettext_noop("ram_mb = ram_mb_base + ram_mb_por_usuario × usuários"),
        {"usuarios": usuarios},
        {}
        if "ram_mb" in runtime
        else {"ram_mb_base": coef["ram_mb_base"], "ram_mb_por_usuario": coef["ram_mb_por_usuario"]},
    )
    orc.runtime["gpu"] = orc.explicar(
        "runtime.gpu", bool(runtime.get("gpu", False)), gettext_noop("declarado na spec (runtime.gpu)")
    )
    orc.runtime["apis_externas"] = orc.explicar(
        "runtime.apis_externas", apis, gettext_noop("declarado na spec (runtime.apis_externas)")
    )
    orc.runtime["containers"] = orc.explicar(
        "runtime.containers", containers, gettext_noop("declarado na spec (runtime.containers_necessarios)")
    )

    # 2. TESTE
    parametros = tdd.get("parametros") or {}
    classes = sum(len(v) for v in parametros.values())
    cobertura = tdd.get("cobertura", "pairwise")
    casos_explicitos = len(tdd.get("casos") or [])
    orc.teste["classes_equivalencia"] = orc.explicar(
        "teste.classes_equivalencia",
        classes,
        gettext_noop("soma dos valores de cada parâmetro de schema_tdd.parametros"),
        {nome: len(v) for nome, v in parametros.items()},
    )
    orc.teste["cobertura"] = orc.explicar(
        "teste.cobertura", cobertura, gettext_noop("schema_tdd.cobertura (padrão: pairwise)")
    )
    orc.teste["combinacoes_estimadas"] = orc.explicar(
        "teste.combinacoes_estimadas",
        len(casos),
        gettext_noop("linhas do arranjo de cobertura '%(cobertura)s' gerado (cada par de valores coberto)")
        if cobertura == "pairwise"
        else gettext_noop("linhas do arranjo '%(cobertura)s' gerado"),
        {"parametros": len(parametros), "restricoes": len(tdd.get("restricoes") or [])},
        params={"cobertura": cobertura},
    )
    orc.teste["casos_explicitos"] = orc.explicar(
        "teste.casos_explicitos", casos_explicitos, gettext_noop("exemplos em schema_tdd.casos")
    )
    total_casos = len(casos) + casos_explicitos
    segundos = _r(total_casos * coef["segundos_execucao_por_caso"])
    orc.teste["tempo_execucao_estimado_s"] = orc.explicar(
        "teste.tempo_execucao_estimado_s",
        segundos,
        gettext_noop("(combinações + casos explícitos) × segundos_execucao_por_caso"),
        {"casos": total_casos},
        {"segundos_execucao_por_caso": coef["segundos_execucao_por_caso"]},
    )
    tokens = int(len(casos) * len(apis) * coef["tokens_por_caso_por_api"])
    orc.runtime["tokens_llm_estimado"] = orc.explicar(
        "runtime.tokens_llm_estimado",
        tokens,
        gettext_noop("combinações × APIs externas × tokens_por_caso_por_api"),
        {"combinacoes": len(casos), "apis": len(apis)},
        {"tokens_por_caso_por_api": coef["tokens_por_caso_por_api"]},
    )

    # 3. CARGA
    orc.carga["tps_esperado"] = orc.explicar(
        "carga.tps_esperado",
        tps,
        gettext_noop("requisitos_nao_funcionais.tps") if "tps" in rnf else gettext_noop("padrão (%(n)s)"),
        params=None if "tps" in rnf else {"n": TPS_PADRAO},
    )
    orc.carga["usuarios_simultaneos"] = orc.explicar(
        "carga.usuarios_simultaneos",
        usuarios,
        gettext_noop("requisitos_nao_funcionais.usuarios") if "usuarios" in rnf else gettext_noop("padrão (%(n)s)"),
        params=None if "usuarios" in rnf else {"n": USUARIOS_PADRAO},
    )
    # No peak declared is ``None`` (a page says "not defined" in its language), not a sentence.
    orc.carga["pico_estimado"] = orc.explicar(
        "carga.pico_estimado", rnf.get("pico"), gettext_noop("requisitos_nao_funcionais.pico")
    )

    # 4. ESFORÇO
    medidas = tamanho_por_vertente(spec)
    horas_por_vertente: dict[str, float] = {}
    for vertente, m in medidas.items():
        u = unidades(vertente, m)
        h = _r(u * coef["horas_por_unidade"][vertente])
        horas_por_vertente[vertente] = orc.explicar(
            f"esforco.horas_dev.{vertente}",
            h,
            gettext_noop("unidades de tamanho da vertente %(vertente)s × horas_por_unidade[%(vertente)s]"),
            {**m, "unidades": u},
            {f"horas_por_unidade[{vertente}]": coef["horas_por_unidade"][vertente]},
            params={"vertente": vertente},
        )
    horas_dev = _r(sum(horas_por_vertente.values()))
    orc.esforco["horas_dev_por_vertente"] = horas_por_vertente
    orc.esforco["horas_dev"] = orc.explicar(
        "esforco.horas_dev", horas_dev, gettext_noop("soma das horas de cada vertente"), dict(horas_por_vertente)
    )
    horas_teste = _r(coef["horas_teste_base"] + coef["horas_teste_por_caso"] * total_casos)
    orc.esforco["horas_teste"] = orc.explicar(
        "esforco.horas_teste",
        horas_teste,
        gettext_noop("horas_teste_base + horas_teste_por_caso × casos de teste"),
        {"casos": total_casos},
        {"horas_teste_base": coef["horas_teste_base"], "horas_teste_por_caso": coef["horas_teste_por_caso"]},
    )
    horas_deploy = _r(
        coef["horas_deploy_base"]
        + coef["horas_deploy_por_container"] * len(containers)
        + coef["horas_deploy_por_api"] * len(apis)
    )
    orc.esforco["horas_deploy"] = orc.explicar(
        "esforco.horas_deploy",
        horas_deploy,
        gettext_noop("horas_deploy_base + horas_deploy_por_container × containers + horas_deploy_por_api × APIs"),
        {"containers": len(containers), "apis": len(apis)},
        {k: coef[k] for k in ("horas_deploy_base", "horas_deploy_por_container", "horas_deploy_por_api")},
    )
    total = _r(horas_dev + horas_teste + horas_deploy)
    orc.esforco["total"] = orc.explicar(
        "esforco.total",
        total,
        gettext_noop("horas_dev + horas_teste + horas_deploy"),
        {"horas_dev": horas_dev, "horas_teste": horas_teste, "horas_deploy": horas_deploy},
    )
    orc.esforco["workers"] = orc.explicar(
        "esforco.workers",
        [f"WORKER_{v}" for v in spec.get("vertentes", [])],
        gettext_noop("um worker por vertente da spec"),
    )

    # 5. DEPENDÊNCIAS (gaps are added by the caller once their items exist)
    orc.dependencias["specs_pre_requisito"] = orc.explicar(
        "dependencias.specs_pre_requisito", list(spec.get("depende_de") or []), gettext_noop("spec.depende_de")
    )

    # CUSTO
    valor = _r(total * coef["custo_hora"])
    orc.custo = {"total": valor, "moeda": coef.get("moeda", "BRL"), "custo_hora": coef["custo_hora"]}
    orc.explicar(
        "custo.total",
        valor,
        gettext_noop("esforco.total × custo_hora"),
        {"horas": total},
        {"custo_hora": coef["custo_hora"]},
    )
    if modelo_de_codigo is not None:
        precificar_tokens(orc, medidas, coef, modelo_de_codigo)
    for explicacao in orc.explicacao.values():
        explicacao["modelo"] = f"v{versao}"
    return orc


def coeficientes_de_tokens(coef: dict[str, Any]) -> dict[str, Any]:
    """The version's token coefficients, or the prior when it has none (a version written before
    any model was configured)."""
    return {
        "tokens_por_unidade": {**TOKENS_INICIAIS["tokens_por_unidade"], **(coef.get("tokens_por_unidade") or {})},
        "fracao_saida": coef.get("fracao_saida", TOKENS_INICIAIS["fracao_saida"]),
    }


def precificar_tokens(
    orc: Precificacao, medidas: dict[str, dict[str, int]], coef: dict[str, Any], llm: dict[str, Any]
) -> None:
    """The model's tokens per vertente (size units × ``tokens_por_unidade[V]``), their total and
    their cost at the configured prices (the answer's share, ``fracao_saida``, at the output
    price), beside the ceilings that stop a build that would pass them."""
    tokens = coeficientes_de_tokens(coef)
    por_unidade = tokens["tokens_por_unidade"]
    por_vertente: dict[str, int] = {}
    for vertente, m in medidas.items():
        u = unidades(vertente, m)
        por_vertente[vertente] = orc.explicar(
            f"esforco.tokens_modelo.{vertente}",
            round(u * por_unidade[vertente]),
            gettext_noop("unidades de tamanho da vertente %(vertente)s × tokens_por_unidade[%(vertente)s]"),
            {"unidades": u},
            {f"tokens_por_unidade[{vertente}]": por_unidade[vertente]},
            params={"vertente": vertente},
        )
    total = sum(por_vertente.values())
    orc.esforco["tokens_modelo_por_vertente"] = por_vertente
    orc.esforco["tokens_modelo"] = orc.explicar(
        "esforco.tokens_modelo", total, gettext_noop("soma dos tokens de cada vertente"), dict(por_vertente)
    )
    fracao = tokens["fracao_saida"]
    entrada, saida = Decimal(str(llm.get("preco_entrada", 0))), Decimal(str(llm.get("preco_saida", 0)))
    valor = (Decimal(total) * (Decimal(str(1 - fracao)) * entrada + Decimal(str(fracao)) * saida)) / 1_000_000
    custo = str(valor.quantize(Decimal("0.0001")))
    orc.custo["modelo"] = {
        "nome": llm.get("modelo", ""),
        "tokens": total,
        "custo": custo,
        "teto_release": llm.get("tokens_release"),
        "teto_orcamento": llm.get("tokens_orcamento"),
    }
    orc.explicar(
        "custo.modelo",
        custo,
        gettext_noop("tokens × ((1 − fracao_saida) × preço de entrada + fracao_saida × preço de saída) / 1 milhão"),
        {"tokens": total, "preco_entrada": str(entrada), "preco_saida": str(saida)},
        {"fracao_saida": fracao},
    )
