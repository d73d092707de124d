"""Twelve months of demo warnings (预警) with their outcomes, for the demo county.

Every warning goes through the real intake decisions: ``clean_warning`` (the pushed texts), the
centre's grading rules, the area tree's locating and the assigner's routing
(:func:`fanzha.warnings.services.build_new`). What then happened to it — acknowledgement, calls and
visits, reminders, escalations, the outcome — is played out in memory against the SLA clocks, and the
whole year is written with the bulk intake's raw INSERTs (:mod:`fanzha.warnings.fastwrite`).

Deterministic for a seed and an anchor time: the same ``now`` gives the same warnings. Warnings of
the last two days are left open in every state, so the live board and "我的任务" have work. A share of
the 劝阻成功 contacts set a follow-up (回访) date: most past ones were made, some are due on the demo's
day or soon, a few are late; this morning's follow-up reminder has gone out. The superior centre's rows
carry its own level (预警级别), and its morning lists of the rows still unanswered are imported as files
(:mod:`fanzha.demo.superior`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from fanzha.core.models import Area, Organisation, Person, User
from fanzha.core.pii.idcard import check_id_number
from fanzha.core.services import organisations as org_services
from fanzha.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD
from fanzha.demo.data import names
from fanzha.demo.organisations import GRID_VILLAGES, grid_village
from fanzha.demo.people import _Generator, id_number
from fanzha.demo.performance import Performance, Profile, plan_performance
from fanzha.demo.specs import AreaSpec, DemoPlan
from fanzha.demo.superior import Superior
from fanzha.jobs.schedules import DEFAULT_SCHEDULES, SHANGHAI
from fanzha.warnings import fastwrite, sla
from fanzha.warnings.escalation import escalated_text
from fanzha.warnings.follow_ups import follow_up_remind
from fanzha.warnings.intake import WarningInput, clean_warning
from fanzha.warnings.models import (
    Contact,
    ContactKind,
    EventKind,
    Outcome,
    Status,
    Warning,
    WarningEvent,
    WarningSourceRef,
)
from fanzha.warnings.notify import AssignmentNotices, supervisors
from fanzha.warnings.people import new_person
from fanzha.warnings.services import Intake, build_new, locate, row_values

TARGET_WARNINGS = 4500
DAYS = 365
OPEN_HOURS = 48  # warnings received this recently may still be open
OPEN_PER_STATE = 6
# Of the recent warnings left open, so many per state are past their deadline (the board's 超时督办); the
# others chosen past it were done in time like the rest (a centre does not leave every open warning late).
OVERDUE_OPEN = 2
UNPLACED_OPEN = 4  # recent warnings whose address the centre still has to place
FIELD_OPEN = 2  # recent warnings for each demo grid worker and police login ("我的任务")
# How long ago they came (minutes): within the deadlines of every grade but 紧急, to acknowledge (30
# minutes for 高) and to contact (4 hours for 高) — the late ones are the board's, not every login's.
FIELD_OPEN_MINUTES = {Status.ASSIGNED: (3, 25), Status.ACKNOWLEDGED: (40, 200)}
KNOWN_SHARE = 0.25  # warnings about a key resident the county already registered

# 暑假（学生）与年底多发; the peaks of particular days are in PEAKS and SPRING_FESTIVAL.
MONTH_WEIGHT = {
    1: 1.1,
    2: 1.0,
    3: 0.9,
    4: 0.85,
    5: 0.9,
    6: 0.95,
    7: 1.1,
    8: 1.1,
    9: 0.9,
    10: 0.95,
    11: 1.0,
    12: 1.2,
}
# (first day, last day, factor) each year: the run-up to 双十一 (fake refunds, 刷单) and to 618.
PEAKS = (((10, 25), (11, 12), 1.7), ((6, 1), (6, 18), 1.3))
# 春节 moves: the three weeks before it (year-end loans, fake customer service) are busy, the holiday
# week itself is quiet.
SPRING_FESTIVAL = {
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
BEFORE_FESTIVAL = (21, 1.6)  # days before, factor
FESTIVAL_WEEK = 0.6
WEEKDAY_WEIGHT = (1.15, 1.1, 1.05, 1.05, 1.1, 0.8, 0.75)
HOUR_WEIGHT = (1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 10, 8, 9, 10, 10, 9, 8, 8, 8, 7, 5, 3, 2)
# Township position (3 streets, 6 towns, 3 乡) → how much more than its population says.
TOWNSHIP_FACTOR = (1.6, 1.3, 1.2, 1.1, 1.0, 1.4, 0.9, 1.0, 0.8, 0.7, 0.6, 0.9)

SOURCES = {"superior": 28, "operator": 24, "bank": 14, "screening": 22, "tip": 12}
SOURCE_NAME = {
    "superior": "上级推送",
    "operator": "运营商",
    "bank": "银行",
    "screening": "筛查引擎",
    "tip": "群众举报",
}
SOURCE_PREFIX = {"superior": "SJTS", "operator": "YYS", "bank": "YHYJ", "screening": "SCYQ", "tip": "QZJB"}

# code → (weight, birth years of the usual target)
FRAUD_TYPES: dict[str, tuple[int, tuple[int, int]]] = {
    "fake_order_rebate": (22, (1985, 2006)),
    "fake_investment": (16, (1965, 1995)),
    "fake_customer_service": (13, (1970, 2004)),
    "impersonate_authority": (11, (1958, 2000)),
    "fake_loan": (11, (1975, 2002)),
    "impersonate_acquaintance": (5, (1965, 1995)),
    "fake_credit_repair": (4, (1993, 2004)),
    "fake_shopping_service": (4, (1975, 2006)),
    "elderly_care": (4, (1938, 1962)),
    "romance": (3, (1970, 1998)),
    "game_trade": (3, (2006, 2012)),
    "bank_points_phishing": (2, (1955, 1990)),
    "other_fraud": (2, (1950, 2005)),
}
ELDERLY_GROUPS = {"elderly", "elderly_alone"}

# Closed outcomes (劝阻成功 most, a few 已被骗), the time taken and the deadlines missed: by the unit
# and village (:mod:`fanzha.demo.performance`).
CLOSE_REASONS = {
    Outcome.NOT_REACHED: "多次电话、上门均未接触到本人，已交网格持续关注",
    Outcome.REFUSED: "当事人拒绝配合劝阻，已告知风险并留存记录",
}
CONTACT_NOTES = {
    Outcome.DISSUADED: "已讲清诈骗手法，当事人表示不再转账并删除对方联系方式",
    Outcome.NOT_REACHED: "电话无人接听",
    Outcome.INVALID: "核实为正常业务往来，非诈骗",
    Outcome.REFUSED: "当事人不认可劝阻，拒绝提供情况",
    Outcome.DEFRAUDED: "当事人已转账，已指导报警并固定证据",
}

# 回访: a share of the 劝阻成功 contacts set a follow-up this many days ahead (a week most often). A
# follow-up whose day has passed was made that day, except a share of the last days' (late, still to
# make); older ones were all made.
FOLLOW_UP_SHARE = 0.3
FOLLOW_UP_DAYS = (3, 7, 7, 7, 14, 30)
FOLLOW_UP_LATE_DAYS = 10
FOLLOW_UP_LATE_SHARE = 0.25
FOLLOW_UP_VISIT_SHARE = 0.3
FOLLOW_UP_NOTES = "回访：当事人未再与对方联系，已安装国家反诈中心APP"
# The demo logins' own follow-ups (“我的任务”): one due on the demo's day in each login's village, and
# one set for a week after a dissuasion ten days ago (late by three) in every other one.
LOGIN_FOLLOW_UPS = ((7, 0), (10, -3))  # (days since the warning, the follow-up day relative to today)
REMINDER = "预警回访提醒"


class _Quiet(AssignmentNotices):
    """The demo's history is not announced: nobody gets a year of "新预警" messages."""

    def add(self, warning: Warning) -> None:
        return None


