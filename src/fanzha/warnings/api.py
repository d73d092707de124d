"""POST /api/warnings (intake from partners' systems and the screening engine), GET /api/warnings.

The body is JSON (or form fields) with the same names as ``WarningIn``; the answer says whether the
warning was new, merged into the person's open warning, or already received (same source and id).
A partner's system pushes with an API key of scope ``warnings`` in ``X-API-Key`` (no session, no CSRF
token; rate-limited per key, 429 with Retry-After; recorded under the key's organisation's kind as
source — a centre's key may name any; answered with what it sent only, never the centre's
warning); a logged-in user with ``warning.create`` may post too and sees the warning. Reading the
list needs a session.

Every error is ``{"code": …, "detail": …}`` (``fanzha.core.api_errors``); a query parameter the
endpoint does not take is refused (``unknown_option``), not ignored.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import math
from collections import Counter
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from fanzha.core import access
from fanzha.core.api_errors import problem
from fanzha.core.pii.masking import mask, mask_cell, quoted
from fanzha.imports.columns import match_header, normalise_header
from fanzha.screen.keyauth import PartnerKeyAuth, key_of, rate_bucket, session_auth
from fanzha.screen.ratelimit import rate_take
from fanzha.screen.services import api_key_record_use
from fanzha.warnings import reveal, selectors
from fanzha.warnings.exports import day_bounds, partner_feedback
from fanzha.warnings.intake import (
    MAX_COUNT,
    TRANSFER_SAID,
    TRUE_WORDS,
    Unusable,
    WarningInput,
    count_written,
    text_limit,
)
from fanzha.warnings.people import ID_HELD, NAME_DIFFERS, PHONE_DIFFERS
from fanzha.warnings.services import (
    NEW,
    PUSH_SCOPE,
    UNCHANGED,
    Received,
    own_source_id,
    warning_push,
    warning_receive,
)

router = Router(tags=["warnings"])

JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
IGNORED_KEYS = {"csrfmiddlewaretoken"}


class BadRequest(ValueError):
    """A problem with the request itself; the message (Chinese, without personal data) is shown, with
    ``code`` (one of ``core.api_errors.CODES``)."""

    def __init__(self, message: str, code: str = "invalid_body") -> None:
        super().__init__(message)
        self.code = code


def body_limit() -> str:
    """The largest body a request may have, as a 413 names it (``5 MB``)."""
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024):g} MB"


def _as_text(value: Any) -> Any:
    """A JSON number is read as its text (an amount or a phone sent as a number), null as empty. A
    whole number sent as a float (13905717777.0, as a tool that read a spreadsheet sends it) is written
    without its ``.0``, as the spreadsheet shows it — below 10^15, where a float holds every digit; a
    longer one keeps its exponent, so the intake can say that its last digits are lost."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_FLOAT:
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    return value


EXACT_FLOAT = 10**15


def _printable(value: str) -> str:
    """No NUL or other control characters (PostgreSQL refuses NUL) and no lone surrogates."""
    for char in value:
        if (ord(char) < 32 and char not in "\t\n\r") or 0xD800 <= ord(char) <= 0xDFFF:
            raise ValueError("invalid character")
    return value


def _as_count(value: Any) -> Any:
    """None or "" as 0; a count written as a list writes it (``5次``, ``５``) as its number; true or
    false kept as the words, so the count is refused as no number (the integer check reads true as 1:
    one call the partner never counted)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value.strip() and (count := count_written(value)) is not None:
        return count  # as a list writes it: 5次, ５ (the file import reads them so)
    return 0 if value is None or value == "" else value


def _as_flag(value: Any) -> Any:
    """正在转账 as sent: true (是), false (否), or null / "" / not sent — unknown (None), not false."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS:
        return True
    if isinstance(value, str) and value.strip() in ("否", "无", "0"):
        return False
    return value


def _text(limit: int) -> Any:
    return Annotated[str, BeforeValidator(_as_text), Field(max_length=limit), AfterValidator(_printable)]


LOST = "只有问号：中文在发送前已丢失（对接系统按不支持中文的编码如 ISO-8859-1 转换），请按 UTF-8 发送"


def _not_lost(value: str) -> str:
    """A name, address or type with ``??`` in it is Chinese a client's Latin encoding turned into
    question marks (孙七 → ??): the person's record would be written under it."""
    if "??" in value:
        raise PydanticCustomError("lost_encoding", "Chinese lost to question marks")
    return value


