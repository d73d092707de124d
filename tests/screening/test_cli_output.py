"""What `fanzha screen` writes: a plain UTF-8 CSV for programs (no BOM), or with `--excel` a file for a
person to open in Excel; input cells as the input writes them, one output row per input row."""

import csv
import json

from fanzha.screening.cli import main

SCAM = "【公安局】您的身份证涉嫌洗钱，请立即将资金转入安全账户配合调查，否则将被冻结"
PLAIN = "妈，我周末回家吃饭，帮我留点饺子"


def _source(tmp_path):
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "号码", "短信内容", "备注"])
        w.writerow(["007", "6222021001122334455", SCAM, "=1+1"])
        w.writerow(["008", "057188886666", PLAIN, "+86 138"])
        w.writerow(["009", "12.5", "", "-"])
    return source


def _screen(tmp_path, *extra):
    out = tmp_path / "out.csv"
    argv = ["texts", str(_source(tmp_path)), "--text-column", "短信内容", "--output", str(out), "--quiet"]
    assert main([*argv, *extra]) == 0
    return out


def test_the_output_is_a_plain_utf8_csv_for_programs(tmp_path):
    out = _screen(tmp_path)
    assert out.read_bytes().startswith("编号,号码,短信内容,备注,score".encode())  # no BOM
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["编号"], r["号码"], r["备注"]) for r in rows] == [
        ("007", "6222021001122334455", "=1+1"),
        ("008", "057188886666", "+86 138"),
        ("009", "12.5", "-"),
    ]


def test_excel_writes_a_file_excel_opens_as_written(tmp_path):
    out = _screen(tmp_path, "--excel")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + "编号,号码".encode())  # Excel reads it as UTF-8
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3
    assert [r["编号"] for r in rows] == ['="007"', '="008"', '="009"']  # not 7, 8, 9
    assert [r["号码"] for r in rows] == ['="6222021001122334455"', '="057188886666"', "12.5"]  # not 6.22E+18
    assert [r["备注"] for r in rows] == ["'=1+1", "'+86 138", "'-"]  # shown, never run as formulas
    assert rows[0]["短信内容"] == SCAM and rows[0]["level"] in ("medium", "high")
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in rows)


def test_numbers_of_a_jsonl_file_are_copied_as_written(tmp_path):
    source = tmp_path / "in.jsonl"
    records = [
        '{"id": 1.38e10, "amount": 100.00, "rate": 1.50, "n": -0, "text": "' + PLAIN + '"}',
        '{"id": 13800000000, "amount": NaN, "nested": {"a": 1.50}, "text": "' + SCAM + '"}',
    ]
    source.write_text("\n".join(records) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["texts", str(source), "--output", str(out), "--quiet"]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["id"], r["amount"]) for r in rows] == [("1.38e10", "100.00"), ("13800000000", "NaN")]
    assert rows[0]["rate"] == "1.50" and rows[0]["n"] == "-0"
    assert json.loads(rows[1]["nested"]) == {"a": 1.5}
