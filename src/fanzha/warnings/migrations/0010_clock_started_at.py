"""Warning.clock_started_at: when the SLA clock now running started.

Filled with the latest handover to another unit (its history line keeps the first unit's clock,
``data.clock``: only such a handover restarted the clock), else the receipt.
"""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_clock_started_at(apps, schema_editor):  # type: ignore[no-untyped-def]
    Warning = apps.get_model("warnings", "Warning")
    WarningEvent = apps.get_model("warnings", "WarningEvent")
    handovers = WarningEvent.objects.filter(
        warning=OuterRef("pk"), kind="handed_over", data__has_key="clock"
    ).order_by("-at", "-id")
    Warning.objects.update(clock_started_at=Coalesce(Subquery(handovers.values("at")[:1]), F("received_at")))


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
