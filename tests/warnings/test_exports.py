"""Feedback upward (the pushed list's layout plus outcome columns) and the centre's list export."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.warnings.workflow import ContactData, warning_contact_record
from tests.personas import login
from tests.warnings.helpers import make_warning


def test_it_exports_the_feedback_in_the_pushed_layout_with_outcomes(world, client) -> None:  # type: ignore[no-untyped-def]
    done = make_warning(1)
    make_warning(2, source="运营商")
    warning_contact_record(
        actor=world.users["grid_cd"], warning=done, data=ContactData(kind="call", outcome="dissuaded")
    )
    login(client, world.users["analyst"])
    today = timezone.localdate().isoformat()
    response = client.get(
        reverse("warning_feedback"), {"source": "superior", "start": today, "end": today, "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == ["预警编号", "姓名", "身份证号", "手机号", "现住址"]
    assert rows[0][10:13] == ["处置状态", "处置结果", "签收时间"]
    assert len(rows) == 2 and rows[1][0] == "T00001"
    assert rows[1][11] == "劝阻成功" and rows[1][14] == "电话劝阻"
    assert "*" in rows[1][1] and done.person.phone not in "".join(rows[1])
    assert AuditEvent.objects.filter(action="pii.export", object_type="warnings.feedback").count() == 1
    xlsx = client.get(
        reverse("warning_feedback"), {"source": "operator", "start": today, "end": today, "format": "xlsx"}
    )
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_it_exports_the_filtered_list_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    warning = make_warning(1)
    login(client, world.users["leader"])
    response = client.get(reverse("warning_export"), {"grade": "medium"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert warning.person.phone not in " ".join(str(c) for c in rows[1])
    assert AuditEvent.objects.get(action="pii.export", object_type="warnings.warning").details["filters"] == {
        "grade": "medium"
    }


def test_an_export_over_the_row_limit_is_refused_with_a_way_to_narrow_it(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings import views_export

    monkeypatch.setattr(views_export, "EXPORT_MAX_ROWS", 2)
    for n in range(3):
        make_warning(n + 1)
    client.force_login(world.users["leader"])
    response = client.get(reverse("warning_export"), {"grade": "medium"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain and "grade=medium" in response.redirect_chain[0][0]
    assert "筛选结果有 3 条，超过一次导出的上限 2 条" in page
    assert not AuditEvent.objects.filter(action="pii.export").exists()


def test_the_list_export_says_no_id_for_a_warning_that_came_without_one(world, client) -> None:  # type: ignore[no-untyped-def]
    """A row pushed without 预警编号 is kept under a derived key (row:…); people read 无编号."""
    from openpyxl import load_workbook

    from fanzha.warnings.models import Warning

    warning = make_warning(1)
    Warning.objects.filter(pk=warning.pk).update(source_id="row:" + "0" * 32)
    login(client, world.users["leader"])
    response = client.get(reverse("warning_export"), {})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][2] == "无编号", rows[1]


def test_the_list_export_decrypts_only_what_it_shows(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The address, ID numbers, suspects and notes are not shown: they are not decrypted either (the
    export read and decrypted them for every row, a tenth of its time)."""
    from fanzha.core.pii import crypto

    warning = make_warning(1)
    hidden = {warning.address, warning.person.id_number, warning.person.address}
    assert all(hidden)
    decrypted: list[str] = []
    real = crypto.decrypt

    def counted(token: str) -> str:
        decrypted.append(real(token))
        return decrypted[-1]

    monkeypatch.setattr(crypto, "decrypt", counted)
    login(client, world.users["leader"])
    response = client.get(reverse("warning_export"), {"grade": "medium"})
    assert response.status_code == 200
    assert warning.person.name in decrypted  # the name is read (and shown masked)
    assert hidden.isdisjoint(decrypted)
