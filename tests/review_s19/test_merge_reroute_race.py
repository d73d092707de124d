"""A merge that re-routes a not yet acknowledged warning to the police (高) lets no grid worker whose
page (and access check) was read before the merge acknowledge it or record a contact on it: the
service checks the unit on the warning it locked, not on the one the view read."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fanzha.warnings.models import Contact, Status, Warning
from fanzha.warnings.workflow import Conflict, ContactData, warning_acknowledge, warning_contact_record
from tests.warnings.helpers import make_warning

HIGHER = {"call_count": "4", "callback_count": "2"}  # called 4 times, called back twice: 高


def _rerouted(world):  # type: ignore[no-untyped-def]
    """The warning as the grid worker's request read it, then a merge that sends it to the police."""
    read = make_warning(1)
    assert read.assignee == world.users["grid_cd"]
    merged = make_warning(1, source_id="M00001", **HIGHER)
    assert merged.assignee == world.users["police_cg"] and merged.status == Status.ASSIGNED
    return read


def test_acknowledging_a_warning_a_merge_rerouted_meanwhile_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    read = _rerouted(world)
    with pytest.raises((PermissionDenied, Conflict)):
        warning_acknowledge(actor=world.users["grid_cd"], warning=read, version=read.version)
    now = Warning.objects.get(pk=read.pk)
    assert now.status == Status.ASSIGNED and now.assignee == world.users["police_cg"]


def test_a_contact_on_a_warning_a_merge_rerouted_meanwhile_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    read = _rerouted(world)
    data = ContactData(kind="call", outcome="refused", version=read.version)
    with pytest.raises((PermissionDenied, Conflict)):
        warning_contact_record(actor=world.users["grid_cd"], warning=read, data=data)
    assert Contact.objects.count() == 0
    assert Warning.objects.get(pk=read.pk).assignee == world.users["police_cg"]
