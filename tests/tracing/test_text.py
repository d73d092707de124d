"""Amounts and times as banks write them."""

from datetime import datetime

import pytest

from fanzha.tracing.text import CellError, combine, parse_amount, parse_time


@pytest.mark.parametrize(
    ("cell", "fen"),
    [
        ("1,234.50", 123450),
        ("１，２３４．５０", 123450),
        ("（1,234.50）", -123450),
        ("(１２.００)元", -1200),
        ("¥3,000", 300000),
        ("￥ 3,000.1 元", 300010),
        ("RMB -88.8", -8880),
        ("12.50-", -1250),
        ("+7", 700),
        (15, 1500),
        (12.3, 1230),
        ("", None),
        ("--", None),
    ],
)
def test_it_parses_amounts_to_fen(cell, fen):
    assert parse_amount(cell) == fen


@pytest.mark.parametrize("cell", ["十二元", "1.2.3", "12.345", "abc"])
def test_it_rejects_what_is_not_an_amount(cell):
    with pytest.raises(CellError):
        parse_amount(cell)


@pytest.mark.parametrize(
    "cell",
    [
        "2024-03-05 14:22:01",
        "2024/3/5 14:22:01",
        "20240305142201",
        "20240305 142201",
        "2024年3月5日 14时22分01秒",
        "２０２４-０３-０５ １４:２２:０１",
        "2024-03-05T14:22:01.250",
        "2024/3/5 下午 2:22:01",
        "2024-03-05 2:22:01 PM",
        "2024年3月5日 下午2点22分01秒",
        "1709619721",  # Unix seconds, read as China time
        "1709619721000",
        datetime(2024, 3, 5, 14, 22, 1),
    ],
)
def test_it_parses_times(cell):
    assert parse_time(cell) == datetime(2024, 3, 5, 14, 22, 1)


def test_it_reads_a_day_or_month_first_date_only_when_the_order_is_clear():
    assert parse_time("15/3/2024 09:30") == parse_time("3/15/2024 09:30") == datetime(2024, 3, 15, 9, 30)
    assert parse_time("15.03.2024") == datetime(2024, 3, 15)
    with pytest.raises(CellError, match="日期顺序不明确"):
        parse_time("05/03/2024")


def test_it_reads_an_excel_serial_written_as_text_but_not_any_number():
    assert parse_time("45356.5") == datetime(2024, 3, 5, 12, 0)
    for cell in ("12345", "123456789"):
        with pytest.raises(CellError):
            parse_time(cell)


def test_it_joins_a_date_and_a_time_column_and_reads_excel_serials():
    assert combine("20240305", "92201") == datetime(2024, 3, 5, 9, 22, 1)
    assert combine("2024-03-05", "09:22") == datetime(2024, 3, 5, 9, 22)
    assert combine("2024-03-05", "2024-03-05 09:22:01") == datetime(2024, 3, 5, 9, 22, 1)
    assert parse_time(45356.5) == datetime(2024, 3, 5, 12, 0)


def test_it_rejects_impossible_times():
    for cell in ("2024-02-30", "昨天", "2024-03-05 25:00", "2024-03-05 下午", "2024-03-05 下午 15:00"):
        with pytest.raises(CellError):
            parse_time(cell)


@pytest.mark.parametrize(
    "written",
    [
        "2026-11-20T10:00:02.000+08:00",
        "2026-11-20T10:00:02+08:00",
        "2026-11-20T02:00:02Z",
        "2026-11-20 10:00:02+0800",
    ],
)
def test_an_iso_time_with_its_offset_is_read_on_chinas_clock(written):
    """A system's export writes ISO times with their offset: every such row was 时间无法识别."""
    assert parse_time(written) == datetime(2026, 11, 20, 10, 0, 2)


@pytest.mark.parametrize(
    "written", ["2026-02-30T10:00:02+08:00", "2026-11-20T25:00:02Z", "2026-11-20T10:00:02+25:00"]
)
def test_an_iso_time_with_its_offset_that_cannot_be_is_the_cells_error(written):
    """A day that does not exist, written with an offset, raised Python's ValueError (day is out of
    range for month): a statement with one such row was refused whole with that English message."""
    with pytest.raises(CellError, match="时间无法识别"):
        parse_time(written)
