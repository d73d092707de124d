"""Probe of session 23: raw operator extracts as an analyst receives them — encodings, separators,
Chinese headers, the spellings of times, durations, call types and numbers — checked against what the
records mean, and every problem named by its row."""

from __future__ import annotations

from pathlib import Path

from tests.screening.numbers.conftest import build_features

CN_HEADER = "主叫号码,被叫号码,开始时间,通话时长,呼叫类型\n"
ME, FRIEND, OTHER = "13800138000", "13900139000", "13700137000"


def _calls(path: Path, rows: list[str], header: str = CN_HEADER, encoding: str = "utf-8") -> Path:
    path.write_bytes((header + "".join(r + "\n" for r in rows)).encode(encoding))
    return path


def test_excel_serial_times_are_read_as_the_moment_they_stand_for(tmp_path: Path) -> None:
    """A time column saved from Excel as “General” holds serial days since 1899-12-30: 46329.3369444 is
    2026-11-03 08:05:12 (was a bad_time: the calls lost their hours and days)."""
    path = _calls(tmp_path / "voc.csv", [
        f"{ME},{FRIEND},46329.3369444444,83,主叫",
        f"{ME},{OTHER},46329.3375,30,主叫",
        f"{FRIEND},{ME},46330,20,被叫",  # a whole serial: a date without a time of day
    ])  # fmt: skip
    report, rows = build_features(calls=[path])
    calls = report["calls"]
    assert calls["bad_time"] == 0 and calls["date_only_time"] == 1
    me = rows[ME]
    assert (me["voc_hour_mode"], me["voc_hour_mode_count"], me["voc_hour_nunique"]) == (8, 2, 1)
    assert (me["voc_day_mode"], me["voc_day_mode_count"], me["voc_day_nunique"]) == (3, 2, 2)


def test_a_time_of_day_that_lost_its_leading_zero_beside_a_date_column_is_no_excel_serial(
    tmp_path: Path,
) -> None:
    """通话日期 2026-11-03 + 通话时间 40503 (04:05:03 saved as a number) is 04:05:03 that day, not
    serial day 40503 (2010-11-22)."""
    header = "本机号码,对端号码,通话日期,通话时间,通话时长,呼叫类型\n"
    path = _calls(tmp_path / "voc.csv", [f"{ME},{FRIEND},2026-11-03,40503,83,主叫"], header)
    report, rows = build_features(calls=[path])
    assert report["calls"]["bad_time"] == 0
    assert (rows[ME]["voc_hour_mode"], rows[ME]["voc_day_mode"]) == (4, 3)


def _located(report: dict, words: str) -> str:  # type: ignore[type-arg]
    return next(n for n in report["notes"] if words in n)


def _good(n: int) -> list[str]:
    return [f"{ME},1390000{i:04d},2026-11-03 08:{i % 60:02d}:00,60,主叫" for i in range(n)]


def test_one_bad_row_among_many_is_named_by_its_line_and_still_counted(tmp_path: Path) -> None:
    """A bad time, duration, call type or number in one row of many was only counted (bad_time=1): the
    analyst could not find the row to check it with the operator. Each is named by its line (the header
    is line 1) with the value as written — never a number's digits — and the record still counts."""
    rows = _good(40)
    rows[14] = f"{ME},{FRIEND},2026-13-45 99:00,60,主叫"  # line 16
    rows[20] = f"{ME},{FRIEND},2026-11-03 09:00:00,一分钟,主叫"  # line 22
    rows[25] = f"{ME},{FRIEND},2026-11-03 09:10:00,60,国内长途"  # line 27
    rows[30] = f"{ME},139****9000,2026-11-03 09:20:00,60,主叫"  # line 32
    path = _calls(tmp_path / "voc.csv", rows)
    report, features = build_features(calls=[path])
    calls = report["calls"]
    assert (calls["bad_time"], calls["bad_duration"], calls["bad_call_type"]) == (1, 1, 1)
    assert features[ME]["opposite_count"] == 40  # nothing dropped
    assert "行号 16（2026-13-45 99:00）" in _located(report, "时间无法识别")
    assert "行号 22（一分钟）" in _located(report, "通话时长无法识别")
    assert "行号 27（国内长途）" in _located(report, "主被叫类型无法识别")
    number = _located(report, "号码已打码")
    assert "行号 32" in number and "9000" not in number  # the line, not the digits
    assert all(str(path) in _located(report, w) for w in ("时间无法识别", "号码已打码"))


