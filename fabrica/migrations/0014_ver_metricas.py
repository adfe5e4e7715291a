from django.db import migrations


def papeis(apps, schema_editor):
    # The PO gains fabrica.ver_metricas (admins hold fabrica.* already).
    from fabrica.papeis import sincronizar_papeis

    sincronizar_papeis(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('fabrica', '0013_release_casos_construcao'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='modeloprecificacao',
            options={'ordering': ['-versao'], 'permissions': [('ver_metricas', 'Pode ver as métricas da fábrica (painel e API)')], 'verbose_name': 'modelo de precificação', 'verbose_name_plural': 'modelos de precificação'},
        ),
        migrations.RunPython(papeis, migrations.RunPython.noop),
    ]
