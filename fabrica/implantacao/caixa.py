"""The ``validar_implantacao`` kind of the PO's inbox (``fabrica.decisoes.caixa``): deployments
waiting for validation, validated ones offering promotion and failed ones waiting to be retried
or their release rejected (tab "A decidir"), deployments
running or waiting for their environment ("Em espera"), validations and failures decided ("Decididos").
Each page costs a constant number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Right
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fabrica.contratos import TipoItem
from fabrica.decisoes.caixa import Linha, TipoDecisao
from fabrica.implantacao.models import Implantacao
from fabrica.implantacao.services import trecho_da_falha
from prometheus_site import vocabulario

NOME = TipoItem.VALIDAR_IMPLANTACAO
CAUDA_DO_LOG = 4000  # characters: enough for the failing part's last lines


def _da_aba(aba: str, busca: str) -> QuerySet[Implantacao]:
    qs = Implantacao.objects.filter(tipo=Implantacao.Tipo.IMPLANTACAO)
    if busca:
        qs = qs.filter(Q(spec_ref__icontains=busca) | Q(versao__icontains=busca))
    if aba == "decidir":
        return qs.filter(
            Q(validacao=Implantacao.Validacao.PENDENTE)
            | Q(promocao=Implantacao.Promocao.OFERECIDA)
            | Q(falha=Implantacao.Falha.PENDENTE)
        )
    if aba == "espera":
        return qs.filter(status__in=[Implantacao.Status.AGUARDANDO, Implantacao.Status.EM_ANDAMENTO])
    return qs.filter(
        Q(validacao__in=[Implantacao.Validacao.VALIDADA, Implantacao.Validacao.RECUSADA])
        | Q(falha__in=[Implantacao.Falha.REPETIDA, Implantacao.Falha.REJEITADA])
    )


def _listar(aba: str, busca: str, limite: int, deslocamento: int) -> list[Linha]:
    ordem = ("-validado_em", "id") if aba == "decididos" else ("id",)
    ids = _da_aba(aba, busca).order_by(*ordem).values("pk")[deslocamento : deslocamento + limite]
    registros = (
        Implantacao.objects.filter(pk__in=ids)
        .select_related("ambiente", "release__spec", "validado_por", "promover_para")
        .defer("log")
        .order_by(*ordem)
    )
    # The failing part of the log, only for the failures on the page, and only the log's tail
    # (a log holds up to 512 KiB): one query.
    trechos = {
        pk: trecho_da_falha(Implantacao(log=cauda))
        for pk, cauda in Implantacao.objects.filter(pk__in=ids, status=Implantacao.Status.FALHOU)
        .exclude(falha="")
        .annotate(cauda=Right("log", CAUDA_DO_LOG))
        .values_list("pk", "cauda")
    }
    linhas = []
    for impl in registros:
        oferece = impl.promocao == Implantacao.Promocao.OFERECIDA and aba == "decidir"
        if impl.falha:
            rotulo = gettext("Implantação falhou")
            detalhe = gettext("%(versao)s em %(ambiente)s: %(erro)s") % {
                "versao": impl.versao,
                "ambiente": impl.ambiente.nome,
                "erro": Truncator(vocabulario.frase(impl.erro)).chars(200),
            }
            status = impl.get_falha_display()
        elif oferece:
            rotulo = gettext("Promoção")
            detalhe = gettext("validada em %(de)s; promover para %(para)s?") % {
                "de": impl.ambiente.nome,
                "para": impl.promover_para.nome if impl.promover_para else "?",
            }
            status = impl.get_promocao_display()
        else:
            rotulo = gettext("Implantação")
            detalhe = gettext("%(versao)s em %(ambiente)s") % {"versao": impl.versao, "ambiente": impl.ambiente.nome}
            status = impl.get_validacao_display() if impl.validacao else impl.get_status_display()
        titulo = impl.release.spec.titulo if impl.release else ""
        linhas.append(
            Linha(
                tipo=NOME,
                rotulo=rotulo,
                id=impl.pk,
                titulo=titulo,
                spec_ref=impl.spec_ref,
                criado_em=impl.terminado_em or impl.criado_em,
                url=reverse("implantacao", args=[impl.pk]),
                status=status,
                decidido_por=impl.validado_por.get_username() if impl.validado_por else "",
                decidido_em=impl.validado_em,
                motivo=impl.observacao,
                detalhe=detalhe,
                trecho=trechos.get(impl.pk, ""),
            )
        )
    return linhas


def _contar(busca: str) -> dict[str, int]:
    return {aba: _da_aba(aba, busca).count() for aba in ("decidir", "espera", "decididos")}


# Registered by FabricaConfig.ready, beside the budgets' kind.
VALIDAR_IMPLANTACAO = TipoDecisao(
    nome=NOME,
    rotulo=_("Implantações"),
    permissao="fabrica.decidir_implantacao",
    listar=_listar,
    contar=_contar,
)
