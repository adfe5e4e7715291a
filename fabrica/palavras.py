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
from fabrica.models import Ambiente, Orcamento, Release
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
    TipoItem.WORKER_ESTRUTURA: _("vertente estrutural (interno)"),
    TipoItem.WORKER_PROCESSO: _("vertente processual (interno)"),
    TipoItem.WORKER_DADOS: _("vertente decisional (interno)"),
    TipoItem.WORKER_INTERFACE: _("vertente de interface (interno)"),
    TipoItem.WORKER_INTEGRACAO: _("vertente de integração (interno)"),
    TipoItem.MONTAR_RELEASE: _("montagem da release (interno)"),
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
    registrar_resultados()


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
    "esforco.tokens_modelo": _("Tokens do modelo"),
    "custo.modelo": _("Custo dos tokens do modelo"),
    "dependencias.specs_pre_requisito": _("Specs pré-requisito"),
    "custo.total": _("Custo"),
}


def nome_do_numero(chave: str) -> str:
    if chave.startswith("esforco.horas_dev."):
        vertente = chave.rsplit(".", 1)[1]
        return gettext("Horas de desenvolvimento — %(vertente)s") % {
            "vertente": vocabulario.palavra("vertente", vertente)
        }
    if chave.startswith("esforco.tokens_modelo."):
        vertente = chave.rsplit(".", 1)[1]
        return gettext("Tokens do modelo — %(vertente)s") % {"vertente": vocabulario.palavra("vertente", vertente)}
    return str(NUMEROS.get(chave, chave))


# A test's result (``Release.testes[].status``), as a chip.
RESULTADOS_DE_TESTE = {
    "passou": Palavra(_("passou"), "ok"),
    "falhou": Palavra(_("falhou"), "perigo"),
    "erro": Palavra(_("erro"), "perigo"),
    "ausente": Palavra(_("ausente"), "alerta"),
    "pulou": Palavra(_("pulou"), "neutro"),
}

# What an artefact is for (``PAPEIS_ARTEFATO``).
PAPEIS_DE_ARTEFATO = {
    "codigo": _("código"),
    "teste": _("teste"),
    "apoio": _("apoio"),
}

# How the sandbox isolated a run.
ISOLAMENTOS = {
    "completo": _("completo"),
    "bwrap": _("bubblewrap"),
    "namespaces": _("namespaces"),
    "basico": _("básico"),
    "auto": _("automático"),
}

# Who asked for something when it was not a person.
ATORES = {
    "MS_Produto": _("Produto (sistema)"),
}

