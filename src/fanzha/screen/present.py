"""Results as the API and the page show them: JSON-ready, entities masked, evidence marked safely."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fanzha.core.pii.masking import mask_bank_card, mask_identifier, mask_phone
from fanzha.screen import bridge

if TYPE_CHECKING:
    from fanzha.screening.types import Entity, Result

LEVEL_LABELS = {"none": "无", "low": "低", "medium": "中", "high": "高"}
LEVEL_BADGES = {
    "none": "text-bg-success",
    "low": "text-bg-info",
    "medium": "text-bg-warning",
    "high": "text-bg-danger",
}
PHONE_KINDS = frozenset({"mobile", "landline", "service_number", "international"})
# QQ, WeChat and Alipay ids (an Alipay id is a phone number or an e-mail address, masked whole): 8 or
# more characters keep 2 at each end, shorter ones 1 (the engine extracts none shorter than 5)
ACCOUNT_KINDS = frozenset({"qq", "wechat", "alipay"})
ENTITY_LABELS = {
    "mobile": "手机号",
    "landline": "固定电话",
    "service_number": "服务号码",
    "international": "境外号码",
    "url": "网址",
    "bank_card": "银行卡号",
    "qq": "QQ号",
    "wechat": "微信号",
    "alipay": "支付宝账号",
    "amount": "金额",
    "app": "应用",
    "download": "下载链接",
    "code_request": "索要验证码",
    "screen_share": "要求共享屏幕",
}


def masked_value(entity: Entity) -> str:
    if entity.kind in PHONE_KINDS:
        return mask_phone(entity.value)
    if entity.kind == "bank_card":
        return mask_bank_card(entity.value)
    if entity.kind in ACCOUNT_KINDS:
        return mask_identifier(entity.value)  # as a note or log line quoting the id masks it
    return entity.value


def entity_out(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": entity.kind, "value": masked_value(entity)}
    domain = entity.detail.get("domain")
    if domain:
        out["domain"] = domain
    return out


def _category_name(code: str) -> str:
    found = bridge.fraud_type(code) if code else None
    return found.name if found is not None else ""


def result_out(result: Result, *, item_id: str | None = None, truncated: bool = False) -> dict[str, Any]:
    """The API's view of one result (personal numbers in the entities masked)."""
    normalised = result.normalised
    return {
        "id": item_id,
        "score": round(float(result.score), 4),
        "level": result.level,
        "category": result.category,
        "category_name": _category_name(result.category),
        "reasons": [
            {"symbol": h.symbol, "weight": round(float(h.weight), 4), "explanation": h.explanation}
            for h in result.reasons
        ],
        "entities": [entity_out(e) for e in result.entities],
        "truncated": truncated or bool(normalised is not None and normalised.truncated),
        "error": result.error,
    }


def _evidence_ranges(result: Result, length: int) -> list[tuple[int, int, list[str]]]:
    """Merged, clipped spans of the reasons, each with the explanations that point at it."""
    spans = sorted(
        (max(0, s.start), min(length, s.end), hit.explanation)
        for hit in result.reasons
        for s in hit.spans
        if s.end > s.start
    )
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, why in spans:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            reasons = last[2] if why in last[2] else [*last[2], why]
            merged[-1] = (last[0], max(last[1], end), reasons)
        else:
            merged.append((start, end, [why]))
    return merged


def highlighted(result: Result) -> SafeString:
    """``result.normalised.text`` escaped, with each piece of evidence in ``<mark>``."""
    text = result.normalised.text if result.normalised is not None else ""
    parts: list[str] = []
    position = 0
    for start, end, reasons in _evidence_ranges(result, len(text)):
        parts.append(escape(text[position:start]))
        title = escape("；".join(reasons))
        parts.append(f'<mark title="{title}">{escape(text[start:end])}</mark>')
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
