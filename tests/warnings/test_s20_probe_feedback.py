"""Feedback upward as a superior centre reads it: every pushed row answered, the open ones too."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django.utils import timezone

from fanzha.imports.pipeline import import_run
from fanzha.warnings.workflow import ContactData, warning_contact_record
from tests.imports.files import csv_bytes
from tests.personas import World, login
from tests.warnings.helpers import make_warning


def feedback(client, source: str = "superior") -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    today = timezone.localdate().isoformat()
    query = {"source": source, "start": today, "end": today, "format": "csv"}
    response = client.get(reverse("warning_feedback"), query)
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def test_a_warning_still_open_is_answered_as_such_not_left_blank(world: World, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)  # waiting for the grid worker to acknowledge it
    refused = make_warning(2)  # reached, refused: left open for another attempt
    warning_contact_record(
        actor=world.users["grid_cd"], warning=refused, data=ContactData(kind="call", outcome="refused")
    )
    done = make_warning(3)
    warning_contact_record(
        actor=world.users["grid_cd"], warning=done, data=ContactData(kind="call", outcome="dissuaded")
    )
    login(client, world.users["analyst"])
    outcomes = {row["预警编号"]: row["处置结果"] for row in feedback(client)}
    assert outcomes == {"T00001": "未办结（待签收）", "T00002": "未办结（拒绝配合）", "T00003": "劝阻成功"}


def test_the_senders_own_answer_column_says_open_too(world: World, client) -> None:  # type: ignore[no-untyped-def]
    header = ["预警ID", "姓名", "联系电话", "预警来源", "处置情况"]
    data = csv_bytes(header, [["SJ-001", "王一", "13905710001", "上级推送", ""]])
    assert import_run(actor=None, importer="warnings", file_name="省厅推送.csv", data=data).ok
    login(client, world.users["analyst"])
    [row] = feedback(client)
    assert row["处置情况"].startswith("未办结（") and row["处置状态"] != ""


def test_a_period_too_long_for_one_export_is_refused_with_the_count(
    world: World, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # A year of an operator's pushes is millions of rows: past what Excel opens or a worker holds.
    from fanzha.audit.models import AuditEvent
    from fanzha.warnings import views_export

    monkeypatch.setattr(views_export, "EXPORT_MAX_ROWS", 2)
    for n in range(1, 4):
        make_warning(n)
    login(client, world.users["analyst"])
    today = timezone.localdate().isoformat()
    query = {"source": "superior", "start": today, "end": today, "format": "xlsx"}
    response = client.get(reverse("warning_feedback"), query)
    assert response.status_code == 400
    assert "该时段共有 3 条，超过一次导出的上限 2 条" in response.content.decode()
    assert not AuditEvent.objects.filter(action="pii.export").exists()