def _chinese_text(limit: int) -> Any:
    return Annotated[_text(limit), AfterValidator(_not_lost)]


Count = Annotated[int, BeforeValidator(_as_count), Field(ge=0, le=MAX_COUNT)]
Flag = Annotated[bool | None, BeforeValidator(_as_flag)]


class WarningIn(Schema):
    source: _text(40) = ""  # type: ignore[valid-type]
    source_id: _text(100) = ""  # type: ignore[valid-type]
    name: _chinese_text(text_limit("name")) = ""  # type: ignore[valid-type]
    id_number: _text(30) = ""  # type: ignore[valid-type]
    phone: _text(50) = ""  # type: ignore[valid-type]
    address: _chinese_text(text_limit("address")) = ""  # type: ignore[valid-type]
    fraud_type: _chinese_text(100) = ""  # type: ignore[valid-type]
    warned_at: _text(50) = ""  # type: ignore[valid-type]
    amount: _text(50) = ""  # type: ignore[valid-type]
    suspect_numbers: _text(text_limit("suspect_numbers")) = ""  # type: ignore[valid-type]
    suspect_accounts: _text(text_limit("suspect_accounts")) = ""  # type: ignore[valid-type]
    notes: _text(text_limit("notes")) = ""  # type: ignore[valid-type]
    call_count: Count = 0
    callback_count: Count = 0
    transfer_in_progress: Flag = None
    pushed_level: _text(20) = ""  # type: ignore[valid-type]


class WarningOut(Schema):
    id: int
    outcome: str = ""
    source: str
    source_id: str
    grade: str
    grade_reasons: list[str]
    status: str
    fraud_type: str
    area_code: str
    name: str
    phone: str
    notices: list[str] = []


class PushOut(Schema):
    """What a partner's system learns of its push: only what it sent, never the centre's warning."""

    outcome: str  # received (new, or joined to the person's open warning) | unchanged (pushed before)
    source: str
    source_id: str
    notices: list[str] = []


# Notices that tell about people on record, not about the row: kept from partners.
RECORD_NOTICES = {ID_HELD, NAME_DIFFERS, PHONE_DIFFERS}


def _push_out(received: Received, notices: list[str], organisation: Any) -> Status[Any]:
    unchanged = received.outcome == UNCHANGED
    source, source_id = received.ref[0], own_source_id(received.ref[1], organisation)
    own = [notice for notice in notices if notice not in RECORD_NOTICES]
    outcome = "unchanged" if unchanged else "received"
    out = PushOut(outcome=outcome, source=source, source_id=source_id, notices=own)
    return Status(200 if unchanged else 201, out)


class Problem(Schema):
    """Every error's answer: ``code`` for a program (``core.api_errors.CODES``), ``detail`` in Chinese."""

    code: str
    detail: str


def refused(status: int, code: str, detail: str) -> Status[Any]:
    return Status(status, Problem(code=code, detail=detail))


def _out(warning: Any, outcome: str = "", notices: list[str] | None = None) -> WarningOut:
    return WarningOut(
        id=warning.pk,
        outcome=outcome,
        source=warning.source,
        source_id=warning.source_id,
        grade=warning.grade,
        grade_reasons=list(warning.grade_reasons),
        status=warning.status,
        fraud_type=warning.fraud_type,
        area_code=warning.area.code,
        name=mask("name", warning.person.name),
        phone=mask("phone", reveal.shown_value(warning, "phone")),
        notices=notices or [],
    )


