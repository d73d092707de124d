"""The province/city/county part at the start of a Chinese address, read against the national list.

The list is the administrative division codes python-stdnum maintains (``stdnum/cn/loc.dat``, the
same data the ID number check reads, updated with each release): every province, prefecture-level
city and county since 1980, with the years each name was in force — former names count, since
addresses keep them. :func:`parse_prefix` walks the start of an address level by level: a province, a
city (of that province, if one was named), a county (of that city or province), each by its full name
(浙江省, 杭州市, 西湖区, 甘孜藏族自治州) or as addresses shorten it (浙江, 杭州, 甘孜; a county only under
the city or province named before it: 杭州西湖…). A short name is not read where a township, village or
street name goes on (丽水街道, 西湖路). What the list does not know (a county created after the data,
the demo county) is left to the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb

PROVINCE, CITY, COUNTY = "province", "city", "county"
_RANGE = re.compile(r"^\[(\d*)-(\d*)\]")
_GENERIC = frozenset(
    {"市辖区", "县", "市", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位", "直辖县"}
)
# The peoples named in autonomous prefectures' and counties' names (甘孜藏族自治州, 伊犁哈萨克自治州).
_PEOPLES = [
    *("柯尔克孜", "乌孜别克", "维吾尔", "哈萨克", "塔吉克", "达斡尔", "鄂温克", "鄂伦春", "俄罗斯", "塔塔尔"),
    *("土家", "朝鲜", "布依", "哈尼", "景颇", "傈僳", "纳西", "撒拉", "保安", "东乡", "裕固", "仡佬", "仫佬"),
    *("毛南", "拉祜", "普米", "独龙", "阿昌", "德昂", "布朗", "基诺", "门巴", "珞巴", "蒙古", "锡伯", "高山"),
    *(
        "藏",
        "羌",
        "彝",
        "苗",
        "侗",
        "傣",
        "白",
        "回",
        "壮",
        "黎",
        "瑶",
        "土",
        "水",
        "满",
        "畲",
        "京",
        "佤",
        "怒",
    ),
]
_ETHNIC = re.compile(f"(?:(?:{'|'.join(_PEOPLES)})族?)+$")
# After a short name, these begin a township, village or street of the same name, not the division.
# So do the endings of a division's own name: 江州市 written in full is not 江州区 written short.
GOES_ON = tuple("镇乡村街路道巷弄社区组号大桥山湖河港园市县省州盟旗") + ("小区",)
_SHORTENED = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "省",
    "市",
    "盟",
    "县",
    "区",
    "旗",
)


@dataclass(frozen=True)
class Division:
    code: str  # 2 digits (province), 4 (city) or 6 (county)
    name: str  # the full name, as the list writes it
    level: str
    former: bool = False  # a name no longer in force (义乌县, now 义乌市)
    began: str = ""  # the year the name came into force under the code ("" when before the list)
    ended: str = ""  # the year it went out of force ("" while in force)


@dataclass(frozen=True)
class Prefix:
    """What :func:`parse_prefix` read: each division with the text as written, and where the rest starts."""

    divisions: tuple[Division, ...]
    written: tuple[str, ...]
    end: int


def short_name(name: str) -> str:
    """浙江省 → 浙江, 广西壮族自治区 → 广西, 甘孜藏族自治州 → 甘孜, 西湖区 → 西湖 ("" when too short)."""
    if name.endswith("自治区"):  # 新疆维吾尔自治区, 宁夏回族自治区, 内蒙古自治区
        return name[:3] if name.startswith("内蒙古") else name[:2]
    for suffix in _SHORTENED:
        if name.endswith(suffix) and name != suffix:
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                without = _ETHNIC.sub("", stem)
                stem = without if len(without) >= 2 else stem
            return stem if len(stem) >= 2 else ""
    return ""


def written_forms(name: str) -> set[str]:
    """The ways addresses write a division: its full name, the short one, and 甘孜州 for 甘孜藏族自治州."""
    short = short_name(name)
    forms = {name, short} - {""}
    if short and name.endswith("自治州"):
        forms.add(short + "州")
    return forms


def _walk() -> list[Division]:
    """Every named division of the list (current and former names)."""
    found: list[Division] = []
    for _length, province_code, _high, props, children in numdb.get("cn/loc").prefixes:
        if "province" in props:
            found.append(Division(province_code, props["province"], PROVINCE))
        for _l, part, _h, child, _grand in children:
            code = province_code + part
            for raw in child.get("county", "").split(","):
                period = _RANGE.match(raw)
                name = raw[period.end() :] if period else raw
                if not name or name in _GENERIC:
                    continue
                level = CITY if part.endswith("00") else COUNTY
                began, ended = (period.group(1), period.group(2)) if period else ("", "")
                found.append(
                    Division(code[:4] if level == CITY else code, name, level, bool(ended), began, ended)
                )
    return found


@lru_cache(maxsize=1)
def _index() -> dict[str, dict[str, list[tuple[Division, bool]]]]:
    """Level → written form → the divisions it may be, each with whether the form is the short one."""
    index: dict[str, dict[str, list[tuple[Division, bool]]]] = {PROVINCE: {}, CITY: {}, COUNTY: {}}
    for division in sorted(_walk(), key=lambda d: d.former):  # a name in force before a former one
        forms = index[division.level]
        for form in written_forms(division.name):
            forms.setdefault(form, []).append((division, form != division.name))
    return index


@lru_cache(maxsize=1)
def _lengths() -> dict[str, list[int]]:
    return {level: sorted({len(form) for form in forms}, reverse=True) for level, forms in _index().items()}


def _read(text: str, at: int, level: str, within: str, lone_short: bool) -> tuple[Division, str] | None:
    """The longest division of ``level`` written at ``at`` (under the code ``within``, if any); a
    county's short name with nothing above it only when ``lone_short``."""
    forms = _index()[level]
    for length in _lengths()[level]:
        written = text[at : at + length]
        if len(written) < length:
            continue
        for division, short in forms.get(written, ()):
            if within and not division.code.startswith(within):
                continue
            alone = level == COUNTY and not within and not lone_short
            if short and (text.startswith(GOES_ON, at + length) or alone):
                continue
            return division, written
    return None


