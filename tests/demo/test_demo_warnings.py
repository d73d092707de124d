"""The demo's year of warnings: built once for this module at a fixed time, rolled back at the end."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Person, User
from fanzha.demo.build import demo_load
from fanzha.demo.superior import LEVEL_WORDS, list_time
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.warnings import levels, routing, selectors, sla
from fanzha.warnings.exports import feedback_refs
from fanzha.warnings.models import (
    Contact,
    EventKind,
    Grade,
    Status,
    Warning,
    WarningEvent,
    WarningRepush,
    WarningSourceRef,
)

NOW = dt.datetime(2026, 6, 15, 10, 30, tzinfo=dt.UTC)
COMMON = {
    "fake_order_rebate",
    "fake_investment",
    "fake_customer_service",
    "impersonate_authority",
    "fake_loan",
}


@pytest.fixture(scope="module")
def year(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(now=NOW)
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_it_spreads_thousands_of_warnings_over_the_last_year(year: None) -> None:
    warnings = Warning.objects.all()
    assert 3000 <= warnings.count() <= 6000
    first = warnings.order_by("received_at").first()
    last = warnings.order_by("-received_at").first()
    assert first is not None and last is not None
    assert NOW - dt.timedelta(days=366) <= first.received_at < NOW - dt.timedelta(days=330)
    assert NOW - dt.timedelta(days=2) <= last.received_at <= NOW
    months = Counter(w.received_at.strftime("%Y-%m") for w in warnings.only("received_at"))
    assert len(months) >= 12 and min(months.values()) > 100
    weekdays = Counter(w.received_at.weekday() for w in warnings.only("received_at"))
    assert weekdays[1] > weekdays[6]  # fewer on Sundays


def _per_day(first: dt.date, last: dt.date) -> float:
    """Warnings a day received (local time) from ``first`` to ``last``."""
    days = (last - first).days + 1
    received = Warning.objects.values_list("received_at", flat=True)
    return sum(1 for at in received if first <= timezone.localdate(at) <= last) / days


def test_it_peaks_before_double_eleven_and_before_spring_festival_quiet_in_its_week(year: None) -> None:
    """Real centres see peaks: the run-up to 双十一 and the weeks before 春节 (2026-02-17), few warnings
    in the holiday week itself; the days of a month are not all alike."""
    ordinary = _per_day(dt.date(2025, 9, 15), dt.date(2025, 10, 15))
    assert _per_day(dt.date(2025, 10, 28), dt.date(2025, 11, 11)) > 1.3 * ordinary
    before = _per_day(dt.date(2026, 1, 27), dt.date(2026, 2, 16))
    assert before > 1.3 * _per_day(dt.date(2026, 2, 17), dt.date(2026, 2, 23))


def test_it_receives_warnings_at_every_hour_mostly_in_the_day(year: None) -> None:
    received = list(Warning.objects.values_list("received_at", flat=True))
    hours = Counter(timezone.localtime(at).hour for at in received)
    assert len(hours) == 24
    assert sum(hours[h] for h in range(8, 20)) > 0.7 * len(received)
    assert len({at.time() for at in received}) > 0.9 * len(received)  # not all at midnight


def test_it_works_every_closed_warning_in_order(year: None) -> None:
    """Received, acknowledged, contacted, closed in that order; closed after a call or visit; only the
    recent ones open, and few of those past a deadline (the board is not all 超时督办)."""
    for warning in Warning.objects.filter(status=Status.CLOSED).prefetch_related("contacts"):
        contacts = sorted(c.contacted_at for c in warning.contacts.all())
        assert contacts and warning.acknowledged_at is not None, warning.pk
        assert warning.received_at <= warning.acknowledged_at <= contacts[0] <= warning.closed_at
        if warning.contacted_at is not None:
            assert warning.acknowledged_at <= warning.contacted_at <= warning.closed_at
        assert warning.outcome != "not_reached" or warning.contacted_at is None
    open_ = Warning.objects.exclude(status=Status.CLOSED)
    assert not open_.filter(received_at__lt=NOW - dt.timedelta(hours=49)).exists()
    waiting = open_.filter(status=Status.ASSIGNED)
    late = waiting.filter(due_ack_at__lt=NOW).count()
    reaching = open_.filter(status=Status.ACKNOWLEDGED)
    late_contact = reaching.filter(due_contact_at__lt=NOW).count()
    assert 0 < late <= waiting.count() // 3 and 0 < late_contact <= reaching.count() // 3
    for username in ("police", "police2", "grid", "grid2"):  # the logins' own tasks are in time
        mine = open_.filter(assignee__username=username, status=Status.ASSIGNED, source="tip")
        assert mine.filter(due_ack_at__gte=NOW).exists(), username


def test_it_uses_every_source_with_unique_source_ids(year: None) -> None:
    sources = Counter(Warning.objects.values_list("source", flat=True))
    assert set(sources) == {"superior", "operator", "bank", "screening", "tip"}
    assert all(count > 200 for count in sources.values())
    assert WarningSourceRef.objects.count() == Warning.objects.count()
    assert not Warning.objects.filter(source_id="").exists()


def test_it_mixes_fraud_types_with_the_common_ones_first(year: None) -> None:
    types = Counter(Warning.objects.values_list("fraud_type", flat=True))
    top = {code for code, _ in types.most_common(5)}
    assert top == COMMON
    assert sum(types[c] for c in COMMON) > 0.6 * sum(types.values())
    elderly = Warning.objects.filter(fraud_type="elderly_care").select_related("person")
    assert elderly.exists()
    born = [w.person.birth_year for w in elderly if w.person.birth_year is not None]  # no ID: unknown
    assert len(born) > 0.6 * elderly.count()
    assert all(year <= 1966 for year in born)


def test_it_closes_most_with_dissuasion_the_majority(year: None) -> None:
    states = Counter(Warning.objects.values_list("status", flat=True))
    total = sum(states.values())
    assert states[Status.CLOSED] > 0.95 * total
    for state in (Status.NEW, Status.ASSIGNED, Status.ACKNOWLEDGED, Status.CONTACTED):
        assert 3 <= states[state] <= 30, state
    outcomes = Counter(Warning.objects.filter(status=Status.CLOSED).values_list("outcome", flat=True))
    closed = states[Status.CLOSED]
    assert outcomes["dissuaded"] > 0.5 * closed
    assert 0 < outcomes["defrauded"] < 0.1 * closed
    assert all(outcomes[o] > 0 for o in ("not_reached", "invalid", "refused"))
    assert "" not in outcomes


def test_it_keeps_most_within_the_sla_with_some_escalations(year: None) -> None:
    warnings = Warning.objects.exclude(status=Status.NEW)
    total = warnings.count()
    ack_breached = warnings.filter(ack_breached=True).count()
    assert 0 < ack_breached < 0.15 * total
    assert 0 < warnings.filter(contact_breached=True).count() < 0.2 * total
    assert (
        warnings.filter(escalated=True).count()
        == warnings.filter(ack_breached=True).count()
        + warnings.filter(contact_breached=True, ack_breached=False).count()
    )
    escalations = WarningEvent.objects.filter(kind=EventKind.ESCALATED).count()
    assert escalations == ack_breached + warnings.filter(contact_breached=True).count()
    for warning in warnings.filter(acknowledged_at__isnull=False)[:300]:
        assert warning.acknowledged_at is not None
        assert warning.ack_breached == (warning.acknowledged_at > warning.due_ack_at)
        assert warning.due_ack_at == sla.deadlines(warning.grade, warning.received_at)[0]


def test_it_routes_every_worked_warning_to_a_real_user_of_the_covering_unit(year: None) -> None:
    assigner = routing.Assigner()
    unrouted = Warning.objects.filter(assignee__isnull=True)
    assert set(unrouted.values_list("status", flat=True)) == {Status.NEW}
    assert all(w.needs_placement for w in unrouted)
    police = routing.police_grades()
    for warning in Warning.objects.filter(assignee__isnull=False).select_related(
        "assignee", "area", "organisation"
    ):
        assert warning.assignee is not None and warning.assignee.is_active
        assert warning.assignee.organisation_id == warning.organisation_id
        unit = warning.organisation
        assert unit is not None and any(warning.area.path.startswith(p) for p in unit.jurisdiction_paths())
        if warning.grade in police and warning.status != Status.CLOSED:
            assert unit.kind == "police_station"
    assignees = set(Warning.objects.values_list("assignee__username", flat=True))
    assert {"police", "police2", "grid3"} <= assignees
    assert assigner.units


def test_it_shows_every_warning_to_the_centre_leader(year: None) -> None:
    leader = User.objects.get(username="leader")
    assert Warning.objects.visible_to(leader).count() == Warning.objects.count()
    police = User.objects.get(username="police")
    assert 0 < Warning.objects.visible_to(police).count() < Warning.objects.count()


def test_it_gives_the_field_users_open_tasks(year: None) -> None:
    for username in ("police", "police2", "police3", "police4", "grid", "grid2", "grid3", "grid4"):
        user = User.objects.get(username=username)
        assert Warning.objects.filter(assignee=user).exclude(status=Status.CLOSED).exists(), username


def test_it_passes_model_validation(year: None) -> None:
    for warning in Warning.objects.order_by("id")[::40]:
        warning.full_clean()
        assert warning.received_at >= warning.warned_at
        if warning.closed_at is not None:
            assert warning.received_at <= warning.closed_at
    for contact in Contact.objects.order_by("id")[::60]:
        contact.full_clean()
        assert contact.contacted_at >= contact.warning.received_at
    for person in Person.objects.filter(notes="由预警登记").order_by("id")[::60]:
        person.full_clean()


def test_it_records_the_warnings_in_the_demo_load_record(year: None) -> None:
    details = AuditEvent.objects.get(action="demo.load").details
    assert details["warnings"] == Warning.objects.count()
    assert details["open_warnings"] == Warning.objects.exclude(status=Status.CLOSED).count()


def test_a_missed_deadline_in_the_demo_reaches_the_head_of_the_unit_that_missed_it(year: None) -> None:
    """Every police station has a head (所长) and every township above a grid worker a 分管领导: a warning
    left open past its deadline tells the station's head, or the township's for a grid worker's."""
    from django.urls import reverse

    from fanzha.core.models import Organisation
    from fanzha.jobs.models import Notification
    from fanzha.warnings.escalation import sla_check

    heads = User.objects.filter(is_active=True, roles__role="unit_leader")
    for station in Organisation.objects.filter(kind="police_station"):
        assert heads.filter(organisation=station).exists(), station.name
    assert heads.filter(username="town", organisation__kind="township_government").exists()
    assert sla_check(NOW + dt.timedelta(days=4)).escalated > 0
    notices = Notification.objects.filter(title__startswith="预警超时督办")
    for kind in ("police_station", "village_committee"):
        held = Warning.objects.filter(organisation__kind=kind, assignee__isnull=False).exclude(
            status=Status.CLOSED
        )
        told: set[int] = set()
        for warning in held.select_related("organisation").order_by("id"):
            told = set(
                notices.filter(link=reverse("warning_detail", args=[warning.pk])).values_list(
                    "recipient", flat=True
                )
            )
            if told:
                break
        assert told, f"no breach escalated of a warning held by a {kind}"
        unit = warning.organisation if kind == "police_station" else warning.organisation.parent
        assert heads.filter(organisation=unit, pk__in=told).exists(), (kind, str(unit))


