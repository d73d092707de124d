"""The default grading rules a centre starts with (edited in the UI afterwards)."""

from decimal import Decimal

from django.db import migrations

# A copy, so later changes to the code's defaults never change what this migration did.
RULES = [
    {"name": "正在转账", "transfer_in_progress": True, "grade": "urgent", "reason": "正在转账"},
    {"name": "大额涉案", "min_amount": Decimal(50000), "grade": "urgent", "reason": "涉案金额 {amount} 元"},
    {"name": "涉案金额", "min_amount": Decimal(10000), "grade": "high", "reason": "涉案金额 {amount} 元"},
    {"name": "高龄", "min_age": 70, "grade": "high", "reason": "{age} 岁"},
    {"name": "老年人", "min_age": 60, "max_age": 69, "grade": "medium", "reason": "{age} 岁"},
    {
        "name": "反复被呼叫并回拨",
        "min_calls": 3,
        "min_callbacks": 1,
        "grade": "high",
        "reason": "被诈骗号码呼叫 {calls} 次，回拨 {callbacks} 次",
    },
    {"name": "多次被呼叫", "min_calls": 3, "grade": "medium", "reason": "被诈骗号码呼叫 {calls} 次"},
    {
        "name": "高危诈骗类型",
        "fraud_types": ["impersonate_authority", "fake_investment", "fake_order_rebate", "fake_loan"],
        "grade": "high",
        "reason": "类型：{type}",
    },
    {"name": "银行预警", "sources": ["bank"], "grade": "medium", "reason": "银行推送：涉诈账户交易"},
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    GradingRule = apps.get_model("warnings", "GradingRule")
    if not GradingRule.objects.exists():
        for position, rule in enumerate(RULES, start=1):
            GradingRule.objects.create(position=position * 10, **rule)


class Migration(migrations.Migration):
    dependencies = [("warnings", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
