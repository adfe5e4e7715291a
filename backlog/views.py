"""The board: counts, a filterable list and item detail (server-rendered, for admins)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backlog import selectors
from backlog.models import Item, Status


def exigir_operador(request: HttpRequest) -> None:
    if not request.user.has_perm("backlog.view_item"):
        raise PermissionDenied


@login_required
def quadro(request: HttpRequest) -> HttpResponse:
    exigir_operador(request)
    filtros = {k: v for k, v in request.GET.items() if k in selectors.FILTROS_ITEM and v}
    pagina = Paginator(selectors.itens(filtros), 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "backlog/quadro.html",
        {
            "contagens": selectors.contagens(),
            "pagina": pagina,
            "filtros": filtros,
            "status_opcoes": Status.choices,
        },
    )


@login_required
def item_detalhe(request: HttpRequest, pk: int) -> HttpResponse:
    exigir_operador(request)
    item = get_object_or_404(selectors.itens(), pk=pk)
    return render(
        request,
        "backlog/item.html",
        {
            "item": item,
            "eventos": selectors.eventos(item_id=item.pk).order_by("id"),
            "linhagem": selectors.linhagem(item),
            "dependentes": Item.objects.filter(dependencias__depende_de_id=item.pk).order_by("id"),
        },
    )
