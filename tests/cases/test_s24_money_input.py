"""An amount typed on a phone (止付、冻结、返还金额) opens the number pad, not the full keyboard."""

from django import forms

from fanzha.cases.forms import MoneyField


def test_a_money_field_asks_for_the_decimal_pad() -> None:
    class Amount(forms.Form):
        amount = MoneyField(label="请求金额（元）", max_length=30)

    html = str(Amount()["amount"])
    assert 'inputmode="decimal"' in html and 'maxlength="30"' in html
    assert Amount({"amount": "1,234.50"}).is_valid()
