"""Field work on a phone (the contact form, its photos, handing over): what a grid worker or an officer
meets when a photo is no ordinary one or a choice is refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fanzha.warnings import workflow
from fanzha.warnings.models import Outcome, Warning
from tests.personas import World, login
from tests.warnings import images
from tests.warnings.helpers import make_warning, second_grid_worker


def _signed(world: World) -> Warning:
    warning = make_warning(1)
    worker = world.users["grid_cd"]
    return workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)


def _contact(client: Any, warning: Warning, **data: Any) -> Any:
    posted = {"kind": "call", "outcome": Outcome.DISSUADED, "version": warning.version, **data}
    return client.post(reverse("warning_contact", args=[warning.pk]), posted)


def _told(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _photo_errors(response: Any) -> list[str]:
    return list(response.context["form"].errors.get("photos", []))


def test_a_png_bomb_is_refused_for_its_pixels_not_a_server_error(world: World, client: Any) -> None:
    """A 48 KB PNG of 20000×20000 pixels: Pillow refuses to open it (DecompressionBombError, not one of
    the errors caught) and the worker got a server error."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, photos=[SimpleUploadedFile("bomb.png", out.getvalue(), "image/png")])
    assert response.status_code == 400
    assert _photo_errors(response) == ["照片像素过多（超过 60 百万像素）"]
    assert not warning.contacts.exists()


