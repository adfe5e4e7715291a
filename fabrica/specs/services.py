"""Importing specs: from the git spec repository at a commit, or from the API (docs/arquitetura.md,
"Specs")."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from fabrica.contratos import PRODUTOR
from fabrica.models import Spec
from fabrica.specs import repositorio
from fabrica.specs.formato import ErroCampo, SpecInvalida
from fabrica.specs.limite import carregar_spec_limitada
from prometheus_site.atores import ator_de
from prometheus_site.busca import normalizar

# What other apps do when a spec gets a new version, in the transaction that stores it: the
# decisions register ``orcamentos_substituir`` (``AppConfig.ready``), since they sit above specs.
NovaVersao = Callable[..., object]  # (*, nova: Spec, por: AbstractBaseUser | None)
_ao_criar_versao: list[NovaVersao] = []


def nova_versao_ouvinte_registrar(funcao: NovaVersao) -> None:
    """``funcao(nova=spec, por=user)`` runs whenever a new version of a spec is stored."""
    if funcao not in _ao_criar_versao:
        _ao_criar_versao.append(funcao)


@dataclass
class ResultadoSincronizacao:
    commit: str
    importadas: list[str] = field(default_factory=list)
    inalteradas: list[str] = field(default_factory=list)
    invalidas: dict[str, list[str]] = field(default_factory=dict)


def spec_importar(
    *,
    texto: str,
    origem: str,
    commit: str = "",
    caminho: str = "",
    commit_em: datetime | None = None,
    por: AbstractBaseUser | None = None,
) -> tuple[Spec, bool]:
    """Validates and stores one spec version; the same content twice is one version. A new
    version supersedes the open budgets of the older ones, in the same transaction
    (``orcamentos_substituir``, registered with ``nova_versao_ouvinte_registrar``).

    ``por`` is the user importing it (``None``: the factory itself), recorded as ``ator_de(por)``.
    ``commit_em``: when this version was committed, where DORA's lead time starts (None for a
    spec submitted over REST: its lead time starts at this submission, ``criado_em``).

    A spec read from the repository must carry the id of its file (``specs/<id>.yaml``).
    Returns (spec, created). Raises ``SpecInvalida`` naming every bad field, or saying that its
    validation passed the ceiling of time or memory (``fabrica.specs.limite``); nothing is stored then.
    """
    conteudo = carregar_spec_limitada(texto)
    if caminho and Path(caminho).stem != conteudo["id"]:
        # Otherwise a copied file would silently become a new version of another spec.
        raise SpecInvalida(
            [
                ErroCampo(
                    "id",
                    gettext("o id %(id)s difere do nome do arquivo %(arquivo)s (esperado: %(esperado)s)")
                    % {"id": repr(conteudo["id"]), "arquivo": caminho, "esperado": repr(Path(caminho).stem)},
                )
            ]
        )
    sha = hashlib.sha256(texto.encode("utf-8")).hexdigest()
    existente = Spec.objects.filter(spec_id=conteudo["id"], sha256=sha).first()
    if existente:
        return existente, False
    try:
        with transaction.atomic():
            # Locks the current version: a pricing of it (processar_orcar locks it too) either
            # commits its budget before this one is superseded, or sees this version and retries.
            anterior = Spec.objects.select_for_update().filter(spec_id=conteudo["id"]).order_by("-id").first()
            nova = Spec.objects.create(
                spec_id=conteudo["id"],
                titulo=conteudo["titulo"][:200],
                busca=normalizar(f"{conteudo['id']} {conteudo['titulo']}"),
                versao=anterior.versao + 1 if anterior is not None else 1,
                texto=texto,
                conteudo=conteudo,
                sha256=sha,
                commit=commit,
                commit_em=commit_em,
                caminho=caminho,
                origem=origem,
                importado_por=ator_de(por) if por is not None else PRODUTOR,
            )
            if anterior is not None:
                for funcao in _ao_criar_versao:
                    funcao(nova=nova, por=por)
            return nova, True
    except IntegrityError:  # imported concurrently by someone else: same content, same version
        return Spec.objects.get(spec_id=conteudo["id"], sha256=sha), False


def specs_sincronizar(*, caminho_repo: str | Path, por: AbstractBaseUser | None = None) -> ResultadoSincronizacao:
    """Imports every ``specs/*.yaml`` of the repository's HEAD commit; invalid files are
    reported with their errors and skipped, valid ones are imported."""
    commit, arquivos = repositorio.ler_specs(caminho_repo)
    resultado = ResultadoSincronizacao(commit=commit)
    datas = repositorio.datas_dos_commits(caminho_repo, commit, [c for c, texto in arquivos if texto is not None])
    for caminho, texto in arquivos:
        if texto is None:
            resultado.invalidas[caminho] = [gettext("(documento): o arquivo não é texto UTF-8; salve-o em UTF-8.")]
            continue
        try:
            spec, criada = spec_importar(
                texto=texto,
                origem=Spec.Origem.GIT,
                commit=commit,
                caminho=caminho,
                commit_em=datas.get(caminho),
                por=por,
            )
        except SpecInvalida as exc:
            resultado.invalidas[caminho] = [f"{e.campo or gettext('(documento)')}: {e.mensagem}" for e in exc.erros]
            continue
        (resultado.importadas if criada else resultado.inalteradas).append(spec.spec_id)
    return resultado


def spec_atual(spec_id: str) -> Spec | None:
    return Spec.objects.filter(spec_id=spec_id).order_by("-id").first()
