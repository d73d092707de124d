"""Column mapping of bank statements: which column holds what, from known aliases or from the user.

``detect_mapping(header)`` recognises the layouts banks export (aliases in ``data/layouts.toml``, a
reviewed data file) and returns ``None`` for a layout it does not know — the UI then asks the user,
who picks a column per field; ``Mapping.from_choice`` checks that choice.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fanzha.tracing.text import normalise

DATA = Path(__file__).with_name("data") / "layouts.toml"

FIELDS: dict[str, str] = {
    "own_account": "本方账号",
    "own_name": "本方户名",
    "time": "交易时间",
    "date": "交易日期",
    "time_of_day": "交易时刻",
    "amount": "交易金额",
    "debit": "借方发生额（支出）",
    "credit": "贷方发生额（收入）",
    "direction": "收付标志",
    "balance": "余额",
    "counterparty_account": "对方账号",
    "counterparty_name": "对方户名",
    "counterparty_bank": "对方开户行",
    "serial": "交易流水号",
    "summary": "摘要",
    "kind": "交易类型",
    "channel": "渠道",
    "currency": "币种",
}
_UNIT = re.compile(r"[(\[【（][^)\]】）]*[)\]】）]$")
# An amount column headed in a unit of magnitude: 交易金额（万元）, 余额(单位:万元), 发生额万元.
_MAGNITUDE = re.compile(r"(?:[(\[【（](?:单位[:：])?)?(万|亿|千)元?[)\]】）]?$")
_MAGNITUDES = {"千": 1_000, "万": 10_000, "亿": 100_000_000}
MONEY_FIELDS = ("amount", "debit", "credit", "balance")


@dataclass(frozen=True)
class Layouts:
    aliases: dict[str, str]  # normalised header cell → field
    direction_in: frozenset[str]
    direction_out: frozenset[str]
    classes: dict[str, tuple[str, ...]]
    platforms: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def layouts() -> Layouts:
    with DATA.open("rb") as handle:
        data = tomllib.load(handle)
    aliases: dict[str, str] = {}
    for name, names in data["fields"].items():
        if name not in FIELDS:
            raise ValueError(f"{DATA.name}: unknown field {name}")
        for alias in names:
            aliases.setdefault(header_key(alias), name)
    return Layouts(
        aliases=aliases,
        direction_in=frozenset(flag_key(v) for v in data["direction"]["in"]),
        direction_out=frozenset(flag_key(v) for v in data["direction"]["out"]),
        classes={k: tuple(v.lower() for v in vs) for k, vs in data["classes"].items()},
        platforms={k: tuple(v.lower() for v in vs) for k, vs in data["platforms"].items()},
    )


def header_key(cell: object) -> str:
    """A header cell as compared with the aliases: NFKC, no spaces, no unit in brackets, lower case."""
    text = re.sub(r"\s+", "", normalise(cell)).lstrip("*")
    previous = None
    while previous != text:
        previous, text = text, _UNIT.sub("", text)
    return text.lower()


def flag_key(value: object) -> str:
    return re.sub(r"\s+", "", normalise(value)).lower()


def direction_of(flag: object) -> int:
    """+1 for money in, −1 for money out, 0 when the flag says neither."""
    key = flag_key(flag)
    if key in layouts().direction_in:
        return 1
    if key in layouts().direction_out:
        return -1
    return 0


@dataclass(frozen=True)
class Mapping:
    """Field → column index in the rows of one statement layout."""

    columns: dict[str, int]
    header: tuple[str, ...] = field(default=())

    def missing(self) -> list[str]:
        """What is still needed, as Chinese field names (empty when the mapping is usable)."""
        have = self.columns
        needs = []
        if "time" not in have and "date" not in have:
            needs.append(FIELDS["time"])
        has_split = "debit" in have or "credit" in have
        if "amount" not in have and not has_split:
            needs.append(FIELDS["amount"])
        return needs

    def scale(self, name: str) -> int:
        """The yuan one unit of an amount column is: 10,000 when its header says 万元, else 1."""
        index = self.columns.get(name)
        if name not in MONEY_FIELDS or index is None or index >= len(self.header):
            return 1
        found = _MAGNITUDE.search(re.sub(r"\s+", "", self.header[index]))
        return _MAGNITUDES[found.group(1)] if found else 1

    @property
    def split(self) -> bool:
        """Debit and credit in separate columns."""
        return "amount" not in self.columns

    @classmethod
    def from_choice(cls, header: Sequence[object], choice: MappingABC[str, str]) -> Mapping:
        """The user's choice, field → header cell text; raises ValueError with a Chinese message."""
        keys = [header_key(cell) for cell in header]
        columns: dict[str, int] = {}
        for name, cell in choice.items():
            if name not in FIELDS:
                raise ValueError(f"未知字段：{name}")
            if not cell:
                continue
            try:
                columns[name] = keys.index(header_key(cell))
            except ValueError as exc:
                raise ValueError(f"表头中没有“{cell}”这一列") from exc
        mapping = cls(columns=columns, header=tuple(normalise(c) for c in header))
        if mapping.missing():
            raise ValueError("还缺少：" + "、".join(mapping.missing()))
        return mapping


