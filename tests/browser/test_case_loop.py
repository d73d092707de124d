"""A case in a real browser: reported at the counter, stopped at the bank, traced downstream, returned."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fanzha.cases.models import Case, Measure, MeasureStatus, Return
from fanzha.core.services import organisations as org_services
from tests.browser.conftest import log_in
from tests.cases.helpers import PAYEE, SECOND, payee_statement, second_statement
from tests.personas import World


def _bank_answers(new_context: Any, answer: str, amount: str) -> None:
    page = new_context().new_page()
    page.goto("/cases/bank/")
    log_in(page, "bank")
    assert PAYEE not in page.content()
    page.get_by_role("link", name="处理", exact=True).first.click()
    page.select_option("#id_answer", answer)
    page.fill("#id_effective", amount)
    page.fill("#id_executed_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))  # the bank's execution
    page.get_by_role("button", name="提交反馈").click()
    page.wait_for_selector("text=已反馈，办案单位已收到通知。")


def _register(page: Any, world: World) -> Case:
    page.goto("/cases/new/")
    log_in(page, "police_cg")
    page.select_option("#id_fraud_type", "fake_investment")
    page.select_option("#id_area", str(world.area("城东社区").pk))
    page.fill("#id_reported_at", "2026-11-20T11:00")
    page.fill("#id_loss", "50,000")
    page.fill("#id_name", "赵桂兰")
    page.fill("#id_phone", "13905710077")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=案件已登记。")
    return Case.objects.get()


def _pay_and_stop(page: Any) -> None:
    page.get_by_test_id("payment-add").click()
    page.select_option("#id_victim", index=1)
    page.fill("#id_paid_at", "2026-11-20T10:00")
    page.fill("#id_amount", "50000")
    page.fill("#id_to_account", PAYEE)
    page.fill("#id_to_bank", "工商银行")
    page.get_by_role("button", name="确定").click()
    page.wait_for_selector("text=已保存。")
    page.get_by_role("link", name="止付/冻结").click()
    page.get_by_role("button", name="确定").click()
    page.wait_for_selector("text=请求已发送至银行。")
    assert "待银行反馈" in page.get_by_test_id("measures").inner_text()


def _statements_and_trace(page: Any) -> None:
    for name, data in (("payee.csv", payee_statement()), ("second.csv", second_statement())):
        page.get_by_test_id("statement-add").click()
        page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
        page.fill("#id_bank_name", "工商银行" if name == "payee.csv" else "农业银行")
        page.get_by_role("button", name="确定").click()
        page.wait_for_selector("text=已导入")
    page.get_by_role("link", name="资金溯源").click()
    page.wait_for_selector("[data-testid=trace-graph][data-rendered]")
    assert int(page.get_by_test_id("trace-graph").get_attribute("data-rendered")) >= 4
    assert page.get_by_test_id("held").inner_text() == "45,000.00 元"
    assert PAYEE not in page.content() and SECOND not in page.content()
    page.get_by_test_id("stop-downstream").click()
    page.wait_for_selector("text=已向 1 个留存资金的账户发送止付请求。")


def _freeze_and_return(page: Any, new_context: Any, case: Case) -> None:
    stop = Measure.objects.get(case=case, hop=0)
    page.get_by_test_id(f"freeze-{stop.pk}").click()
    page.wait_for_selector("text=请求已发送至银行。")
    _bank_answers(new_context, "frozen", "30000")
    page.reload()
    page.get_by_test_id("return-add").click()
    page.select_option("#id_victim", index=1)
    page.select_option("#id_measure", index=1)
    page.fill("#id_amount", "30000")
    page.fill("#id_decided_on", "2026-11-27")
    page.get_by_role("button", name="确定").click()
    page.wait_for_selector("text=返还决定已登记。")
    assert "2026-12-02" in page.get_by_test_id("returns").inner_text()  # 3 working days after a Friday
    decision = Return.objects.get(case=case)
    page.get_by_test_id(f"return-done-{decision.pk}").click()
    page.fill("#id_returned_on", "2026-12-01")
    page.get_by_role("button", name="确定").click()
    page.wait_for_selector("text=返还已登记。")


def test_a_reported_case_is_stopped_traced_and_returned(new_context: Any, live_world: World) -> None:
    org_services.organisation_create(
        actor=None, name="农业银行青溪支行", kind="bank", area=live_world.area("城关镇")
    )
    page = new_context().new_page()
    case = _register(page, live_world)
    _pay_and_stop(page)
    _bank_answers(new_context, "stopped", "30000")
    page.reload()
    clock = page.get_by_test_id("clock").first.inner_text()
    assert clock.startswith("剩余 1天23小时") or clock.startswith("剩余 2天0小时")
    _statements_and_trace(page)
    _freeze_and_return(page, new_context, case)
    assert "30,000.00 元" in page.get_by_test_id("recovery").inner_text()
    measures = Measure.objects.filter(case=case)
    assert {(m.kind, m.status) for m in measures} == {
        ("stop", MeasureStatus.RENEWED),
        ("freeze", MeasureStatus.RELEASED),
        ("stop", MeasureStatus.SENT),
    }
