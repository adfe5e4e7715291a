# The inbox's deployment kinds at a long history (issue 17, bench/inbox.py): running deployments,
# failures decided, validations by spec, each through a partial index.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fabrica', '0023_release_construida_por'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='implantacao',
            index=models.Index(condition=models.Q(('status__in', ['Aguardando', 'EmAndamento'])), fields=['id'], name='fabrica_impl_em_curso'),
        ),
        migrations.AddIndex(
            model_name='implantacao',
            index=models.Index(condition=models.Q(('falha__in', ['Repetida', 'Rejeitada'])), fields=['-validado_em', 'id'], name='fabrica_impl_falhas_decid'),
        ),
        migrations.AddIndex(
            model_name='implantacao',
            index=models.Index(condition=models.Q(('validacao__in', ['Validada', 'Recusada'])), fields=['spec_ref', '-validado_em', 'id'], name='fabrica_impl_val_spec'),
        ),
    ]
