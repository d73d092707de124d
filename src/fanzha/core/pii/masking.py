"""Masking of personal data for display, export and logs (masked is the default everywhere).

Every function takes ``None`` or ``""`` and returns ``""``; masks keep the length of the value
where it does not reveal anything (phones, ID numbers) and use fixed shapes elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from fanzha.core.pii.bankcard import luhn_valid
from fanzha.core.pii.phone import is_service_number, normalize_phone

__all__ = [
    "MASK_KINDS",
    "mask",
    "mask_address",
    "mask_bank_card",
    "mask_cell",
    "mask_digit_runs",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "scrub_text",
]

STARS = "****"

# ── helpers ──────────────────────────────────────────────────────────────────


def _keep_ends(value: str, head: int, tail: int) -> str:
    """``value`` with everything but ``head`` leading and ``tail`` trailing characters starred."""
    if len(value) <= head + tail:
        return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else "*"
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


# ── single values ────────────────────────────────────────────────────────────


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; landlines keep 3 leading and 4 (short: 2) trailing digits.

    Public service numbers (95588, 400…, 110) are not personal data and are returned as they are.
    """
    if not value:
        return ""
    digits = normalize_phone(value)
    if not digits:
        return STARS
    if is_service_number(digits):
        return digits
    plus, body = ("+", digits[1:]) if digits.startswith("+") else ("", digits)
    if len(body) >= 10:
        return plus + _keep_ends(body, 3, 4)
    if len(body) >= 7:
        return plus + _keep_ends(body, 2, 2)
    return plus + _keep_ends(body, 1, 1)


def mask_id_number(value: str | None) -> str:
    """``330102199001011234`` → ``3301**********1234`` (15-digit numbers: 4 + 7 stars + 4)."""
    if not value:
        return ""
    compact = _compact(value).upper()
    if len(compact) >= 15:
        return _keep_ends(compact, 4, 4)
    if len(compact) >= 8:
        return _keep_ends(compact, 2, 2)
    return "*" * len(compact) if compact else STARS


def mask_bank_card(value: str | None) -> str:
    """``6222021234567891234`` → ``6222 **** **** 1234``."""
    if not value:
        return ""
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value))
    if len(digits) >= 12:
        return f"{digits[:4]} **** **** {digits[-4:]}"
    if len(digits) >= 8:
        return _keep_ends(digits, 2, 2)
    return STARS


def mask_name(value: str | None) -> str:
    """``张三`` → ``张*``, ``张小三`` → ``张*三``, ``欧阳小明`` → ``欧**明``; separators (·) stay."""
    name = (value or "").strip()
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    middle = "".join(char if char in "·• " else "*" for char in name[1:-1])
    return name[0] + middle + name[-1]


# ── addresses ────────────────────────────────────────────────────────────────

#: A place name: letters, none of the unit suffixes nor street/building words (路, 号, 村…).
_NAME = r"[^\W\d_省市区县旗盟镇乡街路巷弄号村组栋幢楼室]{1,10}"
_LEVELS = (
    re.compile(rf"(?:北京市|天津市|上海市|重庆市|{_NAME}(?:省|自治区|特别行政区))"),
    re.compile(rf"{_NAME}(?:市|自治州|地区|盟)"),
    re.compile(rf"{_NAME}(?:自治县|自治旗|新区|林区|特区|区|县|市|旗)"),
    re.compile(rf"{_NAME}(?:街道|民族乡|镇|乡|苏木)"),
)
#: Endings that look like a county-level unit but are places inside one (小区 = housing estate).
_NOT_ADMIN = ("小区", "社区", "园区", "校区", "景区", "厂区", "片区", "营区", "生活区", "住宅区", "商业区")


def _admin_prefix_length(address: str) -> int:
    """Length of the leading 省/市/区县/乡镇街道 part, levels in order, each at most once."""
    position = 0
    for level in _LEVELS:
        match = level.match(address, position)
        if match is not None and not match.group().endswith(_NOT_ADMIN):
            position = match.end()
    return position


def mask_address(value: str | None) -> str:
    """Keep the administrative part up to township/street level, mask the rest.

    ``浙江省杭州市西湖区北山街道曙光路12号`` → ``浙江省杭州市西湖区北山街道****``.
    """
    address = re.sub(r"\s+", "", value or "")
    if not address:
        return ""
    keep = _admin_prefix_length(address)
    return address[:keep] + STARS if keep < len(address) else address


