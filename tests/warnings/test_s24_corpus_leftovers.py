"""Values a corpus of real-world-like lists lost or misread (probe s24): a tip line's 举报人姓名 as the
person's name, the source "tip line", two phones on two lines of one cell, 其它 and 贷款类 as types."""

from __future__ import annotations

import pytest

from fanzha.warnings import typology
from fanzha.warnings.intake import WarningInput, clean_warning, resolve_source
from fanzha.warnings.models import Warning
from tests.imports.test_probe_s24_corpus import command, write_csv

TIP_HEADER = ["举报时间", "举报人姓名", "联系电话", "现住址", "举报内容"]


def test_a_tip_lines_reporter_is_the_person_named(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Before: 举报人姓名 was an unused column; the warning had the phone and no name.
    tip = ["2026-11-28 09:00", "周某某", "13905719901", "青溪县城关镇城东社区幸福路1号", "冒充客服"]
    rows = [TIP_HEADER, tip]
    lines, code = command(write_csv(tmp_path / "tips.csv", rows))
    assert code == 0, lines
    assert not any("未使用的列" in line and "举报人姓名" in line for line in lines)
    assert Warning.objects.get().person.name == "周某某"


def test_a_victims_own_name_column_wins_over_the_reporter(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    header = ["举报人", "受害人姓名", "手机号", "现住址", "预警时间"]
    rows = [header, ["周某某", "吴某", "13905719902", "青溪县城关镇城东社区幸福路2号", "2026-11-28 09:00"]]
    lines, code = command(write_csv(tmp_path / "tips.csv", rows))
    assert code == 0, lines
    assert Warning.objects.get().person.name == "吴某"


def test_the_tip_line_in_english_is_the_tip_source() -> None:
    assert resolve_source("tip line") == ("tip", True)
    assert resolve_source("Hotline") == ("tip", True)


def test_two_phones_on_two_lines_of_a_cell_take_the_first() -> None:
    clean = clean_warning(WarningInput(name="张三", phone="138 0571 1605\n139 0571 1605"))
    assert clean.phone == "13805711605" and "phone_invalid" not in clean.flags
    assert any("一栏有多个号码" in message for _, message in clean.notices)


@pytest.mark.parametrize(
    ("written", "code"),
    [("其它", typology.OTHER_FRAUD), ("贷款类", "fake_loan"), ("刷单类诈骗", "fake_order_rebate")],
)
def test_types_written_with_a_class_word_or_the_other_spelling(written: str, code: str) -> None:
    assert typology.resolve(written) == code


def test_a_class_word_alone_names_no_type() -> None:
    assert typology.resolve("类") is None and typology.resolve("诈骗") is None
