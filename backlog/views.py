"""The board: counts, a filterable list and item detail (server-rendered, for admins)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backlog import selectors
from backlog.models import Item, Status

# The board is the operators': admins manage items (retry, cancel), so it asks for that right.
# The PO follows items through their budgets and never sees the board (nor its link).
PERMISSAO_QUADRO = "backlog.change_item"


def pode_ver_quadro(usuario: User | AnonymousUser) -> bool:
    return usuario.is_authenticated and bool(usuario.has_perm(PERMISSAO_QUADRO))


def exigir_operador(request: HttpRequest) -> None:
    if not pode_ver_quadro(request.user):
        raise PermissionDenied


@login_required
def quadro(request: HttpRequest) -> HttpResponse:
    exigir_operador(request)
    filtros = {k: str(v) for k, v in request.GET.items() if k in selectors.FILTROS_ITEM and v}
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
