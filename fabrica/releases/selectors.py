"""Reads of releases shared by the pages and the API, with their joins decided here."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Q, QuerySet

from backlog.models import Item
from backlog.models import Status as StatusItem
from fabrica.contratos import TipoItem
from fabrica.desenvolvimento.comparacao import Comparacao, comparar
from fabrica.desenvolvimento.corretor import CorretorDeterministico
from fabrica.desenvolvimento.llm.cliente import TETO_ATINGIDO
from fabrica.desenvolvimento.sandbox import aprovado
from fabrica.models import Construcao, Release
from fabrica.selectors import release_por_rotulo

LIMITE_ESTOURO = 0.25  # real effort above the approved budget by more than this is flagged
ORDEM_STATUS = {"falhou": 0, "erro": 1, "ausente": 2, "pulou": 3, "passou": 4}


def releases(
    *, spec_ref: str | None = None, status: str | None = None, tipo: str | None = None, ref: str | None = None
) -> QuerySet[Release]:
    qs = Release.objects.select_related("spec", "orcamento", "item_aprovacao", "decidido_por", "corrige").order_by(
        "-id"
    )
    if spec_ref:
        qs = qs.filter(spec_ref=spec_ref)
    if status:
        qs = qs.filter(status=status)
    if tipo:
        qs = qs.filter(tipo=tipo)
    if ref:
        release = release_por_rotulo(ref)
        qs = qs.filter(pk=release.pk) if release else qs.none()
    return qs


def resumo_de_listagem(qs: QuerySet[Release]) -> QuerySet[Release]:
    """A list shows no artefact contents: those stay in the database."""
    return qs.defer("artefatos", "testes", "tentativas", "casos", "spec__texto", "spec__conteudo")


def testes_por_vertente(release: Release) -> list[dict]:
    """Each vertente's tests, failures first (then by name): what the PO reads first."""
    from fabrica.desenvolvimento.base import NOME_DA_VERTENTE

    grupos: dict[str, list[dict]] = {v: [] for v in release.spec.vertentes}
    for teste in release.testes:
        grupos.setdefault(teste.get("vertente", ""), []).append(teste)
    resultado = []
    for vertente, lista in grupos.items():
        lista.sort(key=lambda t: (ORDEM_STATUS.get(t["status"], 0), t["nome"]))
        falhando = [t for t in lista if not aprovado(t["status"])]
        resultado.append(
            {
                "vertente": vertente,
                "nome": NOME_DA_VERTENTE.get(vertente, ""),
                "testes": lista,
                "falhas": len(falhando),
                # The page folds what passed behind its count and leaves the failures open.
                "falhando": falhando,
                "passando": lista[len(falhando) :],
            }
        )
    return resultado


# --- correction attempts: the ones that changed something count --------------------------------------


def _alterou(tentativa: dict[str, Any]) -> bool:
    # Every round the loop records says ``alterou``; one that does not is counted (as the worker
    # metrics count it, fabrica.desenvolvimento.execucoes). A call to a model is an attempt even
    # when its answer was refused (docs/modelo.md): it was asked, and it cost tokens.
    return bool(tentativa.get("alterou", True)) or bool(tentativa.get("modelo"))


def tentativas(release: Release) -> dict[str, Any]:
    """The correction attempts that changed something (``contadas``: what the page and the API
    count as attempts) and, per vertente, the rounds where the corrector had nothing to try
    (``nada_a_tentar``: ``{vertente, vezes, corretor, tentou, resumo_falhas}``, the first round's
    words): a loop that changed nothing made no attempt."""
    contadas = [t for t in release.tentativas if _alterou(t)]
    vazias: dict[str, dict[str, Any]] = {}
    for t in release.tentativas:
        if _alterou(t):
            continue
        grupo = vazias.setdefault(
            t.get("vertente", ""),
            {
                "vertente": t.get("vertente", ""),
                "vezes": 0,
                "corretor": t.get("corretor", ""),
                "tentou": t.get("tentou", ""),
                "resumo_falhas": t.get("resumo_falhas", ""),
                "falhas": t.get("falhas", []),
            },
        )
        grupo["vezes"] += 1
    return {"contadas": contadas, "nada_a_tentar": list(vazias.values())}


# --- a hotfix against the release it fixes -----------------------------------------------------------


