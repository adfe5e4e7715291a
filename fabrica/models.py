"""PROMETHEUS' own records (docs/arquitetura.md, "The cycle"): specs, capabilities, pricing models,
budgets and gaps.

Backlog items live in MS_Backlog; these rows point to them, never the reverse.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backlog.models import Item, Status
from fabrica import contratos

slug_validador: RegexValidator = RegexValidator(r"^[a-z0-9_]+$", _("Use apenas letras minúsculas, dígitos e _."))


class Spec(models.Model):
    """One version of a spec: its YAML text, parsed content, and where it came from.

    A spec id has many versions (one per distinct content); the newest is the one priced.
    """

    class Origem(models.TextChoices):
        GIT = "git", _("repositório git")
        API = "api", _("API")

    spec_id = models.CharField(_("spec"), max_length=100, validators=[slug_validador])
    titulo = models.CharField(_("título"), max_length=200)
    texto = models.TextField(_("YAML"))
    conteudo = models.JSONField(_("conteúdo"))
    sha256 = models.CharField(_("sha256 do conteúdo"), max_length=64)
    commit = models.CharField(_("commit"), max_length=40, blank=True, default="")
    # Where DORA's lead time for changes starts: the committer date of the last commit that
    # changed this spec's file, read from the git repository when importing it. Null when there is
    # no commit (a spec submitted over REST) or the version was imported before this column: the
    # lead time then starts at ``criado_em``, the submission or import (metricas.selectors).
    commit_em = models.DateTimeField(_("data do commit"), null=True, blank=True)
    caminho = models.CharField(_("arquivo"), max_length=300, blank=True, default="")
    origem = models.CharField(_("origem"), max_length=8, choices=Origem.choices)
    importado_por = models.CharField(_("importado por"), max_length=150, blank=True, default="")
    criado_em = models.DateTimeField(_("importado em"), auto_now_add=True)
    # spec_id and title as a search matches them (prometheus_site.busca.normalizar): accents and
    # case ignored on SQLite and PostgreSQL alike. Written with the version, never changed.
    busca = models.TextField(_("texto de busca"), default="", blank=True, editable=False)
    # 1 for the first version of a spec_id, then one more per new content: what pages show
    # ("v2") instead of a hash, read without counting the versions before it.
    versao = models.PositiveIntegerField(_("versão"), default=1, editable=False)

    class Meta:
        verbose_name = _("spec")
        verbose_name_plural = _("specs")
        permissions = [("solicitar_orcamento", _("Pode pedir o orçamento de uma spec"))]
        ordering = ["spec_id", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["spec_id", "sha256"], name="fabrica_spec_versao_unica"),
        ]
        indexes = [
            models.Index(fields=["spec_id", "-id"], name="fabrica_spec_atual"),
            # The inbox's search walks the distinct search texts (fabrica.decisoes.caixa.specs_que_casam).
            models.Index(fields=["busca"], name="fabrica_spec_busca"),
        ]

    def __str__(self) -> str:
        return f"{self.spec_id} @ {self.sha256[:8]}"

    @property
    def vertentes(self) -> list[str]:
        return list(self.conteudo.get("vertentes", []))


class Capacidade(models.Model):
    """Something the factory has: an external API, a GPU, a container, or any kind an admin adds."""

    class Tipo(models.TextChoices):
        API_EXTERNA = "api_externa", _("API externa")
        HARDWARE = "hardware", _("hardware (GPU)")
        CONTAINER = "container", _("container")

    tipo = models.CharField(
        _("tipo"),
        max_length=40,
        validators=[slug_validador],
        help_text=_("api_externa, hardware, container, ou outro tipo (letras minúsculas e _)."),
    )
    nome = models.CharField(
        _("nome"),
        max_length=100,
        validators=[slug_validador],
        help_text=_("Como as specs a nomeiam, ex.: whisper_api, gpu, postgres."),
    )
    descricao = models.TextField(_("descrição"), blank=True, default="")
    habilitada = models.BooleanField(_("habilitada"), default=True)
    registrada_por = models.CharField(_("registrada por"), max_length=150, blank=True, default="")
    criado_em = models.DateTimeField(_("criada em"), auto_now_add=True)
    atualizado_em = models.DateTimeField(_("atualizada em"), auto_now=True)

    # Not columns: what saving it resolved, set for the API's answer (fabrica/api/views.py).
    gaps_resolvidos: list[Gap]
    orcamentos_desbloqueados: list[int]

    class Meta:
        verbose_name = _("capacidade")
        verbose_name_plural = _("capacidades")
        ordering = ["tipo", "nome"]
        constraints = [models.UniqueConstraint(fields=["tipo", "nome"], name="fabrica_capacidade_unica")]

    def __str__(self) -> str:
        return f"{self.tipo}:{self.nome}"


class ModeloPrecificacao(models.Model):
    """A version of the pricing model: its coefficients and how well it fits the actuals."""

    versao = models.PositiveIntegerField(_("versão"), unique=True)
    coeficientes = models.JSONField(_("coeficientes"))
    motivo = models.TextField(_("motivo"), blank=True, default="")
    amostras = models.PositiveIntegerField(_("amostras"), default=0)
    mmre = models.FloatField(_("MMRE"), null=True, blank=True)
    pred25 = models.FloatField(_("PRED(25)"), null=True, blank=True)
    mmre_anterior = models.FloatField(_("MMRE da versão anterior"), null=True, blank=True)
    criado_em = models.DateTimeField(_("criado em"), auto_now_add=True)

    class Meta:
        verbose_name = _("modelo de precificação")
        verbose_name_plural = _("modelos de precificação")
        ordering = ["-versao"]
        # The metrics (fabrica.metricas) judge the factory, the pricing model first: a permission
        # of their own, held by the PO and the admins, not by other systems.
        permissions = [("ver_metricas", _("Pode ver as métricas da fábrica (painel e API)"))]

    def __str__(self) -> str:
        return f"v{self.versao}"


class DaVersaoDaSpec(models.Model):
    """Made from one version of a spec (a budget, a release). The version is the immutable
    ``Spec``: its commit and sha256 are read through it, never copied. ``spec_ref`` (the spec id,
    the same for every version) stays on the row: the constraints and the lookups over every
    version of a spec (a release's number, the inbox's search) use it without a join."""

    spec = models.ForeignKey(Spec, on_delete=models.PROTECT, related_name="%(class)ss")
    spec_ref = models.CharField(_("spec"), max_length=100)

    class Meta:
        abstract = True

    @property
    def spec_commit(self) -> str:
        return self.spec.commit

    @spec_commit.setter
    def spec_commit(self, valor: str) -> None:
        self._conferir_com_a_spec("commit", valor)

    @property
    def spec_sha256(self) -> str:
        return self.spec.sha256

    @spec_sha256.setter
    def spec_sha256(self, valor: str) -> None:
        self._conferir_com_a_spec("sha256", valor)

    def _conferir_com_a_spec(self, campo: str, valor: str) -> None:
        # Code written when these were columns may still pass them (``Release(spec_sha256=...)``):
        # the spec's own value is accepted, another one refused.
        if valor != getattr(self.spec, campo):
            raise ValueError(f"spec_{campo} {valor!r} is not the {campo} of {self.spec}: it is read from the spec.")


class DecisaoDoPO(models.Model):
    """Something the PO decides once (a budget, a release), through the backlog item that waits
    for the decision: who decided, when and why. The decision itself is made by
    ``fabrica.decisoes.base`` (lock, transition, record, close the item)."""

    item_aprovacao = models.OneToOneField(
        Item, on_delete=models.PROTECT, related_name="%(class)s", null=True, blank=True
    )
    decidido_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decidido_em = models.DateTimeField(null=True, blank=True)
    motivo = models.TextField(blank=True, default="")

    class Meta:
        abstract = True

    @staticmethod
    def decisao_registrada(*, nome: str, aberto: str) -> models.CheckConstraint:
        """The database's rule: a decided row says when (``decidido_em``) — named ``nome``."""
        return models.CheckConstraint(condition=Q(status=aberto) | Q(decidido_em__isnull=False), name=nome)


