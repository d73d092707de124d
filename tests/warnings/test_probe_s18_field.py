"""Field work and the centre's views probed as a grid worker, a police officer and an analyst would use
them (session 18): odd query strings, a deadline passing while a form is open, a photo with a second
picture after its end, numbers typed into the notes, the on-time rate of never-acknowledged warnings,
the time of a visit."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from fanzha.warnings import escalation, selectors
from fanzha.warnings.models import Contact, ContactPhoto, Status, Warning
from fanzha.warnings.photos import problem, strip_metadata
from fanzha.warnings.workflow import photo_bytes
from tests.personas import login
from tests.warnings import images
from tests.warnings.helpers import make_warning

ODD_FILTERS = ["area=²", "area=" + "9" * 5000, "start=0001-01-01", "end=9999-12-31", "end=0001-01-01"]


def contact(client, warning, **values):  # type: ignore[no-untyped-def]
    data = {"kind": "call", "outcome": "not_reached", "notes": "", **values}
    return client.post(reverse("warning_contact", args=[warning.pk]), data)


def test_odd_filters_are_read_or_dropped_never_a_server_error(world, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    login(client, world.users["analyst"])
    for query in ODD_FILTERS:
        for name in ("warning_list", "warning_stats", "warning_export"):
            assert client.get(reverse(name) + "?" + query).status_code == 200, (name, query[:20])
    listed = client.get(reverse("warning_list") + "?start=0001-01-01&end=9999-12-31")
    assert len(listed.context["page"].object_list) == 1  # the widest period: every warning
    assert len(client.get(reverse("warning_list") + "?end=0001-01-01").context["page"].object_list) == 0


def test_a_feedback_period_at_the_ends_of_the_calendar_is_no_server_error(world, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    login(client, world.users["analyst"])
    url = reverse("warning_feedback")
    for start, end in (("0001-01-01", "2030-01-01"), ("2026-01-01", "9999-12-31")):
        response = client.get(url, {"source": "superior", "start": start, "end": end, "format": "csv"})
        assert response.status_code == 200
        assert "T00001" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_an_odd_version_on_acknowledge_is_no_server_error(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    for version in ("²", "9" * 5000):
        response = client.post(reverse("warning_acknowledge", args=[warning.pk]), {"version": version})
        assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.ACKNOWLEDGED


def test_a_deadline_passing_while_the_worker_acts_does_not_refuse_them(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    seen = warning.version  # the detail page and the contact form were opened with it
    assert escalation.sla_check(warning.due_ack_at + dt.timedelta(minutes=1)).escalated == 1
    ack = client.post(reverse("warning_acknowledge", args=[warning.pk]), {"version": seen}, follow=True)
    assert [str(m) for m in ack.context["messages"]] == ["已签收，请尽快联系当事人。"]
    warning.refresh_from_db()
    opened = warning.version
    assert escalation.sla_check(warning.due_contact_at + dt.timedelta(minutes=1)).escalated == 1
    assert contact(client, warning, outcome="dissuaded", version=opened).status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.CLOSED and warning.escalated and Contact.objects.count() == 1


def multi_picture_jpeg() -> bytes:
    """A JPEG with a second picture after its end, as an Ultra HDR (gain map) or dual-camera phone photo
    writes it (Multi-Picture Format): the second picture's Exif holds the phone's position."""
    exif = Image.Exif()
    exif[0x010E] = images.SECRET
    out = io.BytesIO()
    first, second = Image.new("RGB", (32, 24), (30, 90, 160)), Image.new("RGB", (16, 12), (200, 0, 0))
    first.save(out, "MPO", save_all=True, append_images=[second], exif=exif.tobytes())
    return out.getvalue()


def test_a_phone_jpeg_with_a_second_picture_is_taken_and_kept_without_it(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    photo = multi_picture_jpeg()
    assert photo.count(images.SECRET.encode()) == 2 and problem(photo) == ""
    response = contact(client, warning, photos=[SimpleUploadedFile("PXL_0001.jpg", photo, "image/jpeg")])
    assert response.status_code == 302, response.content.decode()
    kept = photo_bytes(ContactPhoto.objects.get())
    assert images.SECRET.encode() not in kept and b"MPF\0" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "JPEG" and image.size == (32, 24)


def test_data_a_phone_appends_after_the_picture_is_dropped() -> None:
    trailer = b"SEFH" + images.SECRET.encode() + b"\x00" * 16  # a maker's record after the image's end
    photo = images.jpeg(6) + trailer
    clean = strip_metadata(photo, "image/jpeg")
    assert images.SECRET.encode() not in clean and clean.endswith(b"\xff\xd9") and problem(clean) == ""
    progressive = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 90)).save(progressive, "JPEG", progressive=True)
    data = progressive.getvalue()  # several scans, markers between them: cut at the end, not before
    assert strip_metadata(data + trailer, "image/jpeg") == data


def test_numbers_typed_into_a_contact_record_are_not_shown_in_clear(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    notes = "当事人不在家，家属电话13812345678，身份证331102195603010012"
    assert contact(client, warning, notes=notes).status_code == 302
    assert "13812345678" not in Contact.objects.get().notes
    login(client, world.users["analyst"])
    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert "当事人不在家，家属电话138****5678" in page
    assert "13812345678" not in page and "331102195603010012" not in page
    Contact.objects.update(notes=notes)  # a record kept before notes were masked on saving
    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert "家属电话138****5678" in page and "13812345678" not in page


def _set(warning, **values) -> None:  # type: ignore[no-untyped-def]
    Warning.objects.filter(pk=warning.pk).update(**values)


def test_the_on_time_rate_counts_warnings_never_acknowledged_past_their_deadline(world) -> None:  # type: ignore[no-untyped-def]
    t0 = timezone.now() - dt.timedelta(days=2)
    hour = dt.timedelta(hours=1)
    on_time, late, never, waiting, closed_early = (make_warning(n) for n in range(1, 6))
    for w in (on_time, late, never, closed_early):
        _set(w, received_at=t0, due_ack_at=t0 + 4 * hour, due_contact_at=t0 + 24 * hour)
    _set(waiting, received_at=timezone.now(), due_ack_at=timezone.now() + 4 * hour)  # still has time
    _set(on_time, status=Status.CONTACTED, acknowledged_at=t0 + hour, contacted_at=t0 + 3 * hour)
    _set(
        late,
        status=Status.CLOSED,
        outcome="dissuaded",
        acknowledged_at=t0 + 6 * hour,
        contacted_at=t0 + 7 * hour,
    )
    _set(closed_early, status=Status.CLOSED, outcome="invalid", closed_at=t0 + hour)  # the centre: not ours
    escalation.sla_check()
    assert Warning.objects.get(pk=never.pk).ack_breached
    totals = selectors.summary(Warning.objects.all())[0]
    assert totals["on_time_rate"] == "33.3%"  # 1 on time of 3 due: on time, late, never acknowledged
    assert totals["dissuasion_rate"] == "50.0%"  # 1 of the 2 reached
    assert totals["mean_ack"] == dt.timedelta(hours=3.5) and totals["mean_contact"] == 5 * hour


def test_a_visit_counts_as_contact_from_the_arrival_not_from_the_saving(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    day_ago = timezone.now() - dt.timedelta(days=1)
    _set(warning, received_at=day_ago, clock_started_at=day_ago)  # received (and its clock started) then
    login(client, world.users["grid_cd"])
    arrived = (timezone.localtime() - dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    visit = {"kind": "visit", "arrived_at": arrived.strftime("%Y-%m-%dT%H:%M")}
    assert contact(client, warning, outcome="refused", **visit).status_code == 302
    warning.refresh_from_db()
    assert Contact.objects.get().contacted_at == arrived and warning.contacted_at == arrived
    login(client, world.users["analyst"])
    feedback = client.get(
        reverse("warning_feedback"),
        {"source": "superior", "start": "2026-01-01", "end": "2030-12-31", "format": "csv"},
    )
    assert f"{arrived:%Y-%m-%d %H:%M},上门劝阻" in b"".join(feedback.streaming_content).decode("utf-8-sig")


def test_a_visit_before_the_warning_was_received_counts_from_the_receipt(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)  # warned 2026-11-28 09:00, received now: the centre phoned the worker first
    login(client, world.users["grid_cd"])
    early = timezone.localtime(warning.received_at) - dt.timedelta(hours=1)
    visit = {"kind": "visit", "arrived_at": early.strftime("%Y-%m-%dT%H:%M")}
    assert contact(client, warning, outcome="dissuaded", **visit).status_code == 302
    warning.refresh_from_db()
    assert warning.contacted_at == warning.received_at  # not an hour before: no negative time to contact
    totals = selectors.summary(Warning.objects.all())[0]
    assert totals["mean_contact"] == dt.timedelta(0)


def test_the_excel_export_names_the_township_of_each_village(world, client) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    make_warning(1)
    login(client, world.users["analyst"])
    sheet = load_workbook(io.BytesIO(client.get(reverse("warning_export")).content)).active
    header, row = sheet.iter_rows(values_only=True)
    assert row[header.index("区划")] == "城关镇 · 城东社区"  # a county has several 城东社区
    assert row[header.index("姓名")] == "测*1" and row[header.index("手机号")] == "136****0001"