def comparacao_com_a_corrigida(release: Release) -> Comparacao | None:
    """The hotfix against the release it fixes (fabrica.desenvolvimento.comparacao); None for a
    release that fixes nothing."""
    base = release.corrige
    if base is None:
        return None
    return comparar(
        artefatos_antes=base.artefatos,
        testes_antes=base.testes,
        artefatos_depois=release.artefatos,
        testes_depois=release.testes,
    )


def por_que_nada_mudou(release: Release) -> str:
    """Why a hotfix came out as the release it fixes: ``gerador_deterministico`` when it rebuilt
    the same spec version with the deterministic generator and corrector only,
    ``spec_sem_efeito`` when a new spec version changed no generated file, ``corretor_sem_efeito``
    otherwise."""
    base = release.corrige
    deterministico = not release.tokens and all(
        t.get("corretor", CorretorDeterministico.nome) == CorretorDeterministico.nome for t in release.tentativas
    )
    if base is not None and base.spec_sha256 != release.spec_sha256:
        return "spec_sem_efeito"
    return "gerador_deterministico" if deterministico else "corretor_sem_efeito"


def pedido_de_correcao(release: Release) -> dict[str, Any] | None:
    """What a hotfix was asked to fix, from its ``corrigir_bug``: the error (the PO's rejection
    reason, the refused validation's observation, a failed deployment's failure, or what
    GENESIS or another system reported) and where it came from (``origem``: ``rejeicao``,
    ``falha_de_implantacao``, ``validacao_recusada``, ``relato``)."""
    if release.tipo != Release.Tipo.HOTFIX:
        return None
    contexto = release.item_origem.contexto or {}
    if contexto.get("implantacao_ref"):
        origem = "falha_de_implantacao" if contexto.get("rejeitada_por") else "validacao_recusada"
    else:
        origem = "rejeicao" if contexto.get("rejeitada_por") else "relato"
    implantacao = str(contexto.get("implantacao_ref") or "")
    return {
        "origem": origem,
        "erro": contexto.get("erro", ""),
        "stack_trace": contexto.get("stack_trace", ""),
        "quem": contexto.get("rejeitada_por") or release.item_origem.produtor,
        "ambiente": contexto.get("ambiente", ""),
        "implantacao_id": int(implantacao) if implantacao.isdigit() else None,
        "caso": contexto.get("caso"),
    }


def correcoes_sem_release(release: Release) -> list[Item]:
    """The ``corrigir_bug`` items about this release that ended with "nada a corrigir
    automaticamente", oldest first; each carries, as ``resultado`` and ``concluido_em``, those of
    the assembly (``montar_release``) that found nothing to fix, which says why."""
    montagens = {
        m.produzido_por_id: m
        for m in Item.objects.filter(
            spec_ref=release.spec_ref,
            tipo=TipoItem.MONTAR_RELEASE,
            status=StatusItem.CONCLUIDO,
            resultado__nada_a_corrigir=True,
            resultado__corrige_id=release.pk,
        ).only("produzido_por_id", "resultado", "concluido_em")
    }
    pedidos = list(
        Item.objects.filter(tipo=TipoItem.CORRIGIR_BUG, status=StatusItem.CONCLUIDO)
        .filter(Q(pk__in=montagens) | Q(resultado__nada_a_corrigir=True, resultado__corrige_id=release.pk))
        .order_by("id")
    )
    for pedido in pedidos:
        if pedido.pk in montagens:
            pedido.resultado, pedido.concluido_em = montagens[pedido.pk].resultado, montagens[pedido.pk].concluido_em
    return pedidos


def nada_a_corrigir_do_item(item: Item) -> dict[str, Any] | None:
    """What a ``corrigir_bug`` ended with when there was nothing to fix (its assembly's result),
    or None."""
    if (item.resultado or {}).get("nada_a_corrigir"):
        return item.resultado
    montagem = (
        Item.objects.filter(produzido_por=item, tipo=TipoItem.MONTAR_RELEASE, resultado__nada_a_corrigir=True)
        .only("resultado")
        .first()
    )
    return montagem.resultado if montagem else None


def construcao_do_item(item_id: int) -> Construcao | None:
    return Construcao.objects.select_related("item").filter(item_id=item_id).first()


