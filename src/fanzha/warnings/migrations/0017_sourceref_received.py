# The feedback list's rows of a source in a period, read from an index (docs/warnings.md §7).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('warnings', '0016_pushed_levels'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='warningsourceref',
            index=models.Index(fields=['source', 'received_at', 'id', 'warning'], name='warnings_sourceref_received'),
        ),
    ]
