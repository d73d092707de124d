"""An analyst pastes a scam message on the screening page and sees the level, the evidence and the advice."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fanzha.screening.typology import load_typology
from tests.browser.conftest import log_in
from tests.personas import World

SCAM = (
    "【工商银行】尊敬的客户，您的账户积分已满10000分，可兑换298元现金，"
    "请登录 http://wap-icbc.cc 兑换，逾期清零。"
)


@pytest.fixture
def engine() -> None:
    try:
        from fanzha.screening import screen_texts

        screen_texts(["测试"])
    except Exception as exc:  # noqa: BLE001 - any failure to load means "not available here"
        pytest.skip(f"the screening engine cannot load its models here: {exc!r}")


def test_it_screens_a_pasted_scam_message(page: Any, live_world: World, engine: None) -> None:
    page.goto("/screen/")
    log_in(page, "analyst")
    assert page.url.endswith("/screen/"), page.url
    page.get_by_test_id("screen-input").fill(SCAM)
    with page.expect_response(re.compile(r"/screen/$")) as answer:
        page.get_by_test_id("screen-submit").click()
    assert answer.value.status == 200
    level = page.get_by_test_id("screen-level")
    level.wait_for()
    assert page.url.endswith("/screen/"), "htmx swapped the result in, the page did not reload"
    assert level.get_attribute("data-level") in {"medium", "high"}
    assert level.inner_text() in {"中", "高"}
    category = page.get_by_test_id("screen-category").inner_text()
    fraud_type = next(t for t in load_typology().all() if t.name == category)
    assert fraud_type.risky
    assert fraud_type.advice in page.get_by_test_id("screen-advice").inner_text()
    assert page.locator("[data-testid=screen-evidence] mark").count() >= 1
    assert re.fullmatch(r"\d{1,3}%", page.get_by_test_id("screen-score").inner_text())
