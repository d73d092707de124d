"""Leftovers of s20 (s21): a closed case's officer can be replaced (an officer who leaves hands over
closed cases too — returns, releases and questions about them still arrive), and a reassignment and a
改发 are audited under their own event types."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.cases import measures, services
from fanzha.cases.models import Case, CaseEvent, Status
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from tests.cases.helpers import add_payment, make_case, send_stop
from tests.cases.test_s20_case_reassign import colleague
from tests.cases.test_s20_deactivated_bank import current_unit, deactivate


def closed_case(world, to=Status.CLOSED) -> Case:
    case = make_case(world)
    services.case_advance(actor=world.users["police_cg"], case=case, to=to)
    case.refresh_from_db()
    assert not case.is_open
    return case


def reassign(world, case, officer, actor="leader", reason="原承办民警调离"):
    return services.case_reassign(actor=world.users[actor], case=case, officer=officer, reason=reason)


def officer_audits(case):
    return AuditEvent.objects.filter(action="case.reassign", object_id=str(case.pk))


# --- 2. a closed case's officer --------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.CLOSED, Status.NOT_FILED])
def test_a_closed_case_goes_to_another_officer_with_its_history_and_audit(
    world, status, django_capture_on_commit_callbacks
):
    case = closed_case(world, status)
    old, new = world.users["police_cg"], colleague(world)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        case = reassign(world, case, new)
    case.refresh_from_db()
    assert case.officer == new and case.status == status  # still closed
    line = CaseEvent.objects.filter(case=case).first()
    assert str(old) in line.message and str(new) in line.message and "原承办民警调离" in line.message
    audit = officer_audits(case).get()
    assert audit.details == {"from": old.pk, "to": new.pk, "status": status}
    # The new officer is told the closed case is now theirs, without being urged to chase deadlines;
    # the old officer (usually leaving) has no open work to stop.
    told = Notification.objects.get(recipient=new)
    assert case.number in told.title and "已" in told.body and "时限" not in told.body
    assert not Notification.objects.filter(recipient=old).exists()


def test_a_closed_case_still_refuses_an_officer_who_cannot_hold_it(world):
    case = closed_case(world)
    for who in ("bank", "grid_cd", "police_lq", "admin"):
        with pytest.raises(ValidationError) as exc:
            reassign(world, case, world.users[who])
        assert "officer" in exc.value.message_dict
    gone = colleague(world)
    org_services.user_deactivate(actor=world.users["admin"], user=gone)
    gone.refresh_from_db()
    with pytest.raises(ValidationError):
        reassign(world, case, gone)
    with pytest.raises(ValidationError) as exc:
        reassign(world, case, colleague(world, username="police_cg3"), reason=" ")
    assert "reason" in exc.value.message_dict
    assert Case.objects.get(pk=case.pk).officer == world.users["police_cg"]


def test_a_closed_case_is_reassigned_only_by_those_who_may_reassign(world):
    case = closed_case(world)
    new = colleague(world)
    for who in ("grid_cd", "bank", "admin", "auditor", "police_lq"):
        with pytest.raises(PermissionDenied):
            reassign(world, case, new, actor=who)
    assert Case.objects.get(pk=case.pk).officer == world.users["police_cg"]


def test_the_closed_case_page_offers_the_reassignment_and_it_works(world, client):
    case = closed_case(world)
    new = colleague(world)
    client.force_login(world.users["leader"])
    url = reverse("case_reassign", kwargs={"pk": case.pk})
    detail = client.get(reverse("case_detail", kwargs={"pk": case.pk})).content.decode()
    assert url in detail
    assert "修改案件信息" not in detail  # the rest of a closed case stays read-only
    form = client.get(url)
    offered = {u.pk for u in form.context["form"].fields["officer"].queryset}
    assert form.status_code == 200 and new.pk in offered
    response = client.post(url, {"officer": new.pk, "reason": "原承办民警调离"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert Case.objects.get(pk=case.pk).officer == new


def test_the_closed_case_page_offers_no_reassignment_to_those_who_only_read(world, client):
    case = closed_case(world)
    client.force_login(world.users["auditor"])
    detail = client.get(reverse("case_detail", kwargs={"pk": case.pk}))
    if detail.status_code == 200:
        assert reverse("case_reassign", kwargs={"pk": case.pk}) not in detail.content.decode()
    assert client.get(reverse("case_reassign", kwargs={"pk": case.pk})).status_code in (403, 404)


def test_the_leaving_officer_with_only_closed_cases_hands_them_over_and_is_transferred(world):
    case = closed_case(world)
    old = world.users["police_cg"]
    reassign(world, case, colleague(world))
    org_services.user_update(actor=world.users["admin"], user=old, organisation=world.orgs["龙泉派出所"])
    assert not Case.objects.filter(officer=old).exists()


# --- 3. dedicated audit events ---------------------------------------------------------------------


def test_an_open_case_reassignment_is_audited_as_case_reassign(world, django_capture_on_commit_callbacks):
    case = make_case(world)
    old, new = world.users["police_cg"], colleague(world)
    with django_capture_on_commit_callbacks(execute=True):
        reassign(world, case, new)
    audit = officer_audits(case).get()
    assert audit.details == {"from": old.pk, "to": new.pk, "status": Status.REPORTED}
    assert str(old) not in str(audit.details) and str(new) not in str(audit.details)
    assert not AuditEvent.objects.filter(action="case.update", details__part="officer").exists()
    # open work: both are told, as before
    assert Notification.objects.filter(recipient=new, title__contains=case.number).exists()
    assert Notification.objects.filter(recipient=old, title__contains=case.number).exists()


def test_a_redirect_is_audited_as_case_measure_redirect(world):
    case = make_case(world)
    waiting = send_stop(add_payment(case, world.users["police_cg"]), world.users["police_cg"])
    former = waiting.bank_org
    deactivate(former)
    unit = current_unit(world)
    sends_before = AuditEvent.objects.filter(action="case.measure_send").count()
    measures.measure_redirect(actor=world.users["police_cg"], measure=waiting, bank_org=unit)
    event = AuditEvent.objects.filter(action="case.measure_redirect", object_id=str(waiting.pk)).get()
    assert event.details["redirected_from"] == former.pk and event.details["redirected_to"] == unit.pk
    assert event.details["case"] == case.pk and event.details["kind"] == waiting.kind
    assert AuditEvent.objects.filter(action="case.measure_send").count() == sends_before
    assert waiting.account not in str(event.details)