def _red_or_orange(rows: list[dict[str, str]]) -> float:
    return sum(1 for row in rows if row["pushed_level"] in ("红色", "橙色")) / len(rows)


def test_the_superior_gives_its_own_level_mostly_yellow_or_blue_red_for_money_moving(year: None) -> None:
    pushed = list(WarningSourceRef.objects.filter(source="superior").values_list("row_values", flat=True))
    said = Counter(row.get("pushed_level") for row in pushed)
    assert set(said) == set(LEVEL_WORDS)  # every row of the superior carries one
    assert said["黄色"] + said["蓝色"] > 0.6 * len(pushed)
    assert 0 < said["红色"] < said["橙色"] < said["黄色"]
    moving = [r for r in pushed if r.get("transfer_in_progress") or int(r["amount"] or 0) >= 50_000]
    plain = [r for r in pushed if not r.get("transfer_in_progress") and not r["amount"]]
    assert moving and _red_or_orange(moving) > 0.6 > 0.3 > _red_or_orange(plain)
    others = WarningSourceRef.objects.exclude(source="superior").values_list("row_values", flat=True)
    assert not any("pushed_level" in row for row in others)


def test_the_senders_red_is_graded_urgent_with_its_reason(year: None) -> None:
    reason = "推送方预警级别：紧急"
    superior = list(Warning.objects.filter(source="superior"))  # facts are sealed: read, not filtered
    red = [w for w in superior if w.facts.get("level") == "urgent"]
    assert len(red) > 30
    assert all(w.grade == Grade.URGENT and reason in w.grade_reasons for w in red)
    alone = [w for w in red if w.grade_reasons == [reason]]  # no money moving: the sender's level only
    assert alone
    yellow = [w for w in superior if w.facts.get("level") == "medium"]
    assert all(w.grade in (Grade.URGENT, Grade.HIGH, Grade.MEDIUM) for w in yellow)
    assert any("推送方预警级别：中" in w.grade_reasons for w in yellow)
    for ref in WarningSourceRef.objects.filter(source="superior").select_related("warning")[:200]:
        assert ref.warning.facts.get("level") == levels.read_level(ref.row_values["pushed_level"])


