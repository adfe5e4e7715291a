"""MS_Backlog: items, their dependencies and the audit trail (docs/arquitetura.md, "The backlog
contract").

The broker's two rules are written here, once, and everything else asks these:

- **claimable** (``consumivel``): ``Pendente`` and not waiting out a retry's backoff;
- **unblocked** (``SATISFAZ_DEPENDENCIA``, ``DependenciaQuerySet.em_aberto``): a dependency
  holds until its item is ``Concluido``, so an item waits while any of its dependencies is open.

``backlog.sql`` restates them for PostgreSQL's hot statements; ``tests/backlog/test_regras.py``
runs both spellings over the same rows and fails when they disagree.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDENTE = "Pendente", _("Pendente")
    BLOQUEADO = "Bloqueado", _("Bloqueado")
    EM_PROCESSAMENTO = "EmProcessamento", _("Em processamento")
    CONCLUIDO = "Concluido", _("Concluído")
    FALHA = "Falha", _("Falha")
    CANCELADO = "Cancelado", _("Cancelado")


# A dependency is satisfied by this status of the item it points to, and by no other: a
# dependency that failed or was cancelled keeps its dependents waiting (an admin requeues it).
SATISFAZ_DEPENDENCIA = Status.CONCLUIDO


def consumivel(agora: datetime) -> Q:
    """Claimable at ``agora``: ``Pendente`` and past its backoff (``disponivel_em``), if any."""
    return Q(status=Status.PENDENTE) & (Q(disponivel_em__isnull=True) | Q(disponivel_em__lte=agora))


class DependenciaQuerySet(models.QuerySet["Dependencia"]):
    def em_aberto(self) -> DependenciaQuerySet:
        """The dependencies not yet satisfied (their item is not ``Concluido``)."""
        return self.exclude(depende_de__status=SATISFAZ_DEPENDENCIA)


class ItemQuerySet(models.QuerySet["Item"]):
    def consumiveis(self, agora: datetime) -> ItemQuerySet:
        return self.filter(consumivel(agora))

    def sem_dependencias_em_aberto(self) -> ItemQuerySet:
        """Items none of whose dependencies is still open (items without any included)."""
        em_aberto = Dependencia.objects.em_aberto().filter(item_id=OuterRef("pk"))
        return self.exclude(Exists(em_aberto))

    def desbloqueaveis(self) -> ItemQuerySet:
        """``Bloqueado`` items with nothing left to wait for: the unblocking rule
        (docs/arquitetura.md, "The backlog contract": concluir)."""
        return self.filter(status=Status.BLOQUEADO).sem_dependencias_em_aberto()

    def bloqueados_por(self, item_id: int) -> ItemQuerySet:
        """The ``Bloqueado`` items that depend on ``item_id``: who a conclusion may unblock."""
        return self.filter(
            status=Status.BLOQUEADO,
            pk__in=Dependencia.objects.filter(depende_de_id=item_id).values("item_id"),
        )


class Item(models.Model):
    """One unit of work on the backlog. State changes only through ``backlog.services``."""

    tipo = models.CharField(_("tipo"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDENTE)
    produtor = models.CharField(_("produtor"), max_length=100)
    contexto = models.JSONField(_("contexto"), default=dict, blank=True)
    resultado = models.JSONField(_("resultado"), null=True, blank=True)
    erro = models.TextField(_("erro"), blank=True, default="")
    spec_ref = models.CharField(_("spec_ref"), max_length=100, blank=True, default="")
    prioridade = models.SmallIntegerField(_("prioridade"), default=0)
    produzido_por = models.ForeignKey(
        "self",
        verbose_name=_("produzido por"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gerados",
    )
    consumidor = models.CharField(_("consumidor"), max_length=200, blank=True, default="")
    tentativas = models.PositiveIntegerField(_("tentativas"), default=0)
    max_tentativas = models.PositiveSmallIntegerField(_("máximo de tentativas"), default=3)
    # Backoff after a failure: the item is Pendente but not claimable before this instant.
    disponivel_em = models.DateTimeField(_("disponível em"), null=True, blank=True)
    criado_em = models.DateTimeField(_("criado em"), auto_now_add=True)
    consumido_em = models.DateTimeField(_("consumido em"), null=True, blank=True)
    concluido_em = models.DateTimeField(_("concluído em"), null=True, blank=True)
    desbloqueado_em = models.DateTimeField(_("desbloqueado em"), null=True, blank=True)
    # No index: nothing looks items up by who unblocked them, and every index slows claims.
    desbloqueado_por = models.ForeignKey(
        "self",
        verbose_name=_("desbloqueado por"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    lease_expira_em = models.DateTimeField(_("lease expira em"), null=True, blank=True)
    lease_token = models.UUIDField(_("lease"), null=True, blank=True, editable=False)
    depende_de = models.ManyToManyField(
        "self",
        through="Dependencia",
        symmetrical=False,
        related_name="dependentes_diretos",
        blank=True,
    )

    objects = ItemQuerySet.as_manager()

    # Not columns: set on the instances a service or selector returns.
    depende_de_ids: list[int]  # the ids this item depends on, sorted (when fetched with them)
    gerados_agora: list[Item]  # what ``concluir`` generated, in order

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("itens")
        ordering = ["-id"]
        permissions = [("operar_backlog", _("Pode produzir, consumir e concluir itens pela API"))]
        indexes = [
            # The claim walks this index: one probe per type, already in priority order.
            models.Index(
                F("tipo"),
                F("prioridade").desc(),
                F("id"),
                name="backlog_item_claim",
                condition=Q(status="Pendente"),
            ),
            models.Index(
                fields=["lease_expira_em"],
                name="backlog_item_lease",
                condition=Q(status="EmProcessamento"),
            ),
            models.Index(fields=["spec_ref"], name="backlog_item_spec_ref"),
            models.Index(fields=["status", "tipo"], name="backlog_item_status_tipo"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="backlog_item_status_valido"),
            models.CheckConstraint(condition=~Q(tipo=""), name="backlog_item_tipo_preenchido"),
            models.CheckConstraint(
                condition=~Q(status=Status.EM_PROCESSAMENTO)
                | (Q(lease_token__isnull=False) & Q(lease_expira_em__isnull=False) & ~Q(consumidor="")),
                name="backlog_item_em_processamento_tem_lease",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.EM_PROCESSAMENTO) | Q(lease_token__isnull=True),
                name="backlog_item_lease_so_em_processamento",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CONCLUIDO) | Q(concluido_em__isnull=False),
                name="backlog_item_concluido_tem_data",
            ),
            models.CheckConstraint(condition=Q(max_tentativas__gte=1), name="backlog_item_max_tentativas_positivo"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.tipo} ({self.status})"


class Dependencia(models.Model):
    """``item`` waits for ``depende_de``.

    A dependency always points to an older item (checked by the database), so the graph can
    never hold a cycle: items only gain dependencies when they are produced.
    """

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="dependencias")
    depende_de = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="dependentes")

    objects = DependenciaQuerySet.as_manager()

    class Meta:
        verbose_name = _("dependência")
        verbose_name_plural = _("dependências")
        constraints = [
            models.UniqueConstraint(fields=["item", "depende_de"], name="backlog_dependencia_unica"),
            models.CheckConstraint(
                condition=Q(depende_de__lt=F("item")),
                name="backlog_dependencia_aciclica",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.item_id} → #{self.depende_de_id}"


class Evento(models.Model):
    """The audit trail: one row per transition, written in the transaction that made it."""

    tipo = models.CharField(_("tipo"), max_length=32)
    # Indexed by ``backlog_evento_item_criado`` below (item first): a second index on the
    # foreign key alone would only slow the event every claim and conclusion writes.
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="eventos", db_index=False)
    ator = models.CharField(_("ator"), max_length=200)
    dados = models.JSONField(_("dados"), default=dict, blank=True)
    criado_em = models.DateTimeField(_("quando"), auto_now_add=True)

    class Meta:
        verbose_name = _("evento")
        verbose_name_plural = _("eventos")
        ordering = ["id"]
        indexes = [
            # Metrics read the trail by kind over a period, timelines by item in order; without
            # these both scan the whole audit trail.
            models.Index(fields=["tipo", "criado_em"], name="backlog_evento_tipo_criado"),
            models.Index(fields=["item", "criado_em"], name="backlog_evento_item_criado"),
        ]

    def __str__(self) -> str:
        return f"{self.tipo} #{self.item_id} por {self.ator}"


# The ``tipo`` of the rule that governs every type without a rule of its own (the types of the
# other systems sharing the broker).
QUALQUER_TIPO = "*"


class Operacao(models.TextChoices):
    """What a caller may do with items of a type (``RegraAcesso``)."""

    PRODUZIR = "produzir", _("produzir")
    CONSUMIR = "consumir", _("consumir")
    CONCLUIR = "concluir", _("concluir")


class RegraAcesso(models.Model):
    """Who may produce, consume and conclude items of one ``tipo`` through a request (the REST
    API, a page): the ``Concessao`` rows under it. A type with a rule and no grant is reserved:
    only the services of the systems that own it, called in their own process, touch it. The
    rule ``*`` governs every type without a rule of its own. Checked by ``backlog.acesso``."""

    tipo = models.CharField(
        _("tipo"),
        max_length=64,
        unique=True,
        help_text=_("O tipo de item, ou * para todo tipo sem regra própria."),
    )
    descricao = models.CharField(_("descrição"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("regra de acesso")
        verbose_name_plural = _("regras de acesso")
        ordering = ["tipo"]
        constraints = [models.CheckConstraint(condition=~Q(tipo=""), name="backlog_regra_tipo_preenchido")]

    def __str__(self) -> str:
        return self.tipo


class Concessao(models.Model):
    """A grant of a ``RegraAcesso`` to a role (a Django group) or to one user (a system's token)."""

    regra = models.ForeignKey(RegraAcesso, on_delete=models.CASCADE, related_name="concessoes")
    grupo = models.ForeignKey(
        "auth.Group", verbose_name=_("papel"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuário"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    produzir = models.BooleanField(_("produzir"), default=False)
    consumir = models.BooleanField(_("consumir"), default=False)
    concluir = models.BooleanField(_("concluir"), default=False)

    class Meta:
        verbose_name = _("concessão")
        verbose_name_plural = _("concessões")
        constraints = [
            models.CheckConstraint(
                condition=Q(grupo__isnull=True, usuario__isnull=False) | Q(grupo__isnull=False, usuario__isnull=True),
                name="backlog_concessao_grupo_ou_usuario",
            ),
            models.UniqueConstraint(fields=["regra", "grupo"], name="backlog_concessao_grupo_unica"),
            models.UniqueConstraint(fields=["regra", "usuario"], name="backlog_concessao_usuario_unica"),
        ]

    def __str__(self) -> str:
        quem = self.grupo or self.usuario
        ops = [op.label for op in Operacao if getattr(self, op.value)]
        return f"{self.regra.tipo}: {quem} ({', '.join(str(o) for o in ops) or '-'})"
