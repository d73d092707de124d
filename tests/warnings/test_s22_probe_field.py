"""Field work probed as a grid worker does it on a phone: a form sent back with photos chosen, a
colleague deactivated while the hand-over form was open, a phone photo with a damaged Exif, a long
reference number typed into the notes on a 375 px screen."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.warnings import workflow
from fanzha.warnings.models import ContactPhoto, Status
from fanzha.warnings.photos import problem
from fanzha.warnings.workflow import photo_bytes
from tests.browser.conftest import CHROMIUM_ARGS, MISSING, chromium_path
from tests.personas import PASSWORD, build_world, login
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


# Chromium in a child process: a second Playwright in this process, beside the session's of
# tests/browser (whose fixtures are not visible here), is refused.
PAGE_WIDTH = """
import json, sys
from playwright.sync_api import sync_playwright
chromium, args, base, path, username, password = sys.argv[1:]
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=json.loads(args))
    context = browser.new_context(
        base_url=base, locale="zh-CN", viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) or
                  route.request.url.startswith(("data:", "blob:", "about:")) else route.abort())
    page = context.new_page()
    page.goto(path)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    page.wait_for_selector("text=劝阻记录")
    print(page.evaluate("document.documentElement.scrollWidth"))
    browser.close()
"""


def _phone_page_width(base: str, path: str, username: str) -> int:
    """How wide the page at ``path`` is for ``username`` in headless Chromium at 375 × 667."""
    argv = [str(chromium_path()), json.dumps(CHROMIUM_ARGS), base, path, username, PASSWORD]
    done = subprocess.run(
        [sys.executable, "-c", PAGE_WIDTH, *argv], capture_output=True, text=True, timeout=120, check=True
    )
    return int(done.stdout.split()[-1])


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason=MISSING)
def test_a_long_reference_number_in_the_notes_does_not_widen_the_page(
    transactional_db: None, allow_audit_flush: None, live_server: Any
) -> None:
    world = build_world()  # committed: the live server's thread sees it (flushed after the test)
    warning = make_warning(1)
    notes = "转账流水号 " + "TXN20261128" + "ABCDEFGHJKLMNPQRSTUVWXYZ" * 3 + " 已告知当事人勿再转账"
    data = workflow.ContactData(kind="call", outcome="refused", notes=notes)
    workflow.warning_contact_record(actor=world.users["grid_cd"], warning=warning, data=data)
    width = _phone_page_width(live_server.url, f"/warnings/{warning.pk}/", "grid_cd")
    assert width <= PHONE["width"], f"the warning's page scrolls sideways on a phone ({width}px)"


def test_a_double_tap_on_acknowledge_says_the_worker_signed_it_themselves(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    url = reverse("warning_acknowledge", args=[warning.pk])
    client.post(url, {"version": warning.version})
    page = client.post(url, {"version": warning.version}, follow=True).content.decode()
    assert "您已于" in page and "签收该预警（本次未重复签收）" in page
    assert "该预警已由 grid_cd" not in page
    assert warning.events.filter(kind="acknowledged").count() == 1