@lru_cache(maxsize=1)
def _in_force() -> dict[tuple[str, str], str]:
    """(level, code) → the name in force under that code (襄都区 for 130502, 桥东区 until 2020)."""
    return {(d.level, d.code): d.name for d in _walk() if not d.former}


def name_in_force(division: Division) -> str:
    """The name ``division``'s place bears now: under its code (桥东区 of 邢台 → 襄都区), else its
    successor's (郫县 510124 → 郫都区 510117, see :func:`_successor`); its own name when it has none —
    a former county divided among several (琼山市), or merged into one of another name (江干区)."""
    found, steps = division, 0
    while found.former and steps < 8:
        now = _in_force().get((found.level, found.code))
        if now:
            return now
        successor = _successor(found)
        if successor is None:
            return division.name
        found, steps = successor, steps + 1
    return found.name if not found.former else division.name


def _stem(name: str) -> str:
    return name[:-1] if name.endswith(("县", "市", "区", "旗")) else name


def _named_after(old: Division, new: Division) -> bool:
    """Whether ``new`` bears ``old``'s name with another ending (温江县 → 温江区, 郫县 → 郫都区)."""
    return new.code != old.code and new.name.startswith(_stem(old.name))


def _years_from(year: str) -> tuple[str, ...]:
    """The list writes a change ending one name in the year the next begins, or the year before."""
    return (year, str(int(year) + 1)) if year.isdigit() else ()


@lru_cache(maxsize=1)
def _changes() -> tuple[
    dict[tuple[str, str], list[Division]], dict[tuple[str, str], list[Division]], set[tuple[str, str]]
]:
    """Counties by (province, year) they began, by (province, year) they ended, and (code, year) of
    every name that ended."""
    began: dict[tuple[str, str], list[Division]] = {}
    ended: dict[tuple[str, str], list[Division]] = {}
    for d in _walk():
        if d.level != COUNTY:
            continue
        if d.began:
            began.setdefault((d.code[:2], d.began), []).append(d)
        if d.ended:
            ended.setdefault((d.code[:2], d.ended), []).append(d)
    codes = {(d.code, d.ended) for ds in ended.values() for d in ds}
    return began, ended, codes


def _candidates(old: Division) -> list[Division]:
    """The counties that began, in the province, when ``old``'s code went out of force, named after it."""
    began, _, _ = _changes()
    return [
        d
        for year in _years_from(old.ended)
        for d in began.get((old.code[:2], year), ())
        if _named_after(old, d)
    ]


