"""One open or approved budget per spec version (issue 11), and superseded budgets.

Before the constraint, a budget asked twice for one version made two; this keeps one of each
such group (an approved one if any, else the oldest) and marks the others superseded by that
same version, withdrawing their approval items, so the constraint can hold.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def marcar_duplicados(apps, schema_editor):
    Orcamento = apps.get_model("fabrica", "Orcamento")
    Item = apps.get_model("backlog", "Item")
    Evento = apps.get_model("backlog", "Evento")
    agora = timezone.now()
    grupos: dict[int, list] = {}
    for orc in Orcamento.objects.filter(status__in=["Aberto", "Aprovado"]).order_by("id"):
        grupos.setdefault(orc.spec_id, []).append(orc)
    for orcs in grupos.values():
        if len(orcs) < 2:
            continue
        mantido = next((o for o in orcs if o.status == "Aprovado"), orcs[0])
        for orc in orcs:
            if orc.pk == mantido.pk:
                continue
            nota = f"[duplicado do orçamento #{mantido.pk} da mesma versão; era {orc.status}: migração 0011]"
            orc.motivo = f"{orc.motivo} {nota}".strip()
            orc.status, orc.substituido_por_id = "Substituido", mantido.spec_id
            orc.decidido_em = orc.decidido_em or agora
            orc.save(update_fields=["status", "substituido_por", "decidido_em", "motivo"])
            item = orc.item_aprovacao_id and Item.objects.filter(pk=orc.item_aprovacao_id).first()
            if item and item.status in ("Pendente", "Bloqueado", "EmProcessamento"):
                item.status, item.lease_token, item.lease_expira_em = "Cancelado", None, None
                item.save(update_fields=["status", "lease_token", "lease_expira_em"])
                Evento.objects.create(item=item, tipo="cancelado", ator="PROMETHEUS", dados={"motivo": nota})


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0001_initial"),
        ("fabrica", "0010_ambientes_implantacoes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="orcamento",
            name="substituido_por",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="fabrica.spec",
                verbose_name="substituído pela versão",
            ),
        ),
        migrations.AlterField(
            model_name="orcamento",
            name="status",
            field=models.CharField(
                choices=[
                    ("Aberto", "aguardando decisão"),
                    ("Aprovado", "aprovado"),
                    ("Ajustado", "devolvido para ajuste"),
                    ("Rejeitado", "rejeitado"),
                    ("Substituido", "substituído"),
                ],
                default="Aberto",
                max_length=12,
            ),
        ),
        migrations.RunPython(marcar_duplicados, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="orcamento",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["Aberto", "Aprovado"])),
                fields=("spec",),
                name="fabrica_orcamento_um_por_versao",
                violation_error_message="Esta versão da spec já tem um orçamento aberto ou aprovado.",
            ),
        ),
        migrations.AddConstraint(
            model_name="orcamento",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "Substituido"), _negated=True),
                    ("substituido_por__isnull", False),
                    _connector="OR",
                ),
                name="fabrica_orcamento_substituido_diz_por_qual",
            ),
        ),
    ]
