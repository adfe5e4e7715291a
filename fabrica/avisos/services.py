"""Sending the notices (docs/avisos.md).

Two steps, both safe to repeat at any time and from several processes at once:

- ``avisos_preparar`` writes one ``Aviso`` row per waiting decision and person to tell; the
  unique constraint (kind, decision, person) makes a second run, a retried listener or the
  sweep add nothing.
- ``avisos_enviar`` claims each unsent row (one UPDATE: only one process wins it), sends it
  through Django's mail framework outside any transaction, and records the outcome. A failure
  (the SMTP server down) is logged and recorded; the sweep tries again, up to
  ``MAX_TENTATIVAS`` times. Nothing here ever runs inside the transaction of a decision: the
  listeners enqueue a task on commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrica.avisos import selectors
from fabrica.avisos.models import Aviso, Perfil
from fabrica.avisos.selectors import Espera
from prometheus_site import vocabulario

log = logging.getLogger(__name__)

MAX_TENTATIVAS = 5
# A row left "Enviando" this long belongs to a process that died while sending: tried again.
ENVIO_ABANDONADO = timedelta(minutes=10)
# What the daily digest lists: decisions waiting longer than this.
ESPERA_DO_RESUMO = timedelta(days=1)
_A_ENVIAR = (Aviso.Status.PENDENTE, Aviso.Status.FALHOU)


def avisos_preparar(*, agora: datetime | None = None) -> int:
    """Records a notice for every waiting decision and every person to tell who has none yet;
    returns how many rows were new. Idempotent."""
    novos = [
        Aviso(tipo=espera.tipo, referencia=espera.referencia, usuario=pessoa)
        for espera in selectors.esperando(agora=agora)
        for pessoa in espera.destinatarios
    ]
    return _gravar(novos)


def resumo_preparar(*, agora: datetime | None = None) -> int:
    """Today's digest for each person with a decision waiting more than a day (and the digest
    on); nothing when the site's ``PROMETHEUS_AVISOS_RESUMO`` is off. Idempotent: one per day."""
    if not settings.PROMETHEUS_AVISOS_RESUMO:
        return 0
    agora = agora or timezone.now()
    dia = timezone.localdate(agora).isoformat()
    pessoas = {
        p.pk: p
        for espera in selectors.esperando(preferencia="resumo_diario", ha_mais_de=ESPERA_DO_RESUMO, agora=agora)
        for p in espera.destinatarios
    }
    return _gravar([Aviso(tipo=Aviso.Tipo.RESUMO, referencia=dia, usuario=p) for p in pessoas.values()])


def _gravar(novos: list[Aviso]) -> int:
    """Writes the rows not written yet (one read of the few that may exist, then an insert that
    ignores a row another process wrote meanwhile); returns how many were missing."""
    if not novos:
        return 0
    existentes = set(
        Aviso.objects.filter(
            tipo__in={a.tipo for a in novos}, referencia__in={a.referencia for a in novos}
        ).values_list("tipo", "referencia", "usuario_id")
    )
    faltam = [a for a in novos if (a.tipo, a.referencia, a.usuario_id) not in existentes]
    Aviso.objects.bulk_create(faltam, ignore_conflicts=True)
    return len(faltam)


def a_enviar() -> bool:
    """Whether any notice waits to be sent (or retried): the sweep's cheap question."""
    return Aviso.objects.filter(status__in=[*_A_ENVIAR, Aviso.Status.ENVIANDO], tentativas__lt=MAX_TENTATIVAS).exists()


