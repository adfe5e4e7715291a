"""Capabilities of the factory; registering or enabling one resolves the gaps waiting for it."""

from __future__ import annotations

from typing import NoReturn

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backlog import services as backlog
from fabrica.capacidades.selectors import gaps_que_resolveria
from fabrica.contratos import PRODUTOR
from fabrica.erros import DadosInvalidos
from fabrica.models import Capacidade, Gap
from prometheus_site.atores import ator_de


def capacidade_salvar(
    *,
    tipo: str,
    nome: str,
    descricao: str = "",
    habilitada: bool = True,
    por: AbstractBaseUser | None,
    capacidade: Capacidade | None = None,
) -> tuple[Capacidade, list[Gap]]:
    """Creates or updates a capability; when it ends up enabled, every open gap it satisfies is
    concluded (its ``resultado`` says who and when), which unblocks the budgets waiting on them.
    ``por`` is the user acting (``None``: the factory itself, e.g. the demo data); it is recorded
    as ``ator_de(por)``.
    Returns the capability and the gaps it resolved; a duplicate or invalid one is refused
    (``DadosInvalidos`` naming the fields), also when two admins race to register it."""
    outra = Capacidade.objects.filter(tipo=tipo, nome=nome)
    if (outra.exclude(pk=capacidade.pk) if capacidade is not None and capacidade.pk else outra).exists():
        _recusar_repetida()
    ator = ator_de(por) if por is not None else PRODUTOR
    try:
        with transaction.atomic():
            if capacidade is None:
                capacidade = Capacidade(tipo=tipo, nome=nome, registrada_por=ator)
            capacidade.tipo, capacidade.nome = tipo, nome
            capacidade.descricao, capacidade.habilitada = descricao, habilitada
            capacidade.full_clean()
            capacidade.save()
            resolvidos = _resolver_gaps(capacidade, ator) if capacidade.habilitada else []
    except ValidationError as exc:
        campos = {
            ("nome" if campo == "__all__" else campo): [str(m) for m in msgs]
            for campo, msgs in exc.message_dict.items()
        }
        raise DadosInvalidos(_("A capacidade não é válida."), campos) from None
    except IntegrityError:  # registered by someone else between the check and the insert
        _recusar_repetida()
    return capacidade, resolvidos


def _recusar_repetida() -> NoReturn:
    """A capability is one (tipo, nome): the refusal of a second one, wherever it is asked."""
    raise DadosInvalidos(
        _("Essa capacidade já existe; altere a registrada."), {"nome": [_("Já registrada.")]}
    ) from None


def _resolver_gaps(capacidade: Capacidade, ator: str) -> list[Gap]:
    gaps = list(gaps_que_resolveria(tipo=capacidade.tipo, nome=capacidade.nome))
    agora = timezone.now().isoformat()
    for gap in gaps:
        # The concluded item replaces the one read before, so callers show the gap as resolved.
        gap.item = backlog.resolver(
            item_id=gap.item_id,
            ator=ator,
            resultado={
                "resolvido_por": ator,
                "resolvido_em": agora,
                "como": "capacidade registrada",
                "capacidade": {"id": capacidade.pk, "tipo": capacidade.tipo, "nome": capacidade.nome},
            },
        )
    return gaps
