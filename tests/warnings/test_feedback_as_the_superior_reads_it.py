"""The feedback as the superior centre that pushed the lists reads it back: lists of several layouts
(CSV and XLSX) over several days, outcomes recorded through the services, each period's export read
back as the file it is."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.imports.pipeline import import_run
from fanzha.imports.readers import csv_rows
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import ContactData, warning_contact_record
from tests.imports.files import csv_bytes, xlsx_bytes
from tests.personas import World, id_number, login

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# The province's list: a serial number, its 预警编号 (long digit strings), its own answer column.
PROVINCE = ["序号", "预警编号", "姓名", "身份证号", "手机号", "现住址", "预警时间", "预警来源", "处置情况"]
# The city's list (XLSX): other names, one column for the officer and the unit.
CITY = ["预警ID", "受害人姓名", "联系电话", "居住地址", "推送时间", "预警来源", "劝阻民警/单位"]
LONG_ID = "20261127000000000001"  # 20 digits: Excel keeps 15 of them when it reads it as a number


def person_id(n: int) -> str:
    return id_number("331102", "19600101", f"{n:03d}")


def province_row(n: int, source_id: str, address: str = "", when: str = "2026-11-27 20:00:00") -> list[str]:
    address = address or f"青溪县城关镇城东社区幸福路{n}号"
    return [str(n), source_id, f"王{n}", person_id(n), f"1390571{n:04d}", address, when, "上级推送", ""]


def city_row(source_id: str, n: int) -> list[str]:
    return [source_id, f"王{n}", f"1390571{n:04d}", f"青溪县城关镇城东社区幸福路{n}号"]


def received_at(monkeypatch: pytest.MonkeyPatch, when: dt.datetime) -> None:
    """What is imported next is received at ``when`` (a local time)."""
    monkeypatch.setattr(timezone, "now", lambda: when.astimezone(dt.UTC))


def imported(name: str, data: bytes) -> None:
    result = import_run(actor=None, importer="warnings", file_name=name, data=data)
    assert result.ok, result.batch.message


def exported(client: Client, start: str, end: str, fmt: str = "csv", source: str = "superior") -> Any:
    query = {"source": source, "start": start, "end": end, "format": fmt}
    response = client.get(reverse("warning_feedback"), query)
    assert response.status_code == 200
    return response


def csv_text(response: Any) -> str:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with its mark: Excel reads it as UTF-8
    return raw.decode("utf-8-sig")


def sections(text: str) -> list[list[dict[str, str]]]:
    """The CSV's sections (split on its empty lines), each row a dict under its section's header."""
    out: list[list[list[str]]] = [[]]
    for line in csv_rows(text.encode("utf-8")):  # as the importer reads a CSV back (="…" unwrapped)
        if any(line):
            out[-1].append(line)
        else:
            out.append([])
    return [[dict(zip(lines[0], line, strict=True)) for line in lines[1:]] for lines in out]


def dissuade(warning: Warning) -> None:
    assert warning.assignee is not None
    warning_contact_record(
        actor=warning.assignee, warning=warning, data=ContactData(kind="call", outcome="dissuaded")
    )


def two_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """27 Nov 23:59: the province's CSV (a 20-digit id, an id with a leading zero, a row without id).
    28 Nov 00:01: the city's XLSX — 王1 again under another id (joins his warning), the 20-digit row
    pushed again, a new person; and a bank's list the same minute."""
    received_at(monkeypatch, dt.datetime(2026, 11, 27, 23, 59, tzinfo=SHANGHAI))
    rows = [province_row(1, LONG_ID), province_row(2, "0012"), province_row(3, "")]
    imported("省厅推送1127.csv", csv_bytes(PROVINCE, rows))
    received_at(monkeypatch, dt.datetime(2026, 11, 28, 0, 1, tzinfo=SHANGHAI))
    city = [
        [*city_row("SJ-9", 1), "2026-11-28 00:00:00", "上级推送", ""],
        [*city_row(LONG_ID, 1), "2026-11-27 20:00:00", "上级推送", ""],
        [*city_row("SJ-10", 4), "2026-11-28 00:00:00", "上级推送", ""],
    ]
    imported("市局推送1128.xlsx", xlsx_bytes(CITY, city))
    bank = [province_row(5, "YH-5")[:-2] + ["银行", ""]]
    imported("银行推送1128.csv", csv_bytes(PROVINCE, bank))
    monkeypatch.undo()


