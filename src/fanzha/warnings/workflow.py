"""The warning's state machine: acknowledge, record a call or visit, close, hand over, place.

Acknowledging is one conditional UPDATE (``WHERE status='assigned' AND version=…``): of two people
acknowledging at once, exactly one changes the row; the other is told who did, on SQLite (whose
writers queue behind ``BEGIN IMMEDIATE``) and on PostgreSQL (where the second UPDATE waits for the
row lock and then re-checks its condition on the committed row) alike.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.models import Area, Organisation, User
from fanzha.core.models.areas import AreaLevel
from fanzha.core.pii import crypto
from fanzha.core.pii.masking import scrub_text
from fanzha.core.services import areas as area_services
from fanzha.warnings import bulk, fastwrite, photos, routing, sla
from fanzha.warnings.models import (
    FINAL_OUTCOMES,
    OPEN_STATUSES,
    TRANSITIONS,
    AddressPlacement,
    Contact,
    ContactKind,
    ContactPhoto,
    EventKind,
    Grade,
    Outcome,
    Status,
    Warning,
    WarningEvent,
)
from fanzha.warnings.notify import AssignmentNotices, notify_assigned
from fanzha.warnings.photos import PHOTO_MAX_BYTES, PHOTO_MAX_COUNT, strip_metadata
from fanzha.warnings.selectors import (
    NO_FOLLOW_UP_OUTCOMES,
    STRANDED,
    changes_since,
    held_by,
    latest_change,
    latest_contacts,
)
from fanzha.warnings.services import Intake, _assign, event_add, routed_event, routed_message

FOLLOW_UP_MAX_DAYS = 366  # a follow-up further out than a year is a typo (9999-12-31)
PHOTO_CONTEXT = b"fanzha-warning-photo"
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


# An iPhone's photos (HEIC) and AVIF: an ISO media file whose ``ftyp`` box names one of these brands.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
HEIF_REFUSED = (
    "暂不支持苹果手机的 HEIC（或 AVIF）格式照片：请在手机“设置 → 相机 → 格式”中选“兼容性最佳”后重拍，"
    "或将照片转为 JPEG 后再上传"
)
CONTACTABLE = (Status.ASSIGNED, Status.ACKNOWLEDGED, Status.CONTACTED)


def pending_follow_up(warning: Warning) -> dt.date | None:
    """The 回访 date the latest contact set (a later contact without one means it was made), or None —
    None too for a warning closed as 无效预警 (:data:`selectors.NO_FOLLOW_UP_OUTCOMES`)."""
    if warning.outcome in NO_FOLLOW_UP_OUTCOMES:
        return None
    return latest_contacts(warning).values_list("follow_up_on", flat=True).first()


def can_record_contact(warning: Warning) -> bool:
    """Open and reachable, or closed with a follow-up (回访) still to make: 劝阻成功 closes the warning,
    and the visit a week later is recorded on it."""
    if warning.status in CONTACTABLE:
        return True
    return warning.status == Status.CLOSED and pending_follow_up(warning) is not None


class Conflict(Exception):
    """Someone else changed the warning first; the message says who or what, in Chinese."""


QUEUE = "反诈中心待分派队列"


def _can_work(actor: Any, warning: Warning) -> bool:
    if access.user_can(actor, "warning.dispatch"):
        return True
    return access.user_can(actor, "warning.work") and warning.organisation_id == actor.organisation_id


def may_work(actor: Any, warning: Warning) -> bool:
    """Whether the actor may acknowledge, record, hand over or close the warning now."""
    return access.area_visible_to(actor, warning.area) and _can_work(actor, warning)


def _require_work(actor: Any, warning: Warning) -> None:
    if not may_work(actor, warning):
        raise PermissionDenied("该预警不由您的单位承办")


def holder(warning: Warning) -> str:
    """Who works the warning now: “城关派出所 张三”, or the centre's queue."""
    if warning.organisation_id is None:
        return QUEUE
    if warning.assignee_id is None:
        return str(warning.organisation)
    return f"{warning.organisation} {warning.assignee}"


def _when(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local:%H:%M}" if local.date() == timezone.localdate() else f"{local:%m-%d %H:%M}"


def change_text(line: WarningEvent, actor: Any, warning: Warning) -> str:
    """One change of the warning as the worker reads it: “该预警已由 张三 于 10:02 签收”."""
    mine = line.actor_id is not None and line.actor_id == getattr(actor, "pk", None)
    who = "您" if mine else f" {line.actor} " if line.actor is not None else "他人"
    what = {
        EventKind.ACKNOWLEDGED: "签收",
        EventKind.CONTACT: f"记录“{line.message}”" + ("（本表已提交过）" if mine else ""),
        EventKind.CLOSED: "办结",
        EventKind.HANDED_OVER: f"转交给 {holder(warning)}",
        EventKind.PLACED: "人工定位",
        EventKind.MERGED: "合并新的预警",
    }.get(line.kind, line.get_kind_display())
    return f"该预警已由{who}于 {_when(line.at)} {what}"


def not_yours(actor: Any, warning: Warning) -> str:
    """Why a worker who sees the warning may not act on it: another unit works it (now)."""
    if not held_by(warning, actor.organisation_id):
        return f"该预警由 {holder(warning)} 承办，不由您的单位承办"
    latest = latest_change(warning)
    if latest is not None and latest.kind == EventKind.HANDED_OVER:
        return f"{change_text(latest, actor, warning)}，不再由您的单位承办"
    return f"该预警现由 {holder(warning)} 承办，不再由您的单位承办"


