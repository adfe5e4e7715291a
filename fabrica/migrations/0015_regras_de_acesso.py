from django.db import migrations


def regras_de_acesso(apps, schema_editor):
    from fabrica.papeis import sincronizar_papeis, sincronizar_regras_de_acesso

    sincronizar_papeis(apps)  # the admin's permissions on the new models
    sincronizar_regras_de_acesso(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("fabrica", "0014_ver_metricas"),
        ("backlog", "0003_regras_de_acesso"),
    ]

    operations = [migrations.RunPython(regras_de_acesso, migrations.RunPython.noop)]
