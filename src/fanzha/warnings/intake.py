"""Cleaning one received warning: what identifies the person, what is only flagged, what is unusable.

Nothing here touches the database. A row is *rejected* only when the person can be neither
identified nor reached; every other problem becomes a data-quality flag on the warning and a
row notice ("row warning") for whoever sent it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar, cast

from django.conf import settings
from django.utils import timezone

from fanzha.core.pii import idcard, phone
from fanzha.core.pii.masking import mask, quoted
from fanzha.tracing.text import CellError
from fanzha.tracing.text import parse_time as cell_time
from fanzha.warnings import levels, typology

# The clock of a sender may run ahead: up to this much is accepted with a notice.
FUTURE_TOLERANCE = dt.timedelta(hours=48)
EARLIEST_YEAR = 2000  # no centre pushed warning lists before; earlier times are spreadsheet artefacts

QUALITY_FLAGS: dict[str, str] = {
    "id_checksum_wrong": "身份证号校验码错误，待更正",
    "id_invalid": "身份证号无效（格式或出生日期），待更正",
    "id_region_unknown": "身份证地址码未知或不在有效期内，请人工核对",
    "phone_invalid": "手机号码不存在，待更正",
    "time_in_future": "预警时间晚于接收时间",
    "time_invalid": "预警时间无法识别，按接收时间计",
    "source_unknown": "未知的预警来源",
    "address_unplaced": "地址无法定位到村（社区），待中心定位",
    "fraud_type_unknown": "诈骗类型无法识别，按“其他诈骗”处理",
    "amount_invalid": "涉案金额无法识别",
}

# code → (name, aliases)
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "superior": (
        "上级推送",
        ("上级", "上级反诈中心", "省厅推送", "市局推送", "省反诈中心", "市反诈中心", "96110")
        + ("superior push", "pushed by superior"),
    ),
    "operator": ("运营商", ("通信运营商", "中国移动", "中国联通", "中国电信", "移动", "联通", "电信")),
    "bank": ("银行", ("银行推送", "金融机构")),
    "screening": ("筛查引擎", ("系统筛查", "模型筛查", "筛查", "screening engine")),
    "tip": ("群众举报", ("举报", "线索", "public report", "public tip", "tip", "tip line", "hotline")),
    "manual": ("人工录入", ("手工录入", "录入", "manual entry")),
}  # English aliases in lower case: compared without case
DEFAULT_SOURCE = "superior"
TRUE_WORDS = {"1", "是", "有", "y", "yes", "true", "√", "✓", "✔", "正在转账", "转账中", "正在"}
FALSE_WORDS = {"0", "否", "无", "n", "no", "false", "×", "✗"}
# 备注 / 预警说明 saying the money is leaving now ("正在向对方转账", "准备汇款", "转账中。"), when no
# 正在转账 column says otherwise. Words of a stop ("劝阻其停止转账") or a past transfer ("已转账")
# do not match.
TRANSFER_UNDER_WAY = re.compile(
    r"(?:正在|准备|即将|打算|欲)[^，。；,;劝阻止拦停不未没]{0,15}?(?:转账|汇款|付款|打款|转钱|充值|缴纳)"
    r"|(?:转账|汇款|付款)中(?=$|[，。；,;！!）)\s])"
)
# A negation right before those words says the opposite: 不准备转账, 没有准备转账, 并未准备汇款, 没在转账中.
TRANSFER_DENIED = re.compile(r"(?:没有|不|未|没|无|勿|别|停止|放弃|拒绝)(?:再|在|会|要)?$")
UNKNOWN_TYPE = "fraud_type_unknown"
UNUSABLE = "无法识别或联系当事人：没有有效的身份证号、没有有效的手机号，也没有姓名加住址或姓名加身份证号"


# What a cell holds when there is nothing to say (and Excel's error values): read as empty.
PLACEHOLDERS = frozenset(
    {"无", "/", "-", "--", "—", "——", "不详", "未知", "暂无", "空", "null", "none", "n/a", "na"}
    | {"#n/a", "#value!", "#ref!", "#div/0!", "#name?", "#num!", "#null!"}
)


_ASCII_FIRST = {p[0] for p in PLACEHOLDERS} | {p[0].upper() for p in PLACEHOLDERS}
# First characters a placeholder may start with (full-width forms and white space too): most cells
# are ruled out by this one set lookup.
PLACEHOLDER_FIRST = frozenset(
    _ASCII_FIRST | {chr(ord(c) + 0xFEE0) for c in _ASCII_FIRST if c.isascii()} | set(" \t\u3000\u00a0")
)


def is_placeholder(text: str) -> bool:
    """Whether a cell only says "nothing" (无, /, -, 不详, #N/A …)."""
    if not isinstance(text, str) or not text or len(text) > 9 or text[0] not in PLACEHOLDER_FIRST:
        return False
    return unicodedata.normalize("NFKC", text).strip().lower() in PLACEHOLDERS


def source_label(code: str) -> str:
    return SOURCES.get(code, (code, ()))[0]


# Words in a sender's own name that tell its kind: 江州市公安局反诈中心, 中国工商银行江州分行, 江州移动.
SOURCE_WORDS: dict[str, tuple[str, ...]] = {
    "superior": (
        ("反诈中心", "公安部", "公安厅", "公安局", "省厅", "市局", "反诈App", "反诈APP")
        + ("反诈大数据", "96110", "上级", "部级", "省级", "市级")  # 上级下发, 部级推送, 市级推送
    ),
    "operator": ("移动", "联通", "电信", "广电", "运营商"),
    "bank": (
        ("银行", "农商行", "信用社", "农信社", "支付", "金融", "银联", "财付通")
        + ("工行", "农行", "中行", "建行", "交行", "招行", "邮储")  # the banks' short names
    ),
}
# The same in a list written in English (Provincial Anti-Fraud Center, China Mobile, ICBC …): lower case.
SOURCE_WORDS_EN: dict[str, tuple[str, ...]] = {
    "superior": ("superior", "anti-fraud", "antifraud", "police", "public security", "ministry"),
    "operator": ("mobile", "unicom", "telecom", "operator", "carrier"),
    "bank": ("bank", "icbc", "unionpay", "alipay", "tenpay", "wechat pay", "payment"),
}


def resolve_source(text: str) -> tuple[str, bool]:
    """The source code for a name or code, and whether it was known (unknown: the name itself).

    A code, name or alias of ``SOURCES``, else a sender named by its kind (``SOURCE_WORDS``).
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return DEFAULT_SOURCE, True
    lowered = value.lower()
    for code, (name, aliases) in SOURCES.items():
        if lowered == code or value == name or lowered in aliases:
            return code, True
    for code, words in SOURCE_WORDS.items():
        if any(word in value for word in words):
            return code, True
    for code, words in SOURCE_WORDS_EN.items():
        if any(word in lowered for word in words):
            return code, True
    return value[:40], False


@dataclass
class WarningInput:
    """A warning as received: texts (a file row, a form, a JSON body)."""

    source: str = ""
    source_id: str = ""
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    fraud_type: str = ""
    warned_at: str | dt.datetime | None = None
    amount: str = ""
    suspect_numbers: str = ""
    suspect_accounts: str = ""
    notes: str = ""
    call_count: str = ""
    callback_count: str = ""
    transfer_in_progress: str | bool = ""
    pushed_level: str = ""  # 预警级别: the sender's own level (levels.read_level), for the grading rules
    registered_address: str = ""  # 户籍地址: kept for the feedback (a file's importer routes by it)
    # A file's columns read into the address, the type or the notes, kept as written for the feedback.
    township: str = ""  # 乡镇（街道）: joined in front of the address
    village: str = ""  # 村（社区）: joined in front of the address
    warning_kind: str = ""  # 预警类型: the fraud type when the row has none, else a note
    warning_reason: str = ""  # 预警原因: the same
    # A file's columns no field reads, header → text as masked (services.mask_unread): kept for the
    # feedback, which sends the list back in its own layout.
    other_cells: dict[str, str] = field(default_factory=dict)


@dataclass
class CleanWarning:
    source: str
    source_id: str
    name: str
    id_number: str  # valid and normalised, or ""
    id_number_raw: str  # kept for correction when flagged
    phone: str
    phone_raw: str
    address: str
    fraud_type: str
    warned_at: dt.datetime
    amount: Decimal | None
    suspect_numbers: str
    suspect_accounts: str
    notes: str
    facts: dict[str, Any]
    flags: list[str] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (column label, message)
    id_check: idcard.IdNumberCheck | None = None  # the check of a valid ``id_number``, kept for reuse
    phone_written: str = ""  # a local landline as written, before the centre's trunk code completed it
    typed_by_table: bool = False  # the type came from the centre's table (诈骗类型对照), not the typology
    suspect_numbers_written: str = ""  # the suspect numbers as written, when normalising changed them
    earlier_source_ids: tuple[str, ...] = ()  # a derived id as made before (:func:`earlier_source_ids`)

    def flag(self, code: str, column: str, message: str = "") -> None:
        if code not in self.flags:
            self.flags.append(code)
        self.notices.append((column, message or QUALITY_FLAGS[code]))


class Memo:
    """What repeats across the rows of one file, worked out once: sources, times, types, amounts."""

    def __init__(self) -> None:
        self.sources: dict[str, tuple[str, bool]] = {}
        self.times: dict[str, dt.datetime | None | CellError] = {}
        self.types: dict[str, tuple[str | None, bool]] = {}  # text → (its code, from the centre's table)
        self.amounts: dict[str, tuple[Decimal | None, str] | ValueError] = {}
        self.centre_types: dict[str, str] | None = None

    def source(self, text: str) -> tuple[str, bool]:
        found = self.sources.get(text)
        if found is None:
            found = self.sources[text] = resolve_source(text)
        return found

    def time(self, value: str | dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
        """:func:`parse_time` once per distinct text (``now`` matters only for a day without a year:
        the first row's stands for the file)."""
        if not isinstance(value, str):
            return parse_time(value, now)
        return _remembered(self.times, value, lambda: parse_time(value, now), CellError)

    def fraud_type(self, text: str) -> str | None:
        """The typology's code for ``text``, else the centre's table's (read once, when first needed)."""
        return self.type_of(text)[0]

    def type_of(self, text: str) -> tuple[str | None, bool]:
        """:meth:`fraud_type`, and whether the centre's table gave it."""
        found = self.types.get(text)
        if found is None:
            code = typology.resolve(text)
            if code is not None:
                found = (code, False)
            else:
                code = self._centre_types().get(typology.key(text))
                found = (code, code is not None)
            self.types[text] = found
        return found

    def _centre_types(self) -> dict[str, str]:
        if self.centre_types is None:
            from fanzha.warnings.type_aliases import centre_types  # the table is a model: read lazily

            self.centre_types = centre_types()
        return self.centre_types

    def amount(self, text: str) -> tuple[Decimal | None, str]:
        """:func:`read_amount` once per distinct text."""
        key = str(text)
        return _remembered(self.amounts, key, lambda: read_amount(key), ValueError)


T = TypeVar("T")


def _remembered(store: dict[str, Any], key: str, compute: Callable[[], T], error: type[Exception]) -> T:
    """``compute()`` once per key; an ``error`` it raises is remembered too and raised again."""
    if key not in store:
        try:
            store[key] = compute()
        except error as exc:
            store[key] = exc
    found = store[key]
    if isinstance(found, error):
        raise found
    return cast(T, found)


class Unusable(Exception):
    """The person can be neither identified nor reached; the message is Chinese."""


def parse_time(value: str | dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """The warning time of a cell (aware), None for an empty cell; raises CellError saying why not.

    ISO 8601 (with an offset: ``2026-11-28T09:00:00+08:00``), else the shapes Chinese lists and
    statements write (:func:`fanzha.tracing.text.parse_time`: ``2026年11月28日 9时30分``,
    ``2026/11/28 下午 3:05``, a report's ``9时许`` / ``9点半`` / ``晚8时``, …); a weekday written after
    the day (星期六, 周六, (六)) is passed over. A day without a year (``11月28日 9:30``, ``11-28 9:30``,
    ``11/28``) is the latest such day that is not beyond the clock-skew tolerance after ``now``.
    """
    if isinstance(value, dt.datetime):
        return _aware(value)
    written = unicodedata.normalize("NFKC", value or "").strip()
    text = _spoken(_WEEKDAY.sub(" ", written).strip())
    if not text:
        return None
    if _LETTERS.search(text):  # 28 Nov 2026, Nov 28, 2026
        text = _english_month(text)
    text = _NO_YEAR_NUMERIC.sub(r"\1月\2日", text)
    if _NO_YEAR.match(text):
        return _latest_year(text, now, written)
    parsed: dt.datetime | None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        text, zone = without_zone(text)
        try:
            parsed = cell_time(text)
        except CellError as exc:  # quote the cell as written, not as read (9时〇8分, not 9时08分)
            if str(exc) == f"时间无法识别：{text}":
                raise CellError(f"时间无法识别：{written}") from exc
            raise
        if parsed is not None and zone is not None:
            parsed = parsed.replace(tzinfo=zone)
    return _aware(parsed) if parsed is not None else None


# A time zone written after the time, as systems and people export it: +0800, +08:00, +8, UTC+8,
# GMT+08:00, (UTC+08:00), UTC, GMT, Z; CST (as a Chinese system's Java prints China time) and 北京时间.
# A minus only after UTC or GMT: 09:30-10:00 is a span of time, not 09:30 at UTC−10.
_ZONE = re.compile(
    r"\s*[(（]?(?:"
    r"(?:UTC|GMT)\s*(?:(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?"
    r"|\+\s*(?P<east>\d{1,2})(?::?(?P<east_minutes>\d{2}))?"
    r"|(?P<china>CST|北京时间)"
    r"|Z"
    r")[)）]?$"
)
CHINA_ZONE = dt.timezone(dt.timedelta(hours=8))


def without_zone(text: str) -> tuple[str, dt.tzinfo | None]:
    """The text without the time zone written after it, and that zone (None: none written)."""
    found = _ZONE.search(text)
    if found is None or found.start() == 0:
        return text, None
    if found["china"]:
        return text[: found.start()], CHINA_ZONE
    hours, minutes = found["hours"] or found["east"], found["minutes"] or found["east_minutes"]
    offset = dt.timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    if offset > dt.timedelta(hours=14):
        return text, None
    return text[: found.start()], dt.timezone(-offset if found["sign"] == "-" else offset)


_NO_YEAR = re.compile(r"^\d{1,2}月\d{1,2}日")
# A day written with an English month, as a list with English headers may: 28 Nov 2026, 28-Nov-2026,
# Nov 28, 2026, November 28 2026 (the time of day after it).
_LETTERS = re.compile(r"[A-Za-z]{3}")
_DAY_MONTH_YEAR = re.compile(r"^(?P<day>\d{1,2})[\s-]*(?P<month>[A-Za-z]{3,9})\.?[\s-]*(?P<year>\d{4})\b")
_MONTH_DAY_YEAR = re.compile(
    r"^(?P<month>[A-Za-z]{3,9})\.?\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(?P<year>\d{4})\b"
)
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september")
MONTHS += ("october", "november", "december")


# An English weekday in front (Sat, 28 Nov 2026 09:30:00 +0800; Saturday, November 28, 2026), and the
# way Java prints a date (Sat Nov 28 09:30:00 CST 2026: CST is China's on a Chinese system).
_ENGLISH_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_JAVA_DATE = re.compile(
    r"^(?P<month>[A-Za-z]{3,9})\s+(?P<day>\d{1,2})\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+"
    r"(?:CST|GMT\+0?8:?00|UTC\+0?8:?00)\s+(?P<year>\d{4})$"
)


def _english_month(text: str) -> str:
    """``28 Nov 2026 09:30`` as ``2026-11-28 09:30``; any other text as it is."""
    written, text = text, _ENGLISH_WEEKDAY.sub("", text)
    java = _JAVA_DATE.match(text)
    if java is not None:
        text = f"{java['day']} {java['month']} {java['year']} {java['time']}"
    found = _DAY_MONTH_YEAR.match(text) or _MONTH_DAY_YEAR.match(text)
    if found is None:
        return written
    name = found.group("month").lower()
    month = next((i for i, full in enumerate(MONTHS, 1) if full.startswith(name) and len(name) >= 3), 0)
    if not month:
        return written
    day = f"{found.group('year')}-{month:02d}-{int(found.group('day')):02d}"
    return day + text[found.end() :]


# A day without a year written with numbers only (month first, as Chinese lists write it): 11-28 09:05,
# 11/28, 11.28 9:05 — read as 11月28日.
_NO_YEAR_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?=\s|$)")
# The weekday some systems write after the day: 星期六, 周六, (星期六), (六).
_WEEKDAY = re.compile(r"\(?(?:星期|礼拜|周)[一二三四五六日天]\)?|\([一二三四五六日天]\)")
# How reports write the time of day: 9时30分许, 9时许, 9点半, 晚8时, 9:30左右 (许, 左右: "about").
_ABOUT = re.compile(r"\s*(?:许|左右|前后)$")
_HALF_PAST = re.compile(r"(\d{1,2})[时点]半$")
_HOUR_ONLY = re.compile(r"(\d{1,2})[时点]$")
_EVENING = re.compile(r"晚(?!上)")
# The day as people say and type it: 11月3号 is 11月3日.
_DAY_SAID = re.compile(r"(月\s*\d{1,2})\s*号")


# A date written in Chinese numerals, as a typed report may (二〇二六年十一月三日): the year digit by
# digit, the month, day, hour and minute as counted (十一, 二十三, 三十), a zero as said (零点, 零五分).
_YEAR_IN_WORDS = re.compile(r"([〇零○一二三四五六七八九]{4})(?=年)")
_COUNT_IN_WORDS = re.compile(r"([〇零○一二三四五六七八九十]{1,3})(?=[月日号时点分])")
_NUMERALS = {c: str(n) for n, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
# 11月 3日, 2026年 11月: a space typed between the parts of a date.
_SPACE_IN_DATE = re.compile(r"(?<=[年月])\s+(?=\d)")


def _counted(words: str) -> str:
    """一 → 1, 十一 → 11, 二十三 → 23, 三十 → 30, 零五 → 05, 零 → 0."""
    if "十" not in words:
        return "".join(_NUMERALS[c] for c in words)
    tens, _, ones = words.partition("十")
    return str(int(_NUMERALS.get(tens, "1")) * 10 + int(_NUMERALS.get(ones, "0")))


def _in_digits(text: str) -> str:
    text = _YEAR_IN_WORDS.sub(lambda m: "".join(_NUMERALS[c] for c in m.group(1)), text)
    return _SPACE_IN_DATE.sub("", _COUNT_IN_WORDS.sub(lambda m: _counted(m.group(1)), text))


def _spoken(text: str) -> str:
    """A time written the way a report says it, in the shape the parser reads (9时许 → 9:00,
    11月3号 → 11月3日, 二〇二六年十一月三日 → 2026年11月3日, 11月 3日 → 11月3日)."""
    if text.isascii():
        return text
    text = _in_digits(text)
    text = _HOUR_ONLY.sub(r"\1:00", _HALF_PAST.sub(r"\1:30", _ABOUT.sub("", text)))
    return _EVENING.sub("晚上", _DAY_SAID.sub(r"\1日", text))


def _latest_year(text: str, now: dt.datetime, written: str = "") -> dt.datetime:
    """The latest day ``text`` (no year) may be; the error quotes the cell as ``written``, no year added."""
    year = timezone.localtime(now).year
    for candidate in (year, year - 1):
        try:
            parsed = cell_time(f"{candidate}年{text}")
        except CellError:
            parsed = None
        if parsed is not None and _aware(parsed) - now <= FUTURE_TOLERANCE:
            return _aware(parsed)
    raise CellError(f"时间无法识别：{written or text}")


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# Currency marks and separators around an amount: ¥ (and ￥, folded to it), RMB, CNY, 人民币, 元 (圆, 块).
# 整 closes a written sum (2万元整), and so does 正 after 元 (贰万元正: the written variant of 元整).
# A total's word or what the sum is in front of it: 共计, 累计; 损失5000元, 被骗金额：5000, 已转账5000.
_SAID_LOST = r"(?:已被骗|被骗|损失|涉案|转账|已转账?)(?:金额)?[:：]?"
_SUM_WORD = rf"^(?:(?:共计|合计|总计|累计|共)(?:{_SAID_LOST})?|{_SAID_LOST})"  # also 共计损失5000
# Such a word with no figure after it (已转账, 被骗金额：): money left, how much is not said.
_LOST_UNSAID = re.compile(_SAID_LOST)
_CURRENCY = re.compile(rf"[¥,\s]|RMB|CNY|人民币|[元圆]正$|元|圆|块钱$|块$|{_SUM_WORD}|整$", re.IGNORECASE)
# Words saying the sum is not exact: 约2万元, 大约2万, 2万元左右, 2万余元 / 2万多元 / 2万以上 / 10万+ (at
# least 2万). Read as the sum written, with a notice saying so.
_APPROXIMATELY = re.compile(r"^(?:大约|约)|左右$")
_AT_LEAST = re.compile(r"(?<=[0-9百千k万w亿拾佰仟])(?:[余多+]|以上)$")
# A warning pushed before any money left says so in the amount column: 未转账, 尚未转账, 暂未损失, 无损失,
# 未造成损失, 未被骗 (in brackets too) — no sum, as an empty cell, not an unreadable one.
_NO_SUM = re.compile(r"\(?(?:暂|尚|还|暂时)?(?:未|无|没有)(?:造成)?(?:转账|转款|汇款|付款|支付|损失|被骗)\)?")
# A debit as a bank's system writes it: -50,000.00 is 50,000 that left the account.
_DEBIT = re.compile(r"^-(?=[0-9])")
_UNITS = {"百": Decimal(100), "千": Decimal(1000), "k": Decimal(1000), "w": Decimal(10000)}
_UNITS |= {"万": Decimal(10000), "亿": Decimal(100_000_000)}
# One number with an optional unit, or several with units going down: 1.2万, 5千, 2.5W, 1万2千.
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([百千k万w亿]?)")
_AMOUNT = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?[百千k万w亿])+|[0-9]+(?:\.[0-9]+)?[百千k万w亿]?")
# Digits apart by commas or spaces, and how thousands are grouped: 20,000.00, 20 000 — not 20,00 or
# 3000 5000 (two numbers in one cell), which would read as another sum.
_SEPARATED = re.compile(r"[0-9.]+(?:[,\s]+[0-9.]+)+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:(?:,|\s+)[0-9]{3})+(?:\.[0-9]+)?")
# A note in brackets after the amount (3万元（已止付）); one saying the sum is not exact (2万元（约）)
# makes it an approximation.
_AMOUNT_NOTE = re.compile(r"\([^()]*\)$")
_NOTED_ABOUT = re.compile(r"\([^()]*?(大约|约|左右|估算|估计)[^()]*\)$")
# A debit as accounting writes it, in brackets: (20,000.00) is 20,000 that left the account.
_BRACKETED_DEBIT = re.compile(r"\((¥?\s*[0-9][0-9,.\s]*)\)")

# Capital numerals (大写金额), as cheques and receipts write a sum: 贰万元整, 壹万零伍佰元, 壹佰元伍角叁分.
CAPITAL_DIGITS = {c: n for n, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
CAPITAL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}
CAPITAL_GROUPS = {"万": 10_000, "亿": 100_000_000}
_CAPITALS = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟]")
# Lowercase numerals (两万元, 三千五百元, 一万零五百元) are the capitals written plainly: read by the same
# rules (一万二 is refused as 贰万伍 is). 〇 is 零, 两 is 二. Only a text with a lowercase digit is
# translated: 5千 stays a number with a unit.
LOWERCASE_NUMERALS = str.maketrans("〇一二两三四五六七八九十百千", "零壹贰贰叁肆伍陆柒捌玖拾佰仟")
_LOWERCASE_DIGITS = re.compile(r"[〇一二两三四五六七八九十]")
# The yuan (元 and 整 already taken away), then 角 and 分, each perhaps after a 零.
_CAPITAL_AMOUNT = re.compile(
    r"(?P<yuan>[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]*?)(?:零?(?P<jiao>[壹贰叁肆伍陆柒捌玖])角)?"
    r"(?:零?(?P<fen>[壹贰叁肆伍陆柒捌玖])分)?"
)
APPROXIMATE = "涉案金额为约数（“{word}”），按 {amount} 元接收，请向推送单位核实实际金额"
# Why an amount reads as no one sum (the notice does not quote the cell).
UNIT_MISSING = (
    "末位数字没有单位，读不出确定的数（“一万二”“2万5”：是 10002 还是 12000？请写作“一万二千”或“一万零二”）"
)
UNITS_OUT_OF_ORDER = "单位次序不对，读不出确定的数（如“1千2万”“5千3千”“1.5万2千”）"
NOT_GROUPED = "逗号或空格不在千分位上，读不出确定的数（如“20,00”，或一格写了两个数“3000 5000”）"
MIXED_NUMERALS = "阿拉伯数字与汉字数字混写（如“2万五千”），读不出确定的数，请统一写法"
LOOKS_LIKE_PHONE = "是 11 位 1 开头的数字，像是手机号码而不是金额（是否错列？），请向推送单位核实"
# A mainland mobile as lists write one, plain or grouped 3-4-4: pasted into the amount column (a column
# shifted), it would read as over 100 亿元 and grade the row 紧急 for its amount.
_MOBILE_AS_AMOUNT = re.compile(r"1[3-9]\d(?:[ -]?\d{4}){2}(?:\.0+)?")
LOST_UNSAID = "写了“{word}”，但没有写金额，请向推送单位核实被骗金额"
TWO_SUMS = "一格写了两个金额（如“3000元 5000元”“¥3000 ¥5000”），读不出确定的数，请只写一个数（或写合计）"
# A currency mark with a figure on each side: two sums in one cell (3000元 5000元, ¥3000 ¥5000, 2元3元),
# which would read as one (30005000) once the marks are taken away; 元 before 角 or 分 is one sum
# (三百元五角).
_FIGURE = "0-9零壹贰叁肆伍陆柒捌玖〇一二两三四五六七八九"
_TWO_SUMS = re.compile(
    rf"[{_FIGURE}][^{_FIGURE}]*?(?:[元圆块¥]|rmb|cny|人民币)(?![{_FIGURE}]*[角分])[^{_FIGURE}]*[{_FIGURE}]",
    re.IGNORECASE,
)
# A number straight after a unit: 2万5 (20005 or 25000?).
_TRAILING_NUMBER = re.compile(r"(?<=[百千k万w亿])[0-9]+$")
_DIGIT = re.compile(r"[0-9]")


class AmountError(ValueError):
    """An amount that reads as no one sum; ``reason`` says why, in Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _capital_yuan(text: str) -> int:
    """The yuan of a sum in capitals: 贰万 → 20000, 壹拾伍 → 15, 壹万零伍佰 → 10500, 拾万 → 100000.
    ValueError for a text that is not one: two digits in a row (壹贰), a digit right after 佰, 仟, 万
    or 亿 (贰万伍: 20005 or 25000? written 贰万零伍 or 贰万伍仟), a unit without its digit (佰; 拾 first
    is 10), units out of order within 万 (壹拾壹佰, 伍佰伍仟, 壹佰壹佰: no one sum)."""
    total = group = section = digit = 0
    previous = before_digit = ""
    last_unit = 10_000  # the units of a section go down: 仟, 佰, 拾
    for char in text:
        if char in CAPITAL_DIGITS:
            if previous in CAPITAL_DIGITS and previous != "零":
                raise ValueError(text)
            digit, before_digit = CAPITAL_DIGITS[char], previous
        elif char in CAPITAL_UNITS:
            if (not digit and not (char == "拾" and previous == "")) or CAPITAL_UNITS[char] >= last_unit:
                raise ValueError(text)
            section, digit = section + (digit or 1) * CAPITAL_UNITS[char], 0
            last_unit = CAPITAL_UNITS[char]
        elif char == "万":
            if not section + digit or group:
                raise ValueError(text)
            group, section, digit, last_unit = (section + digit) * CAPITAL_GROUPS[char], 0, 0, 10_000
        else:  # 亿
            if not group + section + digit or total:
                raise ValueError(text)
            total, group, section, digit = (group + section + digit) * CAPITAL_GROUPS[char], 0, 0, 0
            last_unit = 10_000
        previous = char
    if digit and before_digit in ("佰", "仟", "万", "亿"):  # a last digit without its unit
        raise AmountError(UNIT_MISSING)
    return total + group + section + digit


def _capital_amount(text: str) -> Decimal:
    """A sum in capital numerals (元, 圆 and 整 already taken away): 壹佰伍角叁分 → 100.53."""
    found = _CAPITAL_AMOUNT.fullmatch(text)
    if found is None or not text.strip("零"):
        raise ValueError(text)
    yuan = _capital_yuan(found["yuan"]) if found["yuan"] else 0
    jiao, fen = (CAPITAL_DIGITS[found[part]] if found[part] else 0 for part in ("jiao", "fen"))
    return Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100


def _as_capitals(value: str) -> str:
    """``value`` in capitals when it is written in lowercase numerals (两万 → 贰万), else as it is."""
    return value.translate(LOWERCASE_NUMERALS) if _LOWERCASE_DIGITS.search(value) else value


def _grouped(value: str) -> str:
    """``value`` if its commas and spaces between digits group thousands; ValueError if not."""
    for run in _SEPARATED.finditer(value):
        if not _GROUPED.fullmatch(run[0]):
            raise AmountError(NOT_GROUPED)
    return value


def _arabic_amount(value: str) -> Decimal:
    """A sum in digits with units (separators already taken away): 1.2万, 1万2千, 1亿2000万. ValueError
    when the units do not go down (1千2万, 5千3千, 2万12千) or a fraction stands before another unit
    (1.5万2千): no one sum."""
    if not _AMOUNT.fullmatch(value):
        cut = _TRAILING_NUMBER.sub("", value)
        raise AmountError(UNIT_MISSING) if cut != value and _AMOUNT.fullmatch(cut) else ValueError(value)
    amount, above = Decimal(0), Decimal("Infinity")
    for number, unit in _PART.findall(value):
        part = Decimal(number) * _UNITS.get(unit, Decimal(1))
        if part >= above:
            raise AmountError(UNITS_OUT_OF_ORDER)
        amount += part
        above = Decimal(0) if "." in number else _UNITS.get(unit, Decimal(1))
    return amount


def read_amount(text: str) -> tuple[Decimal | None, str]:
    """:func:`parse_amount`, and the word saying the sum is approximate (约, 大约, 左右, 余, 多), or ""."""
    if is_placeholder(text):
        return None, ""
    written = unicodedata.normalize("NFKC", str(text)).strip()
    if _NO_SUM.fullmatch(written):
        return None, ""
    if _MOBILE_AS_AMOUNT.fullmatch(written):
        raise AmountError(LOOKS_LIKE_PHONE)
    debit = _BRACKETED_DEBIT.fullmatch(written)
    value = debit[1] if debit is not None else _AMOUNT_NOTE.sub("", written).strip()
    if written and not value:  # a note alone: (已止付)
        raise ValueError(text)
    if _TWO_SUMS.search(value):
        raise AmountError(TWO_SUMS)
    value = _DEBIT.sub("", _CURRENCY.sub("", _grouped(value))).lower()
    about = _APPROXIMATELY.search(value)
    value = _as_capitals(_APPROXIMATELY.sub("", value))
    about = about or _AT_LEAST.search(value)
    value = _AT_LEAST.sub("", value)
    if not value:
        lost = _LOST_UNSAID.search(written)  # also after 共计: 共计损失
        if lost is not None:
            raise AmountError(LOST_UNSAID.format(word=lost[0]))
        return None, ""
    if _CAPITALS.search(value) and _DIGIT.search(value):
        raise AmountError(MIXED_NUMERALS)
    amount = _capital_amount(value) if _CAPITALS.search(value) else _arabic_amount(value)
    if amount < 0 or amount >= Decimal("1e12"):
        raise ValueError(text)
    noted = None if debit else _NOTED_ABOUT.search(written)
    return amount.quantize(Decimal("0.01")), about[0] if about else noted[1] if noted else ""


def parse_amount(text: str) -> Decimal | None:
    """``12,000`` / ``1.2万`` / ``5千`` / ``2.5W`` / ``1万2千`` / ``约3000元`` / ``￥1,200`` / ``RMB 500``
    / ``8万余元`` (at least: read as 8万) / ``3万元（已止付）`` (the note left out) / ``2万元整`` / a
    bank's debit ``-50,000.00`` or ``(20,000.00)`` (the sum that left the account) / capital numerals
    ``贰万元整``, ``贰万元正``, ``壹万伍仟元``, ``壹佰元伍角``, and lowercase ones, ``两万元``,
    ``三千五百元`` → Decimal; None for an empty cell or a placeholder (无, -); ValueError if no number
    (``$1,000``: not yuan) or no one sum (``一万二``, ``1千2万``, ``20,00``, ``3000 5000``)."""
    return read_amount(text)[0]


# A count as lists write it: 5, 5次, 5 次, and 5.0 as a data tool writes a count column with gaps.
_COUNT = re.compile(r"(\d+)(?:\.0*)?\s*次?")


def _count(text: str) -> int:
    return (count_written(str(text)) or 0) if text else 0


def count_written(text: str) -> int | None:
    """A count as a list writes it (``5``, ``5次``, ``５``, ``5.0``), or None when it is no count."""
    found = _COUNT.fullmatch(unicodedata.normalize("NFKC", text).strip())
    return int(found[1]) if found else None


# A number a spreadsheet stored as a number and printed rounded (1.10101195301011E+17): digits are lost.
_SPREADSHEET_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_LOST_DIGITS = "被表格软件存成了数字，末几位已丢失，请按原始记录更正（导出前把该列设为文本）"


# A number a pushed list masked (脱敏): 331102********0010, 138****1111, 138xxxx1111.
_MASKED = re.compile(r"[*＊]|[xX]{3,}")
_MASKED_SAYS = "已脱敏（含 * 号），无法核对，请向推送单位索取完整号码"


def _masked(text: str, column: str, flag: str, clean: CleanWarning) -> bool:
    """Flag a masked number (kept as written), saying so: its digits are no number to check."""
    if not _MASKED.search(text):
        return False
    clean.flag(flag, column, column + _MASKED_SAYS)
    return True


def _identity(data: WarningInput, clean: CleanWarning) -> idcard.IdNumberCheck | None:
    if not data.id_number.strip():
        return None
    if _masked(data.id_number, "身份证号", "id_invalid", clean):
        clean.id_number_raw = data.id_number.strip()
        return None
    check = idcard.check_id_number(data.id_number)
    zeroed = len(check.normalized) == 18 and check.normalized.endswith("000")
    if check.valid:
        clean.id_number, clean.id_check = check.normalized, check
        if zeroed:  # one in eleven numbers that lost their last digits still passes the check digit
            clean.notices.append(("身份证号", ZEROED_ID))
    elif any("校验码" in e for e in check.errors) and len(check.errors) == 1:
        clean.id_number_raw = check.normalized
        clean.flag("id_checksum_wrong", "身份证号", ZEROED_ID_WRONG if zeroed else "")
    elif _SPREADSHEET_NUMBER.fullmatch(data.id_number.strip()):
        clean.id_number_raw = data.id_number.strip()
        clean.flag("id_invalid", "身份证号", "身份证号" + _LOST_DIGITS)
    else:
        clean.id_number_raw = check.normalized
        clean.flag("id_invalid", "身份证号", "；".join(check.errors) + "，待更正")
    region = [w for w in check.warnings if w != _UPGRADED]
    if region and check.region_code:
        clean.flag("id_region_unknown", "身份证号", "；".join(region))
    if _UPGRADED in check.warnings:  # a valid old number: said, not flagged
        clean.notices.append(("身份证号", _UPGRADED))
    return check


_UPGRADED = "15位旧号码，已按19xx年出生升位为18位"
# An 18-digit number ending in 000: what a spreadsheet shows of one it stored as a number (15 digits
# kept, the rest zero) once the column is formatted to show all digits and the list saved as CSV.
ZEROED_ID = "身份证号末三位为 000：如该列曾被表格软件存成数字，末几位已丢失，请按原始记录核对"
ZEROED_ID_WRONG = (
    "身份证号末三位为 000 且校验码不符：多半是表格软件把该列存成了数字，末几位已丢失，"
    "请按原始记录更正（导出前把该列设为文本）"
)


# Between several numbers written in one cell: 13812345678/13912345678, 138…、139…, 138… 或 139…
_PHONE_SEPARATORS = re.compile(r"[/、,，;；|\n\r]|或")  # a line break in the cell too


def _reachable(info: phone.PhoneInfo) -> bool:
    return info.valid and info.kind in ("mobile", "landline")


# What people write around a number: （本人）, (儿子), 转8001 / 分机 8001 / ext. 8001 after a landline.
_PHONE_NOTE = re.compile(r"[（(][^）)]{0,12}[）)]")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x)\s*\d{1,6}\s*$", re.IGNORECASE)


def _repaired(text: str, clean: CleanWarning) -> phone.PhoneInfo | None:
    """A personal number from a cell that is not one as written: notes in brackets dropped, an
    extension cut (noted), or the first of several numbers (noted, masked); None when none reads."""
    bare = _PHONE_NOTE.sub(" ", text).strip()
    extension = _EXTENSION.search(bare)
    if extension is not None:
        info = phone.phone_info(bare[: extension.start()])
        info = info if info.valid else _local(info, clean) or info
        if _reachable(info):
            clean.notices.append(("手机号", f"已略去分机号（{extension.group(0).strip()}），请拨总机后转接"))
            return info
    for written in dict.fromkeys((text.strip(), bare)):  # (0571)88888888-8001: the brackets are the code
        dashed = _dashed_extension(written, text, clean)
        if dashed is not None:
            return dashed
    if bare != text.strip():
        info = phone.phone_info(bare)
        if _reachable(info):
            return info
    return _one_of_several(bare, clean)


# An extension after a dash: 0571-88888888-8001 (only after a whole landline: 139-0571-0001 is no such).
_DASH_EXTENSION = re.compile(r"-\s*(\d{1,5})\s*$")


def _dashed_extension(written: str, text: str, clean: CleanWarning) -> phone.PhoneInfo | None:
    """The landline before a dash and an extension in ``written`` (the cell ``text``, or it without
    its notes), noted; or None."""
    dashed = _DASH_EXTENSION.search(written)
    if dashed is None:
        return None
    info = phone.phone_info(written[: dashed.start()])
    if not (info.valid and info.kind == "landline"):
        return None
    clean.notices.append(("手机号", f"已略去分机号（{dashed.group(1)}），请拨总机后转接"))
    clean.phone_written = phone.normalize_phone(text)  # the derived id stays what it was (flagged) before
    return info


def _local(info: phone.PhoneInfo, clean: CleanWarning) -> phone.PhoneInfo | None:
    """A landline written without its trunk code, read with the centre's own (``FANZHA_LOCAL_AREA_CODE``)."""
    code = getattr(settings, "WARNING_LOCAL_AREA_CODE", "")
    written = info.normalized
    # Local numbers start with 2–9: a mobile missing digits (1390571) is not completed into a landline.
    if not code or info.errors != (phone.NO_TRUNK_CODE,) or not written or written[0] not in "23456789":
        return None
    local = phone.phone_info(code + written)
    if not (_reachable(local) and local.kind == "landline"):
        return None
    clean.phone_written = written  # the derived id stays what it was before the setting
    clean.notices.append(("手机号", f"固定电话未写区号，已按本地区号 {code} 补全"))
    return local


TRUNK_ZERO_ADDED = "固定电话缺少区号前的 0（表格软件把号码存成数字时会去掉），已补上，请核实"


def _with_trunk_zero(info: phone.PhoneInfo, clean: CleanWarning) -> phone.PhoneInfo:
    """A landline written without the 0 in front of its area code (57188888888: a number cell drops
    it) in the form every other landline has (057188888888), so one number is one person; noted."""
    written = info.normalized
    if not (info.valid and info.kind == "landline") or written.startswith(("0", "+")):
        return info
    completed = phone.phone_info("0" + written)
    if not (completed.valid and completed.kind == "landline"):
        return info
    clean.phone_written = clean.phone_written or written  # the derived id stays what it was before
    clean.notices.append(("手机号", TRUNK_ZERO_ADDED))
    return completed


def _one_of_several(text: str, clean: CleanWarning) -> phone.PhoneInfo | None:
    """The first personal number of a cell holding several (noted, masked), or None."""
    parts = [part for part in _PHONE_SEPARATORS.split(text) if part.strip()]
    if len(parts) < 2:  # 13857100046 13957100046: numbers apart by spaces only
        parts = text.split()
        if len(parts) < 2 or any(sum(c.isdigit() for c in part) < 7 for part in parts):
            return None
    usable = [info for info in map(phone.phone_info, parts) if _reachable(info)]
    if not usable:
        return None
    listed = "、".join(mask("phone", info.normalized) for info in usable)
    clean.notices.append(("手机号", f"一栏有多个号码（{listed}），按第一个接收，其余请另行核实"))
    return usable[0]


def _contact(data: WarningInput, clean: CleanWarning) -> None:
    if not data.phone.strip():
        return
    if _masked(data.phone, "手机号", "phone_invalid", clean):
        clean.phone_raw = data.phone.strip()
        return
    info = phone.phone_info(data.phone)
    if not info.valid:
        info = _repaired(data.phone, clean) or _local(info, clean) or info
    info = _with_trunk_zero(info, clean)
    if _reachable(info):
        clean.phone = info.normalized
    elif info.valid:
        clean.phone_raw = info.normalized
        clean.flag("phone_invalid", "手机号", "该号码是服务号码，不是个人电话，待更正")
    elif _SPREADSHEET_NUMBER.fullmatch(data.phone.strip()):
        clean.phone_raw = data.phone.strip()
        clean.flag("phone_invalid", "手机号", "手机号" + _LOST_DIGITS)
    else:
        clean.phone_raw = info.normalized or data.phone.strip()
        clean.flag("phone_invalid", "手机号", "；".join(info.errors) or QUALITY_FLAGS["phone_invalid"])


def _identifiable(clean: CleanWarning) -> bool:
    """A valid ID number or phone, a name with an address, or a name with an ID number whose only
    fault is its check digit (one mistyped digit: the person is still found, the number is flagged)."""
    if clean.id_number or clean.phone or (clean.name and clean.address):
        return True
    return bool(clean.name) and "id_checksum_wrong" in clean.flags


QUOTED_MAX = 60  # a notice quoting a cell (an ID number typed into the time column: masked)


def _when(data: WarningInput, clean: CleanWarning, now: dt.datetime, memo: Memo) -> None:
    try:
        parsed = memo.time(data.warned_at, now)
    except CellError as exc:
        clean.flag("time_invalid", "预警时间", f"{quoted(str(exc), QUOTED_MAX)}，按接收时间计")
        parsed = None
    if parsed is not None and parsed.year < EARLIEST_YEAR:  # 1900-01-01: a spreadsheet's empty date
        clean.flag("time_invalid", "预警时间", f"预警时间早于 {EARLIEST_YEAR} 年，不可信，按接收时间计")
        parsed = None
    if parsed is not None and parsed > now:
        if parsed - now <= FUTURE_TOLERANCE:
            clean.flag("time_in_future", "预警时间", "预警时间晚于当前时间（48 小时内，可能是对方时钟偏差）")
        else:
            clean.flag("time_in_future", "预警时间", "预警时间晚于当前时间超过 48 小时，按接收时间计")
            parsed = now
    clean.warned_at = parsed or now


def _kind_and_money(data: WarningInput, clean: CleanWarning, memo: Memo) -> None:
    if data.fraud_type.strip():
        code, clean.typed_by_table = memo.type_of(data.fraud_type)
        if code is None:
            clean.flag(UNKNOWN_TYPE, "诈骗类型")
            code = typology.OTHER_FRAUD
        clean.fraud_type = code
    try:
        clean.amount, about = memo.amount(data.amount)
    except AmountError as exc:
        clean.flag("amount_invalid", "涉案金额", f"{QUALITY_FLAGS['amount_invalid']}：{exc.reason}")
        return
    except ValueError:
        clean.flag("amount_invalid", "涉案金额")
        return
    if about and clean.amount is not None:
        clean.notices.append(("涉案金额", APPROXIMATE.format(word=about, amount=clean.amount)))


def retype_by_table(rows: list[tuple[WarningInput, CleanWarning]]) -> None:
    """Rows of unknown type checked before their intake took the lock: typed by an entry of the centre's
    table saved meanwhile (the table read again, once, and only when such rows exist). The derived ids
    do not change: they read a type from the table as 其他诈骗 (:func:`derived_source_id`)."""
    unknown = [(data, clean) for data, clean in rows if UNKNOWN_TYPE in clean.flags]
    if not unknown:
        return
    memo = Memo()
    for data, clean in unknown:
        code, from_table = memo.type_of(data.fraud_type)
        if code is None or not from_table:
            continue
        clean.fraud_type, clean.typed_by_table = code, True
        clean.flags.remove(UNKNOWN_TYPE)
        clean.notices = [n for n in clean.notices if n != ("诈骗类型", QUALITY_FLAGS[UNKNOWN_TYPE])]


def _age(check: idcard.IdNumberCheck | None, on: dt.date) -> int | None:
    return age_on(check.birth_date if check is not None else None, on)


def _pushed_level(data: WarningInput, clean: CleanWarning) -> None:
    """The sender's level as a fact (``facts["level"]``: a grade) when it names one; else a row notice."""
    said = str(data.pushed_level or "").strip()
    if not said:
        return
    level = levels.read_level(said)
    if level is None:
        clean.notices.append(("预警级别", levels.UNREAD.format(text=quoted(said, 20))))  # masked
    else:
        clean.facts["level"] = level


# 正在转账 stated (true, false, not stated: the API's field, the entry form's choice) as a list's cell
# writes it: 是, 否, empty (unknown).
TRANSFER_SAID = {True: "是", False: "否", None: ""}
TRANSFER_UNREAD = "正在转账“{text}”无法识别（应为 是 或 否），按未知处理"


def _transfer_under_way(said: str | bool, clean: CleanWarning) -> bool | None:
    """正在转账 (``facts["transfer"]``): True or False when the column says 是 or 否; where it says
    nothing — an empty cell, a placeholder (不详, /), a bool False (an unticked box; a caller that can
    say 否 passes the word, :data:`TRANSFER_SAID`), or a word it cannot read (a row notice) — True when
    the notes say the money is leaving now, else None: unknown, not 否 (a grading rule on 正在转账 否
    does not match it)."""
    if said is True:
        return True
    word = str(said).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS and said is not False:
        return False
    if word and said is not False and not is_placeholder(word):
        clean.notices.append(("正在转账", TRANSFER_UNREAD.format(text=quoted(str(said).strip(), 20))))
    return _transfer_in_notes(clean.notes) or None


def _transfer_in_notes(notes: str) -> bool:
    return any(
        not TRANSFER_DENIED.search(notes, 0, found.start()) for found in TRANSFER_UNDER_WAY.finditer(notes)
    )


def age_on(born: dt.date | None, on: dt.date) -> int | None:
    """Full years from ``born`` to ``on`` (None without a birth date): the age the grading reads."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _unusable(clean: CleanWarning) -> str:
    """The rejection, with what was wrong with the ID number and phone the row did have."""
    why = [message for column, message in clean.notices if column in ("身份证号", "手机号")]
    return UNUSABLE + (f"（{'；'.join(why)}）" if why else "")


# Between the suspect numbers of a cell: a line break, or what separates numbers on one line (as in
# the phone column: /、,，;；| 或). Kept as written; so is whatever the numbers are written with.
_SUSPECT_SEPARATOR = re.compile(r"(\r\n|[\n\r/、,，;；|]|或)")
_LINE_BREAKS = ("", "\n", "\r", "\r\n")
# A number as people write one: digits with spaces, dashes and brackets, + or 00 before a country code.
_WRITTEN_NUMBER = re.compile(r"\+?[0-9(][0-9\s()-]*")
NUMBER_DIGITS = (5, 15)  # a service number (95588) to the longest international number (E.164)
SPACED_DIGITS = 7  # numbers apart by spaces only: each of at least this many digits (as the phone column)


def _plain(number: str) -> bool:
    """Digits only, in the national form already (:func:`phone.normalize_phone` keeps them as they are)."""
    return (
        number.isdigit()
        and number.isascii()
        and not number.startswith("00")
        and not (len(number) == 13 and number.startswith("861"))
    )


@lru_cache(maxsize=4096)
def _one_number(written: str) -> str:
    """A number in its normalised form (:func:`phone.normalize_phone`: +86 / 0086 before a mainland
    number dropped, spaces and dashes too), or "" when ``written`` does not read as one number."""
    folded = unicodedata.normalize("NFKC", written).strip()
    if not _WRITTEN_NUMBER.fullmatch(folded):
        return ""
    number = phone.normalize_phone(folded)
    digits = len(number) - number.startswith("+")
    return number if NUMBER_DIGITS[0] <= digits <= NUMBER_DIGITS[1] else ""


def _numbers_of(part: str) -> list[tuple[str, str]]:
    """(the number or the part as written, the separator after it) for one part of a suspects cell:
    one number, several apart by spaces only, or a text that is no number (kept as written)."""
    stripped = part.strip()
    if _plain(stripped):
        return [(stripped, "")]
    number = _one_number(stripped) if stripped else ""
    if number:
        return [(number, "")]
    pieces = stripped.split()
    numbers = [_one_number(piece) for piece in pieces]
    if len(pieces) > 1 and all(n and sum(c.isdigit() for c in n) >= SPACED_DIGITS for n in numbers):
        return [(n, " ") for n in numbers[:-1]] + [(numbers[-1], "")]
    return [(part, "")]


def suspect_numbers_text(text: str) -> str:
    """The suspect numbers of a cell each in one form (``+86 170-1234-5679`` → ``17012345679``,
    ``0571-12345678`` → ``057112345678``), their separators kept, a number written twice kept once
    (with the separator after it; a line break before it stays); a text that is no number as written."""
    if not text or _plain(text):  # most rows: no suspect number, or one written plain
        return text
    entries: list[tuple[str, str]] = []
    seen: set[str] = set()
    parts = _SUSPECT_SEPARATOR.split(text)
    for index in range(0, len(parts), 2):
        after = parts[index + 1] if index + 1 < len(parts) else ""
        found = _numbers_of(parts[index])
        found[-1] = (found[-1][0], after)
        for number, separator in found:
            key = number.strip()
            if key and key in seen:
                if separator in _LINE_BREAKS and entries:
                    entries[-1] = (entries[-1][0], separator)
                continue
            seen.add(key)
            entries.append((number, separator))
    return "".join(number + separator for number, separator in entries)


def _suspects(clean: CleanWarning) -> None:
    """The suspect numbers normalised (:func:`suspect_numbers_text`), as written kept for the derived id;
    a number or account a spreadsheet stored as a number and printed rounded (6.22202020011223E+18) is
    kept as written, with a notice that its last digits are lost."""
    for name, column in (("suspect_numbers", "嫌疑号码"), ("suspect_accounts", "嫌疑账号")):
        parts = _SUSPECT_SEPARATOR.split(getattr(clean, name))
        if any(_SPREADSHEET_NUMBER.fullmatch(part.strip()) for part in parts):
            clean.notices.append((column, column + _LOST_DIGITS))
    normalised = suspect_numbers_text(clean.suspect_numbers)
    if normalised != clean.suspect_numbers:
        clean.suspect_numbers_written, clean.suspect_numbers = clean.suspect_numbers, normalised


DERIVED_ID_PREFIX = "row:"


def shown_source_id(source_id: str) -> str:
    """The 预警编号 as people read it: the key derived for a row that came without one is “无编号”."""
    return "无编号" if source_id.startswith(DERIVED_ID_PREFIX) else source_id


def derived_source_id(clean: CleanWarning, *, timed: bool = True) -> str:
    """A stable id for a row that came without one, so a re-import still finds it: its identifiers
    (the name without letter case), type, time to the minute and suspects (numbers normalised,
    accounts) — or, when it has no time of its own (``timed`` False: the receipt time stands in, which
    differs at each import), its address, amount and suspects (as written) instead of the time and
    suspects.

    What a spreadsheet's re-save changes leaves it as it was: seconds dropped (14:05:37 → 14:05), the
    day written another way (2026/11/3), the same moment with another offset, a phone with +86 or
    spaces, an ID number's x in lower case, a Latin name in other letter case (JOHN SMITH → John
    Smith: the same person, as names are compared), an amount with separators, a suspect number with
    +86 (the identifiers, amount and numbers are compared cleaned). Two reports of one person in one
    minute and of one type are told apart by their suspects (a second one then merges as the person's
    repeat report); otherwise they are one report, received once (a row notice names what else
    differs). A type the centre's table gave counts as 其他诈骗, as before the entry was made: the list
    imported again after the entry is still the same list."""
    return _derived_as(clean, folded_name(clean.name), timed=timed)


def folded_name(name: str) -> str:
    """A name as a derived id reads it: letters in lower case, as the name search hash compares names
    (:func:`fanzha.core.pii.crypto.normalize_for_search`); a Chinese name is unchanged."""
    return name.lower()


def _derived_as(clean: CleanWarning, name: str, *, timed: bool) -> str:
    if timed:
        minute = to_the_minute(clean.warned_at)
        return _derived(clean, name, [minute, clean.suspect_numbers, clean.suspect_accounts])
    written_suspects = clean.suspect_numbers_written or clean.suspect_numbers
    what = [clean.address, str(clean.amount or ""), written_suspects, clean.suspect_accounts]
    return _derived(clean, name, what)


def earlier_source_ids(clean: CleanWarning, *, timed: bool = True, padded: str = "") -> tuple[str, ...]:
    """The ids a row without 预警编号 was given before, newest first: looked up when its own is not
    known, so a list imported before is still the same list —

    - its name as written, before the derived id folded the letter case (only a name with capitals:
      ``JOHN SMITH``; a Chinese name's id did not change);
    - a timed row's time to the second, as parsed, and its name as written, before ids read the time to
      the minute (a copy that lost its seconds since cannot be matched to it);
    - its name with the padding between its 汉字 (``padded``: 王　伟), before names left it out."""
    ids = []
    if padded and padded != clean.name:
        ids.append(_derived_as(clean, folded_name(padded), timed=timed))
    if folded_name(clean.name) != clean.name:
        ids.append(_derived_as(clean, clean.name, timed=timed))
    if timed:
        ids.append(_derived(clean, clean.name, [clean.warned_at.isoformat()]))
    return tuple(ids)


def _derived(clean: CleanWarning, name: str, what: list[str]) -> str:
    basis = "|".join(
        [
            clean.id_number or clean.id_number_raw,
            clean.phone_written or clean.phone or clean.phone_raw,
            name,
            "|".join(what),
            typology.OTHER_FRAUD if clean.typed_by_table else clean.fraud_type,
        ]
    )
    return DERIVED_ID_PREFIX + hashlib.sha256(basis.encode()).hexdigest()[:32]


HALF_A_SECOND = dt.timedelta(microseconds=500_000)


def to_the_minute(moment: dt.datetime) -> str:
    """``2026-11-03 14:05``: the moment in the centre's time zone, to the nearest second (a spreadsheet's
    14:04:59.999999 is 14:05:00), then without its seconds (once per distinct moment: rows share a few)."""
    return _minute(moment, timezone.get_default_timezone())


@lru_cache(maxsize=4096)
def _minute(moment: dt.datetime, zone: dt.tzinfo) -> str:
    local: dt.datetime = timezone.localtime(moment + HALF_A_SECOND, zone)
    return local.strftime("%Y-%m-%d %H:%M")


# The longest texts kept (the API refuses longer ones; a file's are cut, noted): field → (column, limit).
TEXT_LIMITS = {
    "name": ("姓名", 50),
    "address": ("现住址", 300),
    "notes": ("备注", 2000),
    "suspect_numbers": ("嫌疑号码", 5000),
    "suspect_accounts": ("嫌疑账号", 5000),
}


MAX_COUNT = 100_000  # calls or callbacks of one warning: more is a typo (the API and the form refuse it)


def text_limit(name: str) -> int:
    """The longest text kept for the field ``name`` of TEXT_LIMITS (the API and the form use it too)."""
    return TEXT_LIMITS[name][1]


def _bound(clean: CleanWarning) -> None:
    """Cut texts over their limit, saying so on the row (how long, never what)."""
    for name, (column, limit) in TEXT_LIMITS.items():
        text = getattr(clean, name)
        if len(text) > limit:
            setattr(clean, name, text[:limit].rstrip())
            clean.notices.append((column, f"{column}过长（{len(text)} 字），只保留前 {limit} 字"))


# The dot between the parts of a name (买买提·艾力) as lists type it: "." in English mode, •, the
# Japanese ・ (what some converters make of GB2312's ·), ．; one person's name written two ways was two
# names under one phone, two people. Written as the standard's · (U+00B7), only between 汉字.
_NAME_DOT = re.compile(r"(?<=[\u3400-\u9fff])\s*[.．•・･‧∙⋅·]\s*(?=[\u3400-\u9fff])")


# Spaces typed between the 汉字 of a name to pad it to a column's width (王　伟, 王  伟: a two-character
# name aligned with three-character ones): no part of the name. Only a name of two or three 汉字 is
# padded so: in a longer one a space parts its names (买买提 艾力) or two people (王伟 李娜).
_NAME_PADDING = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_PADDED_NAME = re.compile(r"[\u3400-\u9fff]{2,3}")


def written_name(text: str) -> str:
    """A name stripped, its middle dot written one way, the padding between its 汉字 left out."""
    name = _dotted_name(text)
    if name.isascii():
        return name
    unpadded = _NAME_PADDING.sub("", name)
    return unpadded if _PADDED_NAME.fullmatch(unpadded) else name


def _dotted_name(text: str) -> str:
    """A name as :func:`written_name` wrote it before it left out padding (derived ids made then)."""
    name = text.strip()
    return _NAME_DOT.sub("·", name) if not name.isascii() else name


def clean_warning(
    data: WarningInput, *, now: dt.datetime | None = None, memo: Memo | None = None
) -> CleanWarning:
    """The cleaned warning with its flags and notices; raises :class:`Unusable` for an unusable one.

    ``memo``: shared by the rows of one file (the same results, worked out once per distinct value).
    """
    now = now or timezone.now()
    memo = memo or Memo()
    source, known = memo.source(data.source)
    clean = CleanWarning(
        source=source,
        source_id=unicodedata.normalize("NFKC", data.source_id or "").strip()[:100],
        name=written_name(data.name or ""),
        id_number="",
        id_number_raw="",
        phone="",
        phone_raw="",
        address=(data.address or "").strip(),
        fraud_type="",
        warned_at=now,
        amount=None,
        suspect_numbers=(data.suspect_numbers or "").strip(),
        suspect_accounts=(data.suspect_accounts or "").strip(),
        notes=(data.notes or "").strip(),
        facts={},
    )
    _bound(clean)
    _suspects(clean)
    if not known:
        said = quoted(clean.source, QUOTED_MAX)  # a phone typed into the column: masked
        clean.flag("source_unknown", "预警来源", f"未知的预警来源“{said}”，已按原名记录")
    check = _identity(data, clean)
    _contact(data, clean)
    if not _identifiable(clean):
        raise Unusable(_unusable(clean))
    _when(data, clean, now, memo)
    _kind_and_money(data, clean, memo)
    clean.facts = {
        "age": _age(check, clean.warned_at.date()),
        "calls": _count(data.call_count),
        "callbacks": _count(data.callback_count),
        "transfer": _transfer_under_way(data.transfer_in_progress, clean),
    }
    _pushed_level(data, clean)
    if not clean.source_id:
        timed = clean.warned_at != now
        clean.source_id = derived_source_id(clean, timed=timed)
        padded = _dotted_name(data.name or "")
        clean.earlier_source_ids = earlier_source_ids(clean, timed=timed, padded=padded)
    return clean
