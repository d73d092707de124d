"""``POST /api/screen``: a batch of up to 1,000 texts or links, for staff sessions and partner keys.

Authentication: the ``X-API-Key`` header (a partner key with scope ``screen``; never a query string)
or a logged-in session whose roles hold ``screening.use``. Each caller is rate-limited per minute.
Nothing here logs or records what was screened: a key counts only calls and items.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import BaseModel, ConfigDict, ValidationError

from fanzha.core import access
from fanzha.core.api_errors import code_of_status, problem
from fanzha.core.pii.masking import quoted
from fanzha.screen import bridge, services
from fanzha.screen.keyauth import LoggedInSession, PartnerKeyAuth, rate_bucket
from fanzha.screen.models import ApiKey
from fanzha.screen.present import result_out
from fanzha.screen.ratelimit import rate_take

PERMISSION = "screening.use"
SCOPE = "screen"
MAX_ITEMS = 1000


class ScreenSessionAuth(LoggedInSession):
    """A logged-in user; one without ``screening.use`` gets 403, not 401."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        access.require(user, PERMISSION)
        return user


router = Router(tags=["screen"], auth=[PartnerKeyAuth(SCOPE), ScreenSessionAuth()])


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | int | None = None
    text: str | None = None
    url: str | None = None


class ScreenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn]
    kind: Literal["text", "url"] = "text"


class ReasonOut(Schema):
    symbol: str
    weight: float
    explanation: str


class ResultOut(Schema):
    id: str | None
    score: float
    level: str
    category: str
    category_name: str
    reasons: list[ReasonOut]
    entities: list[dict[str, str]]
    truncated: bool
    error: str


class ScreenOut(Schema):
    results: list[ResultOut]


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 422, code: str = "invalid_body") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def _read_json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except RequestDataTooBig as exc:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        raise BadRequest(f"请求过大（上限 {limit} MB），请分批提交", 413, "too_large") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("请求体不是有效的 JSON（UTF-8）") from exc


def _read_form(request: HttpRequest) -> dict[str, Any]:
    """A form post (``text=…`` or ``url=…``, repeatable): convenient for curl -F and plain forms."""
    post = request.POST
    items = [{"text": t} for t in post.getlist("text")] + [{"url": u} for u in post.getlist("url")]
    return {"items": items, "kind": post.get("kind") or "text"}


def _parse(request: HttpRequest) -> ScreenIn:
    content_type = request.content_type or ""
    data = _read_json(request) if "json" in content_type or not content_type else _read_form(request)
    if not isinstance(data, dict):
        raise BadRequest('请求体应为对象：{"items": [{"text": "…"}], "kind": "text"}')
    try:
        payload = ScreenIn.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(_explain(exc), code=_code(exc)) from None
    _check_items(payload)
    return payload


def _code(exc: ValidationError) -> str:
    """``unknown_option`` for a key of the body's own that is not ``items`` or ``kind``."""
    first = exc.errors(include_input=False)[0]
    own_key = first["type"] == "extra_forbidden" and len(first["loc"]) == 1
    return "unknown_option" if own_key else "invalid_body"


def _explain(exc: ValidationError) -> str:
    """A Chinese message naming where the body is wrong (never echoing the submitted values; a key
    named with its numbers masked)."""
    first = exc.errors(include_input=False)[0]
    where = quoted(".".join(str(part) for part in first["loc"]), 40) or "请求体"
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"不认识的字段：{where}（条目只能有 id、text、url；请求体只能有 items、kind）"
    if first["loc"] and first["loc"][0] == "kind":
        return "kind 只能是 text 或 url"
    if kind == "missing":
        return f"缺少字段 {where}"
    if kind == "list_type":
        return f"字段 {where} 应为列表"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f'字段 {where} 应为对象，例如 {{"text": "…"}}'
    return f"字段 {where} 应为文字"


def _check_items(payload: ScreenIn) -> None:
    count = len(payload.items)
    if count == 0:
        raise BadRequest("items 为空：请至少提交一条短信、文本或链接")
    if count > MAX_ITEMS:
        message = f"一次最多筛查 {MAX_ITEMS} 条，本次提交了 {count} 条，请分批提交"
        raise BadRequest(message, code="too_many_items")
    for index, item in enumerate(payload.items):
        if (item.text is None) == (item.url is None):
            raise BadRequest(f"第 {index + 1} 条应当且只能有 text 或 url 之一")


def _rate_bucket(request: HttpRequest) -> tuple[str, int]:
    auth = request.auth
    if isinstance(auth, ApiKey):
        return rate_bucket(auth, SCOPE), auth.rate_per_minute
    return f"user:{auth.pk}", settings.SCREEN_USER_RATE_PER_MINUTE


def _screen(payload: ScreenIn) -> list[dict[str, Any]]:
    """Results in input order; text items and url items each go to the engine in one batch."""
    groups: dict[str, list[int]] = {"text": [], "url": []}
    values: list[str] = []
    cut: list[bool] = []
    for index, item in enumerate(payload.items):
        kind = "url" if item.url is not None else payload.kind
        value, was_cut = bridge.bound(item.url if item.url is not None else item.text or "")
        groups[kind].append(index)
        values.append(value)
        cut.append(was_cut)
    out: list[dict[str, Any]] = [{} for _ in payload.items]
    for group, indexes in groups.items():
        if not indexes:
            continue
        results = bridge.screen([values[i] for i in indexes], group)
        for index, result in zip(indexes, results, strict=True):
            item_id = payload.items[index].id
            out[index] = result_out(
                result, item_id=None if item_id is None else str(item_id), truncated=cut[index]
            )
    return out


def _error(message: str, status: int, code: str = "", **headers: str) -> HttpResponse:
    response = problem(status, code or code_of_status(status), message)
    for name, value in headers.items():
        response[name] = value
    return response


SCREEN_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["items"],
                "properties": {
                    "items": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_ITEMS,
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "text": {"type": "string"},
                                "url": {"type": "string"},
                            },
                        },
                    },
                    "kind": {"type": "string", "enum": list(bridge.KINDS), "default": "text"},
                },
            },
            "example": {
                "items": [{"id": "1", "text": "您的快递丢失，我是客服，现在给您办理理赔"}],
                "kind": "text",
            },
        }
    },
}


@router.post(
    "/screen",
    response={200: ScreenOut},
    url_name="screen",
    summary="批量风险筛查（短信、文本或链接，每次最多 1000 条）",
    openapi_extra={"requestBody": SCREEN_BODY},
)
def screen(request: HttpRequest) -> Any:
    decision = rate_take(*_rate_bucket(request))
    if not decision.allowed:
        return _error("请求过于频繁，请稍后再试", 429, **{"Retry-After": str(decision.retry_after)})
    try:
        payload = _parse(request)
    except BadRequest as exc:
        return _error(exc.message, exc.status, exc.code)
    try:
        results = _screen(payload)
    except bridge.EngineUnavailable:
        return _error("筛查引擎暂不可用，请稍后重试或联系系统管理员", 503)
    if isinstance(request.auth, ApiKey):
        services.api_key_record_use(key=request.auth, items=len(results))
    return {"results": results}
