"""Field work probed as a grid worker does it on a phone: a form sent back with photos chosen, a
colleague deactivated while the hand-over form was open, a phone photo with a damaged Exif, a long
reference number typed into the notes on a 375 px screen."""

from __future__ import annotations

import re
import struct
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.warnings import workflow
from fanzha.warnings.models import ContactPhoto, Status
from fanzha.warnings.photos import problem
from fanzha.warnings.workflow import photo_bytes
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures, for the phone test below
    MISSING,
    browser,
    chromium_path,
    live_world,
    log_in,
    new_context,
    outside_requests,
)
from tests.personas import World, login
from tests.warnings import images
from tests.warnings.helpers import make_warning, second_grid_worker

PHONE = {"width": 375, "height": 667}
SECRET = images.SECRET.encode()


def _field_errors(response: Any) -> list[str]:
    return re.findall(r'class="invalid-feedback d-block">([^<]*)<', response.content.decode())


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("IMG_0001.png", images.png(), "image/png")


def test_a_visit_sent_back_for_its_arrival_time_says_the_photos_must_be_chosen_again(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    url = reverse("warning_contact", args=[warning.pk])
    no_arrival = {"kind": "visit", "outcome": "dissuaded", "photos": [_photo(), _photo()]}
    response = client.post(url, no_arrival)
    assert response.status_code == 400
    assert "上门劝阻请填写到达时间" in _field_errors(response)
    assert any("照片需重新选择" in error for error in _field_errors(response))
    no_kind = {"outcome": "dissuaded", "photos": [_photo()]}  # refused by the form itself
    assert any("照片需重新选择" in error for error in _field_errors(client.post(url, no_kind)))
    without_photos = client.post(url, {"kind": "visit", "outcome": "dissuaded"})
    assert not any("照片" in error for error in _field_errors(without_photos))
    assert not ContactPhoto.objects.exists()


def test_a_colleague_deactivated_while_the_handover_form_was_open_is_said_plainly(world, client) -> None:  # type: ignore[no-untyped-def]
    colleague = second_grid_worker(world)
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    form = client.get(reverse("warning_handover", args=[warning.pk])).content.decode()
    assert f'value="{colleague.pk}"' in form
    colleague.is_active = False  # the administrator deactivates them meanwhile
    colleague.save()
    sent = {"to_user": colleague.pk, "reason": "换班", "version": warning.version}
    response = client.post(reverse("warning_handover", args=[warning.pk]), sent)
    assert response.status_code == 400
    errors = _field_errors(response)
    assert errors == ["您选择的人员已不能接收该预警（账户停用或已调离），请重新选择"], errors
    warning.refresh_from_db()
    assert warning.assignee == world.users["grid_cd"] and warning.status == Status.ASSIGNED


def _damaged_exif_jpeg() -> bytes:
    """A phone JPEG (orientation 6, a location in its Exif) whose first IFD's offset points past the
    Exif segment — as some editing apps leave it: Pillow still shows the picture."""
    photo = images.jpeg(6, images.SECRET)
    offset = photo.index(b"\xff\xe1") + 4 + 6 + 4  # APP1 header, "Exif\0\0", the TIFF header's start
    return photo[:offset] + struct.pack(">I", 0xFF00) + photo[offset + 4 :]


def test_a_photo_whose_exif_cannot_be_read_is_stored_without_it(world, client) -> None:  # type: ignore[no-untyped-def]
    damaged = _damaged_exif_jpeg()
    assert SECRET in damaged and problem(damaged) == ""
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    photo = SimpleUploadedFile("IMG_0002.jpg", damaged, "image/jpeg")
    response = client.post(
        reverse("warning_contact", args=[warning.pk]),
        {"kind": "call", "outcome": "refused", "photos": [photo]},
    )
    assert response.status_code == 302, _field_errors(response)
    stored = photo_bytes(ContactPhoto.objects.get())
    assert SECRET not in stored and b"Exif" not in stored
    assert problem(stored) == ""


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason=MISSING)
def test_a_long_reference_number_in_the_notes_does_not_widen_the_page(
    new_context: Any,  # noqa: F811
    live_world: World,  # noqa: F811
) -> None:
    warning = make_warning(1)
    notes = "转账流水号 " + "TXN20261128" + "ABCDEFGHJKLMNPQRSTUVWXYZ" * 3 + " 已告知当事人勿再转账"
    data = workflow.ContactData(kind="call", outcome="refused", notes=notes)
    workflow.warning_contact_record(actor=live_world.users["grid_cd"], warning=warning, data=data)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"/warnings/{warning.pk}/")
    log_in(page, "grid_cd")
    page.wait_for_selector("text=劝阻记录")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the warning's page scrolls sideways on a phone ({width}px)"
