"""The sender's own level of a pushed warning (预警级别), read as one of our grades.

Pushing systems grade their lists in their own words: four colours (红/橙/黄/蓝, as the national
emergency levels), four classes (一级 … 四级, 一级 the most severe), or risk words (高风险, 中危). The
centre's grading rules may use what the sender said (``GradingRule.pushed_levels``); the warning's own
grade is still the centre's.
"""

from __future__ import annotations

import re
import unicodedata

# Our grades (warnings.models.Grade values), most urgent first, with the words senders use for each.
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "urgent": (
        "紧急",
        "特急",
        "红",
        "红色",
        "一级",
        "i级",
        "1级",
        "极高",
        "特高",
        "urgent",
        "critical",
        "red",
    ),
    "high": ("高", "高危", "橙", "橙色", "二级", "ii级", "2级", "较高", "high", "orange"),
    # Not 一般: the lowest of the emergency levels (Ⅳ级, 蓝) but the third of the risk levels (黄).
    "medium": ("中", "中危", "中等", "黄", "黄色", "三级", "iii级", "3级", "medium", "yellow"),
    "low": ("低", "低危", "蓝", "蓝色", "四级", "iv级", "4级", "较低", "low", "blue"),
}
_BY_WORD = {word: code for code, words in LEVEL_WORDS.items() for word in words}
# What may follow the level word: 红色预警, 高风险, 一级预警, 紧急级别, high risk.
_TAIL = re.compile(r"(?:预警|风险|等级|级别|risk|level|alert)+$")
UNREAD = "预警级别“{text}”无法识别（可写紧急/高/中/低、红/橙/黄/蓝、一级至四级），未用于定级"


def read_level(text: str) -> str | None:
    """The grade a sender's level names (``"urgent"`` … ``"low"``), or None when it names none.

    >>> read_level("红色预警"), read_level("Ⅱ级"), read_level("高风险"), read_level("蓝")
    ('urgent', 'high', 'high', 'low')
    """
    word = "".join(unicodedata.normalize("NFKC", text).lower().split())  # Ⅱ → ii, full-width → ASCII
    if word in _BY_WORD:
        return _BY_WORD[word]
    return _BY_WORD.get(_TAIL.sub("", word))