@dataclass
class _Rows:
    """Everything the year writes, in insert order."""

    people: list[Person] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    events: list[WarningEvent] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    refs: list[WarningSourceRef] = field(default_factory=list)
    links: list[tuple[WarningEvent, Contact]] = field(default_factory=list)  # contact line → its record
    # whom a breach reached (``Supervisors.groups``), by unit, area and holder: asked once for each
    told: dict[tuple[Any, ...], list[str]] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)  # recent warnings left open past a deadline


@dataclass
class _Draw:
    """One planned warning, before intake."""

    at: dt.datetime
    source: str
    fraud_type: str
    township: int
    village: str = ""  # a village code: the address is there


@dataclass
class _FollowUps:
    """The year's follow-ups, drawn from a random stream of their own (the rest of the demo is the same
    as it would be without them)."""

    rng: random.Random
    now: dt.datetime

    def day(self, dissuaded_at: dt.datetime) -> dt.date | None:
        """The follow-up day a 劝阻成功 contact set, or None (most set none)."""
        if self.rng.random() >= FOLLOW_UP_SHARE:
            return None
        return timezone.localdate(dissuaded_at) + dt.timedelta(days=self.rng.choice(FOLLOW_UP_DAYS))

    def made_at(self, day: dt.date) -> dt.datetime | None:
        """When the follow-up due ``day`` was made: that day, in working hours; None while its day has
        not come, or for the few of the last days still to make."""
        today = timezone.localdate(self.now)
        if day >= today:
            return None
        if (today - day).days <= FOLLOW_UP_LATE_DAYS and self.rng.random() < FOLLOW_UP_LATE_SHARE:
            return None
        hour, minute = self.rng.randint(9, 17), self.rng.randint(0, 59)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def kind(self) -> str:
        return ContactKind.VISIT if self.rng.random() < FOLLOW_UP_VISIT_SHARE else ContactKind.CALL


