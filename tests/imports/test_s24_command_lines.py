"""The commands' row lines name the column and value only where the error has them: a row refused as
a whole read "第 5 行 ：…", with a stray space where the column would be."""

from __future__ import annotations

from fanzha.imports.management.commands._common import error_line, notice_line


def test_a_row_error_without_a_column_reads_cleanly() -> None:
    error = {"row": 5, "column": "", "value": "", "message": "无法识别或联系当事人"}
    assert error_line(error) == "第 5 行：无法识别或联系当事人"


def test_a_row_error_names_its_column_and_value() -> None:
    error = {"row": 7, "column": "手机号", "value": "1380013", "message": "号码位数不对"}
    assert error_line(error) == "第 7 行 手机号 1380013：号码位数不对"
    assert error_line({**error, "value": ""}) == "第 7 行 手机号：号码位数不对"


def test_a_notice_without_a_column_reads_cleanly() -> None:
    assert notice_line(3, "", "重复行") == "第 3 行（提示）：重复行"
    assert notice_line(3, "身份证号", "校验位不对") == "第 3 行 身份证号（提示）：校验位不对"
