"""Review (s20): a follow-up (repeat, freeze, renewal) of a measure whose bank unit was deactivated goes
to nobody at the bank; the officer is told so at once, not 请求已发送至银行."""

from django.contrib.messages import get_messages
from django.urls import reverse

from fanzha.cases.models import Measure, MeasureStatus
from fanzha.core.models import Organisation
from tests.cases.helpers import add_payment, answer, make_case, send_stop


def test_a_follow_up_to_a_gone_bank_unit_says_to_re_send_it(world, client) -> None:  # type: ignore[no-untyped-def]
    officer = world.users["police_cg"]
    stopped = answer(send_stop(add_payment(make_case(world), officer), officer), world.users["bank"])
    assert stopped.status == MeasureStatus.IN_FORCE
    Organisation.objects.filter(pk=stopped.bank_org_id).update(is_active=False)
    client.force_login(officer)
    url = reverse("case_measure_follow_up", kwargs={"pk": stopped.pk})
    response = client.post(url, {"kind": "freeze"})
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    follow_up = Measure.objects.get(previous=stopped)
    assert follow_up.status == MeasureStatus.SENT
    assert "请求已发送至银行。" not in said
    assert any("已停用" in text and "改发" in text for text in said), said
