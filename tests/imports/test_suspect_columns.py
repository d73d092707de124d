"""Whose a column is: a group label over the suspect's columns (嫌疑人信息 over 电话 / 账号, 嫌疑人 over
号码 / 银行卡) or a note naming the suspect (电话（嫌疑人）) makes them the suspect's — never the phone
of the person to warn; a label over the victim's columns (受害人信息, 当事人信息, 预警对象) leaves them the
person's. One-row numbered names (手机号1 / 手机号2, 嫌疑号码1 … 3) are read, and a numbered name with a
note after it (电话1（必填）) is a name of a header's second row."""

from __future__ import annotations

from fanzha.imports.columns import ColumnMap, header_score, map_row, match_header
from fanzha.imports.importers.people import PersonImporter
from fanzha.imports.importers.warnings import FIELDS, WarningImporter
from fanzha.imports.readers import read_table
from tests.imports.files import grid_csv as text_file
from tests.imports.files import sheet_bytes as book
from tests.warnings.files import row

WARNING = row(1)
SUSPECT_NUMBER = "17012345678"
SUSPECT_ACCOUNT = "6222020000000000001"


def read(data: bytes, importer=None):  # type: ignore[no-untyped-def]
    importer = importer or WarningImporter()
    return read_table(
        data, is_header=lambda cells: header_score(cells, importer.fields, importer.extra_missing)
    )


def fields_read(columns: ColumnMap) -> dict[str, str]:
    """Header text → field, for every column read (first, second and joined columns)."""
    return columns.columns | {text: f.name for text, f in columns.seconds}


def two_row_shapes(label: str, names: tuple[str, str], with_phone: bool) -> dict[str, bytes]:
    """预警编号, 姓名, 身份证号, [手机号,] 现住址 and ``label`` over ``names`` (merged across, typed once,
    typed over each column, and as CSV)."""
    own = ["预警编号", "姓名", "身份证号", *(["手机号"] if with_phone else []), "现住址"]
    upper = [*own, label, None]
    lower = [*[None] * len(own), *names]
    data = [*WARNING[:3], *([WARNING[3]] if with_phone else []), WARNING[4], SUSPECT_NUMBER, SUSPECT_ACCOUNT]
    first, second = (chr(ord("A") + len(own) + i) for i in range(2))
    return {
        "xlsx, label merged": book([upper, lower, data], (f"{first}1:{second}1",)),
        "xlsx, label not merged": book([upper, lower, data]),
        "xlsx, label over each column": book([[*own, label, label], lower, data]),
        "csv": text_file([upper, lower, data]),
    }


SUSPECT_GROUPS = [
    ("嫌疑人信息", ("电话", "账号")),
    ("嫌疑信息", ("电话", "账号")),
    ("涉诈信息", ("电话", "账号")),
    ("对方信息", ("电话", "账号")),
    ("嫌疑人", ("号码", "银行卡")),
    ("嫌疑人信息", ("手机", "卡号")),
]


def test_numbers_under_the_suspects_label_are_the_suspects_never_the_persons_phone() -> None:
    for label, names in SUSPECT_GROUPS:
        for with_phone in (True, False):
            for shape, data in two_row_shapes(label, names, with_phone).items():
                where = (label, names, with_phone, shape)
                table = read(data)
                assert table.header_row == 1 and [n for n, _ in table.rows] == [3], where
                columns = match_header(table.header, FIELDS)
                read_as = fields_read(columns)
                suspects = {text: name for text, name in read_as.items() if name.startswith("suspect")}
                assert sorted(suspects.values()) == ["suspect_accounts", "suspect_numbers"], where
                phones = [text for text, name in read_as.items() if name == "phone"]
                assert phones == (["手机号"] if with_phone else []), where
                values, errors = map_row(table.rows[0][1], columns)
                assert not errors, where
                assert values.get("phone", "") == (WARNING[3] if with_phone else ""), where
                assert (values["suspect_numbers"], values["suspect_accounts"]) == (
                    SUSPECT_NUMBER,
                    SUSPECT_ACCOUNT,
                ), where


def test_the_suspects_name_and_id_under_the_label_are_not_the_persons() -> None:
    upper = ["预警编号", "姓名", "身份证号", "手机号", "嫌疑人信息", None, None]
    lower = [None, None, None, None, "姓名", "身份证号", "电话"]
    table = read(text_file([upper, lower, [*WARNING[:4], "李四", "110101199003070011", SUSPECT_NUMBER]]))
    columns = match_header(table.header, FIELDS)
    assert fields_read(columns) == {
        "预警编号": "source_id",
        "姓名": "name",
        "身份证号": "id_number",
        "手机号": "phone",
        "嫌疑人信息（电话）": "suspect_numbers",
    }
    assert columns.unknown == ["嫌疑人信息（姓名）", "嫌疑人信息（身份证号）"]  # named as not read


def test_numbers_under_the_victims_label_stay_the_persons() -> None:
    for label in ("受害人信息", "当事人信息", "预警对象"):
        upper = ["预警编号", label, None, None, "现住址"]
        lower = [None, "姓名", "身份证号", "电话", None]
        for data in (text_file([upper, lower, WARNING[:5]]), book([upper, lower, WARNING[:5]], ("B1:D1",))):
            table = read(data)
            columns = match_header(table.header, FIELDS)
            assert fields_read(columns)["电话"] == "phone", label
            assert map_row(table.rows[0][1], columns)[0]["phone"] == WARNING[3], label


