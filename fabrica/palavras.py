"""The words of the factory's values (``prometheus_site.vocabulario``), and the sentences pages
build from stored data: gap titles, pricing rules, who resolved what.

Stored values stay as the seed spells them (``orcar_spec``, ``E``, ``pairwise``); the words are
read in the language of the page, so nothing a page shows is a key or a Portuguese sentence in
English mode (or the reverse).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backlog.models import Status
from fabrica.contratos import TipoItem
from fabrica.models import Orcamento, Release
from prometheus_site import vocabulario
from prometheus_site.vocabulario import Palavra, nome_do_ator

TIPOS_DE_ITEM = {
    TipoItem.ORCAR_SPEC: _("pedido de orçamento"),
    TipoItem.APROVAR_ORCAMENTO: _("aprovação do orçamento"),
    TipoItem.ENTREVISTAR_DOR: _("gap de infraestrutura"),
    TipoItem.DESENVOLVIMENTO: _("desenvolvimento"),
    TipoItem.AJUSTAR_SPEC: _("ajuste da spec"),
    TipoItem.IMPLANTAR: _("implantação"),
    TipoItem.CORRIGIR_BUG: _("correção de bug"),
    TipoItem.APROVAR_RELEASE: _("aprovação da release"),
    TipoItem.VALIDAR_IMPLANTACAO: _("validação da implantação"),
    TipoItem.AVALIAR_EFETIVIDADE: _("avaliação de efetividade"),
}

# Seed §4: one worker per vertente.
VERTENTES = {
    "E": _("Estrutural"),
    "P": _("Processual"),
    "D": _("Decisional"),
    "I": _("Interface"),
    "C": _("Integração"),
}

COBERTURAS = {
    "pairwise": _("todos os pares de valores (pairwise)"),
    "exaustiva": _("todas as combinações (exaustiva)"),
    "cada_valor": _("cada valor ao menos uma vez"),
}

TIPOS_DE_CAPACIDADE = {
    "api_externa": _("API externa"),
    "hardware": _("hardware"),
    "container": _("container"),
}

# What a budget page and the inbox say of a budget (``Orcamento.situacao``).
SITUACOES = {
    "a_decidir": Palavra(_("pronto para decidir"), "info"),
    "em_espera": Palavra(_("aguardando gaps"), "espera"),
}
TONS_ORCAMENTO: dict[str, str] = {
    Orcamento.Status.ABERTO: "info",
    Orcamento.Status.APROVADO: "ok",
    Orcamento.Status.AJUSTADO: "alerta",
    Orcamento.Status.REJEITADO: "perigo",
    Orcamento.Status.SUBSTITUIDO: "neutro",
}
TONS_RELEASE: dict[str, str] = {
    Release.Status.ABERTA: "info",
    Release.Status.APROVADA: "ok",
    Release.Status.REJEITADA: "perigo",
}


def registrar() -> None:
    vocabulario.registrar("tipo_item", TIPOS_DE_ITEM)
    vocabulario.registrar("vertente", VERTENTES)
    vocabulario.registrar("cobertura", COBERTURAS)
    vocabulario.registrar("tipo_capacidade", TIPOS_DE_CAPACIDADE)
    vocabulario.registrar_escolhas("orcamento", Orcamento.Status, TONS_ORCAMENTO)
    vocabulario.registrar("orcamento", SITUACOES)
    vocabulario.registrar_escolhas("release", Release.Status, TONS_RELEASE)


def nome_do_worker(vertente: str) -> str:
    """``WORKER_E`` (as the seed and the payloads name it) → "Estrutural"."""
    chave = vertente.removeprefix("WORKER_")
    return vocabulario.palavra("vertente", chave)


def _quando(momento: datetime | str | None) -> str:
    if isinstance(momento, str):
        texto = momento
        try:
            momento = datetime.fromisoformat(texto)
        except ValueError:
            return texto
    if not momento:
        return "?"
    return date_format(timezone.localtime(momento), "SHORT_DATETIME_FORMAT")


def titulo_do_gap(tipo: str, recurso: str, item: Any = None) -> str:
    """A gap as a sentence that reads right in its state: "API whisper_api não configurada"
    while open, "API whisper_api: resolvida por admin em 12/05/2025 14:00" once resolved."""
    status = getattr(item, "status", Status.PENDENTE)
    partes = {"recurso": recurso, "tipo": vocabulario.palavra("tipo_capacidade", tipo)}
    if status == Status.CONCLUIDO:
        resultado = getattr(item, "resultado", None) or {}
        partes["quem"] = nome_do_ator(resultado.get("resolvido_por") or getattr(item, "consumidor", ""))
        partes["quando"] = _quando(getattr(item, "concluido_em", None) or resultado.get("resolvido_em"))
        if tipo == "api_externa":
            return gettext("API %(recurso)s: resolvida por %(quem)s em %(quando)s") % partes
        if tipo == "hardware" and recurso == "gpu":
            return gettext("GPU: resolvida por %(quem)s em %(quando)s") % partes
        if tipo == "container":
            return gettext("Container %(recurso)s: resolvido por %(quem)s em %(quando)s") % partes
        return gettext("%(tipo)s %(recurso)s: resolvido por %(quem)s em %(quando)s") % partes
    if status in (Status.CANCELADO, Status.FALHA):
        return gettext("%(tipo)s %(recurso)s: gap encerrado sem resolução") % partes
    if tipo == "api_externa":
        return gettext("API %(recurso)s não configurada") % partes
    if tipo == "hardware" and recurso == "gpu":
        return gettext("GPU não disponível")
    if tipo == "container":
        return gettext("Container %(recurso)s não disponível") % partes
    return gettext("%(tipo)s %(recurso)s não disponível") % partes


def como_foi_resolvido(item: Any) -> str:
    """How a concluded gap was resolved: by an admin registering a capability, or by the
    system that concluded it (GENESIS over the API)."""
    resultado = getattr(item, "resultado", None) or {}
    capacidade = resultado.get("capacidade")
    if capacidade:
        return gettext("capacidade %(nome)s registrada por %(quem)s") % {
            "nome": capacidade.get("nome", ""),
            "quem": nome_do_ator(resultado.get("resolvido_por", "")),
        }
    return gettext("concluído por %(quem)s") % {"quem": nome_do_ator(getattr(item, "consumidor", ""))}


def regra(explicacao: dict[str, Any]) -> str:
    """A pricing rule in the page's language: rules are stored as their Portuguese msgid plus
    the values to put in it (``regra_params``), so an old budget reads in English too."""
    texto = str(explicacao.get("regra", ""))
    traduzido = gettext(texto) if texto else ""
    parametros = explicacao.get("regra_params") or {}
    if not parametros:
        return traduzido
    try:
        return traduzido % parametros
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the original
        return texto % parametros


# The numbers of a budget (keys of ``explicacao``) as a person names them.
NUMEROS = {
    "runtime.cpu": _("CPU (núcleos)"),
    "runtime.ram_mb": _("RAM (MB)"),
    "runtime.gpu": _("GPU necessária"),
    "runtime.apis_externas": _("APIs externas"),
    "runtime.containers": _("Containers"),
    "runtime.tokens_llm_estimado": _("Tokens de LLM estimados"),
    "teste.classes_equivalencia": _("Classes de equivalência"),
    "teste.cobertura": _("Cobertura dos testes"),
    "teste.combinacoes_estimadas": _("Combinações de teste"),
    "teste.casos_explicitos": _("Casos de teste explícitos"),
    "teste.tempo_execucao_estimado_s": _("Tempo de execução dos testes (s)"),
    "carga.tps_esperado": _("TPS esperado"),
    "carga.usuarios_simultaneos": _("Usuários simultâneos"),
    "carga.pico_estimado": _("Pico de carga"),
    "esforco.horas_dev": _("Horas de desenvolvimento"),
    "esforco.horas_teste": _("Horas de teste"),
    "esforco.horas_deploy": _("Horas de implantação"),
    "esforco.total": _("Esforço total (h)"),
    "esforco.workers": _("Workers"),
    "dependencias.specs_pre_requisito": _("Specs pré-requisito"),
    "custo.total": _("Custo"),
}


def nome_do_numero(chave: str) -> str:
    if chave.startswith("esforco.horas_dev."):
        vertente = chave.rsplit(".", 1)[1]
        return gettext("Horas de desenvolvimento — %(vertente)s") % {
            "vertente": vocabulario.palavra("vertente", vertente)
        }
    return str(NUMEROS.get(chave, chave))