class Orcamento(DaVersaoDaSpec, DecisaoDoPO):
    """The budget (orçamento) of one spec version, with the seed's sections and the explanation
    of every number. One per ``orcar_spec`` item: a redelivered item never makes two.

    A spec version has at most one budget that is open or approved (a database constraint), so
    the same work can never be approved twice; asking again leads to it. A newer version of the
    spec supersedes the open budget of an older one (``Substituido``: no longer decidable)."""

    class Status(models.TextChoices):
        # Whether an open budget is blocked by gaps is its approval item's status, not a copy here.
        ABERTO = "Aberto", _("aguardando decisão")
        APROVADO = "Aprovado", _("aprovado")
        AJUSTADO = "Ajustado", _("devolvido para ajuste")
        REJEITADO = "Rejeitado", _("rejeitado")
        SUBSTITUIDO = "Substituido", _("substituído")

    # The statuses that hold a spec version: one budget at most in them (fabrica_orcamento_um_por_versao).
    VIGENTES = (Status.ABERTO, Status.APROVADO)

    modelo = models.ForeignKey(ModeloPrecificacao, on_delete=models.PROTECT, related_name="orcamentos")
    item_orcar = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="orcamento_produzido")
    runtime = models.JSONField(default=dict)
    teste = models.JSONField(default=dict)
    carga = models.JSONField(default=dict)
    esforco = models.JSONField(default=dict)
    dependencias = models.JSONField(default=dict)
    custo = models.JSONField(default=dict)
    explicacao = models.JSONField(_("explicação de cada número"), default=dict)
    casos_teste = models.JSONField(_("casos de teste gerados"), default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ABERTO)
    substituido_por = models.ForeignKey(
        Spec,
        verbose_name=_("substituído pela versão"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    horas_reais = models.JSONField(_("esforço real por vertente"), null=True, blank=True)
    # Tokens the model spent on this budget's builds (every release and hotfix), the shared
    # counter of its ceiling (docs/modelo.md, "Token ceilings"): reserved before each call and
    # settled after it, by whichever node builds, with a conditional UPDATE.
    tokens_gastos = models.PositiveBigIntegerField(_("tokens gastos pelo modelo"), default=0)
    criado_em = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("orçamento")
        verbose_name_plural = _("orçamentos")
        permissions = [("decidir_orcamento", _("Pode aprovar, ajustar e rejeitar orçamentos (PO)"))]
        ordering = ["-id"]
        constraints = [
            DecisaoDoPO.decisao_registrada(nome="fabrica_orcamento_decisao_registrada", aberto="Aberto"),
            models.UniqueConstraint(
                fields=["spec"],
                condition=Q(status__in=["Aberto", "Aprovado"]),
                name="fabrica_orcamento_um_por_versao",
                violation_error_message=_("Esta versão da spec já tem um orçamento aberto ou aprovado."),
            ),
            models.CheckConstraint(
                condition=~Q(status="Substituido") | Q(substituido_por__isnull=False),
                name="fabrica_orcamento_substituido_diz_por_qual",
            ),
        ]
        indexes = [
            # The inbox (fabrica.decisoes.caixa): open budgets are few among a long history, and
            # the history tab pages through the newest decisions and counts them (bench/inbox.py).
            # status and spec make the second one covering for its count and search on SQLite
            # too, whose planner reads the table otherwise (PostgreSQL would not need them).
            models.Index(fields=["id"], name="fabrica_orcamento_abertos", condition=Q(status="Aberto")),
            models.Index(
                fields=["-decidido_em", "id", "status", "spec"],
                name="fabrica_orcamento_decididos",
                condition=~Q(status="Aberto"),
            ),
            # The history searched: the budgets of the matched spec ids, already in the tab's order.
            models.Index(
                fields=["spec_ref", "-decidido_em", "id"],
                name="fabrica_orcamento_dec_spec",
                condition=~Q(status="Aberto"),
            ),
        ]

    def __str__(self) -> str:
        return f"Orçamento #{self.pk} de {self.spec_ref}"

    @property
    def bloqueado(self) -> bool:
        return self.item_aprovacao is not None and self.item_aprovacao.status == Status.BLOQUEADO

    @property
    def status_dependencias(self) -> str:
        """``"bloqueado"`` while some gap's item is not concluded (the backlog keeps the approval
        item blocked until then), else ``"liberado"``. Derived on every read, never stored: a
        stored copy would go stale when the gaps are resolved. Uses ``gaps`` with their items,
        which ``fabrica.selectors.orcamentos`` prefetches."""
        return "bloqueado" if any(g.item.status != Status.CONCLUIDO for g in self.gaps.all()) else "liberado"

    @property
    def dependencias_atuais(self) -> dict:
        """The seed's ``dependencias`` section: what pricing stored plus ``status`` as it is now."""
        return {**self.dependencias, "status": self.status_dependencias}

    @property
    def situacao(self) -> str:
        """What a page says of it (``fabrica.palavras``): an open budget is ``a_decidir`` or
        ``em_espera`` (gaps); a closed one is its status."""
        if self.status != self.Status.ABERTO:
            return self.status
        return "em_espera" if self.bloqueado else "a_decidir"


class GapQuerySet(models.QuerySet):
    def abertos(self) -> GapQuerySet:
        """Gaps still waiting for someone: their item is pending or being worked on. These are
        the ones a capability registered now resolves (``fabrica.capacidades.services``)."""
        return self.filter(item__status__in=Gap.STATUS_ABERTOS)


class Gap(models.Model):
    """A missing capability that blocks a budget: the ``entrevistar_dor`` item that asks for it."""

    STATUS_ABERTOS = (Status.PENDENTE, Status.EM_PROCESSAMENTO)

    orcamento = models.ForeignKey(Orcamento, on_delete=models.CASCADE, related_name="gaps")
    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="gap")
    tipo_recurso = models.CharField(max_length=40)
    recurso = models.CharField(max_length=100)
    descricao = models.CharField(max_length=300)

    objects = GapQuerySet.as_manager()

    class Meta:
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")
        ordering = ["id"]
        indexes = [models.Index(fields=["tipo_recurso", "recurso"], name="fabrica_gap_recurso")]

    def __str__(self) -> str:
        return f"{self.tipo_recurso}:{self.recurso}"


class Ambiente(models.Model):
    """Where releases are deployed (``fabrica.implantacao``), in order (homologacao before
    producao), each through one target: a directory (the default) or configured commands.

    ``configuracao`` holds the target's settings (validated by ``fabrica.implantacao.alvos``):
    directory ``{smoke?: bool | [argv], timeout?}``; command ``{implantar: [argv], verificar?,
    reverter?, timeout?, variaveis?: {NOME: valor}, herdar?: [NOME], diretorio_trabalho?}``.
    """

    class Alvo(models.TextChoices):
        DIRETORIO = "diretorio", _("diretório")
        COMANDO = "comando", _("comando")

    nome = models.CharField(_("nome"), max_length=50, unique=True, validators=[slug_validador])
    descricao = models.TextField(_("descrição"), blank=True, default="")
    url = models.CharField(
        _("URL"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Onde o ambiente serve; {spec} e {versao} são trocados pelos da release."),
    )
    diretorio = models.CharField(
        _("diretório de implantação"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Vazio: var/implantacoes/<nome>."),
    )
    ativo = models.BooleanField(_("ativo"), default=True)
    ordem = models.PositiveSmallIntegerField(
        _("ordem"), default=0, help_text=_("Ambientes de ordem menor vêm antes (homologacao 10, producao 20).")
    )
    alvo = models.CharField(_("alvo de implantação"), max_length=16, choices=Alvo.choices, default=Alvo.DIRETORIO)
    configuracao = models.JSONField(_("configuração do alvo"), default=dict, blank=True)
    exige_validacao_em = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exige validação em"),
        help_text=_("Uma release só é implantada aqui depois de validada neste ambiente anterior."),
    )
    grupos_aprovadores = models.ManyToManyField(
        "auth.Group",
        blank=True,
        related_name="ambientes_aprovados",
        verbose_name=_("grupos que aprovam"),
        help_text=_("Quem pode aprovar, promover e validar implantações aqui. Vazio: qualquer PO."),
    )
    usuarios_aprovadores = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="ambientes_aprovados", verbose_name=_("usuários que aprovam")
    )
    retencao = models.PositiveSmallIntegerField(
        _("releases guardadas"),
        null=True,
        blank=True,
        help_text=_("Por spec; vazio: PROMETHEUS_IMPLANTACAO_RETENCAO. A atual e a anterior nunca são removidas."),
    )
    criado_em = models.DateTimeField(_("criado em"), auto_now_add=True)

    class Meta:
        verbose_name = _("ambiente")
        verbose_name_plural = _("ambientes")
        ordering = ["ordem", "nome"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(exige_validacao_em=models.F("pk")), name="fabrica_ambiente_nao_exige_a_si_mesmo"
            ),
            models.CheckConstraint(
                condition=Q(retencao__isnull=True) | Q(retencao__gte=2), name="fabrica_ambiente_retencao_minima"
            ),
        ]

    def __str__(self) -> str:
        return self.nome


