"""POST /api/warnings (intake from partners' systems and the screening engine), GET /api/warnings.

The body is JSON (or form fields) with the same names as ``WarningIn``; the answer says whether the
warning was new, merged into the person's open warning, or already received (same source and id).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ValidationError as PydanticValidationError

from fanzha.core import access
from fanzha.core.pii.masking import mask
from fanzha.warnings import selectors
from fanzha.warnings.intake import Unusable, WarningInput
from fanzha.warnings.services import NEW, warning_receive

router = Router(tags=["warnings"])


class WarningIn(Schema):
    source: str = ""
    source_id: str = ""
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    fraud_type: str = ""
    warned_at: str = ""
    amount: str = ""
    suspect_numbers: str = ""
    suspect_accounts: str = ""
    notes: str = ""
    call_count: int = 0
    callback_count: int = 0
    transfer_in_progress: bool = False


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


class Problem(Schema):
    detail: str


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
        phone=mask("phone", warning.person.phone),
        notices=notices or [],
    )


def _body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise ValueError("请求体不是有效的 JSON") from exc
        if not isinstance(data, dict):
            raise ValueError("请求体应为 JSON 对象")
        return data
    return request.POST.dict()


def _input(data: dict[str, Any]) -> WarningInput:
    try:
        parsed = WarningIn(**{k: v for k, v in data.items() if k in WarningIn.model_fields})
    except PydanticValidationError as exc:
        fields = "、".join(str(e["loc"][0]) for e in exc.errors() if e.get("loc"))
        raise ValueError(f"字段格式不正确：{fields}") from exc
    values = parsed.model_dump()
    for name in ("call_count", "callback_count"):
        values[name] = str(values[name])
    return WarningInput(**values)


@router.post(
    "/warnings",
    response={200: WarningOut, 201: WarningOut, 400: Problem},
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": WarningIn.json_schema()}}}},
)
def create_warning(request: HttpRequest) -> Status[Any]:
    access.require(request.user, "warning.create")
    try:
        data = _input(_body(request))
        received = warning_receive(actor=request.user, data=data, channel="api")
    except (ValueError, Unusable) as exc:
        return Status(400, Problem(detail=str(exc).splitlines()[0]))
    notices = [message for _, message in received.notices]
    return Status(201 if received.outcome == NEW else 200, _out(received.warning, received.outcome, notices))


@router.get("/warnings", response=list[WarningOut])
def list_warnings(
    request: HttpRequest, status: str = "", grade: str = "", limit: int = 100, offset: int = 0
) -> list[WarningOut]:
    access.require(request.user, "warning.view")
    qs, _ = selectors.filtered(request.user, {"status": status, "grade": grade})
    qs = qs.select_related("person", "area").order_by("-received_at", "-id")
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [_out(w) for w in qs[offset : offset + limit]]
