"""orcar_spec → budget + gaps (docs/arquitetura.md, "The cycle" steps 1–2; docs/precificacao.md),
and calibration."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backlog import services as backlog
from backlog.models import Item
from fabrica import contratos, selectors
from fabrica.capacidades.selectors import disponiveis
from fabrica.consumidor import ErroDefinitivo
from fabrica.contratos import PRODUTOR
from fabrica.erros import DadosInvalidos, TransicaoInvalida
from fabrica.models import Gap, ModeloPrecificacao, Orcamento, Release, Spec
from fabrica.precificacao import calibracao
from fabrica.precificacao.cobertura import gerar_casos
from fabrica.precificacao.gaps import identificar_gaps
from fabrica.precificacao.horas import horas_registrar
from fabrica.precificacao.modelo import (
    COEFICIENTES_INICIAIS,
    SECOES,
    coeficientes_de_tokens,
    precificar,
    unidades,
)
from fabrica.specs.formato import tamanho_por_vertente
from fabrica.specs.services import spec_atual
from prometheus_site.atores import ator_de


class SpecMudou(Exception):
    """A newer version of the spec was imported while this one was priced: the item goes back to
    the queue (``falhar``) and its retry prices the new version."""


@dataclass(frozen=True)
class PedidoDeOrcamento:
    """What asking for a budget led to: the version's budget, or the item pricing it."""

    orcamento: Orcamento | None = None  # this version already has an open or approved budget
    item: Item | None = None  # the ``orcar_spec`` that prices it (just produced, or in flight)
    novo: bool = False  # True when this request produced the item


def orcamento_pedir(*, spec: Spec, por: AbstractBaseUser) -> PedidoDeOrcamento:
    """Asks for the budget of the current version of a spec, once: a version that already has an
    open or approved budget leads to it, and one being priced leads to that pricing; otherwise an
    ``orcar_spec`` is produced. An older version is refused (``TransicaoInvalida``): only the
    current one may be priced. Two requests racing both produce, and pricing keeps one budget."""
    atual = spec_atual(spec.spec_id)
    if atual is not None and atual.pk != spec.pk:
        raise TransicaoInvalida(
            _("Esta versão de %(spec)s foi substituída por uma mais nova; peça o orçamento da versão atual.")
            % {"spec": spec.spec_id},
            {"spec": [str(atual.pk)]},
        )
    vigente = selectors.orcamento_vigente(spec)
    if vigente is not None:
        return PedidoDeOrcamento(orcamento=vigente)
    em_curso = selectors.orcar_em_curso(spec.spec_id)
    if em_curso is not None:
        return PedidoDeOrcamento(item=em_curso)
    novo = contratos.item_orcar_spec(spec_ref=spec.spec_id, produtor=ator_de(por))
    item = backlog.produzir(
        tipo=novo.tipo, produtor=novo.produtor, spec_ref=novo.spec_ref, contexto=novo.contexto, ator=ator_de(por)
    )
    return PedidoDeOrcamento(item=item, novo=True)


def _ja_orcada(item: Item, vigente: Orcamento) -> Orcamento:
    """Concludes an ``orcar_spec`` whose spec version already has its budget, pointing to it."""
    backlog.concluir(
        item_id=item.pk,
        lease_token=item.lease_token,
        items_gerados=[],
        resultado={
            "spec_recursos_id": vigente.pk,
            "spec_commit": vigente.spec_commit,
            "spec_sha256": vigente.spec_sha256,
            "ja_orcada": True,
            "status": vigente.status,
        },
    )
    return vigente


def modelo_atual() -> ModeloPrecificacao:
    modelo = ModeloPrecificacao.objects.order_by("-versao").first()
    if modelo is None:
        modelo, _ = ModeloPrecificacao.objects.get_or_create(
            versao=1, defaults={"coeficientes": COEFICIENTES_INICIAIS, "motivo": "Coeficientes iniciais."}
        )
    return modelo


def processar_orcar(item: Item) -> Orcamento:
    """Prices the current version of the spec of a claimed ``orcar_spec`` item and concludes it,
    producing one ``entrevistar_dor`` per gap and the ``aprovar_orcamento`` item that depends on
    them, all in one transaction with the budget. Pricing (the slow part) runs before the
    transaction. A version that already has an open or approved budget gets no second one: the
    item is concluded pointing to it (``resultado.ja_orcada``), also when two race."""
    existente = Orcamento.objects.filter(item_orcar=item).first()
    if existente is not None:  # priced already by a consumer whose conclusion went through
        return existente
    spec_ref = item.contexto.get("spec_ref") or item.spec_ref
    spec = spec_atual(spec_ref)
    if spec is None:
        raise ErroDefinitivo(f"A spec {spec_ref!r} não foi importada: sincronize o repositório ou envie-a pela API.")
    vigente = selectors.orcamento_vigente(spec)
    if vigente is not None:
        return _ja_orcada(item, vigente)
    try:
        return _registrar_orcamento(item, spec)
    except IntegrityError:
        # Another consumer priced this version meanwhile (fabrica_orcamento_um_por_versao).
        vigente = selectors.orcamento_vigente(spec)
        if vigente is None:
            raise
        return _ja_orcada(item, vigente)


