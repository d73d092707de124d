"""人走事不断: deactivating an account or a unit hands its open warnings on at once (s21).

Before, a deactivated grid worker's (or unit's) open warnings stayed with them: the ones not yet
contacted escalated on their deadline, the contacted ones (a 回访 to make) sat with nobody, and the
follow-up reminder skipped the inactive assignee. Now each goes, in the deactivation's transaction, to
a colleague of the same unit (a shift change: status, acknowledgement and clock kept), else where the
routing sends a new warning of its area (its clock restarted), else to the centre's queue. Open cases
are not given to anyone, but whoever may choose their new officer is told, and so is the administrator.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.cases.models import Case
from fanzha.core.models import User
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from fanzha.warnings import workflow
from fanzha.warnings.follow_ups import follow_up_remind
from fanzha.warnings.models import EventKind, Outcome, Status, Warning
from fanzha.warnings.workflow import ContactData, warning_acknowledge, warning_contact_record
from tests.cases.helpers import make_case
from tests.personas import PASSWORD, World, build_world, login
from tests.warnings.helpers import make_warning
from tests.warnings.helpers import second_grid_worker as _colleague
from tests.warnings.test_s20_same_unit_handover import _shift
from tests.warnings.test_s21_assign_race import _in_thread

KEPT = ("status", "acknowledged_at", "acknowledged_by_id", "contacted_at", "clock_started_at", "due_ack_at")


def _acknowledged(world, n: int) -> Warning:  # type: ignore[no-untyped-def]
    warning = make_warning(n)
    return warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=warning.version)


def _contacted(world, n: int) -> Warning:  # type: ignore[no-untyped-def]
    """Reached, not dissuaded yet: open (已联系), with a follow-up (回访) due today."""
    warning = _acknowledged(world, n)
    warning_contact_record(
        actor=world.users["grid_cd"],
        warning=warning,
        data=ContactData(
            kind="call",
            outcome=Outcome.REFUSED,
            follow_up_on=timezone.localdate(),
            version=warning.version,
        ),
    )
    return Warning.objects.get(pk=warning.pk)


def _deactivate(world, username: str, capture) -> list[str]:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return org_services.user_deactivate(actor=world.users["admin"], user=world.users[username])


def _moved(**on: Any) -> AuditEvent:
    """The one audit record of a re-dispatch (on the account or unit deactivated: ``on`` may say which)."""
    (audit,) = AuditEvent.objects.filter(action="warning.assign", **on)
    return audit


def _ids(audit: AuditEvent) -> list[int]:
    return [pk for first, last in audit.details["warnings"] for pk in range(first, last + 1)]


def test_a_workers_warnings_go_to_a_colleague_on_the_units_clock(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    acked, reached = _shift(_acknowledged(world, 1), 300), _contacted(world, 2)  # 4 h to sign, 5 h gone
    other = _colleague(world)
    before = {w.pk: {name: getattr(w, name) for name in KEPT} for w in (acked, reached)}
    notes = _deactivate(world, "grid_cd", django_capture_on_commit_callbacks)
    for warning in (acked, reached):
        warning.refresh_from_db()
        assert warning.assignee == other and warning.organisation == world.orgs["城东社区居委会"]
        assert {name: getattr(warning, name) for name in KEPT} == before[warning.pk]
        assert warning.acknowledged_by == world.users["grid_cd"]  # the unit's acknowledgement stands
        line = warning.events.get(kind=EventKind.HANDED_OVER)
        assert line.message == "原承办人账户停用，改派给 城东社区居委会 grid_cd2"
        assert line.actor == world.users["admin"] and "clock" not in line.data
        assert line.data["assignee"] == other.pk and line.from_status == before[warning.pk]["status"]
        assert line.data["from_assignee"] == world.users["grid_cd"].pk  # who held it, kept on its line
        assert line.data["from_organisation"] == world.orgs["城东社区居委会"].pk
    audit = _moved()
    assert audit.object_type == "core.user" and audit.object_id == str(world.users["grid_cd"].pk)
    assert audit.details["redispatch"] == "user_deactivated" and _ids(audit) == [acked.pk, reached.pk]
    assert audit.details["to"] == [{"organisation": other.organisation_id, "assignee": other.pk, "count": 2}]
    assert acked.status == Status.ACKNOWLEDGED and reached.status == Status.CONTACTED
    told = Notification.objects.get(recipient=other)  # one message for the two
    assert "2 条" in told.title and "已签收" in told.body
    assert notes == ["该用户承办的 2 条未办结预警已改派：城东社区居委会 2 条。"]
    assert follow_up_remind().workers == 1  # the 回访 due today now reminds the colleague
    assert Notification.objects.filter(recipient=other, title__startswith="预警回访提醒").exists()


def test_with_no_colleague_it_goes_where_the_routing_sends_it_on_a_fresh_clock(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    warning = _shift(_acknowledged(world, 1), 300)
    Warning.objects.filter(pk=warning.pk).update(ack_breached=True, escalated=True)
    start = timezone.now()
    notes = _deactivate(world, "grid_cd", django_capture_on_commit_callbacks)
    warning.refresh_from_db()
    # no grid worker left at 城东社区: the station covering it takes it, as a new warning there
    assert warning.organisation == world.orgs["城关派出所"] and warning.assignee == world.users["police_cg"]
    assert warning.status == Status.ASSIGNED and warning.acknowledged_at is None
    assert warning.clock_started_at >= start and warning.due_ack_at > timezone.now()
    assert not (warning.ack_breached or warning.escalated)
    line = warning.events.get(kind=EventKind.HANDED_OVER)
    assert line.message.startswith("原承办人账户停用，改派给 城关派出所 police_cg；时限自改派起重新计算")
    assert line.data["clock"]["from_organisation"] == world.orgs["城东社区居委会"].pk
    assert line.from_status == Status.ACKNOWLEDGED and _ids(_moved()) == [warning.pk]
    told = Notification.objects.get(recipient=world.users["police_cg"])
    assert "前签收" in told.body
    assert notes == ["该用户承办的 1 条未办结预警已改派：城关派出所 1 条。"]


def test_with_nobody_in_the_area_it_goes_to_the_centres_queue(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    warning = _contacted(world, 1)
    assert _deactivate(world, "police_cg", django_capture_on_commit_callbacks) == []  # held nothing
    start = timezone.now()
    notes = _deactivate(world, "grid_cd", django_capture_on_commit_callbacks)  # never refused
    warning.refresh_from_db()
    assert warning.status == Status.NEW and warning.organisation is None and warning.assignee is None
    assert warning.acknowledged_at is None and warning.clock_started_at >= start
    assert warning.contacted_at is not None  # reached: stays so
    line = warning.events.get(kind=EventKind.HANDED_OVER)
    assert line.message.startswith(f"原承办人账户停用，转入{workflow.QUEUE}；时限自改派起重新计算")
    assert _moved().details["to"] == [{"organisation": None, "assignee": None, "count": 1}]
    assert not User.objects.get(username="grid_cd").is_active
    assert notes == [f"该用户承办的 1 条未办结预警已改派：{workflow.QUEUE} 1 条。"]


def test_deactivating_a_unit_routes_its_warnings_elsewhere(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    first, second = _acknowledged(world, 1), make_warning(2)
    _colleague(world)  # of the unit going away: not a successor
    with django_capture_on_commit_callbacks(execute=True):
        changed = org_services.organisation_update(
            actor=world.users["admin"], organisation=world.orgs["城东社区居委会"], is_active=False
        )
    assert changed == ["is_active"]
    assert changed.notes == ["本单位承办的 2 条未办结预警已改派：城关派出所 2 条。"]
    for warning in (first, second):
        warning.refresh_from_db()
        assert warning.organisation == world.orgs["城关派出所"] and warning.status == Status.ASSIGNED
        line = warning.events.get(kind=EventKind.HANDED_OVER)
        assert line.message.startswith("原承办单位停用，改派给 城关派出所 police_cg；时限自改派起重新计算")
    audit = _moved()
    assert audit.details["redispatch"] == "organisation_deactivated" and audit.details["count"] == 2
    assert audit.object_type == "core.organisation" and _ids(audit) == [first.pk, second.pk]
    assert Notification.objects.get(recipient=world.users["police_cg"]).title.startswith("新预警 2 条")


def test_an_officers_open_cases_stay_and_those_who_may_reassign_them_are_told(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    notes = _deactivate(world, "police_cg", django_capture_on_commit_callbacks)
    assert Case.objects.get(pk=case.pk).officer == world.users["police_cg"]  # chosen deliberately, not here
    assert notes == [
        "该用户还是 1 起未结案件的承办民警，案件不会自动改派；"
        "已通知可更换承办民警的人员（2 人），请尽快在案件页“更换承办民警”。"
    ]
    told = Notification.objects.filter(title__contains="更换承办民警")
    assert {n.recipient.username for n in told} == {"leader", "analyst"}
    assert case.number in told[0].body and "police_cg" not in told[0].body


def test_an_account_holding_nothing_is_just_deactivated(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)  # grid_cd's, not grid_sq's
    assert _deactivate(world, "grid_sq", django_capture_on_commit_callbacks) == []
    assert not Warning.objects.filter(events__kind=EventKind.HANDED_OVER).exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="warning.assign").exists()
    assert AuditEvent.objects.filter(action="user.deactivate").count() == 1
    assert _deactivate(world, "grid_sq", django_capture_on_commit_callbacks) == []  # again: nothing


def test_the_user_page_says_how_many_were_handed_on_and_where(world, client) -> None:  # type: ignore[no-untyped-def]
    _acknowledged(world, 1)
    _colleague(world)
    login(client, world.users["admin"])
    response = client.post(reverse("user_deactivate", args=[world.users["grid_cd"].pk]), follow=True)
    page = response.content.decode()
    assert "已停用用户 grid_cd。该用户承办的 1 条未办结预警已改派：城东社区居委会 1 条。" in page
    assert "测试1" not in page  # no personal data


def test_the_unit_page_says_so_after_deactivating(world, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    unit = world.orgs["城东社区居委会"]
    login(client, world.users["admin"])
    data = {"name": unit.name, "kind": unit.kind, "area": unit.area.pk}  # 有效 unticked
    page = client.post(reverse("organisation_edit", args=[unit.pk]), data, follow=True).content.decode()
    assert "已保存。本单位承办的 1 条未办结预警已改派：城关派出所 1 条。" in page


def test_a_placement_audits_after_choosing_the_user(world) -> None:  # type: ignore[no-untyped-def]
    """Audited first, the placement held the audit chain's lock while the assignment waited for the
    chosen user's row (locked by a transfer, which then waited for the audit lock): a deadlock."""
    warning = make_warning(1, address="青溪县某某路1号")
    assert warning.status == Status.NEW and warning.needs_placement
    with CaptureQueriesContext(connection) as queries:
        workflow.warning_place(actor=world.users["analyst"], warning=warning, area=world.area("城东社区"))
    sql = [q["sql"] for q in queries.captured_queries]
    chosen = next(i for i, s in enumerate(sql) if 'FROM "core_user"' in s and "core_userrole" in s)
    audited = next(i for i, s in enumerate(sql) if 'INSERT INTO "audit_auditevent"' in s)
    assert chosen < audited
    assert Warning.objects.get(pk=warning.pk).assignee == world.users["grid_cd"]


