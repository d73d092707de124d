"""PushedLayout: one per file (import batch) and source, found from its rows by when they were received.

The layouts saved before (one per source, the latest file's) are kept as they are, ``received_at``
empty: each stays the layout of its source's rows received until it was saved — the warnings already
imported go back in the layout they went back in before.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("warnings", "0010_clock_started_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pushedlayout",
            name="source",
            field=models.CharField(max_length=40, verbose_name="预警来源"),
        ),
        migrations.AddField(
            model_name="pushedlayout",
            name="received_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="接收时间"),
        ),
        migrations.AddConstraint(
            model_name="pushedlayout",
            constraint=models.UniqueConstraint(
                fields=("batch", "source"), name="warnings_pushedlayout_batch_source"
            ),
        ),
        migrations.AddIndex(
            model_name="pushedlayout",
            index=models.Index(fields=["source", "received_at"], name="warnings_pushedlayout_received"),
        ),
    ]