def _registrar_orcamento(item: Item, spec: Spec) -> Orcamento:
    modelo = modelo_atual()
    tdd = spec.conteudo.get("schema_tdd") or {}
    casos = gerar_casos(tdd.get("parametros") or {}, tdd.get("cobertura", "pairwise"), tdd.get("restricoes") or [])
    # With a model building code, the tokens its build will spend (docs/precificacao.md, "Tokens").
    orc = precificar(
        spec.conteudo, casos, modelo.coeficientes, versao=modelo.versao, modelo_de_codigo=settings.PROMETHEUS_LLM
    )
    gaps = identificar_gaps(spec.conteudo.get("runtime") or {}, disponiveis())

    with transaction.atomic():
        # Serialises with the import of a newer version, which locks the same row: either this
        # budget commits first and the import supersedes it, or the import commits first and this
        # pricing of a version no longer current is retried on the new one.
        Spec.objects.select_for_update().only("pk").get(pk=spec.pk)
        atual = spec_atual(spec.spec_id)
        if atual is not None and atual.pk != spec.pk:
            raise SpecMudou(
                f"A spec {spec.spec_id} ganhou uma versão nova durante a precificação; será precificada de novo."
            )
        registro = Orcamento.objects.create(
            spec=spec,
            spec_ref=spec.spec_id,
            modelo=modelo,
            item_orcar=item,
            **orc.secoes(),
            explicacao=orc.explicacao,
            casos_teste=casos,
        )
        horas_registrar(orcamento=registro)
        recursos = resumo_orcamento(registro)
        gerados = [
            contratos.item_entrevistar_dor(spec_ref=spec.spec_id, contexto=gap.contexto_dor(spec.spec_id))
            for gap in gaps
        ]
        gerados.append(
            contratos.item_aprovar_orcamento(
                spec_ref=spec.spec_id,
                spec_recursos=recursos,
                spec_recursos_id=registro.pk,
                depende_de_gerados=range(len(gaps)),
            )
        )
        concluido = backlog.concluir(
            item_id=item.pk,
            lease_token=item.lease_token,
            items_gerados=gerados,
            resultado={
                "spec_recursos_id": registro.pk,
                "spec_commit": spec.commit,
                "spec_sha256": spec.sha256,
                "gaps": len(gaps),
            },
        )
        *itens_gap, item_aprovacao = concluido.gerados_agora
        for gap, item_gap in zip(gaps, itens_gap, strict=True):
            Gap.objects.create(
                orcamento=registro,
                item=item_gap,
                tipo_recurso=gap.tipo_recurso,
                recurso=gap.recurso,
                descricao=gap.descricao,
            )
            backlog.anotar(item_id=item_gap.pk, contexto={"bloqueando": [item_aprovacao.pk]}, ator=PRODUTOR)
        registro.item_aprovacao = item_aprovacao
        # The gaps' items, fixed from now on; whether they still block is derived
        # (``Orcamento.status_dependencias``), never stored.
        registro.dependencias = {**registro.dependencias, "gaps_infra": [i.pk for i in itens_gap]}
        registro.save(update_fields=["item_aprovacao", "dependencias"])
    return registro


# What an item carries of a budget: the sections fixed at pricing. ``dependencias`` changes as
# gaps are resolved, and the item that waits for them is the backlog's to block and release.
SECOES_NOS_ITENS = tuple(secao for secao in SECOES if secao != "dependencias")


def resumo_orcamento(registro: Orcamento) -> dict[str, Any]:
    """The budget as it travels in items (seed: ``spec_recursos``): the sections, no test rows."""
    return {
        "id": registro.pk,
        "spec_ref": registro.spec_ref,
        "spec_commit": registro.spec_commit,
        "spec_sha256": registro.spec_sha256,
        "modelo": registro.modelo.versao,
        **{secao: getattr(registro, secao) for secao in SECOES_NOS_ITENS},
    }


