"""Routing: where the person lives (area), which unit acts, and who in it.

Locating, in order: an address the centre placed by hand before (AddressPlacement), the area tree's
own township and village names found in the address (after the province/city/county part is stripped
and used to narrow the tree), the known person's area, the phone's home location (city level), else
the top of the tree — the centre's queue, flagged ``needs_placement``. Retired areas (已撤销, 撤并)
take no new warning by any of these: only areas in force are read.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Count, Max, QuerySet

from fanzha.core import divisions
from fanzha.core.models import Area, Organisation, User, UserRole
from fanzha.core.models.areas import AreaLevel
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.pii import crypto, phone
from fanzha.core.selectors import WARNING_UNIT_ROLES
from fanzha.screening.t2s import t2s_pairs
from fanzha.warnings.models import OPEN_STATUSES, AddressPlacement, Grade, Warning

# 省/自治区/直辖市, 市/州/地区/盟, 县/区/旗/县级市: the administrative prefix of a Chinese address.
_PREFIX = re.compile(
    r"^(?P<province>[^省市区县]{2,8}?(?:省|自治区|特别行政区)|北京市|天津市|上海市|重庆市)?"
    r"(?P<city>[^省市区县]{1,10}?(?:市|自治州|地区|盟))?"
    r"(?P<county>[^省市区县]{1,10}?(?:县|区|旗|市))?"
)
PLACED_LEVELS = (AreaLevel.VILLAGE, AreaLevel.GRID)
# Names ending so are places below a county that the prefix parser may take for a district (…区).
_DISTRICT_NAME = re.compile(r"[^镇乡村路街道号楼栋巷弄组院舍:;,.\d]{2,8}")
_NOT_DISTRICTS = ("社区", "小区", "园区", "景区", "校区", "厂区", "街区", "营区", "矿区", "库区")
# A county's own zones end in 区 too (经济开发区临港村): no division unless the national list names one
# (浦东新区 is).
_ZONES = ("开发区", "高新区", "新区", "工业区", "保税区", "度假区", "示范区", "管理区", "试验区", "实验区")


def normalise_address(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


# Variant characters the traditional → simplified table does not hold (靑溪县 is 青溪县), and characters
# of the table that simplified Chinese keeps in place names (乾县, 乾安县, 於潜镇): not folded.
_VARIANTS = {"靑": "青", "淸": "清", "鄕": "乡", "衞": "卫"}
_KEPT = "乾於"
# Built once. Most addresses have nothing to fold: a set test (≈ 0.65 µs for 25 characters) passes
# them as they are, cheaper than str.translate (≈ 1.4 µs) and a regex class of the table's 4,100
# characters (≈ 4 µs).
_FOLDED = {t: s for t, s in t2s_pairs().items() if t not in _KEPT} | _VARIANTS
_SIMPLIFIED = str.maketrans(_FOLDED)
_TO_FOLD = frozenset(_FOLDED)


def simplified(text: str) -> str:
    """``text`` with traditional and variant characters read as their simplified forms, one character
    for one (青溪縣城關鎮 → 青溪县城关镇, 靑溪县 → 青溪县): what addresses are matched and remembered by."""
    return text if _TO_FOLD.isdisjoint(text) else text.translate(_SIMPLIFIED)


# Hyphens joining numbers or letters tell addresses apart (幸福路3-2号 is not 幸福路32号, 12-3组 not 123组):
# kept in the key, every form of them as one (- － — – ‐ −, 之 as in 3之2号); elsewhere, punctuation.
_JOINED = re.compile(
    r"(?<=[0-9A-Za-z一二三四五六七八九十百零〇两])"
    r"[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d之]+"
    r"(?=[0-9A-Za-z一二三四五六七八九十百零〇两])"
)
_JOIN = "\ue000"  # a private-use character standing for the hyphen while punctuation is dropped


def _without_punctuation(text: str) -> str:
    return "".join(c for c in text if not unicodedata.category(c).startswith("P"))


def _key_as_written(text: str) -> str:
    """NFKC, without spaces or punctuation but with the hyphens joining numbers, in the characters
    written."""
    joined = _JOINED.sub(_JOIN, normalise_address(text))
    return _without_punctuation(joined).replace(_JOIN, "-")


def address_key(text: str) -> str:
    """An address as the centre's placements remember it: NFKC, without spaces or punctuation, in
    simplified characters (`青溪县，某某新村 7号（菜场对面）。` and `青溪縣 某某新村7號（菜場對面）` are
    `青溪县某某新村7号菜场对面`); a hyphen joining numbers kept, as ``-`` (`幸福路3－2号`, `幸福路3之2号`
    are `幸福路3-2号`, not `幸福路32号`)."""
    return simplified(_key_as_written(text))


def address_hash(text: str) -> str:
    value = address_key(text)
    return crypto.search_hash("address", value) if value else ""


def _keys_before(text: str) -> list[str]:
    """The keys placements were stored under before, newest first: before hyphens were kept (a
    placement made then, or of a warning received then), before traditional characters were read as
    simplified, before punctuation was ignored (NFKC, without spaces)."""
    normalised = normalise_address(text)
    without = _without_punctuation(normalised)
    return [simplified(without), without, normalised]


def split_prefix(address: str) -> tuple[list[str], str]:
    """The province/city/county names at the start of ``address`` as written, and the rest (township
    onwards)."""
    text = normalise_address(address)
    _, written, end = _prefix(text)
    return written, text[end:]


def prefix_names(address: str, lone_short: bool = False) -> tuple[list[str], str]:
    """Like :func:`split_prefix`, with the full names of the divisions the national list knows
    (浙江杭州西湖… → 浙江省, 杭州市, 西湖区): what the area tree's names are compared with.
    ``lone_short``: see :func:`fanzha.core.divisions.parse_prefix`."""
    text = normalise_address(address)
    names, _, end = _prefix(text, lone_short)
    return names, text[end:]


_LEVELS = ("province", "city", "county")


def _prefix(text: str, lone_short: bool = False) -> tuple[list[str], list[str], int]:
    """Full names, written names and the end of the prefix: the national list first
    (:mod:`fanzha.core.divisions`), then, for the levels below what it read, names by their endings
    (省, 市, 县, 区 …) — a county newer than the list, or a tree of made-up names."""
    read = divisions.parse_prefix(text, lone_short)
    names, written = [divisions.name_in_force(d) for d in read.divisions], list(read.written)
    lowest = max((_LEVELS.index(d.level) for d in read.divisions), default=-1)
    match = _PREFIX.match(text[read.end :])
    if match is None or any(match.group(level) for level in _LEVELS[: lowest + 1]):
        return names, written, read.end
    for level in _LEVELS[lowest + 1 :]:
        if match.group(level):
            names.append(match.group(level))
            written.append(match.group(level))
    return names, written, read.end + match.end()


_TOWNSHIP_SUFFIX = re.compile(r"(?:街道办事处|街道|民族乡|镇|乡)$")


def short_township(name: str) -> str:
    """A township as addresses often write it: 溪口街道 → 溪口, 石门镇 → 石门 ("" when that is too short)."""
    short = _TOWNSHIP_SUFFIX.sub("", name)
    return short if short != name and len(short) >= 2 else ""


# A village's name as addresses write it, from the suffix of its name in the tree (longest first): the
# committee's official name (石桥村村民委员会, 城东社区居民委员会) and the usual one (石桥村, 城东社区,
# 城东居委会) are the same place.
_VILLAGE_SUFFIXES = (
    ("社区居民委员会", "community"),
    ("社区居委会", "community"),
    ("居民委员会", "community"),
    ("居委会", "community"),
    ("社区", "community"),
    ("村村民委员会", "village"),
    ("村民委员会", "village"),
    ("村村委会", "village"),
    ("村委会", "village"),
    ("村", "village"),
)
_WRITTEN_AS = {"community": ("社区", "居委会", "居民委员会"), "village": ("村",)}
# After a name without any of those suffixes (东街): these begin another place's name (东街村, 东街社区).
_LONGER_NAME = "村社居委"
# Before a village's name: the end of a place or street (青溪县, 石门镇, 人民路, 8号), not a part of a
# longer name (大金坑村 is not 金坑村).
_BEFORE_VILLAGE = "省市县区旗镇乡道处号路街巷弄"
_NUMBER = re.compile(r"[0-9]+")
# A former name in brackets: "（原杨柳乡）" tells where the place was, not where it is.
_FORMER_NAME = re.compile(r"\((?:原|旧)[^()]*\)")


def village_forms(name: str) -> set[str]:
    """How addresses write the village ``name``: 石桥村村民委员会 → {石桥村村民委员会, 石桥村}."""
    for suffix, kind in _VILLAGE_SUFFIXES:
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and stem:
            return {name, *(stem + written for written in _WRITTEN_AS[kind])}
    return {name}


def village_short(name: str) -> str:
    """A village (村) as addresses write it before its group: 石桥村 → 石桥 in 龙泉乡石桥3组 ("" for a
    community, or a stem too short to tell: 新村)."""
    for suffix, kind in _VILLAGE_SUFFIXES:
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and stem:
            return stem if kind == "village" and len(stem) >= 2 else ""
    return ""


# A village group (村民小组) after a village written short: 3组, 十二组, 2队 (digits are 0 by then).
_GROUP = re.compile(r"[0-9一二三四五六七八九十百零〇两]+(?:小组|组|队)")

_STREET_OFFICE = re.compile(r"(?<=街道)办事处$")


def place_key(name: str) -> str:
    """One spelling for the names of one place, to compare a name as people write it with the tree's:
    城关街道办事处 and 城关街道 → 城关街道; 城东社区居民委员会, 城东社区 and 城东居委会 → 城东社区;
    石桥村村民委员会, 石桥村民委员会, 石桥村委会 and 石桥村 → 石桥村. Other names are kept as they are."""
    name = _STREET_OFFICE.sub("", normalise_address(name))
    for suffix, kind in _VILLAGE_SUFFIXES:
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and stem:
            return stem + _WRITTEN_AS[kind][0]
    return name


def _county_forms(name: str) -> set[str]:
    """A city's or county's name as addresses write it: 青溪县, 青溪; 景宁畲族自治县 also 景宁县 and 景宁
    (the national list's short name, without the people)."""
    forms = {name, *divisions.written_forms(name)}
    short = name.rstrip("市县区")
    if len(short) >= 2:
        forms.add(short)
    stem = divisions.short_name(name)
    if stem and name.endswith(("自治县", "自治旗")):
        forms.add(stem + name[-1])
    return forms


def _same_division(tree_name: str, name: str) -> bool:
    """Whether ``name`` as an address's prefix reads it is the tree's ``tree_name`` (青溪 or 青溪区 for
    青溪县, 景宁县 for 景宁畲族自治县). A former county that may now be one of several is only itself
    (琼山市 is not 琼山区: part of it is 美兰区's and 龙华区's)."""
    if name != tree_name and divisions.divided(name):
        return False
    return bool({name, name.rstrip("市县区")} & _county_forms(tree_name))


def _has_suffix(form: str) -> bool:
    return form.endswith(tuple(written for forms in _WRITTEN_AS.values() for written in forms))


# The kinds of name an address is searched for.
VILLAGE, VILLAGE_SHORT = "village", "village_short"
TOWNSHIP, TOWNSHIP_SHORT, COUNTY = "township", "township_short", "county"


@dataclass(frozen=True)
class Mention:
    """A name of the tree found in an address: where, of which kind, and which areas bear it."""

    start: int
    end: int
    form: str
    kind: str
    areas: tuple[Area, ...]


class NameIndex:
    """The forms of the tree's names, to find them all in an address in one pass: per position, only
    the lengths of the forms that begin with its character are looked up (most characters begin none)."""

    def __init__(self, names: list[tuple[str, str, Area]]) -> None:
        forms: dict[str, dict[str, list[Area]]] = {}
        for form, kind, area in names:
            # Read as addresses are (a tree name written in traditional characters is found too).
            forms.setdefault(simplified(form), {}).setdefault(kind, []).append(area)
        self.forms = {
            form: tuple((kind, tuple(areas)) for kind, areas in kinds.items())
            for form, kinds in forms.items()
        }
        lengths: dict[str, set[int]] = {}
        for form in forms:
            lengths.setdefault(form[0], set()).add(len(form))
        self.lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}

    def find(self, text: str) -> list[Mention]:
        found = []
        forms = self.forms
        for start, first in enumerate(text):
            for length in self.lengths.get(first, ()):
                form = text[start : start + length]
                for kind, areas in forms.get(form, ()):
                    found.append(Mention(start, start + length, form, kind, areas))
        return found


