"""A request still waiting for an answer from a bank unit that has since been deactivated: the bank's
former staff are not reminded, the officers are told to re-send it (改发) to the bank's current unit,
and the case page shows the unit is gone with the 改发 button."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.cases import measures
from fanzha.cases.models import CaseEvent, EventKind, Measure, MeasureStatus
from fanzha.core.models import Organisation
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from tests.cases.helpers import add_payment, make_case, send_stop


@pytest.fixture
def waiting(world) -> Measure:
    case = make_case(world)
    return send_stop(add_payment(case, world.users["police_cg"]), world.users["police_cg"])


def deactivate(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(is_active=False)


def current_unit(world) -> Organisation:
    return org_services.organisation_create(
        actor=None, name="工商银行青溪分行营业部", kind="bank", area=world.area("城关镇")
    )


def late(measure: Measure) -> dt.datetime:
    return measure.sent_at + dt.timedelta(hours=1)


def test_the_overdue_check_tells_the_officer_not_the_gone_bank(world, waiting):
    deactivate(waiting.bank_org)
    assert measures.clock_check(now=late(waiting)).answers_overdue == 1
    assert not Notification.objects.filter(recipient=world.users["bank"]).exists()
    note = Notification.objects.get(recipient=world.users["police_cg"])
    assert "已停用" in note.title and "改发" in note.body
    assert note.link == f"/cases/measures/{waiting.pk}/redirect/"
    history = CaseEvent.objects.filter(case=waiting.case, kind=EventKind.ALERT, message__contains="已停用")
    assert history.count() == 1
    assert measures.clock_check(now=late(waiting) + dt.timedelta(hours=1)).answers_overdue == 0


def test_a_live_bank_is_still_reminded(world, waiting):
    measures.clock_check(now=late(waiting))
    assert Notification.objects.filter(recipient=world.users["bank"], title__contains="超时").count() == 1


def test_the_request_is_re_sent_to_the_banks_current_unit(world, waiting, django_capture_on_commit_callbacks):
    deactivate(waiting.bank_org)
    measures.clock_check(now=late(waiting))
    unit = current_unit(world)
    clerk = org_services.user_create(
        actor=None, username="icbc2", password="Qingxi#2026test", organisation=unit, roles=["bank_staff"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        moved = measures.measure_redirect(actor=world.users["police_cg"], measure=waiting, bank_org=unit)
    assert moved.bank_org == unit and moved.status == MeasureStatus.SENT and moved.answer_overdue_at is None
    assert timezone.now() - moved.sent_at < dt.timedelta(minutes=1)  # the answer clock starts again
    assert list(Measure.objects.visible_to(clerk)) == [moved]
    assert Notification.objects.filter(recipient=clerk, title__contains="紧急止付请求").count() == 1
    redirected = AuditEvent.objects.get(action="case.measure_redirect", object_id=str(waiting.pk))
    assert redirected.details["redirected_from"] == world.orgs["工商银行青溪支行"].pk


def test_only_a_waiting_request_to_a_gone_unit_is_re_sent(world, waiting):
    unit = current_unit(world)
    with pytest.raises(ValidationError, match="无需改发"):
        measures.measure_redirect(actor=world.users["police_cg"], measure=waiting, bank_org=unit)
    deactivate(waiting.bank_org)
    with pytest.raises(ValidationError, match="在用的银行单位"):
        gone = Organisation.objects.get(pk=waiting.bank_org_id)
        measures.measure_redirect(actor=world.users["police_cg"], measure=waiting, bank_org=gone)


def test_a_new_request_to_a_gone_unit_is_refused(world, waiting):
    deactivate(waiting.bank_org)
    payment = add_payment(waiting.case, world.users["police_cg"], to_account="6222021009988776655")
    target = measures.target_of_payment(payment)
    target.bank_org = Organisation.objects.get(pk=waiting.bank_org_id)  # chosen before it was deactivated
    with pytest.raises(ValidationError, match="已停用"):
        measures.measure_send(actor=world.users["police_cg"], case=waiting.case, target=target)


def test_the_case_page_shows_the_gone_unit_and_the_redirect(world, waiting, client):
    deactivate(waiting.bank_org)
    client.force_login(world.users["police_cg"])
    page = client.get(f"/cases/{waiting.case_id}/").content.decode()
    assert f'data-testid="bank-gone-{waiting.pk}"' in page and f'data-testid="redirect-{waiting.pk}"' in page
    unit = current_unit(world)
    answer = client.post(f"/cases/measures/{waiting.pk}/redirect/", {"bank_org": unit.pk})
    assert answer.status_code == 302
    assert Measure.objects.get(pk=waiting.pk).bank_org == unit
