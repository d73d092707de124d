"""空白模板: each importer's blank XLSX (long-digit columns as text) and CSV, for whoever may upload it;
the XLSX filled in with openpyxl imports; a committed ledger's summary line on its batch page."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse

from fanzha.core.models import Person
from fanzha.imports.blanks import DATA_SHEET, NOTES_SHEET, TEXT_FORMAT, TEXT_ROWS, template_fields
from fanzha.imports.columns import all_fields
from fanzha.imports.importers import IMPORTERS, get_importer
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import Outcome, Status, Warning
from tests.personas import id_number

ALL = sorted(IMPORTERS)
# Who may upload each importer's files (tests.personas).
UPLOADER = {
    "areas": "admin",
    "organisations": "admin",
    "users": "admin",
    "people": "leader",
    "cases": "leader",
    "warnings": "leader",
    "warning_ledger": "leader",
}
# The columns a spreadsheet would turn into numbers, by importer: each must be text in the template.
DIGIT_COLUMNS = {
    "people": {"身份证号", "手机号", "区划代码"},
    "warnings": {"预警编号", "身份证号", "手机号", "嫌疑号码", "嫌疑账号"},
    "warning_ledger": {"预警编号", "身份证号", "手机号", "嫌疑号码", "嫌疑账号"},
    "cases": {"案件编号", "身份证号", "手机号", "收款账号"},
    "users": {"用户名", "工作电话"},
    "organisations": {"值班电话", "机构代码", "所属区划", "管辖区划"},
    "areas": {"区划代码", "上级代码"},
}
LONG_DIGITS = re.compile(r"\d{11,}")


def workbook(data: bytes) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def download(client: Any, importer: str, **query: str) -> Any:
    return client.get(reverse("import_template", kwargs={"importer": importer}), query)


def imported(user: Any, code: str, data: bytes) -> ImportBatch:
    return import_run(actor=user, importer=code, file_name="模板.xlsx", data=data).batch


def filled(data: bytes, rows: list[dict[str, str]]) -> bytes:
    """The template with ``rows`` (label → text) written from its second row, as a clerk types them."""
    book = workbook(data)
    sheet = book[DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    for number, values in enumerate(rows, start=2):
        for label, value in values.items():
            sheet.cell(row=number, column=header.index(label) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("code", ALL)
def test_the_xlsx_has_the_columns_with_the_digit_ones_as_text_and_no_data(world, client, code) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users[UPLOADER[code]])
    response = download(client, code)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    importer = get_importer(code)
    assert importer is not None
    book = workbook(response.content)
    assert book.sheetnames == [DATA_SHEET, NOTES_SHEET]
    sheet = book[DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    expected = [f.label for f in all_fields(importer.fields) if f.name not in importer.template_leaves_out]
    assert header == expected == [f.label for f in template_fields(importer)]
    required = {f.label for f in importer.fields if f.required}
    assert {cell.value for cell in sheet[1] if cell.font.bold} == required
    assert DIGIT_COLUMNS[code] <= set(header)
    for column, label in enumerate(header, start=1):
        formats = {sheet.cell(row=r, column=column).number_format for r in (2, 100, TEXT_ROWS + 1)}
        if label in DIGIT_COLUMNS[code]:
            assert formats == {TEXT_FORMAT}, label
    # No data: the header alone holds values; the notes quote no number anyone could be.
    assert [c.value for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None] == []
    notes = [str(c.value) for row in book[NOTES_SHEET].iter_rows() for c in row if c.value is not None]
    assert not [text for text in notes if LONG_DIGITS.search(text)]
    for label in expected:
        assert label in notes


def test_the_users_template_leaves_out_the_refused_password_column(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["admin"])
    header = [cell.value for cell in workbook(download(client, "users").content)[DATA_SHEET][1]]
    assert "用户名" in header and not [label for label in header if "密码" in label]


def test_the_notes_say_how_each_column_is_written(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    notes = workbook(download(client, "warning_ledger").content)[NOTES_SHEET]
    lines = {row[1]: row for row in notes.iter_rows(values_only=True) if row[0] and str(row[0]).isdigit()}
    assert lines["预警时间"][2] == "选填" and "2026-11-28 09:30" in lines["预警时间"][4]
    assert "刷单返利" in lines["诈骗类型"][4] and "代码" in lines["诈骗类型"][4]
    assert all(outcome.label in lines["处置结果"][4] for outcome in Outcome)
    assert "未办结" in lines["处置结果"][4]
    assert "文本格式" in lines["身份证号"][4] and "文本格式" not in lines["姓名"][4]
    assert "身份证号码" in lines["身份证号"][3]
    rules = [row[0] for row in notes.iter_rows(values_only=True) if row[0] and "须有" in str(row[0])]
    assert rules == ["文件中须有这些列：姓名、身份证号或手机号（至少一列）"]


@pytest.mark.parametrize("code", ALL)
def test_the_csv_is_the_header_with_the_utf8_mark(world, client, code) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users[UPLOADER[code]])
    response = download(client, code, format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    importer = get_importer(code)
    assert importer is not None
    assert body == "\ufeff" + ",".join(f.label for f in template_fields(importer)) + "\r\n"


@pytest.mark.parametrize("code", ALL)
def test_it_is_refused_to_a_user_who_may_not_upload_the_importers_files(world, client, code) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["grid_cd"])
    assert download(client, code).status_code == 403
    assert download(client, code, format="csv").status_code == 403


def test_a_leader_gets_the_people_template_but_not_the_users_one(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    assert download(client, "people").status_code == 200
    assert download(client, "users").status_code == 403


def test_an_unknown_importer_has_no_template(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    assert download(client, "nonesuch").status_code == 404


def test_the_upload_page_links_the_templates(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    page = client.get(reverse("import_upload", kwargs={"importer": "warnings"})).content.decode()
    url = reverse("import_template", kwargs={"importer": "warnings"})
    assert f'href="{url}">下载空白模板</a>' in page and f'href="{url}?format=csv"' in page


@pytest.mark.parametrize("code", ALL)
def test_the_blank_template_uploaded_as_it_is_reads_as_a_header_alone(world, client, code) -> None:  # type: ignore[no-untyped-def]
    """Its 5,000 text-formatted empty rows are no rows, and the 填写说明 sheet is never read as the list."""
    client.force_login(world.users[UPLOADER[code]])
    data = download(client, code).content
    batch = imported(world.users[UPLOADER[code]], code, data)
    assert batch.rows_total == 0 and batch.errors == []
    assert "只有表头" in batch.message


# --- the template, filled in, imports -------------------------------------------------------------


def _id(n: int) -> str:
    return id_number("331102", f"{1950 + n}0101", f"{n:03d}")


def test_a_filled_people_template_imports_the_id_numbers_as_written(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    rows = [
        {
            "姓名": f"模板{n}号",
            "身份证号": _id(n),
            "手机号": f"1370000000{n}",
            "区划代码": "331199100001001",
            "重点人群": "老年人",
        }
        for n in (1, 2)
    ]
    data = filled(download(client, "people").content, rows)
    result = import_run(actor=world.users["leader"], importer="people", file_name="人员.xlsx", data=data)
    assert result.batch.status == BatchStatus.COMMITTED, (result.batch.message, result.batch.errors)
    assert result.batch.rows_new == 2
    assert {_id(1), _id(2)} <= {person.id_number for person in Person.objects.all()}


def test_a_filled_warnings_template_imports(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    rows = [
        {
            "预警编号": f"00012026112800{n}",  # leading zeros, 17 digits: kept as written
            "姓名": f"模板{n}号",
            "身份证号": _id(n),
            "手机号": f"1370000000{n}",
            "现住址": f"江州市青溪县城关镇城东社区幸福路{n}号",
            "诈骗类型": "刷单返利",
            "预警来源": "上级推送",
            "预警时间": "2026-11-28 09:30",
            "嫌疑账号": "6222021234567890123",
        }
        for n in (1, 2)
    ]
    data = filled(download(client, "warnings").content, rows)
    result = import_run(actor=world.users["leader"], importer="warnings", file_name="预警.xlsx", data=data)
    assert result.batch.status == BatchStatus.COMMITTED, (result.batch.message, result.batch.errors)
    assert result.batch.rows_new == 2
    warnings = Warning.objects.order_by("source_id")
    assert [w.source_id for w in warnings] == ["000120261128001", "000120261128002"]


LEDGER_ROWS = [
    {"预警编号": "TZ0001", "处置方式": "电话", "处置结果": "劝阻成功", "联系时间": "2026-03-02 09:10"},
    {"预警编号": "TZ0002", "处置方式": "上门", "处置结果": "已被骗报案", "联系时间": "2026-03-02 09:20"},
    {"预警编号": "TZ0003"},  # still open
]


def _ledger_file(client: Any) -> bytes:
    rows = [
        {
            "姓名": f"台账{n}号",
            "身份证号": _id(n),
            "手机号": f"1380000000{n}",
            "现住址": f"江州市青溪县城关镇城东社区幸福路{n}号",
            "诈骗类型": "刷单返利",
            "预警来源": "上级推送",
            "预警时间": "2026-03-02 09:00",
            **work,
        }
        for n, work in enumerate(LEDGER_ROWS, start=1)
    ]
    return filled(download(client, "warning_ledger").content, rows)


def test_a_filled_ledger_template_imports_its_work(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    data = _ledger_file(client)
    batch = imported(world.users["leader"], "warning_ledger", data)
    assert batch.status == BatchStatus.COMMITTED, (batch.message, batch.errors)
    w = {x.source_id: x for x in Warning.objects.all()}
    assert (w["TZ0001"].status, w["TZ0001"].outcome) == (Status.CLOSED, Outcome.DISSUADED)
    assert (w["TZ0002"].status, w["TZ0002"].outcome) == (Status.CLOSED, Outcome.DEFRAUDED)
    assert w["TZ0003"].is_open


# --- the ledger's summary on its batch page -------------------------------------------------------


def test_the_ledger_batch_page_shows_the_files_summary(world, client) -> None:  # type: ignore[no-untyped-def]
    """The command printed 台账：… after a ledger import; the batch's page said only 已导入."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.imports.files import csv_bytes
    from tests.warnings.test_ledger_import import LEDGER, ROWS

    client.force_login(world.users["leader"])
    url = reverse("import_upload", kwargs={"importer": "warning_ledger"})
    response = client.post(url, {"file": SimpleUploadedFile("台账.csv", csv_bytes(LEDGER, ROWS))})
    assert ImportBatch.objects.get().status == BatchStatus.COMMITTED
    page = client.get(response["Location"]).content.decode()
    shown = re.search(r'data-testid="ledger-summary">([^<]*)<', page)
    assert shown is not None, "no ledger summary on the batch page"
    line = shown[1]
    assert line.startswith("台账：6 条按已办结导入（") and "2 条未办结进入待办" in line
    assert "劝阻成功 2" in line and "1 条已被骗未自动生成案件草稿" in line


