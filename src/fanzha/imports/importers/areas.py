"""The area tree: code, name, level, parent code, residents, households; rows in any order."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

from fanzha.core.models import Area
from fanzha.core.models.areas import LEVEL_ORDER, AreaLevel
from fanzha.core.services import areas as area_services
from fanzha.imports.columns import NUMERIC_AREA_CODE, Field
from fanzha.imports.importers.base import NEW, UNCHANGED, UPDATED, Importer, Row, RowRejected

CODE_RE = re.compile(r"^[0-9A-Za-z]{1,32}$")
# Not a level of the tree (it starts at 市): a province row is read only to be skipped above the tree.
PROVINCE = "province"
# The level words of our export, and those of the lists counties receive: civil-affairs lists name the
# grade (县级, 乡级, 村级) or the body (街道办事处, 村委会, 居委会).
LEVEL_WORDS: dict[str, str] = {
    **dict.fromkeys(("省", "省级", "自治区", "直辖市", "省份", "province"), PROVINCE),
    **dict.fromkeys(("市", "地级市", "市级", "地级", "地市级", "city"), "city"),
    **dict.fromkeys(("区", "县", "区县", "县区", "县级市", "县级", "区级", "县市区", "district"), "district"),
    **dict.fromkeys(
        ("乡", "镇", "街道", "乡镇", "乡镇街道", "乡级", "镇级", "乡镇级", "township"), "township"
    ),
    **dict.fromkeys(("民族乡", "街道办", "街道办事处", "街办"), "township"),
    **dict.fromkeys(
        ("村", "社区", "村社区", "村居", "村级", "社区级", "村居级", "行政村", "village"), "village"
    ),
    **dict.fromkeys(("村委会", "居委会", "村居委会", "村民委员会", "居民委员会", "社区居委会"), "village"),
    **dict.fromkeys(("网格", "网格级", "grid"), "grid"),
}
LEVEL_LABELS = dict(AreaLevel.choices)
# The 状态 column: in force, or retired (撤并: merged into another area or abolished). A blank cell
# leaves an area as it is (a new one in force); an area missing from a file is never retired by that.
STATUS_WORDS: dict[str, bool] = {
    **dict.fromkeys(("有效", "正常", "在用", "现行", "启用", "是", "1", "active", "yes", "true", "y"), True),
    **dict.fromkeys(
        ("已撤销", "撤销", "撤并", "已撤并", "撤消", "已撤消", "撤销撤并", "已合并", "合并"), False
    ),
    **dict.fromkeys(("无效", "停用", "已停用", "否", "0", "inactive", "retired", "no", "false", "n"), False),
}

# A civil-affairs (6/9-digit) or statistical (12-digit) code: shown in error reports as written.
CODE_SHAPE = re.compile(r"\d{6}(?:\d{3}(?:\d{3})?)?")

FIELDS = [
    Field(
        "code",
        "区划代码",
        ("行政区划代码", "统计用区划代码", "区划编码", "代码", "编码", "area code", "code"),
        required=True,
        numeric=NUMERIC_AREA_CODE,
        fold=True,
        plain=CODE_SHAPE,
    ),
    Field("name", "名称", ("区划名称", "地名", "name", "area name"), required=True),
    Field("level", "层级", ("级别", "区划层级", "区划级别", "类型", "level"), fold=True),
    Field(
        "parent_code",
        "上级代码",
        ("上级区划代码", "上级编码", "父级代码", "parent", "parent code"),
        numeric=NUMERIC_AREA_CODE,
        fold=True,
        plain=CODE_SHAPE,
    ),
    Field("residents", "常住人口", ("人口", "人口数", "居民数", "residents", "population"), fold=True),
    Field("households", "户数", ("户籍户数", "总户数", "households"), fold=True),
    Field(
        "status",
        "状态",
        ("是否有效", "有效", "区划状态", "有效状态", "status", "active", "is_active"),
        fold=True,
    ),
]


# A leading apostrophe some systems' CSV exports write so that Excel keeps a code text ('331199100201).
TEXT_MARK = re.compile(r"^['‘’]+")
# A whole number written as a decimal: 331199100203.0 (a pandas float column written to CSV). A float
# holds every whole number of 15 digits exactly, not all of 16 (9007199254740993 is 9007199254740992.0).
WHOLE_DECIMAL = re.compile(r"^(\d+)\.0+$")
FLOAT_EXACT_DIGITS = 15
# Scientific notation: 3.31199E+11 (Excel's General format saved as CSV), 3.311991000010011e+15.
SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
HOW_TO_FIX = "请在表格中把该列设为“文本”格式、核对代码完整后重新导出"
SCIENTIFIC_NOTATION = (
    "被表格软件转成了科学计数法（如 3.31199E+11），末几位数字可能已丢失，无法确定原来的代码；" + HOW_TO_FIX
)
LONG_DECIMAL = (
    f"被表格软件转成了数字（超过 {FLOAT_EXACT_DIGITS} 位），末几位数字可能已丢失，无法确定原来的代码；"
    + HOW_TO_FIX
)


class LossyAreaCode(ValueError):
    """An area code a spreadsheet turned into a number that may have lost its last digits (scientific
    notation, a decimal of more than 15 digits): refused, since whether any were lost cannot be known.
    The message (no subject: the caller names the column) says so and how to export the list again."""


def read_area_code(text: str) -> str:
    """The area code a cell holds, however a list or a spreadsheet wrote it — every import reading an
    area code reads it here: full-width digits as digits, without the spaces printed lists group it with
    (331199 100201) and the leading apostrophe that kept it text ('331199100201); a whole number written
    as a decimal (331199100203.0) is its digits. Scientific notation (3.31199100204E+11) raises
    :class:`LossyAreaCode`, even when it spells every digit. Text that is no code (a name, a name path)
    comes back without its spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    code = TEXT_MARK.sub("", re.sub(r"\s+", "", text))
    if SCIENTIFIC.match(code):
        raise LossyAreaCode(SCIENTIFIC_NOTATION)
    whole = WHOLE_DECIMAL.match(code)
    if whole is None:
        return code
    if len(whole[1]) > FLOAT_EXACT_DIGITS:
        raise LossyAreaCode(LONG_DECIMAL)
    return whole[1]


# A 12-digit code a spreadsheet rounded to the 6 digits it shows (3.30521E+11 saved as CSV, then opened
# and saved again): 330521001001 is read 330521000000, and every code of the county is the same.
ROUNDED_SHOWN_DIGITS = 6
ROUNDED_HINT = (
    "（如果表格中该列显示为 {shown} 这样的科学计数法，是代码被表格软件转成了数字、末几位数字可能已丢失；"
    + HOW_TO_FIX
    + "）"
)


def rounded_hint(code: str) -> str:
    """Why a statistical code may be repeated: its digits after the sixth may have been rounded away."""
    digits = code.rstrip("0")
    if not (code.isdigit() and len(code) >= 12 and len(digits) <= ROUNDED_SHOWN_DIGITS):
        return ""
    mantissa = f"{digits[0]}.{digits[1:]}" if len(digits) > 1 else digits
    return ROUNDED_HINT.format(shown=f"{mantissa}E+{len(code) - 1}")


def canonical_code(code: str) -> str:
    """The 12-digit form of a 6- or 9-digit civil-affairs code (331199 → 331199000000), else the code."""
    return area_services.code_forms(code)[1] if code.isdigit() and len(code) in (6, 9) else code


def stored_areas(rows: list[Row]) -> dict[str, str]:
    """Canonical code → stored level of the rows' areas already in the tree."""
    codes = {form for row in rows if row.cleaned for form in area_services.code_forms(row.cleaned["code"])}
    return {
        canonical_code(code): level
        for code, level in Area.objects.filter(code__in=codes).values_list("code", "level")
    }


# 统计用区划代码: 2 digits of province, 2 of city, 2 of county, 3 of township, 3 of village; a level's
# code ends in zeros where the lower levels' digits go.
STATISTICAL_LEVELS = [(2, PROVINCE), (4, AreaLevel.CITY), (6, AreaLevel.DISTRICT), (9, AreaLevel.TOWNSHIP)]
PARENT_DIGITS = {"district": 4, "township": 6, "village": 9}  # the digits a code shares with its parent
ROOT_LEVELS = frozenset({AreaLevel.CITY, AreaLevel.DISTRICT})  # a county may be set up without its city
# The digits an area shares with those under it: a province's 2, a city's 4 (statistical codes).
ABOVE_DIGITS = {PROVINCE: 2, AreaLevel.CITY: 4}
ABOVE_NOTICE = "上级区划，已跳过（{why}）"
PROVINCE_ABOVE = "省级区划不在本系统的区划树中，最高一级为市"
CITY_ABOVE = "本系统的区划树从其下的区/县开始，不含该市"
TOP_NOTICE = (
    "上级代码 {code}（本区划所属的市）在系统和本文件中都不存在，本区划已作为区划树的顶级导入；"
    "如需其上级，请先导入上级或在文件中补上上级一行"
)
UNLISTED = (
    "系统中上级 {parent} 下还有在用的区划本文件没有列出：{named}；"
    "如已撤并或改了代码，请在文件中列出并把状态填为“已撤销”后再导入"
)
UNLISTED_SHOWN = 5
PROVINCE_ELSEWHERE = (
    "省级区划不在本系统的区划树中（最高一级为市），且不是本文件或系统中任何区划的上级，请删除该行"
)


def level_from_code(code: str) -> str | None:
    """The level a 12-digit statistical code names (331199100000 → 乡镇/街道), else None."""
    if not (code.isdigit() and len(code) == 12):
        return None
    for digits, level in STATISTICAL_LEVELS:
        if code[digits:] == "0" * (12 - digits):
            return str(level)
    return str(AreaLevel.VILLAGE)


def parent_from_code(code: str, level: str) -> str:
    """The parent's statistical code of a 12-digit ``code`` at ``level`` ("" for a 市 or any other code)."""
    kept = PARENT_DIGITS.get(level)
    if kept is None or level_from_code(code) != level:
        return ""
    return code[:kept] + "0" * (12 - kept)


def is_above(key: str, level: str, codes: list[str]) -> bool:
    """Whether the province or city of the 12-digit statistical code ``key`` holds one of ``codes``."""
    digits = ABOVE_DIGITS[level]
    if not (key.isdigit() and len(key) == 12 and key[digits:] == "0" * (12 - digits)):
        return False
    return any(code != key and code.startswith(key[:digits]) for code in codes)


def parse_level(text: str) -> str | None:
    key = re.sub(r"[\s/、,，]+", "", unicodedata.normalize("NFKC", text).lower())
    return LEVEL_WORDS.get(key)


def parse_status(text: str) -> bool | None:
    """有效 → True, 已撤销/撤并 → False, else None."""
    key = re.sub(r"[\s()（）]+", "", unicodedata.normalize("NFKC", text).lower())
    return STATUS_WORDS.get(key)


def parse_count(text: str) -> int:
    value = text.replace(",", "").strip()
    if not value.isdigit():
        raise ValueError(value)
    return int(value)


def validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for messages in exc.message_dict.values() for m in messages)
    return "；".join(exc.messages)


