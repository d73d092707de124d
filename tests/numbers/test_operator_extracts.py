"""Call and SMS extracts written the way operators and centres hand them over: Excel-saved dates and
times, headers such as LAC-CI or IMEI号, masked numbers written with x or #."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from fanzha.screening.numbers.cli import main

ME = "13800138000"
PEOPLE = [f"1390571{i:04d}" for i in range(6)]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _features(tmp_path: Path, calls: Path) -> tuple[dict[str, dict[str, str]], dict]:
    """Feature rows by number and the quality report of ``fanzha numbers features`` on ``calls``."""
    out, report = tmp_path / "features.csv", tmp_path / "quality.json"
    args = ["features", "--calls", str(calls), "--output", str(out), "--report", str(report)]
    assert main(args) == 0
    with out.open(encoding="utf-8") as fh:
        rows = {row["phone_no_m"]: row for row in csv.DictReader(fh)}
    return rows, json.loads(report.read_text(encoding="utf-8"))


def test_an_excel_serial_date_beside_an_excel_fraction_of_a_day_is_read(tmp_path: Path) -> None:
    # a 日期 and a 时间 column saved as "General": 46354 is 2026-11-28, 0.3958333 is 09:30:00
    header = ["主叫号码", "被叫号码", "呼叫类型", "通话日期", "通话时间", "通话时长"]
    rows = [
        [ME, PEOPLE[0], "主叫", "46354", "0.3958333", "60"],
        [ME, PEOPLE[1], "主叫", "46354.0", "09:30:00", "60"],
        [ME, PEOPLE[2], "主叫", "2026-11-28", "0.39583333333", "60"],
    ]
    rows_by_number, report = _features(tmp_path, _write(tmp_path / "voc.csv", header, rows))
    assert report["calls"]["bad_time"] == 0
    me = rows_by_number[ME]
    assert (me["voc_hour_mode"], me["voc_hour_mode_count"]) == ("9.0", "3.0")
    assert (me["voc_day_mode"], me["voc_day_nunique"]) == ("28.0", "1.0")


def test_lac_ci_imei_and_roaming_headers_are_read(tmp_path: Path) -> None:
    # LAC-CI / LAC/CI (a hyphen or slash), IMEI号 / 终端IMEI, and 漫游地 (where the call was) beside
    # 归属地 (the number's home, the same on every record)
    cities = ["四川成都", "四川绵阳", "四川德阳"]
    for cell, imei, name in (("LAC-CI", "IMEI号", "a"), ("LAC/CI", "终端IMEI", "b")):
        header = ["本机号码", "对端号码", "呼叫类型", "开始时间", "时长(秒)", cell, "归属地", "漫游地", imei]
        rows = [
            [ME, other, "主叫", f"2026-11-28 09:3{i}:00", "60", f"12345-{i}", "浙江杭州", cities[i % 3],
             f"86123456789012{i % 2}"]
            for i, other in enumerate(PEOPLE)
        ]  # fmt: skip
        (tmp_path / name).mkdir()
        rows_by_number, _ = _features(tmp_path / name, _write(tmp_path / name / "voc.csv", header, rows))
        me = rows_by_number[ME]
        assert me["county_name_call"] == "6.0", cell
        assert me["imeis"] == "2.0", imei
        assert me["city_name_call"] == "3.0"


def test_a_call_type_header_written_with_a_slash_is_read(tmp_path: Path) -> None:
    header = ["本机号码", "对端号码", "主叫/被叫", "开始时间", "通话时长"]
    kinds = ["主叫", "被叫"] * 3
    rows = [[ME, other, kind, "2026-11-28 09:30:00", "60"] for other, kind in zip(PEOPLE, kinds, strict=True)]
    rows_by_number, _ = _features(tmp_path, _write(tmp_path / "voc.csv", header, rows))
    assert rows_by_number[ME]["voccalltype1"] == "3.0"


def test_numbers_masked_with_x_or_hash_are_reported_not_counted_as_numbers(tmp_path: Path) -> None:
    masked = ["138xxxx8000", "1380013XXXX", "138####8000", "138---8000", "138???8000", "138****8000"]
    header = ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长"]
    others = [*masked, PEOPLE[0]]
    rows = [[ME, other, "主叫", f"2026-11-28 09:3{i}:00", "60"] for i, other in enumerate(others)]
    rows.append(["139xxxx0001", PEOPLE[1], "主叫", "2026-11-28 10:00:00", "60"])  # a masked subscriber
    rows_by_number, report = _features(tmp_path, _write(tmp_path / "voc.csv", header, rows))
    quality = report["calls"]
    assert quality["masked_number"] == 7
    assert quality["missing_opposite"] == 6 and quality["missing_number"] == 1
    assert list(rows_by_number) == [ME]  # 139xxxx0001 is no subscriber
    # seven calls, one counterpart: the masked ones are calls without a known counterpart
    me = rows_by_number[ME]
    assert (me["opposite_count"], me["opposite_unique"]) == ("7.0", "1.0")


def test_cells_written_as_excel_text_formulas_are_read_as_their_text(tmp_path: Path) -> None:
    # ="…" keeps Excel from turning a number into 1.38E+10: many systems export every cell so
    header = ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长", "IMEI"]
    rows = [
        [f'="{ME}"', f'="{other}"', '="主叫"', f'="2026-11-28 09:3{i}:00"', '="60"', '="861234567890123"']
        for i, other in enumerate(PEOPLE)
    ]
    rows_by_number, report = _features(tmp_path, _write(tmp_path / "voc.csv", header, rows))
    assert report["calls"]["bad_time"] == report["calls"]["bad_duration"] == 0
    me = rows_by_number[ME]
    assert (me["opposite_unique"], me["voccalltype1"], me["imeis"]) == ("6.0", "6.0", "1.0")
    assert (me["voc_hour_mode"], me["call_dur_mean"]) == ("9.0", "60.0")


def test_sms_type_headers_written_with_a_slash_are_read(tmp_path: Path) -> None:
    for i, type_header in enumerate(("收/发", "发送/接收", "短信收发类型")):
        header = ["本机号码", "对端号码", type_header, "发送时间", "短信内容"]
        kinds = ["发送", "接收"] * 3
        pairs = zip(PEOPLE, kinds, strict=True)
        rows = [[ME, other, kind, "2026-11-28 09:30:00", "验证码"] for other, kind in pairs]
        folder = tmp_path / str(i)
        folder.mkdir()
        sms, out = _write(folder / "sms.csv", header, rows), folder / "features.csv"
        assert main(["features", "--sms", str(sms), "--output", str(out)]) == 0, type_header
        with out.open(encoding="utf-8") as fh:
            me = next(csv.DictReader(fh))
        assert (me["sms_count"], me["calltype_2"]) == ("6.0", "3.0"), type_header


def test_oracle_timestamps_are_read_with_their_am_pm(tmp_path: Path) -> None:
    # Oracle's default text of a TIMESTAMP column, as extracts from operator databases carry it
    header = ["本机号码", "对端号码", "呼叫类型", "开始时间", "通话时长"]
    times = ["28-NOV-26 09.30.00.000000 AM", "28-NOV-26 09.40.00.000000 AM", "28-NOV-26 09.30.00.000000 PM"]
    rows = [[ME, other, "主叫", at, "60"] for other, at in zip(PEOPLE, times, strict=False)]
    rows_by_number, report = _features(tmp_path, _write(tmp_path / "voc.csv", header, rows))
    assert report["calls"]["bad_time"] == 0
    me = rows_by_number[ME]
    assert (me["voc_hour_mode"], me["voc_hour_mode_count"], me["voc_hour_nunique"]) == ("9.0", "2.0", "2.0")
    assert me["voc_day_mode"] == "28.0"
