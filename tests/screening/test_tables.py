"""Reading the tables `fanzha screen` takes: CSV in UTF-8 or GBK, JSONL, XLSX; bad rows kept."""

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