def avisos_enviar(*, limite: int = 200, agora: datetime | None = None) -> dict[str, int]:
    """Sends the unsent notices (oldest first, up to ``limite``), each once; returns the count
    per outcome. A failed one is retried by a later call after a delay that doubles."""
    agora = agora or timezone.now()
    Aviso.objects.filter(status=Aviso.Status.ENVIANDO, atualizado_em__lt=agora - ENVIO_ABANDONADO).update(
        status=Aviso.Status.FALHOU, erro="envio interrompido"
    )
    candidatos = [
        a
        for a in Aviso.objects.filter(status__in=_A_ENVIAR, tentativas__lt=MAX_TENTATIVAS)
        .select_related("usuario")
        .order_by("id")[:limite]
        if a.status == Aviso.Status.PENDENTE or agora - a.atualizado_em >= timedelta(minutes=2 ** (a.tentativas - 1))
    ]
    contagem = dict.fromkeys(("enviados", "falharam", "dispensados"), 0)
    if not candidatos:
        return contagem
    conexao = mail.get_connection()
    for aviso in candidatos:
        # The claim: of two processes sending at once, only one changes the row.
        if not Aviso.objects.filter(pk=aviso.pk, status__in=_A_ENVIAR).update(
            status=Aviso.Status.ENVIANDO, tentativas=F("tentativas") + 1, atualizado_em=timezone.now()
        ):
            continue
        resultado = _enviar(aviso, conexao)
        contagem[resultado] += 1
    return contagem


def _enviar(aviso: Aviso, conexao) -> str:
    try:
        mensagem = _mensagem(aviso, selectors.perfil_de(aviso.usuario))
        if mensagem is None:
            Aviso.objects.filter(pk=aviso.pk).update(status=Aviso.Status.DISPENSADO, atualizado_em=timezone.now())
            return "dispensados"
        assunto, corpo = mensagem
        mail.EmailMessage(subject=assunto, body=corpo, to=[aviso.usuario.email], connection=conexao).send(
            fail_silently=False
        )
    # Any failure (the mail server's, or this one message's) is recorded and retried; the other
    # notices of the batch still go out.
    except Exception as exc:  # noqa: BLE001
        tentativas = aviso.tentativas + 1
        nivel = logging.ERROR if tentativas >= MAX_TENTATIVAS else logging.WARNING
        log.log(
            nivel,
            "Aviso #%s (%s %s) para %s não foi enviado (tentativa %s de %s): %s",
            aviso.pk,
            aviso.tipo,
            aviso.referencia,
            aviso.usuario.get_username(),
            tentativas,
            MAX_TENTATIVAS,
            exc,
        )
        Aviso.objects.filter(pk=aviso.pk).update(
            status=Aviso.Status.FALHOU, erro=str(exc)[:2000] or type(exc).__name__, atualizado_em=timezone.now()
        )
        return "falharam"
    Aviso.objects.filter(pk=aviso.pk).update(
        status=Aviso.Status.ENVIADO, enviado_em=timezone.now(), erro="", atualizado_em=timezone.now()
    )
    return "enviados"


def _link(caminho: str) -> str:
    return settings.PROMETHEUS_URL_BASE.rstrip("/") + caminho


def _mensagem(aviso: Aviso, perfil: Perfil) -> tuple[str, str] | None:
    """Subject and body in the person's language, or None when there is nothing to say any more
    (the decision no longer waits, the person turned this off, lost their e-mail)."""
    if not aviso.usuario.email or not aviso.usuario.is_active:
        return None
    with translation.override(perfil.idioma or settings.LANGUAGE_CODE):
        contexto = {"usuario": aviso.usuario, "perfil": _link("/perfil/")}
        if aviso.tipo == Aviso.Tipo.RESUMO:
            if not perfil.resumo_diario:
                return None
            esperas = _esperas_do_resumo(aviso.usuario)
            if not esperas:
                return None
            itens = [{"frase": _frase(e), "link": _link(e.caminho), "desde": e.desde} for e in esperas]
            assunto = ngettext(
                "%(n)s decisão espera por você há mais de um dia",
                "%(n)s decisões esperam por você há mais de um dia",
                len(itens),
            ) % {"n": len(itens)}
            corpo = render_to_string("avisos/resumo.txt", {**contexto, "itens": itens})
        else:
            if not perfil.avisos:
                return None
            espera = selectors.espera_de(aviso.tipo, aviso.referencia)
            if espera is None:
                return None
            assunto = _assunto(espera)
            corpo = render_to_string(
                "avisos/decisao.txt",
                {**contexto, "frase": _frase(espera), "detalhe": _detalhe(espera), "link": _link(espera.caminho)},
            )
    return f"[PROMETHEUS] {assunto}", corpo