def _accounted_for(new: Division) -> bool:
    """Whether a county that began is a former one under a new name or code: its code bore another
    name until then (襄都区, 桥东区 until 2019), or it is named after a county that ended then."""
    _, ended, codes = _changes()
    years = (new.began, str(int(new.began) - 1)) if new.began.isdigit() else ()
    if any((new.code, year) in codes for year in years):
        return True
    return any(_named_after(old, new) for year in years for old in ended.get((new.code[:2], year), ()))


@lru_cache(maxsize=4096)
def _successor(old: Division) -> Division | None:
    """The one county a former county (whose code went with its name) became: named after it, begun
    when it ended, in a city where no county began then that no former county accounts for — a new
    county besides (美兰区 and 龙华区 beside 琼山区, when 琼山市 ended in 2002; 龙岗区 beside 宝安区)
    may have taken part of it, and the address is not placed by the former name. None when there are
    none or several."""
    if old.level != COUNTY or not old.ended or _in_force().get((old.level, old.code)):
        return None
    found = _candidates(old)
    if len(found) != 1:
        return None
    new = found[0]
    began, _, _ = _changes()
    beside = [d for d in began.get((new.code[:2], new.began), ()) if d.code[:4] == new.code[:4]]
    if new.name != old.name and not all(_accounted_for(d) for d in beside):
        return None
    return new


@lru_cache(maxsize=1)
def _divided() -> frozenset[str]:
    """The full names of former counties that may be one of several counties now (琼山市: 琼山区,
    美兰区 or 龙华区): no county in force bears the name and it leads to no one county."""
    in_force = {d.name for d in _walk() if d.level == COUNTY and not d.former}
    formers = [d for d in _walk() if d.level == COUNTY and d.former and d.name not in in_force]
    sure = {d.name for d in formers if name_in_force(d) != d.name}
    return frozenset(d.name for d in formers if d.name not in sure and _candidates(d))


def divided(name: str) -> bool:
    """Whether ``name`` is a former county that may now be one of several (see :func:`_divided`):
    not to be read as a county named like it."""
    return name in _divided()


def home_city(name: str) -> tuple[str, bool] | None:
    """A phone's home city (号段 or area code location: a prefecture, or a county-level city the
    province governs itself) as the list names it now, and whether it is such a county-level city (仙桃市):
    襄樊市 → (襄阳市, False), the same code. None when the list has no such city in force of that name or
    code: 巢湖市 the prefecture (3414) was divided among three cities in 2011, and the 巢湖市 now in
    force is a county of 合肥 — not the place the 号段 covers."""
    cities = [d for d, short in _index()[CITY].get(name, ()) if not short]
    now = {_in_force().get((CITY, d.code), "") for d in cities} - {""}
    if len(now) == 1:
        return now.pop(), False
    direct = {
        d.name
        for d, short in _index()[COUNTY].get(name, ())
        if not short and not d.former and d.code[2:4] == "90"
    }
    if not now and len(direct) == 1:
        return direct.pop(), True
    return None


def is_division(name: str) -> bool:
    """Whether ``name`` is the full name of a province, city or county of the list (萍乡市, 宁乡县)."""
    return any(not short for forms in _index().values() for _division, short in forms.get(name, ()))


def province_code(name: str) -> str:
    """The 2-digit code of the province named ``name`` in full (浙江省 → 33), else ""."""
    found = [division.code for division, short in _index()[PROVINCE].get(name, ()) if not short]
    return found[0] if found else ""


def province_name(code: str) -> str:
    """The full name of the province of the 2-digit ``code`` (33 → 浙江省), else ""."""
    named = (
        d.name for forms in _index()[PROVINCE].values() for d, short in forms if not short and d.code == code
    )
    return next(named, "")


def parse_prefix(text: str, lone_short: bool = False) -> Prefix:
    """The provinces, city and county named at the start of ``text`` (normalised: no spaces).

    ``lone_short``: also a county's short name at the very start, with no city or province before it
    (义乌金坑村 → 义乌市) — for a caller that knows the text does not begin with a name of its own there
    (our 凤凰街道 written 凤凰… is not 凤凰县)."""
    divisions: list[Division] = []
    written: list[str] = []
    at, within = 0, ""
    for level in (PROVINCE, CITY, COUNTY):
        found = _read(text, at, level, within, lone_short)
        if found is None:
            continue
        division, form = found
        divisions.append(division)
        written.append(form)
        at += len(form)
        within = division.code
    return Prefix(tuple(divisions), tuple(written), at)