STALE = "该预警在您填写期间已有新的记录（或本表已提交过）"


def merges_since(actor: Any, warning: Warning, version: int | None) -> list[WarningEvent]:
    """The merges (a new report about the person joined) made since the form's ``version``, the
    latest first; :class:`Conflict` saying what when anything else changed the warning meanwhile (a
    state change someone made, or this very form sent before). A merge changes no one's work."""
    if version is None or version == warning.version:
        return []
    lines = changes_since(warning, version)
    if lines is not None and all(line.kind == EventKind.MERGED for line in lines):
        return lines
    changed = next((line for line in lines or [] if line.kind != EventKind.MERGED), None)
    raise Conflict(STALE if changed is None else change_text(changed, actor, warning))


def merged_text(lines: list[WarningEvent], warning: Warning) -> str:
    """What the merges made while a form was open changed, for the worker (“等级由“中”升为“高”…”)."""
    text = "您填写期间，同一人的新预警已合并到该预警：" + "；".join(line.message for line in reversed(lines))
    before, after = lines[-1].data.get("grade_before"), lines[0].data.get("grade_after")
    if before in Grade.values and after in Grade.values and before != after:
        text += f"。等级由“{Grade(before).label}”升为“{Grade(after).label}”"
        if warning.status == Status.ACKNOWLEDGED:  # not reached yet: the nearer deadline matters
            text += f"，联系时限提前到 {timezone.localtime(warning.due_contact_at):%m-%d %H:%M}"
    return text + "。请查看预警。"


def _check_transition(warning: Warning, to: str) -> None:
    if to not in TRANSITIONS[warning.status]:
        raise ValidationError(f"预警当前状态为“{warning.get_status_display()}”，不能变为“{Status(to).label}”")


def _locked(pk: int) -> Warning:
    return Warning.objects.select_for_update().select_related("area", "person").get(pk=pk)


def _who_acknowledged(pk: int, actor: Any) -> str:
    current = Warning.objects.select_related("acknowledged_by", "organisation", "assignee").get(pk=pk)
    if current.status == Status.CLOSED:  # a page left open on 签收 while the warning was closed
        return "该预警已办结，无需签收"
    if current.acknowledged_by is not None and current.acknowledged_at is not None:
        when = timezone.localtime(current.acknowledged_at)
        if current.acknowledged_by_id == getattr(actor, "pk", None):  # a double tap, or the back button
            return f"您已于 {when:%H:%M:%S} 签收该预警（本次未重复签收）"
        return f"该预警已由 {current.acknowledged_by} 于 {when:%H:%M:%S} 签收"
    if current.status != Status.ASSIGNED:
        return f"该预警当前状态为“{current.get_status_display()}”，无需签收"
    latest = latest_change(current)  # handed over to a colleague meanwhile, say
    if latest is not None:
        return f"{change_text(latest, actor, current)}，请查看后再签收"
    return "该预警刚被他人更新，请刷新后重试"


def _acknowledged(pk: int, actor: Any, version: int, now: dt.datetime) -> bool:
    changed = Warning.objects.filter(pk=pk, status=Status.ASSIGNED, version=version).update(
        status=Status.ACKNOWLEDGED,
        version=F("version") + 1,
        acknowledged_at=now,
        acknowledged_by=actor,
        assignee=actor,
    )
    return changed == 1


def _merged_only_since(pk: int, version: int, actor: Any) -> int | None:
    """The warning's version now when only merges came after ``version`` (still to acknowledge);
    PermissionDenied when a merge re-routed it to a unit the actor does not work for."""
    current = Warning.objects.select_related("area").get(pk=pk)
    lines = changes_since(current, version)
    if not lines or any(line.kind != EventKind.MERGED for line in lines):
        return None
    _require_work(actor, current)  # its routing line rides on the merge's version
    return current.version


def acknowledge(warning: Warning, actor: Any, version: int, now: dt.datetime) -> None:
    """The conditional UPDATE; raises :class:`Conflict` when another change came first. A new report
    merged since the page was opened is no such change: the UPDATE is made on the version after it
    (still conditional on 待签收, so of two acknowledgements one wins all the same)."""
    if not _acknowledged(warning.pk, actor, version, now):
        merged = _merged_only_since(warning.pk, version, actor)
        if merged is None or not _acknowledged(warning.pk, actor, merged, now):
            raise Conflict(_who_acknowledged(warning.pk, actor))
        version = merged
    event_add(
        warning,
        EventKind.ACKNOWLEDGED,
        f"{actor} 签收",
        actor=actor,
        at=now,
        from_status=Status.ASSIGNED,
        to_status=Status.ACKNOWLEDGED,
    )
    audit_record(actor=actor, action="warning.acknowledge", obj=warning, details={"version": version + 1})


@transaction.atomic
def warning_acknowledge(*, actor: Any, warning: Warning, version: int) -> Warning:
    """签收: exactly one of concurrent acknowledgements wins; the others get :class:`Conflict`."""
    access.require(actor, "warning.work")
    _require_work(actor, warning)
    acknowledge(warning, actor, version, timezone.now())
    warning.refresh_from_db()
    return warning


@dataclass
class ContactData:
    kind: str
    outcome: str
    contacted_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    notes: str = ""
    follow_up_on: dt.date | None = None
    photos: list[bytes] | None = None
    version: int | None = None  # the warning's version the form was filled for: a resend is refused


