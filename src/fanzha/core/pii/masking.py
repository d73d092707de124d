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
    "mask_identifier",
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


def mask_identifier(value: str | None) -> str:
    """A passport or travel-permit number, QQ number or WeChat id: 8 or more characters keep 2 + 2
    (``E12345678`` → ``E1*****78``, ``wxid_abc123`` → ``wx*******23``), shorter ones 1 + 1."""
    compact = _compact(value or "")
    if not compact:
        return ""
    return _keep_ends(compact, 2, 2) if len(compact) >= 8 else _keep_ends(compact, 1, 1)


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
_LABEL_SEPARATOR = r"\s*(?:[:：]|是|为)?\s*"
_SCRUB_RE = re.compile(
    # an ID number also as a form prints it, 6-8-4 (“331102 19560301 001X”)
    rf"{_B}(?P<id18>\d{{6}}[ -]?(?:18|19|20)\d{{2}}{_DATE}[ -]?\d{{3}}[\dXx]){_E}"
    rf"|{_B}(?P<mobile>(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{{4}}){{2}}){_E}"
    # a landline with its area code (0571-88889999, (0571)8888 9999, 010 12345678), and a local number
    # after a label that says it is a phone (座机 88889999): an elderly person's home phone
    rf"|{_B}(?P<landline>(?:[(（]0[1-9]\d{{1,2}}[)）] ?|0[1-9]\d{{1,2}}[ -]?)[1-9]\d{{2,3}}[ -]?\d{{4}}){_E}"
    rf"|(?P<local_label>(?:电话|座机|固话|宅电|家电|联系电话)(?:号码|号)?{_LABEL_SEPARATOR})"
    rf"(?P<local>[2-9]\d{{6,7}}){_E}"
    # a first-generation ID number (15 digits, a birth date in them) before the accounts: taken by them,
    # 15 digits not Luhn-valid were given back unmasked
    rf"|{_B}(?P<id15>\d{{8}}{_DATE}\d{{3}}){_E}"
    rf"|{_B}(?P<card>\d{{4}}(?:[ -]\d{{4}}){{2,3}}(?:[ -]\d{{1,4}})?|\d{{13,19}}){_E}",
    re.ASCII,
)


def _scrub_match(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group()
    if kind in ("id18", "id15"):
        return mask_id_number(re.sub(r"[ -]", "", text))
    if kind in ("mobile", "landline"):
        return mask_phone(text)
    if kind == "local":
        return match.group("local_label") + mask_phone(match.group("local"))
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


# Identifiers that are not digit runs: passports and travel permits, QQ numbers, WeChat ids. A label
# (护照号, 通行证, QQ号, 微信号…) says what the value is; without one only shapes that cannot be much else
# are masked: a Chinese passport (E12345678, EA1234567, the older G12345678), a 往来港澳通行证
# (C12345678, CA1234567) and a WeChat internal id (wxid_…). Upper case only when unlabelled, so a
# build or error code in a log line stays readable.
_SEPARATOR = r"\s*(?:[:：]|是|为)?\s*"  # “QQ: ”, “QQ号：”, “微信号是”, “护照号码为”
_NOT_AFTER_LETTER = r"(?<![A-Za-z])"
_DOCUMENT_LABEL = rf"(?:护照|通行证|回乡证|台胞证)(?:号码|号)?|{_NOT_AFTER_LETTER}(?i:passport(?:\s*no\.?)?)"
_QQ_LABEL = rf"{_NOT_AFTER_LETTER}(?i:qq)(?:号码|号|账号)?"
_WECHAT_LABEL = r"微信(?:号码|号|账号|ID|id)?"
_WECHAT_LATIN_LABEL = rf"{_NOT_AFTER_LETTER}(?i:wechat(?:\s*id)?|weixin|wx|vx)"
_WECHAT_ID = r"[A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9])"
# An e-mail address: its local part is often a QQ number or a name (12345678@qq.com, zhangsan@163.com).
# A digit run in it may already be masked (``*``) by the first pass.
_EMAIL_LOCAL = r"[-A-Za-z0-9._%+*]"
_EMAIL_DOMAIN = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_EMAIL = rf"(?<!{_EMAIL_LOCAL})(?P<email>{_EMAIL_LOCAL}{{1,64}}@{_EMAIL_DOMAIN})"
_IDENTIFIER_RE = re.compile(
    rf"{_EMAIL}"
    rf"|{_B}(?P<wxid>wxid_[A-Za-z0-9]{{4,30}})(?![-_A-Za-z0-9])"
    rf"|{_B}(?P<passport>[CEG]\d{{8}}|[CE][A-HJ-NP-Z]\d{{7}}){_E}"
    rf"|(?P<document_label>(?:{_DOCUMENT_LABEL}){_SEPARATOR})(?P<document>[A-Za-z]{{0,2}}\d{{7,10}}){_E}"
    rf"|(?P<qq_label>{_QQ_LABEL}{_SEPARATOR})(?P<qq>[1-9]\d{{4,10}})(?!\d)"
    rf"|(?P<wechat_label>{_WECHAT_LABEL}{_SEPARATOR})(?P<wechat>{_WECHAT_ID})"
    rf"|(?P<wechat_latin_label>{_WECHAT_LATIN_LABEL}(?:\s*[:：]\s*|\s+))(?P<wechat_latin>{_WECHAT_ID})"
)
# Each of those has a Latin letter or one of these labels in it: text with none (most notes) is done.
_IDENTIFIER_HINT = re.compile(r"[A-Za-z]|护照|通行证|回乡证|台胞证|微信")
# A label that names WeChat without “号”, “ID” or a colon (“用微信 payment 付款”): the value is masked
# only when it has a digit, “_” or “-” in it, as ids mostly do and words do not.
_BARE_WECHAT_LABELS = frozenset({"微信", "wechat", "weixin", "wx", "vx"})
# A document label followed by a date (“护照20240501到期”) names when it expires, not its number.
_COMPACT_DATE = re.compile(rf"(?:19|20)\d{{2}}{_DATE}")


def _scrub_identifier(match: re.Match[str]) -> str:
    kind = match.lastgroup or ""
    if kind == "email":
        local, domain = match.group().rsplit("@", 1)
        return f"{mask_identifier(local)}@{domain}"
    if kind in ("wxid", "passport"):
        return mask_identifier(match.group())
    label, value = match.group(f"{kind}_label"), match.group(kind)
    if label.strip().lower() in _BARE_WECHAT_LABELS and value.isalpha():
        return match.group()
    if kind == "document" and _COMPACT_DATE.fullmatch(value):
        return match.group()
    return label + mask_identifier(value)


def scrub_text(text: str) -> str:
    """Replace ID numbers, mobile numbers (also +86 and spaced forms) and bank accounts (16–19 digits,
    or 13–15 Luhn-valid ones) inside free text by their masks, then e-mail addresses (their local part),
    passport and travel-permit numbers, QQ numbers and WeChat ids (labelled, or of an unmistakable
    shape). Used by the logging filter.

    Full-width digits are folded to ASCII first; everything else in the text is left as it is.
    """
    if not text:
        return text
    text = _SCRUB_RE.sub(_scrub_match, text.translate(_FULL_WIDTH_DIGITS))
    if _IDENTIFIER_HINT.search(text) is None:
        return text
    return _IDENTIFIER_RE.sub(_scrub_identifier, text)


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
