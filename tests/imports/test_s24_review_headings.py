"""A row holding one short name is not taken for a group heading: 李村, 王镇 are people's names (a
people row missing its other cells stays a row error), 杨柳乡 and 溪口街道 are headings."""

import pytest

from fanzha.imports.readers import is_heading


@pytest.mark.parametrize("name", ["李村", "王镇", "刘乡"])
def test_a_two_character_name_is_not_a_heading(name: str) -> None:
    assert not is_heading(["", name, "", ""])


@pytest.mark.parametrize("text", ["杨柳乡", "溪口街道", "一、溪口街道（2人）", "城东派出所：3人"])
def test_group_headings_still_are(text: str) -> None:
    assert is_heading([text, "", "", ""])
