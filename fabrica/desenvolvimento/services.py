"""``desenvolvimento`` and ``corrigir_bug`` → a release for the PO (docs/desenvolvimento.md).

Both handlers build first, with no transaction open (the build is slow: generation, sandbox
runs, corrections), showing their progress on a ``Construcao`` row; then one transaction
records the ``Release``, concludes the item and produces ``aprovar_release``. So a release
exists exactly when its item is concluded: a consumer killed mid-build leaves nothing, and its
rescued item is built again into one release (``Release.item_origem`` is one-to-one, and a late
consumer's conclusion is refused with its lost lease).

A ``corrigir_bug`` whose rebuild is the release it fixes again (no new spec version, no ``caso``,
the same code and test outcomes) records no release: it concludes with "nada a corrigir
automaticamente" (``nada_a_corrigir``), which the fixed release's page and timeline show.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from backlog import services as backlog
from backlog.models import Item
from fabrica import contratos
from fabrica.consumidor import ErroDefinitivo
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
from fabrica.models import Construcao, Orcamento, Release, Spec
from fabrica.precificacao.cobertura import CoberturaInvalida, gerar_casos
from fabrica.selectors import ReferenciaInvalida, release_a_corrigir
from fabrica.specs.services import spec_atual

log = logging.getLogger(__name__)


# --- what builds: generator, corrector, limits (replaceable behind their interfaces) -------------


def _sobreposicoes() -> Path:
    return Path(settings.PROMETHEUS_SPECS_REPO) / "_catalogo" / "templates"


def opcoes_de_construcao(
    *, pacote: str, versao: str, orcamento: Orcamento | None = None, motivo: str = ""
) -> ciclo.Opcoes:
    """The default build: the project's templates with the spec repository's overrides, the
    deterministic corrector (falling back to the project's own templates), the sandbox's limits.
    With ``PROMETHEUS_LLM_URL`` set, the model-backed generator and corrector (docs/modelo.md)
    stand behind the same interfaces, within the budget's token ceiling (what its earlier releases
    spent counts); ``motivo`` is what the corrector reads of a requested fix."""
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
        gasto = Release.objects.filter(orcamento=orcamento).aggregate(t=Sum("tokens"))["t"] if orcamento else 0
        cliente = ClienteModelo(config, gasto_orcamento=gasto or 0)
        assert isinstance(opcoes.gerador, GeradorTemplates)  # built just above
        opcoes.gerador, opcoes.corretor = construtores(cliente, opcoes.gerador, opcoes.sobreposicoes, opcoes.corretor)
    return opcoes


# --- progress ----------------------------------------------------------------------------------------


class _Progresso:
    """Writes each step of the build to its ``Construcao`` row, one small autocommitted update."""

    def __init__(self, construcao: Construcao) -> None:
        self.construcao = construcao
        self.etapas: dict[str, Any] = {}

    def __call__(self, vertente: str, estado: str, tentativa: int, mensagem: str) -> None:
        self.etapas[vertente] = {
            "estado": estado,
            "tentativa": tentativa,
            "mensagem": mensagem,
            "em": timezone.now().isoformat(),
        }
        Construcao.objects.filter(pk=self.construcao.pk).update(etapas=self.etapas, atualizada_em=timezone.now())


def _iniciar(item: Item, spec_ref: str) -> Construcao:
    construcao, _ = Construcao.objects.update_or_create(
        item=item, defaults={"spec_ref": spec_ref, "etapas": {}, "consumidor": item.consumidor}
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


def processar_desenvolvimento(item: Item) -> Release:
    """Builds the spec version its approved budget priced, with one test per covering-array row
    and per explicit case of that budget, into a ``normal`` release for the PO."""
    existente = Release.objects.filter(item_origem=item).first()
    if existente is not None:
        return existente
    orcamento = _orcamento_do_item(item)
    spec = orcamento.spec
    casos = casos_do_orcamento(spec.conteudo.get("schema_tdd") or {}, orcamento.casos_teste)
    return _construir(item, spec=spec, orcamento=orcamento, casos=casos, tipo=Release.Tipo.NORMAL, corrige=None)


def processar_corrigir(item: Item) -> Release | None:
    """Rebuilds the fixed release's spec from its newest version, with the regression cases of
    the release it fixes and, when the item gives one, a new one (``caso: {dado, espera}``),
    into a ``hotfix`` release linked to the one it fixes; or, when that rebuild is the fixed
    release again (``nada_a_corrigir``), concludes the item with that result and no release."""
    existente = Release.objects.filter(item_origem=item).first()
    if existente is not None:
        return existente
    try:
        alvo = release_a_corrigir(item.contexto.get("feature_ref", ""))
    except ReferenciaInvalida as exc:
        raise ErroDefinitivo(f"contexto.feature_ref: {exc}") from None
    spec = spec_atual(alvo.spec_ref) or alvo.spec
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
    casos = casos_do_orcamento(tdd, linhas) + regressoes
    correcao = {
        "feature_ref": item.contexto.get("feature_ref"),
        "erro": item.contexto.get("erro", ""),
        "stack_trace": item.contexto.get("stack_trace", ""),
        "caso": caso,
        "item": item.pk,
    }
    resultado, pacote, corretor = _desenvolver(item, spec, casos, orcamento=orcamento, motivo=_motivo(correcao))
    por_nome = {c.nome: c for c in casos}
    nada = nada_a_corrigir(
        alvo=alvo,
        spec=spec,
        caso=caso,
        artefatos=[a.como_dict() for r in resultado.vertentes.values() for a in r.artefatos],
        testes=[linha for v, r in resultado.vertentes.items() for linha in _linhas_de_teste(v, r, por_nome)],
        corretor=corretor,
    )
    if nada is not None:
        feita_por = _construida_por(resultado)
        if feita_por["chamadas"]:  # a model was asked: what it was asked and what it cost stay on the item
            nada["construida_por"] = feita_por
            nada["chamadas_modelo"] = _chamadas(resultado)
        _concluir_sem_release(item, nada)
        return None
    return _gravar(item, spec, orcamento, casos, Release.Tipo.HOTFIX, alvo, correcao, resultado, pacote)


# --- building and recording ---------------------------------------------------------------------------


def proxima_versao(spec_ref: str) -> int:
    return (Release.objects.filter(spec_ref=spec_ref).aggregate(m=Max("versao"))["m"] or 0) + 1


def _desenvolver(
    item: Item, spec: Spec, casos: list[CasoDeTeste], *, orcamento: Orcamento | None, motivo: str = ""
) -> tuple[ciclo.ResultadoConstrucao, str, str]:
    """The slow part, with no transaction open: the build, its progress on the item's row.
    Returns the result, the package's name and the corrector's name."""
    construcao = _iniciar(item, spec.spec_id)
    pacote = nome_do_pacote(spec.spec_id)
    opcoes = opcoes_de_construcao(
        pacote=pacote, versao=str(proxima_versao(spec.spec_id)), orcamento=orcamento, motivo=motivo
    )
    resultado = ciclo.desenvolver(spec=spec.conteudo, casos=casos, opcoes=opcoes, progresso=_Progresso(construcao))
    return resultado, pacote, opcoes.corretor.nome


def _construir(
    item: Item,
    *,
    spec: Spec,
    orcamento: Orcamento | None,
    casos: list[CasoDeTeste],
    tipo: str,
    corrige: Release | None,
    correcao: dict[str, Any] | None = None,
) -> Release:
    resultado, pacote, _ = _desenvolver(item, spec, casos, orcamento=orcamento)
    return _gravar(item, spec, orcamento, casos, tipo, corrige, correcao, resultado, pacote)


def _gravar(
    item: Item,
    spec: Spec,
    orcamento: Orcamento | None,
    casos: list[CasoDeTeste],
    tipo: str,
    corrige: Release | None,
    correcao: dict[str, Any] | None,
    resultado: ciclo.ResultadoConstrucao,
    pacote: str,
) -> Release:
    for _ in range(5):
        try:
            return _registrar(item, spec, orcamento, casos, tipo, corrige, correcao, resultado, pacote)
        except IntegrityError:
            feito = Release.objects.filter(item_origem=item).first()
            if feito is not None:  # another consumer of this item recorded it first
                return feito
            log.info("Versão de %s tomada por outra release; tentando a seguinte.", spec.spec_id)
    raise RuntimeError(f"Não foi possível numerar a release de {spec.spec_id}.")


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
        "por_que": por_que,
        "motivo": motivo,
        "corretor": corretor,
        "spec_sha256": spec.sha256,
        "testes": {"passaram": len(testes) - falharam, "falharam": falharam},
    }


def _concluir_sem_release(item: Item, resultado: dict[str, Any]) -> None:
    """Concludes the ``corrigir_bug`` with ``nada_a_corrigir``: no release, nothing for the PO to
    approve; the fixed release's page and timeline show the result."""
    backlog.concluir(item_id=item.pk, lease_token=item.lease_token, resultado=resultado)
    log.info("corrigir_bug #%s: nada a corrigir automaticamente em %s.", item.pk, resultado["corrige"])


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
        "nao_testaveis": [{"caso": n.caso, "motivo": n.motivo} for n in r.nao_testaveis],
    }


def _registrar(
    item: Item,
    spec: Spec,
    orcamento: Orcamento | None,
    casos: list[CasoDeTeste],
    tipo: str,
    corrige: Release | None,
    correcao: dict[str, Any] | None,
    resultado: ciclo.ResultadoConstrucao,
    pacote: str,
) -> Release:
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
            item_origem=item,
            artefatos=[a.como_dict() for a in artefatos],
            testes=[linha for v, r in resultado.vertentes.items() for linha in _linhas_de_teste(v, r, por_nome)],
            testes_passaram=resultado.passou,
            cobertura={v: r.cobertura for v, r in resultado.vertentes.items()},
            cobertura_total=resultado.cobertura_total,
            tentativas=[t for r in resultado.vertentes.values() for t in r.tentativas],
            recursos={v: {"worker": r.worker, "erro": r.erro, **r.recursos} for v, r in resultado.vertentes.items()},
            pendencias=[{"vertente": v, "descricao": p} for v, r in resultado.vertentes.items() for p in r.pendencias],
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
