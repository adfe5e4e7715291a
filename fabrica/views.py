"""The PO's pages: decision inbox, budget page with its decisions, specs and pricing requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backlog.models import Evento, Item
from fabrica import palavras, selectors
from fabrica.capacidades import selectors as capacidades
from fabrica.contratos import TipoItem
from fabrica.decisoes import caixa, services
from fabrica.forms import DecisaoForm, MotivoObrigatorioForm
from fabrica.models import Orcamento, Release, Spec
from fabrica.papeis import exigir
from fabrica.precificacao.modelo import SECOES
from fabrica.precificacao.services import orcamento_pedir
from fabrica.releases.selectors import desenvolvimentos_do_orcamento
from fabrica.specs.services import spec_atual
from prometheus_site import navegacao, vocabulario
from prometheus_site.confirmacao import Pergunta, confirmado, pedir_confirmacao
from prometheus_site.erros import ErroDominio
from prometheus_site.tipos import PedidoAutenticado
from prometheus_site.vocabulario import nome_do_ator


@login_required
def inicio(request: HttpRequest) -> HttpResponse:
    if not caixa.tipos_visiveis(request.user):
        if navegacao.pode_abrir("backlog", request.user):
            return redirect("backlog-quadro")
        raise PermissionDenied
    aba = request.GET.get("aba", "")
    if aba not in caixa.ABAS:
        aba = "decidir"
    busca = request.GET.get("q", "").strip()[:100]
    tipo = request.GET.get("tipo", "")
    valor = request.GET.get("pagina", "")
    pagina = int(valor) if valor.isdecimal() and len(valor) < 7 else 1
    dados = caixa.caixa(request.user, aba=aba, busca=busca, tipo=tipo, pagina=pagina)
    return render(request, "fabrica/inicio.html", {**dados, "aba": aba, "busca": busca})


# --- the budget page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinhaDoCalculo:
    chave: str
    nome: str
    valor: Any
    regra: str
    entradas: dict
    coeficientes: dict
    modelo: str


@dataclass(frozen=True)
class LinhaDoTempo:
    quando: Any
    item_id: int
    item: str
    evento: str
    tom: str
    quem: str


def _calculo(orc: Orcamento) -> list[LinhaDoCalculo]:
    def ordem(chave: str) -> tuple[int, str]:
        secao = chave.split(".")[0]
        return (SECOES.index(secao) if secao in SECOES else len(SECOES), chave)

    return [
        LinhaDoCalculo(
            chave=chave,
            nome=palavras.nome_do_numero(chave),
            valor=e.get("valor"),
            regra=palavras.regra(e),
            entradas=e.get("entradas") or {},
            coeficientes=e.get("coeficientes") or {},
            modelo=e.get("modelo", ""),
        )
        for chave, e in sorted(orc.explicacao.items(), key=lambda par: ordem(par[0]))
    ]


def _linha_do_tempo(orc: Orcamento) -> list[LinhaDoTempo]:
    ids = [orc.item_orcar_id, orc.item_aprovacao_id, *(g.item_id for g in orc.gaps.all())]
    eventos = (
        Evento.objects.filter(item_id__in=[i for i in ids if i]).select_related("item").order_by("criado_em", "id")
    )
    return [
        LinhaDoTempo(
            quando=e.criado_em,
            item_id=e.item_id,
            item=vocabulario.palavra("tipo_item", e.item.tipo),
            evento=vocabulario.palavra("evento", e.tipo),
            tom=vocabulario.tom("evento", e.tipo),
            quem=nome_do_ator(e.ator),
        )
        for e in eventos
    ]


def _gaps(orc: Orcamento, usuario: Any) -> list[dict[str, Any]]:
    """The budget's gaps; for an admin who may register capabilities, where each open one is resolved."""
    registra = capacidades.pode_registrar(usuario)
    return [
        {
            "gap": g,
            "titulo": palavras.titulo_do_gap(g.tipo_recurso, g.recurso, g.item),
            "como": palavras.como_foi_resolvido(g.item) if g.item.status == "Concluido" else "",
            "registrar_url": capacidades.registrar_url(g) if registra and g.item.status != "Concluido" else "",
        }
        for g in orc.gaps.all()
    ]


