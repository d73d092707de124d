"""Bank statements: rows → transactions, with row-level errors, balance check, refunds and duplicates.

    found = find_header(rows)              # or detect_mapping(header); None → ask the user
    statement = parse_statement(rows[index + 1:], mapping, first_row=index + 2)
    merged = merge_statements([statement, other])   # overlapping statements counted once

Amounts are integers in fen (分), signed from the statement's account: positive money in, negative out.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from fanzha.tracing.layouts import (
    FIELDS,
    Mapping,
    classify,
    direction_of,
    find_header,
    platform_of,
    preamble_account,
)
from fanzha.tracing.text import CellError, combine, normalise, parse_amount, parse_identifier, parse_time

REFUND_WINDOW = timedelta(days=180)
_FOOTER = re.compile(r"合计|小计|总计|共\d+笔")
Row = Sequence[object]


@dataclass(frozen=True, slots=True)
class Transaction:
    row: int  # line in the file (or the caller's numbering)
    account: str
    time: datetime
    amount: int  # fen, + in / − out
    balance: int | None = None
    counterparty_account: str = ""
    counterparty_name: str = ""
    counterparty_bank: str = ""
    serial: str = ""
    text: str = ""  # 摘要 / 交易类型 / 渠道
    category: str = "transfer"
    platform: str = ""
    currency: str = ""
    refund_of: int | None = None  # index of the original in the same list
    source: int = 0  # which statement of a merge

    def key(self) -> tuple[object, ...]:
        """Natural key: the serial number when there is one, else time + amount + counterparty."""
        if self.serial:
            return (self.account, "serial", self.serial, self.amount)
        return (self.account, "time", self.time, self.amount, self.counterparty_account)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True, slots=True)
class BalanceBreak:
    """The first row where the running balance does not reconcile."""

    row: int
    account: str
    expected: int
    found: int


@dataclass
class ParsedStatement:
    transactions: list[Transaction] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    balance_break: BalanceBreak | None = None
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)  # what was left out of the file, e.g. a notes sheet

    @property
    def balanced(self) -> bool:
        return self.balance_break is None


@dataclass
class Merged:
    transactions: list[Transaction]
    duplicates: int


class UnknownLayout(ValueError):
    """The columns are not a known layout: the user maps them (``Mapping.from_choice``)."""

    def __init__(self, rows: list[list[object]]) -> None:
        super().__init__("无法识别流水的列格式，请指定各列含义")
        self.rows = rows


def _cell(row: Row, mapping: Mapping, name: str) -> object:
    index = mapping.columns.get(name)
    if index is None or index >= len(row):
        return None
    return row[index]


def _text(row: Row, mapping: Mapping, name: str) -> str:
    return normalise(_cell(row, mapping, name))


def _identifier(row: Row, mapping: Mapping, name: str) -> str:
    """An account number or serial (numbers without ``.0``, Excel's text marks removed)."""
    return parse_identifier(_cell(row, mapping, name), FIELDS[name])


def _time(row: Row, mapping: Mapping) -> datetime | None:
    if "time" in mapping.columns:
        return parse_time(_cell(row, mapping, "time"))
    return combine(_cell(row, mapping, "date"), _cell(row, mapping, "time_of_day"))


def _money(row: Row, mapping: Mapping, name: str) -> int | None:
    return parse_amount(_cell(row, mapping, name), FIELDS[name], scale=mapping.scale(name))


def _amount(row: Row, mapping: Mapping) -> int | None:
    if mapping.split:
        debit = _money(row, mapping, "debit")
        credit = _money(row, mapping, "credit")
        if debit is None and credit is None:
            return None
        return (credit or 0) - (debit or 0)
    amount = _money(row, mapping, "amount")
    if amount is None or "direction" not in mapping.columns:
        return amount
    sign = direction_of(_cell(row, mapping, "direction"))
    if sign == 0:
        raise CellError(f"收付标志无法识别：{_text(row, mapping, 'direction')}")
    # flagged out: out, whether or not the bank also signed it (-3,000.00 借); flagged in, a minus sign
    # still means out (a credit reversed in red)
    return amount if sign > 0 else -abs(amount)


def _category(amount: int, text: str, counterparty: str) -> tuple[str, str]:
    platform = platform_of(f"{counterparty} {text}")
    found = classify(text, inflow=amount > 0)
    if found:
        return found, platform
    return ("third_party" if platform else "transfer"), platform


def parse_row(row: Row, mapping: Mapping, *, number: int, account: str = "") -> Transaction | None:
    """One transaction, ``None`` for a row that moves no money. Raises CellError."""
    moment, amount = _time(row, mapping), _amount(row, mapping)
    if moment is None:
        raise CellError("缺少交易时间")
    if amount is None:
        raise CellError("缺少交易金额")
    if amount == 0:
        return None
    own, other, serial = (
        _identifier(row, mapping, n) for n in ("own_account", "counterparty_account", "serial")
    )
    text = " / ".join(t for t in (_text(row, mapping, n) for n in ("summary", "kind", "channel")) if t)
    counterparty = " ".join(
        (_text(row, mapping, "counterparty_name"), other, _text(row, mapping, "counterparty_bank"))
    )
    category, platform = _category(amount, text, counterparty)
    return Transaction(
        row=number,
        account=own or account,
        time=moment,
        amount=amount,
        balance=_money(row, mapping, "balance"),
        counterparty_account=other,
        counterparty_name=_text(row, mapping, "counterparty_name"),
        counterparty_bank=_text(row, mapping, "counterparty_bank"),
        serial=serial,
        text=text,
        category=category,
        platform=platform,
        currency=_text(row, mapping, "currency"),
    )


def _without_trailing_blanks(cells: Sequence[str]) -> tuple[str, ...]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return tuple(cells[:end])


def repeats_header(cells: Sequence[str], header: Sequence[str]) -> bool:
    """The header again below the data (a statement exported page by page repeats it on each page)."""
    return bool(header) and _without_trailing_blanks(cells) == _without_trailing_blanks(header)


def _blank_or_footer(row: Row, mapping: Mapping) -> bool:
    """An empty line, the header repeated, or a line without a time of its own that is a 合计 / 小计 /
    共 N 笔 line (a footer word: a transfer whose 摘要 reads 货款合计 is a transaction) or a note of one
    filled cell (打印时间：…, 注：…, 经办柜员：… under the data; no transaction fits in one cell)."""
    cells = [normalise(c) for c in row]
    filled = sum(1 for c in cells if c)
    if not filled or repeats_header(cells, mapping.header):
        return True
    if filled > 1 and not any(_FOOTER.search(c) for c in cells):
        return False
    try:
        return _time(row, mapping) is None
    except CellError:
        return True


def parse_statement(
    rows: Sequence[Row], mapping: Mapping, *, account: str = "", first_row: int = 2
) -> ParsedStatement:
    """The data rows (header excluded) of one statement; ``first_row`` numbers the first of them."""
    parsed = ParsedStatement()
    for offset, row in enumerate(rows):
        number = first_row + offset
        if _blank_or_footer(row, mapping):
            continue
        parsed.rows_read += 1
        try:
            found = parse_row(row, mapping, number=number, account=account)
        except CellError as exc:
            parsed.errors.append(RowError(number, str(exc)))
            continue
        if found is not None:
            parsed.transactions.append(found)
    parsed.balance_break = check_balance(parsed.transactions)
    parsed.transactions = link_refunds(parsed.transactions)
    return parsed


def check_balance(transactions: Sequence[Transaction]) -> BalanceBreak | None:
    """The first row (in statement order) where balance ≠ previous balance ± amount, per account.

    Statements listed newest first are checked in that order (the previous row is then the later one).
    """
    by_account: dict[str, list[Transaction]] = defaultdict(list)
    for item in transactions:
        by_account[item.account].append(item)
    breaks = []
    for account, items in by_account.items():
        newest_first = len(items) > 1 and items[0].time > items[-1].time
        previous: Transaction | None = None
        for item in items:
            if item.balance is not None and previous is not None and previous.balance is not None:
                later, earlier = (previous, item) if newest_first else (item, previous)
                expected = earlier.balance + later.amount if earlier.balance is not None else 0
                if later.balance != expected:
                    breaks.append(BalanceBreak(item.row, account, expected, later.balance or 0))
                    break
            previous = item
    return min(breaks, key=lambda b: b.row) if breaks else None


def _matches(refund: Transaction, original: Transaction) -> bool:
    if original.category in ("refund", "reversal") or original.time > refund.time:
        return False
    if refund.time - original.time > REFUND_WINDOW:
        return False
    a, b = refund.counterparty_account, original.counterparty_account
    return not (a and b and a != b)


def link_refunds(transactions: Sequence[Transaction]) -> list[Transaction]:
    """Each refund / reversal linked to the transaction it undoes: same account, opposite direction,
    same amount, earlier, same counterparty when both name one — the one whose serial the refund quotes,
    else the latest such. Unmatched refunds keep ``refund_of=None``."""
    result = [replace(t, refund_of=None) for t in transactions]
    candidates: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, item in enumerate(result):
        candidates[(item.account, item.amount)].append(index)
    taken: set[int] = set()
    order = sorted(range(len(result)), key=lambda i: (result[i].time, i))
    for index in order:
        refund = result[index]
        if refund.category not in ("refund", "reversal"):
            continue
        pool = [
            i
            for i in candidates[(refund.account, -refund.amount)]
            if i not in taken and _matches(refund, result[i])
        ]
        quoted = [i for i in pool if len(result[i].serial) >= 6 and result[i].serial in refund.text]
        chosen = (quoted or sorted(pool, key=lambda i: (result[i].time, i)))[-1:] if pool else []
        if chosen:
            taken.add(chosen[0])
            result[index] = replace(refund, refund_of=chosen[0])
    return result


def merge_statements(statements: Sequence[ParsedStatement]) -> Merged:
    """All transactions once: a serial number counts once however often it is listed; without a
    serial, a transaction listed k times in one statement counts k times, and as often as the statement
    listing it most when statements overlap. Sorted by account and time; refunds relinked."""
    emitted: Counter[tuple[object, ...]] = Counter()
    kept: list[Transaction] = []
    total = 0
    for source, statement in enumerate(statements):
        local: Counter[tuple[object, ...]] = Counter()
        for item in statement.transactions:
            total += 1
            key = item.key()
            local[key] += 1
            limit = 1 if item.serial else local[key]
            if emitted[key] < limit:
                emitted[key] += 1
                kept.append(replace(item, source=source))
    kept.sort(key=lambda t: (t.account, t.time, t.source, t.row))
    return Merged(transactions=link_refunds(kept), duplicates=total - len(kept))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (which covers GBK / GB2312), else a detected codec."""
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ValueError("无法识别文件编码")
    return str(best)


_WORKBOOK = (".xlsx", ".xls", ".xlsm", ".ods")


def read_sheets(path: str | Path) -> list[tuple[str, list[list[object]]]]:
    """Each sheet of a workbook that has rows, as (name, rows); a CSV / TXT (comma, tab, | or ;
    separated) is one sheet."""
    path = Path(path)
    if path.suffix.lower() in _WORKBOOK:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        sheets: list[tuple[str, list[list[object]]]] = []
        for index, name in enumerate(book.sheet_names):
            sheet = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
            rows: list[list[object]] = [list(row) for row in sheet]
            if any(normalise(c) for row in rows for c in row) or index == 0:
                sheets.append((name, rows))
        return sheets
    text = decode(path.read_bytes())
    sample = "\n".join(text.splitlines()[:40])
    delimiter = max(",\t|;", key=sample.count)
    return [("", [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)])]


def read_rows(path: str | Path) -> list[list[object]]:
    """All rows of a CSV / TXT or the first sheet of an XLSX / XLS (the mapping page shows these)."""
    return read_sheets(path)[0][1]


def _header_at(rows: list[list[object]], mapping: Mapping | None) -> tuple[int, Mapping] | None:
    if mapping is None:
        return find_header(rows)
    wanted = [normalise(c) for c in mapping.header]
    start = next((i for i, r in enumerate(rows[:30]) if [normalise(c) for c in r] == wanted), None)
    return None if start is None else (start, mapping)


def _looks_like_transaction(row: Row, mapping: Mapping) -> bool:
    """A row with a time and an amount in the statement's columns (an unreadable one is neither)."""
    names = [name for name in ("amount", "debit", "credit") if name in mapping.columns]
    try:
        return _time(row, mapping) is not None and any(_money(row, mapping, n) is not None for n in names)
    except CellError:
        return False


def _continues(rows: list[list[object]], mapping: Mapping) -> bool:
    """Whether a later sheet without a header continues the statement: some row reads as a
    transaction in its columns (a 说明 / 备注 sheet of free text has none)."""
    return any(_looks_like_transaction(row, mapping) for row in rows)


def _skipped_sheet(name: str) -> str:
    return f"工作表“{name}”没有流水的表头，也没有交易行（时间和金额），已跳过"


def _in_sheet(part: ParsedStatement, name: str) -> ParsedStatement:
    """Row errors of a later sheet name it (its rows are numbered within it)."""
    part.errors = [RowError(e.row, f"工作表“{name}”{e.message}") for e in part.errors]
    return part


def read_statement(path: str | Path, *, mapping: Mapping | None = None, account: str = "") -> ParsedStatement:
    """A statement file parsed with ``mapping`` or a detected one; raises UnknownLayout otherwise.

    With a given mapping the header is the first row whose cells equal the mapping's header (or row 1).
    Every sheet of a workbook is read: sheets before the first with a header (a cover page) are
    skipped; a later sheet has its own header or continues the previous one's columns from its first
    row (a long export split over sheets) when a row of it has a time and an amount there. A later
    sheet with neither (a 说明 / 备注 sheet of free text) is skipped, named in ``notes``.
    """
    sheets = read_sheets(path)
    parts: list[ParsedStatement] = []
    notes: list[str] = []
    current = mapping
    for name, rows in sheets:
        found = _header_at(rows, mapping)
        if found is None and parts and current is not None and not _continues(rows, current):
            notes.append(_skipped_sheet(name))
            continue
        if found is None and current is not None and (parts or mapping is not None):
            # the user's mapping, its header not found as written: from row 1 (as before); a later
            # sheet without a header continues the previous one's columns from its first row
            found = (0 if not parts else -1, current)
        if found is None:
            continue
        start, current = found
        own = account or preamble_account(rows[: max(start, 0)])
        part = parse_statement(rows[start + 1 :], current, account=own, first_row=start + 2)
        parts.append(_in_sheet(part, name) if parts else part)
        account = account or own
    if not parts:
        raise UnknownLayout(sheets[0][1][:30])
    joined = _joined(parts)
    joined.notes = notes
    return joined


def _joined(parts: list[ParsedStatement]) -> ParsedStatement:
    if len(parts) == 1:
        return parts[0]
    transactions = [t for part in parts for t in part.transactions]
    return ParsedStatement(
        transactions=link_refunds(transactions),
        errors=[e for part in parts for e in part.errors],
        balance_break=check_balance(transactions),
        rows_read=sum(part.rows_read for part in parts),
    )
