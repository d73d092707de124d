"""The 改发 page opens only for a request still waiting on a bank unit deactivated since; any other
request goes back to the case page saying why (s20)."""

from __future__ import annotations

from django.contrib.messages import get_messages

from fanzha.cases.models import Measure
from fanzha.core.models import Organisation
from tests.cases.helpers import add_payment, answer, make_case, send_stop


def opened(client, measure: Measure):  # type: ignore[no-untyped-def]
    response = client.get(f"/cases/measures/{measure.pk}/redirect/")
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_a_request_that_does_not_qualify_goes_back_to_the_case_saying_why(world, client) -> None:  # type: ignore[no-untyped-def]
    officer = world.users["police_cg"]
    waiting = send_stop(add_payment(make_case(world), officer), officer)
    client.force_login(officer)

    response, said = opened(client, waiting)  # its unit is still in use
    assert response.status_code == 302 and response.url == f"/cases/{waiting.case_id}/"
    assert any("仍在使用" in text and "无需改发" in text for text in said), said

    answered = answer(waiting, world.users["bank"])
    Organisation.objects.filter(pk=answered.bank_org_id).update(is_active=False)
    response, said = opened(client, answered)  # answered before its unit was deactivated
    assert response.status_code == 302 and response.url == f"/cases/{answered.case_id}/"
    assert any("只有待银行反馈的请求可以改发" in text for text in said), said


def test_a_waiting_request_to_a_gone_unit_gets_the_form(world, client) -> None:  # type: ignore[no-untyped-def]
    officer = world.users["police_cg"]
    waiting = send_stop(add_payment(make_case(world), officer), officer)
    Organisation.objects.filter(pk=waiting.bank_org_id).update(is_active=False)
    client.force_login(officer)
    response, _said = opened(client, waiting)
    assert response.status_code == 200 and 'name="bank_org"' in response.content.decode()