def photo_type(data: bytes) -> str:
    """The image type by its magic bytes; raises ValidationError for anything else or too big."""
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photos": f"照片不能超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB"})
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise ValidationError({"photos": HEIF_REFUSED})
    raise ValidationError({"photos": "只能上传 JPEG、PNG 或 WebP 照片"})


def arrival(data: ContactData) -> dt.datetime | None:
    """The arrival time a contact has: a visit's. A call has none, whatever was typed in the box
    (上门时填) before 电话劝阻 was chosen: ignored, neither checked nor kept (the worker is told)."""
    return data.arrived_at if data.kind == ContactKind.VISIT else None


def _check_dates(data: ContactData, warning: Warning, now: dt.datetime, errors: dict[str, str]) -> None:
    today = timezone.localdate(now)
    earliest = min(warning.warned_at, warning.received_at)
    arrived_at = arrival(data)
    if arrived_at is not None and arrived_at > now + dt.timedelta(minutes=5):
        errors["arrived_at"] = "到达时间不能晚于现在"
    elif arrived_at is not None and arrived_at < earliest - dt.timedelta(minutes=5):
        errors["arrived_at"] = "到达时间不能早于预警时间"
    if data.follow_up_on is not None and data.follow_up_on < today:
        errors["follow_up_on"] = "回访日期不能早于今天"
    elif data.follow_up_on is not None and data.follow_up_on > today + dt.timedelta(days=FOLLOW_UP_MAX_DAYS):
        errors["follow_up_on"] = "回访日期不能晚于一年以后"


