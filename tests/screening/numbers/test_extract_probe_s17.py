"""Operator extracts as Chinese operators export them (probe s17): defects found and fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanzha.screening.numbers import inputs
from tests.screening.numbers.conftest import build_features, sql_value, write_csv

T = "2026-11-28 09:05:03"
SUBSCRIBER = ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长"]


def _time(raw: str) -> str | None:
    got = sql_value(inputs.TIME_SQL.format(x="x"), raw)
    return None if got is None else got.strftime("%Y-%m-%d %H:%M:%S")


# ---------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-11-28 09:05:00 +0800", "2026-11-28 09:05:00"),
     ("2026-11-28 09:05:00 +08:00", "2026-11-28 09:05:00"),
     ("2026-11-28 01:05:00 Z", "2026-11-28 09:05:00"), ("2026-11-28 09:05:00 +08", "2026-11-28 09:05:00"),
     ("2026/11/28 09:05:00 +0800", "2026-11-28 09:05:00"),
     ("2026-11-28 09:05:00.000000 +08:00", "2026-11-28 09:05:00"),
     ("2026-11-28 02:05:00 +01:00", "2026-11-28 09:05:00")],
)  # fmt: skip
def test_it_reads_a_time_zone_offset_after_a_space(raw: str, expected: str) -> None:
    assert _time(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("２０２６-１１-２８ ０９:０５:００", "2026-11-28 09:05:00"),
     ("２０２６年１１月２８日 ０９：０５：００", "2026-11-28 09:05:00"),
     ("2026年11月28日9时5分0秒", "2026-11-28 09:05:00"), ("2026年11月28日09:05:00", "2026-11-28 09:05:00"),
     ("2026/11/28 09时05分03秒", "2026-11-28 09:05:03"), ("2026-11-28 9时5分", "2026-11-28 09:05:00"),
     ("2026.11.28 09:05", "2026-11-28 09:05:00")],
)  # fmt: skip
def test_it_reads_full_width_and_chinese_clock_times(raw: str, expected: str) -> None:
    assert _time(raw) == expected


def test_it_joins_a_date_column_and_a_six_digit_or_chinese_time_of_day(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["本机号码", "对端号码", "呼叫类型", "通话日期", "通话时间", "通话时长"],
        [["13800000001", "13900000002", "主叫", "20261128", "090503", 83],
         ["13800000001", "13900000003", "主叫", "2026-11-28", "090503", 83],
         ["13800000001", "13900000004", "主叫", "2026/11/28", "09时05分03秒", 83],
         ["13800000001", "13900000005", "主叫", "2026年11月28日", "9:05:03", 83]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    assert report["calls"]["bad_time"] == 0
    assert (rows["13800000001"]["voc_hour_mode"], rows["13800000001"]["voc_hour_mode_count"]) == (9, 4)


# ---------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("１２３", 123), ("83,000", 83000), ("1,234.5", 1234.5), ("83，000", 83000), ("１分２３秒", 83),
     ("００:０１:２３", 83), ("1分钟23秒", 83), ("1小時2分鐘3秒", 3723), ("12,34", None), ("1,2345", None)],
)  # fmt: skip
def test_it_reads_full_width_digits_and_thousands_separators_in_durations(
    raw: str, seconds: float | None
) -> None:
    assert sql_value(inputs.duration_sql("x"), raw) == seconds


def test_a_header_unit_applies_to_a_duration_with_thousands_separators(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长(毫秒)"],
        [["13800000001", "13900000002", "主叫", T, "83,000"],
         ["13800000001", "13900000003", "主叫", T, "８３０００"]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls])
    assert report["calls"]["bad_duration"] == 0 and rows["13800000001"]["call_dur_max"] == 83
    assert rows["13800000001"]["call_dur_min"] == 83


# ---------------------------------------------------------------- UTF-32 without a byte-order mark

_TEXT = "本机号码,对端号码,呼叫类型,开始时间,通话时长\n" + "".join(
    f"1380000000{i},1390000000{i % 3},{('被叫', '主叫')[i % 2]},2026-11-28 0{i}:00:00,{60 + i}\n"
    for i in range(6)
)


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_it_detects_utf32_without_a_byte_order_mark(tmp_path: Path, codec: str) -> None:
    utf8, wide = tmp_path / "c8.csv", tmp_path / "c32.csv"
    utf8.write_text(_TEXT, encoding="utf-8")
    wide.write_bytes(_TEXT.encode(codec))
    _, expected = build_features(calls=[utf8])
    report, rows = build_features(calls=[wide])
    assert rows == expected and len(rows) == 6
    assert any("UTF-32" in n and "BOM" in n for n in report["notes"]), report["notes"]


def test_it_does_not_take_utf16_or_plain_text_for_bomless_utf32() -> None:
    assert inputs.bomless_utf32("phone,opposite\n".encode("utf-16-le")) is None
    assert inputs.bomless_utf32(b"phone,opposite\n") is None
    assert inputs.bomless_utf32("号码,对端\n".encode("utf-32-le")) == "utf-32-le"
    assert inputs.bomless_utf32("phone\n".encode("utf-32-be")) == "utf-32-be"


# ---------------------------------------------------------------- 主叫号码 / 被叫号码 with a type

PAIR = ["主叫号码", "被叫号码", "呼叫类型", "通话开始时间", "通话时长"]
S = "13800000001"


def _bill(
    tmp_path: Path, forwarded: list[str], name: str = "c.csv", out: str = "主叫", inc: str = "被叫"
) -> Path:
    """One subscriber's bill: two outgoing, two incoming calls and one forwarded call (``forwarded``)."""
    rows = [
        [S, "13900000002", out, T, 60],
        [S, "13900000003", out, "2026-11-28 09:10:00", 60],
        ["13700000004", S, inc, "2026-11-28 10:00:00", 30],
        ["13700000005", S, inc, "2026-11-28 10:05:00", 30],
    ]
    forward = [*forwarded, "呼转", "2026-11-28 11:00:00", 20]
    return write_csv(tmp_path / name, PAIR, [*rows, forward])