def test_the_superior_pushes_rows_still_unanswered_again_in_the_next_mornings_list(year: None) -> None:
    again = WarningRepush.objects.select_related("ref__warning", "batch")
    assert again.count() > 30
    assert AuditEvent.objects.get(action="demo.load").details["pushed_again"] == again.count()
    lists = ImportBatch.objects.filter(importer="warnings")
    assert lists.count() == len({r.batch_id for r in again})
    for batch in lists:
        assert batch.status == BatchStatus.COMMITTED and batch.rows_new == batch.rows_updated == 0
        assert batch.rows_unchanged == again.filter(batch=batch).count() and not batch.notices
        assert batch.file_name.startswith("上级推送未反馈预警清单_")
    leader = User.objects.get(username="leader")
    for repush in again.order_by("id")[::5]:
        ref, warning, batch = repush.ref, repush.ref.warning, repush.batch
        assert ref.source == "superior" and repush.pushed_by is None
        assert repush.received_at == list_time(ref.received_at) == batch.created_at < NOW
        assert warning.closed_at is None or warning.closed_at > repush.received_at  # unanswered then
        day = timezone.localdate(repush.received_at)
        assert feedback_refs(leader, "superior", day, day).filter(pk=ref.pk).exists()
        assert Warning.objects.filter(selectors.of_batch(batch.pk), pk=warning.pk).exists()  # 本批预警
    answered = WarningSourceRef.objects.filter(source="superior", warning__closed_at__isnull=False)
    quick = [r for r in answered.select_related("warning") if r.warning.closed_at <= list_time(r.received_at)]
    assert quick and not again.filter(ref__in=quick).exists()


