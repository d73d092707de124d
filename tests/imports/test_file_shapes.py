"""Files as they come out of real offices: no header row, 合计/制表人 footers, a header repeated,
several sheets, merged cells, Excel's "Unicode 文本", web pages saved as .xls (probe4 defects 1, 6, 7,
10, 18, 20)."""

from __future__ import annotations

import io

import pytest

from fanzha.audit.models import AuditEvent
from fanzha.imports.columns import header_score
from fanzha.imports.importers.people import FIELDS as PEOPLE_FIELDS
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run, missing_columns, resolve_importer
from fanzha.imports.readers import ImportFileError, peek_table, read_table
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row
from tests.warnings.files import HEADER

WARNING_HEADER = HEADER[:9]  # 预警编号 … 涉案金额
WARNING_ROWS = [
    [
        "F001",
        "王秀英",
        "330102195203141231",
        "13857100001",
        "青溪县石门镇斜坑村3组",
        "刷单",
        "省厅",
        "2026-11-29 21:37",
        "5000",
    ],
    [
        "F002",
        "李建国",
        "330106198001014567",
        "13857100002",
        "青溪县城南街道湖滨社区",
        "刷单",
        "省厅",
        "2026-11-29 20:37",
        "1000",
    ],
]


def people_table(data: bytes):  # type: ignore[no-untyped-def]
    return read_table(data, is_header=lambda cells: header_score(cells, PEOPLE_FIELDS))


def run(world, data: bytes, importer: str = "people"):  # type: ignore[no-untyped-def]
    return import_run(actor=world.users["leader"], importer=importer, file_name="名单.csv", data=data)