def _contexto_do_orcamento(request: HttpRequest, orc: Orcamento, **extra: Any) -> dict[str, Any]:
    parametros = list((orc.spec.conteudo.get("schema_tdd") or {}).get("parametros", {}))
    prerequisitos = selectors.prerequisitos(orc)
    pode_decidir = request.user.has_perm("fabrica.decidir_orcamento")
    atual = spec_atual(orc.spec_ref) if orc.status == Orcamento.Status.SUBSTITUIDO else None
    contexto = {
        "orc": orc,
        "versao": orc.spec.versao,
        "workers": [palavras.nome_do_worker(w) for w in orc.esforco.get("workers", [])],
        "horas_por_vertente": [
            (palavras.nome_do_worker(v), h) for v, h in (orc.esforco.get("horas_dev_por_vertente") or {}).items()
        ],
        "tokens_por_vertente": [
            (palavras.nome_do_worker(v), n) for v, n in (orc.esforco.get("tokens_modelo_por_vertente") or {}).items()
        ],
        "calculo": _calculo(orc),
        "gaps": _gaps(orc, request.user),
        "prerequisitos": prerequisitos,
        "prerequisitos_pendentes": [p for p in prerequisitos if not p.satisfeito],
        "parametros": parametros,
        "casos": [[caso.get(p) for p in parametros] for caso in orc.casos_teste],
        "eventos": _linha_do_tempo(orc),
        "pode_decidir": pode_decidir,
        "somente_leitura": not pode_decidir,
        "spec_atual": atual,
        "orcamento_atual": selectors.orcamento_vigente(atual) if atual else None,
        "proximo": caixa.proximo(request.user, exceto=("orcamento", orc.pk))
        if pode_decidir and orc.status != Orcamento.Status.ABERTO
        else None,
        "forms": {"aprovar": DecisaoForm(), "ajustar": MotivoObrigatorioForm(), "rejeitar": MotivoObrigatorioForm()},
        "desenvolvimentos": desenvolvimentos_do_orcamento(orc),
    }
    contexto.update(extra)
    return contexto


@login_required
def orcamento(request: HttpRequest, pk: int) -> HttpResponse:
    exigir(request, "fabrica.view_orcamento")
    orc = get_object_or_404(selectors.orcamentos(), pk=pk)
    return render(request, "fabrica/orcamento.html", _contexto_do_orcamento(request, orc))


@dataclass(frozen=True)
class Decisao:
    servico: Any
    form: type[DecisaoForm]
    sucesso: Any
    nivel: int
    tom: str  # the banner's colour (prometheus_site.vocabulario.TONS): a rejection is never green
    confirmar: bool  # asks "are you sure?" first


_DECISOES = {
    "aprovar": Decisao(
        services.orcamento_aprovar,
        DecisaoForm,
        gettext_lazy("Orçamento aprovado: o desenvolvimento foi solicitado."),
        messages.SUCCESS,
        "ok",
        confirmar=False,
    ),
    "ajustar": Decisao(
        services.orcamento_ajustar,
        MotivoObrigatorioForm,
        gettext_lazy("Orçamento devolvido para ajuste da spec."),
        messages.INFO,
        "alerta",
        confirmar=True,
    ),
    "rejeitar": Decisao(
        services.orcamento_rejeitar,
        MotivoObrigatorioForm,
        gettext_lazy("Orçamento rejeitado."),
        messages.INFO,
        "perigo",
        confirmar=True,
    ),
}


@require_POST
@login_required
def orcamento_decidir(request: HttpRequest, pk: int, decisao: str) -> HttpResponse:
    exigir(request, "fabrica.decidir_orcamento")
    if decisao not in _DECISOES:
        raise Http404
    d = _DECISOES[decisao]
    form = d.form(request.POST)
    if not form.is_valid():
        # Shown at the field, with what was typed kept: the page again, not a redirect.
        orc = get_object_or_404(selectors.orcamentos(), pk=pk)
        forms = _contexto_do_orcamento(request, orc)["forms"]
        forms[decisao] = form
        return render(
            request,
            "fabrica/orcamento.html",
            _contexto_do_orcamento(request, orc, forms=forms, decisao_invalida=decisao),
            status=400,
        )
    orc = get_object_or_404(Orcamento, pk=pk)
    if d.confirmar and not confirmado(request) and orc.status == Orcamento.Status.ABERTO:
        # Without JavaScript (or when the dialog was skipped) the confirmation is a page of its
        # own; a budget decided meanwhile skips it and gets the service's refusal below.
        return pedir_confirmacao(request, _pergunta_do_orcamento(orc, decisao, form.cleaned_data["motivo"], d.tom))
    try:
        d.servico(orcamento_id=pk, por=request.user, motivo=form.cleaned_data["motivo"])
    except ErroDominio as exc:
        messages.error(request, exc.mensagem)
    else:
        messages.add_message(request, d.nivel, d.sucesso, extra_tags=f"tom-{d.tom} decisao")
    return redirect("orcamento", pk=pk)


