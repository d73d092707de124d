"""Header matching by synonyms after normalisation; numbers in text columns are refused."""

from __future__ import annotations

from fanzha.imports.columns import map_row, match_header, normalise_header
from fanzha.imports.importers.people import FIELDS
from fanzha.imports.readers import NumericText


def test_it_normalises_headers() -> None:
    assert normalise_header(" 身份证号码（必填） ") == "身份证号码"
    assert normalise_header("ＩＤ＿Ｎｏ") == "idno"
    assert normalise_header("Full Name") == "fullname"
    assert normalise_header("*手机号(11位)") == "手机号"


def test_it_maps_chinese_and_english_synonyms_and_reports_the_rest() -> None:
    header = ["名字", "公民身份号码", "联系电话", "住址", "行政区划代码", "民族", "Mobile"]
    columns = match_header(header, FIELDS)
    assert columns.columns == {
        "名字": "name",
        "公民身份号码": "id_number",
        "联系电话": "phone",
        "住址": "address",
        "行政区划代码": "area_code",
    }
    assert columns.unknown == ["民族"]
    assert columns.duplicate == ["Mobile"]
    assert columns.missing == []


def test_it_lists_the_missing_required_columns() -> None:
    columns = match_header(["电话", "地址"], FIELDS)
    assert columns.missing == ["姓名", "身份证号"]


def test_it_refuses_id_numbers_and_phones_that_became_numbers() -> None:
    columns = match_header(["姓名", "身份证号", "手机号", "区划代码"], FIELDS)
    record = {
        "姓名": "张三",
        "身份证号": NumericText("3.30102199001011e+17"),
        "手机号": "13812345678.0",
        "区划代码": NumericText("331199100001"),
    }
    values, errors = map_row(record, columns)
    assert values == {"name": "张三", "area_code": "331199100001"}
    assert [e.column for e in errors] == ["身份证号", "手机号"]
    assert errors[0].message == "身份证号被表格软件转成了数字，请把该列设为文本后重新导出"
    assert errors[0].value == "3.30************E+17"  # values in the report are masked
    assert errors[1].value == "138*****6780"
