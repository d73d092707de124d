"""Probe s23: the warning loop on a 390×844 phone, the centre's dispatcher first, then the field.

Two browser sessions: the dispatcher imports a pushed list and reads the list, board, stats and a
warning; the police officer it was routed to signs for one, records a call and a home visit with a
photo, and closes another; the dispatcher sees them closed. Every page is checked for what a phone
user hits: sideways scrolling, elements outside the screen, a JavaScript error, raw codes.
"""

from __future__ import annotations

from typing import Any

from fanzha.warnings.models import Outcome, Status, Warning
from tests.browser.conftest import log_in
from tests.personas import World
from tests.warnings import images
from tests.warnings.files import row, warning_csv

PHONE = {"width": 390, "height": 844}
FINGER = 44  # px: the smallest comfortable tap target (Apple HIG; Android asks 48 dp)

# Elements wider than the screen inside a container that scrolls them sideways (a wide table in
# .table-responsive) are fine; anything else past the right edge is cut off on a phone.
OUTSIDE_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || scrolls(el)) continue;
    if (r.right > width + 1 || r.left < -1) out.push(`${el.tagName}.${el.className} ${r.right}px`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, outside: out.slice(0, 5)};
}
"""


def _phone_page(new_context: Any, errors: list[str]) -> Any:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"{page.url}: {msg.text}"))
    return page


def _fits(page: Any) -> None:
    found = page.evaluate(OUTSIDE_JS)
    assert found["scrollWidth"] <= PHONE["width"], f"{page.url} scrolls sideways: {found}"
    assert not found["outside"], f"{page.url}: elements past the screen's edge: {found['outside']}"


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    _fits(page)


def _import_and_look(page: Any) -> None:
    """The dispatcher imports the day's pushed list and looks at where it went."""
    page.goto("/imports/new/warnings/")
    log_in(page, "analyst")
    _fits(page)
    pushed = [
        row(1, fraud_type="冒充公检法", amount="50000"),
        row(2, fraud_type="冒充公检法", amount="50000"),
        row(3, source_id=""),  # a sender's list without 预警编号
    ]
    page.set_input_files(
        "#id_file",
        files=[{"name": "推送清单.csv", "mimeType": "text/csv", "buffer": warning_csv(pushed)}],
    )
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/imports/*/")
    _fits(page)
    message = page.get_by_role("alert").inner_text()
    assert message.startswith("已导入"), message
    assert "已导入：已导入" not in message, f"the import's message says its status twice: {message}"
    for url in ("/warnings/", "/warnings/board/", "/warnings/stats/", "/"):
        _visit(page, url)
    unnumbered = Warning.objects.exclude(source_id__startswith="YJ").get()
    _visit(page, f"/warnings/{unnumbered.pk}/")
    shown = page.locator("main").inner_text()
    assert "row:" not in shown, "a warning pushed without 预警编号 shows the system's internal key"
    assert "无编号" in shown


def _sign_and_visit(page: Any, warning: Warning) -> None:
    """签收, a call that reached no one, then the home visit that dissuaded: the warning closes."""
    _visit(page, f"/warnings/{warning.pk}/")
    page.get_by_role("button", name="签收").tap()
    page.wait_for_selector("text=已签收，请尽快联系当事人。")
    page.get_by_role("link", name="记录电话 / 上门劝阻").tap()
    page.wait_for_url("**/contact/")
    _fits(page)
    for group, options in (("方式", ("电话劝阻", "上门劝阻")), ("结果", tuple(Outcome.labels))):
        fieldset = page.get_by_role("group", name=group)
        assert fieldset.count() == 1, f"the {group} choices are not one group named {group}"
        for option in options:
            box = fieldset.get_by_text(option, exact=True).bounding_box()
            assert box["height"] >= FINGER, f"{option}: a {box['height']:.0f}px tall target to tap"
    page.get_by_text("电话劝阻", exact=True).tap()
    page.get_by_text("未接触到人", exact=True).tap()
    page.fill("#id_notes", "电话无人接听")
    page.get_by_role("button", name="保存").tap()
    page.wait_for_selector("text=劝阻情况已记录。")
    page.get_by_role("link", name="记录电话 / 上门劝阻").tap()
    page.get_by_text("上门劝阻", exact=True).tap()
    page.get_by_text("劝阻成功", exact=True).tap()
    page.fill("#id_arrived_at", "2026-11-30T10:15")
    page.fill("#id_notes", "已上门讲解冒充公检法诈骗手法，当事人表示不再转账")
    page.set_input_files(
        "#id_photos", files=[{"name": "visit.png", "mimeType": "image/png", "buffer": images.png()}]
    )
    page.get_by_role("button", name="保存").tap()
    page.wait_for_selector("text=劝阻情况已记录。")
    _fits(page)


def _close_by_hand(page: Any, warning: Warning) -> None:
    """办结 without a contact: the outcome is the worker's choice, never one the form chose for them."""
    _visit(page, f"/warnings/{warning.pk}/")
    page.get_by_role("link", name="办结").tap()
    page.wait_for_url("**/close/")
    _fits(page)
    assert page.locator("#id_outcome").input_value() == "", "办结 starts with an outcome chosen"
    page.fill("#id_reason", "推送单位来电说明系误推")
    page.get_by_role("button", name="确定").tap()
    page.wait_for_load_state()
    warning.refresh_from_db()
    assert warning.status != Status.CLOSED, "closed with an outcome the worker never chose"
    page.select_option("#id_outcome", Outcome.INVALID)
    page.get_by_role("button", name="确定").tap()
    page.wait_for_selector("text=已办结。")
    warning.refresh_from_db()
    assert (warning.status, warning.outcome) == (Status.CLOSED, Outcome.INVALID)


def test_a_pushed_list_is_worked_to_the_end_on_phones(new_context: Any, live_world: World) -> None:
    errors: list[str] = []
    page = _phone_page(new_context, errors)
    _import_and_look(page)
    visited = Warning.objects.get(source_id="YJ000001")
    invalid = Warning.objects.get(source_id="YJ000002")
    # the police officer on the seeded grading rules; the grid worker when an earlier test's flush took them
    assert visited.assignee is not None and invalid.assignee_id == visited.assignee_id

    officer = _phone_page(new_context, errors)
    officer.goto("/warnings/mine/")
    log_in(officer, visited.assignee.username)
    _fits(officer)
    _sign_and_visit(officer, visited)
    visited.refresh_from_db()
    assert (visited.status, visited.outcome) == (Status.CLOSED, Outcome.DISSUADED)
    assert [c.photos.count() for c in visited.contacts.order_by("pk")] == [0, 1]
    _close_by_hand(officer, invalid)

    for url in ("/warnings/?status=closed", "/warnings/board/", "/warnings/stats/"):
        _visit(page, url)
    assert not errors, errors