def _check_contact(data: ContactData, warning: Warning, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    if data.kind not in ContactKind.values:
        errors["kind"] = "请选择电话劝阻或上门劝阻"
    if data.outcome not in Outcome.values:
        errors["outcome"] = "请选择处置结果"
    if data.kind == ContactKind.VISIT and arrival(data) is None:
        errors["arrived_at"] = "上门劝阻请填写到达时间"
    _check_dates(data, warning, now, errors)
    if data.outcome == Outcome.INVALID and data.follow_up_on is not None:
        # the warning was wrong (no fraud, not this person): a 回访 would be a task and a reminder for nothing
        errors["follow_up_on"] = "无效预警无需回访，请清除回访日期"
    if len(data.photos or []) > PHOTO_MAX_COUNT:
        errors["photos"] = f"最多上传 {PHOTO_MAX_COUNT} 张照片"
    if errors:
        raise ValidationError(errors)
    for index, photo in enumerate(data.photos or []):
        if why := _photo_problem(photo):
            raise PhotoRefused(why, index)


class PhotoRefused(ValidationError):
    """A photo refused (not an image, damaged, too many pixels); ``index``: which of those sent, from 0 —
    a page names it, the worker having chosen several."""

    def __init__(self, why: str, index: int) -> None:
        super().__init__({"photos": why})
        self.why, self.index = why, index


def _photo_problem(photo: bytes) -> str:
    """Why ``photo`` is refused ("" when it is kept): its type (:func:`photo_type`), then its decoding."""
    try:
        photo_type(photo)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return photos.problem(photo)


def contact_problems(data: ContactData, warning: Warning) -> dict[str, list[str]]:
    """What recording ``data`` would be refused for (the choices, the arrival time, the follow-up date;
    not the photos), by field: a form refused for one of its fields tells these in the same round."""
    try:
        _check_contact(replace(data, photos=None), warning, timezone.now())
    except ValidationError as exc:
        return exc.message_dict
    return {}


def contact_time(data: ContactData, now: dt.datetime) -> dt.datetime:
    """When the contact happened: a visit at the arrival (often saved later, back from the village; not
    after now), a call when it is saved."""
    if data.contacted_at is not None:
        return data.contacted_at
    arrived_at = arrival(data)
    return min(arrived_at, now) if arrived_at is not None else now


def _after_contact(warning: Warning, contact: Contact, now: dt.datetime) -> str:
    """The status the outcome leads to (not reached: stays, for another attempt); the warning was first
    reached at the earliest contact that reached the person — not before it was received (a visit the
    centre phoned in before entering the warning): no negative time to contact — and, for the clocks,
    not before the clock of the unit recording it started (``Warning.clock_start``): a visit that
    arrived before a handover (转交) or placement gave the unit the warning is that unit's contact, on
    its own clock; dated before it, it counted for no unit (the units before it had not reached the
    person, and a contact before a unit's clock is its predecessor's). The contact keeps its own time."""
    outcome = contact.outcome
    if outcome == Outcome.NOT_REACHED:
        return warning.status
    reached = max(contact.contacted_at, warning.received_at, warning.clock_start)
    warning.contacted_at = min(warning.contacted_at, reached) if warning.contacted_at else reached
    if outcome in FINAL_OUTCOMES:
        warning.outcome, warning.closed_at = outcome, now
        return Status.CLOSED
    warning.outcome = outcome
    return Status.CONTACTED


def _contact_create(warning: Warning, actor: Any, data: ContactData, now: dt.datetime) -> Contact:
    contact = Contact.objects.create(
        warning=warning,
        kind=data.kind,
        actor=actor,
        contacted_at=contact_time(data, now),
        arrived_at=arrival(data),
        outcome=data.outcome,
        notes=scrub_text(data.notes),  # ID, phone and card numbers masked, as in the history's notes
        follow_up_on=data.follow_up_on or _follow_up_kept(warning, data),
    )
    stored = [(kind, strip_metadata(photo, kind)) for kind, photo in _typed(data.photos or [])]
    ContactPhoto.objects.bulk_create(
        ContactPhoto(
            contact=contact,
            content_type=kind,
            size=len(photo),
            data=crypto.encrypt_bytes(photo, context=PHOTO_CONTEXT),
        )
        for kind, photo in stored
    )
    return contact


def _follow_up_kept(warning: Warning, data: ContactData) -> dt.date | None:
    """The 回访 date a contact without a new one leaves pending: none when it reached the person (the
    回访 is made); the one pending when it found nobody (未接触到人) — the 回访 is still to make. It
    ended the task, and a closed warning then took no more contacts: the 回访 could never be recorded."""
    return pending_follow_up(warning) if data.outcome == Outcome.NOT_REACHED else None


def _typed(photos: list[bytes]) -> list[tuple[str, bytes]]:
    return [(photo_type(photo), photo) for photo in photos]


@dataclass
class Recorded:
    contact: Contact
    merged: list[WarningEvent]  # new reports joined while the form was open (the worker is told)
    case_drafted: bool = False  # 已被骗 made the case draft now (not: an earlier 已被骗 made it)


@transaction.atomic
def warning_contact_record(*, actor: Any, warning: Warning, data: ContactData) -> Recorded:
    """A call or visit with its outcome; acknowledges first when still waiting for it. A new report
    merged into the warning while the form was open does not refuse it (what was typed in a village
    is kept); another change since the form's version does (:class:`Conflict`)."""
    access.require(actor, "warning.work")
    _require_work(actor, warning)
    now = timezone.now()
    _check_contact(data, warning, now)
    current = _locked(warning.pk)
    try:
        merged = merges_since(actor, current, data.version)
    except Conflict as exc:
        raise Conflict(f"{exc}，请查看预警后再记录") from exc
    _require_work(actor, current)  # a merge let through may have re-routed it to another unit
    if current.status == Status.ASSIGNED:
        acknowledge(current, actor, current.version, now)
        current = _locked(warning.pk)
    if not can_record_contact(current):
        raise Conflict(f"该预警当前状态为“{current.get_status_display()}”，不能再记录劝阻")
    follow_up = current.status == Status.CLOSED
    contact = _contact_create(current, actor, data, now)
    before = current.status
    after = _after_follow_up(current, contact) if follow_up else _after_contact(current, contact, now)
    current.status = after
    current.version += 1
    current.save()
    label = (
        f"{'回访（' + ContactKind(data.kind).label + '）' if follow_up else ContactKind(data.kind).label}："
    )
    label += Outcome(data.outcome).label
    event_add(
        current,
        EventKind.CONTACT,
        label,
        actor=actor,
        at=now,
        from_status=before,
        to_status=after,
        data={"contact": contact.pk},
    )
    audit_record(
        actor=actor,
        action="warning.contact",
        obj=current,
        details={"kind": data.kind, "outcome": data.outcome, "photos": len(data.photos or [])},
    )
    if follow_up:
        drafted = _open_case_draft(actor, current)  # defrauded after all: the case draft, as at closing
    elif after == Status.CLOSED:
        audit_record(actor=actor, action="warning.close", obj=current, details={"outcome": data.outcome})
        drafted = _open_case_draft(actor, current)
    else:
        drafted = False
    return Recorded(contact, merged, case_drafted=drafted)


def _after_follow_up(warning: Warning, contact: Contact) -> str:
    """A follow-up on a closed warning: it stays closed with its times; found defrauded after all, the
    outcome says so (and a case draft opens)."""
    if contact.outcome == Outcome.DEFRAUDED:
        warning.outcome = Outcome.DEFRAUDED
    return Status.CLOSED


def _open_case_draft(actor: Any, warning: Warning) -> bool:
    """已被骗: a case draft, once the cases capability exists. Whether this made it: a 回访 finding the
    person defrauded again finds the draft the first 已被骗 made (``warning`` is locked: no other record
    makes it meanwhile)."""
    if warning.outcome != Outcome.DEFRAUDED:
        return False
    try:
        from fanzha.cases.models import Case
        from fanzha.cases.services import case_draft_from_warning  # type: ignore[import-not-found]
    except ImportError:
        return False
    if Case.objects.filter(warning=warning).exists():
        return False
    case_draft_from_warning(actor=actor, warning=warning)
    return True


def photo_bytes(photo: ContactPhoto) -> bytes:
    return crypto.decrypt_bytes(bytes(photo.data), context=PHOTO_CONTEXT)


@transaction.atomic
def warning_photo_read(*, actor: Any, photo: ContactPhoto) -> bytes:
    """A field-work photo for someone who may see its warning. It shows a person or their home, so each
    view is a ``pii.read`` record naming the photo and its warning (ids only), in this transaction."""
    access.require(actor, "warning.view")
    warning_id = photo.contact.warning_id
    if not Warning.objects.visible_to(actor).filter(pk=warning_id).exists():
        raise PermissionDenied("该预警不在您的管辖范围内")
    audit_record(
        actor=actor, action="pii.read", obj=photo, fields=["photo"], details={"warning_id": warning_id}
    )
    return photo_bytes(photo)


@transaction.atomic
def warning_close(
    *, actor: Any, warning: Warning, outcome: str, reason: str, version: int | None = None
) -> Warning:
    """The centre closes a warning (e.g. an invalid one), or the unit closes one after contact;
    ``version``: the one the form was opened with (another change since refuses it, a merge does not)."""
    current = _locked(warning.pk)
    if not access.user_can(actor, "warning.dispatch"):
        access.require(actor, "warning.work")
        _require_work(actor, current)
    merges_since(actor, current, version)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "请选择处置结果"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写办结说明"})
    _check_transition(current, Status.CLOSED)
    before, now = current.status, timezone.now()
    current.status, current.outcome, current.closed_at = Status.CLOSED, outcome, now
    current.version += 1
    current.save()
    event_add(
        current,
        EventKind.CLOSED,
        f"办结（{Outcome(outcome).label}）：{scrub_text(reason.strip())[:500]}",
        actor=actor,
        at=now,
        from_status=before,
        to_status=Status.CLOSED,
    )
    audit_record(actor=actor, action="warning.close", obj=current, details={"outcome": outcome})
    _open_case_draft(actor, current)  # 已被骗 by 办结 as by a contact record
    return current


def _restart_clock(
    warning: Warning, organisation_id: int | None, now: dt.datetime, actor: Any = None
) -> dict[str, Any] | None:
    """A handover to another unit (or to or from the centre's queue) restarts the SLA clock for it,
    counted from ``now`` (:func:`sla.restart_for_handover`): the receiving unit answers for its own
    time, not for the first unit's — which is kept, with how that unit kept its deadline to acknowledge,
    on the handover's history line (returned) and counted against that unit in the on-time rate. Out of
    the centre's queue, the queue's clock is kept and counted against the centre (:func:`_queue_clock`).
    A handover to a colleague of the same unit keeps the unit's clock (None): passing a warning along
    inside the unit gives it no fresh time."""
    if organisation_id == warning.organisation_id:
        return None
    clock = (
        _queue_clock(warning, actor, now)
        if warning.organisation_id is None
        else sla.clock_record(warning, now)
    )
    sla.restart_for_handover(warning, now)
    return clock


def _queue_clock(warning: Warning, actor: Any, now: dt.datetime, path: str = "") -> dict[str, Any]:
    """The centre's queue's clock as ``actor`` takes ``warning`` out of it now
    (:func:`sla.queue_clock_record`), counted against the actor's centre, else the centre owning the
    queue (:func:`sla.queue_centre`; ``path``: the queue's area's, the warning's area changed already)."""
    return sla.queue_clock_record(warning, sla.queue_centre(actor, path or warning.area.path), now)


def _clock_text(warning: Warning, since: str = "转交") -> str:
    """The receiving unit's deadlines, on the handover's (or placement's routing) history line."""
    text = f"；时限自{since}起重新计算：签收时限 {timezone.localtime(warning.due_ack_at):%m-%d %H:%M}"
    if warning.contacted_at is None:
        text += f"，联系时限 {timezone.localtime(warning.due_contact_at):%m-%d %H:%M}"
    return text


# The unit has acknowledged the warning (and may have reached the person): a colleague taking it over
# takes over that acknowledgement.
ACKNOWLEDGED_BY_UNIT = (Status.ACKNOWLEDGED, Status.CONTACTED)


def _handover_status(warning: Warning, organisation_id: int | None, to_user: User | None) -> str:
    """The status a handover leads to: back to the centre's queue, 待签收; to a colleague of the same
    unit after the unit acknowledged (a shift change), the status it has (已签收 / 已联系) — the unit
    acknowledged on its own clock, which it keeps, and the colleague carries on from there (not
    签收 again, or the SLA job would escalate 签收超时 on the unit's passed deadline and the on-time
    rate turn its acknowledgement into a late one); else 待签收, to be acknowledged by the new holder."""
    if to_user is None:
        return Status.NEW
    same_unit = organisation_id is not None and organisation_id == warning.organisation_id
    if same_unit and warning.status in ACKNOWLEDGED_BY_UNIT:
        return warning.status
    return Status.ASSIGNED


def _hand_to(
    warning: Warning, organisation: Organisation | None, assignee: User | None, now: dt.datetime, actor: Any
) -> tuple[str, dict[str, Any] | None]:
    """Give the (locked) warning to ``assignee`` of ``organisation`` — (None, None): the centre's queue —
    as ``actor``'s handover does (:func:`_give`). Saved."""
    target, clock = _give(warning, organisation, assignee, now, actor)
    warning.save()
    return target, clock


def _give(
    warning: Warning,
    organisation: Organisation | None,
    assignee: User | None,
    now: dt.datetime,
    actor: Any = None,
) -> tuple[str, dict[str, Any] | None]:
    """:func:`_hand_to` in memory only: the status :func:`_handover_status` says, the clock restarted
    when it leaves the unit (:func:`_restart_clock`, whose record is returned with the status)."""
    target = _handover_status(warning, getattr(organisation, "pk", None), assignee)
    if target not in ACKNOWLEDGED_BY_UNIT:  # kept 已签收 / 已联系: no transition is made
        _check_transition(warning, target)
    clock = _restart_clock(warning, getattr(organisation, "pk", None), now, actor)
    warning.organisation, warning.assignee = organisation, assignee
    warning.status, warning.assigned_at = target, now if assignee is not None else None
    if target not in ACKNOWLEDGED_BY_UNIT:
        warning.acknowledged_at = warning.acknowledged_by = None
    warning.version += 1
    return target, clock


@transaction.atomic
def warning_handover(
    *, actor: Any, warning: Warning, reason: str, to_user: User | None, version: int | None = None
) -> Warning:
    """转交: to another eligible user of the area, or back to the centre's queue; the reason is kept.
    ``version``: the one the form was opened with (another change since refuses it, a merge does not).

    The receiving user acknowledges (签收) again, unless a colleague of the same unit takes over a
    warning the unit has acknowledged: it stays 已签收 / 已联系 with the unit's acknowledgement
    (:func:`_handover_status`). Handed to another unit (or to or from the centre's queue), the warning's
    SLA clock restarts at the handover (:func:`_restart_clock`): the grade's window to acknowledge and,
    the person not reached yet, to make contact, counted from now; its history line names the new
    deadlines and keeps the first unit's."""
    current = _locked(warning.pk)
    if not access.user_can(actor, "warning.dispatch"):
        access.require(actor, "warning.work")
        _require_work(actor, current)
    merges_since(actor, current, version)
    if not reason.strip():
        raise ValidationError({"reason": "请填写转交原因"})
    allowed = {u.pk: (org, u) for org, u in routing.candidates(current.area)}
    if to_user is not None and (to_user.pk not in allowed or to_user.pk == current.assignee_id):
        raise ValidationError({"to_user": "只能转交给该区划的派出所民警或网格员"})
    organisation, assignee = allowed[to_user.pk] if to_user is not None else (None, None)
    before, now = current.status, timezone.now()
    target, clock = _hand_to(current, organisation, assignee, now, actor)
    whom = holder(current)
    data: dict[str, Any] = {"organisation": current.organisation_id, "assignee": current.assignee_id}
    event_add(
        current,
        EventKind.HANDED_OVER,
        f"转交给 {whom}；原因：{scrub_text(reason.strip())[:500]}" + (_clock_text(current) if clock else ""),
        actor=actor,
        at=now,
        from_status=before,
        to_status=target,
        data={**data, "clock": clock} if clock else data,
    )
    audit_record(
        actor=actor,
        action="warning.handover",
        obj=current,
        details={"to_user": to_user.pk if to_user else None, "from_status": before},
    )
    if current.assignee is not None:
        notify_assigned(current)
    return current


@transaction.atomic
def warning_place(*, actor: Any, warning: Warning, area: Area) -> Warning:
    """The centre places a warning the matcher could not; remembered for that address, then routed.
    Routed from the centre's queue to a unit, its SLA clock restarts at the placement (as a handover
    from the queue restarts it): the unit answers for its own time, not for the wait in the queue. The
    wait is the centre's: the queue's clock is kept on the routing line (``data.clock``,
    :func:`sla.queue_clock_record`: placed by its deadline to acknowledge or after it) and counted
    against the centre in the on-time rate (:func:`selectors.handed_on`) — the placing user's unit, or
    the centre owning the queue when that user is of no centre (:func:`sla.queue_centre`)."""
    access.require(actor, "warning.dispatch")
    if not access.area_visible_to(actor, area) or area.level not in (AreaLevel.VILLAGE, AreaLevel.GRID):
        raise ValidationError({"area": "请选择辖区内的村（社区）或网格"})
    area_services.require_in_force("area", [area], "请定位到现行的村（社区）或网格")
    current = _locked(warning.pk)
    if not current.is_open:
        raise ValidationError("已办结的预警不能再定位")
    now, notices = timezone.now(), AssignmentNotices()
    queue_path = current.area.path  # where it waited: whose queue it leaves
    current.area, current.needs_placement = area, False
    if current.person.area.level not in (AreaLevel.VILLAGE, AreaLevel.GRID):
        current.person.area = area  # first met through this warning: it lives where the centre placed it
        current.person.save(update_fields=["area", "updated_at"])
    current.quality_flags = [f for f in current.quality_flags if f != "address_unplaced"]
    # Under the address's key now, not the one the warning was received with (a key before hyphens
    # were kept would stand for 幸福路32号 as well as 幸福路3-2号).
    key = routing.address_hash(current.address) or current.address_hash
    if key:
        AddressPlacement.objects.update_or_create(
            address_hash=key, defaults={"area": area, "placed_by": actor}
        )
    event_add(
        current, EventKind.PLACED, f"中心定位到 {area.name}", actor=actor, at=now, data={"area": area.code}
    )
    assigned = False
    if current.status == Status.NEW:
        _assign(Intake(actor), current, True, now)
        if current.assignee is not None:
            assigned = True
            # Out of the centre's queue to a unit: the unit answers for its own time, as after a
            # handover from the queue (not for the hours the warning waited to be placed); the queue's
            # clock is kept on the routing line and counted against the centre.
            clock = _queue_clock(current, actor, now, queue_path)
            sla.restart_for_handover(current, now)
            message = routed_message(current, "派发") + _clock_text(current, "派发")
            routed = routed_event(current, "派发", now, actor=actor, message=message, notices=notices)
            routed.data["clock"] = clock
            routed.save()
    current.version += 1
    current.save()
    notices.flush()  # the assignee's notice in the placement's transaction
    # Audited once the user is chosen, never before: the audit chain's lock is held until the commit, and
    # the choice waits for the user's row while a transfer of that user holds it (the transfer then
    # waits for the audit lock — a deadlock on PostgreSQL). Same transaction: both or neither.
    audit_record(actor=actor, action="warning.place", obj=current, details={"area": area.code})
    if assigned:
        audit_record(
            actor=actor,
            action="warning.assign",
            obj=current,
            details={"organisation": current.organisation_id, "assignee": current.assignee_id},
        )
    return current


NOTE_REPEAT_WINDOW = dt.timedelta(minutes=2)


@transaction.atomic
def warning_note_add(*, actor: Any, warning: Warning, text: str) -> bool:
    """A note in the warning's history (ID, phone and card numbers in the text are masked). False when
    the same note by the same user was just added (a second tap on 添加, a form sent again): not twice."""
    access.require(actor, "warning.view")
    if not access.area_visible_to(actor, warning.area):
        raise PermissionDenied("该预警不在您的管辖范围内")
    if not (access.user_can(actor, "warning.dispatch") or _can_work(actor, warning)):
        raise PermissionDenied("该预警不由您的单位承办")
    text = scrub_text(text.strip())[:1000]
    if not text:
        raise ValidationError({"text": "请填写备注内容"})
    _locked(warning.pk)  # two taps at once: the second reads the first's note
    now = timezone.now()
    if _note_just_added(warning, actor, text, now):
        return False
    event_add(warning, EventKind.NOTE, text, actor=actor, at=now)
    audit_record(actor=actor, action="warning.note", obj=warning)
    return True


def _note_just_added(warning: Warning, actor: Any, text: str, now: dt.datetime) -> bool:
    """Whether ``actor``'s latest note on the warning, within :data:`NOTE_REPEAT_WINDOW`, is ``text``."""
    latest = (
        WarningEvent.objects.filter(warning=warning, kind=EventKind.NOTE, actor=actor)
        .filter(at__gte=now - NOTE_REPEAT_WINDOW)
        .order_by("-at", "-pk")
        .values_list("message", flat=True)
        .first()
    )
    return latest == text


# ── 人走事不断: the open warnings of a deactivated account or unit ──────────────────────────────────


@dataclass
class Redispatched:
    """Where the open warnings of a deactivated account or unit went: unit (or the centre's queue) →
    how many. Unit names and counts only: what the administrator is told."""

    to: Counter[str] = field(default_factory=Counter)
    # How: ``colleague`` (kept in the unit), ``rerouted`` (where the routing sends it), ``queue``.
    ways: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.to.values())

    def __iadd__(self, other: Redispatched) -> Redispatched:
        self.to += other.to
        self.ways += other.ways
        return self

    def text(self, whose: str) -> str:
        """“该用户承办的 2 条未办结预警已改派：城东社区居委会 1 条、城关派出所 1 条。” ("" when none)."""
        if not self.total:
            return ""
        where = "、".join(f"{unit} {n} 条" for unit, n in self.to.most_common())
        return f"{whose}承办的 {self.total} 条未办结预警已改派：{where}。"


