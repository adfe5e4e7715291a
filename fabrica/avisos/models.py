"""A person's notice preferences, and the record of each notice (one per decision and person).

Rows are written only by ``fabrica.avisos.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Perfil(models.Model):
    """What a person wants to be told, and in which language. A person without a row gets the
    defaults: notices on, the digest on, pt-BR."""

    usuario = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="perfil")
    avisos = models.BooleanField(_("avisar por e-mail quando uma decisão me espera"), default=True)
    resumo_diario = models.BooleanField(_("resumo diário do que espera há mais de um dia"), default=True)
    # Empty: the site's default language (pt-BR).
    idioma = models.CharField(
        _("idioma dos e-mails"), max_length=10, blank=True, default="", choices=settings.LANGUAGES
    )

    class Meta:
        verbose_name = _("perfil")
        verbose_name_plural = _("perfis")

    def __str__(self) -> str:
        return f"Perfil de {self.usuario_id}"


class Aviso(models.Model):
    """One e-mail to one person about one decision (or one day's digest): the unique constraint
    is what makes a retried handler or a second sweep never send twice."""

    class Tipo(models.TextChoices):
        ORCAMENTO = "orcamento", _("orçamento a decidir")
        RELEASE = "release", _("release a decidir")
        VALIDACAO = "validacao", _("implantação a validar")
        FALHA = "falha", _("implantação que falhou")
        RESUMO = "resumo", _("resumo diário")

    class Status(models.TextChoices):
        PENDENTE = "Pendente", _("a enviar")
        ENVIANDO = "Enviando", _("enviando")
        ENVIADO = "Enviado", _("enviado")
        FALHOU = "Falhou", _("falhou (será tentado de novo)")
        # Not sent: the decision no longer waited, or the person turned notices off meanwhile.
        DISPENSADO = "Dispensado", _("dispensado")

    tipo = models.CharField(_("tipo"), max_length=12, choices=Tipo.choices)
    # The decision's id (the budget, release or deployment), or the digest's day (ISO date).
    referencia = models.CharField(_("referência"), max_length=40)
    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avisos")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDENTE)
    tentativas = models.PositiveSmallIntegerField(_("tentativas"), default=0)
    erro = models.TextField(_("erro"), blank=True, default="")
    criado_em = models.DateTimeField(_("criado em"), auto_now_add=True)
    atualizado_em = models.DateTimeField(_("atualizado em"), auto_now=True)
    enviado_em = models.DateTimeField(_("enviado em"), null=True, blank=True)

    class Meta:
        verbose_name = _("aviso por e-mail")
        verbose_name_plural = _("avisos por e-mail")
        constraints = [
            models.UniqueConstraint(fields=["tipo", "referencia", "usuario"], name="fabrica_aviso_um_por_decisao"),
            models.CheckConstraint(
                condition=~Q(status="Enviado") | Q(enviado_em__isnull=False), name="fabrica_aviso_enviado_tem_data"
            ),
        ]
        indexes = [
            # The sender's queue: the few still to send among every notice ever sent.
            models.Index(
                fields=["id"], name="fabrica_aviso_a_enviar", condition=Q(status__in=["Pendente", "Falhou", "Enviando"])
            ),
        ]

    def __str__(self) -> str:
        return f"Aviso {self.tipo} {self.referencia} → {self.usuario_id} ({self.status})"
