"""Per-number features in DuckDB SQL: exact values on hand-made records, bad input, empty input."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from fanzha.screening.numbers import features as F
from tests.screening.numbers.conftest import build_features, write_csv

CALL_HEADER = ["phone", "opposite", "call_type", "start_time", "duration", "city", "county", "imei"]


@pytest.fixture
def calls(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "calls.csv",
        CALL_HEADER,
        [
            ["+86 138-0000-0001", "13900000002", 1, "2020-01-01 10:00:00", 5, "成都", "锦江", "I1"],
            ["13800000001", "13900000002", 1, "2020-01-01 10:05:00", 7, "成都", "锦江", "I1"],
            ["13800000001", "0086 13900000003", 1, "2020-01-02 10:05:00", 30, "绵阳", "涪城", "I2"],
            ["13800000001", "028-12345678", 2, "2020-01-02 11:00:00", 100, "成都", "武侯", "I1"],
            ["13800000001", "13900000003", 1, "not a time", -3, "成都", "锦江", "I1"],
            ["13900000002", "13800000001", 2, "2020-01-01 10:00:00", 5, "成都", "锦江", "J1"],
        ],
    )


def test_it_computes_call_features_exactly(tmp_path: Path, calls: Path) -> None:
    _, rows = build_features(calls=[calls])
    a = rows["13800000001"]
    expected = {
        "opposite_count": 5, "opposite_unique": 3, "voccalltype1": 4, "imeis": 2, "voc_calltype1": 0.8,
        "city_name_call": 2, "county_name_call": 2, "phone2opposite_mean": 5 / 3, "phone2opposite_median": 2,
        "phone2opposite_max": 2, "phone2oppo_sum_mean": 142 / 3, "phone2oppo_sum_median": 30,
        "phone2oppo_sum_max": 100, "call_dur_mean": 35.5, "call_dur_median": 18.5, "call_dur_max": 100,
        "call_dur_min": 5, "city_name_nunique": 2, "county_name_nunique": 3, "calltype_id_unique": 2,
        "voc_hour_mode": 10, "voc_hour_mode_count": 3, "voc_hour_nunique": 2, "voc_day_mode": 1,
        "voc_day_mode_count": 2, "voc_day_nunique": 2, "short_call_share": 0.5, "callback_rate": 0.0,
        "busi_count": 0, "month_ids": 0,
    }  # fmt: skip
    for name, value in expected.items():
        assert a[name] == pytest.approx(value), name
    assert a["sms_count"] is None and a["flow_month"] is None  # no SMS / traffic records: blank as in Sichuan


def test_it_leaves_outgoing_only_features_blank_without_outgoing_calls(tmp_path: Path, calls: Path) -> None:
    _, rows = build_features(calls=[calls])
    b = rows["13900000002"]
    assert b["opposite_count"] == 1 and b["voccalltype1"] is None and b["imeis"] is None


def test_it_normalises_numbers_in_mixed_formats(tmp_path: Path, calls: Path) -> None:
    _, rows = build_features(calls=[calls])
    assert set(rows) == {"13800000001", "13900000002"}  # "+86 138-0000-0001" is the same subscriber
    con = F.connect()
    got = [
        con.execute(f"SELECT {F._number_sql('x')} FROM (SELECT ? AS x)", [raw]).fetchall()[0][0]  # noqa: S608
        for raw in [
            "+86 138 0000 0001",
            "0086-13800000001",
            "013800000001",
            "028-1234 5678",
            "+86 28 12345678",
            "ABC12",
        ]
    ]
    con.close()
    assert got == ["13800000001", "13800000001", "13800000001", "02812345678", "02812345678", "abc12"]


def test_it_counts_duplicates_across_files_once(tmp_path: Path, calls: Path) -> None:
    again = write_csv(
        tmp_path / "calls2.csv",
        CALL_HEADER,
        [["13800000001", "13900000002", 1, "2020-01-01 10:05:00", 7, "成都", "锦江", "I1"]],
    )
    report, rows = build_features(calls=[calls, again])
    assert report["calls"]["records"] == 7 and report["calls"]["duplicates"] == 1
    assert rows["13800000001"]["opposite_count"] == 5


def test_it_reports_bad_times_and_negative_durations_without_dropping(tmp_path: Path, calls: Path) -> None:
    report, rows = build_features(calls=[calls])
    assert report["calls"]["bad_time"] == 1 and report["calls"]["negative_duration"] == 1
    assert "bad_time=1" in report["message"] and "negative_duration=1" in report["message"]
    assert rows["13800000001"]["opposite_count"] == 5  # the bad record still counts as a call


def test_it_names_missing_columns(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "c.csv", ["phone", "opposite", "start_time"], [["1", "2", "2020-01-01"]])
    with pytest.raises(F.InputError, match="duration") as err:
        build_features(calls=[bad])
    assert "call_type" in str(err.value)


def test_it_gives_an_empty_result_with_a_message_for_an_empty_extract(tmp_path: Path) -> None:
    empty = write_csv(tmp_path / "c.csv", CALL_HEADER, [])
    report, rows = build_features(calls=[empty])
    assert rows == {} and report["numbers"] == 0 and "为空" in report["message"]


def test_it_computes_sms_traffic_and_spending_features(tmp_path: Path) -> None:
    sms = write_csv(
        tmp_path / "sms.csv",
        ["phone_no_m", "opposite_no_m", "calltype_id", "request_datetime"],
        [["13800000001", "106900", 2, "2020-01-01 09:00:00"],
         ["13800000001", "106900", 2, "2020-01-01 09:30:00"],
         ["13800000001", "13900000009", 1, "2020-01-03 20:00:00"]],
    )  # fmt: skip
    apps = write_csv(
        tmp_path / "app.csv", ["phone_no_m", "busi_name", "flow", "month_id"],
        [["13800000001", "微信", 10, "2020-01"], ["13800000001", "抖音", 30, "2020-01"], ["13800000001",
            "微信", 20, "2020-02"]],
    )  # fmt: skip
    spend = write_csv(
        tmp_path / "spend.csv", ["phone", "month", "arpu"],
        [["13800000001", "2020-01", 10], ["13800000001", "2020-02", 10], ["13800000001", "2020-03", 40]],
    )  # fmt: skip
    _, rows = build_features(sms=[sms], apps=[apps], spending=[spend])
    a = rows["13800000001"]
    assert (a["sms_count"], a["sms_nunique"], a["calltype_2"]) == (3, 2, 2)
    assert a["sms_rate"] == 1.5 and a["calltype_rate"] == pytest.approx(2 / 3)
    assert (a["hour_mode"], a["hour_mode_count"], a["hour_nunique"]) == (9, 2, 2)
    assert (a["day_mode"], a["day_mode_count"], a["day_nunique"]) == (1, 2, 2)
    assert (a["busi_count"], a["flow_sum"], a["flow_mean"], a["flow_median"], a["flow_var"]) == (
        3,
        60,
        20,
        20,
        100,
    )
    assert (a["month_ids"], a["flow_month"]) == (2, 30)
    assert (a["arpu_mean"], a["arpu_sum"], a["arpu_median"], a["arpu_quantile"]) == (20, 60, 10, 10)
    assert a["arpu_var"] == 300 and a["arpu_sem"] == pytest.approx(10.0)
    assert a["arpu_skew"] == pytest.approx(math.sqrt(3))  # pandas' adjusted skew of (10, 10, 40)
    assert a["opposite_count"] is None  # no calls


def test_it_writes_features_and_edges_files(tmp_path: Path, calls: Path) -> None:
    report = F.features_from_files(F.Sources([calls], [], [], []), tmp_path / "f.csv", tmp_path / "e.csv")
    header = (tmp_path / "f.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:2] == ["node_id", "phone_no_m"] and header[2:57] == F.FEATURE_NAMES
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").splitlines() == ["src,dst,weight", "0,1,2"]
    assert report["edges"] == 1


def test_it_gives_the_same_result_as_one_portable_query(tmp_path: Path, calls: Path) -> None:
    con = F.connect()
    F.build(con, F.Sources([calls], [], [], []))
    stepwise = con.sql("SELECT * FROM features ORDER BY node_id").fetchall()
    assert con.sql(f"SELECT * FROM ({F.feature_sql()}) q ORDER BY node_id").fetchall() == stepwise  # noqa: S608
    con.close()


def test_it_reads_typed_parquet_columns_as_the_same_values_as_text(tmp_path: Path, calls: Path) -> None:
    con = F.connect()
    typed = tmp_path / "calls.parquet"
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv(?, header=true, all_varchar=true)", [str(calls)]
    )  # times as TIMESTAMP, durations as BIGINT: read without the text round trip
    sql = (
        "COPY (SELECT phone, opposite, call_type, TRY_CAST(start_time AS TIMESTAMP) AS start_time, "
        "TRY_CAST(duration AS BIGINT) AS duration, city, county, imei FROM t) TO '{}' (FORMAT parquet)"
    )
    con.execute(sql.format(typed))
    con.close()
    report_text, text = build_features(calls=[calls])
    report_typed, rows = build_features(calls=[typed])
    assert rows == text and rows["13800000001"]["call_dur_min"] == 5
    assert report_typed["calls"]["records"] == report_text["calls"]["records"] == 6
    assert report_typed["calls"]["negative_duration"] == 1  # still counted, not dropped


def test_it_keeps_the_call_records_readable_with_their_numbers_after_the_build(
    tmp_path: Path, calls: Path
) -> None:
    con = F.connect()
    F.build(con, F.Sources([calls], [], [], []))
    got = con.sql("SELECT phone, opposite, ctype, dur FROM calls ORDER BY ts, phone").fetchall()
    con.close()
    assert got[0] == ("13800000001", "13900000002", 1, 5.0)  # "+86 138-0000-0001", normalised
    assert len(got) == 6
