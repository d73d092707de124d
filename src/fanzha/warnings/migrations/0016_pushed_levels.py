"""The sender's own level (预警级别) as a grading condition, and default rules that follow it.

A pushed list graded 红色/一级/紧急 by the superior centre was graded by our rules alone; a centre
expects the sender's level to count. The rules are added only where none of that name exists (edited in
the UI afterwards); the sender's 低 needs no rule (低 is the default).
"""

from django.db import migrations, models

# A copy, so later changes to the code's defaults never change what this migration did.
RULES = [
    {"name": "推送方定为紧急", "pushed_levels": ["urgent"], "grade": "urgent", "reason": "推送方预警级别：{level}"},
    {"name": "推送方定为高", "pushed_levels": ["high"], "grade": "high", "reason": "推送方预警级别：{level}"},
    {"name": "推送方定为中", "pushed_levels": ["medium"], "grade": "medium", "reason": "推送方预警级别：{level}"},
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    GradingRule = apps.get_model("warnings", "GradingRule")
    last = GradingRule.objects.order_by("-position").values_list("position", flat=True).first() or 0
    for n, rule in enumerate(RULES, start=1):
        if not GradingRule.objects.filter(name=rule["name"]).exists():
            GradingRule.objects.create(position=last + 10 * n, **rule)


class Migration(migrations.Migration):
    dependencies = [("warnings", "0015_repush")]
    operations = [
        migrations.AddField(
            model_name="gradingrule",
            name="pushed_levels",
            field=models.JSONField(blank=True, default=list, verbose_name="推送方预警级别"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