def _longest(mentions: list[Mention]) -> list[Mention]:
    """Mentions not inside a longer one (新村社区 holds 新村: the address names 新村社区)."""
    return [
        m
        for m in mentions
        if not any(
            o is not m and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
            for o in mentions
        )
    ]


def _standalone(mention: Mention, text: str, boundaries: set[int]) -> bool:
    """Whether a village's name stands on its own in ``text`` (not the tail or head of a longer name)."""
    before = text[mention.start - 1] if mention.start else ""
    after = text[mention.end : mention.end + 1]
    if not _has_suffix(mention.form) and after and after in _LONGER_NAME:
        return False
    return (
        not before
        or mention.start in boundaries
        or before in _BEFORE_VILLAGE
        or not ("\u4e00" <= before <= "\u9fff")
    )


def _opening_county(mentions: list[Mention], text: str, starts: set[int]) -> str:
    """The path of our city or county written at the start of the address or of a name of its prefix
    (``starts``), "" when none: a short name opening an address is not read by the prefix parser when
    it is one of our names (莲都城东社区, 景宁城东社区), nor where a street or township of that name goes
    on (莲都路, 景宁街)."""
    found = [
        m
        for m in mentions
        if m.kind == COUNTY
        and m.start in starts
        and len(m.areas) == 1
        and (m.form.endswith(("市", "县", "区", "旗")) or not text.startswith(divisions.GOES_ON, m.end))
    ]
    return max(found, key=lambda m: m.end).areas[0].path if found else ""