def _held(user: User | None, organisation: Organisation | None) -> QuerySet[Warning]:
    held = Warning.objects.filter(status__in=OPEN_STATUSES)
    return held.filter(assignee=user) if user is not None else held.filter(organisation=organisation)


def warnings_lock_held(*, user: User | None = None, organisation: Organisation | None = None) -> None:
    """Lock the open warnings ``user`` (or ``organisation``) holds, in one query, by id; in a transaction.

    A deactivation calls it before it locks the account's (or the unit's users') rows: a handover locks
    the warning first, then the users it may give it to (``FOR KEY SHARE``), and taking the two in the
    other order would deadlock with it on PostgreSQL."""
    list(_held(user, organisation).select_for_update(of=("self",)).order_by("pk").values_list("pk"))


def _successor(
    assigner: routing.Assigner, warning: Warning, gone: User | None
) -> tuple[Organisation | None, User | None]:
    """Who takes over a warning from a deactivated holder: a colleague of its unit with the unit's
    warning role (an account deactivated, its unit still active; the routing's least-loaded or
    round-robin choice), else whoever the routing gives a new warning of its area and grade, else
    (None, None): the centre's queue."""
    unit = warning.organisation
    if gone is not None and unit is not None and unit.is_active and unit.kind in routing.ROLE_OF_KIND:
        colleague = assigner.pick([u for u in assigner.users_of(unit) if u.pk != gone.pk])
        if colleague is not None:
            return unit, colleague
    return assigner.assign(warning.area, warning.grade)


