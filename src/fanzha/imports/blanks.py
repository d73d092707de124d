"""空白模板: an importer's columns as an empty file to fill in — an XLSX whose long-digit columns are
formatted as text (so an 18-digit ID number typed or pasted stays as written, never 1.10101E+17), with a
second sheet 填写说明 saying what each column takes; or a CSV with the UTF-8 mark. No data in either."""

from __future__ import annotations

import io
from typing import Any

from fanzha.core.exports import csv_lines
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.models.persons import KeyGroup
from fanzha.core.roles import ROLES
from fanzha.imports.columns import NUMERIC_OK, Field, all_fields
from fanzha.imports.importers.base import Importer
from fanzha.warnings import ledger, typology
from fanzha.warnings.models import ContactKind, Outcome

TEXT_FORMAT = "@"
TEXT_ROWS = 5000  # the data rows formatted as text below the header
DATA_SHEET = "导入数据"
NOTES_SHEET = "填写说明"
NOTES_HEADER = ["序号", "列", "是否必填", "也可写作", "格式与说明"]
SYNONYMS_SHOWN = 8

# Columns of digits or codes a spreadsheet would turn into a number (scientific notation, the last digits
# rounded off past 15, leading zeros dropped) — besides those the importer refuses as numbers anyway.
DIGIT_COLUMNS = frozenset(
    {"source_id", "id_number", "phone", "suspect_numbers", "suspect_accounts", "to_account", "ref"}
)

TIME_WRITTEN = "如 2026-11-28 09:30、2026/11/28 9:30 或 2026年11月28日 9时30分"
TEXT_NOTE = "本列已设为文本格式：请直接输入，或粘贴时选“只粘贴值/匹配目标格式”，不要改回数字格式"


def _words(mapping: dict[str, str], code: str, label: str, shown: int = 4) -> str:
    """The first ``shown`` words ``mapping`` reads as ``code``, other than its label."""
    return "、".join([word for word, value in mapping.items() if value == code and word != label][:shown])


def _choices_and_words(choices: list[tuple[str, str]], words: dict[str, str]) -> str:
    """Each choice's label with the first words a ledger may write for it."""
    return "；".join(f"{label}（也可写 {_words(words, code, label)}）" for code, label in choices)


def _outcomes() -> str:
    return f"{_choices_and_words(Outcome.choices, ledger.OUTCOME_WORDS)}；不填：按未办结导入，进入待办"


def _contact_kinds() -> str:
    return _choices_and_words(ContactKind.choices, ledger.KIND_WORDS)


def _fraud_types() -> str:
    names = "、".join(name for name, _ in list(typology.BUILTIN.values())[:6])
    return f"诈骗类型的名称或代码，如 {names}；认不出的按“其他诈骗”导入并提示"


_WARNING_NOTES = {
    "source_id": "推送方的预警编号；同一来源同一编号不会重复导入",
    "name": "姓名、身份证号、手机号至少填一项",
    "id_number": "18 位身份证号（末位可为 X）",
    "phone": "11 位手机号或固定电话",
    "fraud_type": _fraud_types(),
    "source": "推送单位或渠道名称，如 省反诈中心、移动公司",
    "warned_at": f"{TIME_WRITTEN}；只知道日期时填“预警日期”",
    "warned_date": "如 2026-11-28；与“预警时间”填一个即可",
    "other_time": TIME_WRITTEN,
    "amount": "单位为元，如 12000 或 1.2万",
    "amount_wan": "单位为万元，如 1.2",
    "suspect_numbers": "对方的电话号码；多个可另起“嫌疑号码2”“嫌疑号码3”等列",
    "suspect_accounts": "对方的银行卡号或账号；多个可另起“嫌疑账号2”等列",
    "transfer_in_progress": "是 或 否",
    "registered_address": "没有现住址时用于定位",
}
_LEDGER_NOTES = {
    **_WARNING_NOTES,
    "acknowledged_at": f"{TIME_WRITTEN}；不早于预警时间",
    "contact_kind": _contact_kinds(),
    "contacted_at": f"{TIME_WRITTEN}；不早于预警时间",
    "outcome": _outcomes(),
    "closed_at": f"{TIME_WRITTEN}；不早于签收时间、联系时间；不填则按其中较晚的时间计办结",
    "unit": "处置单位的全称，与系统中的单位名称一致",
    "officer": "处置民警的姓名，与系统中该单位用户的姓名一致",
}
NOTES: dict[str, dict[str, str]] = {
    "people": {
        "id_number": "18 位身份证号（末位可为 X）",
        "phone": "11 位手机号或固定电话",
        "area_code": "12 位区划代码（或网格代码）；与“所属区划”至少填一列",
        "area_name": "辖区内的区划名称，如 城东社区；与“区划代码”至少填一列",
        "key_groups": f"可填多个，用顿号分隔：{'、'.join(KeyGroup.labels)}",
    },
    "warnings": _WARNING_NOTES,
    "warning_ledger": _LEDGER_NOTES,
    "areas": {
        "code": "6、9 或 12 位区划代码",
        "level": "省、市、县（区）、乡镇（街道）、村（社区）或 网格",
        "parent_code": "上级区划的代码",
        "status": "有效 或 已撤销；不填则不变",
    },
    "organisations": {
        "kind": f"{'、'.join(OrganisationKind.labels)}",
        "area": "12 位区划代码",
        "covered": "区划代码，多个用顿号或逗号分隔",
        "code": "统一社会信用代码或组织机构代码",
        "contact_phone": "值班电话",
    },
    "users": {
        "username": "登录用的用户名",
        "organisation": "单位全称，与系统中的单位名称一致",
        "roles": f"可填多个，用顿号分隔：{'、'.join(role.name for role in ROLES.values())}",
        "status": "在用 或 停用",
    },
    "cases": {
        "reported_at": TIME_WRITTEN,
        "occurred_at": TIME_WRITTEN,
        "paid_at": TIME_WRITTEN,
        "id_number": "受害人 18 位身份证号（末位可为 X）",
        "phone": "受害人的手机号",
        "fraud_type": _fraud_types(),
        "to_account": "收款银行卡号或账号；同一案件的多笔转账各占一行、案件编号相同",
        "loss": "单位为元",
        "amount": "单位为元",
    },
}