def test_the_line_numbers_count_the_malformed_lines_skipped_before(tmp_path: Path) -> None:
    rows = _good(10)
    rows[2] = f"{ME},{FRIEND},2026-11-03,60"  # line 4: one column short, skipped (bad_lines)
    rows[6] = f"{ME},{FRIEND},昨天,60,主叫"  # line 8
    path = _calls(tmp_path / "voc.csv", rows)
    report, _ = build_features(calls=[path])
    assert report["calls"]["bad_lines"] == 1
    assert "行号 8（昨天）" in _located(report, "时间无法识别")


def test_a_parquet_file_names_the_record_and_sms_problems_too(tmp_path: Path) -> None:
    import duckdb

    csv = tmp_path / "sms.csv"
    csv.write_text(
        "本机号码,对端号码,发送时间,短信类型\n"
        + "".join(f"{ME},1390000{i:04d},2026-11-03 08:00:00,发送\n" for i in range(5))
        + f"{ME},{FRIEND},2026-11-03 08:00:00,彩信\n",
        encoding="utf-8",
    )
    parquet = tmp_path / "sms.parquet"
    copy = f"COPY (SELECT * FROM read_csv('{csv}', all_varchar=true)) TO '{parquet}' (FORMAT parquet)"  # noqa: S608
    duckdb.sql(copy)
    report, _ = build_features(sms=[parquet])
    assert report["sms"]["bad_sms_type"] == 1
    assert "第 6 条记录（彩信）" in _located(report, "收发类型无法识别")


def test_a_number_in_a_shifted_column_is_named_by_its_line_masked(tmp_path: Path) -> None:
    """A row shifted by one column puts the counterpart's number into the time column: the note names the
    line and shows the value masked, as the page shows numbers (170****0001), never in full."""
    rows = [*_good(3), f"{ME},2026-11-03 08:00:00,{FRIEND},60,主叫"]
    report, _ = build_features(calls=[_calls(tmp_path / "voc.csv", rows)])
    note = _located(report, "时间无法识别")
    assert "行号 5（139****9000）" in note and FRIEND not in note


def test_a_time_or_two_numbers_in_a_number_column_are_no_counterpart(tmp_path: Path) -> None:
    """A shifted row puts a time into 被叫号码 and a careless export two numbers into one cell: their
    digits were run together into counterparts that exist nowhere (20261103080000,
    1390013900013700137000), each a new distinct counterpart, and nothing said so. They are unusable
    numbers now, counted and named by their line."""
    rows = [
        f"{ME},{FRIEND},2026-11-03 08:00:00,60,主叫",
        f"{ME},2026-11-03 08:05:00,{OTHER},60,主叫",  # line 3: shifted
        f"{ME},{FRIEND};{OTHER},2026-11-03 09:00:00,60,主叫",  # line 4
        f"{ME},00:01:23,2026-11-03 09:30:00,60,主叫",  # line 5
        f"{ME},'{OTHER},2026-11-03 10:00:00,60,主叫",  # Excel's text mark: still the number
    ]
    report, features = build_features(calls=[_calls(tmp_path / "voc.csv", rows)])
    assert report["calls"]["unusable_number"] == 3
    me = features[ME]
    assert (me["opposite_count"], me["opposite_unique"]) == (5, 2)  # FRIEND and OTHER, nothing else
    assert "行号 3，行号 4，行号 5" in _located(report, "号码无法使用")


def test_the_run_page_names_a_bad_row_of_a_gbk_tab_separated_upload_by_its_uploaded_name(
    world, client
) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from fanzha.jobs.queue import job_claim, job_execute
    from fanzha.numbers.services import UploadedFile, numbers_submit

    rows = [*_good(30), f"{ME},{FRIEND},2026-13-45 99:00,60,主叫"]
    data = (CN_HEADER + "".join(r + "\n" for r in rows)).replace(",", "\t").encode("gb18030")
    analyst = world.users["analyst"]
    run = numbers_submit(actor=analyst, files=[UploadedFile("calls", "移动话单.csv", data)])
    job_execute(job_claim("w-test"), "w-test")
    client.force_login(analyst)
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "“移动话单.csv”：时间无法识别 1 条" in page and "行号 32（2026-13-45 99:00）" in page
    assert "/tmp/" not in page and ME not in page