def _fields_set(warning: Warning, before: dict[str, Any]) -> set[str]:
    """The columns of ``warning`` whose values differ from ``before`` (its ``__dict__`` copied earlier)."""
    return {
        f.attname for f in Warning._meta.concrete_fields if warning.__dict__[f.attname] != before[f.attname]
    }


def _way(assignee: User | None, clock: Any) -> str:
    """How a warning went on: to the centre's queue (nobody), to a colleague (the unit's clock kept), or
    re-routed to another unit (its clock restarted)."""
    if assignee is None:
        return "queue"
    return "colleague" if clock is None else "rerouted"


def _moved_event(
    warning: Warning,
    reason: str,
    before: str,
    target: str,
    clock: Any,
    actor: Any,
    now: Any,
    was: dict[str, Any],
) -> WarningEvent:
    """The history line of a warning handed on: “原承办人账户停用，改派给 城东社区居委会 张三” (unsaved).
    Its data names the new holder and the former one (ids: ``was`` is the warning's fields before)."""
    whom = f"改派给 {holder(warning)}" if warning.assignee_id is not None else f"转入{QUEUE}"
    data: dict[str, Any] = {
        "organisation": warning.organisation_id,
        "assignee": warning.assignee_id,
        "from_organisation": was.get("organisation_id"),
        "from_assignee": was.get("assignee_id"),
    }
    return WarningEvent(
        warning=warning,
        kind=EventKind.HANDED_OVER,
        message=f"{reason}，{whom}" + (_clock_text(warning, "改派") if clock else ""),
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=before,
        to_status=target,
        data={**data, "clock": clock} if clock else data,
    )