# ── when, where, what ─────────────────────────────────────────────────────────


def day_weight(day: dt.date) -> float:
    """How many warnings ``day`` sees against an ordinary day: month, weekday, 双十一, 618 and 春节."""
    weight = MONTH_WEIGHT[day.month] * WEEKDAY_WEIGHT[day.weekday()]
    for first, last, factor in PEAKS:
        if dt.date(day.year, *first) <= day <= dt.date(day.year, *last):
            weight *= factor
    for festival in (SPRING_FESTIVAL.get(day.year), SPRING_FESTIVAL.get(day.year + 1)):
        if festival is None:
            continue
        if 0 < (festival - day).days <= BEFORE_FESTIVAL[0]:
            weight *= BEFORE_FESTIVAL[1]
        elif 0 <= (day - festival).days < 7:
            weight *= FESTIVAL_WEEK
    return weight


def _times(rng: random.Random, now: dt.datetime, count: int) -> list[dt.datetime]:
    """``count`` receipt times over the last year, by day (:func:`day_weight`) and hour weights."""
    start = now - dt.timedelta(days=DAYS)
    days = [start.date() + dt.timedelta(days=i) for i in range(DAYS + 1)]
    weights = [day_weight(d) for d in days]
    times = []
    while len(times) < count:
        day = rng.choices(days, weights=weights)[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHT)[0]
        local = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59), rng.randint(0, 59)))
        at = timezone.make_aware(local, timezone.get_current_timezone())
        if start <= at <= now - dt.timedelta(minutes=3):
            times.append(at)
    return sorted(times)


def _draws(rng: random.Random, plan: DemoPlan, now: dt.datetime) -> list[_Draw]:
    townships = plan.areas_of("township")
    weights = [(t.residents or 0) * TOWNSHIP_FACTOR[i] for i, t in enumerate(townships)]
    codes = list(FRAUD_TYPES)
    fraud_weights = [FRAUD_TYPES[c][0] for c in codes]
    return [
        _Draw(
            at,
            rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0],
            rng.choices(codes, weights=fraud_weights)[0],
            rng.choices(range(len(townships)), weights=weights)[0],
        )
        for at in _times(rng, now, TARGET_WARNINGS)
    ]


# ── who ─────────────────────────────────────────────────────────────────────


