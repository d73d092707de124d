"""A stop-payment in force at a bank unit deactivated since: repeating it, turning it into a freeze or
renewing it goes to the bank's current unit the officer chooses, not to the gone unit (s20)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fanzha.audit.models import AuditEvent
from fanzha.cases import measures
from fanzha.cases.models import CaseEvent, Measure, MeasureStatus
from fanzha.core.models import Organisation
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from tests.cases.helpers import add_payment, answer, make_case, send_stop


@pytest.fixture
def stopped(world) -> Measure:
    officer = world.users["police_cg"]
    return answer(send_stop(add_payment(make_case(world), officer), officer), world.users["bank"])


def deactivate(organisation: Organisation) -> Organisation:
    Organisation.objects.filter(pk=organisation.pk).update(is_active=False)
    return Organisation.objects.get(pk=organisation.pk)


def current_unit(world) -> Organisation:  # type: ignore[no-untyped-def]
    return org_services.organisation_create(
        actor=None, name="工商银行青溪分行营业部", kind="bank", area=world.area("城关镇")
    )


def test_the_follow_up_goes_to_the_unit_chosen_and_never_to_the_gone_one(
    world, stopped, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    officer = world.users["police_cg"]
    gone = deactivate(stopped.bank_org)
    with pytest.raises(ValidationError, match="已停用"):
        measures.measure_follow_up(actor=officer, measure=stopped, kind="freeze")
    with pytest.raises(ValidationError, match="在用的银行单位"):
        measures.measure_follow_up(actor=officer, measure=stopped, kind="freeze", bank_org=gone)
    assert not Measure.objects.filter(previous=stopped).exists()
    assert Measure.objects.get(pk=stopped.pk).status == MeasureStatus.IN_FORCE

    unit = current_unit(world)
    clerk = org_services.user_create(
        actor=None, username="icbc2", password="Qingxi#2026test", organisation=unit, roles=["bank_staff"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        frozen = measures.measure_follow_up(actor=officer, measure=stopped, kind="freeze", bank_org=unit)
    assert frozen.bank_org == unit and frozen.previous_id == stopped.pk
    assert Measure.objects.get(pk=stopped.pk).status == MeasureStatus.RENEWED
    assert Notification.objects.filter(recipient=clerk, title__contains="冻结请求").count() == 1
    sent = AuditEvent.objects.get(action="case.measure_send", object_id=str(frozen.pk))
    assert sent.details["redirected_from"] == gone.pk
    assert CaseEvent.objects.filter(case=stopped.case, message__contains=f"原接收单位{gone}已停用").exists()


def test_a_unit_in_use_keeps_its_follow_ups(world, stopped) -> None:  # type: ignore[no-untyped-def]
    officer = world.users["police_cg"]
    with pytest.raises(ValidationError, match="仍在使用"):
        measures.measure_follow_up(actor=officer, measure=stopped, kind="stop", bank_org=current_unit(world))
    repeated = measures.measure_follow_up(actor=officer, measure=stopped, kind="stop")
    assert repeated.bank_org_id == stopped.bank_org_id and repeated.sequence == 2
    sent = AuditEvent.objects.get(action="case.measure_send", object_id=str(repeated.pk))
    assert "redirected_from" not in sent.details


def test_the_case_page_asks_for_the_current_unit_when_the_unit_is_gone(world, stopped, client) -> None:  # type: ignore[no-untyped-def]
    deactivate(stopped.bank_org)
    unit = current_unit(world)
    client.force_login(world.users["police_cg"])
    page = client.get(f"/cases/{stopped.case_id}/").content.decode()
    url = f"/cases/measures/{stopped.pk}/follow-up/"
    assert f'href="{url}?kind=freeze"' in page and f'href="{url}?kind=stop"' in page
    form = client.get(f"{url}?kind=freeze").content.decode()
    assert 'name="bank_org"' in form and f'value="{unit.pk}"' in form and "已停用" in form
    assert f'value="{stopped.bank_org_id}"' not in form  # the gone unit is not offered

    missing = client.post(url, {"kind": "freeze"})
    assert missing.status_code == 200 and not Measure.objects.filter(previous=stopped).exists()
    done = client.post(url, {"kind": "freeze", "bank_org": unit.pk, "reason": "资金仍在账户"})
    assert done.status_code == 302
    assert Measure.objects.get(previous=stopped).bank_org == unit
