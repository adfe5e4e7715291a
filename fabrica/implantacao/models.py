"""The deployment record (docs/implantacao.md, "Records"): one release put into one environment, or
an
environment rolled back, with its full log, and the PO's validation of it.

Rows are written only by ``fabrica.implantacao.services``. What serves in an environment for a
spec is the release of its newest ``Concluida`` record (a rollback to nothing has no release).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backlog.models import Item


class Implantacao(models.Model):
    class Tipo(models.TextChoices):
        IMPLANTACAO = "implantacao", _("implantação")
        REVERSAO = "reversao", _("reversão")

    class Status(models.TextChoices):
        # Waiting for another deployment to the same environment to finish (the environment lock).
        AGUARDANDO = "Aguardando", _("aguardando o ambiente")
        EM_ANDAMENTO = "EmAndamento", _("em andamento")
        CONCLUIDA = "Concluida", _("concluída")
        FALHOU = "Falhou", _("falhou")

    class Validacao(models.TextChoices):
        PENDENTE = "Pendente", _("aguardando validação")
        VALIDADA = "Validada", _("validada")
        RECUSADA = "Recusada", _("recusada")
        # A newer deployment of the same spec to the same environment came before the validation.
        SUBSTITUIDA = "Substituida", _("substituída por outra implantação")

    class Falha(models.TextChoices):
        """What the PO decided about a failed deployment (docs/implantacao.md, "A failed deployment")."""

        PENDENTE = "Pendente", _("falha aguardando decisão")
        REPETIDA = "Repetida", _("implantação repetida")
        REJEITADA = "Rejeitada", _("release rejeitada")
        # A newer deployment of the spec to the environment concluded before a decision.
        SUPERADA = "Superada", _("superada por outra implantação")

    class Promocao(models.TextChoices):
        OFERECIDA = "Oferecida", _("promoção oferecida")
        SOLICITADA = "Solicitada", _("promoção solicitada")
        DISPENSADA = "Dispensada", _("promoção dispensada")

    tipo = models.CharField(_("tipo"), max_length=12, choices=Tipo.choices, default=Tipo.IMPLANTACAO)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.AGUARDANDO)
    ambiente = models.ForeignKey("fabrica.Ambiente", on_delete=models.PROTECT, related_name="implantacoes")
    # The release put to serve; none only for a rollback that takes the spec down (no earlier release).
    release = models.ForeignKey(
        "fabrica.Release", on_delete=models.PROTECT, related_name="implantacoes", null=True, blank=True
    )
    spec_ref = models.CharField(_("spec"), max_length=100)
    versao = models.CharField(_("versão"), max_length=120, blank=True, default="")
    alvo = models.CharField(_("alvo"), max_length=16)
    release_anterior = models.ForeignKey(
        "fabrica.Release",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("release anterior"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="implantacoes", null=True, blank=True, verbose_name=_("item")
    )
    item_validacao = models.OneToOneField(
        Item, on_delete=models.PROTECT, related_name="implantacao_a_validar", null=True, blank=True
    )
    reverte = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="reversoes",
        null=True,
        blank=True,
        verbose_name=_("reverte a implantação"),
    )
    origem = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="promocoes",
        null=True,
        blank=True,
        verbose_name=_("promovida da implantação"),
    )
    aprovado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("aprovada por"),
    )
    solicitado_por = models.CharField(_("solicitada por"), max_length=200, blank=True, default="")
    motivo = models.TextField(_("motivo"), blank=True, default="")
    iniciado_em = models.DateTimeField(_("iniciada em"), null=True, blank=True)
    terminado_em = models.DateTimeField(_("terminada em"), null=True, blank=True)
    log = models.TextField(_("log"), blank=True, default="")
    url = models.CharField(_("URL"), max_length=500, blank=True, default="")
    caminho = models.CharField(_("onde está no alvo"), max_length=500, blank=True, default="")
    erro = models.TextField(_("erro"), blank=True, default="")
    validacao = models.CharField(_("validação"), max_length=12, choices=Validacao.choices, blank=True, default="")
    # A failed deployment's decision (empty: none expected). Who decided it, when and why are
    # validado_por, validado_em and observacao: one decision per record, a validation or this.
    falha = models.CharField(_("decisão da falha"), max_length=12, choices=Falha.choices, blank=True, default="")
    repete = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="repeticoes",
        null=True,
        blank=True,
        verbose_name=_("repete a implantação"),
    )
    validado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("validada por"),
    )
    validado_em = models.DateTimeField(_("validada em"), null=True, blank=True)
    observacao = models.TextField(_("observação"), blank=True, default="")
    promocao = models.CharField(_("promoção"), max_length=12, choices=Promocao.choices, blank=True, default="")
    promover_para = models.ForeignKey(
        "fabrica.Ambiente",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("promover para"),
    )
    criado_em = models.DateTimeField(_("criada em"), auto_now_add=True)

    class Meta:
        verbose_name = _("implantação")
        verbose_name_plural = _("implantações")
        ordering = ["-id"]
        permissions = [
            ("decidir_implantacao", _("Pode validar implantações e promover releases (PO)")),
            ("reverter_implantacao", _("Pode reverter um ambiente para uma release anterior")),
        ]
        constraints = [
            # The database's own guarantee that deployments to one environment never interleave.
            models.UniqueConstraint(
                fields=["ambiente"], condition=Q(status="EmAndamento"), name="fabrica_implantacao_uma_por_ambiente"
            ),
            # A rescued item resumes its record instead of starting a second one.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["Aguardando", "EmAndamento"]),
                name="fabrica_implantacao_uma_aberta_por_item",
            ),
            models.CheckConstraint(
                condition=Q(release__isnull=False) | Q(tipo="reversao"), name="fabrica_implantacao_tem_release"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["Aguardando", "EmAndamento"]) | Q(terminado_em__isnull=False),
                name="fabrica_implantacao_terminada_tem_data",
            ),
            models.CheckConstraint(
                condition=Q(validacao="") | (Q(tipo="implantacao") & Q(status="Concluida")),
                name="fabrica_implantacao_valida_so_concluida",
            ),
            models.CheckConstraint(
                condition=~Q(validacao__in=["Validada", "Recusada"]) | Q(validado_em__isnull=False),
                name="fabrica_implantacao_validacao_registrada",
            ),
            models.CheckConstraint(
                condition=Q(promocao="") | Q(validacao="Validada"), name="fabrica_implantacao_promove_so_validada"
            ),
            models.CheckConstraint(
                condition=Q(falha="") | (Q(tipo="implantacao") & Q(status="Falhou")),
                name="fabrica_implantacao_decide_so_falha",
            ),
        ]
        indexes = [
            # What serves now and the history of an environment, newest first.
            models.Index(fields=["ambiente", "spec_ref", "-terminado_em"], name="fabrica_impl_amb_spec"),
            # The PO's inbox: the few waiting for a decision among a long history.
            models.Index(fields=["id"], name="fabrica_impl_a_validar", condition=Q(validacao="Pendente")),
            models.Index(fields=["id"], name="fabrica_impl_promocao", condition=Q(promocao="Oferecida")),
            models.Index(fields=["id"], name="fabrica_impl_falhas", condition=Q(falha="Pendente")),
            # The metrics' periods (DORA): deployments by when they ended.
            models.Index(fields=["terminado_em"], name="fabrica_impl_terminadas", condition=Q(tipo="implantacao")),
            models.Index(
                fields=["-validado_em", "id"],
                name="fabrica_impl_validadas",
                condition=Q(validacao__in=["Validada", "Recusada"]),
            ),
            # The inbox at a long history (bench/inbox.py): what runs (tab "Em espera"), the
            # failures decided, and the validations searched by spec, each walked by an index
            # instead of reading every deployment for the tabs' counters.
            models.Index(
                fields=["id"], name="fabrica_impl_em_curso", condition=Q(status__in=["Aguardando", "EmAndamento"])
            ),
            models.Index(
                fields=["-validado_em", "id"],
                name="fabrica_impl_falhas_decid",
                condition=Q(falha__in=["Repetida", "Rejeitada"]),
            ),
            models.Index(
                fields=["spec_ref", "-validado_em", "id"],
                name="fabrica_impl_val_spec",
                condition=Q(validacao__in=["Validada", "Recusada"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Implantação #{self.pk} {self.versao or '—'} → {self.ambiente_id}"

    @property
    def em_curso(self) -> bool:
        return self.status in (self.Status.AGUARDANDO, self.Status.EM_ANDAMENTO)

    @property
    def duracao_segundos(self) -> float | None:
        if self.iniciado_em and self.terminado_em:
            return (self.terminado_em - self.iniciado_em).total_seconds()
        return None
