"""The PO's release pages: the release (artefacts, tests, coverage, attempts, budget against
actual) with its decisions, the real hours, the zip, and a build's progress while it runs."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backlog.models import Evento, Item
from fabrica.contratos import TipoItem
from fabrica.desenvolvimento.base import NOME_DA_VERTENTE
from fabrica.desenvolvimento.pacote import zip_da_release
from fabrica.forms import DecisaoForm, MotivoObrigatorioForm
from fabrica.implantacao import selectors as selectors_de_implantacao
from fabrica.implantacao.models import Implantacao
from fabrica.implantacao.views import pagina_da_implantacao
from fabrica.models import Ambiente, Release
from fabrica.papeis import exigir
from fabrica.releases import realce, selectors, services
from fabrica.releases.caixa import TIPOS_DE_CONSTRUCAO, progresso_em_texto
from prometheus_site import vocabulario
from prometheus_site.confirmacao import Pergunta, confirmado, pedir_confirmacao
from prometheus_site.erros import ErroDominio
from prometheus_site.tipos import PedidoAutenticado


class AprovarReleaseForm(forms.Form):
    ambiente = forms.ModelChoiceField(
        label=gettext_lazy("Ambiente"),
        queryset=Ambiente.objects.filter(ativo=True).order_by("ordem", "nome"),
        to_field_name="nome",
        empty_label=None,
        error_messages={"invalid_choice": gettext_lazy("Escolha um ambiente ativo.")},
    )
    motivo = forms.CharField(label=gettext_lazy("Comentário (opcional)"), required=False, max_length=5000)


def _horas_form(release: Release, dados=None) -> forms.Form:
    vertentes = list((release.orcamento.esforco.get("horas_dev_por_vertente") if release.orcamento else {}) or [])
    campos = {
        v: forms.FloatField(
            label=f"{v} ({vocabulario.palavra('vertente', v)})",
            required=False,
            min_value=0.01,
            initial=(release.horas_reais or {}).get(v),
        )
        for v in vertentes
    }
    return type("HorasForm", (forms.Form,), campos)(dados)


def _linha_do_tempo(release: Release, sem_release: list[Item]) -> list[Evento]:
    ids = [release.item_origem_id, release.item_aprovacao_id, *(i.pk for i in sem_release)]
    ids += list(Item.objects.filter(produzido_por_id=release.item_aprovacao_id).values_list("pk", flat=True))
    # A fix that found nothing to fix: its assembly's conclusion says so.
    ids += list(
        Item.objects.filter(produzido_por__in=[i.pk for i in sem_release], tipo=TipoItem.MONTAR_RELEASE).values_list(
            "pk", flat=True
        )
    )
    return list(
        Evento.objects.filter(item_id__in=[i for i in ids if i]).select_related("item").order_by("criado_em", "id")
    )


def _orcado_e_real(release: Release) -> list[dict]:
    orcamento = release.orcamento
    por_vertente = (orcamento.esforco.get("horas_dev_por_vertente") if orcamento else {}) or {}
    linhas = []
    for v in release.spec.vertentes:
        recursos = release.recursos.get(v, {})
        linhas.append(
            {
                "vertente": v,
                "orcado": por_vertente.get(v),
                "real_release": (release.horas_reais or {}).get(v),
                "real_orcamento": ((orcamento.horas_reais if orcamento else None) or {}).get(v),
                "worker_s": recursos.get("total_s"),
                "gerar_s": recursos.get("gerar_s"),
                "testar_s": recursos.get("testar_s"),
                "corrigir_s": recursos.get("corrigir_s"),
                "execucoes": recursos.get("execucoes", []),
            }
        )
    return linhas


@login_required
def release(request: PedidoAutenticado, pk: int) -> HttpResponse:
    exigir(request, "fabrica.view_release")
    if request.htmx.target == "implantacoes-da-release":
        # While a deployment is asked for or running, the page polls only this part of itself.
        objeto = get_object_or_404(Release.objects.select_related("spec"), pk=pk)
        return render(request, "fabrica/_release_implantacoes.html", _implantacoes_da_release(objeto))
    return _pagina_da_release(request, pk)


def construtor(nome: str, conjunto: str) -> str:
    """The generator's or corrector's name in a sentence: its word, or "modelo <name>" (docs/modelo.md)."""
    if nome.startswith("modelo:"):
        return _("modelo %(nome)s") % {"nome": nome.removeprefix("modelo:")}
    palavra = vocabulario.palavra(conjunto, nome)
    return palavra[:1].lower() + palavra[1:]


def _implantacoes_da_release(release: Release) -> dict:
    """Where the release went: each environment's newest deployment, every deployment, and the
    deployments asked for that no worker took yet (the approval's result, before a reload)."""
    implantacoes = list(release.implantacoes.select_related("ambiente").defer("log").order_by("-id")[:20])
    pedidas = selectors.implantacoes_pedidas(release) if release.status == Release.Status.APROVADA else []
    por_ambiente = _por_ambiente(release)
    return {
        "release": release,
        "implantacoes": implantacoes,
        "por_ambiente": por_ambiente,
        "situacao": _situacao(release, por_ambiente),
        "pedidas": pedidas,
        "acompanhar": bool(pedidas) or any(i.em_curso for i in implantacoes),
    }


def _pagina_da_release(
    request: HttpRequest, pk: int, *, forms_dados: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    """The release page; ``forms_dados`` replaces a decision's blank form with the one refused,
    so its error shows at the field and what was typed stays in it."""
    objeto = get_object_or_404(selectors.releases(), pk=pk)
    artefatos = [
        {**a, "html": realce.realcar(a["caminho"], a["conteudo"], a["sha256"]), "linhas": a["conteudo"].count("\n") + 1}
        for a in sorted(objeto.artefatos, key=lambda a: (a["vertente"] or "~", a["papel"], a["caminho"]))
    ]
    tentativas = selectors.tentativas(objeto)
    contadas = [
        {
            **t,
            "diff_html": realce.realcar_diff(t.get("diff", "")),
            "corretor_rotulo": construtor(t["corretor"], "corretor"),
        }
        for t in tentativas["contadas"]
    ]
    sem_release = list(selectors.correcoes_sem_release(objeto))
    geracao = [
        {
            **g,
            "diff_html": realce.realcar_diff(g.get("diff", "")),
            "gerador_rotulo": construtor(g["gerador"], "gerador"),
        }
        for g in objeto.geracao
    ]
    feita_por = objeto.construida_por or {}
    padrao = selectors_de_implantacao.ambiente_padrao()
    return render(
        request,
        "fabrica/release.html",
        {
            "release": objeto,
            "artefatos": artefatos,
            "testes": selectors.testes_por_vertente(objeto),
            "tentativas": contadas,
            "nada_a_tentar": tentativas["nada_a_tentar"],
            **_comparacao(objeto),
            "nada_a_corrigir": sem_release,
            "geracao": geracao,
            "pendencias_sem_modelo": any(not p.get("implementada_por") for p in objeto.pendencias),
            "gerador": construtor(feita_por.get("gerador", ""), "gerador"),
            "corretor": construtor(feita_por.get("corretor", ""), "corretor"),
            "orcado_e_real": _orcado_e_real(objeto),
            "tokens_modelo": selectors.tokens_do_modelo(objeto),
            "estouro": selectors.estouro(objeto),
            "eventos": _linha_do_tempo(objeto, sem_release),
            "pode_decidir": request.user.has_perm("fabrica.decidir_release"),
            "form_aprovar": (forms_dados or {}).get("aprovar") or AprovarReleaseForm(initial={"ambiente": padrao}),
            "tem_ambiente": padrao is not None,
            "form_rejeitar": (forms_dados or {}).get("rejeitar") or MotivoObrigatorioForm(),
            "form_horas": _horas_form(objeto),
            "nomes": NOME_DA_VERTENTE,
            # A failed deployment must be findable from the release it deployed.
            **_implantacoes_da_release(objeto),
            "correcoes": selectors.correcoes_pedidas(objeto) if objeto.status != Release.Status.ABERTA else [],
        },
        status=status,
    )


def _comparacao(release: Release) -> dict:
    """A hotfix's comparison with the release it fixes, its diffs highlighted, and why nothing
    changed when nothing did."""
    comparacao = selectors.comparacao_com_a_corrigida(release)
    if comparacao is None:
        return {"comparacao": None}
    alterados = [{"arquivo": a, "diff_html": realce.realcar_diff(a.diff)} for a in comparacao.alterados]
    grupos = [
        ("corrigidos", _("Corrigidos: falhavam e agora passam"), comparacao.corrigidos, True),
        ("ainda_falhando", _("Ainda falhando"), comparacao.ainda_falhando, True),
        ("novas_falhas", _("Falhas novas: passavam (ou não existiam) e agora falham"), comparacao.novas_falhas, True),
        ("novos_passando", _("Testes novos que passam"), comparacao.novos_passando, False),
        ("sumidos", _("Testes que deixaram de existir"), comparacao.sumidos, False),
    ]
    return {
        "grupos_de_teste": [{"grupo": g, "titulo": t, "lista": lista, "aberto": a} for g, t, lista, a in grupos],
        "pedido": selectors.pedido_de_correcao(release),
        "comparacao": comparacao,
        "alterados": alterados,
        "por_que": selectors.por_que_nada_mudou(release) if comparacao.nada_mudou else "",
    }


def _por_ambiente(release: Release) -> list[Implantacao]:
    """What happened to the release in each environment: its newest deployment there (status,
    validation, a failure and its decision), in the environments' order. One query."""
    ultimas: dict[int, Implantacao] = {}
    for impl in (
        Implantacao.objects.filter(release=release, tipo=Implantacao.Tipo.IMPLANTACAO)
        .select_related("ambiente")
        .defer("log")
        .order_by("id")
    ):
        ultimas[impl.ambiente_id] = impl
    return sorted(ultimas.values(), key=lambda i: (i.ambiente.ordem, i.ambiente.nome))


def _situacao(release: Release, por_ambiente: list[Implantacao]) -> str:
    """The release's status tile: "aprovada" until its newest deployment failed or was refused,
    then what happened and where (the per-environment list below says the same)."""
    ultima = max(por_ambiente, key=lambda i: i.pk, default=None)
    if release.status != Release.Status.APROVADA or ultima is None:
        return str(release.get_status_display())
    if ultima.validacao == Implantacao.Validacao.RECUSADA:
        estado = ultima.get_validacao_display()
    elif ultima.status == Implantacao.Status.FALHOU:
        estado = ultima.get_status_display()
    else:
        return str(release.get_status_display())
    return _("%(estado)s em %(ambiente)s") % {"estado": estado, "ambiente": ultima.ambiente.nome}


_DECISOES = {
    "aprovar": gettext_lazy("Release aprovada: a implantação foi solicitada."),
    "rejeitar": gettext_lazy("Release rejeitada: a correção foi solicitada."),
}


@require_POST
@login_required
def release_decidir(request: PedidoAutenticado, pk: int, decisao: str) -> HttpResponse:
    exigir(request, "fabrica.decidir_release")
    if decisao not in _DECISOES:
        raise Http404
    form = AprovarReleaseForm(request.POST) if decisao == "aprovar" else MotivoObrigatorioForm(request.POST)
    if not form.is_valid():
        # Shown at the field, with what was typed kept: the page again, not a redirect.
        return _pagina_da_release(request, pk, forms_dados={decisao: form}, status=400)
    if decisao == "rejeitar" and not confirmado(request):
        objeto = get_object_or_404(Release, pk=pk)
        if objeto.status == Release.Status.ABERTA:
            return pedir_confirmacao(request, _pergunta_rejeitar(objeto, form.cleaned_data["motivo"]))
    try:
        if decisao == "aprovar":
            services.release_aprovar(
                release_id=pk,
                por=request.user,
                ambiente=form.cleaned_data["ambiente"].nome,
                motivo=form.cleaned_data["motivo"],
            )
        else:
            services.release_rejeitar(release_id=pk, por=request.user, motivo=form.cleaned_data["motivo"])
    except ErroDominio as exc:
        messages.error(request, exc.mensagem)
    else:
        messages.success(request, _DECISOES[decisao])
    return redirect("release", pk=pk)


def _pergunta_rejeitar(objeto: Release, motivo: str) -> Pergunta:
    voltar = reverse("release", args=[objeto.pk])
    return Pergunta(
        titulo=_("Rejeitar a release %(r)s?") % {"r": objeto.rotulo_versao},
        texto=_(
            "Ela não será implantada; o seu motivo vira o pedido de correção. "
            "A decisão fica registrada e não pode ser desfeita."
        ),
        acao=reverse("release-decidir", args=[objeto.pk, "rejeitar"]),
        botao=_("Rejeitar"),
        voltar=voltar,
        voltar_rotulo=_("Release %(r)s") % {"r": objeto.rotulo_versao},
        campos={"motivo": motivo},
        citacao=motivo,
    )


@require_POST
@login_required
def implantacao_rejeitar_release(request: PedidoAutenticado, pk: int) -> HttpResponse:
    """Rejects the release of a failed deployment (``corrigir_bug`` with the failure), after a
    confirmation (a dialog, or a page of its own without JavaScript). Lives here, not in
    fabrica.implantacao: it decides a release."""
    exigir(request, "fabrica.decidir_implantacao", "fabrica.decidir_release")
    form = DecisaoForm(request.POST)
    if not form.is_valid():
        # Shown at the field, with what was typed kept: the page again, not a redirect.
        return pagina_da_implantacao(request, pk, form_rejeitar=form, status=400)
    motivo = form.cleaned_data["motivo"]
    if not confirmado(request):
        impl = get_object_or_404(Implantacao.objects.select_related("ambiente", "release"), pk=pk)
        return pedir_confirmacao(
            request,
            Pergunta(
                titulo=_("Rejeitar a release %(release)s?") % {"release": impl.versao},
                texto=_(
                    "A release não será mais implantada; uma correção é pedida com a falha como erro. "
                    "A decisão fica registrada e não pode ser desfeita."
                ),
                acao=reverse("implantacao-rejeitar-release", args=[impl.pk]),
                botao=_("Rejeitar a release"),
                voltar=reverse("implantacao", args=[impl.pk]),
                voltar_rotulo=_("Implantação #%(n)s") % {"n": impl.pk},
                campos={"motivo": motivo},
                citacao=motivo,
            ),
        )
    try:
        release = services.release_rejeitar_por_falha(implantacao_id=pk, por=request.user, motivo=motivo)
    except ErroDominio as exc:
        messages.error(request, exc.mensagem)
    else:
        messages.success(
            request,
            _("Release %(release)s rejeitada: a correção foi solicitada com a falha como erro.")
            % {"release": release.rotulo_versao},
        )
    return redirect("implantacao", pk=pk)


# The hours' messages show beside the hours (the redirect lands on #esforco), not at the page's top.
NO_ESFORCO = "esforco no-lugar"


@require_POST
@login_required
def release_horas(request: PedidoAutenticado, pk: int) -> HttpResponse:
    exigir(request, "fabrica.decidir_release")
    objeto = get_object_or_404(Release, pk=pk)
    form = _horas_form(objeto, request.POST)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(f"{campo}: {' '.join(str(e) for e in m)}" for campo, m in form.errors.items()),
            extra_tags=NO_ESFORCO,
        )
        return redirect(reverse("release", args=[pk]) + "#esforco")
    horas = {v: h for v, h in form.cleaned_data.items() if h is not None}
    try:
        modelo = services.release_horas_registrar(release_id=pk, horas=horas, por=request.user)
    except ErroDominio as exc:
        messages.error(request, exc.mensagem, extra_tags=NO_ESFORCO)
    else:
        messages.success(
            request,
            _("Horas reais registradas; o modelo de precificação foi recalibrado (v%(v)s).") % {"v": modelo.versao},
            extra_tags=NO_ESFORCO,
        )
    return redirect(reverse("release", args=[pk]) + "#esforco")


@login_required
def release_zip(request: HttpRequest, pk: int) -> HttpResponse:
    exigir(request, "fabrica.view_release")
    objeto = get_object_or_404(Release, pk=pk)
    return resposta_zip(objeto)


def resposta_zip(objeto: Release) -> HttpResponse:
    resposta = HttpResponse(zip_da_release(objeto.rotulo_versao, objeto.artefatos), content_type="application/zip")
    resposta["Content-Disposition"] = f'attachment; filename="{objeto.rotulo_versao}.zip"'
    return resposta


@login_required
def construcao(request: PedidoAutenticado, item_id: int) -> HttpResponse:
    """A build's progress; once its release exists, the page goes there."""
    exigir(request, "fabrica.view_release")
    item = get_object_or_404(Item, pk=item_id, tipo__in=TIPOS_DE_CONSTRUCAO)
    feito = Release.objects.filter(item_origem=item).only("pk").first()
    andamento = selectors.construcao_do_item(item.pk)
    etapas = [
        {"vertente": v, "nome": NOME_DA_VERTENTE.get(v, ""), **e, "em": parse_datetime(e.get("em") or "")}
        for v, e in (andamento.etapas if andamento else {}).items()
    ]
    nada = selectors.nada_a_corrigir_do_item(item)
    contexto = {
        "item": item,
        "construcao": andamento,
        "etapas": etapas,
        "release": feito,
        "texto": progresso_em_texto(andamento.etapas) if andamento else "",
        # A corrigir_bug concluded without a release: nothing to fix automatically (its result says why).
        "nada_a_corrigir": nada,
        # The fixed release's spec: where a new version would come from (how to go on).
        "corrigida": Release.objects.only("spec_id", "spec_ref").filter(pk=nada["corrige_id"]).first()
        if nada
        else None,
    }
    if request.htmx:
        if feito is not None:
            resposta = HttpResponse()
            resposta["HX-Redirect"] = reverse("release", args=[feito.pk])
            return resposta
        return render(request, "fabrica/_construcao_estado.html", contexto)
    return render(request, "fabrica/construcao.html", contexto)
