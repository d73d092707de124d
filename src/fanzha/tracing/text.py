"""Cell values of bank statements: amounts in fen (分) and times, as banks write them.

Amounts: thousands separators, full-width digits, 元 / ¥ / RMB / CNY / 人民币, a sign in front or behind,
and accounting negatives in parentheses — ``"（１,２３４.５０）元"`` is −123450 fen; a formula's float
(``0.30000000000000004``) is the fen it stands for. Thousands grouped by a dot or a space with a decimal
comma (``1.000,00``, ``1 000,00``, ``12,50``) read as written; a point before exactly three figures
(``1.000``: 1 yuan, or 1,000 grouped?) and commas or dots that group no thousands are refused.
Times: ``2024-03-05 14:22:01``, ``2024/3/5 14:22``, ``20240305142201``, ``2024年3月5日 14时22分01秒``,
``2024/3/5 下午 2:22`` (Chinese Excel's 12-hour clock), ``2024-03-05-14.22.01.000000`` (a DB2
timestamp, as bank core systems write it), ``15/3/2024`` or ``3/15/2024`` when the order is unambiguous,
a date and a time in two columns, Excel serial numbers (also written as text,
``45356.5``), Unix seconds or milliseconds, with or without a fraction (read as China time) and
``datetime`` objects from XLSX readers.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

_UNITS = re.compile(r"(人民币|RMB|CNY|元|¥|\s|')", re.IGNORECASE)
# Another currency's sign or code: the amount is not in yuan (the columnar path refuses it too).
_FOREIGN = re.compile(r"\$|USD|EUR|HKD|€|£|美元|港币|欧元", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_SEPARATORS = str.maketrans(
    {"年": "-", "月": "-", "/": "-", ".": "-", "日": " ", "时": ":", "点": ":", "分": ":", "秒": ""}
)
_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.:]\d+)?)?:?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2}):?(\d{2}):?(\d{2})?)?$")
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?$")
_FRACTION = re.compile(r"(\d:\d{2})\.\d+$")
# A DB2 timestamp, as bank core systems write it: 2026-11-20-10.00.02.123456 (or a date, a space and the
# time 10.00.02). The columnar path reads it with the same pattern.
DB2_TIMESTAMP = r"^(\d{4}-\d{1,2}-\d{1,2})[- T](\d{1,2})\.(\d{2})\.(\d{2})(?:\.\d+)?$"
_DB2_TIMESTAMP = re.compile(DB2_TIMESTAMP)
_DOTTED_CLOCK = re.compile(r"^(\d{1,2})\.(\d{2})\.(\d{2})(?:\.\d+)?$")  # DB2's time of day: 10.00.02
_EXCEL_EPOCH = datetime(1899, 12, 30)
_DAY_LAST = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})(?=$|[ T])(.*)$")  # 15/3/2024 or 3/15/2024
# 12-hour clocks: Chinese Excel writes "2024/3/5 下午 2:22:01"; English ones "2:22 PM".
_MERIDIEM = re.compile(r"上午|早上|凌晨|中午|下午|晚上|(?<![A-Z])[AP]\.?M\.?(?![A-Z])", re.IGNORECASE)
_AFTERNOON = ("下午", "晚上", "P")
_SERIAL_TEXT = re.compile(r"^\d{5}(\.\d+)?$")  # an Excel serial a CSV export wrote as text
_DAY_FRACTION = re.compile(r"^0?\.\d+$")  # a time of day as Excel keeps it, written as text
_SERIAL_RANGE = (20000, 80000)  # 1954 … 2119: a date, not some other number
# Unix seconds or milliseconds, a fraction dropped (1795000000.5: Python's time.time(), JavaScript's /1000)
_EPOCH = re.compile(r"^\d{10}(\d{3})?(\.\d+)?$")
_EPOCH_RANGE = (946684800, 4102444800)  # 2000 … 2100
CHINA = ZoneInfo("Asia/Shanghai")


_WRAPPED = re.compile(r'^="(.*)"$')  # ="6222…": a CSV cell written so that Excel keeps it text
_TEXT_MARK = re.compile(r"^['`]+")  # '6222…: Excel's mark for a number kept as text
_POINT_ZERO = re.compile(r"^(\d+)\.0+$")  # 20261120001.0: a whole number written from a float
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$", re.IGNORECASE)  # 6.2170012E+18
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number; the rest are lost
# An amount an Excel formula computed is a binary float a hair off the fen (0.1 + 0.2 is written
# 0.30000000000000004): within 1e-6 元 of a whole number of fen it is that number; a real fraction of a
# fen (0.305) is an error. The DuckDB path uses the same slack (columnar.py).
FEN_SLACK = Decimal("0.0001")  # fen
# No amount in a statement or a case reaches 1 万亿元 (10^12 yuan, 10^14 fen): the largest single
# transfers between companies are tens of billions of yuan, and the accounts a fraud case looks at
# hold far less. A card or account number (16–19 digits) or an ID number (18) put in an amount column
# is far above it and is refused on its row instead of read as a huge amount (a 19-digit one would
# not even fit the database's 64-bit fen column). Not caught: an 11-digit phone number (≤ 2×10^10 元),
# which is still within reach of a real company's balance.
AMOUNT_CEILING_FEN = 10**14
AMOUNT_CEILING_TEXT = "1 万亿元"


class CellError(ValueError):
    """A cell that cannot be read; the message is in Chinese, for the user."""


class UnclearSeparators(CellError):
    """An amount whose dots and commas do not say which is the decimal point (1.000, 1,2345)."""

    def __init__(self, reason: str, cell: str) -> None:
        super().__init__(f"{reason}：{cell}")
        self.reason = reason  # without the cell, for a message that quotes the cell apart


class NotAnAmount(CellError):
    """An amount cell far above any amount (``AMOUNT_CEILING_FEN``): most likely an account number."""


def normalise(value: object) -> str:
    """NFKC (full-width digits and letters → half-width), stripped; ``None`` → ``""``."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def digits_lost(label: str) -> str:
    """The row error for a number Excel cut short; the (partial) number is not in it, as row errors
    are stored and shown."""
    return (
        f"{label}被 Excel 存成了数字，只保留 {EXCEL_DIGITS} 位有效数字，其余位数已丢失；"
        "请把该列设为文本后重新导出"
    )


