"""POST /api/warnings/batch: up to 5,000 warnings in one request, received all or none.

The body is ``{"warnings": [{…}, …], "skip_rejected": false}`` (or the bare list); each item has the
fields of POST /api/warnings. Items are checked like the rows of an imported file
(:mod:`fanzha.warnings.batchpush`): one unusable item → 400 with every item's problem and nothing
received (``skip_rejected``: the others are received, the unusable ones answered ``rejected``).
A key of the body other than these two (``skipRejected``, ``skip_rejectd``) is refused, not ignored:
the partner would believe rows were skipped when the whole batch was refused, or the reverse. An item
may carry other keys (a pushed list's extra columns): they are ignored and named in ``notices``.

Errors are ``{"code": …, "detail": …, "batch": …, "errors": […]}``: the API's shape with the batch's
own keys (``fanzha.core.api_errors``).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import ValidationError as PydanticValidationError

from fanzha.core import access
from fanzha.core.pii.masking import quoted
from fanzha.screen.keyauth import PartnerKeyAuth, key_of, session_auth
from fanzha.screen.services import api_key_record_use
from fanzha.warnings.api import (
    IGNORED_KEYS,
    JSON_TYPES,
    RECORD_NOTICES,
    TRANSFER_SAID,
    BadRequest,
    Problem,
    WarningIn,
    body_limit,
    field_problems,
    key_shown,
    named_fields,
    over_rate,
    parse_json,
)
from fanzha.warnings.batchpush import MAX_ITEMS, BatchResult, warnings_push_batch
from fanzha.warnings.services import PUSH_SCOPE

router = Router(tags=["warnings"])


class ItemOut(Schema):
    index: int  # the item's place in the request, from 0
    outcome: str  # received | unchanged | rejected
    source: str
    source_id: str
    notices: list[str] = []


class ItemProblem(Schema):
    index: int
    field: str  # the column's Chinese label, or "" for the item as a whole
    message: str


class BatchOut(Schema):
    batch: int  # the import batch, on the import page
    received: int  # a partner's: new or joined to the person's open warning
    merged: int  # joined to the person's open warning (a session's only; a partner is not told)
    unchanged: int
    rejected: int
    items: list[ItemOut]
    notices: list[str] = []


class BatchProblem(Schema):
    code: str
    detail: str
    batch: int | None = None
    errors: list[ItemProblem] = []


OPTIONS = ("warnings", "skip_rejected")  # the keys of the body
# A key shown in a refusal as it was sent: an option's kind of name (or a warning field's column header);
# any other (a name, a number) is only counted, as it may be personal data.
OPTION_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,39}")


def _warning_field(key: str) -> bool:
    """Whether ``key`` names a warning's field (``phone``, ``手机号``): sent outside ``warnings``."""
    try:
        return any(name in WarningIn.model_fields for name in named_fields({key: None}))
    except BadRequest:
        return False


def refuse_unknown_options(body: dict[str, Any]) -> None:
    """Raises BadRequest (``unknown_option``) naming the body's keys other than OPTIONS."""
    unknown = [str(key) for key in body if key not in OPTIONS]
    if not unknown:
        return
    fields = [key for key in unknown[:20] if _warning_field(key)]
    shown = [quoted(key, 30) for key in unknown if OPTION_LIKE.fullmatch(key) or key in fields]
    message = f"请求体有未识别的键：{'、'.join(shown[:10]) or '（未显示）'}"
    if len(shown) > 10:
        message += f" 等 {len(shown)} 个"
    if len(unknown) > len(shown):
        message += f"，另有 {len(unknown) - len(shown)} 个（不是字段名，为免含个人信息不显示）"
    message += f"。请求体只能有 {'、'.join(OPTIONS)}"
    if fields:
        message += "；预警的字段应写在 warnings 数组的各项中"
    raise BadRequest(message + "。整批未接收", "unknown_option")


