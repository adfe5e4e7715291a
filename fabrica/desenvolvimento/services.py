"""``desenvolvimento`` and ``corrigir_bug`` → a release for the PO (docs/desenvolvimento.md).

A build is spread over the factory's own backlog (seed §4.1, docs/desenvolvimento.md "Internal
items"): the handler of ``desenvolvimento``/``corrigir_bug`` concludes its item producing one
internal item per vertente and an assembly that depends on them all. Any node of the cluster
builds any vertente (with no transaction open: the build is slow), showing its progress on the
build's ``Construcao`` row, and records its result with its item's conclusion in one
transaction. When the last one concludes, the unblocking rule frees the assembly, which records
the ``Release``, concludes itself and produces ``aprovar_release`` in one transaction. So a
release exists exactly when its assembly is concluded; a node killed mid-build leaves nothing of
its vertente, whose item is rescued by its lease and built again; a late consumer's conclusion
is refused with its lost lease, rolling back what it recorded; ``Release.item_origem`` is
one-to-one.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica import contratos
from fabrica.consumidor import ErroDefinitivo, Seguinte
from fabrica.desenvolvimento import ciclo, sandbox
from fabrica.desenvolvimento.base import CasoDeTeste
from fabrica.desenvolvimento.casos import caso_de_dict, caso_de_regressao, casos_do_orcamento
from fabrica.desenvolvimento.comparacao import comparar
from fabrica.desenvolvimento.corretor import CorretorDeterministico
from fabrica.desenvolvimento.execucoes import execucoes_registrar
from fabrica.desenvolvimento.gerador import GeradorTemplates
from fabrica.desenvolvimento.llm.assistente import construtores
from fabrica.desenvolvimento.llm.cliente import ClienteModelo, ConfigModelo
from fabrica.desenvolvimento.pacote import arquivos_da_raiz, nome_do_pacote, readme
from fabrica.desenvolvimento.sandbox import aprovado
from fabrica.desenvolvimento.tetos import CotaNoBanco
from fabrica.models import Construcao, Orcamento, Release, Spec
from fabrica.precificacao.cobertura import CoberturaInvalida, gerar_casos
from fabrica.selectors import ReferenciaInvalida, release_a_corrigir
from fabrica.specs.services import spec_atual

log = logging.getLogger(__name__)


# --- what builds: generator, corrector, limits (replaceable behind their interfaces) -------------


def _sobreposicoes() -> Path:
    return Path(settings.PROMETHEUS_SPECS_REPO) / "_catalogo" / "templates"


def opcoes_de_construcao(
    *,
    pacote: str,
    versao: str,
    orcamento: Orcamento | None = None,
    motivo: str = "",
    construcao: Construcao | None = None,
) -> ciclo.Opcoes:
    """The default build: the project's templates with the spec repository's overrides, the
    deterministic corrector (falling back to the project's own templates), the sandbox's limits.
    With ``PROMETHEUS_LLM_URL`` set, the model-backed generator and corrector (docs/modelo.md)
    stand behind the same interfaces, within the token ceilings of the release and of the budget:
    counters in the database shared by every vertente and node of the ``construcao`` (and every
    release of the ``orcamento``: ``fabrica.desenvolvimento.tetos``); ``motivo`` is what the
    corrector reads of a requested fix."""
    opcoes = ciclo.Opcoes(
        pacote=pacote,
        versao=versao,
        gerador=GeradorTemplates(repositorio=settings.PROMETHEUS_SPECS_REPO),
        corretor=CorretorDeterministico(gerador_do_projeto=GeradorTemplates()),
        limites=sandbox.Limites(**settings.PROMETHEUS_SANDBOX),
        python=settings.PROMETHEUS_SANDBOX_PYTHON or None,
        isolamento=settings.PROMETHEUS_SANDBOX_ISOLAMENTO,
        uid_base=settings.PROMETHEUS_SANDBOX_UID,
        # The app's local state (the SQLite database, the spec repository) stays out of sight.
        esconder=[str(settings.VAR_DIR)],
        max_tentativas=settings.PROMETHEUS_CORRECOES,
        sobreposicoes=_sobreposicoes(),
        motivo=motivo,
    )
    if settings.PROMETHEUS_LLM is not None:
        config = ConfigModelo(**settings.PROMETHEUS_LLM, chave=settings.PROMETHEUS_LLM_API_KEY)
        cota = (
            CotaNoBanco(
                construcao_id=construcao.pk,
                orcamento_id=orcamento.pk if orcamento else None,
                tokens_release=config.tokens_release,
                tokens_orcamento=config.tokens_orcamento,
            )
            if construcao is not None
            else None
        )
        cliente = ClienteModelo(config, gasto_orcamento=orcamento.tokens_gastos if orcamento else 0, cota=cota)
        assert isinstance(opcoes.gerador, GeradorTemplates)  # built just above
        opcoes.gerador, opcoes.corretor = construtores(cliente, opcoes.gerador, opcoes.sobreposicoes, opcoes.corretor)
    return opcoes


# --- progress ----------------------------------------------------------------------------------------


class _Progresso:
    """Writes each step of a vertente's build to its ``Construcao`` row, one small transaction
    that locks the row: the vertentes of one build run at once, on any node, so each merges its
    own key into ``etapas`` instead of writing the whole dict it last saw. On PostgreSQL without
    waiting for the disk (``synchronous_commit`` off for that transaction only): a step is what
    the pages show while it builds, and its flush (about 9 ms under load, three or four per
    vertente) sat on the build's path; a crash can lose the last steps written, never a result,
    which is recorded with its item's conclusion in a durable commit that also flushes them."""

    def __init__(self, construcao: Construcao) -> None:
        self.construcao = construcao

    def __call__(self, vertente: str, estado: str, tentativa: int, mensagem: str) -> None:
        etapa = {
            "estado": estado,
            "tentativa": tentativa,
            "mensagem": mensagem,
            "em": timezone.now().isoformat(),
            "no": settings.PROMETHEUS_NO,
        }
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            linha = Construcao.objects.select_for_update().only("etapas").get(pk=self.construcao.pk)
            linha.etapas = {**linha.etapas, vertente: etapa}
            linha.save(update_fields=["etapas", "atualizada_em"])


def _iniciar(item: Item, spec_ref: str) -> Construcao:
    construcao, _ = Construcao.objects.update_or_create(
        item=item, defaults={"spec_ref": spec_ref, "etapas": {}, "resultados": {}, "consumidor": item.consumidor}
    )
    return construcao


# --- the handlers --------------------------------------------------------------------------------------


def _orcamento_do_item(item: Item) -> Orcamento:
    recursos = item.contexto.get("spec_recursos") or {}
    orcamento_id = recursos.get("id") or item.contexto.get("spec_recursos_id")
    spec_ref = item.contexto.get("spec_ref") or item.spec_ref
    if orcamento_id is not None:
        orcamento = Orcamento.objects.select_related("spec").filter(pk=orcamento_id).first()
        if orcamento is None:
            raise ErroDefinitivo(f"contexto.spec_recursos.id: o orçamento #{orcamento_id} não existe.")
        if orcamento.spec_ref != spec_ref:
            raise ErroDefinitivo(
                f"contexto.spec_ref: o orçamento #{orcamento_id} é de {orcamento.spec_ref}, não de {spec_ref}."
            )
        _exigir_aprovado(orcamento)
        return orcamento
    # Produced by another MS_Produto without the budget's id: the newest approved budget of the spec.
    orcamento = (
        Orcamento.objects.select_related("spec")
        .filter(spec_ref=spec_ref, status=Orcamento.Status.APROVADO)
        .order_by("-id")
        .first()
    )
    if orcamento is None:
        raise ErroDefinitivo(f"contexto.spec_recursos: a spec {spec_ref!r} não tem orçamento aprovado.")
    _exigir_aprovado(orcamento)
    return orcamento


def _exigir_aprovado(orcamento: Orcamento) -> None:
    """The handler re-checks what it builds (issue 16): whoever produced the item, only a budget
    the PO's decision service approved, of a spec version no newer version superseded."""
    if orcamento.status != Orcamento.Status.APROVADO or orcamento.decidido_por_id is None:
        raise ErroDefinitivo(
            f"O orçamento #{orcamento.pk} de {orcamento.spec_ref} não foi aprovado "
            f"({orcamento.get_status_display()}): nada é construído sem a aprovação do PO."
        )
    mais_nova = Spec.objects.filter(spec_id=orcamento.spec.spec_id, pk__gt=orcamento.spec_id).order_by("-pk").first()
    if mais_nova is not None:
        raise ErroDefinitivo(
            f"O orçamento #{orcamento.pk} é da versão {orcamento.spec.versao} de {orcamento.spec_ref}, "
            f"substituída pela versão {mais_nova.versao}: decida o orçamento da versão atual."
        )


@dataclass
class Plano:
    """What one build makes: the spec version, its budget, its test cases, the kind of release
    and, for a hotfix, the release it fixes and the fix asked for. Computed again, the same, by
    every node that builds a part of it (``_plano_fixado``)."""

    origem: Item  # the desenvolvimento / corrigir_bug item: the release's item_origem
    spec: Spec
    orcamento: Orcamento | None
    casos: list[CasoDeTeste]
    tipo: str
    corrige: Release | None = None
    correcao: dict[str, Any] | None = None


def _plano_desenvolvimento(item: Item, orcamento: Orcamento) -> Plano:
    spec = orcamento.spec
    casos = casos_do_orcamento(spec.conteudo.get("schema_tdd") or {}, orcamento.casos_teste)
    return Plano(origem=item, spec=spec, orcamento=orcamento, casos=casos, tipo=Release.Tipo.NORMAL)


def _plano_correcao(item: Item, spec: Spec, alvo: Release) -> Plano:
    """The fixed release's spec (its newest version when the fix was asked), with the regression
    cases of the release it fixes and, when the item gives one, a new one."""
    tdd = spec.conteudo.get("schema_tdd") or {}
    orcamento = alvo.orcamento
    if orcamento is not None and orcamento.spec_sha256 == spec.sha256:
        linhas = orcamento.casos_teste
    else:
        # A newer spec than the one priced: its covering array, by the same deterministic generator.
        try:
            linhas = gerar_casos(tdd.get("parametros") or {}, tdd.get("cobertura", "pairwise"), tdd.get("restricoes"))
        except CoberturaInvalida as exc:
            raise ErroDefinitivo(str(exc)) from None
    regressoes = [caso_de_dict(c) for c in alvo.casos if c.get("origem") == "regressao"]
    caso = item.contexto.get("caso")
    if caso:
        regressoes.append(
            caso_de_regressao(
                len(regressoes) + 1, dado=caso["dado"], espera=caso["espera"], erro=item.contexto.get("erro", "")
            )
        )
    correcao = {
        "feature_ref": item.contexto.get("feature_ref"),
        "erro": item.contexto.get("erro", ""),
        "stack_trace": item.contexto.get("stack_trace", ""),
        "caso": caso,
        "item": item.pk,
    }
    return Plano(
        origem=item,
        spec=spec,
        orcamento=orcamento,
        casos=casos_do_orcamento(tdd, linhas) + regressoes,
        tipo=Release.Tipo.HOTFIX,
        corrige=alvo,
        correcao=correcao,
    )


def processar_desenvolvimento(item: Item) -> Seguinte | None:
    """Builds the spec version its approved budget priced, with one test per covering-array row
    and per explicit case of that budget, into a ``normal`` release for the PO: as one internal
    item per vertente and their assembly (``_repartir``)."""
    return _repartir(item, _plano_desenvolvimento(item, _orcamento_do_item(item)))


def processar_corrigir(item: Item) -> Seguinte | None:
    """Rebuilds the fixed release's spec from its newest version, with the regression cases of
    the release it fixes and, when the item gives one, a new one (``caso: {dado, espera}``),
    into a ``hotfix`` release linked to the one it fixes (through internal items, like
    ``processar_desenvolvimento``)."""
    try:
        alvo = release_a_corrigir(item.contexto.get("feature_ref", ""))
    except ReferenciaInvalida as exc:
        raise ErroDefinitivo(f"contexto.feature_ref: {exc}") from None
    return _repartir(item, _plano_correcao(item, spec_atual(alvo.spec_ref) or alvo.spec, alvo))


def _repartir(item: Item, plano: Plano) -> Seguinte | None:
    """Seed §4.1: the build becomes one internal item per vertente and an assembly that depends
    on them all, produced with the conclusion of ``item`` in one transaction (so a rescued item
    never splits twice). The items pin the plan (spec version, budget, fixed release), so any
    node builds any vertente of it, and the unblocking rule makes the assembly claimable when the
    last vertente concludes. The worker that split it goes on with its longest vertente."""
    spec = plano.spec
    vertentes = list(spec.conteudo.get("vertentes", []))
    if Item.objects.filter(pk=item.pk, status=Status.CONCLUIDO).exists():
        return None  # split already (a redelivered task of a consumer that lost its lease): idempotent
    with transaction.atomic():
        _iniciar(item, spec.spec_id)
        concluido = backlog.concluir(
            item_id=item.pk,
            lease_token=item.lease_token,
            resultado={
                "vertentes": vertentes,
                "no": settings.PROMETHEUS_NO,
                "montagem_url": contratos.montagem_url(item.pk),
            },
            items_gerados=contratos.itens_da_construcao(
                spec_ref=spec.spec_id,
                vertentes=vertentes,
                # The cluster's tasks take them in this order: the shortest first, while the
                # splitting worker takes the longest (``_vertente_seguinte``).
                na_fila=sorted(vertentes, key=_posicao, reverse=True),
                origem=item.pk,
                spec_versao_id=spec.pk,
                orcamento_id=plano.orcamento.pk if plano.orcamento else None,
                corrige_id=plano.corrige.pk if plano.corrige else None,
            ),
        )
    return _construir_a_mais_longa(concluido.gerados_agora)


# The vertentes by how long they build (bench/README.md "escala": interface, then integração, …),
# the longest first. The worker that splits a build starts at the top of this order; every worker
# that concluded a vertente goes on down it (``_vertente_seguinte``).
_MAIS_LONGAS_PRIMEIRO = ("I", "C", "E", "D", "P")


def _posicao(vertente: str) -> int:
    return _MAIS_LONGAS_PRIMEIRO.index(vertente) if vertente in _MAIS_LONGAS_PRIMEIRO else len(_MAIS_LONGAS_PRIMEIRO)


def _construir_a_mais_longa(gerados: list[Item]) -> Seguinte | None:
    """The worker that split a build takes its longest vertente at once instead of waiting for
    the cluster to hand it a task (the dispatch of the vertentes: commit, broker, the pusher's
    poll, a worker): the longest bounds the build, so it starts first (the next longest if a
    worker of any node took that one meanwhile). The claim is the backlog's (``Seguinte``); the
    dispatched task stays the fallback and finds it taken (each task claims the next item of its
    type), so nothing builds twice."""
    vertentes = sorted(
        (g for g in gerados if g.tipo != contratos.TipoItem.MONTAR_RELEASE),
        key=lambda g: _posicao(g.contexto.get("vertente", "")),
    )
    return Seguinte(ids=tuple(g.pk for g in vertentes)) if vertentes else None


def _plano_fixado(item: Item) -> Plano:
    """The plan an internal item pinned, computed again on this node."""
    contexto = item.contexto
    origem = Item.objects.get(pk=contexto["origem"])
    spec = Spec.objects.get(pk=contexto["spec_versao_id"])
    if origem.tipo == contratos.TipoItem.CORRIGIR_BUG:
        alvo = Release.objects.select_related("orcamento").get(pk=contexto["corrige_id"])
        return _plano_correcao(origem, spec, alvo)
    orcamento = Orcamento.objects.select_related("spec").get(pk=contexto["orcamento_id"])
    return _plano_desenvolvimento(origem, orcamento)


def _construcao_de(origem: Item, spec_ref: str) -> Construcao:
    construcao = Construcao.objects.filter(item=origem).first()
    return construcao or _iniciar(origem, spec_ref)


def processar_vertente(item: Item) -> Seguinte | None:
    """An internal ``worker_*`` item: builds its vertente of the plan (generate, test, correct,
    each attempt recorded) and records the result with the item's conclusion, in one
    transaction. Whatever the generated code does is a result; a build that cannot run at all
    (the sandbox failing, the node dying) is retried by the backlog, and when the item's attempts
    run out the backlog concludes it with that failure (``falha_conclui``), which the assembly
    packages as a failing vertente with its reason: an honest release."""
    vertente = item.contexto["vertente"]
    inicio = time.monotonic()
    plano = _plano_fixado(item)
    construcao = _construcao_de(plano.origem, plano.spec.spec_id)
    opcoes = opcoes_de_construcao(
        pacote=nome_do_pacote(plano.spec.spec_id),
        versao=str(proxima_versao(plano.spec.spec_id)),
        orcamento=plano.orcamento,
        motivo=_motivo(plano.correcao) if plano.correcao else "",
        construcao=construcao,
    )
    resultado = ciclo.desenvolver_vertente(
        vertente=vertente,
        spec=plano.spec.conteudo,
        casos=plano.casos,
        opcoes=opcoes,
        progresso=_Progresso(construcao),
    )
    resultado.recursos["tokens"] = int(getattr(opcoes.gerador, "tokens", 0) or 0)
    resultado.recursos["construida_em_s"] = round(time.monotonic() - inicio, 4)
    resultado.recursos["no"] = settings.PROMETHEUS_NO
    with transaction.atomic():
        linha = Construcao.objects.select_for_update().get(pk=construcao.pk)
        linha.resultados = {**linha.resultados, vertente: resultado.como_dict()}
        linha.save(update_fields=["resultados", "atualizada_em"])
        backlog.concluir(
            item_id=item.pk,
            lease_token=item.lease_token,
            resultado={
                "vertente": vertente,
                "passou": resultado.passou,
                "testes": len(resultado.testes),
                "falharam": sum(1 for t in resultado.testes if not t.passou),
                "tentativas": len(resultado.tentativas),
                "erro": resultado.erro,
                "no": settings.PROMETHEUS_NO,
            },
        )
    return _montar_se_liberada(item) or _vertente_seguinte(item)


def _montar_se_liberada(vertente: Item) -> Seguinte | None:
    """The worker whose vertente concluded last packages the release at once: the assembly's own
    task would wait behind every vertente the cluster has queued (django-q2's queue is first in,
    first out, without priorities), so a batch's releases would all come at its end. The claim
    is the backlog's (``Seguinte``): if another worker took it first, or it is still blocked,
    nothing happens here; its dispatched task stays the fallback."""
    montagem = (
        Item.objects.filter(
            produzido_por_id=vertente.contexto["origem"], tipo=contratos.TipoItem.MONTAR_RELEASE, status=Status.PENDENTE
        )
        .values_list("pk", flat=True)
        .first()
    )
    return Seguinte(ids=(montagem,)) if montagem is not None else None


def _vertente_seguinte(vertente: Item) -> Seguinte | None:
    """A worker that concluded a vertente of a build goes on with another vertente of the same
    build still claimable, instead of taking the cluster's next task (which waits in the broker
    and may be another build's): the next one down the order of length (``_MAIS_LONGAS_PRIMEIRO``)
    from the one it built, else the nearest one above it. So the worker that started at the
    longest (the splitting one) and a worker that started lower build from the two ends of the
    order and meet, which on two workers splits spec_cinco as {I, C} against {E, D, P}, its best
    balance (bench/README.md "escala"); a longest-first queue would give {I, D} against {C, E, P}.
    A build's vertentes only: a chain never outgrows one build's work, which the cluster's
    ``timeout`` is sized for, and a batch's other builds keep their own workers."""
    construida = _posicao(vertente.contexto.get("vertente", ""))
    pendentes = sorted(
        (_posicao(v or ""), pk)
        for v, pk in Item.objects.consumiveis(timezone.now())
        .filter(produzido_por_id=vertente.contexto["origem"], tipo__in=list(contratos.TIPO_DA_VERTENTE.values()))
        .values_list("contexto__vertente", "pk")
    )
    abaixo = [pk for p, pk in pendentes if p > construida]
    acima = [pk for p, pk in reversed(pendentes) if p <= construida]
    return Seguinte(ids=(*abaixo, *acima)) if pendentes else None


def processar_montagem(item: Item) -> Release | None:
    """The internal ``montar_release`` item, claimable once every vertente of its build
    concluded: packages their results into the release, concludes this item and produces
    ``aprovar_release``, in one transaction (a release exists exactly when its assembly is
    concluded; ``Release.item_origem``, the desenvolvimento/corrigir_bug item, is one-to-one).
    A fix whose rebuild is the fixed release again (``nada_a_corrigir``) records no release: the
    assembly concludes with that result instead."""
    plano = _plano_fixado(item)
    existente = Release.objects.filter(item_origem=plano.origem).first()
    if existente is not None:
        return existente
    construcao = _construcao_de(plano.origem, plano.spec.spec_id)
    resultados = {
        v: (
            ciclo.ResultadoVertente.de_dict(construcao.resultados[v])
            if v in construcao.resultados
            else ciclo.vertente_falhou(v, motivo)
        )
        for v, motivo in _motivos_das_vertentes(item).items()
    }
    pacote = nome_do_pacote(plano.spec.spec_id)
    opcoes = opcoes_de_construcao(pacote=pacote, versao=str(proxima_versao(plano.spec.spec_id)))
    resultado = ciclo.montar(
        spec=plano.spec.conteudo,
        opcoes=opcoes,
        resultados=resultados,
        # Worker time, as when the vertentes ran one after the other: the sum of their builds.
        duracao_s=sum(float(r.recursos.get("construida_em_s", 0.0)) for r in resultados.values()),
        tokens=sum(int(r.recursos.get("tokens", 0) or 0) for r in resultados.values()),
    )
    if plano.corrige is not None:
        por_nome = {c.nome: c for c in plano.casos}
        nada = nada_a_corrigir(
            alvo=plano.corrige,
            spec=plano.spec,
            caso=plano.origem.contexto.get("caso"),
            artefatos=[a.como_dict() for r in resultado.vertentes.values() for a in r.artefatos],
            testes=[linha for v, r in resultado.vertentes.items() for linha in _linhas_de_teste(v, r, por_nome)],
            corretor=opcoes.corretor.nome,
        )
        if nada is not None:
            feita_por = _construida_por(resultado)
            if feita_por["chamadas"]:  # a model was asked: what it was asked and what it cost stay on the item
                nada |= {"construida_por": feita_por, "chamadas_modelo": _chamadas(resultado)}
            _concluir_sem_release(item, {**nada, "item": plano.origem.pk})
            return None
    return _gravar(item, plano, resultado, pacote)


def _motivos_das_vertentes(montagem: Item) -> dict[str, str]:
    """Each vertente of the assembly, with why it has no result if it has none: the failure its
    item concluded with when its attempts ran out (``falha_conclui``)."""
    falhas = {
        d.contexto.get("vertente"): d.resultado or {}
        for d in montagem.depende_de.filter(resultado__falhou=True).only("contexto", "resultado")
    }
    motivos = {}
    for v in montagem.contexto.get("vertentes", []):
        falha = falhas.get(v)
        motivos[v] = (
            f"A vertente não foi construída após {falha.get('tentativas')} tentativa(s): {falha.get('erro')}"
            if falha
            else "A vertente não registrou resultado."
        )
    return motivos


# --- building and recording ---------------------------------------------------------------------------


def proxima_versao(spec_ref: str) -> int:
    return (Release.objects.filter(spec_ref=spec_ref).aggregate(m=Max("versao"))["m"] or 0) + 1


def _gravar(item: Item, plano: Plano, resultado: ciclo.ResultadoConstrucao, pacote: str) -> Release:
    """Records the release of ``plano`` and concludes ``item`` (the assembly), retrying when a
    concurrent build of the same spec took the version number."""
    for _ in range(5):
        try:
            return _registrar(item, plano, resultado, pacote)
        except IntegrityError:
            feito = Release.objects.filter(item_origem=plano.origem).first()
            if feito is not None:  # another consumer of this build recorded it first
                return feito
            log.info("Versão de %s tomada por outra release; tentando a seguinte.", plano.spec.spec_id)
    raise RuntimeError(f"Não foi possível numerar a release de {plano.spec.spec_id}.")


# --- nothing to fix ------------------------------------------------------------------------------------

# Why a rebuild is the fixed release again (``resultado.por_que`` of a corrigir_bug concluded
# without a release; the pages say it in the reader's language from this code).
GERADOR_DETERMINISTICO = "gerador_deterministico"
CORRETOR_SEM_EFEITO = "corretor_sem_efeito"


def nada_a_corrigir(
    *,
    alvo: Release,
    spec: Spec,
    caso: dict[str, Any] | None,
    artefatos: list[dict[str, Any]],
    testes: list[dict[str, Any]],
    corretor: str,
) -> dict[str, Any] | None:
    """The result a ``corrigir_bug`` concludes with instead of a new release identical to the
    one it fixes ("nada a corrigir automaticamente"), or None when there is a hotfix to record.

    Nothing to fix when the item brings no new spec version and no ``caso``, and the rebuilt
    vertentes' artefacts (``Artefato.como_dict``) and test outcomes (``Release.testes`` rows)
    are the fixed release's (fabrica.desenvolvimento.comparacao; the root files, which carry the
    version label, are left out). Whoever builds a ``corrigir_bug`` (this handler, or one that
    joins per-vertente builds) calls it with what it built, before recording anything."""
    if caso or spec.sha256 != alvo.spec_sha256:
        return None
    comparacao = comparar(
        artefatos_antes=alvo.artefatos, testes_antes=alvo.testes, artefatos_depois=artefatos, testes_depois=testes
    )
    if not comparacao.nada_mudou:
        return None
    falharam = sum(1 for t in testes if not aprovado(t["status"]))
    if corretor == CorretorDeterministico.nome:
        por_que = GERADOR_DETERMINISTICO
        motivo = (
            f"O gerador determinístico reconstruiu a mesma versão da spec {alvo.spec_ref} (sha256 "
            f"{spec.sha256[:12]}) com os mesmos casos: o código e os testes seriam os de {alvo.rotulo_versao}. "
            "Corrigir pede uma nova versão da spec, um caso que reproduza o erro ou um corretor com modelo."
        )
    else:
        por_que = CORRETOR_SEM_EFEITO
        motivo = (
            f"O corretor {corretor} não mudou nada: o código e os testes seriam os de {alvo.rotulo_versao}. "
            "Corrigir pede uma nova versão da spec ou um caso que reproduza o erro."
        )
    return {
        "nada_a_corrigir": True,
        "corrige": alvo.rotulo_versao,
        "corrige_id": alvo.pk,
        "corrige_url": contratos.release_url(alvo.pk),
        "por_que": por_que,
        "motivo": motivo,
        "corretor": corretor,
        "spec_sha256": spec.sha256,
        "testes": {"passaram": len(testes) - falharam, "falharam": falharam},
    }


def _concluir_sem_release(item: Item, resultado: dict[str, Any]) -> None:
    """Concludes the fix's assembly with ``nada_a_corrigir`` (``item``: the ``corrigir_bug``): no
    release, nothing for the PO to approve; the fixed release's page and timeline show the
    result (``fabrica.releases.selectors.correcoes_sem_release``)."""
    backlog.concluir(item_id=item.pk, lease_token=item.lease_token, resultado=resultado)
    log.info("corrigir_bug #%s: nada a corrigir automaticamente em %s.", resultado["item"], resultado["corrige"])


def _motivo(correcao: dict[str, Any]) -> str:
    """The reason a person or system gave for a fix, as the corrector reads it."""
    partes = [f"Erro relatado: {correcao.get('erro') or '(nenhum)'}"]
    if correcao.get("stack_trace"):
        partes.append(f"Stack trace:\n{correcao['stack_trace']}")
    if correcao.get("caso"):
        caso = correcao["caso"]
        partes.append(
            "Caso de regressão (vira o teste regressao_NN, que precisa passar): "
            f"dado {json.dumps(caso.get('dado'), ensure_ascii=False)}, "
            f"espera {json.dumps(caso.get('espera'), ensure_ascii=False)}"
        )
    return "\n\n".join(partes)


def _chamadas(resultado: ciclo.ResultadoConstrucao) -> list[dict[str, Any]]:
    """Every call to the model of a build: the generations, then the attempts."""
    chamadas = [g["modelo"] for r in resultado.vertentes.values() for g in r.geracao if g.get("modelo")]
    return chamadas + [t["modelo"] for r in resultado.vertentes.values() for t in r.tentativas if t.get("modelo")]


def _construida_por(resultado: ciclo.ResultadoConstrucao) -> dict[str, Any]:
    """Who built the release, and what the model's calls spent (docs/modelo.md)."""
    chamadas = _chamadas(resultado)
    return {
        "gerador": resultado.gerador,
        "corretor": resultado.corretor,
        "modelo": next((c["modelo"] for c in chamadas), ""),
        "chamadas": len(chamadas),
        "tokens_entrada": sum(c["tokens_entrada"] for c in chamadas),
        "tokens_saida": sum(c["tokens_saida"] for c in chamadas),
        "custo": str(sum((Decimal(c["custo"]) for c in chamadas), Decimal(0))),
    }


def _linhas_de_teste(vertente: str, r: ciclo.ResultadoVertente, casos: dict[str, CasoDeTeste]) -> list[dict[str, Any]]:
    linhas = []
    for teste in r.testes:
        caso = casos.get(teste.caso or "")
        linhas.append(
            {
                "vertente": vertente,
                **teste.como_dict(),
                "origem": caso.origem if caso else "",
                "titulo": caso.titulo if caso else "",
                "classes": caso.classes if caso else None,
            }
        )
    return linhas


def _resumo_vertente(r: ciclo.ResultadoVertente) -> dict[str, Any]:
    passaram = sum(1 for t in r.testes if t.passou)
    return {
        "total": len(r.testes),
        "passaram": passaram,
        "falharam": len(r.testes) - passaram,
        "cobertura": f"{r.cobertura['percentual']:.1f} %" if r.cobertura else "—",
        "pendencias": r.pendencias,
        "implementada_por": r.implementada_por,
        "nao_testaveis": [{"caso": n.caso, "motivo": n.motivo} for n in r.nao_testaveis],
    }


def _registrar(item: Item, plano: Plano, resultado: ciclo.ResultadoConstrucao, pacote: str) -> Release:
    spec, orcamento, casos, tipo = plano.spec, plano.orcamento, plano.casos, plano.tipo
    corrige, correcao = plano.corrige, plano.correcao
    por_nome = {c.nome: c for c in casos}
    with transaction.atomic():
        versao = proxima_versao(spec.spec_id)
        rotulo = contratos.rotulo_versao(spec.spec_id, versao)
        leia_me = readme(
            spec=spec.conteudo,
            rotulo=rotulo,
            commit=spec.commit,
            sha256=spec.sha256,
            pacote=pacote,
            vertentes={v: _resumo_vertente(r) for v, r in resultado.vertentes.items()},
            testes_passaram=resultado.passou,
            cobertura_total=resultado.cobertura_total,
            tipo=tipo,
            corrige=corrige.rotulo_versao if corrige else "",
        )
        raiz = arquivos_da_raiz(
            spec=spec.conteudo,
            pacote=pacote,
            versao=str(versao),
            dependencias=resultado.dependencias,
            tempo_por_teste_s=settings.PROMETHEUS_SANDBOX["tempo_por_teste_s"],
        )
        artefatos = [leia_me, *raiz, *(a for r in resultado.vertentes.values() for a in r.artefatos)]
        release = Release.objects.create(
            spec=spec,
            spec_ref=spec.spec_id,
            versao=versao,
            tipo=tipo,
            orcamento=orcamento,
            corrige=corrige,
            item_origem=plano.origem,
            artefatos=[a.como_dict() for a in artefatos],
            testes=[linha for v, r in resultado.vertentes.items() for linha in _linhas_de_teste(v, r, por_nome)],
            testes_passaram=resultado.passou,
            cobertura={v: r.cobertura for v, r in resultado.vertentes.items()},
            cobertura_total=resultado.cobertura_total,
            tentativas=[t for r in resultado.vertentes.values() for t in r.tentativas],
            recursos={v: {"worker": r.worker, "erro": r.erro, **r.recursos} for v, r in resultado.vertentes.items()},
            pendencias=[
                {"vertente": v, "descricao": p}
                | ({"implementada_por": r.implementada_por, "passou": r.passou} if r.implementada_por else {})
                for v, r in resultado.vertentes.items()
                for p in r.pendencias
            ],
            nao_testaveis=[
                {"vertente": v, "caso": n.caso, "motivo": n.motivo}
                for v, r in resultado.vertentes.items()
                for n in r.nao_testaveis
            ],
            casos=[c.como_dict() for c in casos],
            correcao=correcao,
            duracao_segundos=resultado.duracao_s,
            tokens=resultado.tokens,
            construida_por=_construida_por(resultado),
            geracao=[g for r in resultado.vertentes.values() for g in r.geracao],
        )
        execucoes_registrar(release=release)  # the numbers the worker metrics aggregate
        caminhos = [a.caminho for a in artefatos]
        concluido = backlog.concluir(
            item_id=item.pk,
            lease_token=item.lease_token,
            resultado={
                "release_ref": rotulo,
                "release_id": release.pk,
                "release_url": contratos.release_url(release.pk),
                "artefatos": caminhos,
                "testes_passaram": resultado.passou,
            },
            items_gerados=[
                contratos.item_aprovar_release(
                    rotulo_versao=rotulo,
                    spec_ref=spec.spec_id,
                    artefatos=caminhos,
                    testes_passaram=resultado.passou,
                    cobertura=resultado.cobertura_total,
                    release_id=release.pk,
                    tipo=tipo,
                    corrige=corrige.rotulo_versao if corrige else "",
                )
            ],
        )
        release.item_aprovacao = concluido.gerados_agora[0]
        release.save(update_fields=["item_aprovacao"])
    return release