# A township as an address writes it: 石门镇, 白沙乡, 城关街道 (a stem of two characters or more).
_WRITTEN_TOWNSHIP = re.compile(r"(?!原)[\u4e00-\u9fff]{2,6}?(?=(?:街道办事处|街道|镇|乡)$)")


def _township_before(village: Mention, text: str, boundaries: set[int]) -> tuple[int, int] | None:
    """Where the stem of a township the address writes right before ``village`` is (石门 in 石门镇城东社区)
    when none of the tree's townships is named there: from the last name of ours or the prefix's end
    (``boundaries``) to the village's name; None when that text is no township's name."""
    start = max((b for b in boundaries if b <= village.start), default=0)
    found = _WRITTEN_TOWNSHIP.match(text, start, village.start)
    return (found.start(), found.end()) if found else None


def _mentioned(
    mentions: list[Mention], text: str, scope: str, opening: int = 0
) -> tuple[list[Area], list[Area], list[Area]]:
    """The villages, townships and townships written short (溪口中山社区) that ``text`` names (its
    province/city/county prefix ending at ``opening``).

    A village's name counts where it stands on its own, the longest where names overlap; written
    short (枫树 for 枫树村) only right after a township's name and right before a group (龙泉乡枫树3组:
    groups are villages'; 东街12号 is a street); a township not where it is a former name (原杨柳乡) or
    part of a village's name; a township written short only right before a village's name (凤凰路中山社区
    names a street, not 凤凰街道).
    """
    after_township = {
        m.end
        for m in mentions
        if m.kind == TOWNSHIP_SHORT or (m.kind == TOWNSHIP and text[m.start - 1 : m.start] != "原")
    }
    short_villages = [
        m
        for m in mentions
        if m.kind == VILLAGE_SHORT and m.start in after_township and _GROUP.match(text, m.end)
    ]
    village_mentions = _longest([m for m in mentions if m.kind == VILLAGE] + short_villages)
    starts = {m.start for m in village_mentions}

    def free(m: Mention) -> bool:
        return not any(v.start < m.end and m.start < v.end for v in village_mentions)

    towns, shorts, boundaries = [], [], {opening} if opening else set()
    for m in mentions:
        if m.kind == TOWNSHIP and free(m) and text[m.start - 1 : m.start] != "原":
            towns.append(m)
        elif m.kind == TOWNSHIP_SHORT and m.end in starts and free(m):
            shorts.append(m)
        elif m.kind != COUNTY:
            continue
        boundaries.add(m.end)
    villages = []
    for m in (m for m in village_mentions if _standalone(m, text, boundaries)):
        written = _township_before(m, text, boundaries)
        ours = [t for t in mentions if written and t.kind == TOWNSHIP_SHORT and (t.start, t.end) == written]
        shorts.extend(ours)  # 龙泉镇 for our 龙泉乡, 城关街道 for 城关镇: the township named
        if not written or ours:
            villages.append(m)  # else after a township we do not have (石门镇城东社区): not placed

    def areas(found: list[Mention]) -> list[Area]:
        return list({a.pk: a for m in found for a in m.areas if a.path.startswith(scope)}.values())

    return areas(villages), areas(towns), areas(shorts)


