"""The deployments' kinds of the PO's inbox (``fabrica.decisoes.caixa``).

``validar_implantacao``: deployments waiting for validation and validated ones offering promotion
(tab "A decidir"), deployments running or waiting for their environment ("Em espera"),
validations decided ("Decididos").

``falha_implantacao``: failed deployments waiting to be retried or their release rejected
("A decidir"), and those decisions ("Decididos"); a failure waits for nothing else, so it has no
row "Em espera".

Each page costs a constant number of queries.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce, Right
from django.db.models.lookups import In
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fabrica.contratos import TipoItem
from fabrica.decisoes.caixa import Busca, Linha, TipoDecisao
from fabrica.implantacao.models import Implantacao
from fabrica.implantacao.services import trecho_da_falha
from prometheus_site import vocabulario
from prometheus_site.consultas import EmLiteral, SemIndice

NOME = TipoItem.VALIDAR_IMPLANTACAO
FALHA = "falha_implantacao"
CAUDA_DO_LOG = 4000  # characters: enough for the failing part's last lines
# Each list is the condition of a partial index, in its order, and is filtered with ``EmLiteral``
# so that SQLite uses that index (fabrica_impl_em_curso, _falhas_decid, _validadas, _val_spec).
_ABERTAS = (Implantacao.Status.AGUARDANDO, Implantacao.Status.EM_ANDAMENTO)
_FALHAS_DECIDIDAS = (Implantacao.Falha.REPETIDA, Implantacao.Falha.REJEITADA)
_VALIDACOES_DECIDIDAS = (Implantacao.Validacao.VALIDADA, Implantacao.Validacao.RECUSADA)


def _base(busca: Busca, *, pelo_indice_da_spec: bool = False) -> QuerySet[Implantacao]:
    """The deployments, those of the searched specs if any. The search walks a spec's index only
    where asked (the validations' history, by fabrica_impl_val_spec); elsewhere the tab's own
    partial index of a few rows drives the plan and the spec is checked on them (``SemIndice``)."""
    qs = Implantacao.objects.filter(tipo=Implantacao.Tipo.IMPLANTACAO)
    if not busca:
        return qs
    if pelo_indice_da_spec:
        return qs.filter(spec_ref__in=busca.specs)
    return qs.filter(In(SemIndice("spec_ref"), list(busca.specs)))


def _validacoes_da_aba(aba: str, busca: Busca) -> QuerySet[Implantacao]:
    qs = _base(busca, pelo_indice_da_spec=aba == "decididos")
    if aba == "decidir":
        # A UNION of the two partial indexes (fabrica_impl_a_validar, fabrica_impl_promocao): with
        # an OR, SQLite scans every deployment of the history (110 ms at 60,000; 0.1 ms so).
        a_validar = Implantacao.objects.filter(validacao=Implantacao.Validacao.PENDENTE).order_by().values("pk")
        return qs.filter(
            pk__in=a_validar.union(
                Implantacao.objects.filter(promocao=Implantacao.Promocao.OFERECIDA).order_by().values("pk")
            )
        )
    if aba == "espera":
        return qs.filter(EmLiteral(F("status"), _ABERTAS))
    return qs.filter(EmLiteral(F("validacao"), _VALIDACOES_DECIDIDAS))


def _falhas_da_aba(aba: str, busca: Busca) -> QuerySet[Implantacao]:
    qs = _base(busca)
    if aba == "decidir":
        return qs.filter(falha=Implantacao.Falha.PENDENTE)
    if aba == "espera":
        return qs.none()
    return qs.filter(EmLiteral(F("falha"), _FALHAS_DECIDIDAS))


_CAMPOS_DA_LINHA = (
    "id",
    "spec_ref",
    "versao",
    "status",
    "validacao",
    "falha",
    "promocao",
    "erro",
    "observacao",
    "criado_em",
    "terminado_em",
    "validado_em",
    "ambiente__nome",
    "release__spec__titulo",
    "validado_por__username",
    "promover_para__nome",
)


def _ordenar(qs: QuerySet[Implantacao], aba: str) -> QuerySet[Implantacao]:
    """The history newest decision first; the open tabs longest waiting first: a row waits since
    its deployment ended (``_linha``'s ``criado_em``)."""
    if aba == "decididos":
        return qs.order_by("-validado_em", "id")
    return qs.annotate(desde=Coalesce("terminado_em", "criado_em")).order_by("desde", "id")


def _ids(da_aba, aba: str, busca: Busca, limite: int, deslocamento: int) -> QuerySet:
    return _ordenar(da_aba(aba, busca), aba).values("pk")[deslocamento : deslocamento + limite]


def _abertas(da_aba):
    def abertas(aba: str, busca: Busca, limite: int) -> list[tuple[datetime, int]]:
        desde = Coalesce("terminado_em", "criado_em")
        return list(_ordenar(da_aba(aba, busca), aba).values_list(desde, "pk")[:limite])

    return abertas


def _registros(aba: str, ids: QuerySet | list[int], *, com_cauda: bool = False) -> list[Implantacao]:
    qs = _ordenar(Implantacao.objects.filter(pk__in=ids), aba)
    if com_cauda:
        # Only the log's tail (a log holds up to 512 KiB), read with the row: ``cauda``.
        qs = qs.annotate(cauda=Right("log", CAUDA_DO_LOG))
    return list(
        qs.select_related("ambiente", "release__spec", "validado_por", "promover_para")
        # Only what a row shows: a deployment's release and environment carry a dozen JSON
        # columns (tests, coverage, resources…) that building the row would decode for nothing.
        .only(*_CAMPOS_DA_LINHA)
    )


def _linha(impl: Implantacao, **campos) -> Linha:
    situacao = campos.pop("situacao")
    return Linha(
        tipo=campos.pop("tipo"),
        id=impl.pk,
        titulo=impl.release.spec.titulo if impl.release else "",
        spec_ref=impl.spec_ref,
        criado_em=impl.terminado_em or impl.criado_em,
        url=reverse("implantacao", args=[impl.pk]),
        decidido_por=impl.validado_por.get_username() if impl.validado_por else "",
        decidido_em=impl.validado_em,
        motivo=impl.observacao,
        # The deployment's state as a chip coloured like on its own page (status-<value>).
        situacao=situacao,
        colunas=("implantacao",),
        **campos,
    )


def _rotulos(escolhas) -> dict[str, str]:
    """A field's choices in the page's language, read once per page (``get_FOO_display`` makes
    every label hashable, i.e. translates all of them, on every row)."""
    return {valor: str(rotulo) for valor, rotulo in escolhas.choices}


def _listar_validacoes(aba: str, busca: Busca, limite: int, deslocamento: int) -> list[Linha]:
    return _construir_validacoes(aba, _ids(_validacoes_da_aba, aba, busca, limite, deslocamento))


def _construir_validacoes(aba: str, ids: QuerySet | list[int]) -> list[Linha]:
    registros = _registros(aba, ids)
    promocao, implantacao = gettext("Promoção"), gettext("Implantação")
    promover = gettext("validada em %(de)s; promover para %(para)s?")
    onde_esta = gettext("%(versao)s em %(ambiente)s")
    promocoes = _rotulos(Implantacao.Promocao)
    validacoes = _rotulos(Implantacao.Validacao)
    estados = _rotulos(Implantacao.Status)
    linhas = []
    for impl in registros:
        onde = {"versao": impl.versao, "ambiente": impl.ambiente.nome}
        if impl.promocao == Implantacao.Promocao.OFERECIDA and aba == "decidir":
            rotulo = promocao
            detalhe = promover % {
                "de": impl.ambiente.nome,
                "para": impl.promover_para.nome if impl.promover_para else "?",
            }
            status, situacao = promocoes.get(impl.promocao, impl.promocao), impl.promocao
        else:
            rotulo = implantacao
            detalhe = onde_esta % onde
            if impl.validacao:
                status, situacao = validacoes.get(impl.validacao, impl.validacao), impl.validacao
            else:
                status, situacao = estados.get(impl.status, impl.status), impl.status
        linhas.append(_linha(impl, tipo=NOME, rotulo=rotulo, status=status, situacao=situacao, detalhe=detalhe))
    return linhas


def _listar_falhas(aba: str, busca: Busca, limite: int, deslocamento: int) -> list[Linha]:
    return _construir_falhas(aba, _ids(_falhas_da_aba, aba, busca, limite, deslocamento))


def _construir_falhas(aba: str, ids: QuerySet | list[int]) -> list[Linha]:
    # The failing part of the log, only for the failures still to decide.
    registros = _registros(aba, ids, com_cauda=aba == "decidir")
    trechos = {
        impl.pk: trecho_da_falha(Implantacao(log=impl.cauda))  # type: ignore[attr-defined]  # annotated above
        for impl in registros
        if aba == "decidir"
    }
    rotulo, falhou = gettext("Implantação falhou"), gettext("%(versao)s em %(ambiente)s: %(erro)s")
    falhas = _rotulos(Implantacao.Falha)
    return [
        _linha(
            impl,
            tipo=FALHA,
            rotulo=rotulo,
            status=falhas.get(impl.falha, impl.falha),
            situacao=Implantacao.Status.FALHOU if aba == "decidir" else impl.falha,
            detalhe=falhou
            % {
                "versao": impl.versao,
                "ambiente": impl.ambiente.nome,
                "erro": Truncator(vocabulario.frase(impl.erro)).chars(200),
            },
            trecho=trechos.get(impl.pk, ""),
        )
        for impl in registros
    ]


def _chaves(da_aba):
    def chaves(busca: Busca, limite: int) -> list:
        qs = da_aba("decididos", busca).order_by("-validado_em", "id")
        return list(qs.values_list("validado_em", flat=True)[:limite])

    return chaves


_APROVADORES = _("ou quem o ambiente nomeia como aprovador")

# Registered by FabricaConfig.ready, beside the budgets' kind.
VALIDAR_IMPLANTACAO = TipoDecisao(
    nome=NOME,
    rotulo=_("Implantações a validar"),
    permissao="fabrica.decidir_implantacao",
    listar=_listar_validacoes,
    da_aba=_validacoes_da_aba,
    chaves=_chaves(_validacoes_da_aba),
    abertas=_abertas(_validacoes_da_aba),
    construir=_construir_validacoes,
    leitura="fabrica.view_implantacao",
    quem_mais=_APROVADORES,
)
FALHA_IMPLANTACAO = TipoDecisao(
    nome=FALHA,
    rotulo=_("Implantações que falharam"),
    permissao="fabrica.decidir_implantacao",
    listar=_listar_falhas,
    da_aba=_falhas_da_aba,
    chaves=_chaves(_falhas_da_aba),
    abertas=_abertas(_falhas_da_aba),
    construir=_construir_falhas,
    leitura="fabrica.view_implantacao",
    quem_mais=_APROVADORES,
)
