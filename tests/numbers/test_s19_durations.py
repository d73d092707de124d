"""Call durations that are no finite number (``1e309``, ``inf``, ``-inf``): each record is rejected and
named — file, line, column, value — never merged with another as a duplicate, nor kept as a long or
negative call. Read from text, from a header with a unit, and from a Parquet DOUBLE column. ``nan`` is
a missing value as programs write it: a blank, the call kept with its duration unknown."""

from __future__ import annotations

from pathlib import Path

import duckdb
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.numbers.models import RunStatus, ScoringRun
from fanzha.numbers.quality import quality_lines, run_message
from tests.numbers.extract import calls_csv
from tests.numbers.factories import run_now
from tests.screening.numbers.conftest import build_features, write_csv

HEADER = ["phone_no_m", "opposite_no_m", "calltype_id", "start_datetime", "call_dur"]
AT = "2026-11-28 09:00:00"
ODD = ["1e309", "inf", "-inf"]  # the first two were merged as duplicates


def _rows(values: list[str]) -> list[list[object]]:
    """One call a value, all alike but the duration; then one ordinary call."""
    return [["13800000001", "13900000001", 1, AT, v] for v in values] + [
        ["13800000001", "13900000002", 1, AT, "30"]
    ]


def _no_trace_of(calls: dict[str, int], rejected: int) -> None:
    assert calls["records"] == calls["distinct_records"] == 1 and calls["duplicates"] == 0
    for counter in ("long_duration", "negative_duration", "missing_duration", "bad_duration"):
        assert calls[counter] == 0, counter
    assert calls["nonfinite_duration"] == rejected


def test_non_finite_durations_are_rejected_row_by_row_with_line_column_and_value(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "voc.csv", HEADER, _rows(ODD))
    report, rows = build_features(calls=[path])
    _no_trace_of(report["calls"], len(ODD))
    assert rows["13800000001"]["opposite_count"] == 1  # only the ordinary call counts
    note = next(n for n in report["notes"] if "不是有限数值" in n)
    assert str(path) in note and "“call_dur”" in note
    for line, value in zip(range(2, 5), ODD, strict=True):
        assert f"行号 {line}（{value}）" in note
    kept, _, skipped = report["message"].partition("已跳过的记录")
    assert "nonfinite_duration" not in kept and "nonfinite_duration=3" in skipped  # skipped, not kept


def test_nan_is_a_missing_duration_and_the_call_counts(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "voc.csv", HEADER, _rows(["nan", "NaN"]))
    report, rows = build_features(calls=[path])
    calls = report["calls"]
    assert calls["nonfinite_duration"] == 0 and calls["missing_duration"] == 2
    assert calls["duplicates"] == 1  # the same call written twice, its duration unknown both times
    assert rows["13800000001"]["opposite_count"] == 2


def test_a_unit_in_the_header_does_not_let_them_through(tmp_path: Path) -> None:
    header = [*HEADER[:-1], "通话时长(毫秒)"]
    path = write_csv(tmp_path / "voc.csv", header, _rows(["inf", "1e309"]))
    report, _ = build_features(calls=[path])
    _no_trace_of(report["calls"], 2)
    assert any("行号 2（inf）" in n and "行号 3（1e309）" in n for n in report["notes"])


def test_a_parquet_double_column_holding_them_is_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "voc.parquet"
    con = duckdb.connect()
    values = "('13800000001', '13900000001', 1, TIMESTAMP '2026-11-28 09:00:00', {})"
    odd = ", ".join(values.format(v) for v in ("'inf'::DOUBLE", "'nan'::DOUBLE", "'-inf'::DOUBLE", "30.0"))
    names = ", ".join(HEADER)
    sql = f"COPY (SELECT * FROM (VALUES {odd}) t({names})) TO '{path}' (FORMAT parquet)"  # noqa: S608
    con.execute(sql)
    con.close()
    report, _ = build_features(calls=[path])
    assert report["calls"]["records"] == 2 and report["calls"]["long_duration"] == 0
    assert report["calls"]["nonfinite_duration"] == 2 and report["calls"]["duplicates"] == 0
    assert report["calls"]["missing_duration"] == 1  # NaN: a blank
    assert any("不是有限数值" in n and "第 " in n and "条记录" in n for n in report["notes"])


def test_the_run_page_names_the_rejected_rows_in_chinese() -> None:
    quality = {"calls": {"files": 1, "records": 1, "distinct_records": 1, "nonfinite_duration": 4}}
    problems = dict(quality_lines(quality)[0]["problems"])
    assert any("不是有限数值" in name and count == 4 for name, count in problems.items())


def test_the_status_line_says_they_were_skipped_not_kept() -> None:
    quality = {
        "numbers": 3,
        "edges": 2,
        "calls": {"files": 1, "records": 5, "bad_time": 1, "nonfinite_duration": 2},
    }
    message = run_message(quality)
    assert "已计入统计，未丢弃）：话单 时间无法识别 1。" in message
    assert "已跳过：话单 通话时长不是有限数值" in message and "记录（已跳过） 2" in message


def test_a_run_through_the_page_names_them_by_the_uploaded_file(world, client) -> None:  # type: ignore[no-untyped-def]
    odd = "".join(f"17012340001,13905700001,2026-03-05 10:00:00,{v},成都,金牛区,x\n" for v in ODD)
    client.force_login(world.users["analyst"])
    upload = SimpleUploadedFile("移动话单.csv", calls_csv() + odd.encode())
    assert client.post(reverse("numbers_run_upload"), {"calls": upload}).status_code == 302
    run = run_now(ScoringRun.objects.get())
    assert run.status == RunStatus.SUCCEEDED and run.quality["calls"]["nonfinite_duration"] == len(ODD)
    lines = len(calls_csv().splitlines())
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "“移动话单.csv”：通话时长不是有限数值" in page and f"行号 {lines + 1}（1e309）" in page
    assert "/tmp/" not in page