def _unit_rates(rows: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Per-unit rates in per cent, as the statistics page gives them: 按时签收率, 联系及时率, 劝阻率."""
    return {
        "on_time": [100 * r["acked_on_time"] / r["ack_due"] for r in rows],
        "contact_on_time": [100 * r["contacted_on_time"] / r["contact_due"] for r in rows],
        "dissuasion": [100 * r["dissuaded"] / r["dissuadable"] for r in rows],
    }


def test_the_units_rank_apart_within_realistic_bounds(year: None) -> None:
    """The centre's monthly 考核 has something to rank: stations with many warnings differ by ten points or
    more in their on-time and dissuasion rates, some quick and some slow, none beyond what a real station
    does (on time 70–99 %, dissuading 60–95 % of those reached)."""
    units = selectors.summary(Warning.objects.all(), selectors.UNIT_FIELDS, NOW)
    rows = [r for r in units if r["total"] >= 50]
    assert len(rows) >= 6
    bounds = {"on_time": (70, 99.5), "contact_on_time": (70, 99.5), "dissuasion": (60, 95)}
    for name, rates in _unit_rates(rows).items():
        low, high = bounds[name]
        assert all(low <= rate <= high for rate in rates), (name, sorted(rates))
        assert max(rates) - min(rates) >= 10, (name, sorted(rates))
    mean_ack = [r["mean_ack"].total_seconds() for r in rows]
    mean_contact = [r["mean_contact"].total_seconds() for r in rows]
    assert max(mean_ack) > 1.5 * min(mean_ack) and max(mean_contact) > 1.5 * min(mean_contact)


def test_one_station_has_a_bad_month(year: None) -> None:
    """A month (staff away, a special operation) in which one station acknowledged far fewer in time than
    over its year."""
    acknowledged = Warning.objects.filter(
        organisation__kind="police_station", acknowledged_at__isnull=False
    ).values_list("organisation_id", "received_at", "acknowledged_at", "due_ack_at")
    by_unit: dict[int, list[bool]] = {}
    by_month: dict[tuple[int, str], list[bool]] = {}
    for unit, received, acked, due in acknowledged:
        in_time = acked <= due
        by_unit.setdefault(unit, []).append(in_time)
        by_month.setdefault((unit, f"{timezone.localtime(received):%Y-%m}"), []).append(in_time)
    drops = [
        100 * (sum(by_unit[unit]) / len(by_unit[unit]) - sum(month) / len(month))
        for (unit, _), month in by_month.items()
        if len(month) >= 20
    ]
    assert max(drops) >= 15


def test_the_villages_differ_too(year: None) -> None:
    """Per area: the villages with many warnings do not all dissuade alike."""
    villages = Warning.objects.filter(area__level="village")
    rows = [r for r in selectors.summary(villages, selectors.AREA_FIELDS, NOW) if r["dissuadable"] >= 25]
    dissuasion = _unit_rates(rows)["dissuasion"]
    assert len(rows) >= 10 and max(dissuasion) - min(dissuasion) >= 15


def test_the_demo_logins_own_open_tasks_are_within_their_deadlines(year: None) -> None:
    """However slow their station, each demo field login has tasks waiting (to acknowledge, and to reach
    the person) whose deadlines have not run out; the late ones on the board are a few, not theirs."""
    logins = ("police", "police2", "police3", "police4", "grid", "grid2", "grid3", "grid4")
    waiting = Warning.objects.exclude(status=Status.CLOSED).filter(source="tip", due_contact_at__gte=NOW)
    for username in logins:
        mine = waiting.filter(assignee__username=username, ack_breached=False)
        assert mine.filter(status=Status.ASSIGNED, due_ack_at__gte=NOW).exists(), username
        acknowledged = mine.filter(status=Status.ACKNOWLEDGED)
        assert acknowledged.filter(acknowledged_at__lte=F("due_ack_at")).exists(), username
