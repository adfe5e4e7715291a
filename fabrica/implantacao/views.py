"""Deployment pages: the environments and what runs where, one environment's history and
rollback, one deployment with its log (streamed while it runs) and the PO's decisions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fabrica.implantacao import selectors
from fabrica.implantacao import services as servicos
from fabrica.implantacao.forms import ReversaoForm, ValidacaoForm
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente
from fabrica.papeis import exigir
from prometheus_site.confirmacao import Pergunta, confirmado, pedir_confirmacao
from prometheus_site.erros import ErroDominio
from prometheus_site.tipos import PedidoAutenticado

POR_PAGINA = 50


@login_required
def ambientes(request: HttpRequest) -> HttpResponse:
    exigir(request, "fabrica.view_ambiente", "fabrica.view_implantacao")
    lista = list(selectors.ambientes())
    servindo = selectors.servindo([a.pk for a in lista])
    em_curso = {
        i.ambiente_id: i
        for i in Implantacao.objects.filter(status=Implantacao.Status.EM_ANDAMENTO).select_related("release")
    }
    ordem, caminhos = selectors.caminho_das_releases()
    return render(
        request,
        "fabrica/implantacao/ambientes.html",
        {
            "ambientes": [
                {"ambiente": a, "servindo": servindo.get(a.pk, []), "em_curso": em_curso.get(a.pk)} for a in lista
            ],
            "ordem": ordem,
            "caminhos": caminhos,
        },
    )


@login_required
def ambiente(request: HttpRequest, nome: str) -> HttpResponse:
    exigir(request, "fabrica.view_ambiente", "fabrica.view_implantacao")
    return _pagina_do_ambiente(request, nome)


def _pagina_do_ambiente(
    request: HttpRequest, nome: str, *, form: ReversaoForm | None = None, status: int = 200
) -> HttpResponse:
    """The environment page; a refused rollback comes back with its error at the field and
    what was typed kept in its row's form."""
    objeto = get_object_or_404(selectors.ambientes(), nome=nome)
    servindo = selectors.servindo([objeto.pk]).get(objeto.pk, [])
    valor = request.GET.get("pagina", "")
    pagina = Paginator(selectors.implantacoes(ambiente=objeto.nome).defer("log"), POR_PAGINA).get_page(
        int(valor) if valor.isdecimal() and len(valor) < 7 else 1
    )
    pode_reverter = request.user.has_perm("fabrica.reverter_implantacao")
    reversoes = (
        {s.spec_ref: selectors.releases_para_reverter(objeto, s.spec_ref) for s in servindo} if pode_reverter else {}
    )
    recusado = str(form.data.get("spec_ref", "")) if form is not None else ""
    if form is not None and not reversoes.get(recusado):
        # No row of the page holds this form: its errors go up top, each naming its field.
        messages.error(
            request,
            " ".join(
                f"{form.fields[c].label or c}: {' '.join(str(e) for e in erros)}" for c, erros in form.errors.items()
            ),
        )
    return render(
        request,
        "fabrica/implantacao/ambiente.html",
        {
            "ambiente": objeto,
            "servindo": [
                {"s": s, "para": reversoes.get(s.spec_ref, []), "form": form if s.spec_ref == recusado else None}
                for s in servindo
            ],
            "em_curso": selectors.em_curso(objeto.pk),
            "pagina": pagina,
            "pode_reverter": pode_reverter,
            "retencao": servicos.retencao_de(objeto),
            "proximo": selectors.proximo_ambiente(objeto),
        },
        status=status,
    )


@require_POST
@login_required
def ambiente_reverter(request: PedidoAutenticado, nome: str) -> HttpResponse:
    exigir(request, "fabrica.reverter_implantacao")
    objeto = get_object_or_404(Ambiente, nome=nome)
    form = ReversaoForm(request.POST)
    if not form.is_valid():
        return _pagina_do_ambiente(request, nome, form=form, status=400)
    if not confirmado(request):
        voltar = reverse("ambiente", args=[objeto.nome])
        return pedir_confirmacao(
            request,
            Pergunta(
                titulo=_("Reverter %(spec)s em %(nome)s?")
                % {"spec": form.cleaned_data["spec_ref"], "nome": objeto.nome},
                texto=_("A release escolhida volta a rodar no lugar da atual. A reversão fica registrada."),
                acao=reverse("ambiente-reverter", args=[objeto.nome]),
                botao=_("Reverter"),
                voltar=voltar,
                voltar_rotulo=_("Ambiente %(nome)s") % {"nome": objeto.nome},
                campos={k: form.cleaned_data[k] for k in ("spec_ref", "release", "motivo")},
                citacao=form.cleaned_data["motivo"],
            ),
        )
    try:
        item = servicos.reversao_solicitar(
            ambiente_id=objeto.pk,
            spec_ref=form.cleaned_data["spec_ref"],
            release_id=form.cleaned_data["release"],
            por=request.user,
            motivo=form.cleaned_data["motivo"],
        )
    except ErroDominio as exc:
        messages.error(request, exc.mensagem)
    else:
        messages.success(
            request,
            _("Reversão solicitada (item #%(n)s): roda em segundo plano, antes das implantações na fila.")
            % {"n": item.pk},
        )
    return redirect("ambiente", nome=nome)