def _within(villages: list[Area], towns: list[Area]) -> list[Area]:
    return [v for v in villages if any(v.path.startswith(t.path) for t in towns)]


@dataclass(frozen=True)
class Placement:
    area: Area
    placed: bool  # True when the area is a village or grid the warning can be worked in
    how: str  # Chinese: how it was found
    outside: str = ""  # the other province/city/county the address names (kept in the centre's queue)


# A platform whose area tree is not loaded yet has nowhere to put a warning, not even the centre's queue.
NO_AREAS = (
    "系统中还没有行政区划，无法接收预警：请先导入本中心的行政区划"
    "（导入 → 行政区划，或 fanzha import_file areas 文件），再导入预警清单"
)


class Locator:
    """Caches the area tree for a run (an import may place a hundred thousand addresses)."""

    def __init__(self, actor: Any = None) -> None:
        areas = list(Area.objects.filter(is_active=True).order_by("path"))
        self.by_name: dict[str, list[Area]] = {}
        for area in areas:
            self.by_name.setdefault(area.name, []).append(area)
        self.upper = [a for a in areas if a.level in (AreaLevel.CITY, AreaLevel.DISTRICT)]
        self.has_city = any(a.level == AreaLevel.CITY for a in self.upper)
        townships = [a for a in areas if a.level == AreaLevel.TOWNSHIP]
        self.names = NameIndex(
            [
                (form, VILLAGE, a)
                for a in areas
                if a.level == AreaLevel.VILLAGE
                for form in village_forms(a.name)
            ]
            + [
                (short, VILLAGE_SHORT, a)
                for a in areas
                if a.level == AreaLevel.VILLAGE
                if (short := village_short(a.name))
            ]
            + [(form, TOWNSHIP, a) for a in townships for form in self._township_forms(a)]
            + [(short, TOWNSHIP_SHORT, a) for a in townships if (short := short_township(a.name))]
            + [(form, COUNTY, a) for a in self.upper for form in _county_forms(a.name)]
        )
        roots = [a for a in areas if a.parent_id is None]
        self.root = roots[0] if roots else None
        self.province = _province_of(self.root)
        self._memo: dict[str, Placement | None] = {}
        self._placements: dict[str, int] | None = None
        self._placed_for: dict[str, int | None] = {}  # address → the area placed for it
        self.by_id = {area.pk: area for area in areas}
        self.home = _centre_area(actor) or self.root

    def _township_forms(self, township: Area) -> set[str]:
        """A township's name, and a zone's without the county's name it opens with (青溪经济开发区 is
        also 经济开发区: 青溪县经济开发区…)."""
        forms = {township.name}
        if township.name.endswith((*_ZONES, "园区")):
            for county in self.upper:
                for opening in _county_forms(county.name):
                    rest = township.name.removeprefix(opening)
                    if rest != township.name and len(rest) >= 3:
                        forms.add(rest)
        return forms

    def _outside(self, prefix: list[str]) -> str:
        """The city or county of the address's prefix that is not in the tree ("" when none is).

        A province by the tree's codes (the first two digits of its top area's); a city not when the
        tree starts at a county (a county centre's tree: its own city is not in it); a "…社区"/"…小区"
        the parser took for a district is no place name of that level — unless the national list
        names it (萍乡市, 镇江市, 宁乡县 hold 乡 or 镇 as a township does).
        """
        provinces = ("省", "自治区", "特别行政区")
        above = provinces if self.has_city else (*provinces, "市")
        for name in prefix:
            code = divisions.province_code(name) if name.endswith(provinces) else ""
            if code and self.province and code != self.province:
                return name  # 湖南省石门镇金坑村 in a tree of Zhejiang's codes (33…)
            if name.endswith(above):
                continue
            # 人民医院宿舍区, 城关镇幸福新区: not a district
            if not divisions.is_division(name) and (
                name.endswith(_NOT_DISTRICTS + _ZONES) or not _DISTRICT_NAME.fullmatch(name)
            ):
                continue
            if name in self.by_name or any(name.endswith(a.name) for a in self.upper):
                continue
            if not any(_same_division(a.name, name) for a in self.upper):
                return name
        return ""

    def _match_tree(self, address: str) -> Placement | None:
        text = _FORMER_NAME.sub("", address)
        # The whole text: "城西社区" also looks like a county "…区" to the prefix parser.
        mentions = self.names.find(text)
        # Another county's short name may open the address (义乌金坑村), unless one of our names does there
        # (凤凰中山社区: our 凤凰街道, not 凤凰县).
        prefix, written, end = _prefix(text, lone_short=all(m.start > 0 for m in mentions))
        prefix = [
            self._as_the_tree_names(name, as_written)
            for name, as_written in zip(prefix, written, strict=True)
        ]
        rest = text[end:]
        outside = self._outside(prefix)
        home = self.home or self.root
        if outside and home is not None:
            # 光明社区, 朝阳社区, 中山社区 are everywhere: never matched by name in another county.
            return Placement(home, False, "地址不在本辖区，进入中心待定位队列", outside=outside)
        if self._unknown_after_city(prefix, rest, {m.start for m in mentions}, len(text) - len(rest)):
            return None  # 江州市江北石门镇…: another county of our city, written without 县/区
        scope = ""
        for name in prefix:
            for area in self.upper:
                if _same_division(area.name, name):
                    scope = area.path if len(area.path) > len(scope) else scope
        # Where each name of the prefix begins: "莲都城东社区" is read as one county "…区" by its ending.
        starts = {sum(len(w) for w in written[:i]) for i in range(len(written) + 1)}
        opening = _opening_county(mentions, text, starts)
        if opening.startswith(scope):
            scope = opening
        villages, towns, shorts = _mentioned(mentions, text, scope, end)
        if towns or shorts:
            # The township decides among same-named villages; a village outside it is a contradiction
            # (溪口街道新华社区 when 新华社区 is in 龙泉镇: which of the two is wrong?).
            inside = _within(villages, towns or shorts)
            if villages and not inside:
                return None
            villages = inside
        if len(villages) == 1:
            return Placement(villages[0], True, "按地址匹配到村（社区）")
        if len(towns) == 1:
            return Placement(towns[0], False, "按地址仅匹配到乡镇（街道）")
        if scope:
            area = next(a for a in self.upper if a.path == scope)
            return Placement(area, False, "按地址仅匹配到区县")
        return None

    def _as_the_tree_names(self, name: str, written: str) -> str:
        """``name`` (the name in force of what the address wrote as ``written``), or ``written`` where
        only that is the tree's: a tree loaded before the county was renamed (郫县, not 郫都区)."""
        if name == written or self._in_tree(name) or not self._in_tree(written):
            return name
        return written

    def _in_tree(self, name: str) -> bool:
        return name in self.by_name or any(_same_division(a.name, name) for a in self.upper)

    def _unknown_after_city(self, prefix: list[str], rest: str, starts: set[int], at: int) -> bool:
        """Whether the address names our city and then no county, township or village of ours
        (``starts``: where the tree's names begin in the address, ``at``: where ``rest`` does)."""
        if not prefix or not rest or not self.has_city:
            return False
        city = prefix[-1].rstrip("市")
        if not any(a.level == AreaLevel.CITY and a.name.rstrip("市") == city for a in self.upper):
            return False
        return at not in starts

    def _remembered(self, address: str) -> Area | None:
        """The centre's earlier placement of this address (all placements read once a run)."""
        if self._placements is None:
            rows = AddressPlacement.objects.values_list("address_hash", "area_id")
            self._placements = dict(rows)
        if not self._placements:
            return None
        if not address:
            return None
        if address not in self._placed_for:
            self._placed_for[address] = _placement_of(self._placements, address)
        area_id = self._placed_for[address]
        return self.by_id.get(area_id) if area_id is not None else None

    def match_address(self, address: str) -> Placement | None:
        # Numbers name no area (3组15号, 8栋): a list's addresses of one village and street share a key.
        written = _NUMBER.sub("0", normalise_address(address))
        key = simplified(written)
        if not key:
            return None
        if key not in self._memo:
            self._memo[key] = self._match_tree(key)
        found = self._memo[key]
        if found is not None and found.outside and key != written:
            return replace(found, outside=_as_written(found.outside, key, written))
        return found

    def by_phone(self, number: str) -> Placement | None:
        """The phone's home location (the 号段's or the area code's city) when it is one of the tree's
        cities, and only one: not an area code of several cities (028: 成都市、资阳市、眉山市), nor a
        city the list no longer has (巢湖市, the prefecture, is not our county 巢湖市), nor a name
        several areas bear. A prefecture is matched with a city of the tree, a county-level city the
        province governs itself (仙桃市) with a city or county."""
        if not number:
            return None
        info = phone.phone_info(number)
        places = info.city.split("、")
        found = divisions.home_city(places[0]) if len(places) == 1 and places[0] else None
        if found is None:
            return None
        name, direct = found
        levels = (AreaLevel.CITY, AreaLevel.DISTRICT) if direct else (AreaLevel.CITY,)
        areas = {
            a.pk: a
            for written in {name, info.city}
            for a in self.by_name.get(written, [])
            if a.level in levels
        }
        if len(areas) != 1:
            return None
        return Placement(next(iter(areas.values())), False, "按手机号归属地定位到市")

    def locate(self, *, address: str, number: str, person_area: Area | None) -> Placement:
        remembered = self._remembered(address)
        if remembered is not None:
            return Placement(remembered, remembered.level in PLACED_LEVELS, "按中心此前对该地址的定位")
        matched = self.match_address(address)
        if matched is not None and (matched.placed or matched.outside):
            return matched
        if person_area is not None and person_area.level in PLACED_LEVELS and person_area.is_active:
            # A person still registered in a retired (撤并) village: not placed there, as an address is not.
            return Placement(person_area, True, "按人员登记的区划")
        fallback = matched or self.by_phone(number)
        if self.home is None:
            raise LookupError(NO_AREAS)
        if fallback is None or not fallback.area.path.startswith(self.home.path):
            # Nothing, or only a place above (or beside) the centre: the centre's own queue.
            return Placement(self.home, False, "无法定位，进入中心待定位队列")
        return fallback


