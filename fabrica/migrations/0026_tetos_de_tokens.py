from django.db import migrations, models
from django.db.models import Sum


def gastos_ate_aqui(apps, schema_editor):
    """The budget's counter starts from what its recorded releases spent (the ceiling counted that)."""
    Orcamento = apps.get_model("fabrica", "Orcamento")
    for orcamento in Orcamento.objects.filter(releases__tokens__gt=0).distinct():
        total = orcamento.releases.aggregate(t=Sum("tokens"))["t"] or 0
        Orcamento.objects.filter(pk=orcamento.pk).update(tokens_gastos=total)


class Migration(migrations.Migration):
    dependencies = [
        ("fabrica", "0025_horas_por_vertente"),
    ]

    operations = [
        migrations.AddField(
            model_name="construcao",
            name="tokens_gastos",
            field=models.PositiveBigIntegerField(default=0, verbose_name="tokens gastos pelo modelo"),
        ),
        migrations.AddField(
            model_name="orcamento",
            name="tokens_gastos",
            field=models.PositiveBigIntegerField(default=0, verbose_name="tokens gastos pelo modelo"),
        ),
        migrations.RunPython(gastos_ate_aqui, migrations.RunPython.noop),
    ]
