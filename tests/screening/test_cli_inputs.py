"""`fanzha screen texts|urls` on files as centres and operators hand them over."""

import csv

import openpyxl

from fanzha.screening.cli import main

SCAM = "【公安局】您的身份证涉嫌洗钱，请立即将资金转入安全账户配合调查，否则将被冻结"
PLAIN = "妈，我周末回家吃饭, 帮我留点饺子"  # an ASCII comma too


def _read(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _screen(kind, source, out, *args):
    return main([kind, str(source), "--output", str(out), "--quiet", *args])


def test_a_txt_file_is_one_text_a_line_and_its_first_line_is_screened(tmp_path):
    source = tmp_path / "短信.txt"
    source.write_bytes(f"{SCAM}\r\n{PLAIN}\r\n\r\n   \r\n".encode("gbk"))
    out = tmp_path / "out.csv"
    assert _screen("texts", source, out, "--text-column", "短信内容") == 0
    rows = _read(out)
    assert [r["短信内容"] for r in rows] == [SCAM, PLAIN, "   "]
    assert rows[0]["level"] in ("medium", "high")
    assert rows[2]["error"] == "文本为空"


def test_a_txt_file_with_a_header_is_a_table(tmp_path):
    source = tmp_path / "export.txt"
    source.write_text(f"id,短信内容\n1,{SCAM}\n", encoding="utf-8")  # the column is guessed
    out = tmp_path / "out.csv"
    assert _screen("texts", source, out) == 0
    (row,) = _read(out)
    assert row["id"] == "1"
    assert row["短信内容"] == SCAM


def test_a_column_asked_for_matches_a_header_with_spaces_or_full_width_characters(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f"编号,短信 内容（原文）\n1,{SCAM}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert _screen("texts", source, out, "--text-column", "短信内容(原文)") == 0
    (row,) = _read(out)
    assert row["短信 内容（原文）"] == SCAM
    assert row["level"] in ("medium", "high")


def test_a_sheet_is_found_by_a_column_asked_for_in_another_width(tmp_path):
    source = tmp_path / "links.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["说明"])
    sheet = book.create_sheet("数据")
    sheet.append(["编号", "ＵＲＬ"])
    sheet.append([1, "http://icbc-jifen.top/login.php"])
    book.save(source)
    out = tmp_path / "out.csv"
    assert _screen("urls", source, out, "--url-column", "url") == 0
    (row,) = _read(out)
    assert row["ＵＲＬ"] == "http://icbc-jifen.top/login.php"


def test_a_text_of_zero_width_characters_only_is_marked_empty(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f"id,text\n1,\u200b\u200b\n2,\ufeff \u3000\n3,{SCAM}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert _screen("texts", source, out, "--text-column", "text") == 0
    rows = _read(out)
    assert [r["error"] for r in rows] == ["文本为空", "文本为空", ""]
    assert rows[0]["level"] == "none"


def test_a_placeholder_in_a_link_column_is_marked_not_a_link_not_scored(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "id,url\n1,无\n2,暂无\n3,N/A\n4,icbc-jifen.top/login\n5,http://[2001:db8::1]/\n", "utf-8"
    )
    out = tmp_path / "out.csv"
    assert _screen("urls", source, out, "--url-column", "url") == 0
    rows = _read(out)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [r["error"] for r in rows[:3]] == ["不是链接：没有域名或 IP 地址"] * 3
    assert {r["level"] for r in rows[:3]} == {"none"}
    assert rows[3]["level"] in ("medium", "high")
    assert rows[4]["error"] == ""
