"""A field-work photo shows a person or their home: every view of it is permission-checked and leaves
one ``pii.read`` record naming the photo and its warning, nothing personal in it."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.warnings import workflow
from fanzha.warnings.models import ContactPhoto
from tests.personas import login
from tests.warnings import images
from tests.warnings.helpers import make_warning

PNG = images.png()


def _photo(world):  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    worker = world.users["grid_cd"]
    warning = workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)
    data = workflow.ContactData(kind="visit", outcome="dissuaded", arrived_at=timezone.now(), photos=[PNG])
    workflow.warning_contact_record(actor=worker, warning=warning, data=data)
    return warning, ContactPhoto.objects.get()


def _photo_reads():  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(action="pii.read", object_type="warnings.contactphoto")


def test_each_view_of_a_photo_is_one_audit_record(world, client) -> None:  # type: ignore[no-untyped-def]
    warning, photo = _photo(world)
    login(client, world.users["police_cg"])

    for _ in range(2):
        response = client.get(reverse("warning_photo", args=[photo.pk]))
        assert response.status_code == 200 and response.content == PNG
        assert response["Cache-Control"] == "private, no-store"

    reads = list(_photo_reads())
    assert len(reads) == 2
    for read in reads:
        assert read.object_id == str(photo.pk) and read.actor_username == "police_cg"
        assert read.fields == ["photo"] and read.details == {"warning_id": warning.pk}
        recorded = json.dumps([read.object_label, read.details], ensure_ascii=False)
        for value in (warning.person.name, warning.person.phone, warning.person.id_number):
            assert value not in recorded


def test_a_photo_out_of_scope_or_without_permission_is_not_shown_nor_recorded(world, client) -> None:  # type: ignore[no-untyped-def]
    _, photo = _photo(world)

    login(client, world.users["grid_sq"])  # another village's grid worker
    assert client.get(reverse("warning_photo", args=[photo.pk])).status_code == 404
    login(client, world.users["bank"])  # no warning.view
    assert client.get(reverse("warning_photo", args=[photo.pk])).status_code == 403

    assert not _photo_reads().exists()


def test_the_service_checks_scope_itself(world) -> None:  # type: ignore[no-untyped-def]
    _, photo = _photo(world)

    with pytest.raises(PermissionDenied):
        workflow.warning_photo_read(actor=world.users["grid_sq"], photo=photo)

    assert not _photo_reads().exists()