# The sentences the factory stores in Portuguese (deployment logs and errors, correction attempts),
# translated when a page shows them: ``{{ impl.log|log }}``, ``{{ t.tentou|frase }}``.
FRASES = {
    # fabrica/implantacao/services/execucao.py
    r"Recusada: (?P<frase>.*)": _("Recusada: %(frase)s"),
    r"Falhou: (?P<frase>.*)": _("Falhou: %(frase)s"),
    r"Concluída em (?P<s>[\d.]+) s\.": _("Concluída em %(s)s s."),
    r"Retomando a implantação interrompida \(o item foi resgatado\)\.": _(
        "Retomando a implantação interrompida (o item foi resgatado)."
    ),
    r"Implantação #(?P<n>\d+): (?P<frase_versao>.*) → (?P<ambiente>\S+) \(alvo (?P<frase_alvo>\S+)\); "
    r"servia: (?P<frase_anterior>.*)\.": _(
        "Implantação #%(n)s: %(frase_versao)s → %(ambiente)s (alvo %(frase_alvo)s); servia: %(frase_anterior)s."
    ),
    r"Reversão #(?P<n>\d+): (?P<frase_versao>.*) → (?P<ambiente>\S+) \(alvo (?P<frase_alvo>\S+)\); "
    r"servia: (?P<frase_anterior>.*)\.": _(
        "Reversão #%(n)s: %(frase_versao)s → %(ambiente)s (alvo %(frase_alvo)s); servia: %(frase_anterior)s."
    ),
    r"Aguardando a implantação #(?P<n>\d+) \((?P<versao>.*)\) terminar em (?P<ambiente>\S+) …": _(
        "Aguardando a implantação #%(n)s (%(versao)s) terminar em %(ambiente)s …"
    ),
    r"Arquivo da release: (?P<arquivo>\S+), (?P<n>\d+) artefato\(s\), (?P<bytes>\d+) bytes\.": _(
        "Arquivo da release: %(arquivo)s, %(n)s artefato(s), %(bytes)s bytes."
    ),
    r"Retenção: (?P<n>\d+) release\(s\) antiga\(s\) removida\(s\)\.": _(
        "Retenção: %(n)s release(s) antiga(s) removida(s)."
    ),
    r"Implantação #(?P<n>\d+) em (?P<ambiente>\S+) falhou: (?P<frase>.*)": _(
        "Implantação #%(n)s em %(ambiente)s falhou: %(frase)s"
    ),
    # fabrica/implantacao/services/falhas.py: the erro of a rejected failed deployment
    r"A implantação #(?P<n>\d+) em (?P<ambiente>\S+) falhou: (?P<frase_erro>.*)": _(
        "A implantação #%(n)s em %(ambiente)s falhou: %(frase_erro)s"
    ),
    # fabrica/implantacao/alvos/diretorio.py
    r"releases/(?P<v>\S+)/ já é a atual e confere com o manifesto\.": _(
        "releases/%(v)s/ já é a atual e confere com o manifesto."
    ),
    r"releases/(?P<v>\S+)/ ficou de uma tentativa anterior: refazendo do arquivo\.": _(
        "releases/%(v)s/ ficou de uma tentativa anterior: refazendo do arquivo."
    ),
    r"releases/(?P<v>\S+)/ guardada e conferida com o manifesto\.": _(
        "releases/%(v)s/ guardada e conferida com o manifesto."
    ),
    r"releases/(?P<v>\S+)/ não está completa \((?P<faltas>.*)\): refazendo do arquivo\.": _(
        "releases/%(v)s/ não está completa (%(faltas)s): refazendo do arquivo."
    ),
    r"Testes de fumaça desligados neste ambiente \(configuracao\.smoke = false\)\.": _(
        "Testes de fumaça desligados neste ambiente (configuracao.smoke = false)."
    ),
    r"Testes de fumaça \(comando do ambiente, fora do sandbox\): (?P<cmd>.*)": _(
        "Testes de fumaça (comando do ambiente, fora do sandbox): %(cmd)s"
    ),
    r"Testes de fumaça no sandbox: (?P<cmd>.*)": _("Testes de fumaça no sandbox: %(cmd)s"),
    r"Testes de fumaça passaram \((?P<s>[\d.]+) s\)\.": _("Testes de fumaça passaram (%(s)s s)."),
    r"Os testes de fumaça falharam \(código de saída (?P<codigo>-?\d+)\)\.": _(
        "Os testes de fumaça falharam (código de saída %(codigo)s)."
    ),
    r"Os testes de fumaça não puderam ser iniciados: (?P<erro>.*)": _(
        "Os testes de fumaça não puderam ser iniciados: %(erro)s"
    ),
    r"Os testes de fumaça passaram do tempo limite de (?P<s>[\d.]+) s e foram interrompidos\.": _(
        "Os testes de fumaça passaram do tempo limite de %(s)s s e foram interrompidos."
    ),
    r"A release não tem testes: nenhum teste de fumaça a executar\.": _(
        "A release não tem testes: nenhum teste de fumaça a executar."
    ),
    r"Sandbox: isolamento (?P<modo>\S+?)(?P<resto>(, uid \d+)?(\. .*)?)": _("Sandbox: isolamento %(modo)s%(resto)s"),
    r"Nenhuma release anterior: current removido, a spec não serve mais neste ambiente\.": _(
        "Nenhuma release anterior: current removido, a spec não serve mais neste ambiente."
    ),
    r"A release (?P<v>\S+) serve mas está alterada no disco\.": _("A release %(v)s serve mas está alterada no disco."),
    r"A release (?P<v>\S+) não está mais guardada neste ambiente\.": _(
        "A release %(v)s não está mais guardada neste ambiente."
    ),
    r"Retenção: releases/(?P<v>\S+)/ removida\.": _("Retenção: releases/%(v)s/ removida."),
    r"Desempacotando (?P<arquivo>\S+) em releases/(?P<v>\S+)/ …": _("Desempacotando %(arquivo)s em releases/%(v)s/ …"),
    r"  recusado: (?P<problema>.*)": _("  recusado: %(problema)s"),
    r"(?P<n>\d+) arquivo\(s\) desempacotado\(s\)\.": _("%(n)s arquivo(s) desempacotado(s)."),
    r"Removido o que uma tentativa interrompida deixou: (?P<nome>.*)": _(
        "Removido o que uma tentativa interrompida deixou: %(nome)s"
    ),
    # fabrica/implantacao/alvos/comando.py
    r"Nenhum comando de verificação configurado \(configuracao\.verificar\)\.": _(
        "Nenhum comando de verificação configurado (configuracao.verificar)."
    ),
    r"A reversão automática também falhou: (?P<frase>.*)": _("A reversão automática também falhou: %(frase)s"),
    r"O comando '(?P<op>[^']*)' terminou com o código (?P<codigo>-?\d+)\.": _(
        "O comando '%(op)s' terminou com o código %(codigo)s."
    ),
    r"O comando '(?P<op>[^']*)' não pôde ser iniciado: (?P<erro>.*)": _(
        "O comando '%(op)s' não pôde ser iniciado: %(erro)s"
    ),
    r"O comando '(?P<op>[^']*)' passou do tempo limite de (?P<s>[\d.]+) s; o grupo de processos foi encerrado\.": _(
        "O comando '%(op)s' passou do tempo limite de %(s)s s; o grupo de processos foi encerrado."
    ),
    # fabrica/desenvolvimento/corretor.py
    r"Tentativa (?P<n>\d+): nenhum reparo determinístico se aplica a (?P<frase_falhas>.*?)\. Reparos conhecidos: templates "
    r"do projeto no lugar dos do repositório, espaços e tabulações do Python que não compila"
    r" \(já aplicados: (?P<aplicados>.*)\); nada foi alterado\.": _(
        "Tentativa %(n)s: nenhum reparo determinístico se aplica a %(frase_falhas)s. Reparos conhecidos: templates do "
        "projeto no lugar dos do repositório, espaços e tabulações do Python que não compila (já aplicados: "
        "%(aplicados)s); nada foi alterado."
    ),
    r"Tentativa (?P<n>\d+): nenhum reparo determinístico se aplica a (?P<frase_falhas>.*?)\. Reparos conhecidos: templates "
    r"do projeto no lugar dos do repositório, espaços e tabulações do Python que não compila"
    r"; nada foi alterado\.": _(
        "Tentativa %(n)s: nenhum reparo determinístico se aplica a %(frase_falhas)s. Reparos conhecidos: templates do "
        "projeto no lugar dos do repositório, espaços e tabulações do Python que não compila; nada foi alterado."
    ),
    r"O corretor falhou: (?P<erro>.*)": _("O corretor falhou: %(erro)s"),
    # corretor.resumo_das_falhas, its parts joined by "; "
    r"(?P<frase_tipo>[^;]+?) em 1 teste": _("%(frase_tipo)s em 1 teste"),
    r"(?P<frase_tipo>[^;]+?) em (?P<n>\d+) testes": _("%(frase_tipo)s em %(n)s testes"),
    r"(?P<frase_tipo>[^;]+?) em 1 teste \(precisa de implementação\)": _(
        "%(frase_tipo)s em 1 teste (precisa de implementação)"
    ),
    r"(?P<frase_tipo>[^;]+?) em (?P<n>\d+) testes \(precisa de implementação\)": _(
        "%(frase_tipo)s em %(n)s testes (precisa de implementação)"
    ),
    r"sem teste": _("sem teste"),
    r"tempo esgotado": _("tempo esgotado"),
    r"falha": _("falha"),
    r"nenhuma falha descrita": _("nenhuma falha descrita"),
    # reasons of cases without a test (workers/estrutural.py, workers/processual.py)
    r"espera\.(?P<metodo>\S+): faltam em dado os parâmetros (?P<faltam>.*)": _(
        "espera.%(metodo)s: faltam em dado os parâmetros %(faltam)s"
    ),
    r"(?P<classe>\S+) não tem valores válidos deriváveis: (?P<motivos>.*)": _(
        "%(classe)s não tem valores válidos deriváveis: %(motivos)s"
    ),
    r"dado\.(?P<p>\S+) \((?P<onde>\S+)\): (?P<frase_motivo>.*)": _("dado.%(p)s (%(onde)s): %(frase_motivo)s"),
    r"nenhum nome de dado é atributo de uma classe ou parâmetro de um método de spec_poo \((?P<dados>.*)\)": _(
        "nenhum nome de dado é atributo de uma classe ou parâmetro de um método de spec_poo (%(dados)s)"
    ),
    r"sem valores válidos para os parâmetros (?P<p>.*)": _("sem valores válidos para os parâmetros %(p)s"),
    r"mais de (?P<n>\d+) caminhos: testados os (?P<m>\d+) primeiros": _(
        "mais de %(n)s caminhos: testados os %(m)s primeiros"
    ),
    r"com as escolhas (?P<escolhas>.*?): (?P<frase_erro>.*)": _("com as escolhas %(escolhas)s: %(frase_erro)s"),
    # reasons of cases and checks without a test (workers/estrutural.py, estrutural_regras.py):
    # the row's label, then the reason
    r"(?P<nome>\S+) \(restrições e métodos\)": _("%(nome)s (restrições e métodos)"),
    r"(?P<nome>\S+) \(método\)": _("%(nome)s (método)"),
    r"o exemplo de (?P<nome>\S+) viola a restrição (?P<restricao>.*)": _(
        "o exemplo de %(nome)s viola a restrição %(restricao)s"
    ),
    r"não há valor derivável do padrao de (?P<nome>\S+): dê um exemplo na spec": _(
        "não há valor derivável do padrao de %(nome)s: dê um exemplo na spec"
    ),
    r"não há valor que satisfaça todas as restrições de (?P<nome>\S+): dê um exemplo na spec": _(
        "não há valor que satisfaça todas as restrições de %(nome)s: dê um exemplo na spec"
    ),
    r"(?P<onde>\S+\.\S+): o resultado é NaN": _("%(onde)s: o resultado é NaN"),
    # reasons of cases without a test (workers/integracao/planos.py)
    r"o caso serve a mais de um endpoint \((?P<nomes>.*)\); diga qual em dado\.endpoint": _(
        "o caso serve a mais de um endpoint (%(nomes)s); diga qual em dado.endpoint"
    ),
    r"nenhum endpoint tem todos os parâmetros e campos do caso \((?P<chaves>.*)\); diga o endpoint em "
    r"dado\.endpoint, ou declare em cenarios do conector as chaves que descrevem o remoto ou o cache": _(
        "nenhum endpoint tem todos os parâmetros e campos do caso (%(chaves)s); diga o endpoint em dado.endpoint, "
        "ou declare em cenarios do conector as chaves que descrevem o remoto ou o cache"
    ),
    r"(?P<chave>\S+) = (?P<valor>.*) não está em cenarios\.(?P<chave2>\S+) do conector (?P<conector>\S+)": _(
        "%(chave)s = %(valor)s não está em cenarios.%(chave2)s do conector %(conector)s"
    ),
    r"espera\.erro = (?P<erro>.*) não é mensagem de nenhum parâmetro nem de nenhum erro declarado do endpoint "
    r"(?P<endpoint>\S+); declare-a em parametros\.<nome>\.mensagens ou em erros": _(
        "espera.erro = %(erro)s não é mensagem de nenhum parâmetro nem de nenhum erro declarado do endpoint "
        "%(endpoint)s; declare-a em parametros.<nome>.mensagens ou em erros"
    ),
    r"o endpoint (?P<endpoint>\S+) não declara uma resposta objeto; espera só confere campos de uma resposta "
    r"objeto": _(
        "o endpoint %(endpoint)s não declara uma resposta objeto; espera só confere campos de uma resposta objeto"
    ),
    r"(?P<campo>espera\.\S+) não é campo da resposta de (?P<endpoint>\S+)": _(
        "%(campo)s não é campo da resposta de %(endpoint)s"
    ),
    r"(?P<campos>espera\..*) não são campos da resposta de (?P<endpoint>\S+)": _(
        "%(campos)s não são campos da resposta de %(endpoint)s"
    ),
    r"o caso não dá (?P<nome>\S+), que tem padrão e nenhum exemplo declarado": _(
        "o caso não dá %(nome)s, que tem padrão e nenhum exemplo declarado"
    ),
    # reasons of cases without a test (workers/decisional.py)
    r"a decisão (?P<decisao>\S+) lê a entrada (?P<entrada>\S+), que não tem valor": _(
        "a decisão %(decisao)s lê a entrada %(entrada)s, que não tem valor"
    ),
    r"a entrada (?P<entrada>\S+?)=(?P<valor>.*) não se compara com a regra (?P<n>\d+) de (?P<decisao>\S+)": _(
        "a entrada %(entrada)s=%(valor)s não se compara com a regra %(n)s de %(decisao)s"
    ),
    r"UNIQUE com mais de uma regra casando: (?P<numeros>.*)": _("UNIQUE com mais de uma regra casando: %(numeros)s"),
    r"ANY com regras que casam e dão saídas diferentes": _("ANY com regras que casam e dão saídas diferentes"),
    r"nenhuma regra de (?P<requisito>\S+) casa, e (?P<decisao>\S+) depende dela": _(
        "nenhuma regra de %(requisito)s casa, e %(decisao)s depende dela"
    ),
    r"espera traz (?P<chaves>.*), que nenhuma decisão produz \(saídas: (?P<saidas>.*)\)": _(
        "espera traz %(chaves)s, que nenhuma decisão produz (saídas: %(saidas)s)"
    ),
    r"espera\.(?P<chaves>.*?): nenhuma decisão produz isso \(saídas: (?P<saidas>.*)\)": _(
        "espera.%(chaves)s: nenhuma decisão produz isso (saídas: %(saidas)s)"
    ),
    r"o caso não dá valor às entradas (?P<entradas>.*)": _("o caso não dá valor às entradas %(entradas)s"),
    r"a entrada (?P<entrada>\S+?)=(?P<valor>.*) não é do tipo (?P<tipo>\S+)": _(
        "a entrada %(entrada)s=%(valor)s não é do tipo %(tipo)s"
    ),
    # reasons of cases without a test (workers/processual.py, its espera)
    r"espera\.(?P<chaves>.*?): um processo BPMN não produz isso \(a vertente P confere espera\.passa_por, "
    r"espera\.nao_passa_por e espera\.termina_em\)": _(
        "espera.%(chaves)s: um processo BPMN não produz isso (a vertente P confere espera.passa_por, "
        "espera.nao_passa_por e espera.termina_em)"
    ),
    r"passa_por e nao_passa_por devem ser listas de ids de tarefa": _(
        "passa_por e nao_passa_por devem ser listas de ids de tarefa"
    ),
    r"o gateway (?P<gateway>\S+) lê a variável (?P<variavel>\S+), que o caso não dá": _(
        "o gateway %(gateway)s lê a variável %(variavel)s, que o caso não dá"
    ),
    r"o gateway (?P<gateway>\S+) compara (?P<variavel>\S+?)=(?P<valor>.*) com (?P<outro>.*): tipos que não se comparam": _(
        "o gateway %(gateway)s compara %(variavel)s=%(valor)s com %(outro)s: tipos que não se comparam"
    ),
    r"no gateway (?P<gateway>\S+) nenhuma condição vale e não há padrão: o processo para ali": _(
        "no gateway %(gateway)s nenhuma condição vale e não há padrão: o processo para ali"
    ),
    r"o fluxo volta aos mesmos pontos sem que os dados mudem: o processo não terminaria": _(
        "o fluxo volta aos mesmos pontos sem que os dados mudem: o processo não terminaria"
    ),
    r"a junção paralela (?P<juncao>\S+) espera um fluxo que nunca chega: o processo não terminaria": _(
        "a junção paralela %(juncao)s espera um fluxo que nunca chega: o processo não terminaria"
    ),
    r"nenhum token chega ao fim": _("nenhum token chega ao fim"),
    r"o processo (?P<processo>\S+) não tem as tarefas (?P<tarefas>.*)": _(
        "o processo %(processo)s não tem as tarefas %(tarefas)s"
    ),
    r"termina_em (?P<termina>\S+) não é o fim do processo (?P<processo>\S+) \((?P<fim>\S+)\)": _(
        "termina_em %(termina)s não é o fim do processo %(processo)s (%(fim)s)"
    ),
    # reasons of cases without a test (workers/interface/planos.py)
    r"dado\.tela = (?P<tela>.*) não é tela da spec; telas: (?P<telas>.*)": _(
        "dado.tela = %(tela)s não é tela da spec; telas: %(telas)s"
    ),
    r"(?P<campo>[^:,]+): não é campo da tela (?P<tela>\S+)": _("%(campo)s: não é campo da tela %(tela)s"),
    r"(?P<campos>[^:]+): não são campos da tela (?P<tela>\S+)": _("%(campos)s: não são campos da tela %(tela)s"),
    r"nenhuma tela tem todos os campos do caso \((?P<campos>.*)\); diga a tela em dado\.tela ou use os nomes dos "
    r"campos da spec": _(
        "nenhuma tela tem todos os campos do caso (%(campos)s); diga a tela em dado.tela ou use os nomes dos campos "
        "da spec"
    ),
    r"os campos do caso existem em mais de uma tela \((?P<telas>.*)\); diga qual em dado\.tela": _(
        "os campos do caso existem em mais de uma tela (%(telas)s); diga qual em dado.tela"
    ),
    r"dado\.acao = (?P<acao>.*) não é ação da tela (?P<tela>\S+)": _(
        "dado.acao = %(acao)s não é ação da tela %(tela)s"
    ),
    r"a ação (?P<acao>\S+) só navega para (?P<tela>\S+): não envia os campos": _(
        "a ação %(acao)s só navega para %(tela)s: não envia os campos"
    ),
    r"nenhuma ação da tela (?P<tela>\S+) que envia os campos leva à tela (?P<destino>\S+)": _(
        "nenhuma ação da tela %(tela)s que envia os campos leva à tela %(destino)s"
    ),
    r"a tela (?P<tela>\S+) não tem ação que envie os campos": _("a tela %(tela)s não tem ação que envie os campos"),
    r"espera\.(?P<chaves>.*?) não se observa na interface \(vêm do endpoint (?P<metodo>\S+) (?P<endpoint>\S+)\): "
    r"a vertente I verifica (?P<esperas>.*) — o que a tela mostra e aonde ela leva": _(
        "espera.%(chaves)s não se observa na interface (vêm do endpoint %(metodo)s %(endpoint)s): a vertente I "
        "verifica %(esperas)s — o que a tela mostra e aonde ela leva"
    ),
    r"espera\.(?P<chaves>.*?) não se observa na interface: a vertente I verifica (?P<esperas>.*) — o que a tela "
    r"mostra e aonde ela leva": _(
        "espera.%(chaves)s não se observa na interface: a vertente I verifica %(esperas)s — o que a tela mostra e "
        "aonde ela leva"
    ),
    r"dado\.(?P<nome>\S+) é uma estrutura; um campo de tela recebe um valor só": _(
        "dado.%(nome)s é uma estrutura; um campo de tela recebe um valor só"
    ),
    r"espera\.erro deve ser \{campo, mensagem\} \(ou uma lista deles\)": _(
        "espera.erro deve ser {campo, mensagem} (ou uma lista deles)"
    ),
    r"espera\.erros deve ser \{campo: mensagem ou \[mensagens\]\}": _(
        "espera.erros deve ser {campo: mensagem ou [mensagens]}"
    ),
    r"espera: (?P<campos>.*) não é campo da tela (?P<tela>\S+)": _("espera: %(campos)s não é campo da tela %(tela)s"),
    r"espera diz que o envio é aceito e também que mostra erros": _(
        "espera diz que o envio é aceito e também que mostra erros"
    ),
    r"espera\.tela \(aceito e levado a outra tela\) contradiz um envio recusado": _(
        "espera.tela (aceito e levado a outra tela) contradiz um envio recusado"
    ),
    # fabrica/implantacao/services/decisoes.py: the reason of a rollback after a refused validation
    r"Validação recusada: (?P<observacao>.*)": _("Validação recusada: %(observacao)s"),
    # words inside the sentences above
    r"diretorio": Ambiente.Alvo.DIRETORIO.label,
    r"comando": Ambiente.Alvo.COMANDO.label,
    r"nada": _("nada"),
    r"\(nenhuma release\)": _("(nenhuma release)"),
    # fabrica/desenvolvimento/workers/estrutural.py: what needs a person's implementation
    r"(?P<nome>\S+): precisa de uma implementação — a spec não dá regras nem expressão": _(
        "%(nome)s: precisa de uma implementação — a spec não dá regras nem expressão"
    ),
    r"(?P<nome>\S+): precisa de uma implementação — (?P<regras>.*)": _(
        "%(nome)s: precisa de uma implementação — %(regras)s"
    ),
    r"(?P<nome>\S+) precisa de uma implementação\. Regras: \(nenhuma na spec\)": _(
        "%(nome)s precisa de uma implementação. Regras: (nenhuma na spec)"
    ),
    r"(?P<nome>\S+) precisa de uma implementação\. Regras: (?P<regras>.*)": _(
        "%(nome)s precisa de uma implementação. Regras: %(regras)s"
    ),
}

