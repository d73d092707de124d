"""Potential victims reached by high-risk numbers."""

from __future__ import annotations

from pathlib import Path

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers.victims import potential_victims
from tests.screening.numbers.conftest import write_csv

RISK = "13900000001"


def _con(tmp_path: Path):  # noqa: ANN202
    calls = write_csv(
        tmp_path / "calls.csv",
        ["caller", "callee", "start_time", "duration"],
        [
            [RISK, "13800000001", "2024-03-01 10:00:00", 400],  # long call, then a call back
            ["13800000001", RISK, "2024-03-01 12:00:00", 60],
            [RISK, "13800000002", "2024-03-02 09:00:00", 40],
            [RISK, "13800000003", "2024-03-02 09:05:00", 0],
            [RISK, "13800000003", "2024-03-03 09:05:00", 3],
            ["13800000004", "13800000005", "2024-03-02 09:05:00", 300],  # unrelated
        ],
    )
    sms = write_csv(
        tmp_path / "sms.csv",
        ["sender", "receiver", "time"],
        [[RISK, "13800000006", "2024-03-04 08:00:00"], [RISK, "13800000006", "2024-03-04 08:01:00"]],
    )
    con = F.connect()
    F.load_raw(con, F.Sources([calls], [sms], [], []))
    return con


def test_it_lists_and_ranks_the_subscribers_reached_by_risky_numbers(tmp_path: Path) -> None:
    rows = potential_victims(_con(tmp_path), [(RISK, 0.9)])
    by_phone = {r["phone"]: r for r in rows}
    assert set(by_phone) == {"13800000001", "13800000002", "13800000003", "13800000006"}
    assert rows[0]["phone"] == "13800000001"  # long call + call back
    first = by_phone["13800000001"]
    assert (first["calls"], first["total_duration"], first["callbacks"], first["grade"]) == (
        1,
        400,
        1,
        "high",
    )
    assert "曾回拨 1 次" in first["reasons"] and "预警等级：高" in first["reasons"]
    third = by_phone["13800000003"]
    assert (third["calls"], third["answered_calls"], third["grade"]) == (2, 1, "low")
    assert (
        str(third["first_contact"]) == "2024-03-02 09:05:00"
        and str(third["last_contact"]) == "2024-03-03 09:05:00"
    )
    assert by_phone["13800000006"]["sms"] == 2 and "收到短信 2 条" in by_phone["13800000006"]["reasons"]


def test_it_returns_no_victims_without_risky_numbers(tmp_path: Path) -> None:
    assert potential_victims(_con(tmp_path), []) == []