def test_a_forwarded_record_listing_the_original_call_is_the_callees(tmp_path: Path) -> None:
    # 呼转 record of the call 13600000006 → subscriber, forwarded: the subscriber is the 被叫号码
    report, rows = build_features(calls=[_bill(tmp_path, ["13600000006", S])])
    assert set(rows) == {S}, sorted(rows)
    assert (rows[S]["opposite_count"], rows[S]["calltype_id_unique"]) == (5, 3)
    assert any("呼转" in n and "被叫号码" in n for n in report["notes"]), report["notes"]


def test_a_forwarded_record_listing_the_forwarding_leg_stays_the_callers(tmp_path: Path) -> None:
    # 呼转 record of the leg the subscriber's line places to the forwarded-to number (billed to it)
    report, rows = build_features(calls=[_bill(tmp_path, [S, "13600000006"])])
    assert set(rows) == {S} and rows[S]["calltype_id_unique"] == 3
    assert not any("呼转" in n for n in report["notes"])


def test_a_forwarded_record_beside_a_subscriber_column_is_no_self_call(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["用户号码", *PAIR],
        [[S, S, "13900000002", "主叫", T, 60], [S, "13600000006", S, "呼转", T, 20]],
    )
    con = _loaded(calls)
    pairs = con.sql("SELECT phone, opposite, ctype FROM calls_clean ORDER BY ctype").fetchall()
    con.close()
    assert pairs == [(S, "13900000002", 1), (S, "13600000006", 3)]


@pytest.mark.parametrize(("out", "inc"), [("0", "1"), ("1", "0")])
def test_a_zero_one_coding_beside_caller_and_callee_columns_is_read_from_the_subscribers_side(
    tmp_path: Path, out: str, inc: str
) -> None:
    coded = _bill(tmp_path, [S, "13600000006"], "coded.csv", out, inc)
    worded = _bill(tmp_path, [S, "13600000006"], "worded.csv")
    _, expected = build_features(calls=[worded])
    report, rows = build_features(calls=[coded])
    assert rows == expected and set(rows) == {S}
    assert report["calls"]["ambiguous_call_type"] == 0
    assert any(f"{out} 为主叫" in n for n in report["notes"]), report["notes"]


