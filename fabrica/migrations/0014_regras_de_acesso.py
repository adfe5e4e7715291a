from django.db import migrations


def regras_de_acesso(apps, schema_editor):
    from fabrica.papeis import sincronizar_papeis, sincronizar_regras_de_acesso

    sincronizar_papeis(apps)  # the admin's permissions on the new models
    sincronizar_regras_de_acesso(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("fabrica", "0013_release_casos_construcao"),
        ("backlog", "0003_regras_de_acesso"),
    ]

    operations = [migrations.RunPython(regras_de_acesso, migrations.RunPython.noop)]