def test_a_people_list_never_reads_a_suspects_number_as_the_phone() -> None:
    upper = ["姓名", "身份证号", "现住址", "区划代码", "嫌疑人信息", None]
    lower = [None, None, None, None, "电话", "账号"]
    table = read(text_file([upper, lower, ["张三", "110101199003070011", "幸福路1号", "331102", "1", "2"]]))
    columns = match_header(table.header, PersonImporter().fields)
    assert "phone" not in fields_read(columns).values()
    assert columns.unknown == ["嫌疑人信息（电话）", "嫌疑人信息（账号）"]


def test_a_note_naming_the_suspect_makes_the_column_the_suspects() -> None:
    columns = match_header(
        ["姓名", "手机号", "电话（嫌疑人）", "银行卡号（对方）", "手机号（受害人）"], FIELDS
    )
    assert fields_read(columns) == {
        "姓名": "name",
        "手机号": "phone",
        "电话（嫌疑人）": "suspect_numbers",
        "银行卡号（对方）": "suspect_accounts",
        "手机号（受害人）": "phone",
    }


def test_numbered_phone_columns_in_one_row_are_the_phone_and_its_second() -> None:
    for first, second in (("手机号1", "手机号2"), ("联系电话1", "联系电话2"), ("电话（1）", "电话（2）")):
        columns = match_header(["姓名", first, second], FIELDS)
        assert columns.columns == {"姓名": "name", first: "phone"}, first
        assert [(text, f.name) for text, f in columns.seconds] == [(second, "phone")], first
        assert columns.unknown == [] and columns.duplicate == [], first
        values, _ = map_row({"姓名": "张三", first: "", second: "13900000002"}, columns)
        assert values["phone"] == "13900000002", first
        values, _ = map_row({"姓名": "张三", first: "13900000001", second: "13900000002"}, columns)
        assert values["phone"] == "13900000001", first


def test_numbered_suspect_columns_in_one_row_are_all_read_each_once() -> None:
    header = ["姓名", "手机号", "嫌疑号码1", "嫌疑号码2", "嫌疑号码3", "嫌疑账号1", "嫌疑账号2"]
    columns = match_header(header, FIELDS)
    read_as = fields_read(columns)
    assert [read_as[text] for text in header[2:5]] == ["suspect_numbers"] * 3
    assert [read_as[text] for text in header[5:]] == ["suspect_accounts"] * 2
    assert read_as["手机号"] == "phone" and list(read_as.values()).count("phone") == 1
    assert columns.unknown == [] and columns.duplicate == []
    cells = ["张三", "", "17000000001", "17000000002", "17000000001", "", "622200001"]
    record = dict(zip(header, cells, strict=True))
    values, _ = map_row(record, columns)
    assert values["suspect_numbers"] == "17000000001\n17000000002"
    assert values["suspect_accounts"] == "622200001"
    assert values["phone"] == ""  # a suspect's number never stands in for the person's


def test_a_numbered_suspects_phone_is_never_the_persons() -> None:
    columns = match_header(["姓名", "嫌疑人电话1", "嫌疑人电话2", "对方号码1"], FIELDS)
    assert "phone" not in fields_read(columns).values()
    assert set(fields_read(columns).values()) == {"name", "suspect_numbers"}


def test_a_numbered_sub_name_with_a_note_is_a_name_of_the_headers_second_row() -> None:
    upper = ["预警编号", "姓名", "身份证号", "联系电话", None, "现住址"]
    lower = [None, None, None, "电话1（必填）", "电话2（选填）", None]
    data = [*WARNING[:3], "", "13900000002", WARNING[4]]
    for shape, file in (("csv", text_file([upper, lower, data])), ("xlsx", book([upper, lower, data]))):
        table = read(file)
        assert table.header_row == 1 and [n for n, _ in table.rows] == [3], shape
        assert table.header[3:5] == ["联系电话（电话1（必填））", "联系电话（电话2（选填））"], shape
        columns = match_header(table.header, FIELDS)
        assert columns.columns["联系电话（电话1（必填））"] == "phone", shape
        assert [text for text, _ in columns.seconds] == ["联系电话（电话2（选填））"], shape
        assert map_row(table.rows[0][1], columns)[0]["phone"] == "13900000002", shape


def test_a_phone_series_under_the_suspects_number_label_is_the_suspects() -> None:
    """嫌疑号码 over 电话1 / 电话2: 电话1 alone reads as a phone, under this label it is the suspect's."""
    upper = ["预警编号", "姓名", "身份证号", "嫌疑号码", None]
    lower = [None, None, None, "电话1", "电话2"]
    table = read(text_file([upper, lower, [*WARNING[:3], "17000000001", "17000000002"]]))
    columns = match_header(table.header, FIELDS)
    assert "phone" not in fields_read(columns).values()
    assert map_row(table.rows[0][1], columns)[0]["suspect_numbers"] == "17000000001\n17000000002"


def test_a_note_about_the_suspects_column_keeps_it_the_suspects() -> None:
    columns = match_header(["姓名", "嫌疑号码（多个用逗号分隔）", "嫌疑账号（电话/微信）"], FIELDS)
    assert fields_read(columns) == {
        "姓名": "name",
        "嫌疑号码（多个用逗号分隔）": "suspect_numbers",
        "嫌疑账号（电话/微信）": "suspect_accounts",
    }