class JsonObject(dict[str, Any]):
    """A JSON object as read, with the keys it had more than once (``json`` keeps the last value: the
    sender would believe the first was read)."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> JsonObject:
    found = JsonObject(pairs)
    if len(found) < len(pairs):
        found.repeated = tuple(key for key, n in Counter(key for key, _ in pairs).items() if n > 1)
    return found


def _not_json(word: str) -> Any:
    raise ValueError(word)  # NaN, Infinity: Python writes them, JSON has no such values


def parse_json(raw: bytes, charset: str | None = None) -> Any:
    """The JSON of ``raw``: UTF-8 (or -16, -32, with or without a BOM) unless the Content-Type names
    another charset (``application/json; charset=GBK``, as older partner systems send); a UTF-8 body
    with Chinese labelled another charset is refused, never read garbled."""
    if not raw.strip():
        raise BadRequest("请求体为空，应为一条预警的 JSON 对象")
    text: bytes | str = raw
    if charset and not codecs.lookup(charset).name.startswith("utf"):
        if _utf8_beyond_ascii(raw):
            raise BadRequest(
                f"请求体是 UTF-8 编码，Content-Type 却声明为 {charset[:20]}（按它读中文会成乱码）："
                "请声明 charset=UTF-8，或不写 charset"
            )
        try:
            text = raw.decode(charset)
        except UnicodeDecodeError as exc:
            raise BadRequest(f"请求体不是 Content-Type 所声明的 {charset[:20]} 编码") from exc
    try:
        return json.loads(text, parse_constant=_not_json, object_pairs_hook=_object)
    except (ValueError, RecursionError) as exc:
        raise BadRequest("请求体不是有效的 JSON") from exc


def _utf8_beyond_ascii(raw: bytes) -> bool:
    """Whether ``raw`` is UTF-8 with characters beyond ASCII: a body in another charset hardly ever is
    (Latin-1's é is no UTF-8, nor is GBK's Chinese), while a UTF-8 body a client's default labels
    ISO-8859-1 "decodes" in it byte by byte, each Chinese character as three Latin letters, and was
    stored so (refused now, as a body that is not in its declared charset is)."""
    if raw.isascii():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _body(request: HttpRequest) -> dict[str, Any]:
    """The JSON object (or form fields) of the request; raises BadRequest, RequestDataTooBig."""
    kind = request.content_type or ""
    if kind in JSON_TYPES or kind.endswith("+json"):
        data = parse_json(request.body, request.encoding)
        if not isinstance(data, dict):
            raise BadRequest("请求体应为一条预警的 JSON 对象；一次只能提交一条，批量请使用文件导入")
        return data
    if kind in FORM_TYPES:
        return request.POST.dict()
    raise BadRequest("请求体应为 JSON（Content-Type: application/json）")


COUNT = f" 0 到 {MAX_COUNT} 之间的整数"
WHAT = {"call_count": COUNT, "callback_count": COUNT, "transfer_in_progress": " true 或 false"}


def field_problems(errors: list[Any]) -> dict[str, str]:
    """Each field at fault → what is wrong with it, in Chinese, without echoing its value."""
    problems: dict[str, str] = {}
    for error in errors:
        name = str(error["loc"][0]) if error.get("loc") else "?"
        if error["type"] in ("string_too_long", "too_long"):
            problems.setdefault(name, f"超过 {error['ctx']['max_length']} 个字符")
        elif error["type"] == "lost_encoding":
            problems.setdefault(name, LOST)
        elif error["type"] == "value_error":
            problems.setdefault(name, "含有控制字符或无效字符")
        else:
            problems.setdefault(name, f"应为{WHAT.get(name, '文本')}")
    return problems


def fields_problem(errors: list[Any]) -> str:
    """The fields at fault, in Chinese, without echoing their values."""
    parts = [f"{name}（{what}）" for name, what in field_problems(errors).items()]
    return "字段格式不正确：" + "、".join(parts)


def named_fields(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with keys written as a list's column headers (预警编号, 手机号, 身份证号, "ID number") renamed
    to the fields they name, matched as the file import matches headers; other keys are kept as sent
    (reported as not recognised). Raises BadRequest when two keys name one field, or one key is sent
    twice (``{"phone": …, "phone": …}``).

    A JSON object's keys have no order (serialisers sort them or not), so the answer does not depend on
    it: a field's own name (``phone``) is its column wherever it stands, and beside it another key
    that is also the field's own label (``手机号``) is refused, one of its synonyms (``联系电话``) left
    aside as a file's second column is."""
    from fanzha.imports.importers.warnings import FIELDS  # the importer's column names: one list

    if repeated := getattr(data, "repeated", ()):
        raise BadRequest(f"字段“{key_shown(repeated[0])}”出现了两次，请只保留一个", "invalid_field")
    keys = [str(key) for key in data]
    own = [key for key in keys if key in WarningIn.model_fields]
    matched = match_header([*own, *(key for key in keys if key not in own)], FIELDS)
    fields = {**{text: f.name for text, f in matched.seconds}, **matched.columns}
    taken = set(matched.columns.values())  # a second column (联系电话 beside 手机号) is then not read
    labels = {f.name: normalise_header(f.label) for f in FIELDS}
    joined = {f.name for f in FIELDS if f.joined}  # a file's columns joined: one key a request
    named: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(str(key), key)
        second = str(key) not in matched.columns and field in taken
        name = field if field in WarningIn.model_fields and not second else key
        own_label = second and field in own and normalise_header(str(key)) == labels.get(field)
        if name in named or str(key) in matched.duplicate or own_label or (second and field in joined):
            said = {normalise_header(str(key)), normalise_header(str(key), notes=True)}
            label = next((f.label for f in FIELDS if f.name == field or said & f.header_keys()), field)
            said_twice = f"字段“{quoted(str(key), 30)}”与另一字段都指“{label}”，请只保留一个"
            raise BadRequest(said_twice, "invalid_field")
        named[name] = value
    return named