class Release(DaVersaoDaSpec, DecisaoDoPO):
    """What development built from one budget (or a fix of an earlier release): the artefacts,
    their test results and the PO's decision. One per ``desenvolvimento``/``corrigir_bug`` item:
    a rescued item never builds two releases.

    ``artefatos``: ``[{caminho, vertente, papel, conteudo, sha256}]``; ``testes``:
    ``[{vertente, nome, caso, status, mensagem}]``; ``cobertura``: per vertente
    ``{linhas, ramos, percentual}``; ``tentativas``: per correction attempt
    ``{n, vertente, corretor, falhas, diff}``; ``recursos``: per vertente wall time and sandbox use.
    """

    class Tipo(models.TextChoices):
        NORMAL = "normal", _("normal")
        HOTFIX = "hotfix", _("correção (hotfix)")

    class Status(models.TextChoices):
        ABERTA = "Aberta", _("aguardando decisão")
        APROVADA = "Aprovada", _("aprovada")
        REJEITADA = "Rejeitada", _("rejeitada")

    versao = models.PositiveIntegerField(_("versão"))
    tipo = models.CharField(_("tipo"), max_length=8, choices=Tipo.choices, default=Tipo.NORMAL)
    orcamento = models.ForeignKey(Orcamento, on_delete=models.PROTECT, related_name="releases", null=True, blank=True)
    corrige = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="correcoes",
        null=True,
        blank=True,
        verbose_name=_("corrige a release"),
    )
    item_origem = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="release_produzida")
    artefatos = models.JSONField(_("artefatos"), default=list)
    testes = models.JSONField(_("resultados dos testes"), default=list)
    testes_passaram = models.BooleanField(_("testes passaram"), default=False)
    cobertura = models.JSONField(_("cobertura por vertente"), default=dict)
    cobertura_total = models.FloatField(_("cobertura (%)"), default=0.0)
    tentativas = models.JSONField(_("tentativas de correção"), default=list)
    recursos = models.JSONField(_("tempo e recursos por vertente"), default=dict)
    pendencias = models.JSONField(_("o que precisa de implementação"), default=list)
    # [{vertente, caso, motivo}]: cases a vertente could not turn into a test, shown, never hidden
    nao_testaveis = models.JSONField(_("casos sem teste"), default=list)
    # The cases the tests came from (CasoDeTeste.como_dict), regression cases included; a fix
    # of this release carries its regression cases forward.
    casos = models.JSONField(_("casos de teste"), default=list)
    # A hotfix: what it fixes, as the corrigir_bug said it ({feature_ref, erro, stack_trace, caso, item}).
    correcao = models.JSONField(_("correção pedida"), null=True, blank=True)
    duracao_segundos = models.FloatField(_("duração (s)"), default=0.0)
    tokens = models.PositiveIntegerField(_("tokens"), default=0)
    # Who built it (docs/modelo.md): {gerador, corretor, modelo, tokens_entrada, tokens_saida, custo,
    # chamadas}; "templates"/"deterministico" without a model, "modelo:<name>" with one.
    construida_por = models.JSONField(_("construída por"), default=dict, blank=True)
    # What a model generator proposed before the first test run, per vertente: {vertente, gerador,
    # tentou, diff, alterou, modelo: {prompt, resposta, tokens_entrada, tokens_saida, custo, duracao_s, falha}}.
    geracao = models.JSONField(_("geração pelo modelo"), default=list, blank=True)
    horas_reais = models.JSONField(_("esforço real por vertente"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ABERTA)
    criado_em = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        permissions = [("decidir_release", _("Pode aprovar e rejeitar releases (PO)"))]
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["spec_ref", "versao"], name="fabrica_release_versao_unica"),
            DecisaoDoPO.decisao_registrada(nome="fabrica_release_decisao_registrada", aberto="Aberta"),
            models.CheckConstraint(
                condition=Q(tipo="normal") | Q(corrige__isnull=False), name="fabrica_release_hotfix_corrige"
            ),
        ]
        indexes = [
            models.Index(fields=["id"], name="fabrica_release_abertas", condition=Q(status="Aberta")),
            # The inbox's history of releases, newest decisions first, and searched by spec.
            models.Index(
                fields=["-decidido_em", "id"], name="fabrica_release_decididas", condition=~Q(status="Aberta")
            ),
            models.Index(
                fields=["spec_ref", "-decidido_em", "id"],
                name="fabrica_release_dec_spec",
                condition=~Q(status="Aberta"),
            ),
            # The metrics' periods: releases by when they were made.
            models.Index(fields=["criado_em"], name="fabrica_release_criada"),
            # A deployment's release → its spec (DORA's lead time) without reading the release's
            # wide rows: an index-only scan on PostgreSQL, a covering index on SQLite.
            models.Index(fields=["id", "spec"], name="fabrica_release_spec_cobre"),
        ]

    def __str__(self) -> str:
        return f"{self.spec_ref} v{self.versao}"

    @property
    def rotulo_versao(self) -> str:
        """The label ``release_ref``/``feature_ref`` carry on the backlog (``spec_001-v2``)."""
        return contratos.rotulo_versao(self.spec_ref, self.versao)


