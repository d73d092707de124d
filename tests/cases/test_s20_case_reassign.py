"""更换承办民警: a case's officer is given to another officer who may work it (case_reassign)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanzha.audit.models import AuditEvent
from fanzha.cases import measures, services
from fanzha.cases.models import CaseEvent
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from tests.cases.helpers import add_payment, answer, make_case, send_stop
from tests.personas import PASSWORD


def colleague(world, username="police_cg2", org="城关派出所", roles=("police_officer",)):
    return org_services.user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        organisation=world.orgs[org],
        roles=list(roles),
        display_name="李卫东",
    )


def reassign(world, case, officer, actor="leader", reason="原承办民警休假"):
    return services.case_reassign(actor=world.users[actor], case=case, officer=officer, reason=reason)


def test_a_leader_gives_the_case_to_another_officer_of_the_station(world, django_capture_on_commit_callbacks):
    case = make_case(world)
    old, new = world.users["police_cg"], colleague(world)
    with django_capture_on_commit_callbacks(execute=True):
        case = reassign(world, case, new)
    case.refresh_from_db()
    assert case.officer == new and case.organisation == world.orgs["城关派出所"]
    line = CaseEvent.objects.filter(case=case).first()
    assert str(old) in line.message and str(new) in line.message and "原承办民警休假" in line.message
    audit = AuditEvent.objects.get(action="case.reassign", object_id=str(case.pk))
    assert audit.details["from"] == old.pk and audit.details["to"] == new.pk
    assert str(old) not in str(audit.details) and str(new) not in str(audit.details)
    told_new = Notification.objects.get(recipient=new)
    told_old = Notification.objects.get(recipient=old)
    assert case.number in told_new.title and case.number in told_old.title


def test_a_station_officer_may_hand_over_a_case_of_the_station(world):
    case = make_case(world)
    new = colleague(world)
    assert reassign(world, case, new, actor="police_cg").officer == new


def test_a_case_without_an_officer_gets_one(world):
    case = make_case(world, actor="leader")
    assert case.officer is None
    new = colleague(world)
    case = reassign(world, case, new)
    assert case.officer == new
    assert "未指定" in CaseEvent.objects.filter(case=case).first().message


def test_it_refuses_those_who_may_not_work_the_case(world):
    case = make_case(world)
    new = colleague(world)
    for who in ("grid_cd", "bank", "admin", "auditor"):
        with pytest.raises(PermissionDenied):
            reassign(world, case, new, actor=who)
    with pytest.raises(PermissionDenied):
        reassign(world, case, new, actor="police_lq")  # another station's case
    assert type(case).objects.get(pk=case.pk).officer == world.users["police_cg"]


@pytest.mark.parametrize("who", ["grid_cd", "bank", "police_lq", "admin"])
def test_it_refuses_a_new_officer_who_cannot_work_the_case_here(world, who):
    case = make_case(world)
    with pytest.raises(ValidationError) as exc:
        reassign(world, case, world.users[who])
    assert "officer" in exc.value.message_dict


def test_it_refuses_an_inactive_officer(world):
    case = make_case(world)
    gone = colleague(world)
    org_services.user_deactivate(actor=world.users["admin"], user=gone)
    gone.refresh_from_db()
    with pytest.raises(ValidationError):
        reassign(world, case, gone)
    assert gone not in services.eligible_officers(case)


def test_it_refuses_an_officer_of_a_deactivated_unit(world):
    case = make_case(world, actor="leader")
    new = colleague(world)
    type(new.organisation).objects.filter(pk=new.organisation_id).update(is_active=False)
    new = type(new).objects.get(pk=new.pk)
    with pytest.raises(ValidationError):
        reassign(world, case, new)
    assert new not in services.eligible_officers(case)


def test_it_lists_the_eligible_officers(world):
    case = make_case(world)
    new = colleague(world)
    eligible = services.eligible_officers(case)
    assert new in eligible and world.users["police_cg"] in eligible and world.users["leader"] in eligible
    for who in ("police_lq", "grid_cd", "bank", "admin", "auditor", "telecom"):
        assert world.users[who] not in eligible


def test_it_requires_a_reason_and_another_officer(world):
    case = make_case(world)
    with pytest.raises(ValidationError) as exc:
        reassign(world, case, colleague(world), reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        reassign(world, case, world.users["police_cg"])
    assert "officer" in exc.value.message_dict


def test_open_measures_tell_the_new_officer(world):
    case = make_case(world)
    old, new = world.users["police_cg"], colleague(world)
    stop = answer(send_stop(add_payment(case, old), old), world.users["bank"])
    reassign(world, case, new)
    Notification.objects.all().delete()
    measures.clock_check(now=stop.expires_at - dt.timedelta(hours=3))
    assert Notification.objects.filter(recipient=new, title__contains="即将到期").count() == 1
    # the old officer still hears as the one who sent the request, not as the case officer
    assert Notification.objects.filter(recipient=old, title__contains="即将到期").count() == 1


def test_open_measures_sent_by_someone_else_no_longer_tell_the_old_officer(world):
    case = make_case(world)
    old, new = world.users["police_cg"], colleague(world)
    stop = answer(send_stop(add_payment(case, old), world.users["leader"]), world.users["bank"])
    reassign(world, case, new)
    Notification.objects.all().delete()
    measures.clock_check(now=stop.expires_at - dt.timedelta(hours=3))
    assert Notification.objects.filter(recipient=new, title__contains="即将到期").count() == 1
    assert not Notification.objects.filter(recipient=old).exists()


def test_the_old_officer_may_then_be_transferred(world):
    case = make_case(world)
    old = world.users["police_cg"]
    with pytest.raises(ValidationError):
        org_services.check_transfer(
            actor=world.users["admin"], user=old, organisation=world.orgs["龙泉派出所"]
        )
    reassign(world, case, colleague(world))
    org_services.check_transfer(actor=world.users["admin"], user=old, organisation=world.orgs["龙泉派出所"])
