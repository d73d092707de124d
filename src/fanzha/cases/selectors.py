"""Reads for the case pages: the filtered list, a case's measures with their clocks, bank queues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from fanzha.cases import clocks
from fanzha.cases.common import mask_account, money
from fanzha.cases.measures import may_follow_money, onward_available_fen
from fanzha.cases.models import Case, Measure, MeasureKind, MeasureStatus, Status
from fanzha.core import access

FILTERS = ("status", "fraud_type", "area", "q")


def visible_cases(user: Any) -> QuerySet[Case]:
    return Case.objects.visible_to(user).select_related("area", "organisation", "officer")


def filtered(user: Any, params: Any) -> tuple[QuerySet[Case], dict[str, str]]:
    qs = visible_cases(user)
    applied: dict[str, str] = {}
    status = params.get("status", "")
    if status in Status.values:
        qs, applied["status"] = qs.filter(status=status), status
    elif status == "open":
        qs, applied["status"] = qs.exclude(status__in=[Status.CLOSED, Status.NOT_FILED]), status
    if params.get("fraud_type"):
        applied["fraud_type"] = params["fraud_type"][:40]
        qs = qs.filter(fraud_type=applied["fraud_type"])
    area = str(params.get("area", ""))
    if area.isdigit():  # an area outside the jurisdiction, or not an id ("²"), lists nothing
        applied["area"] = area
        found = access.visible_area(user, area)
        qs = qs.filter(area__path__startswith=found.path) if found is not None else qs.none()
    if params.get("q"):
        applied["q"] = params["q"].strip()[:32]
        qs = qs.filter(number__icontains=applied["q"])
    return qs, applied


def page_of(qs: QuerySet[Any], number: Any, size: int = 50) -> Page:
    return Paginator(qs, size).get_page(number)


def case_page(qs: QuerySet[Case], number: Any, size: int = 50) -> Page:
    """A page of the case list, each case's loss written as the case page writes it (``loss_text``)."""
    page = page_of(qs, number, size)
    for case in page:
        case.loss_text = money(case.loss_fen)
    return page


@dataclass
class MeasureRow:
    measure: Measure
    masked_account: str
    countdown: clocks.Countdown | None  # the legal period of a measure in force
    repeats_left: int | None
    can_follow_up: bool
    answer_clock: clocks.Countdown | None = None  # the bank's time to answer a waiting request

    @property
    def deadline(self) -> dt.datetime | None:
        clock = self.countdown or self.answer_clock
        return clock.deadline if clock else None

    @property
    def can_follow_money(self) -> bool:
        """The bank named accounts the money moved on to, and something is left to ask of them."""
        return may_follow_money(self.measure) and onward_available_fen(self.measure) > 0

    @property
    def onward_available(self) -> str:
        return money(onward_available_fen(self.measure))

    @property
    def answered_late(self) -> str:
        """ "" when the bank answered in time (or not yet), else how late, as the page says it."""
        m = self.measure
        if m.answered_at is None:
            return ""
        clock = clocks.answer_countdown(m.kind, m.sent_at, m.answered_at)
        return f"超时反馈（{clock.text.removeprefix('已超时 ')}）" if clock.expired else ""

    @property
    def requested(self) -> str:
        return money(self.measure.requested_fen)

    @property
    def effective(self) -> str:
        return money(self.measure.effective_fen) if self.measure.answered_at else "—"


def measure_rows(measures: Any, now: dt.datetime | None = None) -> list[MeasureRow]:
    now = now or timezone.now()
    rows = []
    for m in measures:
        countdown = (
            clocks.countdown(m.kind, m.expires_at, now)
            if m.expires_at and m.status == MeasureStatus.IN_FORCE
            else None
        )
        waiting = m.status == MeasureStatus.SENT
        left = clocks.stop_repeats_left(m.sequence) if m.kind == MeasureKind.STOP else None
        rows.append(
            MeasureRow(
                measure=m,
                masked_account=mask_account(m.account),
                countdown=countdown,
                repeats_left=left,
                can_follow_up=m.status in (MeasureStatus.IN_FORCE, MeasureStatus.EXPIRED),
                answer_clock=clocks.answer_countdown(m.kind, m.sent_at, now) if waiting else None,
            )
        )
    return rows


def with_answer_due(qs: QuerySet[Measure]) -> QuerySet[Measure]:
    """``answer_due``: when the bank's answer is due (the send time plus its kind's answer window)."""
    due = [
        models.When(
            kind=kind,
            then=models.ExpressionWrapper(
                models.F("sent_at") + models.Value(clocks.answer_within(kind)),
                output_field=models.DateTimeField(),
            ),
        )
        for kind in MeasureKind.values
    ]
    return qs.annotate(answer_due=models.Case(*due, output_field=models.DateTimeField()))


def bank_queue(user: Any, state: str) -> QuerySet[Measure]:
    """The bank's requests: waiting ones with the least time left to answer first (overdue on top)."""
    qs = Measure.objects.visible_to(user).select_related("case", "bank_org")
    qs = qs.filter(bank_org_id=getattr(user, "organisation_id", None))
    if state == "done":
        return qs.exclude(status=MeasureStatus.SENT).order_by("-answered_at", "-id")
    return with_answer_due(qs.filter(status=MeasureStatus.SENT)).order_by("answer_due", "id")


def clocks_board(user: Any, now: dt.datetime | None = None) -> list[MeasureRow]:
    """Requests waiting for the bank's answer and measures in force in the user's cases, the nearest
    deadline (answer due or measure running out) first."""
    qs = Measure.objects.visible_to(user).select_related("case", "bank_org")
    waiting = with_answer_due(qs.filter(status=MeasureStatus.SENT)).order_by("answer_due", "id")[:200]
    running = qs.filter(status=MeasureStatus.IN_FORCE).order_by("expires_at")[:200]
    rows = measure_rows([*waiting, *running], now)
    return sorted(rows, key=lambda r: (r.deadline is None, r.deadline or r.measure.sent_at))[:200]
