"""Phone numbers: normalisation, validity, kind, carrier and location (offline, via ``phonenumbers``).

Mainland numbers are normalised to their national digits: ``13800138000`` for mobiles,
``057188888888`` (trunk 0 kept) for landlines, ``95588`` for service numbers. Numbers of other
countries keep an international form ``+<country code><number>``.

Mobile lookups are cached by the 7-digit prefix (号段), which fully determines validity, carrier
and location in the ``phonenumbers`` data, so bulk imports of millions of rows stay fast.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType

__all__ = ["PhoneInfo", "PhoneKind", "is_service_number", "normalize_phone", "phone_info", "tel_number"]

PhoneKind = Literal["mobile", "landline", "service", "unknown"]

_MOBILE_RE = re.compile(r"1\d{10}")
#: Non-personal service numbers: 400/800 hotlines, 95xxx/96xxx (96110 is the anti-fraud warning
#: line), 10xxx carrier and 12xxx government hotlines, 11x/12x emergency, 106 SMS ports.
_SERVICE_RE = re.compile(r"(?:400|800)\d{7}|95\d{3,6}|96\d{3,4}|1[02]\d{3}|1[12]\d|106\d{5,17}")
#: Mainland numbers dialled from abroad without a trunk 0: mobiles and nationwide hotlines.
_NO_TRUNK_RE = re.compile(r"1[3-9]\d{9}|(?:400|800)\d{7}|95\d{3,6}|96\d{3,4}")
_SERVICE_CARRIERS = {"10086": "中国移动", "10010": "中国联通", "10000": "中国电信", "10099": "中国广电"}
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_PROVINCE_RE = re.compile(
    r"^(内蒙古(?:自治区)?|广西(?:壮族自治区)?|西藏(?:自治区)?|宁夏(?:回族自治区)?|新疆(?:维吾尔自治区)?"
    r"|香港(?:特别行政区)?|澳门(?:特别行政区)?|[^省]{2,3}省)(.*)$"
)
_KINDS: dict[int, PhoneKind] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
    PhoneNumberType.TOLL_FREE: "service",
    PhoneNumberType.SHARED_COST: "service",
    PhoneNumberType.PREMIUM_RATE: "service",
    PhoneNumberType.UAN: "service",
}


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    """What can be told offline about one phone number; ``errors`` empty means valid."""

    normalized: str
    valid: bool
    kind: PhoneKind
    carrier: str
    province: str
    city: str
    errors: tuple[str, ...]


NO_TRUNK_CODE = "固定电话缺少区号，无法校验"  # a local 7–8 digit number: which area's is unknown


def _national(digits: str) -> str:
    """National digits of a mainland number written after +86; a landline regains its trunk 0."""
    if _NO_TRUNK_RE.fullmatch(digits) or digits.startswith("0"):
        return digits
    return "0" + digits


def normalize_phone(text: str) -> str:
    """Digits only, national form (see module docstring); ``""`` when there are no digits.

    Accepts +86 / 0086 / 86 prefixes, spaces, dashes, brackets and full-width characters.
    """
    if text and text.isascii() and text.isdigit() and len(text) == 11 and text[0] == "1":
        return text  # the common case, a plain mobile: already in national form
    folded = unicodedata.normalize("NFKC", text or "").strip()
    digits = re.sub(r"\D", "", folded)
    if folded.startswith("+"):
        if not digits.startswith("86"):
            return "+" + digits if digits else ""
        return _national(digits[2:])
    if digits.startswith("00"):
        if not digits.startswith("0086"):
            return "+" + digits[2:]
        return _national(digits[4:])
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return digits


def is_service_number(normalized: str) -> bool:
    """True for hotline and short service numbers (400/800, 95xxx, 96xxx, 10xxx, 12xxx, 11x…)."""
    return bool(_SERVICE_RE.fullmatch(normalized))


def _split_location(description: str) -> tuple[str, str]:
    """``"浙江省杭州市"`` → ``("浙江省", "杭州市")``; ``"北京市"`` → ``("北京市", "北京市")``."""
    for name in _MUNICIPALITIES:
        if description.startswith(name):
            return name, name
    match = _PROVINCE_RE.match(description)
    if match is None:
        return "", ""
    return match.group(1), match.group(2)


_CARRIER_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.PAGER)


def _describe(number: phonenumbers.PhoneNumber) -> tuple[bool, PhoneKind, str, str, str]:
    """What ``is_valid_number``, ``number_type``, ``carrier.name_for_number`` and
    ``geocoder.description_for_number`` say, with the number's type worked out once instead of four
    times (each call classifies the number again: most of a 号段's cost). A number of one calling code
    is valid exactly when its type is known."""
    # The carrier and location tables (≈ 0.35 s to import) load on the first number, not at start-up.
    from phonenumbers import carrier, geocoder  # noqa: PLC0415

    ntype = phonenumbers.number_type(number)  # UNKNOWN exactly when is_valid_number is False
    if ntype == PhoneNumberType.UNKNOWN:
        return False, "unknown", "", "", ""
    name = carrier.name_for_valid_number(number, "zh") if ntype in _CARRIER_TYPES else ""
    if phonenumbers.is_number_type_geographical(ntype, number.country_code or 0):
        description = geocoder.description_for_valid_number(number, "zh")
    else:
        description = geocoder.country_name_for_number(number, "zh")
    province, city = _split_location(description)
    return True, _KINDS.get(ntype, "unknown"), name, province, city


@lru_cache(maxsize=65536)
def _mobile_prefix_info(prefix7: str) -> tuple[bool, PhoneKind, str, str, str]:
    """Validity, kind, carrier, province and city shared by every number of a 7-digit 号段 (built, not
    parsed: the digits are already checked)."""
    return _describe(phonenumbers.PhoneNumber(country_code=86, national_number=int(prefix7 + "0000")))


def _result(normalized: str, described: tuple[bool, PhoneKind, str, str, str], error: str) -> PhoneInfo:
    valid, kind, name, province, city = described
    return PhoneInfo(normalized, valid, kind, name, province, city, () if valid else (error,))


def _parse(normalized: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(normalized, None if normalized.startswith("+") else "CN")
    except phonenumbers.NumberParseException:
        return None


def _invalid(normalized: str, error: str) -> PhoneInfo:
    return PhoneInfo(normalized, False, "unknown", "", "", "", (error,))


def phone_info(text: str) -> PhoneInfo:
    """Validate and describe a phone number (carrier and location in Chinese)."""
    normalized = normalize_phone(text)
    if not normalized:
        return _invalid("", "电话号码为空或不含数字")
    if is_service_number(normalized):
        return PhoneInfo(normalized, True, "service", _SERVICE_CARRIERS.get(normalized, ""), "", "", ())
    if _MOBILE_RE.fullmatch(normalized):
        return _result(normalized, _mobile_prefix_info(normalized[:7]), "手机号码不存在（该号段未分配）")
    # A mobile with digits missing or added (1390571, 139057100011): local numbers never start with 1.
    if normalized.startswith("1") and len(normalized) in (7, 8, 9, 10, 12):
        return _invalid(normalized, f"手机号码应为11位，现为{len(normalized)}位")
    if not normalized.startswith(("0", "+")) and 7 <= len(normalized) <= 8:
        return _invalid(normalized, NO_TRUNK_CODE)
    parsed = _parse(normalized)
    if parsed is None:
        return _invalid(normalized, "无法识别的电话号码")
    error = "境外电话号码无效" if normalized.startswith("+") else "电话号码无效（区号或位数不正确）"
    return _result(normalized, _describe(parsed), error)


def tel_number(text: str) -> str:
    """What a ``tel:`` link dials for a revealed phone: the number in national form when it is a valid
    one, else ``""`` — a number kept to be corrected is shown as written, not offered to dial."""
    info = phone_info(text)
    return info.normalized if info.valid else ""