@transaction.atomic
def warnings_redispatch_held(
    *, actor: Any, user: User | None = None, organisation: Organisation | None = None, reason: str
) -> Redispatched:
    """人走事不断: every open warning the deactivated ``user`` (or ``organisation``) holds goes on at
    once, in the deactivation's transaction (called after it saved the account or unit inactive).

    To a colleague of the same unit — a shift change (:func:`_hand_to`): status, the unit's
    acknowledgement and its clock kept; else where the routing sends a new warning of its area (the
    unit has nobody left, or is the one deactivated), its clock restarted there as after a handover to
    another unit; else to the centre's queue. Never refused: nobody to take it is the queue. Each gets
    a history line (``reason``: “原承办人账户停用”, then to whom) and the new assignee the usual notice
    once it commits (one a user); the whole re-dispatch one audit record (``warning.assign`` on the
    account or unit: the ids moved as ``[first, last]`` ranges, how many went to each unit and user).

    Queries (nearly) independent of how many warnings: the moved columns written by one
    ``executemany`` (:func:`fastwrite.update`), the history lines by ``bulk_create`` (a hundred-odd rows
    an INSERT on SQLite), one audit record: a station deactivated with thousands of open warnings is
    a few dozen queries, not five a warning.

    Locks: the warnings (afresh: an intake may have given the user one while the deactivation waited for
    the user's row), then the users chosen (:meth:`routing.Assigner.users_of`), then writes; the audit
    record last, as its lock is held until the commit (:func:`warning_place`)."""
    gone: Any = user if user is not None else organisation
    if gone is None or (user is not None and organisation is not None) or gone.is_active:
        raise ValueError("one user or organisation, deactivated first")
    held = _held(user, organisation).select_for_update(of=("self",)).select_related("area", "organisation")
    assigner, now = routing.Assigner(), timezone.now()
    moves = [(warning, *_successor(assigner, warning, user)) for warning in held.order_by("pk")]
    done, notices = Redispatched(), AssignmentNotices()
    events: list[WarningEvent] = []
    written: set[str] = set()
    to: Counter[tuple[int | None, int | None]] = Counter()
    for warning, unit, assignee in moves:
        before, was = warning.status, dict(warning.__dict__)
        target, clock = _give(warning, unit, assignee, now)
        written |= _fields_set(warning, was)
        events.append(_moved_event(warning, reason, before, target, clock, actor, now, was))
        done.to[str(unit) if unit is not None else QUEUE] += 1
        done.ways[_way(assignee, clock)] += 1
        to[(warning.organisation_id, warning.assignee_id)] += 1
        if assignee is not None:
            notices.add(warning)
    if not moves:
        return done
    fastwrite.update([warning for warning, _, _ in moves], sorted(written))
    WarningEvent.objects.bulk_create(events)
    notices.flush()  # in the deactivation's transaction: the moves and their notices commit together
    details = {
        "redispatch": "user_deactivated" if user is not None else "organisation_deactivated",
        "warnings": bulk.id_ranges(warning.pk for warning, _, _ in moves),
        "count": len(moves),
        "to": [{"organisation": org, "assignee": who, "count": n} for (org, who), n in to.items()],
    }
    audit_record(actor=actor, action="warning.assign", obj=gone, details=details)
    return done


