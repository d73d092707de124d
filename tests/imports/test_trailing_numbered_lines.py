"""A pre-numbered template's unfilled lines below the data: named as such, not as a 合计 line."""

from __future__ import annotations

from fanzha.imports.readers import UNFILLED_NUMBERED_LINE, read_table

HEADER = "序号,预警编号,姓名,手机号,涉案金额"
DATA = ["1,W001,张三,13800138000,500", "2,W002,李四,13900139000,800"]


def _read(*lines: str):  # type: ignore[no-untyped-def]
    return read_table("\n".join([HEADER, *DATA, *lines]).encode())


def test_lines_holding_only_their_number_are_unfilled_template_lines() -> None:
    table = _read("3,,,,", "4,,,,")
    assert [number for number, _ in table.rows] == [2, 3]
    assert table.skipped == [(4, UNFILLED_NUMBERED_LINE), (5, UNFILLED_NUMBERED_LINE)]


def test_a_bare_amount_under_the_data_is_still_the_total_line() -> None:
    table = _read(",,,,1300")
    assert table.skipped == [(4, "只有数字，是表尾的合计行，已跳过")]


def test_a_number_in_another_column_is_not_a_numbering() -> None:
    table = read_table(
        "\n".join(["预警编号,姓名,手机号,涉案金额", "W001,张三,13800138000,500", "3,,,"]).encode()
    )
    assert table.skipped == [(3, "只有数字，是表尾的合计行，已跳过")]