def _as_written(name: str, key: str, written: str) -> str:
    """``name`` found in ``key`` (simplified) as ``written`` spells it there (one character for one:
    广东省 → 廣東省); ``name`` itself where ``key`` does not hold it (a full name the national list gives)."""
    at = key.find(name)
    return written[at : at + len(name)] if at >= 0 else name


def _placement_of(placements: dict[str, int], address: str) -> int | None:
    """The area placed for ``address`` under its key, or under a key stored before
    (:func:`_keys_before`)."""
    key = address_key(address)
    found = placements.get(address_hash(address))
    tried = {key}
    for before in _keys_before(address):
        if found is not None:
            break
        if before and before not in tried:
            tried.add(before)
            found = placements.get(crypto.search_hash("address", before))
    return found


def _province_of(root: Area | None) -> str:
    """The province of the tree, by the 2 digits its top area's 区划代码 begins with, when they are one
    of the national list's (a tree of other codes: "")."""
    code = root.code[:2] if root is not None and root.code.isdigit() and len(root.code) >= 6 else ""
    return code if code and divisions.province_name(code) else ""


def _centre_area(actor: Any) -> Area | None:
    """Where the centre's queue lives: the acting user's centre, else the centre covering the most."""
    organisation = getattr(actor, "organisation", None) if getattr(actor, "is_authenticated", False) else None
    if organisation is not None and organisation.kind == OrganisationKind.CENTRE:
        return organisation.area
    centres = Organisation.objects.filter(kind=OrganisationKind.CENTRE, is_active=True).select_related("area")
    found = sorted(centres, key=lambda c: (len(c.area.path), c.pk))
    return found[0].area if found else None