def _caminho_da_release(impl: Implantacao) -> list[dict]:
    """The release's path through the environments, in order: its newest record in each."""
    if impl.release_id is None:
        return []
    registros: dict[int, Implantacao] = {}
    for r in (
        Implantacao.objects.filter(release_id=impl.release_id, tipo=Implantacao.Tipo.IMPLANTACAO)
        .defer("log")
        .order_by("id")
    ):
        registros[r.ambiente_id] = r
    return [{"ambiente": a, "implantacao": registros.get(a.pk)} for a in Ambiente.objects.order_by("ordem", "nome")]


@login_required
def implantacao(request: PedidoAutenticado, pk: int) -> HttpResponse:
    exigir(request, "fabrica.view_implantacao")
    return pagina_da_implantacao(request, pk)


def pagina_da_implantacao(
    request: PedidoAutenticado,
    pk: int,
    *,
    form: ValidacaoForm | None = None,
    form_rejeitar: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The deployment page; a refused validation, or a refused comment to reject the release of
    a failed deployment, comes back with its error at the field and what was typed kept in it."""
    impl = get_object_or_404(selectors.implantacoes(), pk=pk)
    pode_decidir = request.user.has_perm("fabrica.decidir_implantacao")
    falha_pendente = impl.falha == Implantacao.Falha.PENDENTE
    aprovador = servicos.aprovador_do_ambiente(request.user, impl.ambiente)
    return render(
        request,
        "fabrica/implantacao/implantacao.html",
        {
            "impl": impl,
            "pode_validar": pode_decidir
            and impl.validacao == Implantacao.Validacao.PENDENTE
            and servicos.aprovador_do_ambiente(request.user, impl.ambiente),
            "pode_promover": pode_decidir
            and impl.promocao == Implantacao.Promocao.OFERECIDA
            and impl.promover_para is not None
            and servicos.aprovador_do_ambiente(request.user, impl.promover_para),
            "nao_aprovador": pode_decidir
            and (impl.validacao == Implantacao.Validacao.PENDENTE or falha_pendente)
            and not aprovador,
            "pode_repetir": pode_decidir and falha_pendente and aprovador,
            "pode_rejeitar_release": pode_decidir
            and falha_pendente
            and aprovador
            and request.user.has_perm("fabrica.decidir_release"),
            "trecho": servicos.trecho_da_falha(impl) if impl.status == Implantacao.Status.FALHOU else "",
            "repeticoes": impl.repeticoes.order_by("id"),
            "caminho": _caminho_da_release(impl),
            "reversoes": impl.reversoes.order_by("id"),
            "promocoes": impl.promocoes.select_related("ambiente").order_by("id"),
            "form": form or ValidacaoForm(),
            "form_rejeitar": form_rejeitar,
            # A refusal's (or a rejected failure's) result: the fix it asked for, and its hotfix.
            "correcoes": selectors.correcoes_pedidas(spec_ref=impl.spec_ref, implantacao_ref=str(impl.pk))
            if impl.validacao == Implantacao.Validacao.RECUSADA or impl.falha == Implantacao.Falha.REJEITADA
            else [],
        },
        status=status,
    )


@login_required
def implantacao_log(request: PedidoAutenticado, pk: int) -> HttpResponse:
    """The log while it runs (htmx polls it); once the record ends, the page reloads itself."""
    exigir(request, "fabrica.view_implantacao")
    impl = get_object_or_404(Implantacao.objects.only("id", "status", "log"), pk=pk)
    if request.htmx and not impl.em_curso:
        resposta = HttpResponse()
        resposta["HX-Refresh"] = "true"
        return resposta
    return render(request, "fabrica/implantacao/_log.html", {"impl": impl})


def _decidir(request: HttpRequest, pk: int, acao) -> HttpResponse:
    try:
        mensagem = acao()
    except ErroDominio as exc:
        messages.error(request, exc.mensagem)
    else:
        messages.success(request, mensagem)
    return redirect("implantacao", pk=pk)


def _pedir_implantacao(request: PedidoAutenticado, pk: int, pedir) -> HttpResponse:
    """A retry or a promotion asks for a new deployment the worker creates later: the PO lands on
    the release page, whose deployments part shows it asked for and polls itself until it exists,
    then links it (the same part as after approving the release; a reload shows the link too)."""
    try:
        item = pedir()
    except ErroDominio as exc:
        messages.error(request, exc.mensagem)
        return redirect("implantacao", pk=pk)
    impl = get_object_or_404(Implantacao.objects.only("pk", "release_id"), pk=pk)
    messages.success(
        request,
        _("Nova implantação em %(ambiente)s solicitada: ela aparece em Implantações, abaixo, assim que começar.")
        % {"ambiente": item.contexto.get("ambiente")},
    )
    return redirect(reverse("release", args=[impl.release_id]) + "#implantacoes-da-release")


@require_POST
@login_required
def implantacao_validar(request: PedidoAutenticado, pk: int) -> HttpResponse:
    exigir(request, "fabrica.decidir_implantacao")
    form = ValidacaoForm(request.POST)
    if not form.is_valid():
        if "decisao" in form.errors:
            messages.error(request, " ".join(str(m) for erros in form.errors.values() for m in erros))
            return redirect("implantacao", pk=pk)
        return pagina_da_implantacao(request, pk, form=form, status=400)
    aprovado = form.cleaned_data["decisao"] == "validar"
    if not aprovado and not confirmado(request):
        impl = get_object_or_404(Implantacao.objects.select_related("ambiente"), pk=pk)
        if impl.validacao == Implantacao.Validacao.PENDENTE:
            observacao = form.cleaned_data["observacao"]
            return pedir_confirmacao(
                request,
                Pergunta(
                    titulo=_("Recusar a implantação #%(n)s e reverter %(nome)s?")
                    % {"n": impl.pk, "nome": impl.ambiente.nome},
                    texto=_(
                        "O ambiente volta para a release anterior e a sua observação vira o pedido de correção. "
                        "A decisão fica registrada e não pode ser desfeita."
                    ),
                    acao=reverse("implantacao-validar", args=[impl.pk]),
                    botao=_("Recusar e reverter"),
                    voltar=reverse("implantacao", args=[impl.pk]),
                    voltar_rotulo=_("Implantação #%(n)s") % {"n": impl.pk},
                    campos={"decisao": "recusar", "observacao": observacao},
                    citacao=observacao,
                ),
            )

    def validar() -> str:
        impl = servicos.implantacao_validar(
            implantacao_id=pk, por=request.user, aprovado=aprovado, observacao=form.cleaned_data["observacao"]
        )
        if aprovado and impl.promover_para:
            return _("Implantação validada; promover para %(ambiente)s está à sua disposição.") % {
                "ambiente": impl.promover_para.nome
            }
        if aprovado:
            return _("Implantação validada.")
        return _("Implantação recusada: a reversão e a correção foram solicitadas.")

    return _decidir(request, pk, validar)


@require_POST
@login_required
def implantacao_promover(request: PedidoAutenticado, pk: int) -> HttpResponse:
    exigir(request, "fabrica.decidir_implantacao")
    if not confirmado(request):
        impl = get_object_or_404(Implantacao.objects.select_related("promover_para", "release"), pk=pk)
        if impl.promocao == Implantacao.Promocao.OFERECIDA and impl.promover_para is not None:
            para = impl.promover_para.nome
            return pedir_confirmacao(
                request,
                Pergunta(
                    titulo=_("Implantar %(r)s em %(para)s?") % {"r": impl.versao, "para": para},
                    texto=_(
                        "A implantação em %(para)s começa em seguida e substitui o que roda lá; "
                        "voltar atrás será uma reversão."
                    )
                    % {"para": para},
                    acao=reverse("implantacao-promover", args=[impl.pk]),
                    botao=_("Promover"),
                    voltar=reverse("implantacao", args=[impl.pk]),
                    voltar_rotulo=_("Implantação #%(n)s") % {"n": impl.pk},
                    tom="",
                ),
            )

    return _pedir_implantacao(request, pk, lambda: servicos.implantacao_promover(implantacao_id=pk, por=request.user))


@require_POST
@login_required
def implantacao_dispensar(request: PedidoAutenticado, pk: int) -> HttpResponse:
    exigir(request, "fabrica.decidir_implantacao")

    def dispensar() -> str:
        servicos.implantacao_dispensar_promocao(implantacao_id=pk, por=request.user)
        return _("Promoção dispensada.")

    return _decidir(request, pk, dispensar)


@require_POST
@login_required
def implantacao_repetir(request: PedidoAutenticado, pk: int) -> HttpResponse:
    """Retries a failed deployment, after a confirmation (a dialog, or this page without JavaScript)."""
    exigir(request, "fabrica.decidir_implantacao")
    if not confirmado(request):
        impl = get_object_or_404(selectors.implantacoes(), pk=pk)
        return pedir_confirmacao(
            request,
            Pergunta(
                titulo=_("Implantar %(release)s em %(ambiente)s de novo?")
                % {"release": impl.versao, "ambiente": impl.ambiente.nome},
                texto=_(
                    "Uma nova implantação da mesma release é feita no mesmo ambiente, em seu nome. "
                    "A decisão fica registrada."
                ),
                acao=reverse("implantacao-repetir", args=[impl.pk]),
                botao=_("Repetir a implantação"),
                voltar=reverse("implantacao", args=[impl.pk]),
                voltar_rotulo=_("Implantação #%(n)s") % {"n": impl.pk},
                tom="alerta",
            ),
        )

    return _pedir_implantacao(request, pk, lambda: servicos.implantacao_repetir(implantacao_id=pk, por=request.user))
