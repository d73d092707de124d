"""Feedback in the sender's own layout: the columns of the file a row came in, in its order and its names."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django.utils import timezone

from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import PushedLayout, Warning, WarningSourceRef
from fanzha.warnings.workflow import ContactData, warning_contact_record
from tests.imports.files import csv_bytes
from tests.personas import World, id_number, login
from tests.warnings.helpers import make_warning

# A superior centre's own list: a serial number, its names for our fields, an amount in 万元, a column
# we do not read (性别) and two it leaves for the answer (处置情况, 处置民警).
HEADER = ["序号", "预警ID", "受害人姓名", "公民身份号码", "联系电话", "推送时间", "涉案金额（万元）", "性别"]
HEADER += ["居住地址", "处置情况", "处置民警", "预警来源"]


def person_id(n: int) -> str:
    return id_number("331102", "19600101", f"{n:03d}")


def superior_row(n: int) -> list[str]:
    return [
        str(n),
        f"SJ-{n:03d}",
        f"王{'一二三'[n - 1]}",
        person_id(n),
        f"1390571{n:04d}",
        "2026-11-28 09:05:00",
        "8",
        "男",
        f"青溪县城关镇城东社区幸福路{n}号",
        "",
        "",
        "上级推送",
    ]


def feedback(client, source: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    today = timezone.localdate().isoformat()
    query = {"source": source, "start": today, "end": today, "format": "csv"}
    response = client.get(reverse("warning_feedback"), query)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_it_answers_a_sender_in_the_layout_of_its_own_list(world: World, client) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(HEADER, [superior_row(1), superior_row(2)])
    result = import_run(actor=None, importer="warnings", file_name="省厅推送.csv", data=data)
    assert result.ok, result.batch.message
    assert result.batch.columns[0] == ["序号", ""] and result.batch.columns[1] == ["预警ID", "source_id"]
    done = Warning.objects.get(source_id="SJ-001")
    assert done.assignee is not None
    warning_contact_record(
        actor=done.assignee, warning=done, data=ContactData(kind="call", outcome="dissuaded")
    )
    login(client, world.users["analyst"])
    rows = feedback(client, "superior")
    assert rows[0][: len(HEADER)] == HEADER  # the sender's names, in its order
    assert "处置结果" not in rows[0] and "处置人" not in rows[0]  # answered in its own columns
    assert rows[0][len(HEADER) :] == [
        "处置状态",
        "签收时间",
        "首次联系时间",
        "联系方式",
        "处置单位",
        "办结时间",
        "是否合并",
    ]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["序号"] == "1" and first["性别"] == "男"  # columns not read come back as the row said
    assert first["预警ID"] == "SJ-001" and first["推送时间"] == "2026-11-28 09:05:00"
    assert first["涉案金额（万元）"] == "8万" and "*" in first["受害人姓名"]
    assert first["公民身份号码"] != person_id(1) and "*" in first["联系电话"]
    assert first["处置情况"] == "劝阻成功" and first["处置民警"] == str(done.assignee)


def test_it_keeps_our_own_layout_for_a_source_no_file_came_from(world: World, client) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(HEADER, [superior_row(1)])
    import_run(actor=None, importer="warnings", file_name="省厅推送.csv", data=data)
    make_warning(2, source="运营商")  # received by the API, not a file
    assert list(PushedLayout.objects.values_list("source", flat=True)) == ["superior"]
    login(client, world.users["analyst"])
    assert feedback(client, "operator")[0][:5] == ["预警编号", "姓名", "身份证号", "手机号", "现住址"]


def test_it_answers_each_files_rows_in_that_files_layout_and_takes_none_from_a_dry_run(
    world: World, client
) -> None:  # type: ignore[no-untyped-def]
    import_run(actor=None, importer="warnings", file_name="a.csv", data=csv_bytes(HEADER, [superior_row(1)]))
    other = ["预警编号", "姓名", "手机号", "预警来源", "反馈结果"]
    again = csv_bytes(other, [["SJ-002", "王二", "13905710002", "上级推送", ""]])
    import_run(actor=None, importer="warnings", file_name="b.csv", data=again, dry_run=True)
    assert [layout.columns[0] for layout in PushedLayout.objects.all()] == [["序号", ""]]
    import_run(actor=None, importer="warnings", file_name="b.csv", data=again)
    login(client, world.users["analyst"])
    rows = feedback(client, "superior")
    # a.csv's row under a.csv's header, then b.csv's under b.csv's (a section each)
    assert rows[0][: len(HEADER)] == HEADER and rows[1][1] == "SJ-001"
    assert rows[2] == [] and rows[3][:5] == other and rows[4][0] == "SJ-002" and len(rows) == 5


def test_it_adds_an_outcome_column_under_another_name_when_the_sender_uses_it(world: World, client) -> None:  # type: ignore[no-untyped-def]
    # 联系方式 is the sender's phone column here, and our column of how the person was reached.
    header = ["预警编号", "姓名", "联系方式", "预警来源"]
    import_run(
        actor=None,
        importer="warnings",
        file_name="a.csv",
        data=csv_bytes(header, [["SJ-001", "王一", "13905710001", "上级推送"]]),
    )
    login(client, world.users["analyst"])
    names = feedback(client, "superior")[0]
    assert names.count("联系方式") == 1 and "联系方式（处置）" in names


def test_it_leaves_a_formula_in_a_senders_header_inert_in_xlsx(world: World, client) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    header = ["预警编号", "姓名", "手机号", "预警来源", '=HYPERLINK("http://x.example","点我")']
    data = csv_bytes(header, [["SJ-001", "王一", "13905710001", "上级推送", ""]])
    import_run(actor=None, importer="warnings", file_name="a.csv", data=data)
    login(client, world.users["analyst"])
    today = timezone.localdate().isoformat()
    query = {"source": "superior", "start": today, "end": today, "format": "xlsx"}
    book = load_workbook(io.BytesIO(client.get(reverse("warning_feedback"), query).content))
    cell = book.active.cell(row=1, column=5)
    assert cell.data_type != "f" and "HYPERLINK" in cell.value


def test_it_fills_time_columns_with_what_the_row_keeps(world: World, client) -> None:  # type: ignore[no-untyped-def]
    # An operator's list: the warning's time and, apart, the fraud call's (通话时间, not kept): empty.
    header = ["预警编号", "被叫号码", "预警时间", "通话时间", "预警来源"]
    row = ["YY-001", "13905710001", "2026-11-28 09:05:00", "2026-11-27 20:00:00", "运营商"]
    import_run(actor=None, importer="warnings", file_name="a.csv", data=csv_bytes(header, [row]))
    # A bank's list with the day and the time in two columns: each gets its part.
    split = ["预警编号", "手机号", "预警日期", "预警时间", "预警来源"]
    bank = ["YH-001", "13905710002", "2026-11-27", "17:42", "银行"]
    import_run(actor=None, importer="warnings", file_name="b.csv", data=csv_bytes(split, [bank]))
    login(client, world.users["analyst"])
    rows = feedback(client, "operator")
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["预警时间"] == "2026-11-28 09:05:00" and first["通话时间"] == ""
    rows = feedback(client, "bank")
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["预警日期"] == "2026-11-27" and first["预警时间"] == "17:42:00"


def test_a_registered_address_column_is_answered_with_its_kept_value(world: World, client) -> None:  # type: ignore[no-untyped-def]
    header = ["预警ID", "姓名", "身份证号", "手机号", "现住址", "户籍地址", "预警来源"]
    lives = "青溪县城关镇城东社区幸福路1号"
    rows = [
        ["H-1", "王一", person_id(1), "13905710001", lives, "四川省成都市武侯区浆洗街2号", "上级推送"],
        ["H-2", "王二", person_id(2), "13905710002", "", "青溪县城关镇城东社区幸福路3号", "上级推送"],
    ]
    result = import_run(actor=None, importer="warnings", file_name="户籍.csv", data=csv_bytes(header, rows))
    assert result.ok, result.batch.message
    login(client, world.users["analyst"])
    lines = feedback(client, "superior")
    column = lines[0].index("户籍地址")
    assert [line[column] for line in lines[1:]] == ["四川省成都市武侯区****", "青溪县城关镇****"]
    assert "浆洗街" not in str(lines)


def test_columns_not_read_come_back_masked_by_what_they_hold(world: World, client) -> None:  # type: ignore[no-untyped-def]
    """A pushed list's other columns (a relative's name and phone, an address, a case note with a QQ
    number, the sender's own 户籍地派出所) are kept masked and sent back in place; a row without them
    stays empty there."""
    header = [
        "预警ID",
        "受害人姓名",
        "联系电话",
        "家属姓名",
        "家属电话",
        "单位地址",
        "户籍地派出所",
        "情况说明",
    ]
    rows = [
        [
            "SJ-101",
            "王一",
            "13905710101",
            "李大山",
            "13812345678",
            "青溪县城关镇幸福路8号",
            "城关派出所",
            "对方QQ: 12345678，身份证331102196001010010",
        ],
        ["SJ-102", "王二", "13905710102", "", "", "", "", ""],
    ]
    result = import_run(actor=None, importer="warnings", file_name="推送.csv", data=csv_bytes(header, rows))
    assert result.ok, result.batch.message
    login(client, world.users["analyst"])
    got = feedback(client, "superior")
    first, second = (dict(zip(got[0], row, strict=True)) for row in got[1:3])
    assert first["家属姓名"] == "李*山" and "12345678" not in first["家属电话"]
    assert first["单位地址"] != "青溪县城关镇幸福路8号" and first["单位地址"].startswith("青溪县")
    assert first["户籍地派出所"] == "城关派出所"
    assert "12345678" not in first["情况说明"] and "196001010010" not in first["情况说明"]
    assert first["情况说明"].startswith("对方QQ")
    assert [second[h] for h in header[3:]] == [""] * 5
    kept = WarningSourceRef.objects.get(source_id="SJ-101").row_values
    assert "李大山" not in str(kept) and "13812345678" not in str(kept)