def test_handing_over_to_oneself_says_so_not_that_one_was_deactivated(world: World, client: Any) -> None:
    """The holder is left out of 转交给; chosen all the same (a page of before the worker took it, a
    hand-made request) the form said “账户停用或已调离” of the worker themselves."""
    warning = _signed(world)
    worker = world.users["grid_cd"]
    login(client, worker)
    data = {"to_user": worker.pk, "reason": "换班", "version": warning.version}
    response = client.post(reverse("warning_handover", args=[warning.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["to_user"] == [
        "该预警现由您本人承办，不能转交给现承办人；请选择其他人员，或退回反诈中心"
    ]
    warning.refresh_from_db()
    assert warning.assignee == worker and warning.version == data["version"]


def test_handing_over_to_a_deactivated_user_still_names_the_deactivation(world: World, client: Any) -> None:
    warning = _signed(world)
    other = second_grid_worker(world)
    other.is_active = False
    other.save()
    login(client, world.users["grid_cd"])
    data = {"to_user": other.pk, "reason": "换班", "version": warning.version}
    response = client.post(reverse("warning_handover", args=[warning.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["to_user"] == [
        "您选择的人员已不能接收该预警（账户停用或已调离），请重新选择"
    ]


def test_an_arrival_with_a_date_only_is_refused_not_taken_as_midnight(world: World, client: Any) -> None:
    """A browser with a text box for the arrival: “2026-11-30” was saved as a visit at 00:00."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, kind="visit", arrived_at="2026-11-30")
    assert response.status_code == 400
    assert response.context["form"].errors["arrived_at"] == [
        "请填写到达的日期和时间，如 2026-11-28 10:30（只填了日期）"
    ]
    assert not warning.contacts.exists()


def test_an_arrival_with_a_time_only_says_what_to_fill_in(world: World, client: Any) -> None:
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, kind="visit", arrived_at="10:30")
    assert response.status_code == 400
    assert response.context["form"].errors["arrived_at"] == ["请填写到达的日期和时间，如 2026-11-28 10:30"]


def test_an_arrival_as_the_phone_sends_it_is_recorded(world: World, client: Any) -> None:
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, kind="visit", arrived_at="2026-11-30T10:30")
    assert response.status_code == 302
    assert warning.contacts.get().arrived_at is not None


def _heic() -> bytes:
    """The first boxes of an iPhone photo: ``ftyp`` with the brand ``heic`` (Pillow cannot read it)."""
    ftyp = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    return ftyp + b"\x00\x00\x00\x10meta" + b"\x00" * 200


def test_an_iphone_heic_photo_is_refused_saying_what_to_do(world: World, client: Any) -> None:
    """An iPhone sends HEIC (WeChat's browser does not convert it): the worker was told only “只能上传
    JPEG、PNG 或 WebP 照片” of a photo they had just taken."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    photo = SimpleUploadedFile("IMG_0412.HEIC", _heic(), "image/heic")
    response = _contact(client, warning, photos=[photo])
    assert response.status_code == 400
    assert _photo_errors(response) == [workflow.HEIF_REFUSED]
    assert "兼容性最佳" in workflow.HEIF_REFUSED
    assert not warning.contacts.exists()


def test_the_service_refuses_a_heic_photo_the_same_way(world: World) -> None:
    warning = _signed(world)
    data = workflow.ContactData(kind="call", outcome=Outcome.DISSUADED, photos=[_heic()])
    with pytest.raises(ValidationError) as refused:
        workflow.warning_contact_record(actor=world.users["grid_cd"], warning=warning, data=data)
    assert refused.value.message_dict == {"photos": [workflow.HEIF_REFUSED]}


def test_acknowledging_a_closed_warning_says_it_is_closed(world: World, client: Any) -> None:
    """签收 on a page left open while the warning was closed: told “您已于 … 签收该预警（本次未重复签收）”,
    as if the warning still waited for contact."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    assert _contact(client, warning).status_code == 302
    warning.refresh_from_db()
    response = client.post(reverse("warning_acknowledge", args=[warning.pk]), {"version": warning.version})
    assert response.status_code == 302
    assert _told(response)[-1] == "该预警已办结，无需签收"
    assert warning.events.filter(kind="acknowledged").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "action"),
    [
        ("warning_handover", {"to_user": "centre", "reason": "换班"}, "转交"),
        ("warning_close", {"outcome": Outcome.DISSUADED, "reason": "已劝阻"}, "办结"),
    ],
)
def test_an_action_sent_on_a_closed_warning_without_its_version_is_refused_as_closed(
    world: World, client: Any, name: str, data: dict[str, Any], action: str
) -> None:
    """A form sent without the version it was opened with (an older page, a hand-made request): the
    service's “预警当前状态为“已办结”，不能变为“待分派”” came back on the form, 400."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    assert _contact(client, warning).status_code == 302
    warning.refresh_from_db()
    version = warning.version
    response = client.post(reverse(name, args=[warning.pk]), data)
    assert response.status_code == 302
    assert _told(response)[-1] == f"该预警已办结，不能再{action}。"
    warning.refresh_from_db()
    assert warning.version == version and warning.status == "closed"


def _with_filler(photo: bytes) -> bytes:
    """The JPEG with a fill byte 0xFF before its first marker after SOI (allowed by the JPEG standard,
    read by Pillow; written by some phone editors and scanners)."""
    return photo[:2] + b"\xff" + photo[2:]


def test_a_photo_whose_segments_cannot_be_followed_loses_its_gps_all_the_same(
    world: World, client: Any
) -> None:
    """A JPEG with a fill byte before a marker decodes; the metadata stripper could not follow it and
    the photo was kept as it came — the person's GPS position with it."""
    photo = _with_filler(images.jpeg(orientation=6, secret=images.SECRET))
    assert images.SECRET.encode() in photo
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, photos=[SimpleUploadedFile("IMG.jpg", photo, "image/jpeg")])
    assert response.status_code == 302
    stored = workflow.photo_bytes(warning.contacts.get().photos.get())
    assert images.SECRET.encode() not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "JPEG" and kept.size == (24, 32)  # turned upright (orientation 6)
        assert not kept.getexif()


def test_a_png_short_of_its_last_checksum_loses_its_text_all_the_same(world: World) -> None:
    photo = images.png(text=images.SECRET)[:-4]
    warning = _signed(world)
    data = workflow.ContactData(kind="call", outcome=Outcome.DISSUADED, photos=[photo])
    recorded = workflow.warning_contact_record(actor=world.users["grid_cd"], warning=warning, data=data)
    stored = workflow.photo_bytes(recorded.contact.photos.get())
    assert images.SECRET.encode() not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.format == "PNG" and kept.size == (16, 12)


def test_an_invalid_warning_takes_no_follow_up_date(world: World, client: Any) -> None:
    """无效预警 with a 回访 date: the warning closed, yet a follow-up task and a morning reminder for a
    warning that was wrong, and a contact taken on it afterwards."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, outcome=Outcome.INVALID, follow_up_on="2026-12-20")
    assert response.status_code == 400
    assert response.context["form"].errors["follow_up_on"] == ["无效预警无需回访，请清除回访日期"]
    assert not warning.contacts.exists()
    assert _contact(client, warning, outcome=Outcome.INVALID).status_code == 302
    warning.refresh_from_db()
    assert warning.status == "closed" and not workflow.can_record_contact(warning)


def test_an_id_number_typed_as_a_form_prints_it_is_masked_in_the_notes(world: World, client: Any) -> None:
    """“331102 19560301 001X” (6-8-4, as copied from a form or a card reader) was kept whole in the
    contact's notes and in the history's 办结 line; run together it was masked."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    notes = "核实身份证 331102 19560301 001X，另 331102-19560301-0012"
    assert _contact(client, warning, outcome=Outcome.REFUSED, notes=notes).status_code == 302
    assert warning.contacts.get().notes == "核实身份证 3311**********001X，另 3311**********0012"
    warning.refresh_from_db()
    data = {
        "outcome": Outcome.INVALID,
        "reason": "身份证 331102 19560301 001X 非本人",
        "version": warning.version,
    }
    assert client.post(reverse("warning_close", args=[warning.pk]), data).status_code == 302
    closed = warning.events.get(kind="closed")
    assert "19560301" not in closed.message and "3311**********001X" in closed.message


def test_photos_over_the_size_limit_are_named_among_those_chosen(world: World, client: Any) -> None:
    """Six photos chosen at once, two over 5 MB: the form said “照片不能超过 5 MB”, not which two."""
    small = images.png()
    big = small + b"\0" * (5 * 2**20)  # over the limit by its size alone (refused before it is read)
    chosen = [
        SimpleUploadedFile(name, big if name in ("IMG_0002.PNG", "IMG_0005.PNG") else small, "image/png")
        for name in (f"IMG_000{i}.PNG" for i in range(1, 7))
    ]
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    response = _contact(client, warning, photos=chosen)
    assert response.status_code == 400
    assert _photo_errors(response) == [
        "照片不能超过 5 MB，所选 6 张中超过的有：IMG_0002.PNG（5.0 MB）、IMG_0005.PNG（5.0 MB）"
    ]
    assert not warning.contacts.exists()


def test_a_note_sent_twice_is_added_once(world: World, client: Any) -> None:
    """Two taps on 添加 (a slow connection in a village): the note stood twice in the history."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    url = reverse("warning_note", args=[warning.pk])
    first = client.post(url, {"text": "家属称已去银行"})
    second = client.post(url, {"text": "家属称已去银行"})
    assert first.status_code == second.status_code == 302
    assert _told(second)[-1] == "该备注刚已添加（本次未重复添加）。"
    assert warning.events.filter(kind="note").count() == 1
    client.post(url, {"text": "家属称已到银行柜台"})  # another note is added
    assert warning.events.filter(kind="note").count() == 2