def workbook(sheets: dict[str, list[list[object]]], merged: dict[str, list[str]] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(name, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ── defect 10: no header row, no personal data in the report ────────────────


def test_it_quotes_no_cell_when_the_file_has_no_header_row(world) -> None:  # type: ignore[no-untyped-def]
    rows = [person_row(1, name="王秀英"), person_row(2)]
    data = csv_bytes(rows[0], rows[1:])  # the first data row where the header should be
    result = run(world, data)
    batch = result.batch
    assert batch.status == BatchStatus.REJECTED
    assert batch.message.startswith("未找到表头")
    assert batch.unknown_columns == []
    stored = batch.message + repr(batch.unknown_columns) + repr(batch.errors)
    for secret in rows[0][:4]:
        assert secret not in stored


def test_it_hides_a_headerless_warning_list_too(world) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(["N1", *WARNING_ROWS[0][1:]], [["N2", *WARNING_ROWS[1][1:]]])
    batch = run(world, data, importer="warnings").batch
    assert batch.status == BatchStatus.REJECTED
    stored = batch.message + repr(batch.unknown_columns) + repr(batch.errors)
    for secret in ("王秀英", "330102195203141231", "13857100001", "斜坑村3组"):
        assert secret not in stored


def test_it_still_lists_the_unknown_columns_of_a_real_header() -> None:
    imp = resolve_importer("people")
    message, unused = missing_columns(imp, ["姓名", "手机号", "Victim ID"], 1)
    assert message.startswith("缺少必需的列") and unused == ["Victim ID"]
    message, unused = missing_columns(imp, ["张三", "13812345678", "青溪县城关镇幸福路8号"], 1)
    assert message.startswith("未找到表头") and unused == []


def test_it_masks_numbers_in_a_header_cell_it_lists() -> None:
    imp = resolve_importer("people")
    header = [*PEOPLE_HEADER, "13857100001"]
    message, unused = missing_columns(imp, header, 1)
    assert message == "" and unused == ["138****0001"]


# ── defect 1: footer lines ───────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("footer", "word"),
    [
        (["合计", "", "", "", "", "", "", "", "6000"], "合计"),
        (["制表人：张三  审核人：李四  联系电话：0576-81234567"], "制表人"),
        (["石门镇小计"], "小计"),
        (["总计：3人"], "总计"),
        (["备注：以上数据截至11月29日"], "备注"),
        (["填报单位：江州市反诈中心（盖章）"], "填报单位"),
        (["制表人", "张三", "审核人", "李四"], "制表人"),
    ],
)
def test_it_skips_footer_lines_and_says_so(footer: list[str], word: str) -> None:
    data = csv_bytes(WARNING_HEADER, [*WARNING_ROWS, footer])
    table = read_table(data)
    assert [number for number, _ in table.rows] == [2, 3]
    assert table.skipped == [(4, f"是表尾的“{word}”行，已跳过")]


def test_it_skips_subtotals_between_data_and_a_bare_total_at_the_end() -> None:
    rows = [WARNING_ROWS[0], ["石门镇小计"], WARNING_ROWS[1], ["", "", "", "", "", "", "", "", "6,000.00"]]
    table = read_table(csv_bytes(WARNING_HEADER, rows))
    assert [number for number, _ in table.rows] == [2, 4]
    assert [number for number, _ in table.skipped] == [3, 5]


def test_it_keeps_data_rows_that_only_look_like_footers() -> None:
    rows = [
        ["", "王合计", "", "13857100003"],  # a name with 合计 in it, and a phone
        ["", "", "", "13857100004"],  # a phone alone, last row: not a "bare number" footer
        ["", "审核通过", "", "13857100005"],
    ]
    table = read_table(csv_bytes(WARNING_HEADER, rows))
    assert [number for number, _ in table.rows] == [2, 3, 4] and table.skipped == []


def test_it_imports_a_list_with_footers_and_still_rejects_a_bad_row(world) -> None:  # type: ignore[no-untyped-def]
    footers = [["合计", "", "", "", "", ""], ["制表人：张三", "", "", "", "", ""]]
    result = run(world, csv_bytes(PEOPLE_HEADER, [person_row(1), person_row(2), *footers]))
    assert result.ok and result.summary() == "imported: 2 new, 0 updated, 0 unchanged, 0 rejected"
    assert "第 4 行是表尾的“合计”行，已跳过" in result.batch.message
    assert "第 5 行是表尾的“制表人”行，已跳过" in result.batch.message
    event = AuditEvent.objects.get(action="import.commit", object_id=str(result.batch.pk))
    assert "第 4 行是表尾的“合计”行，已跳过" in event.details["reading"]  # the audit trail says so too
    bad = person_row(3, id_number="")
    result = run(world, csv_bytes(PEOPLE_HEADER, [person_row(4), bad, *footers]))
    assert result.batch.status == BatchStatus.REJECTED
    assert [error["row"] for error in result.errors] == [3]
    event = AuditEvent.objects.get(action="import.reject", object_id=str(result.batch.pk))
    assert "第 4 行是表尾的“合计”行，已跳过" in event.details["reading"]


# ── defect 18: the header again in the middle ────────────────────────────────


def test_it_skips_a_repeated_header_row_with_a_note(world) -> None:  # type: ignore[no-untyped-def]
    rows = [person_row(1), [f" {text} " for text in PEOPLE_HEADER], person_row(2)]
    table = people_table(csv_bytes(PEOPLE_HEADER, rows))
    assert [number for number, _ in table.rows] == [2, 4]
    assert table.skipped == [(3, "与表头相同（重复的表头），已跳过")]
    result = run(world, csv_bytes(PEOPLE_HEADER, rows))
    assert result.ok and result.batch.rows_new == 2
    assert "第 3 行与表头相同（重复的表头），已跳过" in result.batch.message


# ── defect 6: workbooks with several sheets ─────────────────────────────────


def test_it_reads_the_first_sheet_with_a_header(world) -> None:  # type: ignore[no-untyped-def]
    data = workbook(
        {
            "填表说明": [["填表说明"], ["1. 身份证号请设为文本格式"]],
            "汇总": [["单位", "数量"], ["青溪县", 3]],
            "名单": [PEOPLE_HEADER, person_row(1)],
        }
    )
    table = people_table(data)
    assert table.header == PEOPLE_HEADER and table.rows[0][1]["姓名"] == "测试1号"
    assert table.notes == ["已读取工作表“名单”（它前面的工作表中没有表头）"]
    assert (
        peek_table(data, is_header=lambda cells: header_score(cells, PEOPLE_FIELDS)).header == PEOPLE_HEADER
    )
    result = run(world, data)
    assert result.ok and result.batch.rows_new == 1 and "工作表“名单”" in result.batch.message


def test_it_names_the_other_data_sheets_it_did_not_import(world) -> None:  # type: ignore[no-untyped-def]
    data = workbook({"11月28日": [PEOPLE_HEADER, person_row(1)], "11月29日": [PEOPLE_HEADER, person_row(2)]})
    result = run(world, data)
    assert result.ok and result.batch.rows_new == 1
    assert "工作表“11月29日”也有数据（表头相同），未导入" in result.batch.message


# ── defect 7: merged cells down the data rows ────────────────────────────────


def test_it_repeats_a_merged_value_in_every_row_of_the_range() -> None:
    rows = [[f"G{n}", f"人{n}", "", f"1385710160{n}", "斜坑村", "刷单", "", "", ""] for n in (1, 2, 3)]
    rows[0][6:8] = ["中国工商银行江州分行", "2026-11-28 17:45"]
    data = workbook({"Sheet1": [WARNING_HEADER, *rows]}, merged={"Sheet1": ["G2:G4", "H2:H4"]})
    table = read_table(data)
    assert [record["预警来源"] for _, record in table.rows] == ["中国工商银行江州分行"] * 3
    assert [record["预警时间"] for _, record in table.rows] == ["2026-11-28 17:45"] * 3
    assert [record["涉案金额"] for _, record in table.rows] == ["", "", ""]  # not merged: stays empty


# ── defect 20: export formats ────────────────────────────────────────────────


def test_it_reads_excel_unicode_text() -> None:
    text = "\r\n".join("\t".join(row) for row in [WARNING_HEADER, *WARNING_ROWS]) + "\r\n"
    table = read_table(text.encode("utf-16"))  # with the BOM, as Excel saves it
    assert table.header == WARNING_HEADER
    assert [record["姓名"] for _, record in table.rows] == ["王秀英", "李建国"]


def test_it_takes_the_delimiter_from_the_header_not_a_title_above_it() -> None:
    lines = ["江州市反诈中心预警推送清单", *("\t".join(row) for row in [WARNING_HEADER, *WARNING_ROWS])]
    table = read_table("\n".join(lines).encode(), is_header=lambda cells: "姓名" in cells)
    assert table.header_row == 2 and table.rows[0][1]["身份证号"] == "330102195203141231"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (
            (
                '<html><head><meta charset="utf-8"></head><body><table>'
                "<tr><td>姓名</td></tr><tr><td>王秀英</td></tr></table></body></html>"
            ).encode(),
            "网页（HTML）",
        ),
        (
            b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>',
            "XML 表格 2003",
        ),
    ],
    ids=["html", "spreadsheetml"],
)
def test_it_says_how_to_save_a_web_page_or_xml_spreadsheet(data: bytes, what: str) -> None:
    with pytest.raises(ImportFileError, match="另存为") as caught:
        read_table(data)
    assert what in str(caught.value) and "王秀英" not in str(caught.value)
