# The budget had three names (model SpecRecursos, dataclass Orcamento, URLs orcamentos);
# the model takes the PO's word. The seed's ``spec_recursos`` stays the payload's wire name.
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("fabrica", "0007_indice_decididos_cobre_contagem_e_busca"),
    ]

    operations = [
        migrations.RenameModel(old_name="SpecRecursos", new_name="Orcamento"),
    ]