class _People:
    """New people drawn per fraud type, and the registered key residents (each warned at most once)."""

    def __init__(self, rng: random.Random, plan: DemoPlan) -> None:
        self.rng = rng
        self.plan = plan
        self.generator = _Generator(rng)
        self.generator.ids.update(p.id_number for p in plan.people)
        self.generator.phones.update(p.phone for p in plan.people if p.phone)
        self.county = next(a for a in plan.areas if a.level == "district").name
        self.villages: dict[str, list[AreaSpec]] = {}
        for area in plan.areas_of("village"):
            self.villages.setdefault(area.parent_code or "", []).append(area)
        self.unused = list(range(len(plan.people)))
        rng.shuffle(self.unused)

    def identity(self, years: tuple[int, int]) -> tuple[str, str, int]:
        while True:
            born = dt.date(self.rng.randint(*years), 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
            region = self.rng.choice(self.generator.data["region_codes"]["codes"])
            number = id_number(region, born, self.rng.randint(1, 999))
            check = check_id_number(number)
            if number not in self.generator.ids and check.valid and not check.warnings:
                self.generator.ids.add(number)
                return number, check.sex, born.year

    def known(self, fraud_type: str) -> int | None:
        """A registered key resident fitting the fraud type (elderly for 养老诈骗), or None."""
        elderly = fraud_type == "elderly_care"
        for position in range(min(len(self.unused), 30)):
            index = self.unused[position]
            if (set(self.plan.people[index].key_groups) & ELDERLY_GROUPS) or not elderly:
                return self.unused.pop(position)
        return None

    def address(self, township: AreaSpec, village_code: str = "") -> str:
        villages = self.villages[township.code]
        village = self.rng.choices(villages, weights=[v.residents or 1 for v in villages])[0]
        village = next((v for v in villages if v.code == village_code), village)
        return self.generator.address(self.county, township, village)

    def unplaceable(self) -> str:
        road = self.rng.choice(self.generator.data["road_names"])
        return f"{self.county}{road}附近（来源未提供详细地址）"


def _input(people: _People, draw: _Draw, serial: int, unplaced: bool) -> WarningInput:
    """The warning as its source would push it."""
    rng = people.rng
    chosen = rng.random() < KNOWN_SHARE and not unplaced and not draw.village
    known = people.known(draw.fraud_type) if chosen else None
    township = people.plan.areas_of("township")[draw.township]
    if known is not None:
        spec = people.plan.people[known]
        name, number, phone, address = spec.name, spec.id_number, spec.phone, spec.address
    else:
        number, sex, year = people.identity(FRAUD_TYPES[draw.fraud_type][1])
        name, phone = people.generator.name(sex, year), people.generator.phone()
        address = people.unplaceable() if unplaced else people.address(township, draw.village)
    if draw.source == "operator" and rng.random() < 0.3 and phone:
        number = ""  # the operator often knows only the number
    data = WarningInput(
        source=SOURCE_NAME[draw.source],
        source_id=f"{SOURCE_PREFIX[draw.source]}{draw.at:%Y%m%d}{serial:05d}",
        name=name,
        id_number=number,
        phone=phone,
        address=address,
        fraud_type=draw.fraud_type,
        warned_at=draw.at - dt.timedelta(minutes=rng.randint(1, 40)),
    )
    _facts(rng, draw, data)
    return data


def _facts(rng: random.Random, draw: _Draw, data: WarningInput) -> None:
    """What each source knows: calls and callbacks, money moving, amounts."""
    if draw.source in ("operator", "screening"):
        data.call_count = str(rng.choice((1, 1, 2, 2, 3, 4, 6)))
        data.callback_count = str(rng.choice((0, 0, 0, 1, 2)))
        data.suspect_numbers = f"+{rng.choice((852, 855, 63, 95))}{rng.randint(10_000_000, 99_999_999)}"
    if draw.source == "bank":
        data.amount = str(rng.choice((2000, 5000, 8000, 12000, 30000, 68000)) + rng.randint(0, 999))
        data.transfer_in_progress = "是" if rng.random() < 0.15 else ""
        data.suspect_accounts = f"6222{rng.randint(10**14, 10**15 - 1)}"
    elif draw.source == "superior" and rng.random() < 0.35:
        data.amount = str(rng.choice((1000, 3000, 9000, 15000, 52000)))
    if draw.source == "tip":
        data.notes = "群众反映其近期频繁接听陌生来电，疑似被诱导投资"


# ── what happened ────────────────────────────────────────────────────────────


def _event(rows: _Rows, warning: Warning, kind: str, at: dt.datetime, message: str, **extra: Any) -> None:
    rows.events.append(
        fastwrite.build(WarningEvent, warning=warning, kind=kind, at=at, message=message, **extra)
    )


def _deadline(rows: _Rows, warning: Warning, what: str, done: dt.datetime | None, now: dt.datetime) -> None:
    """Reminder and escalation of one clock, as the SLA check would have done them by ``done`` (or now)."""
    due = warning.due_ack_at if what == "签收" else warning.due_contact_at
    remind = warning.remind_ack_at if what == "签收" else warning.remind_contact_at
    until = done or now
    prefix = "ack" if what == "签收" else "contact"
    if warning.assignee is not None and remind is not None and remind < until:
        setattr(warning, f"{prefix}_reminded", True)
        local = timezone.localtime(due)
        _event(
            rows, warning, EventKind.REMINDED, remind, f"{what}时限 {local:%m-%d %H:%M} 将到，已提醒承办人"
        )
    if due < until:
        setattr(warning, f"{prefix}_breached", True)
        warning.escalated = True
        _event(rows, warning, EventKind.ESCALATED, due, escalated_text(what, _told(rows, warning)))


def _told(rows: _Rows, warning: Warning) -> list[str]:
    """The supervisors a breach of ``warning`` reaches, as the SLA job finds them (``notify.supervisors``)."""
    key = (warning.organisation_id, warning.area_id, warning.assignee_id)
    if key not in rows.told:
        rows.told[key] = supervisors(warning).groups
    return rows.told[key]


class _Units:
    """The performance profile a warning is worked with: its unit's, leaned by its village's."""

    def __init__(self, performance: Performance) -> None:
        self.performance = performance
        self.names = dict(Organisation.objects.values_list("id", "name"))
        self.villages: dict[int, str] = {}
        for pk, code, level, parent in Area.objects.filter(level__in=["village", "grid"]).values_list(
            "id", "code", "level", "parent__code"
        ):
            self.villages[pk] = code if level == "village" else parent

    def of(self, warning: Warning) -> Profile:
        unit = self.names.get(warning.organisation_id or 0, "")
        return self.performance.of(unit, self.villages.get(warning.area_id or 0, ""), warning.received_at)


def _acknowledge(
    rng: random.Random, rows: _Rows, warning: Warning, now: dt.datetime, profile: Profile
) -> dt.datetime:
    ack_minutes, _ = sla.sla_table()[warning.grade]
    delay = profile.delay(rng, ack_minutes, profile.ack_breach)
    at = min(warning.received_at + delay, now - dt.timedelta(minutes=1))
    _deadline(rows, warning, "签收", at, now)
    warning.status, warning.acknowledged_at, warning.acknowledged_by = (
        Status.ACKNOWLEDGED,
        at,
        warning.assignee,
    )
    warning.version += 1
    _event(
        rows,
        warning,
        EventKind.ACKNOWLEDGED,
        at,
        f"{warning.assignee} 签收",
        actor=warning.assignee,
        from_status=Status.ASSIGNED,
        to_status=Status.ACKNOWLEDGED,
    )
    return at


def _contact_row(
    rows: _Rows,
    warning: Warning,
    at: dt.datetime,
    kind: str,
    outcome: str,
    notes: str,
    follow_up_on: dt.date | None = None,
) -> Contact:
    """A call or visit by the warning's assignee at ``at`` (a visit arrives then), kept for writing."""
    contact = fastwrite.build(
        Contact,
        warning=warning,
        kind=kind,
        actor=warning.assignee,
        contacted_at=at,
        arrived_at=at if kind == ContactKind.VISIT else None,
        outcome=outcome,
        notes=notes,
        follow_up_on=follow_up_on,
    )
    rows.contacts.append(contact)
    return contact


def _contact(
    rows: _Rows,
    warning: Warning,
    at: dt.datetime,
    outcome: str,
    kind: str,
    follow_up_on: dt.date | None = None,
) -> None:
    """One call or visit and the status it leads to (see workflow._after_contact)."""
    before = warning.status
    contact = _contact_row(rows, warning, at, kind, outcome, CONTACT_NOTES[Outcome(outcome)], follow_up_on)
    if outcome != Outcome.NOT_REACHED:
        warning.contacted_at = warning.contacted_at or at
        warning.outcome = outcome
        warning.status = (
            Status.CLOSED
            if outcome in (Outcome.DISSUADED, Outcome.DEFRAUDED, Outcome.INVALID)
            else Status.CONTACTED
        )
        if warning.status == Status.CLOSED:
            warning.closed_at = at
    warning.version += 1
    _event(
        rows,
        warning,
        EventKind.CONTACT,
        at,
        f"{ContactKind(kind).label}：{Outcome(outcome).label}",
        actor=warning.assignee,
        from_status=before,
        to_status=warning.status,
    )
    rows.links.append((rows.events[-1], contact))


def _follow_up(rows: _Rows, warning: Warning, at: dt.datetime, kind: str) -> None:
    """The follow-up made on a warning closed 劝阻成功: it stays closed (see workflow._after_follow_up)."""
    contact = _contact_row(rows, warning, at, kind, Outcome.DISSUADED, FOLLOW_UP_NOTES)
    warning.version += 1
    _event(
        rows,
        warning,
        EventKind.CONTACT,
        at,
        f"回访（{ContactKind(kind).label}）：{Outcome.DISSUADED.label}",
        actor=warning.assignee,
        from_status=Status.CLOSED,
        to_status=Status.CLOSED,
    )
    rows.links.append((rows.events[-1], contact))


def _close(rows: _Rows, warning: Warning, at: dt.datetime, outcome: str) -> None:
    before = warning.status
    warning.status, warning.outcome, warning.closed_at = Status.CLOSED, outcome, at
    warning.version += 1
    reason = CLOSE_REASONS[Outcome(outcome)]
    _event(
        rows,
        warning,
        EventKind.CLOSED,
        at,
        f"办结（{Outcome(outcome).label}）：{reason}",
        actor=warning.assignee,
        from_status=before,
        to_status=Status.CLOSED,
    )


def _outcome(rng: random.Random, profile: Profile) -> str:
    weights = profile.outcomes()
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _work(
    rng: random.Random,
    rows: _Rows,
    warning: Warning,
    outcome: str,
    now: dt.datetime,
    follow_ups: _FollowUps,
    profile: Profile,
    pending: dt.date | None = None,
) -> None:
    """Acknowledge, call or visit until the outcome, close: a finished warning's life, at the pace of
    ``profile``; after 劝阻成功, maybe a follow-up set and made (``pending``: a follow-up day set and still
    to make)."""
    at = _acknowledge(rng, rows, warning, now, profile)
    span = (warning.due_contact_at - at).total_seconds() / 60
    planned = (
        at + profile.delay(rng, max(2, int(span)), profile.contact_breach)
        if span > 2
        else at + dt.timedelta(minutes=2)
    )
    planned = min(planned, now - dt.timedelta(minutes=2))
    if planned <= at:
        planned = at + dt.timedelta(seconds=30)
    attempts = 3 if outcome == Outcome.NOT_REACHED else (2 if rng.random() < 0.15 else 1)
    step = (planned - at) / attempts
    day = None
    if outcome == Outcome.DISSUADED:
        day = pending or follow_ups.day(planned)
    for attempt in range(attempts):
        last = attempt == attempts - 1
        kind = ContactKind.VISIT if (last and rng.random() < 0.35) else ContactKind.CALL
        result = outcome if last else Outcome.NOT_REACHED
        _contact(rows, warning, at + step * (attempt + 1), result, kind, day if last else None)
    close_at = min(planned + dt.timedelta(minutes=rng.uniform(5, 90)), now - dt.timedelta(minutes=1))
    close_at = max(close_at, planned)
    _deadline(rows, warning, "联系", warning.contacted_at or close_at, now)
    if warning.status != Status.CLOSED:
        _close(rows, warning, close_at, outcome)
    made = follow_ups.made_at(day) if day is not None and pending is None else None
    if made is not None:
        _follow_up(rows, warning, made, follow_ups.kind())


def _open(
    rng: random.Random, rows: _Rows, warning: Warning, state: str, now: dt.datetime, profile: Profile
) -> None:
    """A recent warning left open in ``state`` (assigned, acknowledged or contacted)."""
    if warning.assignee is None or state == Status.ASSIGNED:
        _deadline(rows, warning, "签收", None, now)
        return
    _acknowledge(rng, rows, warning, now, profile)
    if state == Status.CONTACTED:
        at = warning.acknowledged_at + (now - warning.acknowledged_at) * rng.uniform(0.2, 0.8)
        _contact(rows, warning, at, Outcome.REFUSED, ContactKind.CALL)
        _deadline(rows, warning, "联系", at, now)
        return
    _deadline(rows, warning, "联系", None, now)


# ── writing ──────────────────────────────────────────────────────────────────


def _officers(rng: random.Random) -> list[User]:
    """A duty officer (值班民警) for each police station without a demo login: every township is served."""
    created = []
    data = names()
    stations = Organisation.objects.filter(kind="police_station").order_by("id")
    for number, station in enumerate(stations, start=1):
        if User.objects.filter(organisation=station, roles__role="police_officer").exists():
            continue
        created.append(
            org_services.user_create(
                actor=None,
                username=f"duty{number}",
                password=DEMO_PASSWORD,
                organisation=station,
                roles=["police_officer"],
                display_name=rng.choice(data["surnames"]) + rng.choice(data["given_names"]["middle"]["男"]),
            )
        )
    return created


def _may_stay_open(rows: _Rows, warning: Warning, state: str, now: dt.datetime) -> bool:
    """Whether a recent warning chosen to stay open in ``state`` may: not when its deadline for that
    state has passed and OVERDUE_OPEN of the state are already late."""
    due = warning.due_ack_at if state == Status.ASSIGNED else warning.due_contact_at
    if warning.assignee is None or state == Status.CONTACTED or due > now:
        return True
    rows.overdue[state] = rows.overdue.get(state, 0) + 1
    return rows.overdue[state] <= OVERDUE_OPEN


def _states(draws: Sequence[_Draw], now: dt.datetime) -> dict[int, str]:
    """The recent warnings left open and their state (newest first: assigned, acknowledged, contacted)."""
    since = now - dt.timedelta(hours=OPEN_HOURS)
    recent = [i for i, d in enumerate(draws) if d.at >= since][::-1]
    order = (Status.ASSIGNED, Status.ACKNOWLEDGED, Status.CONTACTED)
    states = {}
    for position, index in enumerate(recent[: OPEN_PER_STATE * len(order)]):
        states[index] = order[position // OPEN_PER_STATE]
    return states


def _receive(
    intake: Intake, known: dict[str, Person], rows: _Rows, data: WarningInput, at: dt.datetime
) -> Warning:
    """The intake's own decisions for one row at its receipt time (clean, match, locate, grade, route)."""
    clean = clean_warning(data, now=at)
    person = known.get(f"id:{clean.id_number}") if clean.id_number else None
    if person is None and clean.phone and not clean.id_number:
        person = known.get(f"phone:{clean.phone}")
    place = locate(intake, clean, person)
    if person is None:
        person = new_person(clean, place.area, intake)
        rows.people.append(person)
    warning, events = build_new(intake, clean, person, place, at)
    rows.warnings.append(warning)
    rows.events.extend(events)
    rows.refs.append(
        fastwrite.build(
            WarningSourceRef,
            source=clean.source,
            source_id=clean.source_id,
            warning=warning,
            received_at=at,
            row_values=row_values(data, clean),
        )
    )
    return warning


def _year(
    rng: random.Random,
    plan: DemoPlan,
    intake: Intake,
    now: dt.datetime,
    follow_ups: _FollowUps,
    superior: Superior,
    units: _Units,
) -> _Rows:
    draws = _draws(rng, plan, now)
    states = _states(draws, now)
    people = _People(rng, plan)
    known: dict[str, Person] = {}
    for person in Person.objects.select_related("area").order_by("id"):
        known.setdefault(f"id:{person.id_number}", person)
        known.setdefault(f"phone:{person.phone}", person)
    rows = _Rows()
    for serial, draw in enumerate(draws, start=1):
        data = _input(people, draw, serial, False)
        if draw.source == "superior":
            superior.grade(data)
        warning = _receive(intake, known, rows, data, draw.at)
        if draw.source == "superior":
            superior.pushed(warning, data)
        state = states.get(serial - 1)
        if state is not None and _may_stay_open(rows, warning, state, now):
            _open(rng, rows, warning, state, now, units.of(warning))
        elif warning.assignee is not None:
            profile = units.of(warning)
            _work(rng, rows, warning, _outcome(rng, profile), now, follow_ups, profile)
    serial = _extras(rng, plan, intake, known, rows, people, len(draws), now, units)
    _login_follow_ups(rng, plan, intake, known, rows, people, serial, follow_ups, units)
    return rows


def _extras(
    rng: random.Random,
    plan: DemoPlan,
    intake: Intake,
    known: dict[str, Person],
    rows: _Rows,
    people: _People,
    serial: int,
    now: dt.datetime,
    units: _Units,
) -> int:
    """The centre's 待定位 queue, and open tips for the demo grid workers and police logins; returns the
    last serial used."""
    for _ in range(UNPLACED_OPEN):
        serial += 1
        at = now - dt.timedelta(hours=rng.uniform(0.5, 20))
        draw = _Draw(at, "operator", rng.choices(list(FRAUD_TYPES))[0], 0)
        _receive(intake, known, rows, _input(people, draw, serial, True), at)
    townships = [t.code for t in plan.areas_of("township")]
    for village, fraud_type in _login_places(plan):
        for state in (Status.ASSIGNED, Status.ACKNOWLEDGED)[:FIELD_OPEN]:
            serial += 1
            at = now - dt.timedelta(minutes=rng.uniform(*FIELD_OPEN_MINUTES[state]))
            draw = _Draw(at, "tip", fraud_type, townships.index(village.parent_code or ""), village.code)
            warning = _receive(intake, known, rows, _input(people, draw, serial, False), at)
            _open(rng, rows, warning, state, now, units.of(warning).in_time())  # the logins' tasks in time
    return serial


def _login_places(plan: DemoPlan) -> list[tuple[AreaSpec, str]]:
    """The village of each demo grid worker and police login, with a fraud type routed to them."""
    places = [(grid_village(plan.areas, slot), "fake_shopping_service") for slot in GRID_VILLAGES]
    return places + [(village, "impersonate_authority") for village in _police_villages(plan)]


def _login_follow_ups(
    rng: random.Random,
    plan: DemoPlan,
    intake: Intake,
    known: dict[str, Person],
    rows: _Rows,
    people: _People,
    serial: int,
    follow_ups: _FollowUps,
    units: _Units,
) -> None:
    """Follow-ups of the demo grid workers and police logins: closed 劝阻成功 warnings of their village
    whose follow-up is due on the demo's day, or late (see LOGIN_FOLLOW_UPS)."""
    now, today = follow_ups.now, timezone.localdate(follow_ups.now)
    townships = [t.code for t in plan.areas_of("township")]
    for position, (village, fraud_type) in enumerate(_login_places(plan)):
        for ago, due in LOGIN_FOLLOW_UPS[: 1 + (position % 2 == 0)]:
            serial += 1
            at = now - dt.timedelta(days=ago, hours=rng.uniform(0, 6))
            draw = _Draw(at, "tip", fraud_type, townships.index(village.parent_code or ""), village.code)
            warning = _receive(intake, known, rows, _input(people, draw, serial, False), at)
            if warning.assignee is not None:
                pending = today + dt.timedelta(days=due)
                _work(rng, rows, warning, Outcome.DISSUADED, now, follow_ups, units.of(warning), pending)


def _police_villages(plan: DemoPlan) -> list[AreaSpec]:
    """A village in the first township of each demo police login's station."""
    logins = [login.username for login in DEMO_LOGINS if login.role == "police_officer"]
    stations = Organisation.objects.filter(users__username__in=logins).order_by("id").distinct()
    villages = plan.areas_of("village")
    found = []
    for station in stations:
        township = min(station.covered_areas.values_list("code", flat=True))
        found.append(next(v for v in villages if v.parent_code == township))
    return found


def _write(rows: _Rows) -> None:
    sealer = fastwrite.Sealer()
    fastwrite.insert(rows.people, sealer=sealer, returning=True)
    fastwrite.insert(rows.warnings, sealer=sealer, returning=True)
    fastwrite.insert(rows.contacts, sealer=sealer, returning=True)
    for event, contact in rows.links:
        event.data = {"contact": contact.pk}
    fastwrite.insert(rows.events, sealer=sealer)
    fastwrite.insert(rows.refs, sealer=sealer)


def _analyze() -> None:
    """PostgreSQL: statistics of the tables just written, for the superior's lists imported next.

    The demo's year is written in its one transaction, which autovacuum cannot see: planned from the
    empty tables' statistics, each list's lookups of people by phone joined every person to every area
    (≈ 0.7 s a query, minutes a list). ``ANALYZE`` in the transaction samples its own rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_area, core_person, warnings_warning, warnings_warningsourceref")


def demo_warnings(*, plan: DemoPlan, leader: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Write the year of warnings (inside the demo's transaction); returns counts for the audit record."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    rng = random.Random(f"{plan.seed}:warnings")
    officers = _officers(rng)
    intake = Intake(leader)
    intake.notices = _Quiet()
    follow_ups = _FollowUps(random.Random(f"{plan.seed}:follow-ups"), now)
    superior = Superior(random.Random(f"{plan.seed}:superior"))
    units = _Units(plan_performance(plan, now))
    rows = _year(rng, plan, intake, now, follow_ups, superior, units)
    _write(rows)
    _analyze()
    pushed_again = superior.push_again(leader, now)
    _morning_reminder(now)
    return {
        "warnings": len(rows.warnings),
        "pushed_again": pushed_again,
        "warning_people": len(rows.people),
        "duty_officers": len(officers),
        "open_warnings": sum(1 for w in rows.warnings if w.status != Status.CLOSED),
    }


def _morning_reminder(now: dt.datetime) -> None:
    """This morning's 预警回访提醒 in the workers' inboxes, once its time has come on the demo's day (the
    schedule sends the next)."""
    _, at = DEFAULT_SCHEDULES[REMINDER]
    if isinstance(at, dt.time) and now.astimezone(SHANGHAI).time() >= at:
        follow_up_remind(now)
