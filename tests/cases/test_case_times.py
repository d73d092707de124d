"""报案时间 and 发案时间 are moments past: one in the future is refused, at the counter and in the list."""

import datetime as dt

from django.utils import timezone

from fanzha.cases.models import Case
from fanzha.imports.pipeline import import_run
from tests.cases.helpers import make_case, paid_at
from tests.cases.test_importer import ROWS, _xlsx


def _local(delta: dt.timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def _counter_form(world, **fields):
    form = {
        "fraud_type": "fake_order_rebate",
        "contact_method": "qq",
        "area": world.area("城西社区").pk,
        "reported_at": _local(dt.timedelta(0)),
        "name": "周某",
        "phone": "13905710009",
    }
    return {**form, **fields}


def test_the_counter_refuses_a_fraud_that_happens_tomorrow(world, client):
    client.force_login(world.users["police_cg"])
    page = client.post("/cases/new/", _counter_form(world, occurred_at=_local(dt.timedelta(hours=30))))
    assert page.status_code == 200 and "发案时间不能晚于现在" in page.content.decode()
    assert not Case.objects.exists()


def test_the_counter_refuses_a_report_dated_next_year(world, client):
    client.force_login(world.users["police_cg"])
    page = client.post("/cases/new/", _counter_form(world, reported_at=_local(dt.timedelta(days=400))))
    assert page.status_code == 200 and "报案时间不能晚于现在" in page.content.decode()
    assert not Case.objects.exists()


def test_a_fraud_earlier_today_is_registered(world, client):
    client.force_login(world.users["police_cg"])
    page = client.post("/cases/new/", _counter_form(world, occurred_at=_local(-dt.timedelta(hours=3))))
    assert page.status_code == 302 and Case.objects.count() == 1


def test_the_list_refuses_a_row_reported_in_the_future_naming_the_column(world):
    row = ROWS[2][:]
    row[1] = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="a.xlsx", data=_xlsx([row]))
    assert not result.ok and not Case.objects.exists()
    assert [(e["column"], e["message"]) for e in result.errors] == [("报案时间", "报案时间不能晚于现在")]


def _edit_form(world, case, **fields):
    form = {
        "fraud_type": case.fraud_type,
        "contact_method": case.contact_method,
        "area": case.area_id,
        "occurred_at": timezone.localtime(case.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "reported_at": timezone.localtime(case.reported_at).strftime("%Y-%m-%dT%H:%M"),
        "loss": "50000",
    }
    return {**form, **fields}


def test_editing_a_case_refuses_a_fraud_in_the_future(world, client):
    case = make_case(world)
    client.force_login(world.users["police_cg"])
    tomorrow = _local(dt.timedelta(hours=30))
    page = client.post(f"/cases/{case.pk}/edit/", _edit_form(world, case, occurred_at=tomorrow))
    assert page.status_code == 200 and "发案时间不能晚于现在" in page.content.decode()
    case.refresh_from_db()
    assert case.occurred_at == paid_at()


def test_editing_a_case_keeps_the_corrected_report_time(world, client):
    case = make_case(world)
    client.force_login(world.users["police_cg"])
    page = client.post(f"/cases/{case.pk}/edit/", _edit_form(world, case, reported_at="2026-11-21T08:15"))
    assert page.status_code == 302
    case.refresh_from_db()
    assert timezone.localtime(case.reported_at).strftime("%Y-%m-%d %H:%M") == "2026-11-21 08:15"