def _esperas_do_resumo(usuario: User) -> list[Espera]:
    return [
        e
        for e in selectors.esperando(preferencia="resumo_diario", ha_mais_de=ESPERA_DO_RESUMO)
        if any(p.pk == usuario.pk for p in e.destinatarios)
    ]


def _assunto(espera: Espera) -> str:
    o = espera.objeto
    if espera.tipo == Aviso.Tipo.ORCAMENTO:
        return _("O orçamento de %(spec)s espera sua decisão") % {"spec": o.spec_ref}
    if espera.tipo == Aviso.Tipo.RELEASE:
        return _("A release %(versao)s espera sua decisão") % {"versao": o.rotulo_versao}
    if espera.tipo == Aviso.Tipo.VALIDACAO:
        return _("A implantação de %(versao)s em %(ambiente)s espera sua validação") % {
            "versao": o.versao,
            "ambiente": o.ambiente.nome,
        }
    return _("A implantação de %(versao)s em %(ambiente)s falhou: decida o que fazer") % {
        "versao": o.versao,
        "ambiente": o.ambiente.nome,
    }


def _frase(espera: Espera) -> str:
    """One line saying what waits, as the digest lists it and the notice opens with."""
    o = espera.objeto
    if espera.tipo == Aviso.Tipo.ORCAMENTO:
        return _("Orçamento #%(n)s de %(spec)s — %(titulo)s") % {"n": o.pk, "spec": o.spec_ref, "titulo": o.spec.titulo}
    if espera.tipo == Aviso.Tipo.RELEASE:
        return _("Release %(versao)s — %(titulo)s") % {"versao": o.rotulo_versao, "titulo": o.spec.titulo}
    if espera.tipo == Aviso.Tipo.VALIDACAO:
        return _("Implantação #%(n)s: %(versao)s em %(ambiente)s, a validar") % {
            "n": o.pk,
            "versao": o.versao,
            "ambiente": o.ambiente.nome,
        }
    return _("Implantação #%(n)s: %(versao)s em %(ambiente)s falhou") % {
        "n": o.pk,
        "versao": o.versao,
        "ambiente": o.ambiente.nome,
    }


def _detalhe(espera: Espera) -> str:
    o = espera.objeto
    if espera.tipo == Aviso.Tipo.ORCAMENTO:
        return _("Aprove, devolva para ajuste ou rejeite o orçamento.")
    if espera.tipo == Aviso.Tipo.RELEASE:
        return _("Aprove a release para implantá-la, ou rejeite-a para que seja corrigida.")
    if espera.tipo == Aviso.Tipo.VALIDACAO:
        return _("Valide a implantação, ou recuse-a e reverta o ambiente.")
    erro = vocabulario.frase(o.erro)[:500]
    return _("Erro: %(erro)s\nRepita a implantação ou rejeite a release.") % {"erro": erro}


def perfil_salvar(*, usuario: User, email: str, avisos: bool, resumo_diario: bool, idioma: str) -> Perfil:
    """Records a person's e-mail and what they want to be told. Turning notices off stops the
    ones not sent yet too (they are dropped when their turn comes)."""
    with transaction.atomic():
        perfil, _criado = Perfil.objects.select_for_update().get_or_create(usuario=usuario)
        perfil.avisos, perfil.resumo_diario, perfil.idioma = avisos, resumo_diario, idioma
        perfil.save(update_fields=["avisos", "resumo_diario", "idioma"])
        if usuario.email != email:
            usuario.email = email
            usuario.save(update_fields=["email"])
    return perfil
