"""Field work as done on a phone: odd dates, double taps, photos with GPS, warnings that moved away."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fanzha.warnings.models import Contact, ContactPhoto, Status
from fanzha.warnings.photos import _orientation, problem, strip_metadata
from fanzha.warnings.workflow import photo_bytes
from tests.personas import login
from tests.warnings import images
from tests.warnings.helpers import make_warning

SECRET = images.SECRET.encode()


def contact(client, warning, **values):  # type: ignore[no-untyped-def]
    data = {"kind": "call", "outcome": "not_reached", "notes": "", **values}
    return client.post(reverse("warning_contact", args=[warning.pk]), data)


def errors(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_it_strips_gps_and_comments_from_jpeg_but_keeps_orientation() -> None:
    photo = images.jpeg(6, images.SECRET, b"camera#1")
    assert SECRET in photo and b"camera#1" in photo
    clean = strip_metadata(photo, "image/jpeg")
    assert SECRET not in clean and b"camera#1" not in clean
    assert clean.startswith(b"\xff\xd8\xff\xe0") and problem(clean) == ""  # still the same picture
    app1 = clean.index(b"\xff\xe1")
    assert _orientation(clean[app1 + 4 :]) == 6
    assert b"\xff\xe1" not in strip_metadata(images.jpeg(1, images.SECRET), "image/jpeg")


def test_it_strips_text_chunks_from_png_and_keeps_a_broken_file_as_it_came() -> None:
    photo = images.png(text=images.SECRET)
    clean = strip_metadata(photo, "image/png")
    assert SECRET in photo and SECRET not in clean and problem(clean) == ""
    broken = b"\xff\xd8\xff\xe1\x99"
    assert strip_metadata(broken, "image/jpeg") == broken


def test_it_refuses_a_file_that_only_starts_like_an_image(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    photo = images.jpeg()
    for bad in (photo[: len(photo) // 2], photo[:300] + b"garbage" * 300, b"\x89PNG\r\n\x1a\n" + b"\0" * 64):
        response = contact(client, warning, photos=[SimpleUploadedFile("a.jpg", bad, "image/jpeg")])
        assert response.status_code == 400 and "照片文件已损坏或不完整" in errors(response)
    assert not ContactPhoto.objects.exists()


def test_it_stores_a_visit_photo_without_its_location(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    arrived = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    photo = SimpleUploadedFile("IMG_0001.jpg", images.jpeg(6, images.SECRET), "image/jpeg")
    response = contact(client, warning, kind="visit", arrived_at=arrived, photos=[photo])
    assert response.status_code == 302, errors(response)
    stored = ContactPhoto.objects.get()
    assert SECRET not in photo_bytes(stored) and stored.size == len(photo_bytes(stored))


def test_it_refuses_a_follow_up_date_in_the_past_or_years_ahead(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    past = contact(client, warning, follow_up_on=yesterday.isoformat())
    assert past.status_code == 400 and "回访日期不能早于今天" in errors(past)
    far = contact(client, warning, follow_up_on="9999-12-31")
    assert far.status_code == 400 and "回访日期不能晚于一年以后" in errors(far)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert contact(client, warning, follow_up_on=tomorrow.isoformat()).status_code == 302
    assert Contact.objects.get().follow_up_on == tomorrow


def test_it_refuses_an_arrival_before_the_warning_and_ignores_one_on_a_call(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)  # warned 2026-11-28 09:00
    login(client, world.users["grid_cd"])
    early = contact(client, warning, kind="visit", arrived_at="2026-01-01T08:00")
    assert early.status_code == 400 and "到达时间不能早于预警时间" in errors(early)
    future = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    ahead = contact(client, warning, kind="visit", arrived_at=future)
    assert ahead.status_code == 400 and "到达时间不能晚于现在" in errors(ahead)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert contact(client, warning, kind="call", arrived_at=now).status_code == 302
    assert Contact.objects.get().arrived_at is None


def test_it_records_a_double_tap_once(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    page = client.get(reverse("warning_contact", args=[warning.pk])).content.decode()
    assert f'name="version" value="{warning.version}"' in page
    first = contact(client, warning, version=warning.version)
    assert first.status_code == 302
    second = contact(client, warning, version=warning.version)
    assert second.status_code == 400 and "本表已提交过" in errors(second)
    assert Contact.objects.count() == 1
    warning.refresh_from_db()  # shown again with the version now, so sending it once more is a choice
    assert f'name="version" value="{warning.version}"' in errors(second)
    assert contact(client, warning, version=warning.version).status_code == 302
    assert Contact.objects.count() == 2


def test_it_sends_a_closed_warning_back_to_its_page(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    assert contact(client, warning, outcome="dissuaded").status_code == 302
    again = contact(client, warning, outcome="dissuaded")
    assert again.status_code == 302 and again["Location"] == reverse("warning_detail", args=[warning.pk])
    page = client.get(again["Location"]).content.decode()
    assert "不能再记录劝阻" in page
    assert client.get(reverse("warning_contact", args=[warning.pk])).status_code == 302
    assert Contact.objects.count() == 1


def test_it_refuses_too_many_or_too_long_before_saving(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    png = images.png()
    photos = [SimpleUploadedFile(f"p{i}.png", png, "image/png") for i in range(7)]
    many = contact(client, warning, photos=photos)
    assert many.status_code == 400 and "最多上传 6 张照片" in errors(many)
    long = contact(client, warning, notes="说" * 2001)
    assert long.status_code == 400 and "2000" in errors(long)
    text = SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")
    fake = contact(client, warning, photos=[text])
    assert fake.status_code == 400 and "只能上传 JPEG、PNG 或 WebP 照片" in errors(fake)
    empty = contact(client, warning, photos=[SimpleUploadedFile("b.jpg", b"", "image/jpeg")])
    assert empty.status_code == 400
    assert Contact.objects.count() == 0


def test_it_keeps_a_handed_over_or_foreign_warning_out_of_reach(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    foreign = make_warning(2, address="青溪县龙泉乡石桥村5号")
    login(client, world.users["grid_cd"])
    handover = reverse("warning_handover", args=[warning.pk])
    assert client.post(handover, {"to_user": "centre", "reason": "当事人已搬到城西"}).status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.NEW and warning.assignee_id is None
    assert contact(client, warning, outcome="dissuaded").status_code == 403
    assert contact(client, foreign, outcome="dissuaded").status_code == 404
    ack = reverse("warning_acknowledge", args=[foreign.pk])
    assert client.post(ack, {"version": foreign.version}).status_code == 404
    assert Contact.objects.count() == 0


def test_it_explains_an_empty_manual_entry_and_bounds_its_numbers(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    url = reverse("warning_create")
    empty = client.post(url, {})
    assert empty.status_code == 400 and "这个字段是必填项" in errors(empty)
    base = {"source": "manual", "name": "孙七", "phone": "13905717777"}
    huge = client.post(url, {**base, "call_count": "9" * 40})
    assert huge.status_code == 400 and "100000" in errors(huge)
    notes = client.post(url, {**base, "notes": "x" * 2001})
    assert notes.status_code == 400 and "2000" in errors(notes)


def test_it_refuses_a_hand_over_reason_it_would_cut(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    handover = reverse("warning_handover", args=[warning.pk])
    response = client.post(handover, {"reason": "说" * 501})
    assert response.status_code == 400 and "500" in errors(response)
    close = client.post(
        reverse("warning_close", args=[warning.pk]), {"outcome": "invalid", "reason": "说" * 501}
    )
    assert close.status_code == 400
    warning.refresh_from_db()
    assert warning.status == Status.ASSIGNED