def detect_mapping(header: Sequence[object]) -> Mapping | None:
    """The mapping of a known layout, or ``None`` when the user has to map the columns."""
    aliases = layouts().aliases
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = aliases.get(header_key(cell))
        if name is not None and name not in columns:
            columns[name] = index
    # "交易日期" + "交易时间": the time column holds the time of day (or the whole moment).
    if "date" in columns and "time" in columns and "time_of_day" not in columns:
        columns["time_of_day"] = columns.pop("time")
    mapping = Mapping(columns=columns, header=tuple(normalise(c) for c in header))
    return None if mapping.missing() else mapping


def _sub_header(row: Sequence[object]) -> bool:
    """A second header line: every filled cell names a column, one of them the debit or the credit
    (``借方`` / ``贷方`` under a merged ``发生额``); a data line holds times and amounts instead."""
    aliases = layouts().aliases
    names = [aliases.get(header_key(cell)) for cell in row if normalise(cell)]
    return bool(names) and None not in names and bool({"debit", "credit"} & set(names))


def _two_line_header(top: Sequence[object], below: Sequence[object]) -> Mapping | None:
    """The header written over two lines (merged cells above, their parts below): each column named by
    its lower cell, else by the merged cell above it."""
    if not _sub_header(below):
        return None
    width = max(len(top), len(below))
    cells = [
        below[i] if i < len(below) and normalise(below[i]) else (top[i] if i < len(top) else "")
        for i in range(width)
    ]
    return detect_mapping(cells)


def find_header(rows: Sequence[Sequence[object]], *, scan: int = 30) -> tuple[int, Mapping] | None:
    """The first of the first ``scan`` rows that is a known header (banks put titles above it); for a
    header over two lines, the second line (the data follow it) with the columns both lines name."""
    for index, row in enumerate(rows[:scan]):
        below = rows[index + 1] if index + 1 < len(rows) else ()
        merged = _two_line_header(row, below)
        if merged is not None:
            return index + 1, merged
        mapping = detect_mapping(row)
        if mapping is not None:
            return index, mapping
    return None


def classify(text: str, *, inflow: bool) -> str:
    """reversal / refund / fee / interest / cash_out / cash_in / "" from the words of a transaction."""
    lowered = text.lower()
    for name, words in layouts().classes.items():
        if name == "cash_out" and inflow or name == "cash_in" and not inflow:
            continue
        if any(word in lowered for word in words):
            return name
    return ""


def platform_of(text: str) -> str:
    """The third-party payment platform named in the text, or ``""``."""
    lowered = text.lower()
    for name, words in layouts().platforms.items():
        if any(word in lowered for word in words):
            return name
    return ""


_PREAMBLE_ACCOUNT = re.compile(r"(?:账号|帐号|卡号)\s*[:：]\s*[='\"`]*\s*([0-9][0-9 -]{5,30}[0-9])")
# the label in a cell of its own, the number in the next filled cell ("查询账号" | "6222…")
_ACCOUNT_LABEL = re.compile(r"(?:查询|客户|本方|交易)?(?:账号|帐号|卡号)\s*[:：]?")
_ACCOUNT_CELL = re.compile(r"[='\"`]*\s*([0-9][0-9 -]{5,30}[0-9])\s*\"?")


def preamble_account(rows: Sequence[Sequence[object]]) -> str:
    """The account number written in the title lines above the header (账号：…, or 账号 in one cell and
    the number in the next), or ``""``."""
    for row in rows:
        cells = [normalise(cell) for cell in row]
        for i, cell in enumerate(cells):
            found = _PREAMBLE_ACCOUNT.search(cell)
            if found is None and _ACCOUNT_LABEL.fullmatch(cell):
                found = _ACCOUNT_CELL.fullmatch(next((c for c in cells[i + 1 :] if c), ""))
            if found:
                return re.sub(r"[ -]", "", found.group(1))
    return ""
