"""Small pieces the case services share: account hashes, the bank that receives a request, history."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fanzha.cases.models import Case, CaseEvent
from fanzha.core import access
from fanzha.core.models import Organisation
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.pii import crypto
from fanzha.core.pii.bankcard import bank_card_info
from fanzha.core.pii.masking import mask_cell, mask_digit_runs, scrub_text
from fanzha.tracing.text import NotAnAmount, UnclearSeparators, format_fen, not_an_amount, parse_amount

# How far ahead of the platform's clock a moment someone else's clock gave (a payment, a bank's
# execution) may be before it is refused as in the future.
CLOCK_SKEW = dt.timedelta(minutes=10)

# Short names that a bank organisation's name and a statement's bank column have in common.
BANK_SHORT_NAMES = (
    "工商银行",
    "农业银行",
    "中国银行",
    "建设银行",
    "交通银行",
    "邮储银行",
    "邮政储蓄",
    "招商银行",
    "浦发银行",
    "中信银行",
    "光大银行",
    "华夏银行",
    "民生银行",
    "广发银行",
    "平安银行",
    "兴业银行",
    "农商银行",
    "农村商业银行",
    "农村信用",
    "村镇银行",
    "支付宝",
    "财付通",
)


_DIGIT_GROUPS = re.compile(r"\d+(?:-\d+)+")  # a card number written in groups: 6222-0210-…
# Excel's marks that keep a number as text ('6222…, ="6222…"), written into the cell by a system exporting
# for Excel: no part of the account (tracing.text.parse_identifier drops them from statements too).
_TEXT_MARKS = re.compile(r'^="(.*)"$|^[\'`]+(.*)$')


def clean_account(value: str) -> str:
    """An account as written, without spaces, full-width forms or Excel's text marks; a number written
    in groups with dashes is its digits (6222-0210-0112-2334-455 is 6222021001122334455). Other dashes
    stay."""
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))
    marked = _TEXT_MARKS.fullmatch(cleaned)
    if marked:
        cleaned = marked.group(1) if marked.group(1) is not None else marked.group(2)
    return cleaned.replace("-", "") if _DIGIT_GROUPS.fullmatch(cleaned) else cleaned


MASKED_ACCOUNT = "账号不完整（流水中为脱敏账号），请向开户行调取完整账号后再发送止付"


def is_masked(value: str) -> bool:
    """An account number shown masked (6228****8901, as other banks' statements write counterparties):
    the trace can follow money to it, but no bank can act on it."""
    return "*" in clean_account(value)


def account_hash(value: str) -> str:
    """The keyed hash that names an account in searches and in the trace (never the number itself)."""
    cleaned = clean_account(value)
    if cleaned.isdigit():
        return crypto.search_hash("bank_account", cleaned)
    return crypto.search_hash("name", cleaned.lower())


def money(fen: int | None) -> str:
    return "—" if fen is None else f"{format_fen(fen)} 元"


def parse_money(text: str, label: str = "金额") -> int:
    """Fen from what a person typed (1,234.50 / １２３４ / 1234元 / 1.234,50); ValueError with a Chinese
    message (one naming ``label`` for a number far above any amount, an account number in the wrong
    column, or for separators that say no one number: 1.000, 1 yuan or 1,000?)."""
    try:
        fen = parse_amount(text, label)
    except NotAnAmount as exc:
        raise ValueError(not_an_amount(label)) from exc
    except UnclearSeparators as exc:
        raise ValueError(exc.reason) from exc
    except ValueError:
        fen = None
    if fen is None or fen <= 0:
        raise ValueError("请填写大于 0 的金额（元，最多两位小数）")
    return fen


def bank_short_name(bank_text: str, account: str = "") -> str:
    """The bank named in ``bank_text``, else the issuer told by the card's BIN."""
    text = unicodedata.normalize("NFKC", bank_text or "")
    for short in BANK_SHORT_NAMES:
        if short in text:
            return short
    if text:
        return text
    issuer = bank_card_info(account).bank_name if clean_account(account).isdigit() else ""
    if issuer.startswith("中国") and issuer != "中国银行":
        issuer = issuer[2:]
    for short in BANK_SHORT_NAMES:
        if short in issuer:
            return short
    return issuer


def bank_organisation(bank_text: str, account: str = "") -> Organisation | None:
    """The active bank organisation that takes requests for this bank (None: the officer chooses)."""
    short = bank_short_name(bank_text, account)
    if not short:
        return None
    banks = Organisation.objects.filter(kind=OrganisationKind.BANK, is_active=True)
    return banks.filter(name__contains=short[:4]).order_by("id").first()


def free_text(text: str, limit: int | None = None) -> str:
    """What an officer or a bank typed (案情, 事由, 说明), as it is kept and shown: ID, phone and card
    numbers masked (as the warnings' notes are), cut to ``limit`` characters."""
    return scrub_text(text.strip())[:limit]


def add_event(case: Case, actor: Any, kind: str, message: str) -> None:
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor if _is_user(actor) else None,
        kind=kind,
        message=free_text(message, 300),
    )


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def require_case(actor: Any, case: Case, permission: str) -> None:
    """The permission, and the case inside the actor's jurisdiction."""
    access.require(actor, permission)
    if not access.area_visible_to(actor, case.area):
        raise PermissionDenied("该案件不在您的管辖范围内")


NO_ACCOUNT = "流水中没有本方账号，请在上传时填写本方账号"


def require_account(given: str, accounts: Iterable[str]) -> None:
    """Refuse a whole statement (nothing stored) some of whose rows name no account of their own when
    the uploader gave none: those rows would be lost, and the same file could not be uploaded again."""
    if not given and any(not a for a in accounts):
        raise ValidationError({"account": NO_ACCOUNT})


QUOTED_CELL_LIMIT = 60


def masked_cell(value: str) -> str:
    """A cell as a row error may quote it (:func:`~fanzha.core.pii.masking.mask_cell`)."""
    return mask_cell(value, QUOTED_CELL_LIMIT)


def masked_row_error(message: str) -> str:
    """A row error whose quoted cell (after the first ``：``) is masked; in the problem before it, long
    digit runs too (a sheet named after its account: 工作表“6217…说明”)."""
    problem, colon, cell = message.partition("：")
    return f"{mask_digit_runs(problem)}{colon}{masked_cell(cell)}" if colon else mask_digit_runs(message)


def mask_account(value: str) -> str:
    """A card or account number masked (payment-platform ids keep only their ends)."""
    from fanzha.core.pii.masking import mask_bank_card

    if value.isdigit():
        return mask_bank_card(value)
    return f"{value[:2]}***{value[-2:]}" if len(value) > 5 else "***"
