"""The SLA sweep's cost, run as the worker runs it every minute (the job ``warnings.sla_check``): a
night's pushed list whose 签收 deadlines pass together breaches hundreds of warnings in one sweep, and
each breach checks every candidate supervisor (unit heads, the parent unit, ~20 centre staff) for
whether they may open it. Those checks read each user's roles and jurisdiction once a sweep, not once a
breach (about 59 queries a breach before: 11,766 for 200); and the breaches are written 500 a transaction
(``escalation.CHUNK``): the flags, the history lines and the audit records of a chunk in one statement
each, a user's notices beyond the first five in one summary — 10 queries a breach before (2,020 for 200),
about the same for 10 breaches as for 200 now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection

from fanzha.core import access
from fanzha.core.models import Organisation, User
from fanzha.core.services import organisations as org_services
from fanzha.jobs import queue
from fanzha.jobs.models import JobStatus, Notification
from fanzha.jobs.services import job_enqueue
from fanzha.warnings import services
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning
from tests.personas import PASSWORD, id_number

CENTRE_STAFF = 18  # with the personas' leader and analyst: 20 leaders and analysts
# A sweep's queries: the job's own rows, the candidates read once, and for each chunk of breaches its
# selects, the flags' UPDATE, the history lines, the audit records (the chain's end and the rows) and the
# notices — each user's first five one by one (one insert a breach: at most five breaches' worth), the
# rest in one summary a user (written once, then updated by each later chunk).
PER_SWEEP = 90  # 79 on SQLite for 10 breaches and 88 for 200 (was 120 and 2,020)


def _staff(world) -> None:  # type: ignore[no-untyped-def]
    """20 centre staff; heads for 城东社区居委会 and for its parent unit, 城关镇人民政府."""
    centre = world.orgs["青溪县反诈中心"]
    for n in range(CENTRE_STAFF):
        role = "centre_leader" if n % 3 == 0 else "centre_analyst"
        org_services.user_create(
            actor=None, username=f"centre{n:02d}", password=PASSWORD, organisation=centre, roles=[role]
        )
    government = org_services.organisation_create(
        actor=None, name="城关镇人民政府", kind="township_government", area=world.area("城关镇")
    )
    Organisation.objects.filter(pk=world.orgs["城东社区居委会"].pk).update(parent=government)
    for username, org in (("head_gov", government), ("head_cd", world.orgs["城东社区居委会"])):
        org_services.user_create(
            actor=None, username=username, password=PASSWORD, organisation=org, roles=["unit_leader"]
        )


def _breach(first: int, n: int) -> None:
    """``n`` warnings of 城东社区 whose 签收 deadline passed an hour ago: every other one urgent (a
    transfer in progress: to 城关派出所), the others medium (to the grid worker of 城东社区居委会)."""
    intake = services.Intake()
    for i in range(first, first + n):
        data = WarningInput(
            source="上级推送",
            source_id=f"Q{i:05d}",
            name=f"测试{i}",
            id_number=id_number("331102", f"{1957 + i % 9}0301", f"{i % 1000:03d}"),
            phone=f"137{i:08d}",
            address="青溪县城关镇城东社区幸福路1号",
            fraud_type="网络游戏产品虚假交易",
            warned_at="2026-11-28 09:00:00",
            transfer_in_progress=bool(i % 2),
        )
        services.receive(intake=intake, data=data)
    intake.notices.flush()
    past = dt.timedelta(minutes=300)
    for warning in Warning.objects.filter(ack_breached=False):
        fields = ("received_at", "due_ack_at", "remind_ack_at")
        Warning.objects.filter(pk=warning.pk).update(**{f: getattr(warning, f) - past for f in fields})


def _counting(call: Callable[[], Any]) -> int:
    """How many queries ``call()`` makes (counted as they run: CaptureQueriesContext keeps only the
    last 9,000, fewer than the sweep made before)."""
    made = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        made.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    return len(made)


def _sweep() -> int:
    """Run the SLA job as the worker does; returns its queries."""
    job = job_enqueue(actor=None, kind="warnings.sla_check")
    claimed = queue.job_claim("w1")
    assert claimed is not None and claimed.pk == job.pk
    return _counting(lambda: queue.job_execute(claimed, "w1") == JobStatus.SUCCEEDED)


def _told(source_id: str) -> list[str]:
    link = f"/warnings/{Warning.objects.get(source_id=source_id).pk}/"
    notices = Notification.objects.filter(title__startswith="预警超时督办", link=link)
    return sorted(notices.values_list("recipient__username", flat=True))


def test_it_costs_the_same_queries_a_breach_however_many_breach_at_once(world) -> None:  # type: ignore[no-untyped-def]
    """Each breach checked each candidate anew: 594 queries for 10 breaches, 11,766 for 200; then each
    breach made its own 10: 120 and 2,020."""
    _staff(world)
    _breach(0, 10)
    few = _sweep()
    _breach(10, 200)
    many = _sweep()
    assert Warning.objects.filter(ack_breached=True).count() == 210
    assert few <= PER_SWEEP and many <= PER_SWEEP, (few, many)  # the same however many breach


def test_each_breach_still_reaches_its_own_supervisors(world) -> None:  # type: ignore[no-untyped-def]
    """The supervisors read once for the sweep are told as before: a medium warning's unit head, its
    parent unit's head and the centre; an urgent one's station head and the centre."""
    _staff(world)
    _breach(0, 4)
    _sweep()
    centre = sorted(["leader", "analyst", *(f"centre{n:02d}" for n in range(CENTRE_STAFF))])
    assert _told("Q00000") == sorted(["grid_cd", "head_cd", "head_gov", *centre])
    assert _told("Q00001") == sorted(["police_cg", "head_cg", *centre])
    line = Warning.objects.get(source_id="Q00000").events.get(kind="escalated").message
    assert line == "签收超时，已升级督办（已通知单位负责人、上级单位和反诈中心）"


def test_the_users_loaded_for_checks_are_checked_without_a_query(world) -> None:  # type: ignore[no-untyped-def]
    """``access.with_checks_loaded``: the rule stays in core.access, the users' roles and jurisdictions
    are read with them (three queries however many users)."""
    loaded = _counting(lambda: access.with_checks_loaded(User.objects.filter(is_active=True)))
    assert loaded == 3
    users = access.with_checks_loaded(User.objects.filter(is_active=True))
    area = world.area("城东社区")
    checks = _counting(
        lambda: [(access.user_can(u, "warning.view"), access.area_visible_to(u, area)) for u in users]
    )
    assert checks == 0
    seen = {u.username: access.user_can(u, "warning.view") and access.area_visible_to(u, area) for u in users}
    assert seen["leader"] and seen["grid_cd"] and seen["head_cg"]
    assert not seen["grid_sq"] and not seen["police_lq"] and not seen["bank"]
