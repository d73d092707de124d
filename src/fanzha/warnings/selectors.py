"""Reads: the filtered list, the live board, the summaries. Always inside the user's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import TemporalSubtraction
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import cached_property

from fanzha.core import access
from fanzha.core.access import whole_number
from fanzha.core.models import Organisation, User
from fanzha.warnings import sla, typology
from fanzha.warnings.intake import SOURCES
from fanzha.warnings.models import (
    HANDED_ON,
    OPEN_STATUSES,
    Contact,
    EventKind,
    Grade,
    Outcome,
    Status,
    Warning,
    WarningEvent,
    WarningRepush,
    WarningSourceRef,
)

FILTERS = ("area", "grade", "status", "source", "fraud_type", "start", "end", "queue", "batch")
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9998, 12, 31)


def visible(user: Any) -> QuerySet[Warning]:
    """``Warning.objects.visible_to(user)`` as ``area_id IN (the user's areas)``.

    Same rows (the scope is the areas under the user's jurisdiction paths, from core.access), but the
    database can walk the warnings' own indexes in list order instead of joining every row to its area.
    """
    return Warning.objects.filter(
        area_id__in=access.areas_under(access.jurisdiction_paths(user)).values("pk")
    )


def _date(value: str) -> dt.date | None:
    try:
        return usable_day(dt.date.fromisoformat(value))
    except ValueError:
        return None


def usable_day(day: dt.date) -> dt.date:
    """``day`` within the days a period may start or end on: 0001-01-01 and 9999-12-31 (a "from the
    beginning" or "to the end" typed by hand) have no midnight in UTC or no next day; no warning is
    dated outside these bounds, so the period means the same."""
    return min(max(day, FIRST_DAY), LAST_DAY)


def _bounds(day: dt.date, end: bool) -> dt.datetime:
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
    return timezone.make_aware(moment)


PERIOD_ENDS = (("start", "接收自"), ("end", "至"))


AREA_OUTSIDE = "所选区划不在您的辖区内或已不存在，未列出预警。"


def area_outside(params: Any, applied: dict[str, str]) -> bool:
    """Whether the list was asked for an area it did not apply (:func:`filtered` lists nothing then)."""
    return whole_number(params.get("area", "")) is not None and "area" not in applied


def period_problems(params: Any) -> list[str]:
    """What the list's period cannot be read as, for the page to say: a date that is no date ("2026-02-30",
    not used: the rows are not of that period) and a start after the end (no rows). A date before 1900 or
    after 9998 is no problem: it is read as the first or last day (:func:`usable_day`)."""
    problems = [
        f"“{label}”日期无法识别（应为 年-月-日，如 2026-11-28），未按该日期筛选。"
        for name, label in PERIOD_ENDS
        if params.get(name, "") and _date(params.get(name, "")) is None
    ]
    start, end = _date(params.get("start", "")), _date(params.get("end", ""))
    if start is not None and end is not None and start > end:
        problems.append("起始日期不能晚于截止日期：该时段内没有预警，请调换后再筛选。")
    return problems


def filtered(user: Any, params: Any) -> tuple[QuerySet[Warning], dict[str, str]]:
    """The visible warnings narrowed by the list's filters, and the filters that applied."""
    qs = visible(user)
    applied: dict[str, str] = {}
    asked = params.get("area", "")
    if whole_number(asked) is not None:  # an area outside the jurisdiction (or none) lists nothing
        area = access.visible_area(user, asked)
        if area is None:
            qs = qs.none()
        else:
            qs, applied["area"] = (
                qs.filter(area_id__in=access.areas_under([area.path]).values("pk")),
                str(area.pk),
            )
    for name, values in (("grade", Grade.values), ("status", Status.values)):
        value = params.get(name, "")
        if value in values:
            qs, applied[name] = qs.filter(**{name: value}), value
    source = _code("source", params.get("source", "")[:40])
    if source:
        qs, applied["source"] = qs.filter(of_source(source)), source
    fraud_type = _code("fraud_type", params.get("fraud_type", "")[:40])
    if fraud_type:
        qs, applied["fraud_type"] = qs.filter(fraud_type=fraud_type), fraud_type
    start, end = _date(params.get("start", "")), _date(params.get("end", ""))
    if start is not None:
        qs, applied["start"] = qs.filter(received_at__gte=_bounds(start, False)), start.isoformat()
    if end is not None:
        qs, applied["end"] = qs.filter(received_at__lt=_bounds(end, True)), end.isoformat()
    if params.get("queue") == "1":
        qs, applied["queue"] = qs.filter(status=Status.NEW), "1"
    batch = whole_number(params.get("batch", ""))
    if batch is not None:
        qs, applied["batch"] = qs.filter(of_batch(batch)), str(batch)
    return qs, applied


def _code(name: str, value: str) -> str:
    """A source or type as stored: its code, also when the link names it (?source=上级推送,
    ?fraud_type=刷单返利) as the lists it came in do. A source by its own name or alias only: a
    sender's words the intake kept as written (某某银行 & 运营商) stay themselves."""
    if not value:
        return ""
    if name == "source":
        text, lowered = value.strip(), value.strip().lower()
        named = (code for code, (own, aliases) in SOURCES.items() if text == own or lowered in aliases)
        return next(named, value)
    return typology.resolve(value) or value


def of_batch(batch_id: int) -> Q:
    """The warnings an import batch's rows created, merged into or pushed again unchanged (本批预警):
    one subquery, the union of the source ids it wrote and the re-pushes it recorded (their partial
    indexes ``warnings_sourceref_batch``, ``warnings_repush_batch``), scope left to the caller. One
    ``IN``: PostgreSQL tests ``id IN (…) OR id IN (…)`` on every warning, however small the batch."""
    written = WarningSourceRef.objects.filter(batch_id=batch_id).values("warning_id")
    again = WarningRepush.objects.filter(batch_id=batch_id).values("ref__warning_id")
    return Q(pk__in=written.union(again, all=True))


def of_source(source: str) -> Q:
    """The warnings ``source`` reported (来源): first (``Warning.source``), or again, in a report merged
    into a warning another source reported first — its (source, source id) kept as a source ref. The list,
    the statistics and their export of a source are of what its reports led to (a bank's report joining
    the superior platform's warning is the bank's too); a warning it reported twice is one row.

    Not ``id IN (the source's refs)``: the source of most warnings (上级推送) has nearly every ref, and
    reading them all and sorting their warnings made a page of 1,000,000 warnings take a second on SQLite.
    Tested row by row in list order instead, the first source by its column, a merged one — only a
    warning with ``merged_count`` above 0 has a ref but its first — by one step of the refs' warning index:
    a page stops at its 50 rows. Scope left to the caller."""
    merged_in = WarningSourceRef.objects.filter(warning_id=OuterRef("pk"), source=source)
    return Q(source=source) | (Q(merged_count__gt=0) & Q(Exists(merged_in)))


def batch_count(user: Any, batch_id: int) -> tuple[int, bool]:
    """How many of an import batch's warnings ``user`` sees, counted to ``LIST_COUNT_CAP`` as the list
    counts them, and whether there are more."""
    qs, _ = filtered(user, {"batch": str(batch_id)})
    found = qs.order_by()[: LIST_COUNT_CAP + 1].count()
    return min(found, LIST_COUNT_CAP), found > LIST_COUNT_CAP


# Encrypted columns the lists never show: not read, so not decrypted row by row.
LIST_DEFER = (
    "address",
    "id_number_raw",
    "phone_raw",
    "suspect_numbers",
    "suspect_accounts",
    "notes",
    "facts",
    "person__id_number",
    "person__phone",
    "person__address",
    "person__notes",
)


LIST_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most ``LIST_COUNT_CAP`` rows (a bounded index scan, not all of a million).

    Past the cap the page says "10000+": ``capped`` is True and the pages stop at the cap.
    """

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by()[: LIST_COUNT_CAP + 1].count()  # any order: the cheapest index
        self.capped = found > LIST_COUNT_CAP
        return min(found, LIST_COUNT_CAP)

    capped = False

    def _get_page(self, object_list: Any, number: int, paginator: Paginator) -> Page:
        """The page's rows: its ids first, sorted on the warnings' own columns, then those few rows with
        what the list shows of them, in one query (a deferred join: a filter matching 30,000 warnings,
        such as an import's 本批预警, sorted whole joined rows in 130 ms, its ids in 20 ms)."""
        rows = for_list(Warning.objects.filter(pk__in=object_list.values("pk")))
        return Page(rows.order_by(*LIST_ORDER), number, paginator)


LIST_ORDER = ("-received_at", "-id")  # newest first


def list_page(qs: QuerySet[Warning], number: Any, per_page: int) -> Page:
    """One page of the centre's list, newest first: two queries (a capped count and the rows)."""
    return CappedPaginator(qs.order_by(*LIST_ORDER), per_page).get_page(number)


def for_list(qs: QuerySet[Warning]) -> QuerySet[Warning]:
    """The rows as the list shows them: the area with its township (a county has several 中山社区)."""
    return qs.select_related("person", "area__parent", "organisation", "assignee").defer(*LIST_DEFER)


def next_due() -> Case:
    """The next deadline on the warning's clock: to acknowledge, else to reach the person; none once
    the person was reached (已联系: the contact deadline was met, nothing is overdue) — also when a
    reached warning was handed over and acknowledged again (已签收 with a contact time)."""
    return Case(
        When(status__in=[Status.NEW, Status.ASSIGNED], then=F("due_ack_at")),
        When(status=Status.ACKNOWLEDGED, contacted_at__isnull=True, then=F("due_contact_at")),
        default=None,
    )


def latest_contacts(warning: Any) -> QuerySet[Contact]:
    """A warning's contacts, the latest recorded first (``warning``: an instance or an ``OuterRef``); the
    first one's follow-up date is the warning's pending 回访 — a later contact without one made it."""
    return Contact.objects.filter(warning=warning).order_by("-id")


# The changes that bump a warning's version, one history line each (the routing line of a merge or a
# placement rides on it); notes, reminders and escalations leave the version as it is.
VERSIONED_KINDS = (
    EventKind.MERGED,
    EventKind.ACKNOWLEDGED,
    EventKind.CONTACT,
    EventKind.CLOSED,
    EventKind.HANDED_OVER,
    EventKind.PLACED,
)


def changes_since(warning: Warning, version: int) -> list[WarningEvent] | None:
    """The history lines of the changes made to ``warning`` after its ``version`` (the one a form was
    filled for), the latest first; None when they cannot be told (a version it never had)."""
    count = warning.version - version
    if version < 1 or count < 0:
        return None
    if count == 0:
        return []
    lines = WarningEvent.objects.filter(warning_id=warning.pk, kind__in=VERSIONED_KINDS)
    found = list(lines.select_related("actor").order_by("-id")[:count])
    return found if len(found) == count else None


def latest_change(warning: Warning) -> WarningEvent | None:
    """The latest history line that changed the warning's state (a merge only adds to it)."""
    kinds = [kind for kind in VERSIONED_KINDS if kind != EventKind.MERGED]
    lines = WarningEvent.objects.filter(warning_id=warning.pk, kind__in=kinds).select_related("actor")
    return lines.order_by("-id").first()


def held_by(warning: Warning, organisation_id: int | None) -> bool:
    """Whether the unit worked the warning at some time: routed or handed over to it, or one of its
    people acted on it (a worker whose unit handed it on is told so, not refused like a stranger)."""
    if organisation_id is None:
        return False
    theirs = Q(data__organisation=organisation_id) | Q(actor__organisation_id=organisation_id)
    return WarningEvent.objects.filter(theirs, warning_id=warning.pk).exists()


# A warning closed as 无效预警 has no 回访 to make, whatever date an earlier contact set (拒绝配合 with a
# date, then 办结 as 无效预警): it stayed a task and a morning reminder for a warning that was wrong.
NO_FOLLOW_UP_OUTCOMES = frozenset({Outcome.INVALID})
NO_FOLLOW_UP = Q(outcome__in=NO_FOLLOW_UP_OUTCOMES)


def follow_up_on() -> Case:
    """The 回访 date the warning's latest contact set (None when the latest set none, or the warning was
    closed as 无效预警)."""
    latest = Subquery(latest_contacts(OuterRef("pk")).values("follow_up_on")[:1])
    return Case(When(NO_FOLLOW_UP, then=Value(None)), default=latest, output_field=DateField())


def open_warnings(user: Any) -> QuerySet[Warning]:
    """The open warnings ``user`` sees, found by status first: ``id IN (the open ones, from a status
    index)``. A plain ``status IN (…)`` beside the scope's ``area_id IN (…)`` made SQLite walk the area
    index through a year of 1,000,000 warnings, reading each from the table, for the 6,000 open ones
    (the board 5.7 s, 0.06 s so)."""
    open_ones = Warning.objects.filter(status__in=OPEN_STATUSES).values("pk")
    return visible(user).filter(pk__in=open_ones, status__in=OPEN_STATUSES)


def board(user: Any) -> QuerySet[Warning]:
    """Open warnings, the least time left first."""
    return (
        open_warnings(user)
        .annotate(next_due_at=next_due())
        .select_related("person", "area__parent", "organisation", "assignee")
        .defer(*LIST_DEFER)
        .order_by(F("next_due_at").asc(nulls_last=True), "id")
    )


def mine(user: Any) -> QuerySet[Warning]:
    """A field worker's tasks: their open warnings and their unit's unacknowledged ones, most urgent
    first; then the follow-ups (回访) they set, soonest first — on closed warnings too (劝阻成功 closes
    the warning; the visit a week later is still theirs)."""
    tasks = Q(status__in=OPEN_STATUSES) & (
        Q(assignee=user) | Q(organisation_id=user.organisation_id, status=Status.ASSIGNED)
    )
    return (
        visible(user)
        .annotate(follow_up_on=follow_up_on())
        .filter(tasks | Q(status=Status.CLOSED, assignee=user, follow_up_on__isnull=False))
        .annotate(next_due_at=next_due())
        .select_related("person", "area")
        .defer(*LIST_DEFER)
        .order_by(F("next_due_at").asc(nulls_last=True), F("follow_up_on").asc(nulls_last=True), "id")
    )


def overdue_q(now: dt.datetime) -> Q:
    """Open warnings past their next deadline: to acknowledge, else to contact (each on its index); the
    contact deadline no longer counts once the person was reached (a reached warning handed over and
    acknowledged again is 已签收 with its met contact deadline behind it)."""
    waiting = [Status.NEW, Status.ASSIGNED]
    contact = Q(status=Status.ACKNOWLEDGED, contacted_at__isnull=True, due_contact_at__lt=now)
    return Q(status__in=waiting, due_ack_at__lt=now) | contact


# Open warnings held by an inactive account or unit: left there by a deactivation made before 停用后改派
# existed, through Django's admin, or by a restored backup (``fanzha warnings redispatch-stranded``).
# The centre's queue — no unit, no assignee — is nobody's by design, not stranded.
STRANDED = Q(assignee__is_active=False) | Q(organisation__is_active=False)


def home_figures(user: Any, shown: int = 5) -> dict[str, Any]:
    """The warning work on a user's home page, in their own scope: a field worker's own tasks (how many,
    how many past their deadline, the ``shown`` most urgent), a dispatcher's open warnings, the overdue,
    the centre's queue (中心待分派: placed by no one or handed to no one yet), those received today, and
    those still held by an inactive account or unit (:data:`STRANDED`)."""
    now = timezone.now()
    figures: dict[str, Any] = {}
    if access.user_can(user, "warning.work"):
        tasks = mine(user)
        figures["mine"] = tasks.count()
        figures["mine_overdue"] = tasks.filter(overdue_q(now)).count()
        figures["next"] = list(tasks[:shown])
    if access.user_can(user, "warning.dispatch"):
        open_ones = open_warnings(user)  # on the status index: few of all
        figures |= open_ones.aggregate(  # one query for the four
            open=Count("id"),
            overdue=Count("id", filter=overdue_q(now)),
            queue=Count("id", filter=Q(status=Status.NEW)),
            stranded=Count("id", filter=STRANDED),
        )
        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        figures["today"] = visible(user).filter(received_at__gte=midnight).count()
    return figures


# 已联系到人: a contact record that reached the person, or an outcome only reaching them gives (the
# centre's 办结 as 劝阻成功 after a call made outside the system) — else the rate could pass 100 %.
REACHED = Q(contacted_at__isnull=False) | Q(
    outcome__in=[Outcome.DISSUADED, Outcome.DEFRAUDED, Outcome.REFUSED]
)
# The dissuasion rate's denominator: those reached, less the warnings found invalid (无效预警: no fraud
# to stop — the person's own transfer, a wrong number); a call that found one is no failure to dissuade.
DISSUADABLE = REACHED & ~Q(outcome=Outcome.INVALID)


def ack_due_q(now: dt.datetime) -> Q:
    """Warnings whose acknowledgement counts in the on-time rate: acknowledged, on time or late, and those
    never acknowledged by their deadline — escalated for it, still waiting past it, or closed after it
    (else a unit that lets its warnings run out would show 100 %). Closed unacknowledged within the
    time: not counted. Missed by the time, as a handover counts it (``sla.ack_kept``), not by the SLA
    job's flag alone: a warning closed after its deadline before the job flagged it still counts.

    This is the acknowledgement owed by the unit holding the warning now, on its own clock (a handover
    to another unit restarts it); what the units before it owed is in :func:`handed_on`."""
    never = Q(acknowledged_at__isnull=True) & (
        Q(ack_breached=True)
        | Q(status__in=[Status.NEW, Status.ASSIGNED], due_ack_at__lt=now)
        | Q(status=Status.CLOSED, closed_at__gt=F("due_ack_at"))
    )
    return Q(acknowledged_at__isnull=False) | never


# The person was reached on the clock now running: by the unit holding the warning now (or its colleague
# before it, a shift change keeping the unit's clock), not by a unit that handed it on after reaching them.
REACHED_ON_THIS_CLOCK = Q(contacted_at__isnull=False) & (
    Q(clock_started_at__isnull=True) | Q(contacted_at__gte=F("clock_started_at"))
)


def contact_due_q(now: dt.datetime) -> Q:
    """Warnings whose deadline to reach the person (完成接触, ``due_contact_at``) counts in the contact
    on-time rate (联系及时率) for the unit holding them now: the person reached on its clock, by the
    deadline or after it, and those never reached by it — flagged 联系超时, still open past it, or closed
    after it without a contact that reached the person. Reached before the clock started (by a unit that
    then handed the warning on): not counted here — that unit's handover line counts it
    (:func:`handed_on_figures`). A contact that did not reach the person (未接触到人) leaves the clock
    running, as it does for the reminders and the board."""
    never = Q(contacted_at__isnull=True) & (
        Q(contact_breached=True)
        | Q(status__in=OPEN_STATUSES, due_contact_at__lt=now)
        | Q(status=Status.CLOSED, closed_at__gt=F("due_contact_at"))
    )
    return REACHED_ON_THIS_CLOCK | never


# The summary's counts (a row made for a unit that holds none of the warnings starts them at 0).
AGGREGATES = (
    "total",
    "open",
    "closed",
    "dissuaded",
    "reached",
    "dissuadable",
    "acked",
    "ack_due",
    "acked_on_time",
    "contact_due",
    "contacted_on_time",
)
# The per-person summary's groups (按人员): the person holding the warning within the unit holding it (a
# person moved to another unit has a row for each); a warning nobody holds (the centre's queue) is on a
# row of no person.
PERSON_FIELDS = (
    "organisation__name",
    "organisation_id",
    "assignee__display_name",
    "assignee__username",
    "assignee_id",
)
# The per-area and per-unit summaries' groups (the statistics page's and its export's): an area in tree
# order with the area above it (a county has several 中山社区); a unit by id, with its name.
AREA_FIELDS = ("area__path", "area__parent__name", "area__name", "area_id")
UNIT_FIELDS = ("organisation__name", "organisation_id")


def _duration(end: str) -> Elapsed:
    return Elapsed(end, "received_at")


class Elapsed(Func):
    """``end - start`` (two datetime fields) as a duration. SQLite has no time type: Django subtracts its
    datetimes' text in a Python function called row by row (``django_timestamp_diff``: 14 of the 15 s a
    year of a city's statistics took); here SQLite counts the whole microseconds itself — the seconds
    by ``strftime('%s')`` of the text's first 19 characters (given the fraction, SQLite rounds it to the
    millisecond: .999999 is the next second), the microseconds from the text Django writes after them
    (``2026-11-28 09:00:00.250000``; none written: 0). The same value to the microsecond."""

    arity = 2
    output_field = DurationField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return compiler.compile(TemporalSubtraction(*self.source_expressions))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        (end, end_params), (start, start_params) = (compiler.compile(e) for e in self.source_expressions)
        sql = (
            f"((strftime('%%s', substr({end}, 1, 19)) - strftime('%%s', substr({start}, 1, 19))) * 1000000"
            f" + CAST(substr({end}, 21, 6) AS INTEGER) - CAST(substr({start}, 21, 6) AS INTEGER))"
        )
        return sql, [*end_params, *start_params, *end_params, *start_params]


def summary(
    qs: QuerySet[Warning], fields: tuple[str, ...] = (), now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Counts, dissuasion rate, on-time rate and mean times, overall or per group of ``fields`` (field
    paths: group by an id with its names, not by a name alone: a county has several 中山社区).

    劝阻率: 劝阻成功 of those reached, invalid ones apart (:data:`DISSUADABLE`); 按时签收率: one
    acknowledgement per unit that held the warning — the current unit's (:func:`ack_due_q`) and those of
    the units that handed it on (:func:`handed_on_figures`), each on its own clock; 联系及时率 likewise,
    one deadline to reach the person per unit that held the warning (:func:`contact_due_q`), the
    person reached counting for the unit that reached them only; the mean times are over the warnings
    acknowledged / reached, from receipt (one still waiting has no time yet). The mean time to contact
    of a group is likewise over the contacts its unit (or person) made: the warnings reached on the clock
    now running and those reached by a unit that then handed them on (on its handover line) — not the
    holder's now when another unit reached the person; the totals' is over every warning reached. Grouped
    by the assignee (:data:`PERSON_FIELDS`), the handover lines count for the person who held the warning
    then. One grouping of :func:`summaries`."""
    return summaries(qs, (fields,), now)[0]


def summaries(
    qs: QuerySet[Warning], groupings: tuple[tuple[str, ...], ...], now: dt.datetime | None = None
) -> list[list[dict[str, Any]]]:
    """:func:`summary` of each of ``groupings`` (``()``: the totals, one row), from one grouped query
    over the warnings, by the ids the groupings name (area, unit, person: a few thousand groups), added
    up here per grouping; the groups' names are read by id afterwards and the rows come in the order
    ``ORDER BY fields`` gives. A year of a city's warnings (1,000,000) is read once for the statistics
    page's three tables, not once a table, and not joined row by row to the areas and units it names.
    Each grouping's handover lines are one query more (:func:`handed_on_figures`)."""
    now = now or timezone.now()
    plans = [_Grouping(fields) for fields in groupings]
    ids = sorted({name for plan in plans for name in plan.ids}, key=_grouped_place)
    counted = qs.values(*ids).annotate(**_summed(now)).order_by() if ids else [qs.aggregate(**_summed(now))]
    parts = list(counted)
    out = []
    for plan in plans:
        rows = plan.rows(parts)
        _add_handed_on(rows, handed_on_figures(qs, plan.fields), plan.fields)
        for row in rows:
            contact_time, timed = row.pop("contact_time"), row.pop("contact_timed")
            row["mean_contact"] = contact_time / timed if timed else None
            row["dissuasion_rate"] = _rate(row["dissuaded"], row["dissuadable"])
            row["on_time_rate"] = _rate(row["acked_on_time"], row["ack_due"])
            row["contact_on_time_rate"] = _rate(row["contacted_on_time"], row["contact_due"])
        out.append(rows)
    return out


# The ids the grouped query groups by, in this order: led by the unit, SQLite reads the warnings in table
# order and sorts the groups (7 s → 1 s at 1,000,000 warnings); led by the area, it walked the area
# index and fetched each warning from the table by id, in no order of the table's.
_GROUPED_FIRST = ["organisation_id", "assignee_id", "area_id"]


def _grouped_place(name: str) -> tuple[int, str]:
    return (_GROUPED_FIRST.index(name) if name in _GROUPED_FIRST else len(_GROUPED_FIRST), name)


def _summed(now: dt.datetime) -> dict[str, Any]:
    """The figures of a group of warnings that add up across groups: the counts, and the times behind
    the means as sums with their counts (the mean time to contact twice: a group's over the warnings
    reached on the clock now running, the totals' over every warning reached)."""
    return {
        "total": Count("id"),
        "open": Count("id", filter=Q(status__in=OPEN_STATUSES)),
        "closed": Count("id", filter=Q(status=Status.CLOSED)),
        "dissuaded": Count("id", filter=Q(outcome=Outcome.DISSUADED)),
        "reached": Count("id", filter=REACHED),
        "dissuadable": Count("id", filter=DISSUADABLE),
        "acked": Count("id", filter=Q(acknowledged_at__isnull=False)),
        "ack_due": Count("id", filter=ack_due_q(now)),
        "acked_on_time": Count(
            "id", filter=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("due_ack_at"))
        ),
        "contact_due": Count("id", filter=contact_due_q(now)),
        "contacted_on_time": Count(
            "id", filter=REACHED_ON_THIS_CLOCK & Q(contacted_at__lte=F("due_contact_at"))
        ),
        "ack_time": Sum(_duration("acknowledged_at")),
        "contact_time_here": Sum(_duration("contacted_at"), filter=REACHED_ON_THIS_CLOCK),
        "contact_timed_here": Count("id", filter=REACHED_ON_THIS_CLOCK),
        "contact_time_all": Sum(_duration("contacted_at"), filter=Q(contacted_at__isnull=False)),
        "contact_timed_all": Count("id", filter=Q(contacted_at__isnull=False)),
    }


class _Grouping:
    """One grouping of :func:`summaries`: its fields in runs of one relation each — the relation's id
    (``area_id``) and names read through it (``area__name``, ``area__parent__name``)."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        self.fields = fields
        self.runs: list[tuple[str, list[str]]] = []  # (relation, its fields in order)
        for field in fields:
            relation = field.split("__")[0].removesuffix("_id")
            if self.runs and self.runs[-1][0] == relation:
                self.runs[-1][1].append(field)
            elif any(relation == seen for seen, _ in self.runs):
                raise ValueError(f"统计分组的字段须按关联连续排列：{fields}")
            else:
                self.runs.append((relation, [field]))
        for relation, names in self.runs:
            if f"{relation}_id" not in names:
                raise ValueError(f"统计分组须含 {relation}_id（按编号分组，名称随之读出）：{fields}")
        self.ids = [f"{relation}_id" for relation, _ in self.runs]

    def rows(self, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The grouping's rows from the grouped query's ``parts``, named and in ``ORDER BY`` order."""
        whole = not self.fields
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        for part in parts:
            key = tuple(part[name] for name in self.ids)
            row = groups.get(key)
            if row is None:
                row = groups[key] = {**dict.fromkeys(AGGREGATES, 0), "time": [], "contact": []}
            for name in AGGREGATES:
                row[name] += part[name]
            row["time"].append((part["ack_time"], part["acked"]))
            suffix = "all" if whole else "here"
            row["contact"].append((part[f"contact_time_{suffix}"], part[f"contact_timed_{suffix}"]))
        if whole and not groups:  # the totals of nothing: one row of noughts
            groups[()] = {**dict.fromkeys(AGGREGATES, 0), "time": [], "contact": []}
        names = {
            relation: self._names(relation, run, {key[i] for key in groups})
            for i, (relation, run) in enumerate(self.runs)
        }
        rows = []
        for key, row in groups.items():
            ack_time, acked = _added(row.pop("time"))
            contact_time, contact_timed = _added(row.pop("contact"))
            named: dict[str, Any] = {}
            for (relation, _run), value in zip(self.runs, key, strict=True):
                named |= names[relation][value][1]
            rows.append(
                {
                    **named,
                    **row,
                    "mean_ack": ack_time / acked if acked else None,
                    "contact_time": contact_time,
                    "contact_timed": contact_timed,
                }
            )
        rows.sort(key=lambda row: [names[relation][row[f"{relation}_id"]][0] for relation, _ in self.runs])
        return rows

    @staticmethod
    def _names(relation: str, run: list[str], ids: set[Any]) -> dict[Any, tuple[int, dict[str, Any]]]:
        """Each id's place in ``ORDER BY run`` and its fields' values, read in one query by id; no
        related row (``None``: the centre's queue, nobody yet) sorts where the database puts NULL."""
        model = Warning._meta.get_field(relation).related_model
        own_id = f"{relation}_id"
        paths = {field: field.removeprefix(f"{relation}__") for field in run if field != own_id}
        found = model._default_manager.filter(pk__in=[i for i in ids if i is not None])  # type: ignore[union-attr]
        order = ["pk" if field == own_id else paths[field] for field in run]
        values = found.order_by(*order, "pk").values("pk", *paths.values())
        places: dict[Any, tuple[int, dict[str, Any]]] = {
            row["pk"]: (place, {own_id: row["pk"], **{field: row[path] for field, path in paths.items()}})
            for place, row in enumerate(values)
        }
        nowhere = len(places) if connection.features.nulls_order_largest else -1
        places[None] = (nowhere, {own_id: None, **dict.fromkeys(paths, None)})
        return places


def _added(pairs: list[tuple[dt.timedelta | None, int]]) -> tuple[dt.timedelta | None, int]:
    """A sum of times and how many it is over, from the parts' (None: none in the part)."""
    times = [time for time, _ in pairs if time is not None]
    return (sum(times, dt.timedelta()) if times else None), sum(count for _, count in pairs)


# A handover to another unit keeps, on its history line, how the unit handing the warning on kept its
# deadline to acknowledge (``data["clock"]["ack"]``, ``sla.clock_record``) and its deadline to reach the
# person (``data["clock"]["contact"]``, ``sla.contact_kept``); None or absent there: not counted (lines
# written before the contact was kept count for the acknowledgement only).
COUNTED_ACK = (sla.ON_TIME, sla.LATE, sla.MISSED)
# Who held the warning as it left, by the summary's field prefix: the line's ids. A line written before
# the person was kept has none: it counts on its unit's row of no person.
_HOLDERS: dict[str, tuple[str, type[Model]]] = {
    "organisation": ("from_organisation", Organisation),
    "assignee": ("from_assignee", User),
}


def _handed_on_group(field: str) -> Any:
    """The handover line's value for a summary's group ``field``: the unit and the person are those that
    handed the warning on (names read by id), anything else the warning's own (its area, say)."""
    for prefix, (key, model) in _HOLDERS.items():
        if field in (prefix, f"{prefix}_id"):
            return F(key)
        if field.startswith(f"{prefix}__"):
            holder = model.objects.filter(pk=OuterRef(key))
            return Subquery(holder.values(field.removeprefix(f"{prefix}__"))[:1])
    return F(f"warning__{field}")


def _clock_id(key: str) -> Case:
    """An id kept on the line's clock, as a number; None for a JSON null (SQLite's text of it is "null",
    which a cast reads as 0) and for a line that does not keep it."""
    return Case(
        When(**{f"data__clock__{key}": None}, then=Value(None)),
        default=Cast(KT(f"data__clock__{key}"), IntegerField()),
        output_field=IntegerField(),
    )


# What a handover line adds to a summary row: (row's count, the line's figure); to a group's row also
# its contact times (the totals' mean time to contact is over every warning reached already).
HANDED_ON_COUNTS = (
    ("acked_on_time", "ack_on_time"),
    ("ack_due", "ack_due"),
    ("contacted_on_time", "contact_on_time"),
    ("contact_due", "contact_due"),
)
# A handover line whose unit reached the person on its clock (by its deadline or after it).
REACHED_BY_LEAVING = Q(data__clock__contact__in=(sla.ON_TIME, sla.LATE))


def handed_on_figures(
    qs: QuerySet[Warning], fields: tuple[str, ...] = ()
) -> dict[tuple[Any, ...], dict[str, int]]:
    """The deadlines owed by the units that handed a warning of ``qs`` on to another unit, per group of
    ``fields`` (the unit and person: those handing on): ``ack_on_time`` / ``ack_due`` and
    ``contact_on_time`` / ``contact_due``. A unit that let its deadline pass before handing the warning
    on answers for it, not the unit receiving it (whose clock starts at the handover); one that
    acknowledged (or reached the person) in time and then handed on is credited. A warning leaving the
    centre's queue counts for the centre (``sla.queue_centre``) as out on time or late, and as a missed
    contact when out after the queue's deadline to reach the person. With ``fields``, also the time
    from receipt to the contact of the warnings the leaving unit reached (``contact_time``, a sum, and
    ``contact_timed``, how many): the unit's mean time to contact. One query: the lines read from their
    partial index, each tested for its warning in ``qs`` (``EXISTS``; SQLite made ``warning_id IN (qs)``
    probe the lines' index once for each of a year's 1,000,000 warnings: 1.9 s, against 0.24 s)."""
    counted = Q(data__clock__ack__in=COUNTED_ACK) | Q(data__clock__contact__in=COUNTED_ACK)
    lines = (
        WarningEvent.objects.filter(kind__in=HANDED_ON)
        .filter(Exists(qs.order_by().filter(pk=OuterRef("warning_id"))))
        .filter(counted)
        .annotate(from_organisation=_clock_id("from_organisation"), from_assignee=_clock_id("from_assignee"))
    )
    figures = {
        "ack_due": Count("id", filter=Q(data__clock__ack__in=COUNTED_ACK)),
        "ack_on_time": Count("id", filter=Q(data__clock__ack=sla.ON_TIME)),
        "contact_due": Count("id", filter=Q(data__clock__contact__in=COUNTED_ACK)),
        "contact_on_time": Count("id", filter=Q(data__clock__contact=sla.ON_TIME)),
    }
    if not fields:  # the totals: one row (``values()`` without names would group by every column)
        total = lines.aggregate(**figures)
        return {(): total} if total["ack_due"] or total["contact_due"] else {}
    reach = Elapsed("warning__contacted_at", "warning__received_at")
    figures |= {
        "contact_time": Sum(reach, filter=REACHED_BY_LEAVING),
        "contact_timed": Count("id", filter=REACHED_BY_LEAVING),
    }
    groups = {f"g{i}": _handed_on_group(field) for i, field in enumerate(fields)}
    rows = lines.values(**groups).annotate(**figures)
    return {
        tuple(row[f"g{i}"] for i in range(len(fields))): {name: row[name] for name in figures} for row in rows
    }


def handed_on(qs: QuerySet[Warning], fields: tuple[str, ...] = ()) -> dict[tuple[Any, ...], tuple[int, int]]:
    """The acknowledgements of :func:`handed_on_figures` alone: (on time, counted) per group."""
    return {
        key: (found["ack_on_time"], found["ack_due"])
        for key, found in handed_on_figures(qs, fields).items()
        if found["ack_due"]
    }


def _add_handed_on(
    rows: list[dict[str, Any]], extra: dict[tuple[Any, ...], dict[str, int]], fields: tuple[str, ...]
) -> None:
    """Add the handed-on deadlines to the summary's rows; a unit (or person) that now holds none of the
    warnings gets a row of its own (nothing but its on-time figures)."""
    by_key = {tuple(row[field] for field in fields): row for row in rows}
    added = False
    for key, found in extra.items():
        row = by_key.get(key)
        if row is None:
            row = by_key[key] = {
                **dict.fromkeys(AGGREGATES, 0),
                "mean_ack": None,
                "contact_time": None,
                "contact_timed": 0,
            }
            row.update(zip(fields, key, strict=True))
            rows.append(row)
            added = True
        for name, line_name in HANDED_ON_COUNTS:
            row[name] += found[line_name]
        if found.get("contact_timed"):
            row["contact_time"] = (row["contact_time"] or dt.timedelta()) + found["contact_time"]
            row["contact_timed"] += found["contact_timed"]
    if added:
        rows.sort(key=lambda row: [(row[field] is None, row[field]) for field in fields])


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"
