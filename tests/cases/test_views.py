"""The case pages as officers and banks use them: masked, scoped, one loop from report to return."""

from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.cases.models import Case, Measure, MeasureStatus
from tests.cases.helpers import PAYEE, add_payment, make_case, send_stop


def test_it_registers_a_case_from_the_counter_form(world, client):
    client.force_login(world.users["police_cg"])
    form = {
        "fraud_type": "fake_order_rebate",
        "contact_method": "qq",
        "area": world.area("城西社区").pk,
        "reported_at": "2026-11-28T09:30",
        "occurred_at": "2026-11-27T20:00",
        "loss": "８,８００元",
        "summary": "刷单返利",
        "name": "周某",
        "id_number": "",
        "phone": "13905710009",
        "address": "城西社区",
    }
    response = client.post("/cases/new/", form)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.loss_fen == 880_000 and case.victims.get().person.phone == "13905710009"


def test_it_shows_a_form_error_instead_of_failing(world, client):
    client.force_login(world.users["police_cg"])
    page = client.post(
        "/cases/new/",
        {"area": world.area("城西社区").pk, "reported_at": "2026-11-28T09:30", "name": "周某", "loss": "abc"},
    )
    assert page.status_code == 200 and "请填写大于 0 的金额" in page.content.decode()


def test_it_masks_accounts_and_people_on_the_detail_page(world, client):
    case = make_case(world)
    send_stop(add_payment(case, world.users["police_cg"]), world.users["police_cg"])
    client.force_login(world.users["police_cg"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert PAYEE not in page and "王秀英" not in page and "王*英" in page
    assert "待银行反馈" in page and "50,000.00 元" in page


def test_it_lets_the_bank_answer_from_its_queue_and_the_clock_appears(world, client):
    case = make_case(world)
    stop = send_stop(add_payment(case, world.users["police_cg"]), world.users["police_cg"])
    client.force_login(world.users["bank"])
    queue = client.get("/cases/bank/").content.decode()
    assert case.number in queue and PAYEE not in queue
    reveal = client.post(f"/cases/measures/{stop.pk}/reveal/", {"purpose": "case"})
    assert PAYEE in reveal.content.decode() and reveal["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="pii.read", object_id=str(stop.pk)).count() == 1
    answer = client.post(
        f"/cases/bank/{stop.pk}/",
        {
            "answer": "stopped",
            "effective": "30,000",
            "balance": "30000",
            "executed_at": f"{timezone.localtime():%Y-%m-%dT%H:%M}",
        },
    )
    assert answer.status_code == 302
    assert Measure.objects.get(pk=stop.pk).status == MeasureStatus.IN_FORCE
    client.force_login(world.users["police_cg"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "剩余 1天23小时" in page or "剩余 2天0小时" in page
    assert "再次止付（余2次）" in page


def test_it_keeps_other_stations_and_banks_out(world, client):
    case = make_case(world)
    stop = send_stop(add_payment(case, world.users["police_cg"]), world.users["police_cg"])
    client.force_login(world.users["police_lq"])
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert case.number not in client.get("/cases/").content.decode()
    client.force_login(world.users["bank"])
    assert client.get(f"/cases/{case.pk}/").status_code == 403
    assert client.get(f"/cases/bank/{stop.pk}/").status_code == 200
