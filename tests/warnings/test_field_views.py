"""Field work pages at phone size: my tasks, acknowledge, record a visit with photos, hand over, close."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.core.services import organisations as org_services
from fanzha.warnings.models import AddressPlacement, ContactPhoto, Status, Warning
from fanzha.warnings.workflow import photo_bytes
from tests.personas import PASSWORD, login
from tests.warnings import images
from tests.warnings.helpers import make_warning

PNG = images.png()


def test_it_lists_my_tasks_most_urgent_first(world, client) -> None:  # type: ignore[no-untyped-def]
    later = make_warning(1)
    sooner = make_warning(2, transfer_in_progress=True, address="城东社区2号")
    login(client, world.users["grid_cd"])
    body = client.get(reverse("warning_mine")).content.decode()
    assert f"/warnings/{later.pk}/" in body and f"/warnings/{sooner.pk}/" not in body  # urgent: police
    login(client, world.users["police_cg"])
    body = client.get(reverse("warning_board")).content.decode()
    assert body.index(f"/warnings/{sooner.pk}/") < body.index(f"/warnings/{later.pk}/")


def test_it_acknowledges_and_records_a_visit_with_photos(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    response = client.post(reverse("warning_acknowledge", args=[warning.pk]), {"version": warning.version})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.ACKNOWLEDGED
    arrived = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("warning_contact", args=[warning.pk]),
        {
            "kind": "visit",
            "outcome": "dissuaded",
            "arrived_at": arrived,
            "notes": "已讲解刷单诈骗手法",
            "follow_up_on": "2026-12-05",
            "photos": [SimpleUploadedFile("a.png", PNG, "image/png")],
        },
    )
    assert response.status_code == 302, response.content.decode()
    warning.refresh_from_db()
    assert warning.status == Status.CLOSED and warning.outcome == "dissuaded"
    photo = ContactPhoto.objects.get()
    assert bytes(photo.data) != PNG and photo_bytes(photo) == PNG  # encrypted at rest
    assert client.get(reverse("warning_photo", args=[photo.pk])).content == PNG
    events = AuditEvent.objects.filter(object_type="warnings.warning", object_id=str(warning.pk)).order_by(
        "id"
    )
    actions = list(events.values_list("action", flat=True))
    assert actions == ["warning.acknowledge", "warning.contact", "warning.close"]
    detail = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert "上门劝阻 · 劝阻成功" in detail and 'name="viewport"' in detail


def test_it_refuses_files_that_are_not_images_and_visits_without_arrival(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    url = reverse("warning_contact", args=[warning.pk])
    response = client.post(
        url,
        {
            "kind": "call",
            "outcome": "refused",
            "photos": [SimpleUploadedFile("a.png", b"MZ\x90 not an image", "image/png")],
        },
    )
    assert response.status_code == 400 and "只能上传 JPEG、PNG 或 WebP 照片" in response.content.decode()
    response = client.post(url, {"kind": "visit", "outcome": "refused"})
    assert response.status_code == 400 and "上门劝阻请填写到达时间" in response.content.decode()
    assert not warning.contacts.exists()
    response = client.post(url, {"kind": "call", "outcome": "not_reached"})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.ACKNOWLEDGED and warning.contacts.count() == 1  # acknowledged on the way


def test_it_tells_the_loser_who_acknowledged(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    other = org_services.user_create(
        actor=None,
        username="grid_cd2",
        password=PASSWORD,
        organisation=world.orgs["城东社区居委会"],
        roles=["grid_worker"],
    )
    login(client, world.users["grid_cd"])
    client.post(reverse("warning_acknowledge", args=[warning.pk]), {"version": warning.version})
    login(client, other)
    response = client.post(
        reverse("warning_acknowledge", args=[warning.pk]), {"version": warning.version}, follow=True
    )
    assert "该预警已由 grid_cd 于" in response.content.decode()


def test_it_hands_over_with_a_reason(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    url = reverse("warning_handover", args=[warning.pk])
    police = world.users["police_cg"]
    assert client.post(url, {"to_user": police.pk, "reason": ""}).status_code == 400
    assert client.post(url, {"to_user": world.users["grid_sq"].pk, "reason": "x"}).status_code == 400
    assert client.post(url, {"to_user": police.pk, "reason": "当事人情绪激动，需民警上门"}).status_code == 302
    warning.refresh_from_db()
    assert warning.assignee == police and warning.status == Status.ASSIGNED
    assert "当事人情绪激动" in warning.events.get(kind="handed_over").message
    login(client, police)
    assert client.post(url, {"to_user": "centre", "reason": "不属本辖区"}).status_code == 302
    warning.refresh_from_db()
    assert warning.status == Status.NEW and warning.assignee is None


def test_a_handover_names_where_it_goes_nothing_is_chosen_in_advance(world, client) -> None:  # type: ignore[no-untyped-def]
    """退回反诈中心 is chosen as such: a hurried 确定 on the form as it opens sends nothing anywhere."""
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    url = reverse("warning_handover", args=[warning.pk])
    page = client.get(url).content.decode()
    assert '<option value="" selected>请选择</option>' in page
    response = client.post(url, {"to_user": "", "reason": "换班", "version": warning.version})
    assert response.status_code == 400
    assert "请选择转交给谁" in response.content.decode()
    held = warning.assignee_id
    warning.refresh_from_db()
    assert warning.assignee_id == held and not warning.events.filter(kind="handed_over").exists()


def test_a_placement_names_its_village_nothing_is_chosen_in_advance(world, client) -> None:  # type: ignore[no-untyped-def]
    """人工定位 preselected the first village of the county: a hurried 确定 routed the warning there and
    remembered that village for the address, so the next warnings from it went there too."""
    lost = make_warning(1, address="青溪县某某新村7号", phone="")
    login(client, world.users["analyst"])
    url = reverse("warning_place", args=[lost.pk])
    page = client.get(url).content.decode()
    assert '<option value="" selected>请选择</option>' in page
    response = client.post(url, {"area": ""})
    assert response.status_code == 400
    assert "请选择该预警当事人所在的村（社区）或网格" in response.content.decode()
    lost.refresh_from_db()
    assert lost.needs_placement and lost.assignee is None and not AddressPlacement.objects.exists()
    township = client.post(url, {"area": world.area("龙泉乡").pk})  # no village: a stale or hand-made form
    assert township.status_code == 400 and "请重新选择" in township.content.decode()
    chosen = client.post(url, {"area": world.area("石桥村").pk})
    assert chosen.status_code == 302
    lost.refresh_from_db()
    assert (lost.area.name, lost.assignee.username) == ("石桥村", "grid_sq")


def test_the_centre_closes_an_invalid_warning(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["leader"])
    url = reverse("warning_close", args=[warning.pk])
    assert client.post(url, {"outcome": "invalid", "reason": "号码录入错误"}).status_code == 302
    assert Warning.objects.get(pk=warning.pk).status == Status.CLOSED
    again = client.post(url, {"outcome": "invalid", "reason": "再次"})  # back to it, told it is closed
    assert again.status_code == 302 and again.url == reverse("warning_detail", args=[warning.pk])
    assert Warning.objects.get(pk=warning.pk).events.filter(kind="closed").count() == 1


def test_it_enters_a_warning_by_hand(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    response = client.post(
        reverse("warning_create"),
        {
            "name": "赵六",
            "phone": "13905718888",
            "address": "青溪县龙泉乡石桥村5组",
            "fraud_type": "romance",
            "source": "manual",
            "call_count": 4,
            "callback_count": 2,
        },
    )
    assert response.status_code == 302
    warning = Warning.objects.get()
    assert warning.assignee.username == "police_lq"  # 4 calls, 2 callbacks: high
    assert "被诈骗号码呼叫 4 次，回拨 2 次" in warning.grade_reasons
    assert AuditEvent.objects.filter(action="warning.create").count() == 1
    response = client.post(reverse("warning_create"), {"name": "无名", "source": "manual"})
    assert response.status_code == 400 and "无法识别或联系当事人" in response.content.decode()


def test_it_pins_the_number_of_queries_of_the_list_page(world, client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    """The same number of queries for 3 rows as for 30: no query per row."""
    login(client, world.users["leader"])
    counts = []
    for start, count in ((1, 3), (4, 27)):
        for n in range(start, start + count):
            make_warning(n, address=f"城东社区{n}号")
        with django_assert_max_num_queries(15) as captured:
            response = client.get(reverse("warning_list"), {"grade": "medium"})
        assert response.status_code == 200 and response.content.decode().count("/warnings/") >= count
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_it_keeps_notes_in_the_history_with_numbers_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    response = client.post(
        reverse("warning_note", args=[warning.pk]), {"text": "家属电话 13905710009 已联系"}
    )
    assert response.status_code == 302
    note = warning.events.get(kind="note")
    assert note.message == "家属电话 139****0009 已联系"
    assert AuditEvent.objects.filter(action="warning.note", object_id=str(warning.pk)).count() == 1
    login(client, world.users["police_cg"])  # sees the warning, but another unit works it
    assert client.post(reverse("warning_note", args=[warning.pk]), {"text": "x"}).status_code == 403


def test_it_shows_rates_and_mean_times_per_area_and_unit(world, client) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.workflow import ContactData, warning_contact_record

    done = make_warning(1)
    make_warning(2, address="龙泉乡石桥村2组")
    warning_contact_record(
        actor=world.users["grid_cd"], warning=done, data=ContactData(kind="call", outcome="dissuaded")
    )
    login(client, world.users["leader"])
    body = client.get(reverse("warning_stats")).content.decode()
    assert "城东社区</td><td>1</td><td>0</td><td>100.0%</td><td>100.0%" in body
    assert "石桥村</td><td>1</td><td>1</td><td>—</td>" in body
    assert "城东社区居委会" in body and "石桥村村委会" in body


def test_the_board_and_my_tasks_stay_inside_the_jurisdiction(world, client) -> None:  # type: ignore[no-untyped-def]
    chengdong = make_warning(1)
    shiqiao = make_warning(2, address="龙泉乡石桥村2组")
    for username, seen, hidden in (("grid_sq", shiqiao, chengdong), ("police_cg", chengdong, shiqiao)):
        login(client, world.users[username])
        for name in ("warning_board", "warning_list"):
            body = client.get(reverse(name)).content.decode()
            assert f"/warnings/{seen.pk}/" in body and f"/warnings/{hidden.pk}/" not in body
    assert client.get(reverse("warning_photo", args=[999])).status_code == 404
