"""``fanzha warnings redispatch-stranded`` (s22): open warnings left with an account or unit deactivated
before 停用后改派 existed (or through Django's admin, or brought back by a restore) are handed on.

Before, nothing found them: they sat with nobody until someone noticed. Now the command hands each on
through the deactivation's own service — to a colleague, where the routing sends it, or to the centre's
queue, with the same history lines, audit record and notices — and says how many went which way.
"""

from __future__ import annotations

import io

from django.core.management import call_command

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Organisation, User
from fanzha.jobs.models import Notification
from fanzha.warnings import workflow
from fanzha.warnings.models import EventKind, Status, Warning
from fanzha.warnings.workflow import warning_acknowledge
from tests.warnings.helpers import make_warning
from tests.warnings.helpers import second_grid_worker as _colleague

NOTHING = "redispatched: 0 to colleagues, 0 re-routed, 0 to the centre's queue"


def _run() -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("warnings", "redispatch-stranded", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return out.getvalue(), int(exc.code or 0)
    return out.getvalue(), 0


def _switched_off(model: type[User] | type[Organisation], pk: int) -> None:
    """Deactivated as Django's admin or a restored backup does it: the row only, nothing handed on."""
    model.objects.filter(pk=pk).update(is_active=False)


def test_an_accounts_warnings_go_to_a_colleague(world) -> None:  # type: ignore[no-untyped-def]
    first = make_warning(1)
    acked = warning_acknowledge(actor=world.users["grid_cd"], warning=first, version=first.version)
    second = make_warning(2)
    other = _colleague(world)
    _switched_off(User, world.users["grid_cd"].pk)
    assert workflow.stranded().count() == 2
    out, code = _run()
    assert code == 0, out
    assert out.splitlines()[-1] == "redispatched: 2 to colleagues, 0 re-routed, 0 to the centre's queue"
    assert "城东社区居委会 2 条" in out and "测试" not in out  # unit names and counts, no personal data
    for warning in (acked, second):
        warning.refresh_from_db()
        assert warning.assignee == other and warning.organisation == world.orgs["城东社区居委会"]
        line = warning.events.get(kind=EventKind.HANDED_OVER)
        assert line.message == "原承办人账户停用，改派给 城东社区居委会 grid_cd2" and line.actor is None
    assert acked.status == Status.ACKNOWLEDGED  # a shift change, as on deactivation
    (audit,) = AuditEvent.objects.filter(action="warning.assign")
    assert audit.details["redispatch"] == "user_deactivated" and audit.details["count"] == 2
    assert audit.object_id == str(world.users["grid_cd"].pk)
    assert Notification.objects.filter(recipient=other).count() == 1


def test_a_units_warnings_are_re_routed_and_an_account_with_no_one_left_goes_to_the_queue(world) -> None:  # type: ignore[no-untyped-def]
    routed = make_warning(1)  # 城东社区居委会's (grid_cd)
    queued = make_warning(2, address="龙泉乡石桥村2组")  # grid_sq's
    assert queued.assignee == world.users["grid_sq"]
    _switched_off(Organisation, world.orgs["城东社区居委会"].pk)
    for name in ("grid_sq", "police_lq"):  # 石桥村: no grid worker left, nor the station covering it
        _switched_off(User, world.users[name].pk)
    out, code = _run()
    assert code == 0, out
    assert out.splitlines()[-1] == "redispatched: 0 to colleagues, 1 re-routed, 1 to the centre's queue"
    routed.refresh_from_db()
    queued.refresh_from_db()
    assert routed.organisation == world.orgs["城关派出所"] and routed.assignee == world.users["police_cg"]
    assert routed.events.get(kind=EventKind.HANDED_OVER).message.startswith(
        "原承办单位停用，改派给 城关派出所 police_cg；时限自改派起重新计算"
    )
    assert queued.organisation is None and queued.assignee is None and queued.status == Status.NEW
    assert queued.events.get(kind=EventKind.HANDED_OVER).message.startswith(
        f"原承办人账户停用，转入{workflow.QUEUE}"
    )
    kinds = set(
        AuditEvent.objects.filter(action="warning.assign").values_list("details__redispatch", flat=True)
    )
    assert kinds == {"user_deactivated", "organisation_deactivated"}


def test_a_warning_whose_account_and_unit_are_both_inactive_is_handed_on_once(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    _colleague(world)
    _switched_off(User, world.users["grid_cd"].pk)
    _switched_off(Organisation, world.orgs["城东社区居委会"].pk)
    out, code = _run()
    assert code == 0 and out.splitlines()[-1].startswith("redispatched: 0 to colleagues, 1 re-routed")
    warning.refresh_from_db()
    assert warning.organisation == world.orgs["城关派出所"]  # not to the inactive unit's colleague
    assert warning.events.filter(kind=EventKind.HANDED_OVER).count() == 1


def test_a_second_run_finds_nothing_and_says_so(world) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    _colleague(world)
    _switched_off(User, world.users["grid_cd"].pk)
    assert _run()[1] == 0
    out, code = _run()
    assert code == 0
    assert out.splitlines() == ["没有停用账户或单位名下的未办结预警。", NOTHING]
    assert not workflow.stranded().exists()
    assert Warning.objects.filter(events__kind=EventKind.HANDED_OVER).count() == 1


def test_closed_warnings_and_the_centres_queue_are_not_stranded(world) -> None:  # type: ignore[no-untyped-def]
    queue = make_warning(1, address="青溪县某某路1号")  # not placed: the centre's queue
    assert queue.organisation is None and queue.status == Status.NEW
    closed = make_warning(2)
    Warning.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    _switched_off(User, world.users["grid_cd"].pk)
    assert not workflow.stranded().exists()
    assert _run() == ("没有停用账户或单位名下的未办结预警。\n" + NOTHING + "\n", 0)


def test_it_counts_the_open_cases_whose_officer_is_gone_and_leaves_them_be(world) -> None:  # type: ignore[no-untyped-def]
    from tests.cases.helpers import make_case

    case = make_case(world)
    _switched_off(User, case.officer_id)
    out, code = _run()
    assert code == 0 and "另有 1 起未结案件的承办民警账户或单位已停用" in out
    assert out.splitlines()[-1] == NOTHING
    case.refresh_from_db()
    assert case.officer_id == world.users["police_cg"].pk  # an officer is chosen, not assigned here
