"""The tables of DORA performance bands, an admin's to edit (Django admin, "Tabelas de faixas DORA").

A table has up to four bands (elite, alta, média, baixa), best first; each band gives, for each of
DORA's four keys, the limit a value must meet to be in it, in a unit the admin picks: for the
deployment frequency a minimum, for the lead time, the failure rate and the time to restore a
maximum. The worst band of a table has no limits: it takes everything else. A band without a limit
for one key is not used for that key (DORA 2021 gives the failure rate only three bands).

What a single row can say is a constraint here; what needs the whole table (the limits ordered
from the best band to the worst, none equal, the worst band empty) is checked by
``fabrica.metricas.faixas.erros_da_tabela``, which the admin's form runs before saving.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fabrica.models import slug_validador


class TabelaFaixas(models.Model):
    chave = models.CharField(
        _("chave"),
        max_length=50,
        unique=True,
        validators=[slug_validador],
        help_text=_("Como o painel e a API a pedem (?faixas=chave): letras minúsculas, dígitos e _."),
    )
    titulo = models.CharField(_("título"), max_length=80, help_text=_("O nome que o painel mostra."))
    fonte = models.CharField(
        _("fonte"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("De onde vêm os limites (relatório, ferramenta)."),
    )
    padrao = models.BooleanField(
        _("padrão"),
        default=False,
        help_text=_(
            "A tabela que o painel, a API e /metrics usam quando ninguém pede outra. Só uma pode ser a "
            "padrão: marcar esta desmarca a anterior."
        ),
    )
    atualizado_em = models.DateTimeField(_("atualizado em"), auto_now=True)

    class Meta:
        verbose_name = _("tabela de faixas DORA")
        verbose_name_plural = _("tabelas de faixas DORA")
        ordering = ["chave"]
        constraints = [
            models.UniqueConstraint(
                fields=["padrao"],
                condition=Q(padrao=True),
                name="uma_tabela_de_faixas_padrao",
                violation_error_message=_("Só uma tabela de faixas pode ser a padrão."),
            ),
        ]

    def __str__(self) -> str:
        return self.titulo


class UnidadeFrequencia(models.TextChoices):
    POR_DIA = "por_dia", _("implantações por dia")
    POR_SEMANA = "por_semana", _("implantações por semana")
    POR_MES = "por_mes", _("implantações por mês (30 dias)")
    POR_SEMESTRE = "por_semestre", _("implantações por semestre (182 dias)")


class UnidadeTempo(models.TextChoices):
    MINUTOS = "minutos", _("minutos")
    HORAS = "horas", _("horas")
    DIAS = "dias", _("dias")


class Faixa(models.Model):
    class Nome(models.TextChoices):
        # In this order, best first: the order the limits must follow.
        ELITE = "elite", _("elite")
        ALTA = "alta", _("alta")
        MEDIA = "media", _("média")
        BAIXA = "baixa", _("baixa")

    Frequencia = UnidadeFrequencia
    Tempo = UnidadeTempo

    tabela = models.ForeignKey(TabelaFaixas, on_delete=models.CASCADE, related_name="faixas", verbose_name=_("tabela"))
    nome = models.CharField(_("faixa"), max_length=8, choices=Nome.choices)

    frequencia_minima = models.FloatField(
        _("frequência: mínimo"),
        null=True,
        blank=True,
        help_text=_("Implantações concluídas no ambiente, no mínimo, para estar nesta faixa. Vazio na pior faixa."),
    )
    frequencia_unidade = models.CharField(
        _("frequência: unidade"), max_length=12, choices=Frequencia.choices, blank=True, default=""
    )
    frequencia_texto = models.CharField(_("frequência: como a fonte diz"), max_length=200, blank=True, default="")

    lead_time_maximo = models.FloatField(
        _("lead time: máximo"),
        null=True,
        blank=True,
        help_text=_("Mediana do commit da versão da spec até servir, no máximo. Vazio na pior faixa."),
    )
    lead_time_unidade = models.CharField(
        _("lead time: unidade"), max_length=8, choices=Tempo.choices, blank=True, default=""
    )
    lead_time_texto = models.CharField(_("lead time: como a fonte diz"), max_length=200, blank=True, default="")

    falhas_maxima = models.FloatField(
        _("taxa de falha: máximo (%)"),
        null=True,
        blank=True,
        help_text=_("Percentual de implantações que falharam, no máximo (0 a 100). Vazio na pior faixa."),
    )
    falhas_texto = models.CharField(_("taxa de falha: como a fonte diz"), max_length=200, blank=True, default="")

    restauracao_maxima = models.FloatField(
        _("restauração: máximo"),
        null=True,
        blank=True,
        help_text=_("Mediana da implantação que falhou até a próxima validada, no máximo. Vazio na pior faixa."),
    )
    restauracao_unidade = models.CharField(
        _("restauração: unidade"), max_length=8, choices=Tempo.choices, blank=True, default=""
    )
    restauracao_texto = models.CharField(_("restauração: como a fonte diz"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("faixa")
        verbose_name_plural = _("faixas")
        constraints = [
            models.UniqueConstraint(fields=["tabela", "nome"], name="uma_faixa_de_cada_nome_por_tabela"),
            models.CheckConstraint(
                condition=Q(frequencia_minima__isnull=True, frequencia_unidade="")
                | Q(frequencia_minima__gt=0, frequencia_unidade__in=UnidadeFrequencia.values),
                name="faixa_frequencia_com_unidade",
                violation_error_message=_("A frequência mínima é maior que zero e tem unidade."),
            ),
            models.CheckConstraint(
                condition=Q(lead_time_maximo__isnull=True, lead_time_unidade="")
                | Q(lead_time_maximo__gt=0, lead_time_unidade__in=UnidadeTempo.values),
                name="faixa_lead_time_com_unidade",
                violation_error_message=_("O lead time máximo é maior que zero e tem unidade."),
            ),
            models.CheckConstraint(
                condition=Q(falhas_maxima__isnull=True) | Q(falhas_maxima__gte=0, falhas_maxima__lte=100),
                name="faixa_falhas_percentual",
                violation_error_message=_("A taxa de falha máxima é um percentual de 0 a 100."),
            ),
            models.CheckConstraint(
                condition=Q(restauracao_maxima__isnull=True, restauracao_unidade="")
                | Q(restauracao_maxima__gt=0, restauracao_unidade__in=UnidadeTempo.values),
                name="faixa_restauracao_com_unidade",
                violation_error_message=_("A restauração máxima é maior que zero e tem unidade."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tabela} · {self.get_nome_display()}"
