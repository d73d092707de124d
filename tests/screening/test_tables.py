"""Reading the tables `fanzha screen` takes: CSV in UTF-8 or GBK, JSONL, XLSX; bad rows kept."""

import csv
import json

import openpyxl

from fanzha.screening.tables import detect_encoding, open_table, output_columns


def _rows(table):
    return [(r.cells, r.error) for r in table.rows]


def test_it_reads_gbk_csv(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes("编号,短信内容\n1,您的账户涉嫌洗钱\n".encode("gbk"))
    table = open_table(path)
    assert table.columns == ["编号", "短信内容"]
    assert _rows(table) == [({"编号": "1", "短信内容": "您的账户涉嫌洗钱"}, "")]


def test_it_detects_utf8_with_bom_and_gb18030():
    assert detect_encoding("\ufeffa,b".encode()) == "utf-8-sig"
    assert detect_encoding("短信".encode("gbk")) == "gb18030"


def test_it_keeps_a_row_with_the_wrong_number_of_cells_and_says_why(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,text,note\n1,hello\n2,a,b,c\n3,ok,x\n", encoding="utf-8")
    rows = _rows(open_table(path))
    assert len(rows) == 3
    assert rows[0] == ({"id": "1", "text": "hello", "note": ""}, "本行有 2 列，表头有 3 列")
    assert rows[1][1] == "本行有 4 列，表头有 3 列"
    assert rows[2] == ({"id": "3", "text": "ok", "note": "x"}, "")


def test_it_reads_jsonl_and_reports_a_broken_line(tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": 7, "text": "你好"}, ensure_ascii=False),
        "{not json",
        json.dumps({"text": "x", "k": [1]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = open_table(path)
    assert table.columns == ["id", "text", "k"]
    rows = _rows(table)
    assert rows[0] == ({"id": "7", "text": "你好", "k": ""}, "")
    assert rows[1][1] == "第 2 行不是 JSON 对象"
    assert rows[2][0]["k"] == "[1]"


def test_it_reads_xlsx_numbers_as_displayed(tmp_path):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["手机号", "text"])
    book.active.append([13800138000, "中奖了"])
    book.save(path)
    table = open_table(path)
    assert _rows(table) == [({"手机号": "13800138000", "text": "中奖了"}, "")]


def test_it_renames_input_columns_that_clash_with_output_columns():
    header, renamed = output_columns(["score", "text", "error"])
    assert renamed == ["input_score", "text", "input_error"]
    assert header == ["input_score", "text", "input_error", "score", "level", "category", "reasons", "error"]


def test_it_reads_doubled_quotes_inside_a_quoted_cell(tmp_path):
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        rows = [["id", "text"], ["1", '他说"你好"，点击 www.x.cn'], ["2", "第一行\n第二行, 有逗号"]]
        csv.writer(f).writerows(rows)
    rows = _rows(open_table(path))
    assert rows == [
        ({"id": "1", "text": '他说"你好"，点击 www.x.cn'}, ""),
        ({"id": "2", "text": "第一行\n第二行, 有逗号"}, ""),
    ]


def test_it_keeps_rows_whose_cells_are_empty_or_blank(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("text\nhello\n   \nworld\n", encoding="utf-8")
    assert [r.cells["text"] for r in open_table(path).rows] == ["hello", "   ", "world"]
    path.write_text("id,text\n1,a\n,\n2,b\n\n", encoding="utf-8")  # a blank line is no row
    assert [r.cells["id"] for r in open_table(path).rows] == ["1", "", "2"]
    book = openpyxl.Workbook()
    for row in (["text", "id"], ["hello", 1], ["\u3000", None], ["world", 3]):  # a full-width space
        book.active.append(row)
    book.save(tmp_path / "in.xlsx")
    assert [r.cells["text"] for r in open_table(tmp_path / "in.xlsx").rows] == ["hello", "\u3000", "world"]


def test_renamed_duplicate_columns_never_take_an_existing_name(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("a_2,a,a,,column_4\n1,2,3,4,5\n", encoding="utf-8")
    table = open_table(path)
    assert len(set(table.columns)) == 5
    (row,) = table.rows
    assert [row.cells[c] for c in table.columns] == ["1", "2", "3", "4", "5"]


def test_it_replaces_a_lone_surrogate_from_a_json_escape(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "a\\ud800b", "k\\udfff": 1}\n', encoding="utf-8")
    table = open_table(path)
    assert table.columns == ["text", "k\ufffd"]
    (row,) = table.rows
    assert row.cells["text"] == "a\ufffdb"


def test_it_reads_the_sheet_that_has_the_wanted_column(tmp_path):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表为某月举报短信"])
    data = book.create_sheet("数据")
    data.append(["编号", "短信内容"])
    data.append(["007", "中奖了"])
    book.save(path)
    table = open_table(path, wanted="短信内容")
    assert table.columns == ["编号", "短信内容"]
    assert _rows(table) == [({"编号": "007", "短信内容": "中奖了"}, "")]
    assert open_table(path).columns == ["本表为某月举报短信"]  # without a wanted column: the first sheet


def test_it_detects_gbk_that_starts_after_the_first_64_kb(tmp_path):
    path = tmp_path / "links.csv"
    lines = (
        ["id,url,note"] + [f"{i},http://example{i}.com/,ok" for i in range(3000)] + ["3000,http://x.cn/,举报"]
    )
    path.write_bytes("\n".join(lines).encode("gbk") + b"\n")
    rows = list(open_table(path).rows)
    assert len(rows) == 3001
    assert rows[-1].cells["note"] == "举报"


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('id,text\n1,ok\n2,"abc\n3,def\n\n4,"ghi"\n', encoding="utf-8")
    rows = _rows(open_table(path))
    assert rows == [
        ({"id": "1", "text": "ok"}, ""),
        ({"id": "2", "text": '"abc'}, "第 3 行的引号没有闭合，本行按原样读取"),
        ({"id": "3", "text": "def"}, ""),
        ({"id": "4", "text": "ghi"}, ""),
    ]
    path.write_text('id,text\n1,"abc\n2,def\n', encoding="utf-8")  # not closed before the end
    assert [cells["text"] for cells, _ in _rows(open_table(path))] == ['"abc', "def"]


def test_a_quoted_cell_with_a_line_break_at_the_end_of_the_file_is_one_cell(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('id,text\n1,"a\nb"', encoding="utf-8")
    assert _rows(open_table(path)) == [({"id": "1", "text": "a\nb"}, "")]


def test_it_finds_the_header_under_a_title_row(tmp_path):
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年11月举报短信汇总"])
    sheet.merge_cells("A1:C1")
    sheet.append(["编号", "手机号", "短信内容"])
    sheet.append(["007", 13812345678, "中奖了"])
    book.save(path)
    table = open_table(path, wanted="短信内容")
    assert table.columns == ["编号", "手机号", "短信内容"]
    assert _rows(table) == [({"编号": "007", "手机号": "13812345678", "短信内容": "中奖了"}, "")]
