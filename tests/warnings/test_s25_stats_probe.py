"""Feedback upward and the centre's statistics, probed as a centre uses them (s25).

Feedback: real pushed lists (CSV and XLSX, a column order of the sender's own, columns the intake does
not read, a joined answer column 劝阻人/单位), outcomes recorded through the services, the export read
back. Statistics: a small world built by hand whose every figure is counted here on paper."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fanzha.core.services.organisations import organisation_create
from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import PushedLayout, Warning, WarningSourceRef
from fanzha.warnings.workflow import (
    ContactData,
    warning_close,
    warning_contact_record,
)
from tests.imports.files import csv_bytes
from tests.personas import World, id_number, login
from tests.warnings.test_api_batch import item, push
from tests.warnings.test_api_key import a_key

# ── feedback upward (反馈) ────────────────────────────────────────────────────────────────

# A superior centre's list: its own order, two columns the intake does not read (序号, 性别) and four
# it leaves for the answer — 处置结果, 劝阻时间 (首次联系时间) and a joined 劝阻人/单位.
HEADER = ["序号", "性别", "受害人姓名", "联系电话", "预警编号", "公民身份号码", "居住地址", "诈骗类型"]
HEADER += ["推送时间", "处置结果", "劝阻时间", "劝阻人/单位", "预警来源"]


def person_id(n: int) -> str:
    return id_number("331102", "19600101", f"{n:03d}")


def pushed_row(n: int, name: str, source: str = "上级推送", person: int | None = None) -> list[str]:
    person = person or n
    return [
        str(n),
        "男",
        name,
        f"1390571{person:04d}",
        f"SJ-{n:03d}",
        person_id(person),
        f"青溪县城关镇城东社区幸福路{person}号",
        "刷单返利",
        "2026-11-28 09:05:00",
        "",
        "",
        "",
        source,
    ]


def imported(name: str, data: bytes) -> None:
    result = import_run(actor=None, importer="warnings", file_name=name, data=data)
    assert result.ok, (result.batch.message, result.batch.errors)


def feedback(client: Client, source: str, fmt: str = "csv", day: dt.date | None = None) -> Any:
    day = day or timezone.localdate()
    query = {"source": source, "start": day.isoformat(), "end": day.isoformat(), "format": fmt}
    response = client.get(reverse("warning_feedback"), query)
    assert response.status_code == 200
    if fmt != "csv":
        return response
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _record(w: Warning, outcome: str, kind: str = "call") -> None:
    w = Warning.objects.get(pk=w.pk)
    arrived = timezone.now() if kind == "visit" else None
    data = ContactData(kind=kind, outcome=outcome, arrived_at=arrived, version=w.version)
    warning_contact_record(actor=w.assignee, warning=w, data=data)


def test_every_pushed_row_goes_back_once_in_its_layout_with_its_outcome(world: World, client) -> None:  # type: ignore[no-untyped-def]
    # Yesterday's file: outside the period asked for.
    imported("昨日.csv", csv_bytes(HEADER, [pushed_row(9, "赵九")]))
    yesterday = timezone.now() - dt.timedelta(days=1)
    WarningSourceRef.objects.update(received_at=yesterday)
    PushedLayout.objects.update(received_at=yesterday)
    # Today's: 王一 pushed twice (SJ-004 joins SJ-001), one row of another source (银行).
    rows = [pushed_row(1, "王一"), pushed_row(2, "王二"), pushed_row(3, "王三")]
    rows += [pushed_row(4, "王一", person=1), pushed_row(5, "王五", source="银行")]
    imported("今日.csv", csv_bytes(HEADER, rows))
    first, second, third = (Warning.objects.get(source_id=f"SJ-{n:03d}") for n in (1, 2, 3))
    _record(first, "dissuaded", "visit")
    _record(second, "not_reached")
    warning_close(actor=world.users["leader"], warning=third, outcome="invalid", reason="本人正常转账")
    login(client, world.users["analyst"])

    lines = feedback(client, "superior")
    header, body = lines[0], lines[1:]
    assert header[: len(HEADER)] == HEADER  # the sender's names, in its order
    assert "处置人" not in header and "处置单位" not in header and "首次联系时间" not in header
    assert header[len(HEADER) :] == ["处置状态", "签收时间", "联系方式", "办结时间", "是否合并"]
    got = [dict(zip(header, line, strict=True)) for line in body]
    assert [r["预警编号"] for r in got] == ["SJ-001", "SJ-002", "SJ-003", "SJ-004"]  # once each
    one, two, three, again = got
    holder = f"{first.assignee}/{first.organisation}"
    assert (one["处置结果"], one["劝阻人/单位"], one["联系方式"], one["是否合并"]) == (
        "劝阻成功",
        holder,
        "上门劝阻",
        "否",
    )
    assert one["劝阻时间"] and one["序号"] == "" and one["性别"] == ""  # not kept: empty, still there
    assert (again["处置结果"], again["劝阻人/单位"], again["是否合并"]) == ("劝阻成功", holder, "是")
    assert two["处置结果"] == "未办结（已签收）" and two["联系方式"] == "电话劝阻"
    assert three["处置结果"] == "无效预警" and three["劝阻时间"] == ""
    text = str(lines)
    for clear in ("王一", person_id(1), "13905710001", "幸福路1号"):
        assert clear not in text
    assert one["受害人姓名"] == "王*" and one["联系电话"] == "139****0001"
    # The day before has its own row; the bank its own.
    assert [line[4] for line in feedback(client, "superior", day=timezone.localdate(yesterday))[1:]] == [
        "SJ-009"
    ]
    assert [line[4] for line in feedback(client, "bank")[1:]] == ["SJ-005"]
    # The same as a workbook, opened again.
    book = load_workbook(io.BytesIO(feedback(client, "superior", "xlsx").content))
    assert [list(r) for r in book["反馈"].iter_rows(values_only=True)][1][4] == "SJ-001"


def test_a_joined_answer_column_is_filled_with_both_answers() -> None:
    from fanzha.warnings.exports import layout_feedback_columns

    def keys(text: str) -> list[str]:
        columns = layout_feedback_columns([["预警编号", "source_id"], [text, ""]])
        return [key for name, key in columns if name == text]

    assert keys("劝阻人/单位") == ["outcome:处置人/处置单位"]
    assert keys("处置单位及民警") == ["outcome:处置单位/处置人"]
    assert keys("劝阻民警、单位") == ["outcome:处置人/处置单位"]
    assert keys("处置情况") == ["outcome:处置结果"]
    assert keys("是否及时签收") == [""]  # no answer of ours: stays, empty


def test_the_warning_id_goes_back_as_the_sender_wrote_it(world: World, client) -> None:  # type: ignore[no-untyped-def]
    header = ["预警编号", "姓名", "手机号", "身份证号", "预警来源"]
    # A list numbered from 001 each day: today's 001 is another person than yesterday's; a row with none.
    imported("11-28.csv", csv_bytes(header, [["001", "王一", "13905710001", person_id(1), "银行"]]))
    second = [["001", "李二", "13905710002", person_id(2), "银行"]]
    second += [["", "王九", "13905710009", person_id(9), "银行"]]
    imported("11-29.csv", csv_bytes(header, second))
    # Two banks numbering their pushes alike: the second's P-1 is kept as P-1@<its id>.
    _, icbc = a_key(world)
    world.orgs["农业银行青溪支行"] = organisation_create(
        actor=None, name="农业银行青溪支行", kind="bank", area=world.area("城关镇")
    )
    _, abc = a_key(world, org="农业银行青溪支行")
    assert push(Client(), [item(1, source_id="P-1")], icbc).status_code == 201
    assert push(Client(), [item(2, source_id="P-1", phone="13905700099")], abc).status_code == 201
    kept = set(WarningSourceRef.objects.values_list("source_id", flat=True))
    assert {"001", "P-1"} < kept and any(k.startswith("001~") for k in kept)
    assert any(k.startswith("row:") for k in kept) and any(k.startswith("P-1@") for k in kept)
    login(client, world.users["analyst"])
    ids = [line[0] for line in feedback(client, "bank") if line and line[0] != "预警编号"]
    assert ids == ["001", "001", "", "P-1", "P-1"]


def test_a_workbook_holds_cells_with_control_characters_as_pushed(world: World, client) -> None:  # type: ignore[no-untyped-def]
    """A vertical tab (a line break as some systems write it) or a stray \\x1a in a pushed cell or header
    made the XLSX a server error: a worksheet cannot hold them."""
    header = ["预警编号", "姓名", "手机号", "诈骗类型", "备注", "预警来源", "附加\x07列"]
    row = ["C-1", "王一", "13905710001", "刷单\x07返利", "第一行\x0b第二行\x1a", "上级推送", ""]
    imported("c.csv", csv_bytes(header, [row]))
    login(client, world.users["analyst"])
    book = load_workbook(io.BytesIO(feedback(client, "superior", "xlsx").content))
    names, cells = ([*r] for r in book.active.iter_rows(values_only=True))
    assert names[6] == "附加 列"
    assert (cells[3], cells[4]) == ("刷单 返利", "第一行 第二行 ")
    listed = load_workbook(io.BytesIO(client.get(reverse("warning_export")).content))
    assert listed["预警"].max_row == 2
