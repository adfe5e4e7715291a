"""Reads of deployments shared by pages, API and services, with their joins decided here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fabrica.erros import NaoEncontrado
from fabrica.implantacao.alvos import alvo_de
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente, Release
from fabrica.selectors import release_por_rotulo

Status = Implantacao.Status


def ambientes(*, ativos: bool | None = None) -> QuerySet[Ambiente]:
    qs = Ambiente.objects.select_related("exige_validacao_em").prefetch_related(
        "grupos_aprovadores", "usuarios_aprovadores"
    )
    if ativos is not None:
        qs = qs.filter(ativo=ativos)
    return qs.order_by("ordem", "nome")


def ambiente_padrao() -> Ambiente | None:
    """The first active environment in order (``Ambiente.ordem``, then name): where an approved
    release goes unless told; None when there is none."""
    return Ambiente.objects.filter(ativo=True).order_by("ordem", "nome").first()


def implantacoes(
    *,
    ambiente: str | None = None,
    spec_ref: str | None = None,
    release_id: int | None = None,
    status: str | None = None,
    validacao: str | None = None,
    tipo: str | None = None,
) -> QuerySet[Implantacao]:
    qs = Implantacao.objects.select_related(
        "ambiente", "release", "release__spec", "release_anterior", "aprovado_por", "validado_por", "promover_para"
    ).order_by("-id")
    if ambiente:
        qs = qs.filter(ambiente__nome=ambiente)
    if spec_ref:
        qs = qs.filter(spec_ref=spec_ref)
    if release_id:
        qs = qs.filter(release_id=release_id)
    if status:
        qs = qs.filter(status=status)
    if validacao is not None:
        qs = qs.filter(validacao=validacao)
    if tipo:
        qs = qs.filter(tipo=tipo)
    return qs


def vigente(ambiente_id: int, spec_ref: str) -> Implantacao | None:
    """The record that decides what serves for a spec in an environment: its newest concluded
    deployment or rollback (deployments to one environment are serialised, so the newest is the
    last switch). None when nothing was ever deployed there."""
    return (
        Implantacao.objects.select_related("release", "release_anterior")
        .filter(ambiente_id=ambiente_id, spec_ref=spec_ref, status=Status.CONCLUIDA)
        .order_by("-terminado_em", "-id")
        .first()
    )


@dataclass
class Servindo:
    spec_ref: str
    implantacao: Implantacao
    desde: datetime | None

    @property
    def release(self) -> Release | None:
        return self.implantacao.release


def servindo(ambiente_ids: list[int] | None = None) -> dict[int, list[Servindo]]:
    """What serves in each environment now, per spec, and since when: two queries for any
    number of environments and specs."""
    filtro = Q(status=Status.CONCLUIDA)
    if ambiente_ids is not None:
        filtro &= Q(ambiente_id__in=ambiente_ids)
    # The newest concluded record per (environment, spec): found as ids first, then loaded.
    ultimos: dict[tuple[int, str], int] = {}
    for pk, amb, spec in (
        Implantacao.objects.filter(filtro).order_by("terminado_em", "id").values_list("pk", "ambiente_id", "spec_ref")
    ):
        ultimos[(amb, spec)] = pk
    registros = Implantacao.objects.select_related("release", "release__spec").in_bulk(list(ultimos.values()))
    resultado: dict[int, list[Servindo]] = {}
    for (amb, spec), pk in sorted(ultimos.items(), key=lambda par: (par[0][0], par[0][1])):
        impl = registros[pk]
        if impl.release_id is None:
            continue  # rolled back to nothing: the spec does not serve there
        resultado.setdefault(amb, []).append(Servindo(spec, impl, impl.terminado_em))
    return resultado


def em_curso(ambiente_id: int) -> Implantacao | None:
    return (
        Implantacao.objects.select_related("release")
        .filter(ambiente_id=ambiente_id, status=Status.EM_ANDAMENTO)
        .first()
    )


def caminho_das_releases(*, spec_ref: str | None = None, limite: int = 30) -> tuple[list[Ambiente], list[dict]]:
    """Each recent release's path through the environments: per environment (in order) its
    newest deployment record there, and whether it serves there now. Three queries."""
    lista_ambientes = list(Ambiente.objects.order_by("ordem", "nome"))
    qs = Implantacao.objects.filter(tipo=Implantacao.Tipo.IMPLANTACAO, release__isnull=False)
    if spec_ref:
        qs = qs.filter(spec_ref=spec_ref)
    ids_releases = list(qs.order_by("-release_id").values_list("release_id", flat=True).distinct()[:limite])
    releases = Release.objects.select_related("spec").in_bulk(ids_releases)
    celulas: dict[tuple[int | None, int], Implantacao] = {}
    for impl in (
        Implantacao.objects.filter(release_id__in=ids_releases, tipo=Implantacao.Tipo.IMPLANTACAO)
        .only("id", "release_id", "ambiente_id", "status", "validacao", "terminado_em", "versao")
        .order_by("id")
    ):
        celulas[(impl.release_id, impl.ambiente_id)] = impl
    atuais = {
        (s.implantacao.release_id, amb)
        for amb, lista in servindo([a.pk for a in lista_ambientes]).items()
        for s in lista
    }
    linhas = []
    for rid in sorted(ids_releases, reverse=True):
        release = releases[rid]
        linhas.append(
            {
                "release": release,
                "celulas": [
                    {"ambiente": a, "implantacao": celulas.get((rid, a.pk)), "serve": (rid, a.pk) in atuais}
                    for a in lista_ambientes
                ],
            }
        )
    return lista_ambientes, linhas


# --- lookups the services and the pages share -----------------------------------------------------


def release_por_ref(ref: Any, *, campo: str = "release_ref") -> Release:
    """A release by its id (``"12"``) or its version label (``"spec_001-v3"``)."""
    texto = str(ref or "").strip()
    release = None
    if texto.isdecimal() and len(texto) < 19:
        release = Release.objects.select_related("spec").filter(pk=int(texto)).first()
    else:
        release = release_por_rotulo(texto)
    if release is None:
        raise NaoEncontrado(
            _("A release %(ref)s não existe.") % {"ref": texto or "''"}, {campo: [_("Release desconhecida.")]}
        )
    return release


def ambiente_por_nome(nome: Any, *, campo: str = "ambiente") -> Ambiente:
    ambiente = Ambiente.objects.filter(nome=str(nome or "")).first()
    if ambiente is None:
        raise NaoEncontrado(
            _("O ambiente %(nome)s não existe.") % {"nome": nome}, {campo: [_("Ambiente desconhecido.")]}
        )
    return ambiente


def proximo_ambiente(ambiente: Ambiente) -> Ambiente | None:
    """The next active environment after this one in order (promotion goes there)."""
    return (
        Ambiente.objects.filter(ativo=True)
        .filter(Q(ordem__gt=ambiente.ordem) | Q(ordem=ambiente.ordem, nome__gt=ambiente.nome))
        .order_by("ordem", "nome")
        .first()
    )


def releases_para_reverter(ambiente: Ambiente, spec_ref: str) -> list[Release]:
    """Earlier releases of a spec that were deployed to the environment and that its target
    still keeps, newest first, without the one serving now."""
    vig = vigente(ambiente.pk, spec_ref)
    atual = vig.release_id if vig else None
    guardadas = alvo_de(ambiente).guardadas(spec_ref)
    vistos: dict[int, Release] = {}
    for impl in (
        Implantacao.objects.select_related("release")
        .filter(ambiente=ambiente, spec_ref=spec_ref, status=Status.CONCLUIDA, release__isnull=False)
        .order_by("-terminado_em", "-id")
    ):
        release = impl.release
        assert release is not None
        if release.pk == atual or release.pk in vistos:
            continue
        if guardadas is not None and release.rotulo_versao not in guardadas:
            continue
        vistos[release.pk] = release
    return list(vistos.values())


def correcoes_pedidas(*, spec_ref: str, **contexto: str) -> list[dict[str, Any]]:
    """The ``corrigir_bug`` items of a spec whose ``contexto`` holds these values (a rejected
    release's ``feature_ref``, a refused deployment's ``implantacao_ref``), oldest first, each
    with the hotfix it built, if any: a decision's result, linked from where it was taken
    (issue 17 item 7). Two queries."""
    from backlog.models import Item
    from fabrica.contratos import TipoItem

    itens = list(
        Item.objects.filter(
            tipo=TipoItem.CORRIGIR_BUG, spec_ref=spec_ref, **{f"contexto__{k}": v for k, v in contexto.items()}
        )
        .only("pk", "tipo", "status", "resultado", "criado_em")
        .order_by("id")
    )
    feitas = {
        r.item_origem_id: r
        for r in Release.objects.filter(item_origem__in=itens).only("pk", "spec_ref", "versao", "status", "item_origem")
    }
    return [{"item": i, "release": feitas.get(i.pk)} for i in itens]
