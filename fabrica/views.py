"""The PO's pages: decision inbox, budget page with its decisions, specs and pricing requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backlog import services as backlog
from backlog.models import Evento, Item
from fabrica import selectors
from fabrica.decisoes import caixa, services
from fabrica.forms import DecisaoForm, MotivoObrigatorioForm
from fabrica.models import Orcamento, Spec
from fabrica.precificacao.modelo import SECOES
from prometheus_site.atores import ator_de
from prometheus_site.erros import ErroDominio


def exigir(request: HttpRequest, *perms: str) -> None:
    """Pages are for roles: anyone lacking one of these permissions gets 403."""
    if not all(request.user.has_perm(p) for p in perms):
        raise PermissionDenied


@login_required
def inicio(request: HttpRequest) -> HttpResponse:
    tipos = caixa.tipos_para(request.user)
    if not tipos:
        if request.user.has_perm("backlog.view_item"):
            return redirect("backlog-quadro")
        raise PermissionDenied
    aba = request.GET.get("aba") if request.GET.get("aba") in caixa.ABAS else "decidir"
    busca = request.GET.get("q", "").strip()[:100]
    tipo = request.GET.get("tipo", "")
    valor = request.GET.get("pagina", "")
    pagina = int(valor) if valor.isdecimal() and len(valor) < 7 else 1
    dados = caixa.caixa(request.user, aba=aba, busca=busca, tipo=tipo, pagina=pagina)
    return render(request, "fabrica/inicio.html", {**dados, "aba": aba, "busca": busca, "tipo": tipo})


def _linha_do_tempo(orc: Orcamento) -> list[Evento]:
    ids = [orc.item_orcar_id, orc.item_aprovacao_id, *(g.item_id for g in orc.gaps.all())]
    return list(
        Evento.objects.filter(item_id__in=[i for i in ids if i]).select_related("item").order_by("criado_em", "id")
    )


@login_required
def orcamento(request: HttpRequest, pk: int) -> HttpResponse:
    exigir(request, "fabrica.view_orcamento")
    orc = get_object_or_404(selectors.orcamentos(), pk=pk)
    explicacao = orc.explicacao
    # In the seed's order of the sections (§5.1), then by key within a section.
    linhas = sorted(
        explicacao.items(),
        key=lambda par: (SECOES.index(par[0].split(".")[0]) if par[0].split(".")[0] in SECOES else len(SECOES), par[0]),
    )
    parametros = list((orc.spec.conteudo.get("schema_tdd") or {}).get("parametros", {}))
    return render(
        request,
        "fabrica/orcamento.html",
        {
            "orc": orc,
            "explicacoes": linhas,
            "parametros": parametros,
            "casos": [[caso.get(p) for p in parametros] for caso in orc.casos_teste],
            "eventos": _linha_do_tempo(orc),
            "pode_decidir": request.user.has_perm("fabrica.decidir_orcamento"),
            "form": DecisaoForm(),
            "form_motivo": MotivoObrigatorioForm(),
        },
    )


_DECISOES = {
    "aprovar": (
        services.orcamento_aprovar,
        DecisaoForm,
        gettext_lazy("Orçamento aprovado: o desenvolvimento foi solicitado."),
    ),
    "ajustar": (
        services.orcamento_ajustar,
        MotivoObrigatorioForm,
        gettext_lazy("Orçamento devolvido para ajuste da spec."),
    ),
    "rejeitar": (services.orcamento_rejeitar, MotivoObrigatorioForm, gettext_lazy("Orçamento rejeitado.")),
}


@require_POST
@login_required
def orcamento_decidir(request: HttpRequest, pk: int, decisao: str) -> HttpResponse:
    exigir(request, "fabrica.decidir_orcamento")
    if decisao not in _DECISOES:
        raise Http404
    servico, classe_form, sucesso = _DECISOES[decisao]
    form = classe_form(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("motivo", [_("Dados inválidos.")])))
        return redirect("orcamento", pk=pk)
    try:
        servico(orcamento_id=pk, por=request.user, motivo=form.cleaned_data["motivo"])
    except ErroDominio as exc:
        messages.error(request, exc.mensagem)
    else:
        messages.success(request, sucesso)
    return redirect("orcamento", pk=pk)


@login_required
def specs(request: HttpRequest) -> HttpResponse:
    exigir(request, "fabrica.view_spec")
    ultimas: dict[str, Spec] = {}
    for spec in selectors.specs().defer("texto"):
        ultimas.setdefault(spec.spec_id, spec)
    return render(
        request,
        "fabrica/specs.html",
        {
            "specs": sorted(ultimas.values(), key=lambda s: s.spec_id),
            "pode_orcar": request.user.has_perm("fabrica.solicitar_orcamento"),
        },
    )


@login_required
def spec(request: HttpRequest, pk: int) -> HttpResponse:
    exigir(request, "fabrica.view_spec")
    objeto = get_object_or_404(Spec, pk=pk)
    return render(
        request,
        "fabrica/spec.html",
        {
            "spec": objeto,
            "versoes": selectors.specs(objeto.spec_id).defer("texto", "conteudo"),
            "orcamentos": Orcamento.objects.filter(spec__spec_id=objeto.spec_id).order_by("-id")[:20],
            "pode_orcar": request.user.has_perm("fabrica.solicitar_orcamento"),
        },
    )


@require_POST
@login_required
def spec_orcar(request: HttpRequest, pk: int) -> HttpResponse:
    exigir(request, "fabrica.solicitar_orcamento")
    objeto = get_object_or_404(Spec, pk=pk)
    item = backlog.produzir(
        tipo="orcar_spec",
        produtor=ator_de(request.user),
        contexto={"spec_ref": objeto.spec_id},
        ator=ator_de(request.user),
    )
    messages.info(request, _("Orçamento solicitado; a precificação roda em segundo plano."))
    return redirect("orcar-progresso", item_id=item.pk)


@login_required
def orcar_progresso(request: HttpRequest, item_id: int) -> HttpResponse:
    exigir(request, "fabrica.view_orcamento")
    item = get_object_or_404(Item, pk=item_id, tipo="orcar_spec")
    orc = Orcamento.objects.filter(item_orcar=item).first()
    contexto = {"item": item, "orc": orc}
    if request.htmx:
        if orc is not None:
            resposta = HttpResponse()
            resposta["HX-Redirect"] = reverse("orcamento", args=[orc.pk])
            return resposta
        return render(request, "fabrica/_orcar_estado.html", contexto)
    return render(request, "fabrica/orcar_progresso.html", contexto)
