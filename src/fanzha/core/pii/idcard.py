"""Chinese resident identity numbers (公民身份号码, GB 11643-1999).

The check digit and format rules come from python-stdnum (``stdnum.cn.ric``); the administrative
division codes and their validity years come from the data file python-stdnum ships
(``stdnum/cn/loc.dat``, read through ``stdnum.numdb``). Its format is one line a code part::

    33 province="浙江省"
      0102 county="[1983-]上城区"
      0110 county="[-1991]东郊区,[1992-]东丽区"

where ``[start-end]`` are the years (inclusive, either side open) a name was in force.

A person keeps the address code of the place where the number was first assigned, even after that
code is retired, so a code that is unknown or out of force is only ever a *warning*.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric

__all__ = ["IdNumberCheck", "check_id_number", "normalize_id_number", "upgrade_15_to_18"]

#: First year resident identity numbers were assigned (trial issue of the first cards).
FIRST_ISSUE_YEAR = 1984
MIN_BIRTH_YEAR = 1900

_ID18_RE = re.compile(r"\d{17}[\dX]")
_ID15_RE = re.compile(r"\d{15}")
_RANGE_RE = re.compile(r"^\[(\d*)-(\d*)\](.+)$")
_GENERIC_NAMES = frozenset(
    {"市辖区", "县", "市", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位", "直辖县"}
)


@dataclass(frozen=True, slots=True)
class IdNumberCheck:
    """Result of checking one identity number; ``errors`` empty means valid."""

    normalized: str
    valid: bool
    birth_date: dt.date | None
    sex: str
    region_code: str
    region_name: str
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Named:
    start: int | None
    end: int | None
    name: str

    def in_force(self, first: int, last: int) -> bool:
        """True when the name was in force at some year of ``first..last``."""
        return (self.start is None or self.start <= last) and (self.end is None or self.end >= first)


# How spreadsheets and copy-paste wrap a number to keep it text: ="…" (an Excel formula), a leading
# apostrophe, zero-width spaces / BOM / soft hyphens, a label before it, a note in brackets after it.
_FORMULA_RE = re.compile(r'^="(.*)"$')
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_LABEL_RE = re.compile(r"^(?:公民)?(?:身份证|证件)(?:号码|号)?[:：]")
_NOTE_RE = re.compile(r"\([^()]*\)$")
_PLAIN_RE = re.compile(r"[0-9]{17}[0-9X]")


def _clean(text: str) -> str:
    """Full-width to ASCII, unwrapped, no whitespace or hyphens, upper-case X (also typed as ×)."""
    if _PLAIN_RE.fullmatch(text or ""):
        return text
    folded = _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text or "")).strip()
    wrapped = _FORMULA_RE.match(folded)
    if wrapped is not None:
        folded = wrapped.group(1).strip()
    folded = _NOTE_RE.sub("", _LABEL_RE.sub("", folded.lstrip("'`‘’"))).replace("×", "X")
    return re.sub(r"[\s\-]", "", folded).upper()


def upgrade_15_to_18(number15: str) -> str:
    """Convert a 15-digit legacy number (born 19xx) to its 18-digit form with check digit."""
    if not _ID15_RE.fullmatch(number15):
        raise ValueError("15位身份证号码应全部为数字")
    body = number15[:6] + "19" + number15[6:]
    return body + ric.calc_check_digit(body + "0")


def normalize_id_number(text: str) -> str:
    """Canonical form used for storage and search: 18 characters, upper-case X.

    15-digit numbers are upgraded; anything else is returned cleaned but otherwise unchanged.
    """
    cleaned = _clean(text)
    return upgrade_15_to_18(cleaned) if _ID15_RE.fullmatch(cleaned) else cleaned


def _parse_names(raw: str) -> tuple[_Named, ...]:
    names = []
    for part in raw.split(","):
        match = _RANGE_RE.match(part)
        if match is None:
            names.append(_Named(None, None, part))
            continue
        start, end, name = match.groups()
        names.append(_Named(int(start) if start else None, int(end) if end else None, name))
    return tuple(names)


@lru_cache(maxsize=4096)
def _lookup(code: str) -> tuple[str, tuple[_Named, ...]]:
    """Province name and the county-level names (with validity) for a 6-digit code."""
    province = ""
    county = ""
    for _part, props in numdb.get("cn/loc").info(code):
        province = props.get("province", province)
        county = props.get("county", county)
    return province, _parse_names(county) if county else ()


def _pick(names: tuple[_Named, ...], first: int, last: int) -> _Named | None:
    """The name in force at the earliest year of the window, else any in force within it."""
    for name in names:
        if name.in_force(first, first):
            return name
    return next((name for name in names if name.in_force(first, last)), None)


@lru_cache(maxsize=4096)
def _region(code: str, birth_year: int | None, today: dt.date) -> tuple[str, tuple[str, ...]]:
    """Region name and warnings for the address code."""
    first = max(birth_year or FIRST_ISSUE_YEAR, FIRST_ISSUE_YEAR)
    province, names = _lookup(code)
    if not names:
        return province, ("前6位地址码不在行政区划代码表中（可能是已撤销的旧代码），请人工核对",)
    picked = _pick(names, first, today.year)
    warnings: tuple[str, ...] = ()
    if picked is None:
        picked = names[-1]
        ended = max((n.end for n in names if n.end is not None), default=None)
        when = f"已于{ended}年撤销" if ended is not None else "不在有效期内"
        warnings = (
            f"地址码（{picked.name}）{when}，早于出生或首次赋码年份；身份证号码沿用签发地代码，请人工核对",
        )
    parts = [province]
    if code[2:4] != "00" and code[4:6] != "00":
        prefecture = _pick(_lookup(code[:4] + "00")[1], first, today.year)
        parts.append(prefecture.name if prefecture else "")
    parts.append(picked.name)
    return _join_names(parts), warnings


def _join_names(parts: list[str]) -> str:
    out: list[str] = []
    for part in parts:
        if part and part not in _GENERIC_NAMES and part not in out:
            out.append(part)
    return "".join(out)


def _birth_date(number: str, today: dt.date) -> tuple[dt.date | None, str]:
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None, "出生日期部分不是有效日期"
    if born > today:
        return None, "出生日期晚于今天"
    if born.year < MIN_BIRTH_YEAR:
        return None, f"出生日期早于{MIN_BIRTH_YEAR}年"
    return born, ""


def _invalid(normalized: str, error: str) -> IdNumberCheck:
    return IdNumberCheck(normalized, False, None, "", "", "", (error,), ())


def check_id_number(text: str, *, today: dt.date | None = None) -> IdNumberCheck:
    """Validate a resident identity number and describe it.

    Accepts lower-case x, spaces and full-width characters; 15-digit legacy numbers are upgraded to
    18 digits (with a warning saying so). ``today`` is for tests; defaults to the local date.
    """
    today = today or dt.date.today()
    cleaned = _clean(text)
    if not cleaned:
        return _invalid("", "身份证号码为空")
    warnings: list[str] = []
    if _ID15_RE.fullmatch(cleaned):
        cleaned = upgrade_15_to_18(cleaned)
        warnings.append("15位旧号码，已按19xx年出生升位为18位")
    if not _ID18_RE.fullmatch(cleaned):
        return _invalid(cleaned, "身份证号码应为18位（末位可为X）或15位数字")
    errors: list[str] = []
    if ric.calc_check_digit(cleaned) != cleaned[-1]:
        errors.append("校验码错误，号码可能录入有误")
    born, date_error = _birth_date(cleaned, today)
    if date_error:
        errors.append(date_error)
    region_name, region_warnings = _region(cleaned[:6], born.year if born else None, today)
    warnings.extend(region_warnings)
    return IdNumberCheck(
        normalized=cleaned,
        valid=not errors,
        birth_date=born,
        sex="男" if int(cleaned[16]) % 2 else "女",
        region_code=cleaned[:6],
        region_name=region_name,
        errors=tuple(errors),
        warnings=tuple(warnings),
    )