def key_shown(key: Any) -> str:
    """A key no field reads, as an answer names it: a key may be personal data (an object keyed by the
    person's phone, an ID number as an extra column's header), so its numbers are masked."""
    return mask_cell(str(key), 30)


def _unknown(data: dict[str, Any]) -> list[str]:
    keys = [key_shown(k) for k in data if k not in WarningIn.model_fields and k not in IGNORED_KEYS]
    return keys[:10]


def _input(data: dict[str, Any]) -> WarningInput:
    try:
        parsed = WarningIn(**{k: v for k, v in data.items() if k in WarningIn.model_fields})
    except PydanticValidationError as exc:
        raise BadRequest(fields_problem(exc.errors()), "invalid_field") from exc
    values = parsed.model_dump()
    for name in ("call_count", "callback_count"):  # a count not sent is none, not "0" (kept for the feedback)
        values[name] = str(values[name]) if values[name] else ""
    values["transfer_in_progress"] = TRANSFER_SAID[values["transfer_in_progress"]]
    return WarningInput(**values)


def _rejected_code(exc: Exception) -> str:
    return exc.code if isinstance(exc, BadRequest) else "warning_rejected"


def _rejected(exc: Exception, unknown: list[str]) -> str:
    if isinstance(exc, BadRequest | Unusable):
        detail = str(exc).splitlines()[0]
    else:  # an unexpected fault: its text may hold the values sent, so it is not echoed
        detail = "请求内容无法处理，请检查各字段"
    if unknown and isinstance(exc, Unusable):
        detail += f"（另有未识别的字段：{'、'.join(unknown)}，字段名见接口文档）"
    return detail


def _receive(request: HttpRequest, data: WarningInput) -> Received:
    """By the partner key the request carries, else by the logged-in user."""
    key = key_of(request)
    if key is None:
        return warning_receive(actor=request.user, data=data, channel="api")
    received = warning_push(key=key, data=data)
    api_key_record_use(key=key, items=1)
    return received


def over_rate(request: HttpRequest) -> HttpResponse | None:
    """429 when a partner key has used up its requests of this minute (sessions are not limited), with
    Retry-After: the seconds to the next minute."""
    key = key_of(request)
    if key is None:
        return None
    decision = rate_take(rate_bucket(key, PUSH_SCOPE), key.rate_per_minute)
    if decision.allowed:
        return None
    response = problem(429, "rate_limited", f"请求过于频繁，请 {decision.retry_after} 秒后再试")
    response["Retry-After"] = str(decision.retry_after)
    return response


def refuse_unknown_parameters(request: HttpRequest, accepted: tuple[str, ...]) -> None:
    """A query parameter the endpoint does not take (``sinse``, ``from``) is refused, not ignored: the
    answer would be of another period or page than the caller believes. Raises BadRequest."""
    unknown = [name for name in request.GET if name not in accepted]
    if unknown:
        named = "、".join(quoted(name, 30) for name in unknown[:10])
        raise BadRequest(f"未识别的参数：{named}（此接口的参数：{'、'.join(accepted)}）", "unknown_option")