def _items(request: HttpRequest) -> tuple[list[Any], bool]:
    kind = request.content_type or ""
    if not (kind in JSON_TYPES or kind.endswith("+json")):
        raise BadRequest("请求体应为 JSON（Content-Type: application/json）")
    if not request.body.strip():
        raise BadRequest('请求体为空，应为 {"warnings": [预警, …]}')
    body = parse_json(request.body, request.encoding)
    skip = False
    if isinstance(body, dict):
        if repeated := getattr(body, "repeated", ()):  # two lists of warnings: only the last was read
            raise BadRequest(f"请求体的键“{quoted(repeated[0], 30)}”出现了两次。整批未接收", "invalid_body")
        refuse_unknown_options(body)
        skip = body.get("skip_rejected", False)
        if not isinstance(skip, bool):
            raise BadRequest("skip_rejected 应为 true 或 false", "invalid_parameter")
        body = body.get("warnings")
    if not isinstance(body, list):
        raise BadRequest('请求体应为 {"warnings": [预警, …]} 或预警的 JSON 数组')
    if not body:
        raise BadRequest("warnings 为空：没有要推送的预警")
    if len(body) > MAX_ITEMS:
        message = f"一次最多推送 {MAX_ITEMS} 条预警，本次 {len(body)} 条；请分批推送"
        raise BadRequest(message, "too_many_items")
    return body, skip


