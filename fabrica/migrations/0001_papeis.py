from django.db import migrations


def criar_papeis(apps, schema_editor):
    from fabrica.papeis import sincronizar_papeis

    sincronizar_papeis(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("backlog", "0001_initial"),
    ]

    operations = [migrations.RunPython(criar_papeis, migrations.RunPython.noop)]
