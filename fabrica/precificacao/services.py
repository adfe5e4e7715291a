"""orcar_spec → budget + gaps (seed §1.2 phases 1–2, §7 processar_orcar), and calibration."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction

from backlog import services as backlog
from backlog.models import Item
from fabrica.capacidades.services import disponiveis
from fabrica.consumidor import ErroDefinitivo
from fabrica.contratos import PRODUTOR
from fabrica.erros import DadosInvalidos
from fabrica.models import Gap, ModeloPrecificacao, Orcamento
from fabrica.precificacao import calibracao
from fabrica.precificacao.cobertura import gerar_casos
from fabrica.precificacao.gaps import identificar_gaps
from fabrica.precificacao.modelo import COEFICIENTES_INICIAIS, SECOES, precificar, unidades
from fabrica.specs.formato import tamanho_por_vertente
from fabrica.specs.services import spec_atual


def modelo_atual() -> ModeloPrecificacao:
    modelo = ModeloPrecificacao.objects.order_by("-versao").first()
    if modelo is None:
        modelo, _ = ModeloPrecificacao.objects.get_or_create(
            versao=1, defaults={"coeficientes": COEFICIENTES_INICIAIS, "motivo": "Coeficientes iniciais."}
        )
    return modelo


def processar_orcar(item: Item) -> Orcamento:
    """Prices the spec of a claimed ``orcar_spec`` item and concludes it, producing one
    ``entrevistar_dor`` per gap and the ``aprovar_orcamento`` item that depends on them, all in
    one transaction with the budget. Pricing (the slow part) runs before the transaction."""
    existente = Orcamento.objects.filter(item_orcar=item).first()
    if existente is not None:  # priced already by a consumer whose conclusion went through
        return existente
    spec_ref = item.contexto.get("spec_ref") or item.spec_ref
    spec = spec_atual(spec_ref)
    if spec is None:
        raise ErroDefinitivo(f"A spec {spec_ref!r} não foi importada: sincronize o repositório ou envie-a pela API.")
    modelo = modelo_atual()
    tdd = spec.conteudo.get("schema_tdd") or {}
    casos = gerar_casos(tdd.get("parametros") or {}, tdd.get("cobertura", "pairwise"), tdd.get("restricoes") or [])
    orc = precificar(spec.conteudo, casos, modelo.coeficientes, versao=modelo.versao)
    gaps = identificar_gaps(spec.conteudo.get("runtime") or {}, disponiveis())

    with transaction.atomic():
        registro = Orcamento.objects.create(
            spec=spec,
            spec_ref=spec.spec_id,
            spec_commit=spec.commit,
            spec_sha256=spec.sha256,
            modelo=modelo,
            item_orcar=item,
            **orc.secoes(),
            explicacao=orc.explicacao,
            casos_teste=casos,
        )
        recursos = resumo_orcamento(registro)
        gerados = [
            backlog.NovoItem(
                tipo="entrevistar_dor",
                produtor=PRODUTOR,
                spec_ref=spec.spec_id,
                contexto=gap.contexto_dor(spec.spec_id),
            )
            for gap in gaps
        ]
        gerados.append(
            backlog.NovoItem(
                tipo="aprovar_orcamento",
                produtor=PRODUTOR,
                spec_ref=spec.spec_id,
                contexto={"spec_ref": spec.spec_id, "spec_recursos": recursos, "spec_recursos_id": registro.pk},
                depende_de_gerados=list(range(len(gaps))),
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
        mensagem = "Informe as horas reais de ao menos uma vertente."
        raise DadosInvalidos(mensagem, {"horas": [mensagem]})
    desconhecidas = sorted(set(horas) - set(orcamento.esforco.get("horas_dev_por_vertente", {})))
    if desconhecidas:
        raise DadosInvalidos(
            f"Vertentes fora deste orçamento: {', '.join(desconhecidas)}.",
            {f"horas.{v}": ["Vertente fora deste orçamento."] for v in desconhecidas},
        )
    invalidas = sorted(
        v
        for v, h in horas.items()
        if isinstance(h, bool) or not isinstance(h, int | float) or not math.isfinite(h) or h <= 0
    )
    if invalidas:
        raise DadosInvalidos(
            f"As horas reais devem ser números positivos; inválidas em: {', '.join(invalidas)}.",
            {f"horas.{v}": ["Deve ser um número positivo."] for v in invalidas},
        )
    with transaction.atomic():
        orcamento.horas_reais = {v: float(h) for v, h in horas.items()}
        orcamento.save(update_fields=["horas_reais"])
        return calibrar()


def calibrar() -> ModeloPrecificacao:
    """Re-fits the coefficients from every budget with actuals; a new model version."""
    with transaction.atomic():
        atual = ModeloPrecificacao.objects.select_for_update().order_by("-versao").first() or modelo_atual()
        amostras = []
        for orc in Orcamento.objects.filter(horas_reais__isnull=False).select_related("spec"):
            medidas = tamanho_por_vertente(orc.spec.conteudo)
            amostras.append(
                calibracao.Amostra(
                    unidades={v: unidades(v, m) for v, m in medidas.items()},
                    reais={v: h for v, h in orc.horas_reais.items() if v in medidas},
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
