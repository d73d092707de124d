"""Warning.clock_started_at: when the SLA clock now running started.

Filled with the latest handover to another unit (its history line keeps the first unit's clock,
``data.clock``: only such a handover restarted the clock), else the receipt.
"""

from django.db import migrations, models
from django.db.models import F, Max

BATCH = 2000


def fill_clock_started_at(apps, schema_editor):  # type: ignore[no-untyped-def]
    """One plain UPDATE (receipt) for every warning, then one aggregate scan of the handover lines and
    an UPDATE per warning handed to another unit (few) — not a correlated subquery a warning, which on
    a million warnings and their history probes the history index a million times."""
    Warning = apps.get_model("warnings", "Warning")
    WarningEvent = apps.get_model("warnings", "WarningEvent")
    Warning.objects.update(clock_started_at=F("received_at"))
    handovers = (
        WarningEvent.objects.filter(kind="handed_over", data__has_key="clock")
        .values("warning_id")
        .annotate(latest=Max("at"))
        .values_list("warning_id", "latest")
    )
    for warning_id, latest in handovers.iterator(chunk_size=BATCH):
        Warning.objects.filter(pk=warning_id).update(clock_started_at=latest)


class Migration(migrations.Migration):
    dependencies = [
        ("warnings", "0009_contact_latest_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="warning",
            name="clock_started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="时限起算时间"),
        ),
        migrations.RunPython(fill_clock_started_at, migrations.RunPython.noop),
    ]
