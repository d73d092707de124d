"""A default grading rule for a person who called a fraud number back (edited in the UI afterwards).

The rules seeded first need three calls and a call back for 高; a person reached once who then called
the number back (a 号码研判 victim, an operator's list) matched none and was graded 低 with 未命中定级规则.
Added only where no rule of that name exists, after the rule on repeated calls.
"""

from django.db import migrations

# A copy, so later changes to the code's defaults never change what this migration did.
RULE = {
    "name": "回拨诈骗号码",
    "min_callbacks": 1,
    "grade": "medium",
    "reason": "回拨 {callbacks} 次",  # within "被诈骗号码呼叫 5 次，回拨 2 次" when both match: said once
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    GradingRule = apps.get_model("warnings", "GradingRule")
    if GradingRule.objects.filter(name=RULE["name"]).exists():
        return
    after = GradingRule.objects.filter(name="多次被呼叫").values_list("position", flat=True).first()
    last = GradingRule.objects.order_by("-position").values_list("position", flat=True).first()
    position = (after + 1) if after is not None else (last or 0) + 10
    GradingRule.objects.create(position=position, **RULE)


class Migration(migrations.Migration):
    dependencies = [("warnings", "0012_event_handed_on_index")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
