"""Feedback upward and the centre's statistics, probed as a centre uses them (s25).

Feedback: real pushed lists (CSV and XLSX, a column order of the sender's own, columns the intake does
not read, a joined answer column 劝阻人/单位), outcomes recorded through the services, the export read
back. Statistics: a small world built by hand whose every figure is counted here on paper."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fanzha.core.services.organisations import organisation_create
from fanzha.imports.pipeline import import_run
from fanzha.imports.readers import csv_rows
from fanzha.warnings.models import PushedLayout, Warning, WarningSourceRef
from fanzha.warnings.workflow import (
    ContactData,
    warning_acknowledge,
    warning_close,
    warning_contact_record,
    warning_handover,
)
from tests.imports.files import csv_bytes
from tests.personas import World, id_number, login
from tests.warnings.helpers import make_warning
from tests.warnings.test_api_batch import item, push
from tests.warnings.test_api_key import a_key
from tests.warnings.test_s20_same_unit_handover import _shift

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
    # As a reader (Excel, the importers) reads it: a cell kept as text (="001") is the text inside.
    return list(csv_rows(b"".join(response.streaming_content)))


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
    assert one["劝阻时间"] and one["序号"] == "1" and one["性别"] == "男"  # not read: given back as said
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
    assert keys("是否及时签收") == ["cell:是否及时签收"]  # no answer of ours: what the row said there


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


# ── the centre's statistics, counted on paper ─────────────────────────────────────────────
# Medium warnings: 240 minutes to acknowledge, 1440 to reach the person, from the clock's start.
# 城关镇 · 城东社区 (the grid worker grid_cd), received … minutes ago and then worked now:
#   A1  60  acknowledged, called: 劝阻成功        ack on time, contact on time
#   A2  300 acknowledged (late), called: 拒绝配合  ack late,    contact on time (open, 已联系)
#   A3  2000 never acknowledged                    ack missed,  contact missed
#   A4  100 a call that found nobody (签收 with it) ack on time, contact not yet due
#   A5  1500 acknowledged, visited: 已被骗          ack late,    contact late
#   C1  20  closed 无效预警 by the centre, untouched: within both deadlines, counted in neither
# 龙泉乡 · 石桥村 (source 银行; the grid worker grid_sq):
#   B1  30  acknowledged, called: 无效预警          ack on time, contact on time (not dissuadable)
#   B2  10  waiting                                 nothing due
#   B3  50  acknowledged by grid_sq, handed to 龙泉派出所 (its line: grid_sq's ack on time, no contact
#           owed), acknowledged and called there: 劝阻成功 — the station's ack and contact on time
SHIQIAO = {"address": "青溪县龙泉乡石桥村3组12号", "source": "银行"}

# (total, open, dissuaded, dissuadable, ack due, on time, contact due, on time, mean ack, mean contact)
# the mean times in minutes from receipt, over those acknowledged / reached.
EXPECTED = {
    "合计": (
        9,
        4,
        2,
        4,
        8,
        5,
        6,
        4,
        (60 + 300 + 100 + 1500 + 30 + 50) // 6,
        (60 + 300 + 1500 + 30 + 50) // 5,
    ),
    "城关镇 · 城东社区": (6, 3, 1, 3, 5, 2, 4, 2, (60 + 300 + 100 + 1500) // 4, (60 + 300 + 1500) // 3),
    "龙泉乡 · 石桥村": (3, 1, 1, 1, 3, 3, 2, 2, (30 + 50) // 2, (30 + 50) // 2),
    "城东社区居委会": (6, 3, 1, 3, 5, 2, 4, 2, (60 + 300 + 100 + 1500) // 4, (60 + 300 + 1500) // 3),
    "石桥村村委会": (2, 1, 0, 0, 2, 2, 1, 1, 30, 30),
    "龙泉派出所": (1, 0, 1, 1, 1, 1, 1, 1, 50, 50),
}
RATES = {  # 劝阻率, 按时签收率, 联系及时率
    "合计": ("50.0%", "62.5%", "66.7%"),
    "城关镇 · 城东社区": ("33.3%", "40.0%", "50.0%"),
    "龙泉乡 · 石桥村": ("100.0%", "100.0%", "100.0%"),
    "城东社区居委会": ("33.3%", "40.0%", "50.0%"),
    "石桥村村委会": ("—", "100.0%", "100.0%"),
    "龙泉派出所": ("100.0%", "100.0%", "100.0%"),
}


def _acknowledged(w: Warning) -> Warning:
    w = Warning.objects.get(pk=w.pk)
    return warning_acknowledge(actor=w.assignee, warning=w, version=w.version)


def _hand_world(world: World) -> dict[str, Warning]:
    made = {
        "A1": _shift(make_warning(1), 60),
        "A2": _shift(make_warning(2), 300),
        "A3": _shift(make_warning(3), 2000),
        "A4": _shift(make_warning(4), 100),
        "A5": _shift(make_warning(5), 1500),
        "C1": _shift(make_warning(6), 20),
        "B1": _shift(make_warning(11, **SHIQIAO), 30),
        "B2": _shift(make_warning(12, **SHIQIAO), 10),
        "B3": _shift(make_warning(13, **SHIQIAO), 50),
    }
    _record(_acknowledged(made["A1"]), "dissuaded")
    _record(_acknowledged(made["A2"]), "refused")
    _record(made["A4"], "not_reached")
    _record(_acknowledged(made["A5"]), "defrauded", "visit")
    warning_close(actor=world.users["leader"], warning=made["C1"], outcome="invalid", reason="本人转账")
    _record(_acknowledged(made["B1"]), "invalid")
    b3 = _acknowledged(made["B3"])
    warning_handover(
        actor=world.users["leader"], warning=b3, reason="调整承办", to_user=world.users["police_lq"]
    )
    _record(_acknowledged(b3), "dissuaded")
    return {key: Warning.objects.get(pk=w.pk) for key, w in made.items()}


def _figures(r: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("total", "open", "dissuaded", "dissuadable", "ack_due", "acked_on_time", "contact_due")
    minutes = (int(r[k].total_seconds() // 60) if r[k] else None for k in ("mean_ack", "mean_contact"))
    return (*(r[k] for k in keys), r["contacted_on_time"], *minutes)


def _rates(r: dict[str, Any]) -> tuple[str, str, str]:
    return r["dissuasion_rate"], r["on_time_rate"], r["contact_on_time_rate"]


def _sheet(book: Any, name: str) -> dict[str, dict[str, Any]]:
    header, *lines = list(book[name].iter_rows(values_only=True))
    return {line[0]: dict(zip(header, line, strict=True)) for line in lines}


def _sheet_figures(row: dict[str, Any]) -> tuple[Any, ...]:
    names = ("预警", "未办结", "劝阻成功", None, "应按时签收", "按时签收", "应按时联系", "按时联系")
    counts = [row[name] if name else None for name in names]
    return (*counts, row["平均签收用时（分钟）"], row["平均联系用时（分钟）"])


def test_every_figure_of_the_page_and_its_export_is_the_one_counted_by_hand(world: World, client) -> None:  # type: ignore[no-untyped-def]
    _hand_world(world)
    page = login(client, world.users["leader"]).get(reverse("warning_stats"))
    shown = {"合计": page.context["totals"]}
    for r in page.context["by_area"]:
        shown[f"{r['area__parent__name']} · {r['area__name']}"] = r
    for r in page.context["by_unit"]:
        shown[r["organisation__name"]] = r
    assert set(shown) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        assert _figures(shown[name]) == expected, name
        assert _rates(shown[name]) == RATES[name], name
    # the export of the page (its 导出 button: the same filters) has the same figures, totals included
    book = load_workbook(io.BytesIO(client.get(reverse("warning_export")).content))
    assert book.sheetnames == ["预警", "按人员", "按区划", "按单位"]
    areas, units = _sheet(book, "按区划"), _sheet(book, "按单位")
    assert list(areas) == ["城关镇 · 城东社区", "龙泉乡 · 石桥村", "合计"]
    assert list(units) == ["城东社区居委会", "石桥村村委会", "龙泉派出所", "合计"]
    for name, row in {**areas, **units}.items():
        expected = EXPECTED[name]
        assert _sheet_figures(row) == (*expected[:3], None, *expected[4:]), name
        assert (row["劝阻率"], row["按时签收率"], row["联系及时率"]) == RATES[name], name
    people = _sheet(book, "按人员")
    assert {row["承办人"]: row["按时签收"] for row in people.values()} == {
        "grid_cd": 2,
        "grid_sq": 2,
        "police_lq": 1,
    }
    listed = [list(r) for r in book["预警"].iter_rows(values_only=True)]
    assert len(listed) == 10 and all("*" in line[6] and "*" in line[7] for line in listed[1:])


def test_the_filters_narrow_every_figure_alike(world: World, client) -> None:  # type: ignore[no-untyped-def]
    made = _hand_world(world)
    login(client, world.users["leader"])
    township = world.area("龙泉乡").pk
    shiqiao = EXPECTED["龙泉乡 · 石桥村"]
    for query in ({"area": township}, {"source": "bank"}, {"source": "银行"}):
        page = client.get(reverse("warning_stats"), query)
        assert _figures(page.context["totals"]) == shiqiao, query
        book = load_workbook(io.BytesIO(client.get(reverse("warning_export"), query).content))
        assert _sheet_figures(_sheet(book, "按区划")["合计"])[:3] == shiqiao[:3], query
        assert set(_sheet(book, "按单位")) == {"石桥村村委会", "龙泉派出所", "合计"}
    assert client.get(reverse("warning_stats"), {"grade": "urgent"}).context["totals"]["total"] == 0
    assert client.get(reverse("warning_stats"), {"grade": "medium"}).context["totals"]["total"] == 9
    typed = client.get(reverse("warning_stats"), {"fraud_type": "网络游戏产品虚假交易"})
    assert _figures(typed.context["totals"]) == EXPECTED["合计"]
    # a period: the warnings received on the local day A3 was (A3 itself, and whichever others)
    day = timezone.localdate(made["A3"].received_at)
    that_day = [w for w in made.values() if timezone.localdate(w.received_at) == day]
    dated = client.get(reverse("warning_stats"), {"start": day.isoformat(), "end": day.isoformat()})
    assert dated.context["totals"]["total"] == len(that_day)
    assert dated.context["totals"]["ack_due"] == sum(
        w.acknowledged_at is not None or w.pk == made["A3"].pk for w in that_day
    )


def test_the_export_counts_the_mean_times_in_minutes_as_the_page_does(world: World, client) -> None:  # type: ignore[no-untyped-def]
    w = _acknowledged(make_warning(1))
    Warning.objects.filter(pk=w.pk).update(
        acknowledged_at=w.received_at + dt.timedelta(minutes=89, seconds=36)
    )
    page = login(client, world.users["leader"]).get(reverse("warning_stats"))
    assert "1 小时 29 分" in page.content.decode()
    book = load_workbook(io.BytesIO(client.get(reverse("warning_export")).content))
    assert [row["平均签收用时（分钟）"] for row in _sheet(book, "按人员").values()] == [89]