CORRETORES = {"deterministico": _("determinístico")}
GERADORES = {"templates": _("templates")}

# The model-backed generator and corrector (fabrica/desenvolvimento/llm/), after the deterministic
# corrector's sentences (tried first): the attempt's label, then the reason, each a sentence.
FRASES_DO_MODELO = {
    r"Geração: (?P<frase>.*)": _("Geração: %(frase)s"),
    r"Tentativa (?P<n>\d+): (?P<frase>.*)": _("Tentativa %(n)s: %(frase)s"),
    r"(?P<frase>.*) Nada foi alterado\.": _("%(frase)s Nada foi alterado."),
    r"resposta do modelo recusada\. (?P<frase>.*)": _("resposta do modelo recusada. %(frase)s"),
    r"(?P<frase>.*) A resposta foi cortada no limite de (?P<n>\d+) tokens \(max_tokens\)\.": _(
        "%(frase)s A resposta foi cortada no limite de %(n)s tokens (max_tokens)."
    ),
    r"o prompt não pôde ser montado: (?P<erro>.*)": _("o prompt não pôde ser montado: %(erro)s"),
    r"o modelo (?P<modelo>\S+) propôs (?P<n>\d+) edição em (?P<arquivos>.*)\.": _(
        "o modelo %(modelo)s propôs %(n)s edição em %(arquivos)s."
    ),
    r"o modelo (?P<modelo>\S+) propôs (?P<n>\d+) edições em (?P<arquivos>.*)\.": _(
        "o modelo %(modelo)s propôs %(n)s edições em %(arquivos)s."
    ),
    r"O gerador falhou: (?P<erro>.*)": _("O gerador falhou: %(erro)s"),
    # fabrica/desenvolvimento/llm/cliente.py
    r"Teto de tokens por (?P<qual>release|orçamento) \((?P<teto>\d+) tokens\) atingido: restam (?P<resta>-?\d+), e o "
    r"pedido precisaria de cerca de (?P<prompt>\d+) mais (?P<minimo>\d+) para a resposta\. O modelo não foi chamado\.": _(
        "Teto de tokens por %(qual)s (%(teto)s tokens) atingido: restam %(resta)s, e o pedido precisaria de cerca de "
        "%(prompt)s mais %(minimo)s para a resposta. O modelo não foi chamado."
    ),
    r"(?P<frase>.*) depois de (?P<n>\d+) pedidos\.": _("%(frase)s depois de %(n)s pedidos."),
    r"(?P<frase>.*); a próxima tentativa passaria do tempo total de (?P<s>[\d.]+) s por chamada "
    r"\((?P<n>\d+) pedidos feitos\)\.": _(
        "%(frase)s; a próxima tentativa passaria do tempo total de %(s)s s por chamada (%(n)s pedidos feitos)."
    ),
    r"O serviço do modelo não respondeu em (?P<s>[\d.]+) s\.?": _("O serviço do modelo não respondeu em %(s)s s"),
    r"O serviço do modelo respondeu (?P<status>\d+): (?P<mensagem>.*?)\.?": _(
        "O serviço do modelo respondeu %(status)s: %(mensagem)s"
    ),
    r"Não foi possível conectar ao serviço do modelo\.?": _("Não foi possível conectar ao serviço do modelo"),
    r"Erro ao chamar o modelo: (?P<erro>.*)": _("Erro ao chamar o modelo: %(erro)s"),
    r"O modelo recusou o pedido: (?P<motivo>.*)\.": _("O modelo recusou o pedido: %(motivo)s."),
    r"O modelo respondeu sem texto\.": _("O modelo respondeu sem texto."),
    # fabrica/desenvolvimento/llm/edicoes.py
    r"A resposta não traz nenhum bloco SEARCH/REPLACE: não é uma edição de código \(nada foi aplicado\)\.": _(
        "A resposta não traz nenhum bloco SEARCH/REPLACE: não é uma edição de código (nada foi aplicado)."
    ),
    r"Linha (?P<n>\d+): (?P<marca>.*) fora de um bloco SEARCH/REPLACE\.": _(
        "Linha %(n)s: %(marca)s fora de um bloco SEARCH/REPLACE."
    ),
    r"Linha (?P<n>\d+): o bloco SEARCH/REPLACE não vem depois do caminho do arquivo\.": _(
        "Linha %(n)s: o bloco SEARCH/REPLACE não vem depois do caminho do arquivo."
    ),
    r"Linha (?P<n>\d+): bloco de (?P<arquivo>.*) incompleto \((?P<esperado>.*)\)\.": _(
        "Linha %(n)s: bloco de %(arquivo)s incompleto (%(esperado)s)."
    ),
    r"Bloco (?P<n>\d+): (?P<arquivo>\S+) não pode ser alterado por esta vertente \(permitidos: (?P<permitidos>.*)\); "
    r"nada foi aplicado\.": _(
        "Bloco %(n)s: %(arquivo)s não pode ser alterado por esta vertente (permitidos: %(permitidos)s); nada foi aplicado."
    ),
    r"Bloco (?P<n>\d+) \((?P<arquivo>.*)\): SEARCH vazio; nada foi aplicado\.": _(
        "Bloco %(n)s (%(arquivo)s): SEARCH vazio; nada foi aplicado."
    ),
    r"Bloco (?P<n>\d+): o SEARCH não corresponde exatamente a nenhum trecho de (?P<arquivo>\S+); nada foi aplicado\.": _(
        "Bloco %(n)s: o SEARCH não corresponde exatamente a nenhum trecho de %(arquivo)s; nada foi aplicado."
    ),
    r"Bloco (?P<n>\d+): o SEARCH corresponde a (?P<vezes>\d+) trechos \(inclua mais contexto\) de (?P<arquivo>\S+); "
    r"nada foi aplicado\.": _(
        "Bloco %(n)s: o SEARCH corresponde a %(vezes)s trechos (inclua mais contexto) de %(arquivo)s; nada foi aplicado."
    ),
    r"Depois das edições, (?P<arquivo>\S+) não compila \(linha (?P<linha>\S+)\): (?P<erro>.*); nada foi aplicado\.": _(
        "Depois das edições, %(arquivo)s não compila (linha %(linha)s): %(erro)s; nada foi aplicado."
    ),
    r"Depois das edições, (?P<arquivo>\S+) não passa no ruff: (?P<achados>.*); nada foi aplicado\.": _(
        "Depois das edições, %(arquivo)s não passa no ruff: %(achados)s; nada foi aplicado."
    ),
    r"ruff não pôde verificar (?P<arquivo>\S+): (?P<erro>.*); nada foi aplicado\.": _(
        "ruff não pôde verificar %(arquivo)s: %(erro)s; nada foi aplicado."
    ),
}


def registrar_resultados() -> None:
    vocabulario.registrar("resultado_teste", RESULTADOS_DE_TESTE)
    vocabulario.registrar("papel_artefato", PAPEIS_DE_ARTEFATO)
    vocabulario.registrar_escolhas("alvo", Ambiente.Alvo)  # where a deployment puts a release
    vocabulario.registrar("isolamento", ISOLAMENTOS)
    vocabulario.registrar("ator", ATORES)
    vocabulario.registrar("corretor", CORRETORES)
    vocabulario.registrar("gerador", GERADORES)
    vocabulario.registrar_frases(FRASES)
    vocabulario.registrar_frases(FRASES_DO_MODELO)
