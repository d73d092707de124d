"""`fanzha screen texts|urls|eval`: one output row per input row, input columns copied verbatim."""

import csv
import json
import subprocess
import sys

import openpyxl
import pytest

from fanzha.screening.cli import main

SCAM = "【公安局】您的身份证涉嫌洗钱，请立即将资金转入安全账户配合调查，否则将被冻结"
PLAIN = "妈，我周末回家吃饭，帮我留点饺子"


def _read(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_it_screens_a_csv_and_copies_every_column_verbatim(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f"id,内容,score\n007,{SCAM},x\n008,{PLAIN},y\n009,   ,z\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["texts", str(source), "--text-column", "内容", "--output", str(out), "--quiet"]) == 0
    rows = _read(out)
    assert list(rows[0]) == ["id", "内容", "input_score", "score", "level", "category", "reasons", "error"]
    assert [r["id"] for r in rows] == ["007", "008", "009"]
    assert rows[0]["input_score"] == "x"
    assert rows[0]["level"] in ("medium", "high")
    assert rows[0]["category"] == "impersonate_authority"
    assert "安全账户" in rows[0]["reasons"]
    assert rows[1]["level"] in ("none", "low")
    assert rows[2]["error"] == "文本为空"
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in rows)


def test_it_keeps_malformed_rows_with_an_error(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(f"id,text\n1,{SCAM}\n2\n3,{PLAIN},extra\n".encode("gbk"))
    out = tmp_path / "out.csv"
    assert main(["texts", str(source), "--text-column", "text", "--output", str(out), "--quiet"]) == 0
    rows = _read(out)
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["error"].startswith("本行有 1 列")
    assert rows[1]["level"] == "none"
    assert "本行有 3 列" in rows[2]["error"]
    assert rows[2]["score"]


def test_it_flags_a_huge_message_and_screens_its_prefix(tmp_path):
    source = tmp_path / "in.jsonl"
    big = (SCAM + "。") * 25_000  # over 1 MB
    source.write_text(json.dumps({"text": big}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["texts", str(source), "--output", str(out), "--quiet"]) == 0
    (row,) = _read(out)
    assert row["level"] in ("medium", "high")
    assert "只筛查了前" in row["reasons"]


def test_it_screens_urls_from_xlsx_with_two_processes(tmp_path):
    source = tmp_path / "links.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["编号", "url"])
    book.active.append([1, "http://icbc-jifen.top/login.php?id=1"])
    book.active.append([2, "https://www.gov.cn/"])
    book.save(source)
    out = tmp_path / "out.csv"
    assert (
        main(["urls", str(source), "--url-column", "url", "--output", str(out), "--jobs", "2", "--quiet"])
        == 0
    )
    rows = _read(out)
    assert [r["编号"] for r in rows] == ["1", "2"]
    assert float(rows[0]["score"]) > float(rows[1]["score"])
    assert rows[1]["level"] in ("none", "low")


def test_it_names_the_columns_when_the_text_column_is_missing(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["texts", str(source), "--text-column", "内容", "--output", str(tmp_path / "o.csv")]) == 2
    assert "现有的列：a、b" in capsys.readouterr().err


def test_it_evaluates_a_labelled_file(tmp_path):
    source = tmp_path / "labelled.csv"
    source.write_text(f"text,label\n{SCAM},1\n{PLAIN},0\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fanzha",
            "screen",
            "eval",
            str(source),
            "--text-column",
            "text",
            "--label-column",
            "label",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "recall: 1.0000" in done.stdout
    assert "auc: 1.0000" in done.stdout


@pytest.mark.parametrize("args", [["screen", "--help"]])
def test_it_runs_without_django_settings(args):
    done = subprocess.run(
        [sys.executable, "-m", "fanzha", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FANZHA_ENV": "production"},
    )
    assert done.returncode == 0, done.stderr
    assert "texts" in done.stdout


def test_it_refuses_to_write_over_its_input(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(f"id,text\n1,{SCAM}\n", encoding="utf-8")
    before = source.read_bytes()
    assert main(["texts", str(source), "--output", str(tmp_path / "." / "in.csv"), "--quiet"]) == 2
    assert "输出文件不能是输入文件" in capsys.readouterr().err
    assert source.read_bytes() == before


@pytest.mark.parametrize("output", ["missing/out.csv", "."])
def test_it_explains_an_output_path_it_cannot_write(tmp_path, capsys, output):
    source = tmp_path / "in.csv"
    source.write_text(f"id,text\n1,{SCAM}\n", encoding="utf-8")
    assert main(["texts", str(source), "--output", str(tmp_path / output), "--quiet"]) == 2
    assert "无法写入输出文件" in capsys.readouterr().err


def test_it_screens_a_jsonl_of_odd_lines_one_row_each(tmp_path):
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": 1, "text": SCAM}, ensure_ascii=False),
        "",
        "not json",
        "[1, 2]",
        '"a string"',
        '{"id": 5}',
        '{"id": 6, "text": 12345}',
        '{"id": 7, "text": "x", "meta": {"a": [1, {"b": "中"}]}}',
        '{"id": 8, "text": "lone \\ud800 half"}',
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["texts", str(source), "--text-column", "text", "--output", str(out), "--quiet"]) == 0
    rows = _read(out)
    assert len(rows) == 8  # every line but the blank one
    assert [r["id"] for r in rows] == ["1", "", "", "", "5", "6", "7", "8"]
    assert [bool(r["error"]) for r in rows] == [False, True, True, True, True, False, False, False]
    assert rows[6]["meta"] == '{"a": [1, {"b": "中"}]}'
    assert rows[7]["text"] == "lone \ufffd half"
    assert all(r["score"] and r["level"] for r in rows)


def test_it_screens_the_xlsx_sheet_that_has_the_column(tmp_path):
    source = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["说明：本表为举报短信"])
    data = book.create_sheet("数据")
    data.append(["手机号", "短信内容"])
    data.append([13812345678, SCAM])
    book.save(source)
    out = tmp_path / "out.csv"
    assert main(["texts", str(source), "--text-column", "短信内容", "--output", str(out), "--quiet"]) == 0
    (row,) = _read(out)
    assert row["手机号"] == "13812345678" and row["level"] in ("medium", "high")


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_it_says_an_empty_file_is_empty(tmp_path, capsys, content):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    assert main(["texts", str(source), "--output", str(tmp_path / "out.csv"), "--quiet"]) == 2
    assert "文件是空的" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()
