# The budget had three names (model SpecRecursos, dataclass Orcamento, URLs orcamentos);
# the model takes the PO's word. The seed's ``spec_recursos`` stays the payload's wire name.
from django.conf import settings
from django.db import migrations


def renomear_permissoes(apps, schema_editor):
    """RenameModel keeps the content type but not the permission codenames: rename them, then
    grant the roles again (fabrica.papeis names the new codenames)."""
    from fabrica.papeis import sincronizar_papeis

    Permission = apps.get_model("auth", "Permission")
    for perm in Permission.objects.filter(content_type__app_label="fabrica", codename__endswith="_specrecursos"):
        acao = perm.codename.removesuffix("_specrecursos")
        if not Permission.objects.filter(content_type=perm.content_type, codename=f"{acao}_orcamento").exists():
            perm.codename = f"{acao}_orcamento"
            perm.name = f"Can {acao} orçamento"
            perm.save(update_fields=["codename", "name"])
    sincronizar_papeis(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("fabrica", "0007_indice_decididos_cobre_contagem_e_busca"),
    ]

    operations = [
        migrations.RenameModel(old_name="SpecRecursos", new_name="Orcamento"),
        migrations.RunPython(renomear_permissoes, migrations.RunPython.noop),
    ]