def test_an_undecidable_zero_one_coding_is_read_by_its_caller_and_callee_columns(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        PAIR,
        [["13800000001", "13900000002", "0", T, 60], ["13800000003", "13900000004", "1", T, 30]],
    )
    report, rows = build_features(calls=[calls])
    assert set(rows) == {"13800000001", "13900000002", "13800000003", "13900000004"}
    assert rows["13800000001"]["voccalltype1"] == 1 and rows["13900000002"]["voccalltype1"] is None
    assert report["calls"]["ambiguous_call_type"] == 0 and report["edges"] == 2
    assert any("0/1" in n and "主叫号码" in n for n in report["notes"]), report["notes"]


def _loaded(*calls: Path):  # noqa: ANN202
    from fanzha.screening.numbers import features as F

    con = F.connect(memory_limit="256MB", threads=1)
    F.build(con, F.Sources(list(calls), [], [], []))
    return con


# ---------------------------------------------------------------- China Mobile's 详单, worded call types


def test_it_reads_a_china_mobile_itemised_bill(tmp_path: Path) -> None:
    calls = write_csv(
        tmp_path / "c.csv",
        ["手机号码", "起始时间", "通信地点", "通信方式", "对方号码", "通信时长", "通信类型"],
        [[S, T, "成都", "主叫", "13900000002", "1分23秒", "本地"],
         [S, "2026-11-28 10:00:00", "绵阳", "被叫", "13900000003", "00:00:30", "国内长途"]],
    )  # fmt: skip
    sms = write_csv(
        tmp_path / "s.csv",
        ["手机号码", "起始时间", "通信地点", "对方号码", "通信方式", "信息类型"],
        [[S, T, "成都", "13900000002", "发送", "短信"], [S, T, "成都", "13900000003", "接收", "短信"]],
    )  # fmt: skip
    report, rows = build_features(calls=[calls], sms=[sms])
    a = rows[S]
    assert (a["opposite_count"], a["voccalltype1"], a["call_dur_max"], a["city_name_nunique"]) == (
        2,
        1,
        83,
        2,
    )
    assert (a["sms_count"], a["calltype_2"]) == (2, 1) and report["calls"]["bad_call_type"] == 0


@pytest.mark.parametrize(
    ("raw", "code"),
    [("本地主叫", 1), ("漫游主叫", 1), ("国内长途主叫", 1), ("去电", 1), ("拨出", 1), ("长途被叫", 2),
     ("漫游被叫", 2), ("来电", 2), ("未接来电", 2), ("呼叫前转", 3), ("无条件呼转", 3), ("呼叫转移", 3),
     ("主叫呼转", 3), ("国内长途", None), ("本地", None)],
)  # fmt: skip
def test_it_reads_call_types_worded_with_a_qualifier(raw: str, code: int | None) -> None:
    assert sql_value(inputs.CALL_TYPE_SQL.format(x="x"), raw) == code


# ---------------------------------------------------------------- IP-dialling prefixes


@pytest.mark.parametrize(
    ("raw", "number"),
    [("1795113800138000", "13800138000"), ("12593 13800138000", "13800138000"),
     ("17911-02812345678", "02812345678"), ("1790913800138000", "13800138000"),
     ("10193 13800138000", "13800138000"), ("125201380013800", "125201380013800"),
     ("17951", "17951"), ("12593", "12593"), ("0086 13800138000", "13800138000"),
     ("+86 138-0013-8000", "13800138000"), ("028-12345678", "02812345678"), ("95588", "95588")],
)  # fmt: skip
def test_it_drops_an_ip_dialling_prefix(raw: str, number: str) -> None:
    from fanzha.screening.numbers import features as F

    assert sql_value(F._number_sql("x"), raw) == number