def test_the_filled_ledger_templates_summary_reads_as_the_command_prints_it(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    data = _ledger_file(client)
    batch = imported(world.users["leader"], "warning_ledger", data)
    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    expected = (
        "台账：2 条按已办结导入（已被骗 1、劝阻成功 1），1 条未办结进入待办"
        "（其中 1 条时限已过，自导入时起计算）；1 条已被骗未自动生成案件草稿，案件请另行导入"
    )
    assert f'<dd class="col-sm-10" data-testid="ledger-summary">{expected}</dd>' in page


def test_a_warnings_batch_page_has_no_ledger_summary(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    data = filled(download(client, "warnings").content, [{"姓名": "模板1号", "身份证号": _id(1)}])
    batch = imported(world.users["leader"], "warnings", data)
    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert batch.status == BatchStatus.COMMITTED and "ledger-summary" not in page


OTHER_ROWS = {
    "areas": {"区划代码": "331199100003", "名称": "城南社区", "层级": "村", "上级代码": "331199100000"},
    "organisations": {"单位名称": "城南警务室", "单位类型": "派出所", "所属区划": "331199100000"},
    "users": {
        "用户名": "0123",  # a leading zero, kept
        "姓名": "张模板",
        "单位名称": "城关派出所",
        "角色": "民警",
        "工作电话": "057100001234",
    },
}


@pytest.mark.parametrize("code", sorted(OTHER_ROWS))
def test_the_other_filled_templates_import_their_codes_as_written(world, client, code) -> None:  # type: ignore[no-untyped-def]
    actor = world.users[UPLOADER[code]]
    client.force_login(actor)
    data = filled(download(client, code).content, [OTHER_ROWS[code]])
    batch = import_run(actor=actor, importer=code, file_name="模板.xlsx", data=data).batch
    assert batch.status == BatchStatus.COMMITTED and batch.rows_new == 1, (batch.message, batch.errors)
