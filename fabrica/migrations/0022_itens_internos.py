from django.db import migrations, models


def regras_de_acesso(apps, schema_editor):
    from fabrica.papeis import sincronizar_papeis, sincronizar_regras_de_acesso

    sincronizar_papeis(apps)  # the roles' permissions on the models added since the last sync
    # The internal item types (worker_*, montar_release) get a rule that grants nothing: only
    # PROMETHEUS's own services produce, consume and conclude them.
    sincronizar_regras_de_acesso(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("fabrica", "0021_release_cobre_spec"),
    ]

    operations = [
        migrations.AddField(
            model_name="construcao",
            name="resultados",
            field=models.JSONField(blank=True, default=dict, verbose_name="resultados por vertente"),
        ),
        migrations.RunPython(regras_de_acesso, migrations.RunPython.noop),
    ]