# ── Stranded: open warnings with an account or unit deactivated before 停用后改派, or behind its back ──


def stranded() -> QuerySet[Warning]:
    """Open warnings held by an inactive account or an inactive unit (:data:`selectors.STRANDED`)."""
    return Warning.objects.filter(status__in=OPEN_STATUSES).filter(STRANDED)


def _stranded_holder(actor: Any, holder: User | Organisation) -> Redispatched:
    """One inactive unit's or account's open warnings handed on, in a transaction of its own: the
    warnings locked, then the holder's row (re-read: reactivated meanwhile, it keeps them), as a
    deactivation does."""
    kind, reason = (
        ("organisation", "原承办单位停用")
        if isinstance(holder, Organisation)
        else ("user", "原承办人账户停用")
    )
    with transaction.atomic():
        warnings_lock_held(**{kind: holder})
        locked = type(holder).objects.select_for_update(of=("self",)).get(pk=holder.pk)
        if locked.is_active:
            return Redispatched()
        return warnings_redispatch_held(actor=actor, reason=reason, **{kind: locked})


def warnings_redispatch_stranded(*, actor: Any) -> list[tuple[User | Organisation, Redispatched]]:
    """Hand on the :func:`stranded` warnings through :func:`warnings_redispatch_held` — the same rules,
    history lines, audit record and notices as a deactivation — one holder a transaction: each inactive
    unit's first (a warning whose account and unit are both inactive goes where the routing sends it, not
    to a colleague of a unit that is gone), then each inactive account's. Returns, per holder, where its
    warnings went; a second run finds nothing."""
    done: list[tuple[User | Organisation, Redispatched]] = []
    units = stranded().filter(organisation__is_active=False).values("organisation_id")
    for unit in Organisation.objects.filter(pk__in=units).order_by("pk"):
        done.append((unit, _stranded_holder(actor, unit)))
    users = stranded().filter(assignee__is_active=False).values("assignee_id")  # after the units'
    for user in User.objects.filter(pk__in=users).order_by("pk"):
        done.append((user, _stranded_holder(actor, user)))
    return [(gone, moved) for gone, moved in done if moved.total]