class HorasVertente(models.Model):
    """One vertente's hours of a budget as numbers the metrics aggregate (budget accuracy, MMRE,
    PRED(25)): the estimate the pricing made (``esforco.horas_dev_por_vertente``) and the real
    hours recorded (``horas_reais``; null until then). Written by the services that write those
    JSON fields, in their transaction (``fabrica.precificacao.horas.horas_registrar``), so the
    metrics sum columns instead of reading JSON."""

    orcamento = models.ForeignKey(Orcamento, on_delete=models.CASCADE, related_name="horas_por_vertente")
    vertente = models.CharField(_("vertente"), max_length=8)
    estimadas = models.FloatField(_("horas estimadas"), null=True)
    reais = models.FloatField(_("horas reais"), null=True)

    class Meta:
        verbose_name = _("horas de vertente")
        verbose_name_plural = _("horas de vertente")
        ordering = ["orcamento_id", "vertente"]
        constraints = [
            models.UniqueConstraint(fields=["orcamento", "vertente"], name="fabrica_horas_vertente_unica"),
        ]

    def __str__(self) -> str:
        return f"{self.vertente} de {self.orcamento_id}"


class ExecucaoVertente(models.Model):
    """What one vertente's worker did for one release, as numbers the metrics aggregate (§8.2):
    the seconds of each stage, the correction attempts, whether the first test run passed, and
    the sandbox's CPU and peak memory. Written with the release, in its transaction
    (``fabrica.desenvolvimento.execucoes.execucoes_registrar``), from the same facts the release
    keeps as JSON (``recursos``, ``tentativas``, ``testes``); ``criado_em`` and ``spec_ref`` are
    the release's, so the metrics' period and spec filters read this table alone."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="execucoes")
    vertente = models.CharField(_("vertente"), max_length=8)
    worker = models.CharField(_("worker"), max_length=100, blank=True, default="")
    spec_ref = models.CharField(_("spec"), max_length=100)
    criado_em = models.DateTimeField(_("release criada em"))
    gerar_s = models.FloatField(_("gerar (s)"), null=True)
    testar_s = models.FloatField(_("testar (s)"), null=True)
    corrigir_s = models.FloatField(_("corrigir (s)"), null=True)
    total_s = models.FloatField(_("total (s)"), null=True)
    tentativas_correcao = models.PositiveIntegerField(_("tentativas de correção"), default=0)
    passou = models.BooleanField(_("testes passaram"), default=False)
    passou_primeira = models.BooleanField(_("passou na primeira execução"), default=False)
    execucoes_sandbox = models.PositiveIntegerField(_("execuções no sandbox"), default=0)
    # Null when the sandbox never ran for this vertente (nothing to test): no value, not 0.
    sandbox_cpu_s = models.FloatField(_("CPU no sandbox (s, soma)"), null=True)
    sandbox_memoria_max_bytes = models.BigIntegerField(_("memória máxima no sandbox (bytes)"), null=True)

    class Meta:
        verbose_name = _("execução de vertente")
        verbose_name_plural = _("execuções de vertente")
        ordering = ["release_id", "vertente"]
        constraints = [
            models.UniqueConstraint(fields=["release", "vertente"], name="fabrica_execucao_vertente_unica"),
        ]
        indexes = [
            # The metrics read a period per vertente (percentiles by vertente, ordered by value).
            models.Index(fields=["criado_em", "vertente"], name="fabrica_execucao_periodo"),
            models.Index(fields=["spec_ref", "criado_em"], name="fabrica_execucao_spec"),
        ]

    def __str__(self) -> str:
        return f"{self.vertente} de {self.release_id}"


class Construcao(models.Model):
    """A build in progress (or done) of one ``desenvolvimento``/``corrigir_bug`` item: what each
    vertente is doing, for the pages to show while the workers run, and each vertente's result
    until the assembly packages them. A row per item, written by the nodes that build its
    vertentes (each write locks the row: they run at once); the release, once made, is the record."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="construcao")
    spec_ref = models.CharField(_("spec"), max_length=100)
    # {vertente: {estado: gerando|testando|corrigindo|concluida, tentativa, mensagem, em}}
    etapas = models.JSONField(_("etapas por vertente"), default=dict)
    # {vertente: ciclo.ResultadoVertente.como_dict()}: written with the conclusion of each
    # vertente's internal item (any node), read by the assembly that packages the release.
    resultados = models.JSONField(_("resultados por vertente"), default=dict, blank=True)
    consumidor = models.CharField(_("consumidor"), max_length=200, blank=True, default="")
    # Tokens the model spent on this build (all its vertentes, on any node): the shared counter
    # of the ceiling per release (docs/modelo.md, "Token ceilings").
    tokens_gastos = models.PositiveBigIntegerField(_("tokens gastos pelo modelo"), default=0)
    iniciada_em = models.DateTimeField(_("iniciada em"), auto_now_add=True)
    atualizada_em = models.DateTimeField(_("atualizada em"), auto_now=True)

    class Meta:
        verbose_name = _("construção")
        verbose_name_plural = _("construções")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Construção do item #{self.item_id} ({self.spec_ref})"


# The deployment record and the e-mail notices live in their subpackages; imported here so Django
# registers them with fabrica.
from fabrica.avisos.models import Aviso, Perfil  # noqa: E402, F401
from fabrica.implantacao.models import Implantacao  # noqa: E402, F401
from fabrica.metricas.models import Faixa, TabelaFaixas  # noqa: E402, F401