def parse_identifier(value: object, label: str) -> str:
    """An account number or serial as text: whole numbers without ``.0``, Excel's text marks (``'``,
    ``="…"``) removed. Raises CellError when Excel kept only 15 digits (a longer number, ``6.2E+18``)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= 10**EXCEL_DIGITS:
            raise CellError(digits_lost(label))
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    text = normalise(value)
    wrapped = _WRAPPED.match(text)
    text = _TEXT_MARK.sub("", wrapped.group(1) if wrapped else text).strip()
    if _SCIENTIFIC.match(text):
        raise CellError(digits_lost(label))
    point_zero = _POINT_ZERO.match(text)
    return point_zero.group(1) if point_zero else text


def not_an_amount(label: str) -> str:
    """The row error for an amount column holding something far above any amount (an account number)."""
    return f"{label}超过 {AMOUNT_CEILING_TEXT}，不像金额（是否把账号等填进了该列？）"


def _plausible(fen: int, value: object, label: str) -> int:
    if abs(fen) >= AMOUNT_CEILING_FEN:
        raise NotAnAmount(f"{not_an_amount(label)}：{normalise(value)}")
    return fen


# How thousands and the decimal point are written (the columnar path uses the same patterns). A group of
# thousands is three figures; a decimal comma has one or two after it.
GROUPED_BY_COMMAS = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"  # 1,234,567.89 (as Chinese banks write)
GROUPED_BY_DOTS = r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]*)?"  # 1.234.567,89 (as European systems write)
DECIMAL_COMMA = r"[0-9]*,[0-9]{1,2}"  # 1000,50 (or 1 000,50, the spaces taken away)
# A point before exactly three figures, the first not 0: 1.000 is 1 yuan with a decimal point, 1,000 yuan
# grouped by a dot. No rule tells them apart in one cell, so neither is guessed.
UNCLEAR_POINT = r"[1-9][0-9]{0,2}\.[0-9]{3}"


def unclear_point(label: str) -> str:
    return f"{label}的小数点不明确（如 1.000 是 1 元还是 1000 元？），请写成 1000.00 或 1.00 后重新导出"


def not_grouped(label: str) -> str:
    return f"{label}的逗号或点不在千分位上，读不出确定的数（请写成 1,000.00 或 1000.00）"


def _without_separators(body: str, label: str, cell: str, *, typed: bool) -> str:
    """``body`` (digits, ``.`` and ``,``; no sign) as a plain decimal number. A float's repr (``typed``
    false) is never grouped: its point is a decimal point."""
    if typed and re.fullmatch(UNCLEAR_POINT, body):
        raise UnclearSeparators(unclear_point(label), cell)
    if "," not in body and body.count(".") <= 1:
        return body
    if re.fullmatch(GROUPED_BY_COMMAS, body):
        return body.replace(",", "")
    if re.fullmatch(GROUPED_BY_DOTS, body):
        return body.replace(".", "").replace(",", ".")
    if re.fullmatch(DECIMAL_COMMA, body):
        return body.replace(",", ".")
    raise UnclearSeparators(not_grouped(label), cell)


def parse_amount(value: object, label: str = "金额", *, scale: int = 1) -> int | None:
    """The amount in fen, signed; ``None`` for an empty cell. ``scale`` is the yuan one unit of the
    column is (10,000 for a column headed 万元). Raises CellError, also for an amount of
    ``AMOUNT_CEILING_FEN`` or more (the message names the column, ``label``)."""
    if isinstance(value, bool):
        raise CellError(f"金额无法识别：{value}")
    if isinstance(value, int):
        return _plausible(value * 100 * scale, value, label)
    typed = not isinstance(value, float)
    if isinstance(value, float):
        value = repr(value)
    text = normalise(value)
    if text in {"", "-", "--", "—"}:
        return None
    if _FOREIGN.search(text):
        raise CellError(f"{label}不是人民币金额（外币），请折算为人民币后导入：{text}")
    negative = False
    text = _UNITS.sub("", text)
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-") and len(text) > 1:
        negative, text = not negative, text[:-1]
    sign, body = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
    if re.fullmatch(r"[0-9.,]+", body):
        text = sign + _without_separators(body, label, normalise(value), typed=typed)
    if not _NUMBER.match(text):
        raise CellError(f"金额无法识别：{normalise(value)}")
    try:
        cents = Decimal(text) * 100 * scale
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes it
        raise CellError(f"金额无法识别：{normalise(value)}") from exc
    fen = cents.to_integral_value()
    if abs(cents - fen) > FEN_SLACK:
        raise CellError(f"金额精度超过分：{normalise(value)}")
    return _plausible(-int(fen) if negative else int(fen), value, label)


def _from_excel(serial: float) -> datetime:
    if not 1 <= serial < 2958466:
        raise CellError(f"时间无法识别：{serial}")
    moment = _EXCEL_EPOCH + timedelta(days=serial)
    return moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))


def _build(parts: tuple[str | None, ...], original: str) -> datetime:
    year, month, day, hour, minute, second = (int(p) if p else 0 for p in parts)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise CellError(f"时间无法识别：{original}") from exc


# An ISO 8601 time with its offset from UTC, as a system's export writes it: the day, the time, and Z or
# the offset's sign, hours and minutes (the columnar path reads it with the same pattern).
ISO_WITH_OFFSET = r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d{1,6})?(Z|([+-])(\d{2}):?(\d{2}))$"
_WITH_OFFSET = re.compile(ISO_WITH_OFFSET)


def parse_time(value: object) -> datetime | None:
    """A moment (naive, the bank's local time); ``None`` for an empty cell. Raises CellError."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 1e7:
        return _from_excel(float(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 20261103 or 20261103080507 kept as a number, read back as a float
    text = normalise(value)
    if not text:
        return None
    number = _plain_number(text)
    if number is not None:
        return number
    if _WITH_OFFSET.match(text):  # 2026-11-20T10:00:02.000+08:00, …Z: a system's ISO time, on China's clock
        return _with_offset(text)
    text = _FRACTION.sub(r"\1", _DB2_TIMESTAMP.sub(r"\1 \2:\3:\4", text))
    meridiem = _MERIDIEM.search(text)
    bare = _MERIDIEM.sub(" ", text) if meridiem else text
    squeezed = re.sub(r"\s+", " ", bare.translate(_SEPARATORS)).strip()
    parts = _date_parts(squeezed, text)
    if meridiem:
        parts = _twelve_hour(parts, meridiem.group(0), text)
    return _build(parts, text)


def _with_offset(text: str) -> datetime:
    """An ISO time with its offset on China's clock; a day or offset that cannot be (2026-02-30) is the
    cell's error, as any other time's."""
    try:
        return datetime.fromisoformat(text).astimezone(CHINA).replace(tzinfo=None, microsecond=0)
    except ValueError as exc:
        raise CellError(f"时间无法识别：{text}") from exc


def _plain_number(text: str) -> datetime | None:
    """A time written as a bare number: an Excel serial as text, Unix seconds or milliseconds."""
    if _SERIAL_TEXT.match(text) and _SERIAL_RANGE[0] <= float(text) < _SERIAL_RANGE[1]:
        return _from_excel(float(text))
    if _EPOCH.match(text):
        seconds = int(text[:10])
        if _EPOCH_RANGE[0] <= seconds < _EPOCH_RANGE[1]:
            return datetime.fromtimestamp(seconds, UTC).astimezone(CHINA).replace(tzinfo=None)
    return None


def _date_parts(squeezed: str, original: str) -> tuple[str | None, ...]:
    """Year, month, day, hour, minute, second of a time whose separators are ``-`` and ``:``."""
    day_last = _DAY_LAST.match(squeezed)
    if day_last is None:
        found = _DATETIME.match(squeezed) or _COMPACT.match(squeezed.replace("-", ""))
        if found is None:
            raise CellError(f"时间无法识别：{original}")
        return tuple(found.groups())
    first, second, year, rest = day_last.groups()
    if int(first) > 12 >= int(second):
        month, day = second, first
    elif int(second) > 12 >= int(first):
        month, day = first, second
    else:
        raise CellError(f"日期顺序不明确（日/月还是月/日？），请写成年-月-日：{original}")
    found = _DATETIME.match(f"{year}-{month}-{day}{rest}")
    if found is None:
        raise CellError(f"时间无法识别：{original}")
    return tuple(found.groups())


def _twelve_hour(parts: tuple[str | None, ...], marker: str, original: str) -> tuple[str | None, ...]:
    """The hour of a 12-hour clock (上午/下午, AM/PM) on the 24-hour clock."""
    hour = int(parts[3]) if parts[3] else None
    if hour is None or not 0 <= hour <= 12:
        raise CellError(f"时间无法识别：{original}")
    if marker == "中午":  # 中午12点 is noon, 中午1点 is 13:00
        hour = hour + 12 if hour < 11 else hour
    elif marker.upper().startswith(_AFTERNOON):
        hour = hour % 12 + 12
    else:
        hour %= 12
    return (*parts[:3], str(hour), *parts[4:])


def parse_time_of_day(value: object) -> time | None:
    """``14:22:01``, ``14:22``, ``142201``, ``92201`` or a ``time`` / Excel fraction of a day."""
    if isinstance(value, time):
        return value.replace(microsecond=0)
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:
        return _from_excel(1 + value).time()
    text = normalise(value).replace("时", ":").replace("分", ":").replace("秒", "").rstrip(":")
    if not text:
        return None
    if _DAY_FRACTION.match(text):  # an Excel fraction of a day written as text: 0.3958333333 is 09:30
        return _from_excel(1 + float(text)).time()
    found = _TIME_OF_DAY.match(text) or _DOTTED_CLOCK.match(text)
    if found is None and text.isdigit() and len(text) in (5, 6):
        text = text.zfill(6)
        found = _TIME_OF_DAY.match(f"{text[:2]}:{text[2:4]}:{text[4:]}")
    if found is None:
        raise CellError(f"时间无法识别：{text}")
    hour, minute, second = (int(p) if p else 0 for p in found.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(f"时间无法识别：{text}")
    return time(hour, minute, second)


_CLOCK_TEXT = re.compile(r"^\d{1,6}$")  # 080507 or 75959 in a time column: a time of day, not a day


def _clock_number(moment: object) -> object | None:
    """A time column's number that is a time of day written HHMMSS (``None`` when it is not one): Excel
    keeps ``080507`` as the number 80507, a CSV export writes ``75959``; never an Excel serial day.
    A number cell gets its lost leading zeros back (0 is midnight)."""
    if isinstance(moment, bool):
        return None
    if isinstance(moment, int | float) and float(moment).is_integer() and 0 <= moment < 240000:
        return f"{int(moment):06d}"
    if isinstance(moment, str) and _CLOCK_TEXT.match(normalise(moment)):
        return moment
    return None


def combine(day: object, moment: object) -> datetime | None:
    """A date column and a time column; the time column may also hold the whole moment (a date and
    time, an Excel serial with its fraction), but a bare ``HHMMSS`` number in it is a time of day."""
    clock_number = _clock_number(moment)
    if clock_number is not None:
        moment = clock_number
    elif moment not in (None, ""):
        try:
            full = parse_time(moment)
        except CellError:
            full = None
        if full is not None and (full.year > 1900 and not isinstance(moment, time)):
            return full
    base = parse_time(day)
    if base is None:
        return None
    clock = parse_time_of_day(moment)
    return datetime.combine(base.date(), clock) if clock is not None else base


def format_fen(fen: int) -> str:
    """``123450`` → ``"1,234.50"``."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"
