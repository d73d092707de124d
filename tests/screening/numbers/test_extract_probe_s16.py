"""Operator extracts as a Chinese operator delivers them (probe s16): defects found and fixed."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pytest

from fanzha.screening.numbers import inputs
from fanzha.screening.numbers.cli import main
from fanzha.screening.numbers.features import FEATURE_NAMES
from tests.screening.numbers.conftest import build_features, sql_value, write_csv

T = "2026-11-28 09:05:03"


# ---------------------------------------------------------------- caller / callee columns with a call type


def test_it_takes_the_callee_as_the_subscriber_of_an_incoming_record(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["主叫号码", "被叫号码", "呼叫类型", "通话开始时间", "通话时长"],
        [["13800000001", "13900000002", "主叫", T, 60],
         ["13900000003", "13800000001", "被叫", "2026-11-28 10:00:00", 30]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    assert set(rows) == {"13800000001"}  # the caller of the incoming call is not a subscriber here
    a = rows["13800000001"]
    assert (a["opposite_count"], a["opposite_unique"], a["voccalltype1"]) == (2, 2, 1)
    assert report["edges"] == 0 and any("被叫号码为本机号码" in n for n in report["notes"])


def test_it_does_not_make_a_self_call_of_a_record_with_a_subscriber_column(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["用户号码", "主叫号码", "被叫号码", "呼叫类型", "通话开始时间", "通话时长"],
        [["13800000001", "13800000001", "13900000002", "MOC", T, 60],
         ["13800000001", "13900000003", "13800000001", "MTC", "2026-11-28 10:00:00", 30]],
    )  # fmt: skip
    con = _loaded(calls)
    pairs = con.sql("SELECT phone, opposite, ctype FROM calls_clean ORDER BY ts").fetchall()
    con.close()
    assert pairs == [("13800000001", "13900000002", 1), ("13800000001", "13900000003", 2)]


def _loaded(*calls: Path) -> duckdb.DuckDBPyConnection:
    from fanzha.screening.numbers import features as F

    con = F.connect(memory_limit="256MB", threads=1)
    F.build(con, F.Sources(list(calls), [], [], []))
    return con


def test_it_reads_china_telecom_style_english_headers(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["calling_nbr", "called_nbr", "start_time", "duration"],
        [["13800000001", "13900000002", T, 60]],
    )
    report, rows = build_features(calls=[calls])
    assert rows["13800000001"]["voccalltype1"] == 1 and report["edges"] == 1
    billed = write_csv(
        tmp_path / "b.csv",
        ["acc_nbr", "opp_nbr", "call_type", "start_time", "duration"],
        [["13800000001", "13900000002", "MO", T, 60]],
    )
    _, rows = build_features(calls=[billed])
    assert rows["13800000001"]["opposite_count"] == 1


# ---------------------------------------------------------------- UTF-16 without a byte-order mark

_TABBED = "本机号码\t对端号码\t呼叫类型\t通话开始时间\t通话时长\r\n" + "".join(
    f"1380000000{i}\t1390000000{i % 3}\t{('被叫', '主叫')[i % 2]}\t2026-11-28 0{i}:00:00\t{60 + i}\r\n"
    for i in range(6)
)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text", [_TABBED, _TABBED.replace("本机号码", "phone").replace("对端号码", "opposite")]
)
def test_it_detects_utf16_without_a_byte_order_mark(tmp_path: Path, codec: str, text: str) -> None:
    utf8, wide = tmp_path / "c8.txt", tmp_path / "c16.txt"
    utf8.write_text(text, encoding="utf-8")
    wide.write_bytes(text.encode(codec))  # no BOM
    _, expected = build_features(calls=[utf8])
    report, rows = build_features(calls=[wide])
    assert rows == expected and len(rows) == 6
    assert any("UTF-16" in n and "BOM" in n for n in report["notes"]), report["notes"]


def test_it_does_not_take_a_plain_file_for_bomless_utf16() -> None:
    assert inputs.bomless_utf16(b"phone,opposite\n13800000001,1390000\x0000\n") is None
    assert inputs.bomless_utf16("本机号码,对端号码\n".encode("gbk")) is None
    assert inputs.bomless_utf16("号码".encode("utf-16-le")) is None  # no NUL at all: too little to tell
    assert inputs.bomless_utf16("phone,opposite\n".encode("utf-16-le")) == "utf-16-le"
    assert inputs.bomless_utf16("phone,opposite\n".encode("utf-16-be")) == "utf-16-be"


# ---------------------------------------------------------------- 12-hour clocks


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-11-28 09:05:03 PM", "2026-11-28 21:05:03"), ("2026-11-28 09:05:03 AM", "2026-11-28 09:05:03"),
     ("2026-11-28 12:05:03 AM", "2026-11-28 00:05:03"), ("2026-11-28 12:05:03 PM", "2026-11-28 12:05:03"),
     ("2026/11/28 9:05 pm", "2026-11-28 21:05:00"), ("11/28/2026 9:05:03 PM", "2026-11-28 21:05:03"),
     ("2026/11/28 下午 09:05:03", "2026-11-28 21:05:03"), ("2026-11-28 上午9:05:03", "2026-11-28 09:05:03"),
     ("2026年11月28日 下午9:05", "2026-11-28 21:05:00"), ("2026-11-28 21:05:03", "2026-11-28 21:05:03")],
)  # fmt: skip
def test_it_reads_a_twelve_hour_clock(raw: str, expected: str) -> None:
    got = sql_value(inputs.TIME_SQL.format(x="x"), raw)
    assert got is not None and got.strftime("%Y-%m-%d %H:%M:%S") == expected


def test_it_refuses_an_impossible_twelve_hour_time() -> None:
    assert sql_value(inputs.TIME_SQL.format(x="x"), "2026-11-28 13:05:03 AM") is None  # counted as bad_time


# ---------------------------------------------------------------- epoch numbers from float columns


@pytest.mark.parametrize("raw", ["1795828110.0", "1795828110000.0", "1795828110.000"])
def test_it_reads_epoch_numbers_written_as_floats(raw: str) -> None:
    got = sql_value(inputs.TIME_SQL.format(x="x"), raw)
    assert got is not None and got.strftime("%Y-%m-%d %H:%M:%S") == "2026-11-28 09:08:30"


def test_it_reads_a_double_epoch_column_of_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    duckdb.sql(
        "COPY (SELECT 13800000001 AS phone_no_m, 13900000002 AS opposite_no_m, 1 AS calltype_id, "
        f"1795828110.0::DOUBLE AS start_datetime, 60 AS call_dur) TO '{path}' (FORMAT parquet)"
    )
    report, rows = build_features(calls=[path])
    assert report["calls"]["bad_time"] == 0 and rows["13800000001"]["voc_hour_mode"] == 9


# ---------------------------------------------------------------- units in the header


def test_it_converts_durations_given_in_milliseconds_or_minutes(tmp_path: Path) -> None:
    header = ["本机号码", "对端号码", "呼叫类型", "开始时间"]
    ms = write_csv(
        tmp_path / "ms.csv", [*header, "通话时长(毫秒)"], [["13800000001", "13900000002", 1, T, 83000]]
    )
    mins = write_csv(
        tmp_path / "m.csv", [*header, "时长（分钟）"], [["13800000003", "13900000002", 1, T, "1.5"]]
    )
    clock = write_csv(
        tmp_path / "c.csv", [*header, "通话时长(毫秒)"], [["13800000004", "13900000002", 1, T, "00:01:23"]]
    )
    report, rows = build_features(calls=[ms, mins, clock])
    assert rows["13800000001"]["call_dur_max"] == 83 and rows["13800000003"]["call_dur_max"] == 90
    assert rows["13800000004"]["call_dur_max"] == 83  # a clock value carries its own unit
    assert any("毫秒" in n for n in report["notes"]) and any("分钟" in n for n in report["notes"])


def test_it_converts_a_numeric_duration_column_in_milliseconds(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    duckdb.sql(
        "COPY (SELECT '13800000001' AS msisdn, '13900000002' AS other_party, 'MO' AS call_type, "
        f"TIMESTAMP '{T}' AS start_time, 83000 AS \"duration(ms)\") TO '{path}' (FORMAT parquet)"
    )
    _, rows = build_features(calls=[path])
    assert rows["13800000001"]["call_dur_max"] == 83


def test_it_converts_traffic_and_spending_by_their_header_units(tmp_path: Path) -> None:
    apps = write_csv(
        tmp_path / "a.csv",
        ["用户号码", "业务名称", "流量(KB)", "月份"],
        [["13800000001", "微信", 2048, "2026-11"], ["13800000001", "抖音", "1,024", "2026-11"],
         ["13800000001", "快手", "1GB", "2026-11"]],
    )  # fmt: skip
    fen = write_csv(
        tmp_path / "p.csv", ["计费号码", "月份", "消费金额(分)"], [["13800000001", "2026-11", 5800]]
    )
    raw = write_csv(
        tmp_path / "b.csv",
        ["用户号码", "业务名称", "流量(字节)", "月份"],
        [["13800000002", "微信", 1048576, "2026-11"]],
    )
    report, rows = build_features(apps=[apps, raw], spending=[fen])
    assert rows["13800000001"]["flow_sum"] == 2 + 1 + 1024 and rows["13800000001"]["arpu_sum"] == 58
    assert rows["13800000002"]["flow_sum"] == 1
    assert any("KB" in n for n in report["notes"]) and any("分" in n and "元" in n for n in report["notes"])


def test_it_keeps_seconds_megabytes_and_yuan_as_they_are(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv", ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长(秒)"],
        [["13800000001", "13900000002", 1, T, 83]],
    )  # fmt: skip
    fen = write_csv(
        tmp_path / "p.csv", ["计费号码", "月份", "消费金额（元）"], [["13800000001", "2026-11", 58]]
    )
    report, rows = build_features(calls=[calls], spending=[fen])
    assert rows["13800000001"]["call_dur_max"] == 83 and rows["13800000001"]["arpu_sum"] == 58
    assert report["notes"] == []


def test_it_says_when_a_header_unit_is_unknown(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv", ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长(周)"],
        [["13800000001", "13900000002", 1, T, 83]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    assert rows["13800000001"]["call_dur_max"] == 83
    assert any("通话时长(周)" in n and "无法识别" in n for n in report["notes"]), report["notes"]


# ---------------------------------------------------------------- impossible durations


def test_it_reports_a_call_longer_than_a_day_and_keeps_it_out_of_duration_statistics(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["phone_no_m", "opposite_no_m", "calltype_id", "start_datetime", "call_dur"],
        [["13800000001", "13900000002", 1, T, 99999999], ["13800000001", "13900000003", 1, T, 60],
         ["13800000001", "13900000004", 1, T, 86400]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    a = rows["13800000001"]
    assert report["calls"]["long_duration"] == 1 and "long_duration=1" in report["message"]
    assert (a["opposite_count"], a["call_dur_max"], a["call_dur_min"]) == (3, 86400, 60)


# ---------------------------------------------------------------- features file: signed spelled values


def _features_file(path: Path) -> Path:
    rng = np.random.default_rng(5)
    rows = [[i, f"1380000000{i}", *(round(float(v), 3) for v in rng.uniform(1, 50, len(FEATURE_NAMES)))]
            for i in range(4)]  # fmt: skip
    return write_csv(path, ["node_id", "phone_no_m", *FEATURE_NAMES], rows)


def _cell(f: Path, row: int, values: dict[str, str]) -> None:
    with f.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for name, value in values.items():
        rows[row + 1][rows[0].index(name)] = value
    write_csv(f, rows[0], rows[1:])


def test_it_reads_a_negative_spending_amount_with_thousands_separators(tmp_path: Path) -> None:
    from fanzha.screening.numbers.model import load_table

    f = _features_file(tmp_path / "f.csv")
    _cell(f, 0, {"arpu_sum": "-1,234", "arpu_min": "－１，２３４.５", "call_dur_mean": "-1,200"})
    _cell(f, 1, {"arpu_sum": "-12,34", "arpu_mean": "--1,234"})
    table = load_table(f)
    assert table.column("arpu_sum")[0] == -1234 and table.column("arpu_min")[0] == -1234.5
    assert np.isnan(table.column("call_dur_mean")[0])  # cannot be negative: stays missing
    assert np.isnan(table.column("arpu_sum")[1]) and np.isnan(table.column("arpu_mean")[1])
    spelled = next(n for n in table.notes if "千位分隔符" in n)
    assert "arpu_sum 1 个" in spelled and "arpu_min 1 个" in spelled
    text = next(n for n in table.notes if "不是数字" in n)
    assert "call_dur_mean 1 个" in text and "arpu_sum 1 个（如 “-12,34”）" in text


def test_the_cli_writes_the_same_features_whether_or_not_units_are_named(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    plain = write_csv(
        tmp_path / "p.csv", ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长"],
        [["13800000001", "13900000002", "主叫", T, 83]],
    )  # fmt: skip
    ms = write_csv(
        tmp_path / "m.csv", ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长（毫秒）"],
        [["13800000001", "13900000002", "主叫", T, 83000]],
    )  # fmt: skip
    for src, out in ((plain, "a.csv"), (ms, "b.csv")):
        assert main(["features", "--calls", str(src), "--output", str(tmp_path / out)]) == 0
    err = capsys.readouterr().err
    assert "毫秒" in err and "Traceback" not in err
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


# ---------------------------------------------------------------- SMS extracts with caller / callee columns


def test_it_reads_an_sms_extract_with_caller_and_callee_columns(tmp_path: Path) -> None:
    sms = write_csv(
        tmp_path / "s.csv", ["主叫号码", "被叫号码", "发送时间"], [["13800000001", "13900000002", T]]
    )
    _, rows = build_features(sms=[sms])
    assert (rows["13800000001"]["sms_count"], rows["13800000001"]["calltype_2"]) == (1, 0)
    assert rows["13900000002"]["calltype_2"] == 1


def test_it_takes_the_receiver_as_the_subscriber_of_a_received_sms(tmp_path: Path) -> None:
    sms = write_csv(
        tmp_path / "s.csv",
        ["主叫号码", "被叫号码", "短信类型", "发送时间"],
        [["13800000001", "13900000002", "上行短信", T], ["13900000003", "13800000001", "下行短信", T],
         ["13800000001", "13900000004", "发出", T]],
    )  # fmt: skip
    report, rows = build_features(sms=[sms])
    assert set(rows) == {"13800000001"} and report["sms"]["bad_sms_type"] == 0
    a = rows["13800000001"]
    assert (a["sms_count"], a["sms_nunique"], a["calltype_2"]) == (3, 3, 1)


# ---------------------------------------------------------------- months spelled differently


def test_it_counts_a_month_once_however_it_is_spelled(tmp_path: Path) -> None:
    header = ["用户号码", "业务名称", "流量", "月份"]
    a = write_csv(tmp_path / "a.csv", header, [["13800000001", "微信", 10, "202611"]])
    b = write_csv(
        tmp_path / "b.csv", header,
        [["13800000001", "抖音", 10, "2026-11"], ["13800000001", "微信", 20, "2026年11月"],
         ["13800000001", "微信", 10, "2026/10"]],
    )  # fmt: skip
    spend = write_csv(
        tmp_path / "p.csv", ["计费号码", "账期", "消费金额"],
        [["13800000001", "202611", 50], ["13800000001", "2026-11", 50], ["13800000001", "2026-10", 20]],
    )  # fmt: skip
    _, rows = build_features(apps=[a, b], spending=[spend])
    r = rows["13800000001"]
    assert r["month_ids"] == 2 and r["flow_month"] == (10 + 10 + 20 + 10) / 2
    assert r["arpu_sum"] == 70 and r["arpu_max"] == 50  # one month of 50 (its two records averaged)


# ---------------------------------------------------------------- missing counterparts


def test_it_does_not_count_missing_counterparts_as_one_counterpart(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["phone_no_m", "opposite_no_m", "calltype_id", "start_datetime", "call_dur"],
        [["13800000001", "", 1, f"2026-11-28 09:0{i}:00", 10] for i in range(3)]
        + [["13800000001", "13900000002", 1, T, 10], ["13800000009", "NULL", 1, T, 10]],
    )
    report, rows = build_features(calls=[calls])
    a, b = rows["13800000001"], rows["13800000009"]
    assert report["calls"]["missing_opposite"] == 4 and a["opposite_count"] == 4
    assert (a["opposite_unique"], a["phone2opposite_max"], a["phone2opposite_mean"]) == (1, 1, 1)
    assert b["opposite_count"] == 1 and b["opposite_unique"] == 0 and b["phone2opposite_max"] is None


# ---------------------------------------------------------------- blank lines before the header


def test_it_reads_a_file_whose_header_follows_blank_lines(tmp_path: Path) -> None:
    calls = tmp_path / "c.csv"
    calls.write_text(
        "\r\n" * 12 + "phone_no_m,opposite_no_m,calltype_id,start_datetime,call_dur\r\n"
        f"13800000001,13900000002,1,{T},10\r\n",
        encoding="utf-8",
    )
    report, rows = build_features(calls=[calls])
    assert set(rows) == {"13800000001"} and not any("空文件" in n for n in report["notes"])
    blank = tmp_path / "blank.csv"
    blank.write_text(" \n" * 5000, encoding="utf-8")  # longer than the first block, still blank
    report, rows = build_features(calls=[blank])
    assert rows == {} and any("空文件" in n for n in report["notes"])


# ---------------------------------------------------------------- VoLTE (IMS) numbers, worded call types


@pytest.mark.parametrize(
    ("raw", "number"),
    [("tel:13812345678", "13812345678"), ("tel:+8613812345678", "13812345678"),
     ("sip:+8613812345678@ims.mnc000.mcc460.3gppnetwork.org", "13812345678"),
     ("SIP:13812345678@10.0.0.1;user=phone", "13812345678"), ("tel:+86-571-88886666", "057188886666"),
     ("sip:a3f9c2@example.org", "a3f9c2"), ("a3f9c2", "a3f9c2")],
)  # fmt: skip
def test_it_reads_ims_numbers_as_the_numbers_they_are(raw: str, number: str) -> None:
    from fanzha.screening.numbers import features as F

    assert sql_value(F._number_sql("x"), raw) == number


@pytest.mark.parametrize(
    ("raw", "code"), [("主叫通话", 1), ("呼出通话", 1), ("被叫通话", 2), ("呼入通话", 2), ("呼转通话", 3)]
)
def test_it_reads_call_types_worded_with_a_suffix(raw: str, code: int) -> None:
    assert sql_value(inputs.CALL_TYPE_SQL.format(x="x"), raw) == code


def test_it_scores_a_features_file_in_utf16_without_a_byte_order_mark(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = _features_file(tmp_path / "f.csv")
    assert main(["score", "--features", str(f), "--output", str(tmp_path / "a.csv")]) == 0
    wide = tmp_path / "f16.txt"
    wide.write_bytes(f.read_text(encoding="utf-8").replace(",", "\t").encode("utf-16-le"))
    assert main(["score", "--features", str(wide), "--output", str(tmp_path / "b.csv")]) == 0
    assert "没有 BOM" in capsys.readouterr().err
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


# ---------------------------------------------------------------- handsets (IMEI) as Excel writes them


def test_it_does_not_merge_handsets_excel_wrote_in_scientific_notation(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长", "IMEI"],
        [["13800000001", "13900000002", "主叫", T, 10, "8.61235E+14"],  # 861234567890123, digits lost
         ["13800000001", "13900000003", "主叫", T, 10, "8.61235E+14"],  # another handset, same display
         ["13800000001", "13900000004", "主叫", T, 10, "861234567890123.0"],  # a float column's
         ["13800000001", "13900000005", "主叫", T, 10, "861234567890123"],
         ["13800000001", "13900000006", "主叫", T, 10, "8.61234567890124E+14"]],  # all digits present
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    assert rows["13800000001"]["imeis"] == 2  # 861234567890123 and 861234567890124; the lossy ones unknown
    assert report["calls"]["lossy_imei"] == 2 and "lossy_imei=2" in report["message"]


def test_it_reads_more_start_time_headers(tmp_path: Path) -> None:
    for i, name in enumerate(["通话起始时间", "呼叫开始时间", "call_start_time"]):
        calls = write_csv(
            tmp_path / f"c{i}.csv",
            ["本机号码", "对端号码", "呼叫类型", name, "通话时长"],
            [["13800000001", "13900000002", "主叫", T, 10]],
        )
        _, rows = build_features(calls=[calls])
        assert rows["13800000001"]["voc_hour_mode"] == 9, name


def test_it_reads_calling_nbr_called_nbr_with_a_call_type_from_the_subscribers_side(tmp_path: Path) -> None:
    # A subscriber-view bill with English caller/callee headers beside a type column: the incoming
    # record's caller is the counterpart, not a subscriber.
    calls = write_csv(
        tmp_path / "c.csv",
        ["calling_nbr", "called_nbr", "call_type", "start_time", "duration"],
        [["13800000001", "13900000002", "MO", T, 60],
         ["13900000003", "13800000001", "MT", "2026-11-28 10:00:00", 30]],
    )  # fmt: skip
    _, rows = build_features(calls=[calls])
    assert set(rows) == {"13800000001"}, sorted(rows)
    assert rows["13800000001"]["voccalltype1"] == 1


def test_it_reads_chinese_caller_callee_sms_with_a_type_from_the_subscribers_side(tmp_path: Path) -> None:
    sms = write_csv(
        tmp_path / "s.csv",
        ["主叫号码", "被叫号码", "短信类型", "发送时间"],
        [["13800000001", "13900000002", "发送", T],
         ["13900000003", "13800000001", "接收", "2026-11-28 10:00:00"]],
    )  # fmt: skip
    _, rows = build_features(sms=[sms])
    assert set(rows) == {"13800000001"}, sorted(rows)