@router.post(
    "/warnings",
    auth=[PartnerKeyAuth(PUSH_SCOPE), session_auth],
    response={200: WarningOut | PushOut, 201: WarningOut | PushOut, 400: Problem, 413: Problem, 429: Problem},
    summary="推送一条预警（对接系统用接口密钥 X-API-Key，或已登录的用户）",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": WarningIn.json_schema()}}}},
)
def create_warning(request: HttpRequest) -> Status[Any] | HttpResponse:
    if key_of(request) is None:
        access.require(request.user, "warning.create")
    elif (too_many := over_rate(request)) is not None:
        return too_many
    unknown: list[str] = []
    try:
        body = named_fields(_body(request))
        unknown = _unknown(body)
        received = _receive(request, _input(body))
    except RequestDataTooBig:
        return refused(413, "too_large", f"请求体过大（上限 {body_limit()}），一次只能提交一条预警")
    except (ValueError, Unusable) as exc:
        return refused(400, _rejected_code(exc), _rejected(exc, unknown))
    notices = [message for _, message in received.notices]
    if unknown:
        notices.append(f"未识别的字段已忽略：{'、'.join(unknown)}")
    if (key := key_of(request)) is not None:
        return _push_out(received, notices, key.organisation)
    return Status(201 if received.outcome == NEW else 200, _out(received.warning, received.outcome, notices))


class FeedbackOut(Schema):
    source_id: str
    received_at: str
    status: str
    outcome: str
    acknowledged_at: str | None
    contacted_at: str | None
    closed_at: str | None


FEEDBACK_DAYS = 92  # the longest period one request may ask for
FEEDBACK_PARAMETERS = ("since", "until", "limit", "offset")
LIST_PARAMETERS = ("status", "grade", "limit", "offset")


def _period(since: str, until: str) -> tuple[dt.datetime, dt.datetime]:
    """[since, until] as dates (YYYY-MM-DD, local days; default: the last 7 days) → aware bounds."""
    today = timezone.localdate()
    try:
        end = dt.date.fromisoformat(until.strip()) if until.strip() else today
        start = dt.date.fromisoformat(since.strip()) if since.strip() else end - dt.timedelta(days=6)
    except ValueError as exc:
        raise BadRequest("参数 since、until 应为日期，如 2026-11-28", "invalid_parameter") from exc
    if start > end or (end - start).days >= FEEDBACK_DAYS:
        raise BadRequest(f"since 应不晚于 until，且一次最多查询 {FEEDBACK_DAYS} 天", "invalid_parameter")
    return day_bounds(start, end)


@router.get(
    "/warnings/feedback",
    auth=PartnerKeyAuth(PUSH_SCOPE),
    response={200: list[FeedbackOut], 400: Problem, 401: Problem, 429: Problem},
    summary="对接系统查询自己推送的预警的处置情况（接口密钥）",
)
def pushed_feedback(
    request: HttpRequest, since: str = "", until: str = "", limit: str = "500", offset: str = "0"
) -> Any:
    key = key_of(request)
    if key is None:  # not reached: a partner key is this endpoint's only authentication
        return refused(401, "not_authenticated", "此接口只接受对接系统的接口密钥（X-API-Key）")
    if (too_many := over_rate(request)) is not None:
        return too_many
    try:
        refuse_unknown_parameters(request, FEEDBACK_PARAMETERS)
        start, end = _period(since, until)
        limit_n, offset_n = _int_param(limit, "limit", 500), _int_param(offset, "offset", 0)
    except BadRequest as exc:
        return refused(400, exc.code, str(exc))
    rows = partner_feedback(key.organisation, start, end, offset_n, max(1, min(limit_n, 1000)))
    api_key_record_use(key=key, items=len(rows))
    return rows


def _int_param(text: str, name: str, default: int) -> int:
    value = (text or "").strip()
    if not value:
        return default
    if not value.isdigit() or len(value) > 9:
        raise BadRequest(f"参数 {name} 应为 0 到 999999999 之间的整数", "invalid_parameter")
    return int(value)


@router.get("/warnings", response={200: list[WarningOut], 400: Problem})
def list_warnings(
    request: HttpRequest, status: str = "", grade: str = "", limit: str = "100", offset: str = "0"
) -> Any:
    access.require(request.user, "warning.view")
    try:
        refuse_unknown_parameters(request, LIST_PARAMETERS)
        limit_n, offset_n = _int_param(limit, "limit", 100), _int_param(offset, "offset", 0)
    except BadRequest as exc:
        return refused(400, exc.code, str(exc))
    qs, _ = selectors.filtered(request.user, {"status": status, "grade": grade})
    qs = qs.select_related("person", "area").order_by("-received_at", "-id")
    limit_n = max(1, min(limit_n, 500))
    return [_out(w) for w in qs[offset_n : offset_n + limit_n]]
