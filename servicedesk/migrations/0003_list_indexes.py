# Indexes in the order of the large lists (issue 16); the models' Meta.indexes say why each exists.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0009_list_indexes'),
        ('programs', '0004_subsidy_rule_notes_en'),
        ('servicedesk', '0002_work_queue_notifications'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='demand',
            index=models.Index(condition=models.Q(('status__in', ['assigned', 'in_progress', 'open', 'reopened'])), fields=['-raised_on', '-id'], include=('due_on',), name='demand_pending_list_order'),
        ),
        migrations.AddIndex(
            model_name='demand',
            index=models.Index(condition=models.Q(('status__in', ['assigned', 'in_progress', 'open', 'reopened'])), fields=['due_on', 'id'], include=('enterprise',), name='demand_pending_due'),
        ),
        migrations.AddIndex(
            model_name='serviceassignment',
            index=models.Index(fields=['-started_at', '-id'], name='assignment_list_order'),
        ),
    ]
