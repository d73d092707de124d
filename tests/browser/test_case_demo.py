"""In the demo county: this morning's case goes from the waiting stop-payment to the bank's answer,
the downstream trace and stop-payments, a freeze and the recorded return, with the clocks visible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from fanzha.cases.models import Measure, MeasureStatus, Return
from fanzha.demo.accounts import DEMO_PASSWORD
from fanzha.demo.build import demo_load
from tests.browser.conftest import clear_audit_log, log_in


@pytest.fixture
def demo(transactional_db: None, allow_audit_flush: None) -> Iterator[None]:
    demo_load()
    yield
    clear_audit_log()


def _bank(new_context: Any, measure: Measure, answer: str, amount: str) -> None:
    page = new_context().new_page()
    page.goto(f"/cases/bank/{measure.pk}/")
    log_in(page, "bank", DEMO_PASSWORD)
    page.select_option("#id_answer", answer)
    page.fill("#id_effective", amount)
    page.fill("#id_executed_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))  # the bank's execution
    page.get_by_role("button", name="提交反馈").click()
    page.wait_for_selector("text=已反馈，办案单位已收到通知。")


def test_the_demo_case_is_stopped_traced_frozen_and_returned(new_context: Any, demo: None) -> None:
    waiting = Measure.objects.select_related("case").get(status=MeasureStatus.SENT, hop=0)
    case = waiting.case
    page = new_context().new_page()
    page.goto("/cases/")
    log_in(page, "police", DEMO_PASSWORD)
    assert "剩余" in page.get_by_test_id("clock-board").inner_text()  # other cases' clocks are running
    _bank(new_context, waiting, "stopped", "90,000")
    page.goto(f"/cases/{case.pk}/")
    assert (
        page.get_by_test_id(f"measure-{waiting.pk}").get_by_test_id("clock").inner_text().startswith("剩余")
    )
    payment = case.payments.get()
    page.get_by_test_id(f"trace-{payment.pk}").click()
    page.wait_for_selector("[data-testid=trace-graph][data-rendered]")
    assert int(page.get_by_test_id("trace-graph").get_attribute("data-rendered")) >= 6
    page.get_by_test_id("stop-downstream").click()
    page.wait_for_selector("text=留存资金的账户发送止付请求")
    downstream = Measure.objects.filter(case=case, hop__gt=0)
    assert downstream.count() >= 3 and {m.status for m in downstream} == {MeasureStatus.SENT}
    page.get_by_test_id(f"freeze-{waiting.pk}").click()
    page.wait_for_selector("text=请求已发送至银行。")
    freeze = Measure.objects.get(previous=waiting)
    _bank(new_context, freeze, "frozen", "90,000")
    page.reload()
    page.get_by_test_id("return-add").click()
    page.select_option("#id_victim", index=1)
    page.select_option("#id_measure", index=1)
    page.fill("#id_amount", "90000")
    page.get_by_role("button", name="确定").click()
    page.wait_for_selector("text=返还决定已登记。")
    decision = Return.objects.get(case=case)
    page.get_by_test_id(f"return-done-{decision.pk}").click()
    page.get_by_role("button", name="确定").click()
    page.wait_for_selector("text=返还已登记。")
    assert "90,000.00 元" in page.get_by_test_id("recovery").inner_text()
    assert Measure.objects.get(pk=freeze.pk).status == MeasureStatus.RELEASED
