"""The audited reveal of a warning's phone and address, where the work needs them in clear: 人工定位
(the address is what places the warning) and the warning's page (the phone, to call from it).

The value revealed is the one the page masks — the person's phone (the report's own when it is another
usable number than the one on record, or, kept to be corrected, when the person has none) and the
report's address (the person's when the report had none) — and the ``pii.read`` record names the record
it was read from, so a search of the audit log by person finds it; ``details.warning_id`` names the
warning it was read for. Who may reveal is the person page's rule: ``person.reveal``, within the user's
jurisdiction (``fanzha.core.access``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.pii import phone
from fanzha.core.services.persons import REVEAL_PURPOSES
from fanzha.warnings.models import Warning

REVEALABLE = {"phone": "手机号", "address": "现住址"}


def shown_source(warning: Warning, field_name: str) -> tuple[Model, str]:
    """The record and its field that the warning's page shows (masked) as ``field_name``."""
    person = warning.person
    if field_name == "phone":
        return (warning, "phone_raw") if own_phone(warning) or not person.phone else (person, "phone")
    if field_name == "address":
        return (warning, "address") if warning.address else (person, "address")
    raise ValueError(f"not a field a warning reveals: {field_name}")


def own_phone(warning: Warning) -> bool:
    """Whether the warning keeps a number of its own to call on: the report's, other than the one on
    record (:func:`fanzha.warnings.people.fill_person`) — not one kept only to be corrected (invalid,
    a service number)."""
    if not warning.phone_raw:
        return False
    info = phone.phone_info(warning.phone_raw)
    return info.valid and info.kind in ("mobile", "landline")


def shown_value(warning: Warning, field_name: str) -> str:
    record, name = shown_source(warning, field_name)
    return str(getattr(record, name) or "")


@transaction.atomic
def warning_reveal(*, actor: Any, warning: Warning, field_name: str, purpose: str) -> str:
    """The clear value of the warning's phone or address, for a user who may reveal, for a stated
    purpose; one ``pii.read`` record in this transaction."""
    if field_name not in REVEALABLE:
        raise ValueError(f"not a field a warning reveals: {field_name}")
    if purpose not in REVEAL_PURPOSES:
        raise ValidationError({"purpose": "请先选择查看原因"})
    access.require(actor, "person.reveal")
    if not access.area_visible_to(actor, warning.area):
        raise PermissionDenied("该区划不在您的管辖范围内")
    record, name = shown_source(warning, field_name)
    audit_record(
        actor=actor,
        action="pii.read",
        obj=record,
        fields=[name],
        details={"purpose": purpose, "warning_id": warning.pk},
    )
    return str(getattr(record, name) or "")