def _pergunta_do_orcamento(orc: Orcamento, decisao: str, motivo: str, tom: str) -> Pergunta:
    if decisao == "rejeitar":
        titulo = _("Rejeitar o orçamento #%(n)s?") % {"n": orc.pk}
        texto = _("Nada será desenvolvido. A decisão fica registrada e não pode ser desfeita.")
        botao = _("Rejeitar")
    else:
        titulo = _("Devolver o orçamento #%(n)s para ajuste?") % {"n": orc.pk}
        texto = _(
            "A spec volta para quem a escreveu com o seu pedido, e este orçamento se encerra. "
            "A decisão fica registrada e não pode ser desfeita."
        )
        botao = _("Devolver para ajuste")
    return Pergunta(
        titulo=titulo,
        texto=texto,
        acao=reverse("orcamento-decidir", args=[orc.pk, decisao]),
        botao=botao,
        voltar=reverse("orcamento", args=[orc.pk]),
        voltar_rotulo=_("Orçamento #%(n)s — %(spec)s") % {"n": orc.pk, "spec": orc.spec_ref},
        tom=tom,
        campos={"motivo": motivo},
        citacao=motivo,
    )


# --- specs and pricing requests -------------------------------------------------------------------


def _vigentes(specs: list[Spec]) -> dict[int, Orcamento]:
    return {
        o.spec_id: o
        for o in Orcamento.objects.filter(spec__in=specs, status__in=Orcamento.VIGENTES).select_related(
            "item_aprovacao"
        )
    }


@login_required
def specs(request: HttpRequest) -> HttpResponse:
    exigir(request, "fabrica.view_spec")
    lista = list(selectors.specs_atuais().defer("texto"))
    vigentes = _vigentes(lista)
    return render(
        request,
        "fabrica/specs.html",
        {
            "specs": [{"spec": s, "versao": s.versao, "orcamento": vigentes.get(s.pk)} for s in lista],
            "pode_orcar": request.user.has_perm("fabrica.solicitar_orcamento"),
        },
    )


@login_required
def spec(request: HttpRequest, pk: int) -> HttpResponse:
    exigir(request, "fabrica.view_spec")
    objeto = get_object_or_404(Spec, pk=pk)
    versoes = list(selectors.specs(objeto.spec_id).defer("texto", "conteudo")[:50])  # the newest
    return render(
        request,
        "fabrica/spec.html",
        {
            "spec": objeto,
            "versao": objeto.versao,
            "atual": versoes[0] if versoes else objeto,
            "versoes": [(v, v.versao) for v in versoes],
            "vigente": selectors.orcamento_vigente(objeto),
            "orcamentos": [
                (o, o.spec.versao)
                for o in Orcamento.objects.filter(spec__spec_id=objeto.spec_id)
                .select_related("item_aprovacao", "spec")
                .order_by("-id")[:20]
            ],
            "pode_orcar": request.user.has_perm("fabrica.solicitar_orcamento"),
            # What was built from this spec, newest first (issue 17 item 7: spec ↔ release).
            "releases": Release.objects.filter(spec__spec_id=objeto.spec_id)
            .only("pk", "spec_ref", "versao", "tipo", "status", "criado_em")
            .order_by("-id")[:20],
        },
    )


@require_POST
@login_required
def spec_orcar(request: PedidoAutenticado, pk: int) -> HttpResponse:
    exigir(request, "fabrica.solicitar_orcamento")
    objeto = get_object_or_404(Spec, pk=pk)
    try:
        pedido = orcamento_pedir(spec=objeto, por=request.user)
    except ErroDominio as exc:
        messages.error(request, exc.mensagem)
        return redirect("spec", pk=pk)
    if pedido.orcamento is not None:
        orc = pedido.orcamento
        messages.info(
            request,
            _("Esta versão de %(spec)s já foi orçada como #%(n)s (%(situacao)s): nenhum orçamento novo foi pedido.")
            % {"spec": orc.spec_ref, "n": orc.pk, "situacao": vocabulario.palavra("orcamento", orc.situacao)},
        )
        return redirect("orcamento", pk=orc.pk)
    if not pedido.novo:
        messages.info(request, _("Esta versão já está sendo precificada; acompanhe aqui."))
    else:
        messages.info(request, _("Orçamento solicitado; a precificação roda em segundo plano."))
    assert pedido.item is not None  # no budget yet: the item pricing it
    return redirect("orcar-progresso", item_id=pedido.item.pk)


@login_required
def orcar_progresso(request: PedidoAutenticado, item_id: int) -> HttpResponse:
    exigir(request, "fabrica.view_orcamento")
    item = get_object_or_404(Item, pk=item_id, tipo=TipoItem.ORCAR_SPEC)
    orc = Orcamento.objects.filter(item_orcar=item).first()
    resultado = item.resultado or {}
    if orc is None and item.status == "Concluido" and resultado.get("spec_recursos_id"):
        # Concluded without a budget of its own: the version had one already (resultado.ja_orcada).
        orc = Orcamento.objects.filter(pk=resultado["spec_recursos_id"]).first()
    contexto = {"item": item, "orc": orc}
    if request.htmx:
        if orc is not None:
            resposta = HttpResponse()
            resposta["HX-Redirect"] = reverse("orcamento", args=[orc.pk])
            return resposta
        return render(request, "fabrica/_orcar_estado.html", contexto)
    return render(request, "fabrica/orcar_progresso.html", contexto)
