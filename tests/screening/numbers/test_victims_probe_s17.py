"""Potential victims as an analyst reads them: who is listed, who is not, in which order, and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers.victims import potential_victims, shared_handset_note
from tests.screening.numbers.conftest import write_csv

F1, F2 = "17012340001", "17012340002"  # two high-risk numbers
RISKY = [(F1, 0.95), (F2, 0.90)]
IF1, IF2, IV2 = "861234050000011", "861234050000029", "867654030000037"  # handsets (IMEI)

TWO_NUMBERS = "13800000001"  # called by both high-risk numbers
CALLED_BACK = "13800000002"  # a missed call, then called back twice (long talks)
MISSED = "13800000003"  # one 3-second call from F2 only
SMS_ONLY = "13800000004"
SMS_BULK = "13800000005"  # 30 SMS from F1, nothing else
OWN_SIM = "13800000099"  # F1's other SIM: used in F1's handset
LANDLINE = "02812345678"

CALLS = [
    [F1, TWO_NUMBERS, "2024-03-01 10:00:00", 40, IF1],
    [F1, TWO_NUMBERS, "2024-03-01 11:00:00", 0, IF1],
    [F2, TWO_NUMBERS, "2024-03-02 10:00:00", 120, IF2],
    [F1, CALLED_BACK, "2024-03-01 10:05:00", 0, IF1],
    [CALLED_BACK, F1, "2024-03-01 10:30:00", 200, IV2],
    [CALLED_BACK, F1, "2024-03-01 11:30:00", 500, IV2],
    [F2, MISSED, "2024-03-01 10:06:00", 3, IF2],
    [F1, F2, "2024-03-01 12:00:00", 300, IF1],  # one high-risk number calls another
    [OWN_SIM, "13800000098", "2024-03-01 13:00:00", 60, IF1],  # the other SIM in F1's handset
    [F1, OWN_SIM, "2024-03-01 13:10:00", 30, IF1],
    [F1, "10086", "2024-03-01 14:00:00", 120, IF1],  # service numbers: never victims
    [F1, "95588", "2024-03-01 14:10:00", 60, IF1],
    [F1, "4008123123", "2024-03-01 14:20:00", 60, IF1],
    [F1, "12345", "2024-03-01 14:30:00", 60, IF1],
    [F1, "028-12345678", "2024-03-01 15:00:00", 60, IF1],  # one landline, written two ways
    [F2, "02812345678", "2024-03-01 16:00:00", 60, IF2],
]
SMS = [
    [F1, SMS_ONLY, "2024-03-04 08:00:00"],
    [F1, "1069012345", "2024-03-04 08:00:00"],  # a 106 SMS sender is no subscriber
    ["10690123456789", F1, "2024-03-04 08:00:00"],
    *([F1, SMS_BULK, f"2024-03-04 09:{m:02d}:00"] for m in range(30)),
]


@pytest.fixture
def victims(tmp_path: Path) -> list[dict[str, Any]]:
    calls = write_csv(tmp_path / "calls.csv", ["caller", "callee", "start_time", "duration", "imei"], CALLS)
    sms = write_csv(tmp_path / "sms.csv", ["sender", "receiver", "time"], SMS)
    con = F.connect()
    F.load_raw(con, F.Sources([calls], [sms], [], []))
    try:
        return potential_victims(con, RISKY)
    finally:
        con.close()


def _by_phone(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["phone"]: r for r in rows}


def test_it_lists_only_subscribers_really_contacted(victims: list[dict[str, Any]]) -> None:
    assert set(_by_phone(victims)) == {TWO_NUMBERS, CALLED_BACK, MISSED, SMS_ONLY, SMS_BULK, LANDLINE}


def test_it_never_lists_service_numbers(victims: list[dict[str, Any]]) -> None:
    listed = set(_by_phone(victims))
    assert not listed & {"10086", "95588", "4008123123", "12345", "1069012345", "10690123456789"}


def test_it_does_not_list_a_high_risk_numbers_own_other_sim(victims: list[dict[str, Any]]) -> None:
    assert OWN_SIM not in _by_phone(victims) and F2 not in _by_phone(victims)


def test_the_other_sims_left_out_are_counted_in_words(tmp_path: Path) -> None:
    calls = write_csv(tmp_path / "calls.csv", ["caller", "callee", "start_time", "duration", "imei"], CALLS)
    con = F.connect()
    F.load_raw(con, F.Sources([calls], [], [], []))
    try:
        potential_victims(con, RISKY)
        assert shared_handset_note(con).startswith("另有 1 个号码与高风险号码用过同一部手机")
        potential_victims(con, [(F2, 0.9)])  # F2's handset holds no other number
        assert shared_handset_note(con) == ""
    finally:
        con.close()


def test_one_person_called_by_two_numbers_is_one_row_naming_both(victims: list[dict[str, Any]]) -> None:
    row = _by_phone(victims)[TWO_NUMBERS]
    assert (row["risk_numbers"], row["calls"], row["answered_calls"]) == (2, 3, 2)
    assert row["total_duration"] == 160 and row["longest_call"] == 120
    assert row["suspect_numbers"] == f"{F1}、{F2}"  # highest score first
    assert F1 in row["reasons"] and F2 in row["reasons"]


def test_a_landline_written_two_ways_is_one_person(victims: list[dict[str, Any]]) -> None:
    row = _by_phone(victims)[LANDLINE]
    assert (row["calls"], row["risk_numbers"]) == (2, 2)


def test_call_backs_count_their_talk_time(victims: list[dict[str, Any]]) -> None:
    row = _by_phone(victims)[CALLED_BACK]
    assert (row["calls"], row["callbacks"]) == (1, 2)
    assert row["total_duration"] == 0  # of the calls received
    assert row["callback_duration"] == 700 and row["longest_call"] == 500
    assert "回拨 2 次" in row["reasons"] and "最长通话 8 分 20 秒" in row["reasons"]


def test_a_call_back_ranks_above_a_missed_call_and_above_bulk_sms(victims: list[dict[str, Any]]) -> None:
    order = [r["phone"] for r in victims]
    assert order[0] == CALLED_BACK
    assert order.index(CALLED_BACK) < order.index(MISSED)
    assert order.index(CALLED_BACK) < order.index(SMS_BULK)
    assert [r["grade"] for r in victims] == sorted(
        (r["grade"] for r in victims), key=["high", "medium", "low"].index
    )


def test_an_sms_only_victim_is_listed_with_its_sms(victims: list[dict[str, Any]]) -> None:
    row = _by_phone(victims)[SMS_ONLY]
    assert (row["calls"], row["sms"], row["grade"]) == (0, 1, "low")
    assert "短信 1 条" in row["reasons"] and "呼叫" not in row["reasons"]


def test_the_reasons_read_in_plain_chinese_with_local_times(victims: list[dict[str, Any]]) -> None:
    text = _by_phone(victims)[CALLED_BACK]["reasons"]
    assert text.startswith(f"被高风险号码 {F1} 呼叫 1 次（未接通），曾回拨 2 次，最长通话 8 分 20 秒")
    assert "首次 2024-03-01 10:05，最近 2024-03-01 11:30（北京时间）" in text
    assert "预警等级：高" in text
    missed = _by_phone(victims)[MISSED]["reasons"]
    assert missed.startswith(f"被高风险号码 {F2} 呼叫 1 次，最长通话 3 秒")


def test_a_placeholder_handset_id_ties_no_victim_to_a_high_risk_number(tmp_path: Path) -> None:
    rows = [
        [F1, "13800000007", "2024-03-01 10:00:00", 60, "000000000000000"],
        ["13800000007", "13800000008", "2024-03-01 11:00:00", 60, "000000000000000"],
    ]
    calls = write_csv(tmp_path / "calls.csv", ["caller", "callee", "start_time", "duration", "imei"], rows)
    con = F.connect()
    F.load_raw(con, F.Sources([calls], [], [], []))
    assert [r["phone"] for r in potential_victims(con, RISKY)] == ["13800000007"]
    con.close()