def template_fields(importer: Importer) -> list[Field]:
    """The columns of the template: every column the importer reads, but any it refuses (a password)."""
    return [f for f in all_fields(importer.fields) if f.name not in importer.template_leaves_out]


def is_text_column(f: Field) -> bool:
    """A column of digits or codes, formatted as text in the template."""
    return f.numeric != NUMERIC_OK or f.name in DIGIT_COLUMNS


def column_note(importer: Importer, f: Field) -> str:
    note = NOTES.get(importer.code, {}).get(f.name, "")
    if is_text_column(f):
        note = f"{note}；{TEXT_NOTE}" if note else TEXT_NOTE
    return note


def notes_rows(importer: Importer) -> list[list[str]]:
    """One line per column: its number, label, required or not, its other names, what it takes."""
    return [
        [
            str(number),
            f.label,
            "必填" if f.required else "选填",
            "、".join(f.synonyms[:SYNONYMS_SHOWN]),
            column_note(importer, f),
        ]
        for number, f in enumerate(template_fields(importer), start=1)
    ]


def file_rules(importer: Importer) -> list[str]:
    """What the file as a whole needs beyond its required columns (姓名、身份证号或手机号至少一列)."""
    return [f"文件中须有这些列：{rule}" for rule in importer.extra_missing(set())]


def template_xlsx(importer: Importer) -> bytes:
    """The blank XLSX: the header (required columns bold) over ``TEXT_ROWS`` rows whose digit columns are
    text, then the 填写说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    fields = template_fields(importer)
    bold = Font(bold=True)
    for column, f in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=column, value=f.label)
        if f.required:
            cell.font = bold
        if is_text_column(f):
            cell.number_format = TEXT_FORMAT
            for row in range(2, TEXT_ROWS + 2):
                sheet.cell(row=row, column=column).number_format = TEXT_FORMAT
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, 2 * len(f.label) + 4)
        if is_text_column(f):
            sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width, 22)
    sheet.freeze_panes = "A2"
    _notes_sheet(workbook.create_sheet(NOTES_SHEET), importer)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _notes_sheet(sheet: Any, importer: Importer) -> None:
    from openpyxl.styles import Alignment, Font

    where = f"请在“{DATA_SHEET}”工作表第 2 行起填写，每行一条；表头加粗的列必填"
    sheet.append([f"{importer.label}导入模板：{where}"])
    for rule in file_rules(importer):
        sheet.append([rule])
    sheet.append([])
    sheet.append(NOTES_HEADER)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in notes_rows(importer):
        sheet.append(line)
    for letter, width in zip("ABCDE", (6, 16, 10, 40, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def template_csv(importer: Importer) -> str:
    """The blank CSV: the header line alone, with the UTF-8 mark (WPS and Excel read it as UTF-8)."""
    return "".join(csv_lines([f.label for f in template_fields(importer)], []))
