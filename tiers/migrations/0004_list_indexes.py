# Indexes in the order of the large lists (issue 16); the models' Meta.indexes say why each exists.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0009_list_indexes'),
        ('reference', '0001_initial'),
        ('tiers', '0003_queued_run_outbox'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='certification',
            index=models.Index(fields=['-valid_from', '-id'], name='cert_list_order'),
        ),
    ]
