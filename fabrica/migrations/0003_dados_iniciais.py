from django.db import migrations


def dados_iniciais(apps, schema_editor):
    from fabrica.papeis import sincronizar_papeis
    from fabrica.precificacao.modelo import COEFICIENTES_INICIAIS

    sincronizar_papeis(apps)
    Modelo = apps.get_model("fabrica", "ModeloPrecificacao")
    Modelo.objects.get_or_create(versao=1, defaults={
        "coeficientes": COEFICIENTES_INICIAIS,
        "motivo": "Coeficientes iniciais, antes de qualquer esforço real registrado.",
    })
    # The sweep (docs/arquitetura.md, "Background work"): rescue expired leases, repair unblocks,
    # dispatch missed items.
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name="prometheus-varredura", defaults={
        "func": "fabrica.tasks.varrer", "schedule_type": "I", "minutes": 1, "repeats": -1,
    })


class Migration(migrations.Migration):
    dependencies = [
        ("fabrica", "0002_specs_capacidades_orcamentos"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(dados_iniciais, migrations.RunPython.noop)]
