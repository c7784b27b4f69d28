# Indexes in the order of the large lists (issue 16); the models' Meta.indexes say why each exists.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0008_name_bigrams'),
        ('reference', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='enterprise',
            index=models.Index(fields=['district', 'name', 'id'], name='enterprise_district_name'),
        ),
        migrations.AddIndex(
            model_name='enterprise',
            index=models.Index(fields=['id'], include=('district',), name='enterprise_id_district'),
        ),
    ]