def esforco_real_registrar(*, orcamento: Orcamento, horas: dict[str, float]) -> ModeloPrecificacao:
    """Records the real hours per vertente of a built spec and re-calibrates the model.

    Raises ``fabrica.erros.DadosInvalidos`` naming the fields (nothing recorded) for no hours, a
    vertente not in this budget, or hours that are not a positive number (a fit on logarithms
    needs them, and JSON has no NaN).
    """
    if not horas:
        mensagem = _("Informe as horas reais de ao menos uma vertente.")
        raise DadosInvalidos(mensagem, {"horas": [mensagem]})
    desconhecidas = sorted(set(horas) - set(orcamento.esforco.get("horas_dev_por_vertente", {})))
    if desconhecidas:
        raise DadosInvalidos(
            _("Vertentes fora deste orçamento: %(v)s.") % {"v": ", ".join(desconhecidas)},
            {f"horas.{v}": [_("Vertente fora deste orçamento.")] for v in desconhecidas},
        )
    invalidas = sorted(
        v
        for v, h in horas.items()
        if isinstance(h, bool) or not isinstance(h, int | float) or not math.isfinite(h) or h <= 0
    )
    if invalidas:
        raise DadosInvalidos(
            _("As horas reais devem ser números positivos; inválidas em: %(v)s.") % {"v": ", ".join(invalidas)},
            {f"horas.{v}": [_("Deve ser um número positivo.")] for v in invalidas},
        )
    with transaction.atomic():
        orcamento.horas_reais = {v: float(h) for v, h in horas.items()}
        orcamento.save(update_fields=["horas_reais"])
        horas_registrar(orcamento=orcamento)
        return modelo_calibrar()


def modelo_calibrar() -> ModeloPrecificacao:
    """Re-fits the coefficients from every budget with actuals; a new model version."""
    with transaction.atomic():
        atual = ModeloPrecificacao.objects.select_for_update().order_by("-versao").first() or modelo_atual()
        amostras = []
        for orc in Orcamento.objects.filter(horas_reais__isnull=False).select_related("spec"):
            medidas = tamanho_por_vertente(orc.spec.conteudo)
            amostras.append(
                calibracao.Amostra(
                    unidades={v: unidades(v, m) for v, m in medidas.items()},
                    reais={v: h for v, h in (orc.horas_reais or {}).items() if v in medidas},
                    estimadas=orc.esforco.get("horas_dev_por_vertente", {}),
                )
            )
        ajuste = calibracao.ajustar(amostras, atual.coeficientes["horas_por_unidade"])
        return ModeloPrecificacao.objects.create(
            versao=atual.versao + 1,
            coeficientes=calibracao.coeficientes_novos(atual.coeficientes, ajuste),
            motivo=f"Recalibrado com {ajuste.amostras} orçamento(s) com esforço real.",
            amostras=ajuste.amostras,
            mmre=ajuste.mmre,
            pred25=ajuste.pred25,
            mmre_anterior=ajuste.mmre_anterior,
        )


def _amostras_de_tokens() -> list[calibracao.AmostraTokens]:
    """Every release a model helped build (not a hotfix: a correction is not a build), with its
    budget: the tokens each vertente's build spent (``Release.recursos[V].tokens``)."""
    amostras = []
    construidas = (
        Release.objects.filter(tipo=Release.Tipo.NORMAL, orcamento__isnull=False, construida_por__chamadas__gt=0)
        .select_related("spec", "orcamento")
        .order_by("pk")
    )
    for release in construidas:
        medidas = tamanho_por_vertente(release.spec.conteudo)
        feita_por = release.construida_por or {}
        assert release.orcamento is not None  # filtered above
        amostras.append(
            calibracao.AmostraTokens(
                unidades={v: unidades(v, m) for v, m in medidas.items()},
                reais={v: int((release.recursos.get(v) or {}).get("tokens", 0) or 0) for v in medidas},
                estimados=release.orcamento.esforco.get("tokens_modelo_por_vertente") or {},
                entrada=int(feita_por.get("tokens_entrada", 0) or 0),
                saida=int(feita_por.get("tokens_saida", 0) or 0),
            )
        )
    return amostras


def tokens_calibrar() -> ModeloPrecificacao:
    """Re-fits the model's tokens per size unit and vertente from every release a model helped
    build (docs/precificacao.md, "Tokens"): a new model version, which new budgets use; the
    budgets priced before keep theirs. ``DadosInvalidos`` when no such release was recorded."""
    with transaction.atomic():
        atual = ModeloPrecificacao.objects.select_for_update().order_by("-versao").first() or modelo_atual()
        amostras = _amostras_de_tokens()
        if not amostras:
            mensagem = _("Nenhuma release foi construída com um modelo: não há tokens reais para calibrar.")
            raise DadosInvalidos(mensagem, {"releases": [mensagem]})
        coeficientes = coeficientes_de_tokens(atual.coeficientes)
        ajuste = calibracao.ajustar_tokens(amostras, coeficientes["tokens_por_unidade"], coeficientes["fracao_saida"])
        return ModeloPrecificacao.objects.create(
            versao=atual.versao + 1,
            coeficientes={
                **atual.coeficientes,
                "tokens_por_unidade": ajuste.tokens_por_unidade,
                "fracao_saida": ajuste.fracao_saida,
                "ajuste_tokens": ajuste.como_dict(),
            },
            motivo=f"Tokens do modelo recalibrados com {ajuste.amostras} release(s) construída(s) com modelo.",
            # The hours' fit is the previous version's, unchanged.
            amostras=atual.amostras,
            mmre=atual.mmre,
            pred25=atual.pred25,
            mmre_anterior=atual.mmre_anterior,
        )