class AreaImporter(Importer):
    code = "areas"
    label = "行政区划"
    permission = "area.manage"
    read_permission = "area.view"
    allow_system = True
    fields = FIELDS

    def __init__(self) -> None:
        self._notices: list[tuple[int, str, str]] = []  # (row, column, message): the rows skipped
        self._rows: list[Row] = []

    def row_notices(self) -> list[tuple[int, str, str]]:
        return self._notices

    def committed(self, batch: Any) -> None:
        self._notices.extend(self._unlisted_in_force())

    def _unlisted_in_force(self) -> list[tuple[int, str, str]]:
        """A notice on the first row under a parent whose areas in force the file mostly lists but not
        all: next year's list names a township by a new code (筏头畲族乡 330521201 became 筏头镇
        330521104), and the old one stayed in force beside it, unsaid. A file adding one village to a
        township of twenty lists too few of them to say anything of the others."""
        listed: dict[str, list[Row]] = {}
        for row in self._rows:
            data = row.cleaned
            if data and not row.errors and not data.get("above") and data.get("parent_code"):
                listed.setdefault(canonical_code(data["parent_code"]), []).append(row)
        notices = []
        for parent, rows in listed.items():
            codes = {row.cleaned["key"] for row in rows}
            under = Area.objects.filter(parent__code__in=area_services.code_forms(parent), is_active=True)
            in_force = under.values_list("code", "name")
            unlisted = [(code, name) for code, name in in_force if canonical_code(code) not in codes]
            if unlisted and len(unlisted) < len(rows):
                named = "、".join(f"{name}（{code}）" for code, name in sorted(unlisted)[:UNLISTED_SHOWN])
                more = f"等 {len(unlisted)} 个" if len(unlisted) > UNLISTED_SHOWN else ""
                message = UNLISTED.format(parent=parent, named=named + more)
                notices.append((rows[0].number, self.field("parent_code").label, message))
        return notices

    def validate_row(self, *, actor: Any, row: Row) -> None:
        values = row.values
        for name in ("code", "parent_code"):
            self._read_code(row, name)
        if not values.get("code"):
            row.error(self.field("code"), "请填写区划代码")
        name = values.get("name", "")
        if not name or len(name) > 100:
            row.error(self.field("name"), "请填写名称（不超过 100 字）", name)
        level = parse_level(values.get("level", "")) if values.get("level") else None
        if level is None and values.get("level"):
            row.error(
                self.field("level"), "层级应为 市、区/县、乡镇/街道、村/社区 或 网格", values.get("level", "")
            )
        if values.get("parent_code") and values.get("parent_code") == values.get("code"):
            row.error(self.field("parent_code"), "上级代码不能与本区划代码相同", values["parent_code"])
        counts = self._counts(row)
        status = self._status(row)
        if not row.errors:
            row.cleaned = {
                "code": values["code"],
                "name": name,
                "level": level,
                "parent_code": values.get("parent_code", ""),
                **counts,
                **status,
                "_present": set(values),
            }

    def _read_code(self, row: Row, name: str) -> None:
        """The row's code in ``name`` as :func:`read_area_code` reads it (331199 100201, '331199100201
        and 331199100201.0 are 331199100201), or the row's error."""
        text = row.values.get(name, "")
        if not text:
            return
        label = self.field(name).label
        try:
            code = read_area_code(text)
        except LossyAreaCode as exc:
            row.error(self.field(name), f"{label}{exc}", text)
            return
        row.values[name] = code
        if code and not CODE_RE.match(code):
            row.error(self.field(name), f"{label}只能由数字或字母组成（不超过 32 位）", code)

    def _status(self, row: Row) -> dict[str, bool]:
        """{"is_active": …} when the row's 状态 says (blank: nothing to change)."""
        text = row.values.get("status", "")
        if not text:
            return {}
        active = parse_status(text)
        if active is None:
            row.error(self.field("status"), "状态应为 有效 或 已撤销（撤并）", text)
            return {}
        return {"is_active": active}

    def _counts(self, row: Row) -> dict[str, int | None]:
        counts: dict[str, int | None] = {}
        for name in ("residents", "households"):
            if name not in row.values:
                continue
            text = row.values[name]
            try:
                counts[name] = parse_count(text) if text else None
            except ValueError:
                row.error(self.field(name), f"{self.field(name).label}应为不小于 0 的整数", text)
        return counts

    def validate_file(self, *, actor: Any, rows: list[Row]) -> None:
        self._rows = rows
        # One area written two ways (331199 and 331199000000) is the same area twice.
        for row in rows:
            if row.cleaned:
                row.cleaned["key"] = canonical_code(row.cleaned["code"])
        stored = stored_areas(rows)
        for row in rows:
            if row.cleaned and not row.errors:
                self._fill_from_code(row, stored.get(row.cleaned["key"]))
        self._reject_duplicate_codes(rows)
        above = self._skip_above_the_tree(rows, stored)
        in_file = {
            row.cleaned["key"]: row.cleaned["level"]
            for row in rows
            if row.cleaned and row.cleaned.get("level") != PROVINCE and row.cleaned["key"] not in above
        }
        wanted = {
            canonical_code(row.cleaned["parent_code"]) for row in rows if row.cleaned.get("parent_code")
        }
        forms = {form for code in wanted - set(in_file) for form in area_services.code_forms(code)}
        in_db = {
            canonical_code(code): level
            for code, level in Area.objects.filter(code__in=forms).values_list("code", "level")
        }
        for row in rows:
            parent_code = row.cleaned.get("parent_code")
            if row.errors or not parent_code or row.cleaned.get("above"):
                continue
            if canonical_code(parent_code) in above:
                self._place_below_skipped(row)
                continue
            parent_level = in_file.get(canonical_code(parent_code)) or in_db.get(canonical_code(parent_code))
            if parent_level is None and row.cleaned["parent_derived"] and row.cleaned["level"] in ROOT_LEVELS:
                row.cleaned["parent_code"] = ""  # a county set up without its city: the top of the tree
            elif parent_level is None and self._own_city(row):
                row.cleaned["top"] = TOP_NOTICE.format(code=parent_code)  # as above, its city stated
                row.cleaned["parent_code"] = ""
            elif parent_level is None and row.cleaned["parent_derived"]:
                row.error(
                    self.field("parent_code"),
                    f"上级区划（按区划代码应为 {parent_code}）在系统和本文件中都不存在，"
                    "请先导入上级或在文件中补上上级一行",
                )
            elif parent_level is None:
                row.error(self.field("parent_code"), "上级代码在系统和本文件中都不存在", parent_code)
            elif LEVEL_ORDER.index(row.cleaned["level"]) <= LEVEL_ORDER.index(parent_level):
                row.error(
                    self.field("level"),
                    f"层级“{LEVEL_LABELS[row.cleaned['level']]}”不能位于上级"
                    f"“{LEVEL_LABELS[parent_level]}”之下",
                    row.values.get("level", ""),
                )

    @staticmethod
    def _own_city(row: Row) -> bool:
        """Whether the row is a 区/县 whose stated 上级代码 is the city its own code names (a civil-affairs
        list's 330521 over 330500), not in the tree under another: a county set up without its city, as
        when the code tells it."""
        data = row.cleaned
        own = parent_from_code(data["key"], data["level"]) if data["level"] == AreaLevel.DISTRICT else ""
        if not own or canonical_code(data["parent_code"]) != own:
            return False
        forms = area_services.code_forms(data["code"])
        return not Area.objects.filter(code__in=forms, parent__isnull=False).exists()

    def _skip_above_the_tree(self, rows: list[Row], stored: dict[str, str]) -> set[str]:
        """The keys of the rows above the tree that are ancestors of its areas, marked to be skipped: a
        province (the tree starts at 市) over an area of the file or a top of the tree, and a city not in
        the tree over a county set up without it (unless a row's 上级代码 names it: then it is imported).
        A province over none of them is refused (another province's row, not a cut of ours)."""
        valid = [row for row in rows if row.cleaned and not row.errors]
        named = {
            canonical_code(row.cleaned["parent_code"])
            for row in valid
            if row.cleaned["parent_code"] and not row.cleaned["parent_derived"]
        }
        tops = dict(Area.objects.filter(parent__isnull=True).values_list("code", "level"))
        counties = [canonical_code(code) for code, level in tops.items() if level == AreaLevel.DISTRICT]
        below = [row.cleaned["key"] for row in valid if row.cleaned["level"] != PROVINCE]
        below += [canonical_code(code) for code in tops]
        above: set[str] = set()
        for row in valid:
            key, level = row.cleaned["key"], row.cleaned["level"]
            if level == PROVINCE and (key in named or is_above(key, PROVINCE, below)):
                row.cleaned["above"] = ABOVE_NOTICE.format(why=PROVINCE_ABOVE)
            elif level == PROVINCE:
                row.error(self.field("code"), PROVINCE_ELSEWHERE, row.cleaned["code"])
            elif level == AreaLevel.CITY and self._city_above(key, stored, named, counties):
                row.cleaned["above"] = ABOVE_NOTICE.format(why=CITY_ABOVE)
            if row.cleaned.get("above"):
                above.add(key)
        return above

    @staticmethod
    def _city_above(key: str, stored: dict[str, str], named: set[str], counties: list[str]) -> bool:
        """A city not in the tree, named by no row as 上级代码, over a county the tree starts at."""
        return key not in stored and key not in named and is_above(key, AreaLevel.CITY, counties)

    def _place_below_skipped(self, row: Row) -> None:
        """A row whose 上级代码 names a skipped row above the tree: a 市 or 区/县 is then its top."""
        if row.cleaned["level"] in ROOT_LEVELS:
            row.cleaned["parent_code"] = ""
            return
        row.error(
            self.field("parent_code"),
            "上级代码是区划树以上的区划（已跳过），乡镇/街道、村/社区、网格的上级须在区划树中",
            row.cleaned["parent_code"],
        )

    def _reject_duplicate_codes(self, rows: list[Row]) -> None:
        """A later row naming an earlier row's area again, told with both codes as the file writes
        them (331199500 is 331199500000), never the 12-digit form the user did not write."""
        first: dict[str, Row] = {}
        for row in rows:
            if row.errors or not row.cleaned:
                continue
            earlier = first.setdefault(row.cleaned["key"], row)
            if earlier is row:
                continue
            code, earlier_code = row.cleaned["code"], earlier.cleaned["code"]
            message = (
                f"与第 {earlier.number} 行的区划代码 {code} 重复"
                if code == earlier_code
                else f"区划代码 {code} 与第 {earlier.number} 行的 {earlier_code} 是同一区划，重复"
            )
            row.error(self.field("code"), message + rounded_hint(code), code)

    def _fill_from_code(self, row: Row, stored_level: str | None) -> None:
        """A level or parent the file does not give: read from a statistical code (the NBS list has
        neither column); an area already in the tree keeps its own. Only a 市 or 区/县 may be a root."""
        data = row.cleaned
        if data["level"] is None:
            data["level"] = level_from_code(data["key"]) or stored_level
            if data["level"] is None:
                row.error(self.field("level"), "请填写层级（区划代码不是 12 位统计用区划代码，看不出层级）")
                return
        data["parent_derived"] = False
        if data["level"] == PROVINCE:
            return  # above the tree: skipped, or refused, by validate_file
        if data["parent_code"] or data["level"] in ROOT_LEVELS and "parent_code" in data["_present"]:
            return
        data["_present"].discard("parent_code")  # not stated: an area in the tree keeps its parent
        if stored_level is not None:
            return
        data["parent_code"] = parent_from_code(data["key"], data["level"])
        data["parent_derived"] = bool(data["parent_code"])
        if not data["parent_code"] and data["level"] not in ROOT_LEVELS:
            row.error(self.field("parent_code"), "请填写上级代码（乡镇/街道、村/社区、网格必须有上级）")

    def order(self, rows: list[Row]) -> list[Row]:
        """Parents first: a parent's level is always above its children's. Among one level, an area
        whose level goes down (撤镇并村) comes last, after the rows that move its children away.
        Retirements (状态 已撤销) of areas in the tree come after every other row, children first: a
        township is retired once its villages have moved to the township it merged into, or been retired
        themselves. An area new to the tree is created parents first, retired or not (a tree exported
        with a merged township and its villages, loaded into a system that never had them)."""
        stored = stored_areas(rows)

        def lowered(row: Row) -> bool:
            before = stored.get(row.cleaned["key"])
            return before is not None and LEVEL_ORDER.index(before) < LEVEL_ORDER.index(row.cleaned["level"])

        def key(row: Row) -> tuple[bool, int, bool]:
            if row.cleaned.get("above"):
                return False, -1, False
            position = LEVEL_ORDER.index(row.cleaned["level"])
            retiring = row.cleaned.get("is_active") is False and row.cleaned["key"] in stored
            return retiring, -position if retiring else position, lowered(row)

        return sorted(rows, key=key)

    def commit_row(self, *, actor: Any, row: Row) -> str:
        data = row.cleaned
        if data.get("above"):
            self._notices.append((row.number, self.field("code").label, data["above"]))
            return UNCHANGED
        parent = area_services.find_area(data["parent_code"]) if data["parent_code"] else None
        existing = area_services.find_area(data["code"])
        if existing is None and data.get("top"):
            self._notices.append((row.number, self.field("parent_code").label, data["top"]))
        try:
            if existing is None:
                area_services.area_create(
                    actor=actor,
                    code=data["code"],
                    name=data["name"],
                    level=data["level"],
                    parent=parent,
                    residents=data.get("residents"),
                    households=data.get("households"),
                    is_active=data.get("is_active", True),
                )
                return NEW
            changes: dict[str, Any] = {"name": data["name"], "level": data["level"]}
            if "parent_code" in data["_present"]:
                changes["parent"] = parent
            changes.update({k: data[k] for k in ("residents", "households", "is_active") if k in data})
            changed = area_services.area_update(actor=actor, area=existing, **changes)
        except ValidationError as exc:
            raise RowRejected(validation_message(exc)) from exc
        return UPDATED if changed else UNCHANGED
