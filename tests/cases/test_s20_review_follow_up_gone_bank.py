"""Review (s20): a follow-up (repeat, freeze, renewal) of a measure whose bank unit was deactivated would
go to nobody at the bank; it is not sent (never 请求已发送至银行) until the officer chooses the bank's
current unit (see test_s20_followup_gone_bank_follow_up)."""

from django.contrib.messages import get_messages
from django.urls import reverse

from fanzha.cases.models import Measure, MeasureStatus
from fanzha.core.models import Organisation
from tests.cases.helpers import add_payment, answer, make_case, send_stop


def test_a_follow_up_to_a_gone_bank_unit_asks_for_the_current_unit(world, client) -> None:  # type: ignore[no-untyped-def]
    officer = world.users["police_cg"]
    stopped = answer(send_stop(add_payment(make_case(world), officer), officer), world.users["bank"])
    assert stopped.status == MeasureStatus.IN_FORCE
    Organisation.objects.filter(pk=stopped.bank_org_id).update(is_active=False)
    client.force_login(officer)
    url = reverse("case_measure_follow_up", kwargs={"pk": stopped.pk})
    response = client.post(url, {"kind": "freeze"})
    assert response.status_code == 200 and "已停用" in response.content.decode()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "请求已发送至银行。" not in said
    assert not Measure.objects.filter(previous=stopped).exists()