class ItemRefused(ValueError):
    """An item that cannot even be read as a warning's fields: its problems, by field."""

    def __init__(self, problems: list[ItemProblem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _label(name: str) -> str:
    """A field's Chinese label (姓名 for name), as the pipeline's errors name columns."""
    from fanzha.imports.importers.warnings import FIELDS  # the importer's column names: one list

    return next((f.label for f in FIELDS if f.name == name), name)


def _texts(index: int, item: Any) -> dict[str, str]:
    """One item's fields as the texts an imported row has; raises ItemRefused with its problems."""
    if not isinstance(item, dict):
        raise ItemRefused([ItemProblem(index=index, field="", message="不是预警的 JSON 对象")])
    try:
        item = named_fields(item)
    except BadRequest as exc:
        raise ItemRefused([ItemProblem(index=index, field="", message=str(exc))]) from exc
    try:
        parsed = WarningIn(**{k: v for k, v in item.items() if k in WarningIn.model_fields})
    except PydanticValidationError as exc:
        problems = [
            ItemProblem(index=index, field=_label(name), message=f"字段格式不正确：{name}（{what}）")
            for name, what in field_problems(exc.errors()).items()
        ]
        raise ItemRefused(problems) from exc
    texts = {name: str(value) for name, value in parsed.model_dump(exclude_unset=True).items()}
    if "transfer_in_progress" in texts:
        texts["transfer_in_progress"] = TRANSFER_SAID[parsed.transfer_in_progress]
    return texts


@dataclass
class ReadItems:
    """The request's items read: the usable ones' texts (with their places in the request) and the
    problems of those that cannot be read as a warning's fields at all."""

    texts: list[dict[str, str]]
    places: list[int]
    raw: list[dict[str, Any]]
    problems: list[ItemProblem]


def _read(raw: list[Any]) -> ReadItems:
    read = ReadItems([], [], [], [])
    for index, item in enumerate(raw):
        try:
            read.texts.append(_texts(index, item))
        except ItemRefused as exc:
            read.problems.extend(exc.problems)
            continue
        read.places.append(index)
        read.raw.append(item)
    return read


def _unknown(items: list[dict[str, Any]]) -> list[str]:
    names = {str(k) for item in items for k in named_fields(item) if k not in WarningIn.model_fields}
    return [key_shown(name) for name in sorted(names - IGNORED_KEYS)[:10]]


def _unreadable(read: ReadItems) -> Status[Any]:
    """400 naming every item that cannot be read, the first in ``detail`` (the other items' checks
    follow once these can be read)."""
    first = read.problems[0]
    others = len({problem.index for problem in read.problems}) - 1
    detail = f"第 {first.index} 项（从 0 计）{first.message}"
    if others:
        detail += f"；另有 {others} 项无法读取"
    detail += "。整批未接收，请按 errors 修改后重新推送"
    return Status(400, BatchProblem(code="batch_rejected", detail=detail, errors=read.problems))


def _refused_items(read: ReadItems, raw: list[Any]) -> list[ItemOut]:
    """The unreadable items left out by ``skip_rejected``, answered ``rejected`` with their problems."""
    by_index: dict[int, list[str]] = {}
    for problem in read.problems:
        by_index.setdefault(problem.index, []).append(problem.message)
    return [
        ItemOut(
            index=index,
            outcome="rejected",
            source=_sent(raw[index], "source"),
            source_id=_sent(raw[index], "source_id"),
            notices=messages,
        )
        for index, messages in by_index.items()
    ]


def _sent(item: Any, name: str) -> str:
    """An unreadable item's field ``name`` as sent, under whatever key names it (``预警编号``), a whole
    number as its digits (``20261128001``): the partner finds the item by it."""
    if not isinstance(item, dict):
        return ""
    with contextlib.suppress(BadRequest):  # two keys for one field: read as sent
        item = named_fields(item)
    value = item.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value[:100] if isinstance(value, str) else ""


def _place(read: ReadItems, row: Any) -> int:
    """The request's index of the pipeline's row ``row`` (numbered from 1 among the readable items);
    an error of no row (the batch as a whole) keeps the pipeline's number less one, as before."""
    number = row if isinstance(row, int) else 0
    return read.places[number - 1] if 1 <= number <= len(read.places) else number - 1


def _answer(result: BatchResult, read: ReadItems, raw: list[Any], partner: bool) -> Status[Any]:
    """A partner learns only what it sent, as for one warning: an item joining the person's open
    warning is "received", neither counted as merged nor told about the person on record. Items are
    numbered by their place in the request, the unreadable ones left out by ``skip_rejected`` among
    them."""
    batch = result.batch
    if not result.ok:
        errors = [
            ItemProblem(index=_place(read, error["row"]), field=error["column"], message=error["message"])
            for error in batch.errors
        ]
        errors = sorted([*errors, *read.problems], key=lambda error: error.index)
        problem = BatchProblem(
            code="batch_rejected", detail=_rejected_text(batch.message), batch=batch.pk, errors=errors
        )
        return Status(400, problem)
    items = [ItemOut(**{**vars(item), "index": read.places[item.index]}) for item in result.items]
    items = sorted([*items, *_refused_items(read, raw)], key=lambda item: item.index)
    if partner:
        for item in items:
            item.notices = [notice for notice in item.notices if notice not in RECORD_NOTICES]
    counts = {
        outcome: sum(1 for item in items if item.outcome == outcome) for outcome in ("received", "rejected")
    }
    unknown = _unknown(read.raw)
    out = BatchOut(
        batch=batch.pk,
        received=batch.rows_new + batch.rows_updated if partner else batch.rows_new,
        merged=0 if partner else batch.rows_updated,
        unchanged=batch.rows_unchanged,
        rejected=counts["rejected"],
        items=items,
        notices=[f"未识别的字段已忽略：{'、'.join(unknown)}"] if unknown else [],
    )
    return Status(201 if counts["received"] else 200, out)


FILE_WORDS = [
    ("文件中有错误的行", "有无法接收的预警"),
    ("导入时有行被拒绝", "接收时有预警被拒绝"),
    ("整份文件未导入", "整批未接收"),
    ("请按错误清单修改后重新上传", "请按 errors 修改后重新推送"),
]


def _rejected_text(message: str) -> str:
    """The pipeline's words for a file, said of the request."""
    for said, meant in FILE_WORDS:
        message = message.replace(said, meant)
    return message


@router.post(
    "/warnings/batch",
    auth=[PartnerKeyAuth(PUSH_SCOPE), session_auth],
    response={200: BatchOut, 201: BatchOut, 400: BatchProblem, 413: BatchProblem, 429: Problem},
    summary=f"批量推送预警（一次最多 {MAX_ITEMS} 条，全部接收或全部不接收）",
)
def push_batch(request: HttpRequest) -> Status[Any] | HttpResponse:
    if key_of(request) is None:
        access.require(request.user, "warning.import")
    elif (too_many := over_rate(request)) is not None:
        return too_many
    try:
        raw, skip = _items(request)
    except RequestDataTooBig:
        limit = body_limit()
        detail = (
            f"请求体过大（上限 {limit}），请分成较小的几批推送（每批不超过 {MAX_ITEMS} 条，也不超过 {limit}）"
        )
        return Status(413, BatchProblem(code="too_large", detail=detail))
    except BadRequest as exc:
        return Status(400, BatchProblem(code=exc.code, detail=str(exc)))
    read = _read(raw)
    if read.problems and not (skip and read.texts):
        return _unreadable(read)
    key = key_of(request)
    actor = request.user if key is None else None
    result = warnings_push_batch(actor=actor, key=key, items=read.texts, skip_rejected=skip)
    if key is not None:
        api_key_record_use(key=key, items=len(raw))
    return _answer(result, read, raw, partner=key is not None)
