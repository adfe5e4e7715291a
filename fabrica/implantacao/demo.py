"""The demo's environments (``make run``): homologacao, then producao, which takes only
releases validated in homologacao and whose deploys the PO group approves."""

from __future__ import annotations

from django.contrib.auth.models import Group

from fabrica.models import Ambiente


def criar_ambientes_demo() -> list[str]:
    """Creates the pair when there is no environment at all; returns the names created."""
    if Ambiente.objects.exists():
        return []
    homologacao = Ambiente.objects.create(
        nome="homologacao",
        descricao="Homologação: o PO confere cada release aqui antes da produção.",
        ordem=10,
    )
    producao = Ambiente.objects.create(
        nome="producao",
        descricao="Produção: só recebe releases validadas em homologação.",
        ordem=20,
        exige_validacao_em=homologacao,
    )
    producao.grupos_aprovadores.set(Group.objects.filter(name="PO"))
    return [homologacao.nome, producao.nome]
