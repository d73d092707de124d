"""Template filters that mask personal data (templates never print a sensitive field unfiltered), and
the one way pages write an amount of money."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from fanzha.core.pii import masking

register = template.Library()

register.filter("mask_phone", masking.mask_phone)
register.filter("mask_id_number", masking.mask_id_number)
register.filter("mask_bank_card", masking.mask_bank_card)
register.filter("mask_name", masking.mask_name)
register.filter("mask_address", masking.mask_address)
# Free text typed before it was masked on saving (ID, phone and card numbers in it masked when shown).
register.filter("scrub_text", masking.scrub_text)


@register.filter
def yuan(amount: Any) -> str:
    """An amount in yuan as the pages and the grading reasons write it: ``50,000 元``, ``1,234.50 元``
    (fen only when there are some); ``—`` for none. A Decimal field prints ``50000.00`` unfiltered."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    whole = value == value.to_integral_value()
    return f"{value:,.0f} 元" if whole else f"{value:,.2f} 元"
