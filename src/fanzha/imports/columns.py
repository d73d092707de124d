"""Matching a file's header to an importer's fields by Chinese and English synonyms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from fanzha.core.pii.masking import mask, mask_cell
from fanzha.imports.parties import SUSPECT_ACCOUNT, SUSPECT_NUMBER, is_suspects_label, suspects_kind
from fanzha.imports.readers import NumericText, is_spanned, numbered_name

# A note in brackets (innermost first: 联系电话（电话1（必填）） is 联系电话 without its notes).
_PARENTHESES = re.compile(r"\([^()]*\)|\[[^\]]*\]|【[^】]*】|<[^>]*>")
_BRACKETS = re.compile(r"[()\[\]【】<>]")
_DROP = re.compile(r"[\s_\-*:：.、/]+")
# "单位：" at the start of a bracketed note: 涉案金额（单位：万元） is 涉案金额（万元）.
_UNIT_WORD = re.compile(r"(?<=[(\[【<])\s*单位\s*:?")
# A spreadsheet's rendering of a number: 3.30102E+17, 13812345678.0
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_TRAILING_ZERO = re.compile(r"^\d+\.0+$")
# Two words for one column in one header cell: 联系电话/手机号, 身份证号/护照号, 诈骗类型、手法.
_ALTERNATIVES = re.compile(r"[/、|]")

# What happens to a cell the spreadsheet stored as a number.
NUMERIC_OK = "ok"  # numbers are expected (counts)
NUMERIC_INTEGER = "integer"  # accepted when it is a whole number below 10^15 (codes)
# An area code: let through to the importer, which reads it with ``read_area_code`` (331199100203.0 is
# the code; scientific notation is refused there, saying its last digits may be lost).
NUMERIC_AREA_CODE = "area_code"
NUMERIC_REJECT = "reject"  # the value must have been typed as text (ID numbers, phones)


def normalise_header(text: str, *, notes: bool = False) -> str:
    """Full-width → half-width, lower case, without parenthesised notes (``notes``: with their words,
    only the brackets dropped: ``涉案金额（万元）`` → ``涉案金额万元``), spaces or underscores."""
    value = unicodedata.normalize("NFKC", str(text)).strip().lower()
    value = _BRACKETS.sub("", _UNIT_WORD.sub("", value)) if notes else _without_notes(value)
    return _DROP.sub("", value)


def _without_notes(value: str) -> str:
    """The text without its bracketed notes, a note inside a note too."""
    while True:
        shorter = _PARENTHESES.sub("", value)
        if shorter == value:
            return value
        value = shorter


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = False
    numeric: str = NUMERIC_OK
    pii: str = ""  # a masking kind (fanzha.core.pii.masking) for error reports
    fold: bool = False  # full-width → half-width in values (codes, numbers), never in names
    # A second column of this field (联系电话 beside 手机号) is read where the first is empty in a row.
    second: bool = False
    # Every column of this field is read, their values joined (嫌疑号码1, 嫌疑号码2: a warning's suspects).
    joined: bool = False
    # A column that may stand in for this one (户籍地址 for 现住址): read under its own name wherever
    # it is in the header, never in this field's place; the importer decides when it stands in.
    fallback: Field | None = None
    # Values of this shape are no one's personal data and are shown as written (an area code); any
    # other value is masked as a misaligned column's may be.
    plain: re.Pattern[str] | None = None

    def header_keys(self) -> set[str]:
        return {normalise_header(s) for s in (self.name, self.label, *self.synonyms)}

    def masked(self, value: str) -> str:
        text = str(value)
        if self.pii:
            return mask(self.pii, text)
        if self.plain is not None and self.plain.fullmatch(text.strip()):
            return text
        return mask_cell(text, 100)  # a misaligned column may hold an ID, phone or account number


@dataclass
class ColumnMap:
    """header text → field name for the columns used; the rest is reported, never read."""

    columns: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    used: list[tuple[str, Field]] = field(default_factory=list)  # each used column's header and field
    # Columns read after the field's first: into an empty value (second columns of ``second`` fields,
    # fallback columns), or joined to it (every further column of a ``joined`` field).
    seconds: list[tuple[str, Field]] = field(default_factory=list)

    @property
    def fields_present(self) -> set[str]:
        return set(self.columns.values())


def _index(fields: list[Field]) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in all_fields(fields):
        for key in f.header_keys():
            index.setdefault(key, f)
    return index


def _fallbacks(fields: list[Field]) -> list[Field]:
    return [f.fallback for f in fields if f.fallback is not None]


def all_fields(fields: list[Field]) -> list[Field]:
    """The fields a header may name: ``fields`` and the columns that stand in for them (户籍地址)."""
    return [*fields, *_fallbacks(fields)]


def _field_of(text: str, index: dict[str, Field]) -> Field | None:
    """The field a header cell names — only a suspect's field when it says the column is the suspect's
    (:func:`_suspects_field`): as a whole — a note naming a field of its own wins (涉案金额（万元）: the
    amount in 万元), else without it, else its word without its number (手机号2, 嫌疑号码3) — or, when
    the cell gives alternatives (联系电话/手机号, 身份证号/护照号, 预警时间/推送时间, 涉案金额/元), the first
    of them that names one."""
    whose = _suspects_name(text)
    if whose is not None:
        return _suspects_field(*whose, index)
    return _named_field(text, index)


def _named_field(text: str, index: dict[str, Field]) -> Field | None:
    """The field a header cell names as a whole, else by the first of its alternatives that names one."""
    found = _named(text, index)
    if found is not None:
        return found
    parts = _ALTERNATIVES.split(unicodedata.normalize("NFKC", str(text)))
    if len(parts) < 2:
        return None
    return next((f for f in (_named(part, index) for part in parts) if f is not None), None)


def _named(words: str, index: dict[str, Field]) -> Field | None:
    """The field ``words`` name: with their note, without it, or without their number (手机号2)."""
    found = index.get(normalise_header(words, notes=True)) or index.get(normalise_header(words))
    if found is None and (numbered := numbered_name(words)) is not None:
        found = index.get(normalise_header(numbered[0]))
    return found


# A header saying whose its column is in brackets: a group label over the name (嫌疑人信息（电话）, as
# the reader names a column of a header's second row under such a label) or a note after it (电话（嫌疑人）).
_WHOSE = re.compile(r"(.+?)\((.+)\)")


def _suspects_name(text: str) -> tuple[str, str] | None:
    """(the column's own name, the label saying whose) when its header says it is the suspect's
    (嫌疑人信息（电话）, 电话（嫌疑人）: 电话 and 嫌疑人信息 or 嫌疑人), else None."""
    whose = _WHOSE.fullmatch(unicodedata.normalize("NFKC", str(text)).strip())
    if whose is None:
        return None
    outer, inner = whose[1], whose[2]
    if is_suspects_label(outer):
        return inner, outer
    if is_suspects_label(inner):
        return outer, inner
    return None


def _suspects_field(name: str, label: str, index: dict[str, Field]) -> Field | None:
    """The field a suspect's column named ``name`` under (or noted with) ``label`` is read as: a
    suspect's field only — the one the name is (嫌疑号码, 对方账号), else the suspect's number for 电话 /
    号码 / 手机 and the suspect's account for 账号 / 银行卡 / 卡号 (numbered or not), else the one the label
    is (嫌疑号码（多个用逗号分隔）) — or None (姓名, 身份证号 under 嫌疑人信息: not read). A suspect's number
    is never the phone the person to warn is called on."""
    suspects = {kind: index.get(normalise_header(kind)) for kind in (SUSPECT_NUMBER, SUSPECT_ACCOUNT)}
    own = _named_field(name, index)
    if own is not None and own in suspects.values():
        return own
    numbered = numbered_name(name)
    kind = suspects_kind(numbered[0] if numbered else name)
    if kind:
        return suspects[kind]
    labelled = _named_field(label, index)
    return labelled if labelled is not None and labelled in suspects.values() else None


def match_header(header: list[str], fields: list[Field]) -> ColumnMap:
    index = _index(fields)
    fallbacks = {f.name for f in _fallbacks(fields)}
    result = ColumnMap()
    for text in header:
        if not text:
            continue
        f = None if is_spanned(text) else _field_of(text, index)
        if f is None:
            result.unknown.append(text)
        elif f.name in fallbacks:
            if all(g.name != f.name for _, g in result.seconds):
                result.seconds.append((text, f))
            else:
                result.duplicate.append(text)
        elif f.name in result.fields_present:
            if f.joined or (f.second and all(g.name != f.name for _, g in result.seconds)):
                result.seconds.append((text, f))
            else:
                result.duplicate.append(text)
        else:
            result.columns[text] = f.name
            result.used.append((text, f))
    result.missing = [f.label for f in fields if f.required and f.name not in result.fields_present]
    return result


def header_score(
    cells: list[str], fields: list[Field], extra_missing: Callable[[set[str]], list[str]] | None = None
) -> int:
    """How well a row reads as this importer's header: 0 when it is none (a required field missing, or
    something ``extra_missing`` — the importer's rule such as "one of these columns" — misses), else the
    number of fields it names, so of two sheets with a header the list's is told from a 填表说明 sheet
    in front whose line "1. 姓名、身份证号、手机号必填" names one."""
    columns = match_header([str(c) for c in cells], fields)
    if columns.missing or (extra_missing and extra_missing(columns.fields_present)):
        return 0
    return len(columns.fields_present | {f.name for _, f in columns.seconds})


@dataclass(frozen=True)
class CellError:
    column: str
    value: str
    message: str


def numeric_problem(f: Field, value: str) -> str:
    """The message for a cell that a spreadsheet turned into a number, or ``""``."""
    if f.numeric in (NUMERIC_OK, NUMERIC_AREA_CODE) or not value:
        return ""
    converted = isinstance(value, NumericText) or bool(
        _SCIENTIFIC.match(value) or _TRAILING_ZERO.match(value)
    )
    if not converted:
        return ""
    if f.numeric == NUMERIC_INTEGER and value.isdigit():
        return ""
    return f"{f.label}被表格软件转成了数字，请把该列设为文本后重新导出"


def _fold(text: str) -> str:
    """Full-width → half-width (NFKC) and stripped; the common plain ASCII value as it is."""
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


def map_row(record: dict[str, str], columns: ColumnMap) -> tuple[dict[str, str], list[CellError]]:
    """Field name → text for one row, and the cells rejected because they became numbers."""
    values: dict[str, str] = {}
    errors: list[CellError] = []
    for header, f in columns.used:
        name = f.name
        text = record.get(header, "")
        if f.numeric != NUMERIC_OK and text:
            problem = numeric_problem(f, text)
            if problem:
                errors.append(CellError(f.label, f.masked(text), problem))
                continue
        values[name] = _fold(str(text)) if f.fold else str(text).strip()
    for header, f in columns.seconds:  # joined, or where the field's first column is empty in this row
        text = record.get(header, "")
        if f.joined:
            values[f.name] = joined_values(values.get(f.name, ""), str(text).strip())
        elif text and not values.get(f.name) and not (f.numeric != NUMERIC_OK and numeric_problem(f, text)):
            values[f.name] = _fold(str(text)) if f.fold else str(text).strip()
    return values, errors


def joined_values(joined: str, text: str) -> str:
    """A column's value added on a line of its own to the values of the field's columns before it,
    unless one of them is the same (each once)."""
    if not text or text in joined.splitlines():
        return joined
    return f"{joined}\n{text}" if joined else text