# ── assignment ───────────────────────────────────────────────────────────────


def police_grades() -> set[str]:
    """The grades routed to the police station (``FANZHA_WARNING_POLICE_GRADES``); a value that is no
    grade is refused — 紧急,高 matched none, and every urgent warning went to the grid worker."""
    grades = set(getattr(settings, "WARNING_POLICE_GRADES", ["urgent", "high"]))
    unknown = sorted(grades - set(Grade.values))
    if unknown:
        raise ImproperlyConfigured(
            f"FANZHA_WARNING_POLICE_GRADES must list grades among {', '.join(Grade.values)}, "
            f"not {', '.join(unknown)}"
        )
    return grades


ASSIGNMENT_MODES = ("least_loaded", "round_robin")


def round_robin() -> bool:
    """Whether ``FANZHA_WARNING_ASSIGNMENT`` is round_robin (a misspelt mode is refused, not read as
    least_loaded)."""
    mode = getattr(settings, "WARNING_ASSIGNMENT", "least_loaded")
    if mode not in ASSIGNMENT_MODES:
        raise ImproperlyConfigured(
            f"FANZHA_WARNING_ASSIGNMENT must be least_loaded or round_robin, not {mode!r}"
        )
    return bool(mode == "round_robin")


ROLE_OF_KIND = WARNING_UNIT_ROLES  # the role that receives warnings in each kind of unit