def desenvolvimentos_do_orcamento(orcamento) -> list[dict]:
    """The builds an approved budget asked for (its ``desenvolvimento`` item) and their releases,
    fixes included, for the budget page: where to follow them."""
    if orcamento.item_aprovacao_id is None:
        return []
    itens = list(Item.objects.filter(produzido_por_id=orcamento.item_aprovacao_id, tipo=TipoItem.DESENVOLVIMENTO))
    feitas = {
        r.item_origem_id: r for r in Release.objects.filter(item_origem__in=itens).only("pk", "spec_ref", "versao")
    }
    linhas = [{"item": i, "release": feitas.get(i.pk)} for i in itens]
    for release in Release.objects.filter(orcamento=orcamento, tipo=Release.Tipo.HOTFIX).only(
        "pk", "spec_ref", "versao"
    ):
        linhas.append({"item": None, "release": release})
    return linhas


def estouro(release: Release) -> dict[str, Any] | None:
    """Real effort against the approved budget: the budget's development hours and the real hours
    recorded on its releases (``Orcamento.horas_reais``). None when nothing was recorded yet."""
    orcamento = release.orcamento
    if orcamento is None or not orcamento.horas_reais:
        return None
    orcado = float(orcamento.esforco.get("horas_dev") or 0) or sum(
        float(h) for h in (orcamento.esforco.get("horas_dev_por_vertente") or {}).values()
    )
    real = sum(float(h) for h in orcamento.horas_reais.values())
    razao = real / orcado if orcado else math.inf
    return {
        "orcado": round(orcado, 2),
        "real": round(real, 2),
        "percentual": round((razao - 1) * 100, 1) if orcado else None,
        "acima": razao > 1 + LIMITE_ESTOURO,
    }


def correcoes_pedidas(release: Release) -> list[dict[str, Any]]:
    """The fixes asked of a rejected (or refused) release, each with the hotfix it built."""
    from fabrica.implantacao import selectors as implantacao

    return implantacao.correcoes_pedidas(spec_ref=release.spec_ref, feature_ref=release.rotulo_versao)


def implantacoes_pedidas(release: Release) -> list[Any]:
    """The ``implantar`` items of this release that no deployment record answers yet (asked by
    the approval, a promotion or a retry, waiting for the worker): what the release page shows,
    and polls, right after the PO approved it."""
    from backlog.models import Item, Status

    return list(
        Item.objects.filter(
            tipo=TipoItem.IMPLANTAR,
            spec_ref=release.spec_ref,
            contexto__release_ref=release.rotulo_versao,
            status__in=[Status.PENDENTE, Status.BLOQUEADO, Status.EM_PROCESSAMENTO],
            implantacoes__isnull=True,
        ).only("pk", "status", "contexto")
    )


def tokens_do_modelo(release: Release) -> dict[str, Any] | None:
    """The model's tokens the budget estimated for each vertente against what this release's
    build spent, the totals and costs, the budget's shared counter against its ceiling, and the
    calls a ceiling refused (docs/precificacao.md, "Tokens"). None when no model priced or built
    it (the deterministic path: nothing to show)."""
    orcamento = release.orcamento
    estimados = (orcamento.esforco.get("tokens_modelo_por_vertente") if orcamento else None) or {}
    feita_por = release.construida_por or {}
    if not estimados and not feita_por.get("chamadas"):
        return None
    chamadas = [g.get("modelo") for g in release.geracao] + [t.get("modelo") for t in release.tentativas]
    modelo = (orcamento.custo.get("modelo") if orcamento else None) or {}
    return {
        "vertentes": [
            {
                "vertente": v,
                "estimado": estimados.get(v),
                "real": int((release.recursos.get(v) or {}).get("tokens", 0) or 0),
            }
            for v in release.spec.vertentes
        ],
        "estimado": orcamento.esforco.get("tokens_modelo") if orcamento and estimados else None,
        "real": release.tokens,
        "custo_estimado": modelo.get("custo"),
        "custo_real": feita_por.get("custo"),
        "modelo_precificacao": (
            (orcamento.explicacao.get("esforco.tokens_modelo") or {}).get("modelo", "") if orcamento else ""
        ),
        "gastos_orcamento": orcamento.tokens_gastos if orcamento else None,
        "teto_orcamento": modelo.get("teto_orcamento"),
        "teto_release": modelo.get("teto_release"),
        "recusadas_pelo_teto": [
            c["falha"] for c in chamadas if c and str(c.get("falha", "")).startswith(TETO_ATINGIDO)
        ],
    }