def _deactivation_queries(world, username: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        org_services.user_deactivate(
            actor=User.objects.get(username="admin"), user=User.objects.get(username=username)
        )
    return len(queries.captured_queries)


def test_the_queries_do_not_grow_with_the_number_of_warnings(world) -> None:  # type: ignore[no-untyped-def]
    """Each warning was saved, given its history line and its own audit record (lock, last hash,
    insert) one by one: ~5 queries a warning, ~10,000 for a station with 2,000 open warnings."""
    warnings = [make_warning(n) for n in range(1, 37) if n % 10]  # medium: all grid_cd's
    taker = _colleague(world)
    many = org_services.user_create(
        actor=None,
        username="grid_cd3",
        password=PASSWORD,
        organisation=world.orgs["城东社区居委会"],
        roles=["grid_worker"],
    )
    thirty = [w.pk for w in warnings[3:]]
    Warning.objects.filter(pk__in=thirty).update(assignee=many)
    few = _deactivation_queries(world, "grid_cd")  # 3 to grid_cd2 (least loaded)
    assert _moved().details["to"] == [
        {"organisation": taker.organisation_id, "assignee": taker.pk, "count": 3}
    ]
    assert _deactivation_queries(world, "grid_cd3") == few  # 30 to grid_cd2, the one left
    audit = _moved(object_id=str(many.pk))
    assert _ids(audit) == thirty and audit.details["warnings"] == [[thirty[0], thirty[-1]]]
    assert audit.details["count"] == 30 and audit.details["to"][0]["assignee"] == taker.pk
    assert Warning.objects.filter(assignee=taker).count() == 33
    assert Warning.objects.filter(events__kind=EventKind.HANDED_OVER).count() == 33


# ── with an intake at the same moment (two connections; on PostgreSQL the row locks decide) ─────────


def _deactivation(world: World, username: str) -> Callable[[], Any]:
    def call() -> Any:
        with transaction.atomic():
            fresh = User.objects.get(username=username)
            return org_services.user_deactivate(actor=world.users["admin"], user=fresh)

    return call


@pytest.mark.django_db(transaction=True)
def test_a_deactivation_during_an_intake_that_chose_the_user_hands_its_warning_on(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    """Without the user's row locked FOR UPDATE the deactivation did not wait for the intake (its
    FOR KEY SHARE conflicts with nothing else) and the new warning stayed with the deactivated user."""
    world = build_world()
    colleague = _colleague(world)
    with transaction.atomic():  # the intake, not committed yet
        warning = make_warning(1)
        assert warning.assignee == world.users["grid_cd"]
        other, outcome = _in_thread(_deactivation(world, "grid_cd"))
        time.sleep(0.5)
        waited = other.is_alive()
    other.join(timeout=20)
    assert waited, outcome
    assert outcome == [["该用户承办的 1 条未办结预警已改派：城东社区居委会 1 条。"]], outcome
    assert Warning.objects.get(pk=warning.pk).assignee == colleague


@pytest.mark.django_db(transaction=True)
def test_an_intake_during_a_deactivation_of_the_user_it_would_choose_picks_a_colleague(
    allow_audit_flush,
) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    colleague = _colleague(world)
    with transaction.atomic():  # the deactivation, not committed yet
        _deactivation(world, "grid_cd")()
        other, outcome = _in_thread(lambda: make_warning(2))
        time.sleep(0.5)
        waited = other.is_alive()
    other.join(timeout=20)
    assert waited
    assert len(outcome) == 1 and isinstance(outcome[0], Warning), outcome
    assert outcome[0].assignee == colleague