class Assigner:
    """Picks the unit covering the area and one of its eligible users (least loaded or round robin)."""

    def __init__(self) -> None:
        self.units: list[tuple[Organisation, list[str]]] = [
            (org, org.jurisdiction_paths())
            for org in Organisation.objects.filter(is_active=True, kind__in=list(ROLE_OF_KIND))
            .select_related("area")
            .prefetch_related("covered_areas")
        ]
        self._users: dict[int, list[User]] = {}
        self._rank_of: dict[int, tuple[int, float]] = {}
        self._clock = 0.0
        self._unit: dict[tuple[int, str], Organisation | None] = {}
        self.police = police_grades()
        self.round_robin = round_robin()

    def unit_for(self, area: Area, kind: str) -> Organisation | None:
        """The unit of ``kind`` whose jurisdiction covers ``area`` most closely (once per area a run)."""
        key = (area.pk, kind)
        if key not in self._unit:
            self._unit[key] = self._closest(area, kind)
        return self._unit[key]

    def _closest(self, area: Area, kind: str) -> Organisation | None:
        best: tuple[int, Organisation] | None = None
        for org, paths in self.units:
            if org.kind != kind:
                continue
            for path in paths:
                if area.path.startswith(path) and (best is None or len(path) > best[0]):
                    best = (len(path), org)
        return best[1] if best else None

    def users_of(self, org: Organisation) -> list[User]:
        """The unit's active users of the role its kind works warnings with (read once a unit a run).

        Inside a transaction (an intake, a handover) they stay locked until it ends (:func:`_kept`), so
        a transfer of one of them cannot slip in between the choice and the commit. The Assigner lives
        for that one transaction."""
        if org.pk not in self._users:
            role = ROLE_OF_KIND[OrganisationKind(org.kind)]
            holders = UserRole.objects.filter(role=role).values("user_id")
            users = User.objects.filter(organisation=org, is_active=True, pk__in=holders).order_by("id")
            self._users[org.pk] = _kept(users)
        return self._users[org.pk]

    def _rank(self, users: list[User]) -> dict[int, tuple[int, float]]:
        """Per user: (open warnings, time of the last assignment), read once a run, then kept up to date.

        Both come from the ``warnings_assignee`` index (assignee, status, assigned_at) alone: the open
        ones are a range of it, and the last assignment is only read for round robin.
        """
        missing = [u.pk for u in users if u.pk not in self._rank_of]
        if missing:
            rows = Warning.objects.filter(assignee_id__in=missing).values("assignee_id").order_by()
            load = dict(
                rows.filter(status__in=OPEN_STATUSES).annotate(n=Count("*")).values_list("assignee_id", "n")
            )
            last = {}
            if self.round_robin:
                last = dict(rows.annotate(last=Max("assigned_at")).values_list("assignee_id", "last"))
            for pk in missing:
                at = last.get(pk)
                self._rank_of[pk] = (load.get(pk, 0), at.timestamp() if at is not None else 0.0)
        return self._rank_of

    def pick(self, users: list[User]) -> User | None:
        if not users:
            return None
        rank = self._rank(users)
        if self.round_robin:
            chosen = min(users, key=lambda u: (rank[u.pk][1], u.pk))
        else:
            chosen = min(users, key=lambda u: (rank[u.pk][0], u.pk))
        self._clock += 1
        load, _ = rank[chosen.pk]
        rank[chosen.pk] = (load + 1, max(time.time(), self._clock))
        return chosen

    def assign(self, area: Area, grade: str) -> tuple[Organisation | None, User | None]:
        """The unit and user for a warning of ``grade`` in ``area``; the other kind when none is there."""
        first = (
            OrganisationKind.POLICE_STATION if grade in self.police else OrganisationKind.VILLAGE_COMMITTEE
        )
        kinds = [first, *(k for k in ROLE_OF_KIND if k != first)]
        for kind in kinds:
            org = self.unit_for(area, kind)
            user = self.pick(self.users_of(org)) if org is not None else None
            if user is not None:
                return org, user
        return None, None


