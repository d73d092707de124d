"""Template filters that mask personal data; templates never print a sensitive field unfiltered."""

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