def test_each_period_answers_its_own_rows_once_in_their_lists_layouts(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_days(monkeypatch)
    dissuade(Warning.objects.get(source_id=LONG_ID))
    login(client, world.users["analyst"])
    (first,) = sections(csv_text(exported(client, "2026-11-27", "2026-11-27")))
    assert [row["预警编号"] for row in first] == [LONG_ID, "0012", ""]  # the row without id: empty
    assert list(first[0])[: len(PROVINCE)] == PROVINCE
    assert first[0]["处置情况"] == "劝阻成功" and first[1]["处置情况"] == "未办结（待签收）"
    assert first[1]["处置单位"] and first[1]["处置人"]  # who holds it
    # 00:01 is the next day: the city's rows, and the 20-digit row pushed again (in its first layout).
    again, city = sections(csv_text(exported(client, "2026-11-28", "2026-11-28")))
    assert [row["预警编号"] for row in again] == [LONG_ID]
    assert [row["预警ID"] for row in city] == ["SJ-9", "SJ-10"]
    assert city[0]["是否合并"] == "是" and city[0]["处置结果"] == "劝阻成功"  # the warning it joined
    assert city[0]["劝阻民警/单位"].endswith("城东社区居委会")
    # Both days: each row once; the bank's row is in neither.
    both = sections(csv_text(exported(client, "2026-11-27", "2026-11-28")))
    assert sum(len(rows) for rows in both) == 5
    (bank,) = sections(csv_text(exported(client, "2026-11-28", "2026-11-28", source="bank")))
    assert [row["预警编号"] for row in bank] == ["YH-5"]


def test_the_xlsx_keeps_digit_strings_as_text_and_the_export_is_audited(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook

    two_days(monkeypatch)
    login(client, world.users["analyst"])
    book = load_workbook(io.BytesIO(exported(client, "2026-11-27", "2026-11-27", "xlsx").content))
    cells = {row[1].value: row[1] for row in book.active.iter_rows(min_row=2)}
    assert set(cells) == {LONG_ID, "0012", None} and cells[LONG_ID].data_type == "s"
    text = str([list(row) for row in book.active.values])
    for clear in (person_id(1), "13905710001", "王1", "幸福路1号"):
        assert clear not in text
    (audit,) = AuditEvent.objects.filter(action="pii.export", object_type="warnings.feedback")
    assert audit.details["rows"] == 3 and audit.details["masked"] is True


def test_the_csv_keeps_long_and_zero_led_ids_as_text_in_excel(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel reads a CSV cell of digits as a number: 20261127000000000001 became 2.02611E+19 (its last
    digits gone once saved) and 0012 became 12 — the sender could no longer find its rows. Such a
    cell is written as Excel's text formula ="…", which Excel shows as the text and readers unwrap."""
    two_days(monkeypatch)
    login(client, world.users["analyst"])
    text = csv_text(exported(client, "2026-11-27", "2026-11-27"))
    lines = list(csv.reader(io.StringIO(text)))
    assert [line[1] for line in lines[1:]] == [f'="{LONG_ID}"', '="0012"', ""]
    assert [line[0] for line in lines[1:]] == ["1", "2", "3"]  # a short number stays a number


def test_a_warning_in_the_centres_queue_says_who_holds_it(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row the centre has not placed yet (an address outside the county) was answered with an empty
    处置单位: the sender could not tell whether anyone held it. It says 中心待分派, as the list does."""
    received_at(monkeypatch, dt.datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI))
    imported("省厅推送.csv", csv_bytes(PROVINCE, [province_row(1, "SJ-1", address="火星市某某路1号")]))
    monkeypatch.undo()
    assert Warning.objects.get().organisation is None
    login(client, world.users["analyst"])
    ((row,),) = sections(csv_text(exported(client, "2026-11-27", "2026-11-27")))
    assert row["处置状态"] == "待分派" and row["处置情况"] == "未办结（待分派）"
    assert row["处置单位"] == "中心待分派" and row["处置人"] == ""


def test_a_column_name_the_list_repeats_goes_back_as_the_list_wrote_it(world: World, client: Client) -> None:
    """Two columns of one name (备注 and 备注) came back as 备注 and 备注 (2): a name the sender never
    wrote."""
    header = ["预警编号", "姓名", "手机号", "预警来源", "备注", "备注"]
    rows = [["SJ-1", "王一", "13905710001", "上级推送", "第一条", "第二条"]]
    imported("省厅推送.csv", csv_bytes(header, rows))
    login(client, world.users["analyst"])
    today = timezone.localdate().isoformat()
    lines = list(csv.reader(io.StringIO(csv_text(exported(client, today, today)))))
    assert lines[0][: len(header)] == header
    assert lines[1][4:6] == ["第一条", "第二条"]


def test_an_empty_period_is_answered_on_the_form(world: World, client: Client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    two_days(monkeypatch)
    login(client, world.users["analyst"])
    response = exported(client, "2026-11-26", "2026-11-26")
    assert "Content-Disposition" not in response
    assert "2026-11-26 没有来自 上级推送 的预警，未生成文件" in response.content.decode()


def test_the_form_says_each_row_goes_back_in_its_own_lists_layout(world: World, client: Client) -> None:
    """The page said every row went back in the source's latest file's layout; each goes back in its own
    list's, a sheet (a section of the CSV) a layout."""
    login(client, world.users["analyst"])
    page = client.get(reverse("warning_feedback")).content.decode()
    assert "最近一次导入文件的列名和顺序导出" not in page
    assert "所在推送清单" in page and "各占一张表" in page