# ── dispatch ─────────────────────────────────────────────────────────────────

_MASKERS: dict[str, Callable[[str | None], str]] = {
    "name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "bank_account": mask_bank_card,
    "address": mask_address,
}
MASK_KINDS = frozenset(_MASKERS)


def mask(kind: str, value: str | None) -> str:
    """Mask ``value`` as ``kind`` (one of :data:`MASK_KINDS`); unknown kinds raise ``ValueError``."""
    try:
        masker = _MASKERS[kind]
    except KeyError:
        raise ValueError(f"未知的个人信息类别：{kind!r}（可选：{'、'.join(sorted(MASK_KINDS))}）") from None
    return masker(value)


# ── free text ────────────────────────────────────────────────────────────────

_FULL_WIDTH_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF0B: ord("+")}
_B = r"(?<![0-9A-Za-z])"
_E = r"(?![0-9A-Za-z])"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_SCRUB_RE = re.compile(
    # an ID number also as a form prints it, 6-8-4 (“331102 19560301 001X”)
    rf"{_B}(?P<id18>\d{{6}}[ -]?(?:18|19|20)\d{{2}}{_DATE}[ -]?\d{{3}}[\dXx]){_E}"
    rf"|{_B}(?P<mobile>(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{{4}}){{2}}){_E}"
    rf"|{_B}(?P<card>\d{{4}}(?:[ -]\d{{4}}){{2,3}}(?:[ -]\d{{1,4}})?|\d{{13,19}}){_E}"
    rf"|{_B}(?P<id15>\d{{8}}{_DATE}\d{{3}}){_E}",
    re.ASCII,
)


def _scrub_match(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group()
    if kind in ("id18", "id15"):
        return mask_id_number(re.sub(r"[ -]", "", text))
    if kind == "mobile":
        return mask_phone(text)
    digits = re.sub(r"\D", "", text)
    if ACCOUNT_LENGTHS[0] <= len(digits) <= ACCOUNT_LENGTHS[1] or (
        13 <= len(digits) <= 19 and luhn_valid(digits)
    ):
        return mask_bank_card(digits)
    return text


# 16–19 digits are an account's length whatever its check digit (a company account, a mistyped card, a
# card of a bank that does not use Luhn): masked as a card. Shorter runs only when Luhn-valid, so a
# 13-digit time in milliseconds in a log line stays readable.
ACCOUNT_LENGTHS = (16, 19)


def scrub_text(text: str) -> str:
    """Replace ID numbers, mobile numbers (also +86 and spaced forms) and bank accounts (16–19 digits,
    or 13–15 Luhn-valid ones) inside free text by their masks. Used by the logging filter.

    Full-width digits are folded to ASCII first; everything else in the text is left as it is.
    """
    if not text:
        return text
    return _SCRUB_RE.sub(_scrub_match, text.translate(_FULL_WIDTH_DIGITS))


def quoted(text: str, limit: int) -> str:
    """``text`` as a message may quote a cell: personal numbers masked (:func:`scrub_text`), cut to
    ``limit`` characters with an ellipsis."""
    text = scrub_text(text)
    return text if len(text) <= limit else text[:limit] + "…"


# A run of digits a quoted cell may not show: four-digit groups (a card written 6228-4800-…, Luhn-valid
# or not) or six or more digits, single spaces allowed (an account, an ID number cut short, a phone).
_DIGIT_RUN = re.compile(r"\d{4}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4})?|\d(?: ?\d){5,}")


def _mask_digit_run(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return mask_bank_card(digits) if len(digits) >= 12 else mask_id_number(digits)


def mask_digit_runs(text: str) -> str:
    """``text`` with every run of six or more digits (or four-digit groups) masked."""
    return _DIGIT_RUN.sub(_mask_digit_run, text)


def mask_cell(value: str | None, limit: int = 60) -> str:
    """A cell as a row error quotes it (stored and shown): ID numbers, phones and cards by their masks,
    any other run of six or more digits masked too (a misaligned column may hold an account), cut to
    ``limit`` characters."""
    return mask_digit_runs(quoted(unicodedata.normalize("NFKC", str(value or "")), limit))
