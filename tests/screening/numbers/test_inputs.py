"""Awkward operator extracts for ``numbers features``: headers, encodings, value shapes, bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers import inputs
from fanzha.screening.numbers.cli import main
from tests.screening.numbers.conftest import build_features, sql_value, write_csv

SICHUAN_CALLS = ["phone_no_m", "opposite_no_m", "calltype_id", "start_datetime", "call_dur"]


def _calls(tmp_path: Path, rows: list[list[object]], name: str = "calls.csv") -> Path:
    return write_csv(tmp_path / name, SICHUAN_CALLS, rows)


# ---------------------------------------------------------------- defect 4: column names


def test_it_reads_chinese_subscriber_view_headers(tmp_path: Path) -> None:
    header = ["本机号码", "对端号码", "呼叫类型", "通话开始时间", "通话时长（秒）", "城市", "基站", "终端号"]
    calls = write_csv(
        tmp_path / "c.csv",
        header,
        [["13800000001", "13900000002", "主叫", "2026-11-28 09:00:00", 60, "成都", "C1", "I1"],
         ["13800000001", "13900000003", "被叫", "2026-11-28 10:00:00", 30, "绵阳", "C2", "I2"]],
    )  # fmt: skip
    _, rows = build_features(calls=[calls])
    a = rows["13800000001"]
    assert (a["opposite_count"], a["voccalltype1"], a["call_dur_max"]) == (2, 1, 60)
    assert (a["city_name_nunique"], a["county_name_nunique"], a["imeis"]) == (2, 2, 1)


def test_it_reads_caller_callee_headers_in_chinese_and_english(tmp_path: Path) -> None:
    zh = write_csv(
        tmp_path / "zh.csv",
        ["主叫号码", "被叫号码", "开始时间", "时长 (秒)", "归属地", "小区", "IMEI"],
        [["13800000001", "13900000002", "2026-11-28 09:00:00", 60, "成都", "C1", "I1"]],
    )
    en = write_csv(
        tmp_path / "en.csv",
        ["Calling_Number", "Called_Number", "Start Time", "Call_Duration", "cell_id"],
        [["13800000001", "13900000003", "2026-11-28 10:00:00", 30, "C2"]],
    )
    report, rows = build_features(calls=[zh, en])
    assert rows["13800000001"]["opposite_count"] == 2 and rows["13900000003"]["opposite_count"] == 1
    assert rows["13800000001"]["county_name_nunique"] == 2 and report["edges"] == 2


def test_it_joins_a_date_column_and_a_time_of_day_column(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "split.csv",
        ["主叫号码", "被叫号码", "通话日期", "通话时间", "通话时长"],
        [
            ["13800000001", "13900000002", "2026-11-28", "09:05:03", 30],
            ["13800000001", "13900000003", "2026/11/27", "21:30", 65],
            ["13800000001", "13900000004", "2026-11-26", "2026-11-26 08:00:00", 5],  # the whole moment
        ],
    )
    report, rows = build_features(calls=[calls])
    number = rows["13800000001"]
    assert number["voc_hour_nunique"] == 3 and number["voc_day_nunique"] == 3
    assert not report["calls"].get("bad_time")


def test_it_reads_msisdn_other_party_headers(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["MSISDN", "Other_Party", "Call_Type", "Start_Time", "Duration", "LAC_CI"],
        [["13800000001", "13900000002", "MOC", "2026-11-28 09:00:00", 60, "L1"]],
    )
    _, rows = build_features(calls=[calls])
    assert rows["13800000001"]["voccalltype1"] == 1 and rows["13800000001"]["county_name_nunique"] == 1


def test_it_reads_chinese_sms_traffic_and_spending_headers(tmp_path: Path) -> None:
    sms = write_csv(
        tmp_path / "s.csv",
        ["发送号码", "接收号码", "发送时间"],
        [["13800000001", "13900000002", "2026-11-28 08:00:00"]],
    )
    apps = write_csv(
        tmp_path / "a.csv",
        ["用户号码", "业务名称", "流量(MB)", "月份"],
        [["13800000001", "微信", 10, "2026-11"], ["13800000001", "抖音", 30, "2026-11"]],
    )
    spend = write_csv(tmp_path / "p.csv", ["计费号码", "月份", "消费金额"], [["13800000001", "2026-11", 58]])
    _, rows = build_features(sms=[sms], apps=[apps], spending=[spend])
    a = rows["13800000001"]
    assert (a["sms_count"], a["calltype_2"], a["flow_sum"], a["arpu_sum"]) == (1, 0, 40, 58)
    assert rows["13900000002"]["calltype_2"] == 1


def test_it_normalises_headers_before_matching_aliases() -> None:
    assert inputs.norm_header("\ufeff 通话时长（秒） ") == "通话时长"
    assert inputs.norm_header("Start Time") == inputs.norm_header("start_time") == "starttime"
    assert inputs.norm_header("流量(MB)") == "流量"


# ---------------------------------------------------------------- defect 9: value shapes


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("65", 65), ("65.5", 65.5), ("00:01:05", 65), ("1:05", 65), ("65秒", 65), ("65s", 65),
     ("1分5秒", 65), ("1分钟", 60), ("1h 1m 5s", 3665), ("1小时", 3600), ("abc", None), ("1:5:7:8", None)],
)  # fmt: skip
def test_it_parses_duration_spellings(raw: str, seconds: float | None) -> None:
    assert sql_value(inputs.duration_sql("x"), raw) == seconds


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026年11月28日 09:05:03", "2026-11-28 09:05:03"), ("20261128 090503", "2026-11-28 09:05:03"),
     ("20261128090503", "2026-11-28 09:05:03"), ("1795828110", "2026-11-28 09:08:30"),
     ("1795828110000", "2026-11-28 09:08:30"), ("2026-11-28T01:08:30Z", "2026-11-28 09:08:30"),
     ("2026-11-28 09:08:30+08:00", "2026-11-28 09:08:30"),
     ("2026-11-28T03:08:30+02:00", "2026-11-28 09:08:30"),
     ("2026/11/28 9:08:30", "2026-11-28 09:08:30"), ("2026-11-28 09:08:30", "2026-11-28 09:08:30"),
     ("28/11/2026 09:08:30", "2026-11-28 09:08:30"), ("11/28/2026 09:08", "2026-11-28 09:08:00"),
     ("28.11.2026", "2026-11-28 00:00:00")],
)  # fmt: skip
def test_it_parses_time_spellings_into_china_time(raw: str, expected: str) -> None:
    got = sql_value(inputs.TIME_SQL.format(x="x"), raw)
    assert got is not None and got.strftime("%Y-%m-%d %H:%M:%S") == expected


def test_it_does_not_guess_the_order_of_an_ambiguous_day_and_month() -> None:
    assert sql_value(inputs.TIME_SQL.format(x="x"), "05/01/2026 10:00:00") is None  # counted as bad_time


def test_it_reads_call_and_sms_type_spellings(tmp_path: Path) -> None:
    t = "2026-11-28 09:00:00"
    calls = _calls(
        tmp_path,
        [
            ["13800000001", f"1390000000{i}", v, t, 10]
            for i, v in enumerate(["MOC", "呼出", "01", "主叫", "mo"])
        ]
        + [["13800000001", f"1370000000{i}", v, t, 10] for i, v in enumerate(["MTC", "呼入", "02", "被叫"])],
    )
    sms = write_csv(
        tmp_path / "s.csv",
        ["phone_no_m", "opposite_no_m", "calltype_id", "request_datetime"],
        [
            ["13800000001", f"1360000000{i}", v, t]
            for i, v in enumerate(["发送", "上行", "接收", "下行", "MT"])
        ],
    )
    report, rows = build_features(calls=[calls], sms=[sms])
    a = rows["13800000001"]
    assert (a["voccalltype1"], a["opposite_count"], a["calltype_2"]) == (5, 9, 3)
    assert report["calls"]["bad_call_type"] == 0 and report["sms"]["bad_sms_type"] == 0


def test_it_reports_a_zero_one_call_type_coding_instead_of_guessing(tmp_path: Path) -> None:
    t = "2026-11-28 09:00:00"
    calls = _calls(
        tmp_path,
        [["13800000001", "13900000002", 0, t, 10], ["13900000002", "13800000001", 1, t, 10],
         ["13800000001", "13900000003", 1, "2026-11-28 10:00:00", 20]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    assert report["calls"]["ambiguous_call_type"] == 3 and report["edges"] == 0
    assert rows["13800000001"]["voccalltype1"] is None  # not taken as outgoing
    assert rows["13800000001"]["opposite_count"] == 2  # still counted as calls
    assert any("0/1" in n for n in report["notes"]) and "ambiguous_call_type=3" in report["message"]


def test_it_still_reads_zero_one_two_codings_as_before(tmp_path: Path) -> None:
    calls = _calls(tmp_path, [["13800000001", "13900000002", 1, "2026-11-28 09:00:00", 10],
                              ["13800000001", "13900000003", 2, "2026-11-28 09:00:00", 10]])  # fmt: skip
    report, rows = build_features(calls=[calls])
    assert report["calls"]["ambiguous_call_type"] == 0 and rows["13800000001"]["voccalltype1"] == 1


# ---------------------------------------------------------------- defect 3: encodings


def test_it_transcodes_a_gbk_csv_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    text = "本机号码,对端号码,呼叫类型,开始时间,通话时长,城市\n"
    text += "13800000001,13900000002,主叫,2026-11-28 09:00:00,60,成都\n"
    path.write_bytes(text.encode("gbk"))
    report, rows = build_features(calls=[path])
    assert rows["13800000001"]["voccalltype1"] == 1 and rows["13800000001"]["city_name_nunique"] == 1
    assert any("GBK" in n for n in report["notes"])


def test_it_transcodes_in_chunks_across_a_split_character(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(inputs, "CHUNK", 7)  # chunk borders fall inside two-byte characters
    path = tmp_path / "gbk.csv"
    rows_ = "".join(f"1380000000{i},13900000002,1,2026-11-28 09:00:00,60,成都高新区\n" for i in range(5))
    path.write_bytes(("phone,opposite,call_type,start_time,duration,city\n" + rows_).encode("gb18030"))
    con = F.connect()
    F.build(con, F.Sources([path], [], [], []))
    cities = con.sql("SELECT DISTINCT city FROM calls_clean").fetchall()
    con.close()
    assert cities == [("成都高新区",)]


def test_it_refuses_a_file_in_neither_encoding_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"phone,opposite,call_type,start_time,duration\n1\x80\xff,2,1,2026-11-28 09:00:00,1\n")
    with pytest.raises(F.InputError, match="既不是 UTF-8 也不是 GBK"):
        build_features(calls=[path])


def test_it_asks_for_csv_instead_of_an_excel_file(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(F.InputError, match="Excel"):
        build_features(calls=[path])


_CN_CALLS = "本机号码\t对端号码\t呼叫类型\t开始时间\t通话时长（秒）\t城市\n" + "".join(
    f"1380000000{i}\t1390000000{i % 3}\t{('被叫', '主叫')[i % 2]}\t2026-11-28 0{i}:00:00\t{60 + i}\t成都\n"
    for i in range(6)
)


def test_it_transcodes_utf16_tab_separated_extracts_and_says_so(tmp_path: Path) -> None:
    utf8 = tmp_path / "calls.txt"
    utf8.write_text(_CN_CALLS, encoding="utf-8")
    _, expected = build_features(calls=[utf8])
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(bom + _CN_CALLS.encode(codec))  # Excel's "Unicode text": a BOM, then tabs
        report, rows = build_features(calls=[path])
        assert rows == expected and rows["13800000001"]["voccalltype1"] == 1
        assert any("UTF-16" in n for n in report["notes"]), report["notes"]
    wide = tmp_path / "utf32.txt"
    wide.write_bytes(_CN_CALLS.encode("utf-32"))  # its LE mark starts like UTF-16 LE's
    report, rows = build_features(calls=[wide])
    assert rows == expected and any("UTF-32" in n for n in report["notes"])
    bom8 = tmp_path / "bom8.txt"
    bom8.write_bytes(_CN_CALLS.encode("utf-8-sig"))  # a UTF-8 BOM still reads as UTF-8
    report, rows = build_features(calls=[bom8])
    assert rows == expected and not any("UTF-16" in n or "GBK" in n for n in report["notes"])


def test_it_transcodes_utf16_in_chunks_across_split_characters(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(inputs, "CHUNK", 7)  # odd chunks: borders inside code units and surrogate pairs
    path = tmp_path / "calls.txt"
    path.write_bytes(_CN_CALLS.replace("成都", "𠀋成都").encode("utf-16"))
    con = F.connect()
    F.build(con, F.Sources([path], [], [], []))
    cities = con.sql("SELECT DISTINCT city FROM calls_clean").fetchall()
    con.close()
    assert cities == [("𠀋成都",)]


def test_it_reads_a_bom_only_utf16_file_as_empty_and_refuses_a_cutsql_value(tmp_path: Path) -> None:
    path = tmp_path / "calls.txt"
    path.write_bytes("\r\n".encode("utf-16"))
    report, rows = build_features(calls=[path])
    assert rows == {} and "为空" in report["message"]
    path.write_bytes(_CN_CALLS.encode("utf-16")[:-1])  # an odd number of bytes: the last character cut
    with pytest.raises(F.InputError, match="不是有效的 UTF-16"):
        build_features(calls=[path])


def test_the_cli_reads_a_utf16_call_file_with_crlf_and_a_trailing_empty_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    utf8, utf16 = tmp_path / "calls8.txt", tmp_path / "calls16.txt"
    utf8.write_text(_CN_CALLS, encoding="utf-8")
    utf16.write_bytes((_CN_CALLS.replace("\n", "\r\n") + "\r\n").encode("utf-16"))
    for name, path in (("f8.csv", utf8), ("f16.csv", utf16)):
        assert main(["features", "--calls", str(path), "--output", str(tmp_path / name)]) == 0
        err = capsys.readouterr().err  # the UTF-16 run's, at the end
    assert "UTF-16" in err and "Traceback" not in err and "跳过" not in err and "未发现数据问题" in err
    assert (tmp_path / "f16.csv").read_bytes() == (tmp_path / "f8.csv").read_bytes()
    assert len((tmp_path / "f16.csv").read_text(encoding="utf-8").splitlines()) == 1 + 6  # no empty number


# ---------------------------------------------------------------- defect 6: numbers


@pytest.mark.parametrize(
    ("raw", "number"),
    [("13812345678.0", "13812345678"), ("1.3812345678E+10", "13812345678"),
     ("１３６１２３４５６７８", "13612345678"), ("+85512345678", "0085512345678"),
     ("0085512345678", "0085512345678"), ("085512345678", "085512345678"),
     ("+1 415 555 0100", "0014155550100"),
     ("86-571-88886666", "057188886666"), ("0571-88886666", "057188886666"),
     ("+86 571 88886666", "057188886666"), ("8613812345678", "13812345678"), ("95588", "95588"),
     ("138****5678", None), ("1.38123E+10", None), ("NULL", None), ("\\N", None), ("NA", None), ("--", None),
     ("", None)],
)  # fmt: skip
def test_it_normalises_awkward_number_spellings(raw: str, number: str | None) -> None:
    assert sql_value(F._number_sql("x"), raw) == number


def test_it_counts_masked_lossy_and_null_marker_numbers(tmp_path: Path) -> None:
    t = "2026-11-28 09:00:00"
    calls = _calls(
        tmp_path,
        [["138****5678", "13900000001", 1, t, 1], ["139****0001", "13900000001", 1, t, 2],
         ["1.38123E+10", "13900000001", 1, t, 3], ["13800000001", "\\N", 1, t, 4],
         ["NULL", "13900000001", 1, t, 5], ["13812345678.0", "1.3912345678E+10", 1, t, 6]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    q = report["calls"]
    assert (q["masked_number"], q["lossy_number"], q["unusable_number"]) == (2, 1, 2)
    assert q["missing_number"] == 4 and q["missing_opposite"] == 1 and q["duplicates"] == 0
    assert set(rows) == {"13800000001", "13812345678"}  # no fake 7-digit numbers, no 'null' subscriber
    assert rows["13812345678"]["opposite_unique"] == 1


def test_it_treats_null_markers_in_attributes_as_missing(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        [*SICHUAN_CALLS, "city_name", "imei_m"],
        [["13800000001", "13900000001", 1, "2026-11-28 09:00:00", 1, "NULL", "\\N"],
         ["13800000001", "13900000002", 1, "2026-11-28 09:00:00", 1, "成都", "NA"]],
    )  # fmt: skip
    _, rows = build_features(calls=[calls])
    assert rows["13800000001"]["city_name_nunique"] == 1 and rows["13800000001"]["imeis"] == 0


def test_it_reads_float_number_columns_without_a_trailing_zero(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 13900000001.0::DOUBLE AS phone_no_m, 13800000001.0::DOUBLE AS opposite_no_m, "
        "1 AS calltype_id, TIMESTAMP '2026-11-28 09:00:00' AS start_datetime, 5 AS call_dur) "
        f"TO '{path}' (FORMAT parquet)"
    )
    con.close()
    _, rows = build_features(calls=[path])
    assert set(rows) == {"13900000001"}


# ---------------------------------------------------------------- defects 5 and 11: bad lines, empty input


def _text(path: Path, lines: list[str]) -> Path:
    path.write_text(",".join(SICHUAN_CALLS) + "\n" + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_it_skips_and_names_a_malformed_line_after_the_sniffer_sample(tmp_path: Path) -> None:
    good = [f"13800000001,139{i:08d},1,2026-11-28 09:00:00,5" for i in range(25_000)]
    path = _text(tmp_path / "c.csv", [*good, '13800000001,"13900000001,1,2026-11-28 09:0'])
    report, rows = build_features(calls=[path])
    assert report["calls"]["bad_lines"] == 1 and report["calls"]["records"] == 25_000
    assert rows["13800000001"]["opposite_count"] == 25_000
    assert any("行号 25002" in n for n in report["notes"])


def test_it_skips_ragged_lines_in_a_small_file(tmp_path: Path) -> None:
    lines = [
        "13800000001,13900000001,1,2026-11-28 09:00:00,5",
        "13800000001,13900000002,1,2026-11-28 09:01:00,5,x",
        "13800000001,13900000003,1",
        "13800000001,13900000004,1,2026-11-28 09:02:00,5",
    ]
    report, rows = build_features(calls=[_text(tmp_path / "c.csv", lines)])
    assert report["calls"]["bad_lines"] == 2 and rows["13800000001"]["opposite_count"] == 2
    assert any("行号 3, 4" in n for n in report["notes"])


def test_it_reads_a_zero_byte_file_as_an_empty_extract(tmp_path: Path) -> None:
    empty = tmp_path / "calls.csv"
    empty.write_bytes(b"")
    report, rows = build_features(calls=[empty])
    assert rows == {} and "为空" in report["message"] and "0 字节" in report["message"]


def test_it_refuses_to_run_without_input_files(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert main(["features", "--output", str(tmp_path / "f.csv")]) == 2
    assert "没有输入文件" in capsys.readouterr().err and not (tmp_path / "f.csv").exists()


def test_it_reports_skipped_lines_in_the_cli_report(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = _text(
        tmp_path / "c.csv", ["13800000001,13900000001,1,2026-11-28 09:00:00,5", '13800000001,"1390000']
    )
    argv = [
        "features",
        "--calls",
        str(path),
        "--output",
        str(tmp_path / "f.csv"),
        "--report",
        str(tmp_path / "q.json"),
    ]
    assert main(argv) == 0
    report = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert report["calls"]["bad_lines"] == 1 and "跳过 1 个格式错误的行" in capsys.readouterr().err


# ---------------------------------------------------------------- defect 7: time zones


def test_it_reads_timestamptz_columns_in_china_time(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    con = duckdb.connect()
    values = ", ".join(
        f"('13800000001', '1390000000{i}', 1, TIMESTAMPTZ '{t}+00', 5)"
        for i, t in enumerate(["2026-11-28 01:00:00", "2026-11-28 01:30:00", "2026-11-27 19:00:00"])
    )
    con.execute(
        f"COPY (SELECT * FROM (VALUES {values}) t(phone_no_m, opposite_no_m, calltype_id, start_datetime, "  # noqa: S608
        f"call_dur)) TO '{path}' (FORMAT parquet)"
    )
    con.close()
    _, rows = build_features(calls=[path])
    a = rows["13800000001"]
    assert (a["voc_hour_mode"], a["voc_hour_mode_count"], a["voc_day_mode"], a["voc_day_nunique"]) == (
        9,
        2,
        28,
        1,
    )


def test_it_reads_offset_times_in_china_time(tmp_path: Path) -> None:
    calls = _calls(
        tmp_path,
        [["13800000001", "13900000001", 1, "2026-11-28T01:00:00Z", 5],
         ["13800000001", "13900000002", 1, "2026-11-28 09:10:00+08:00", 5],
         ["13800000001", "13900000003", 1, "2026-11-27T19:20:00.000Z", 5]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    a = rows["13800000001"]
    assert (a["voc_hour_mode"], a["voc_hour_mode_count"], a["voc_day_mode"], a["voc_day_nunique"]) == (
        9,
        2,
        28,
        1,
    )
    assert report["calls"]["bad_time"] == 0


def test_it_reads_a_csv_with_mixed_line_endings_leniently(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    good = "".join(f"13800000001,139{i:08d},1,2026-11-28 09:00:00,5\r\n" for i in range(25_000))
    bad = '13800000001,"13900000001,1,2026-11-28 09:0\n13800000002,13900000001,1,2026-11-28 09:00:00,5\n'
    path.write_text(",".join(SICHUAN_CALLS) + "\r\n" + good + bad, encoding="utf-8", newline="")
    report, rows = build_features(calls=[path])
    assert rows["13800000001"]["opposite_count"] >= 25_000 and report["calls"]["bad_lines"] >= 1
    assert any("宽松模式" in n for n in report["notes"])


def test_it_turns_an_unreadable_file_into_a_chinese_message(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    path = tmp_path / "c.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    assert main(["features", "--calls", str(path), "--output", str(tmp_path / "f.csv")]) == 2
    err = capsys.readouterr().err
    assert "无法读取" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("raw", "yuan"),
    [("58", 58.0), ("58.00元", 58.0), ("¥58", 58.0), ("1,024.5", 1024.5), ("RMB 58", 58.0), ("abc", None)],
)  # fmt: skip
def test_it_reads_spending_as_bills_write_it(raw: str, yuan: float | None) -> None:
    assert sql_value(inputs.amount_sql("x"), raw) == yuan


@pytest.mark.parametrize(
    ("raw", "mb"), [("1,024.5", 1024.5), ("300MB", 300.0), ("1.5GB", 1536.0), ("512KB", 0.5), ("abc", None)]
)  # fmt: skip
def test_it_reads_traffic_in_megabytes_with_its_unit(raw: str, mb: float | None) -> None:
    assert sql_value(inputs.flow_sql("x"), raw) == mb


def test_the_same_call_in_files_with_other_optional_columns_counts_once(tmp_path: Path) -> None:
    rows = [["13800000001", f"1390000000{i}", f"2026-11-28 09:0{i}:00", 30] for i in range(4)]
    rich = write_csv(
        tmp_path / "rich.csv",
        ["caller", "callee", "start_time", "duration", "city", "imei"],
        [[*r, "成都", "H1"] for r in rows],
    )
    plain = write_csv(tmp_path / "plain.csv", ["caller", "callee", "start_time", "duration"], rows)
    report, features = build_features(calls=[rich, plain])
    assert features["13800000001"]["opposite_count"] == 4 and report["calls"]["duplicates"] == 4
    assert features["13800000001"]["city_name_nunique"] == 1  # the city one of the files gives


# ---------------------------------------------------------------- mixed views, integer numbers, dates


def test_a_caller_callee_file_beside_a_subscriber_view_of_the_same_calls_counts_each_call_once(
    tmp_path: Path,
) -> None:
    both = [("13900000001", "13800000001", "2026-11-28 09:05:03", 65),
            ("13900000001", "13800000002", "2026-11-28 09:06:10", 3),
            ("13800000001", "13900000001", "2026-11-28 10:00:00", 30)]  # fmt: skip
    only_ab = ("13700000001", "13800000001", "2026-11-28 11:00:00", 40)  # no subscriber-view record
    ab = write_csv(tmp_path / "ab.csv", ["caller", "callee", "start_time", "duration"], [*both, only_ab])
    sub = _calls(tmp_path, [r for a, b, t, d in both for r in ([a, b, 1, t, d], [b, a, 2, t, d])], "sub.csv")
    con = F.connect()
    report = F.build(con, F.Sources([ab, sub], [], [], []))
    table = con.table("features")
    rows = {r[1]: dict(zip(table.columns, r, strict=True)) for r in table.fetchall()}
    view = con.sql("SELECT count(*) FROM calls").fetchall()[0][0]
    con.close()
    assert rows["13900000001"]["opposite_count"] == 3 and rows["13900000001"]["phone2opposite_max"] == 2
    assert rows["13800000001"]["opposite_count"] == 3  # 2 subscriber-view rows + the caller/callee-only call
    assert rows["13700000001"]["opposite_count"] == 1 and view == 8 and report["edges"] == 4
    assert report["calls"]["view_overlaps"] == 3 and report["calls"]["duplicates"] == 3
    assert any("3 个通话" in n and "被叫" in n for n in report["notes"])


def test_it_gives_a_landline_in_an_integer_number_column_its_trunk_zero_back(tmp_path: Path) -> None:
    con = duckdb.connect()
    for name, kind in (("int.parquet", "BIGINT"), ("double.parquet", "DOUBLE")):
        values = ", ".join(
            f"(13900000001::{kind}, {n}::{kind}, 1, TIMESTAMP '2026-11-28 09:00:0{i}', 5)"
            for i, n in enumerate([57188886666, 2887654321, 4008108888, 95588, 13800000001])
        )
        con.execute(
            f"COPY (SELECT * FROM (VALUES {values}) t(phone_no_m, opposite_no_m, calltype_id, "  # noqa: S608
            f"start_datetime, call_dur)) TO '{tmp_path / name}' (FORMAT parquet)"
        )
    con.close()
    text = _calls(tmp_path, [["13900000001", "57188886666", 1, "2026-11-28 09:00:00", 5]])
    expected = ["02887654321", "057188886666", "13800000001", "4008108888", "95588"]
    for name in ("int.parquet", "double.parquet"):  # 0571-88886666, 028-87654321; 400 / short numbers kept
        assert _opposites(tmp_path / name) == expected, name
    assert _opposites(text) == ["57188886666"]  # a text column is taken as written


def _opposites(path: Path) -> list[str]:
    con = F.connect()
    F.build(con, F.Sources([path], [], [], []))
    got = [r[0] for r in con.sql("SELECT DISTINCT opposite FROM calls ORDER BY 1").fetchall()]
    con.close()
    return got


def test_a_date_only_time_column_leaves_the_hour_features_blank_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * FROM (VALUES ('13800000001', '13900000001', 1, DATE '2026-11-28', 5), "  # noqa: S608
        "('13800000001', '13900000002', 1, DATE '2026-11-28', 6), ('13800000001', '13900000003', 1, "
        "DATE '2026-11-27', 7)) t(phone_no_m, opposite_no_m, calltype_id, start_datetime, call_dur)) "
        f"TO '{path}' (FORMAT parquet)"
    )
    con.close()
    report, rows = build_features(calls=[path])
    a = rows["13800000001"]
    assert (a["voc_day_mode"], a["voc_day_mode_count"], a["voc_day_nunique"]) == (28, 2, 2)
    assert a["voc_hour_mode"] is None and a["voc_hour_mode_count"] is None and a["voc_hour_nunique"] is None
    assert report["calls"]["date_only_time"] == 3 and report["calls"]["bad_time"] == 0
    assert any("只有日期" in n and "时段" in n for n in report["notes"])


def test_date_only_text_times_leave_only_their_own_hours_out(tmp_path: Path) -> None:
    calls = _calls(
        tmp_path,
        [["13800000001", "13900000001", 1, "2026-11-28", 5],
         ["13800000001", "13900000002", 1, "2026/11/27", 5],
         ["13800000002", "13900000002", 1, "2026-11-27 09:00:00", 5],
         ["13800000002", "13900000003", 1, "2026年11月26日", 5]],
    )  # fmt: skip
    sms = write_csv(
        tmp_path / "s.csv", ["sender", "receiver", "time"], [["13800000001", "13900000001", "20261128"]]
    )
    report, rows = build_features(calls=[calls], sms=[sms])
    a, b = rows["13800000001"], rows["13800000002"]
    assert a["voc_hour_mode"] is None and a["voc_day_nunique"] == 2 and a["hour_mode"] is None
    assert (b["voc_hour_mode"], b["voc_hour_mode_count"], b["voc_day_nunique"]) == (9, 1, 2)
    assert report["calls"]["date_only_time"] == 3 and report["sms"]["date_only_time"] == 1  # one line


def test_it_scores_numbers_whose_hour_features_are_blank(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["caller", "callee", "start_time", "duration"],
        [[f"1380000000{i % 4}", f"1390000000{i}", f"2026-11-{10 + i:02d}", 30 + i] for i in range(10)],
    )
    f, s = tmp_path / "f.csv", tmp_path / "s.csv"
    assert main(["features", "--calls", str(calls), "--output", str(f)]) == 0
    assert main(["score", "--features", str(f), "--output", str(s)]) == 0
    scores = [float(line.split(",")[1]) for line in s.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(scores) == 14 and all(0 <= x <= 1 for x in scores)