def fallback_note(org: Organisation | None, grade: str) -> str:
    """Why a warning went to the other kind of unit than its grade's (:meth:`Assigner.assign`), for its
    history: the administrator then sees which jurisdiction or accounts are missing ("" otherwise)."""
    if org is None:
        return ""
    if grade in police_grades() and org.kind != OrganisationKind.POLICE_STATION:
        return "（该区划不在任何派出所辖区内，或该所没有派出所民警账户，改由村（社区）网格员承办）"
    if grade not in police_grades() and org.kind != OrganisationKind.VILLAGE_COMMITTEE:
        return "（该村（社区）没有村(居)委会或网格员账户，改由派出所承办）"
    return ""


def _kept(users: QuerySet[User]) -> list[User]:
    """``users``, on PostgreSQL inside a transaction read ``FOR KEY SHARE``: locked until it ends.

    A transfer (``user_update``) locks the user's row ``FOR UPDATE`` and refuses while the user holds
    open warnings. Read without a lock, a transfer could commit between an intake's (or a handover's)
    choice of the user and its commit, counting "no open warnings": the new warning stayed with a
    user of another unit. Now the transfer waits, then counts the warning and refuses; an intake that
    waits for a transfer gets the user's row as committed (READ COMMITTED re-checks the conditions on
    it) and picks a colleague. KEY SHARE conflicts with ``FOR UPDATE`` only, not with a plain UPDATE:
    a login writing ``last_login`` does not wait for a long import, and intakes and handovers choosing
    among the same users do not wait for one another (Django's FOR UPDATE / FOR NO KEY UPDATE would do
    both). One query, as without the lock (the roles are a subquery: PostgreSQL refuses a lock with
    DISTINCT). SQLite needs none: its writing transactions begin IMMEDIATE, one after the other; a
    page listing the candidates outside a transaction has nothing to keep."""
    connection = connections[users.db]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return list(users)
    sql, params = users.query.sql_with_params()
    return list(User.objects.using(users.db).raw(f"{sql} FOR KEY SHARE", params))


def candidates(area: Area) -> list[tuple[Organisation, User]]:
    """Everyone a warning in ``area`` may be handed to (both kinds of unit)."""
    assigner = Assigner()
    found = []
    for kind in ROLE_OF_KIND:
        org = assigner.unit_for(area, kind)
        if org is not None:
            found.extend((org, u) for u in assigner.users_of(org))
    return found


def describe_unit(org: Any) -> str:
    return str(org) if org is not None else "反诈中心（待分派）"
