"""Editing an environment: the rules its settings follow, checked for the admin form and the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fabrica.erros import DadosInvalidos
from fabrica.models import Ambiente

# --- environments ---------------------------------------------------------------------------------

CAMPOS_DO_AMBIENTE = (
    "nome",
    "descricao",
    "url",
    "diretorio",
    "ativo",
    "ordem",
    "alvo",
    "configuracao",
    "exige_validacao_em",
    "retencao",
)

# What a person edits on an environment, in the order the admin form and the API show it:
# CAMPOS_DO_AMBIENTE and the approvers.
CAMPOS_EDITAVEIS_DO_AMBIENTE = (
    "nome",
    "descricao",
    "ordem",
    "ativo",
    "alvo",
    "configuracao",
    "diretorio",
    "url",
    "exige_validacao_em",
    "grupos_aprovadores",
    "usuarios_aprovadores",
    "retencao",
)


def erros_do_ambiente(dados: dict[str, Any], instancia: Ambiente | None = None) -> dict[str, list[str]]:
    """The rules an environment's settings must follow, with the field at fault (the admin form
    and the API both use them)."""
    from fabrica.implantacao.alvos import erros_de_configuracao

    erros: dict[str, list[str]] = {}
    alvo = dados.get("alvo", instancia.alvo if instancia else Ambiente.Alvo.DIRETORIO)
    configuracao = dados.get("configuracao", instancia.configuracao if instancia else {})
    erros.update(erros_de_configuracao(alvo, configuracao if configuracao is not None else {}))
    diretorio = dados.get("diretorio", "")
    if diretorio and not str(diretorio).startswith("/"):
        erros["diretorio"] = [_("Informe um caminho absoluto, ou deixe vazio para var/implantacoes/<nome>.")]
    url = dados.get("url", "")
    if url and not str(url).startswith(("http://", "https://")):
        erros["url"] = [_("Informe um endereço http:// ou https:// (pode conter {spec} e {versao}).")]
    exigido = dados.get("exige_validacao_em")
    ordem = dados.get("ordem", instancia.ordem if instancia else 0)
    if exigido is not None:
        if instancia is not None and exigido.pk == instancia.pk:
            erros["exige_validacao_em"] = [_("Um ambiente não pode exigir validação em si mesmo.")]
        elif exigido.ordem >= (ordem or 0):
            erros["exige_validacao_em"] = [
                _("%(exigido)s (ordem %(a)s) precisa vir antes deste ambiente (ordem %(b)s).")
                % {"exigido": exigido.nome, "a": exigido.ordem, "b": ordem}
            ]
    retencao = dados.get("retencao")
    if retencao is not None and retencao < 2:
        erros["retencao"] = [_("Guarde ao menos 2 releases: a atual e a anterior.")]
    return erros


def ambiente_salvar(
    *,
    ambiente: Ambiente | None,
    dados: dict[str, Any],
    grupos_aprovadores: list | None = None,
    usuarios_aprovadores: list | None = None,
) -> Ambiente:
    """Creates or changes an environment after checking every rule (``DadosInvalidos`` names
    each field at fault); the approvers are replaced when given."""
    erros = erros_do_ambiente(dados, ambiente)
    nome = dados.get("nome", ambiente.nome if ambiente else "")
    if Ambiente.objects.filter(nome=nome).exclude(pk=ambiente.pk if ambiente else None).exists():
        erros["nome"] = [_("Já existe um ambiente com este nome.")]
    if erros:
        raise DadosInvalidos(_("O ambiente não é válido."), erros)
    with transaction.atomic():
        ambiente = ambiente or Ambiente()
        for campo in CAMPOS_DO_AMBIENTE:
            if campo in dados:
                setattr(ambiente, campo, dados[campo])
        try:
            ambiente.full_clean(exclude=["grupos_aprovadores", "usuarios_aprovadores"], validate_unique=False)
        except ValidationError as exc:
            raise DadosInvalidos(
                _("O ambiente não é válido."), {k: list(v) for k, v in exc.message_dict.items()}
            ) from None
        ambiente.save()
        if grupos_aprovadores is not None:
            ambiente.grupos_aprovadores.set(grupos_aprovadores)
        if usuarios_aprovadores is not None:
            ambiente.usuarios_aprovadores.set(usuarios_aprovadores)
    return ambiente
