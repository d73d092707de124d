"""Review of potential victims: odd records must not change who is listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers.victims import potential_victims
from tests.screening.numbers.conftest import write_csv
from tests.screening.numbers.test_victims_probe_s17 import CALLS, IF1, RISKY, SMS


def _victims(tmp_path: Path, calls_rows: list[list[Any]]) -> list[str]:
    header = ["caller", "callee", "start_time", "duration", "imei"]
    calls = write_csv(tmp_path / "calls.csv", header, calls_rows)
    sms = write_csv(tmp_path / "sms.csv", ["sender", "receiver", "time"], SMS)
    con = F.connect()
    F.load_raw(con, F.Sources([calls], [sms], [], []))
    try:
        return [row["phone"] for row in potential_victims(con, RISKY)]
    finally:
        con.close()


def test_a_record_without_a_caller_in_a_risky_handset_hides_no_victim(tmp_path: Path) -> None:
    # A call whose caller is withheld (blank) made in F1's handset: its owner's "other SIM" was NULL,
    # and ``victim NOT IN (… NULL …)`` dropped every potential victim of the extract.
    listed = _victims(tmp_path, CALLS)
    withheld = [*CALLS, ["", "13800000077", "2024-03-01 13:00:00", 60, IF1]]
    assert _victims(tmp_path, withheld) == listed
