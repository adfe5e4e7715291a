from django.db import migrations


def papeis(apps, schema_editor):
    from fabrica.papeis import sincronizar_papeis

    sincronizar_papeis(apps)


class Migration(migrations.Migration):
    dependencies = [("fabrica", "0004_ambientes_permissoes")]

    operations = [migrations.RunPython(papeis, migrations.RunPython.noop)]
