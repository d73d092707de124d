"""The bank's execution time (执行时间) of a stop-payment or freeze, from which its legal clock runs. The
clocks of answers recorded before ran from the moment the answer was recorded: that moment becomes
their execution time, so their deadlines stay as they were."""

from django.db import migrations, models
from django.db.models import F

HELD = ("stopped", "frozen")


def executed_when_answered(apps, schema_editor):
    Measure = apps.get_model("cases", "Measure")
    Measure.objects.filter(answer__in=HELD, answered_at__isnull=False, executed_at__isnull=True).update(
        executed_at=F("answered_at")
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_measure_onward_from")]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="executed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="执行时间"),
        ),
        migrations.RunPython(executed_when_answered, migrations.RunPython.noop),
    ]
