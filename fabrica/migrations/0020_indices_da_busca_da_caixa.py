# The inbox's search at a long history (issue 17, bench/inbox.py): the distinct search texts of
# the specs walked through an index, and the decided budgets and releases of a spec in the history
# tab's order. Plain CREATE INDEX, like 0006 (these tables are written at pricing speed).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('fabrica', '0019_execucoes_e_data_do_commit'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='orcamento',
            index=models.Index(condition=models.Q(('status', 'Aberto'), _negated=True), fields=['spec_ref', '-decidido_em', 'id'], name='fabrica_orcamento_dec_spec'),
        ),
        migrations.AddIndex(
            model_name='release',
            index=models.Index(condition=models.Q(('status', 'Aberta'), _negated=True), fields=['-decidido_em', 'id'], name='fabrica_release_decididas'),
        ),
        migrations.AddIndex(
            model_name='release',
            index=models.Index(condition=models.Q(('status', 'Aberta'), _negated=True), fields=['spec_ref', '-decidido_em', 'id'], name='fabrica_release_dec_spec'),
        ),
        migrations.AddIndex(
            model_name='spec',
            index=models.Index(fields=['busca'], name='fabrica_spec_busca'),
        ),
    ]
