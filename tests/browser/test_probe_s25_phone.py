"""Probe s25: the warning loop on small phones (375×667, 360×740), touch only, where s23 did not go.

- 我的任务 and the live board: a row opens its warning wherever it is tapped, not only on its name.
- 记录劝阻 sent with mistakes: every problem is named at the top of the reloaded form (on the first
  screen), a file that is no photo is refused in the same round as the other mistakes, what was typed
  is kept.
- The back button after saving: the form says what is already recorded (no second record by mistake).
- The controls of the loop (actions, notes, filters, the menu) are a finger high.
"""

from __future__ import annotations

from typing import Any

from fanzha.cases.models import Case
from fanzha.cases.services import attachment_add, case_draft_from_warning
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import warning_acknowledge
from tests.browser.conftest import log_in
from tests.browser.test_probe_s23_phone import FINGER, OUTSIDE_JS
from tests.cases.helpers import add_payment, send_stop
from tests.personas import World
from tests.warnings import images
from tests.warnings.helpers import make_warning

SMALL = {"width": 375, "height": 667}
NARROW = {"width": 360, "height": 740}


def _phone(new_context: Any, errors: list[str], viewport: dict[str, int] = SMALL) -> Any:
    context = new_context(viewport=viewport, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return page


def _fits(page: Any, viewport: dict[str, int]) -> None:
    found = page.evaluate(OUTSIDE_JS)
    assert found["scrollWidth"] <= viewport["width"], f"{page.url} scrolls sideways: {found}"
    assert not found["outside"], f"{page.url}: elements past the screen's edge: {found['outside']}"


def _save(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="保存").tap()


def _tap_below_the_name(page: Any, row: Any) -> None:
    """A tap on the row's second line (grade, status, area), where a thumb lands as often as on the name."""
    box = row.bounding_box()
    with page.expect_navigation():
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] - 8)


# -- a row is one target -----------------------------------------------------------------------------


def test_a_task_opens_wherever_its_row_is_tapped(new_context: Any, live_world: World) -> None:
    warning = make_warning(1)
    assert warning.assignee.username == "grid_cd"
    errors: list[str] = []
    page = _phone(new_context, errors, NARROW)
    page.goto("/warnings/mine/")
    log_in(page, "grid_cd")
    _tap_below_the_name(page, page.get_by_test_id("my-tasks").locator("li").first)
    went = f"a tap on the task's second line went to {page.url}"
    assert page.url.endswith(f"/warnings/{warning.pk}/"), went

    board = _phone(new_context, errors, NARROW)
    board.goto("/warnings/board/")
    log_in(board, "analyst")
    _tap_below_the_name(board, board.get_by_test_id("board").locator("li").first)
    assert board.url.endswith(f"/warnings/{warning.pk}/"), f"a tap on the board's row went to {board.url}"
    assert not errors, errors


# -- a form sent with mistakes -------------------------------------------------------------------------


def _signed(world: World) -> Warning:
    warning = make_warning(2)
    return warning_acknowledge(actor=world.users["grid_cd"], warning=warning, version=warning.version)


def test_a_visit_sent_with_mistakes_says_all_of_them_on_the_first_screen(
    new_context: Any, live_world: World
) -> None:
    """上门劝阻 with an arrival time in the future and a document picked instead of the photo: both
    refusals come in one round, named at the top of the form the worker sees again, nothing typed lost."""
    warning = _signed(live_world)
    errors: list[str] = []
    page = _phone(new_context, errors)
    page.goto(f"/warnings/{warning.pk}/contact/")
    log_in(page, "grid_cd")
    page.get_by_text("上门劝阻", exact=True).tap()
    page.get_by_text("劝阻成功", exact=True).tap()
    page.fill("#id_arrived_at", "2099-01-01T10:15")
    page.fill("#id_notes", "已上门讲解游戏交易诈骗手法")
    document = {"name": "走访记录.pdf", "mimeType": "image/png", "buffer": b"%PDF-1.7 not a photo"}
    page.set_input_files("#id_photos", files=[document])
    _save(page)
    _fits(page, SMALL)
    summary = page.get_by_test_id("form-problems")
    assert summary.count() == 1, "the reloaded form names none of its problems at the top"
    box = summary.bounding_box()
    assert box["y"] + box["height"] <= SMALL["height"], "the form's problems are below the first screen"
    told = summary.inner_text()
    assert "到达时间不能晚于现在" in told, told
    assert "只能上传 JPEG、PNG 或 WebP 照片" in told, f"the document is refused in a second round: {told}"
    assert page.locator("#id_notes").input_value() == "已上门讲解游戏交易诈骗手法"
    assert page.locator("input[name=kind]:checked").get_attribute("value") == "visit"
    assert page.locator("#id_arrived_at").get_attribute("aria-invalid") == "true"
    summary.get_by_role("link").first.tap()  # each problem leads to its field
    assert (
        page.evaluate("document.activeElement.id") == "id_arrived_at"
        or page.evaluate("location.hash") == "#id_arrived_at"
    )
    assert not warning.contacts.exists()
    assert not errors, errors


def test_back_after_saving_shows_what_is_recorded(new_context: Any, live_world: World) -> None:
    """The phone's back button after 保存 lands on the empty form again: it says what is already
    recorded, so the worker does not type the same call in twice."""
    warning = _signed(live_world)
    errors: list[str] = []
    page = _phone(new_context, errors)
    page.goto(f"/warnings/{warning.pk}/")
    log_in(page, "grid_cd")
    page.get_by_role("link", name="记录电话 / 上门劝阻").tap()
    page.wait_for_url("**/contact/")
    page.get_by_text("电话劝阻", exact=True).tap()
    page.get_by_text("未接触到人", exact=True).tap()
    page.fill("#id_notes", "电话无人接听")
    _save(page)
    page.wait_for_selector("text=劝阻情况已记录。")
    page.go_back()
    page.wait_for_url("**/contact/")
    recorded = page.get_by_test_id("recorded")
    assert recorded.count() == 1, "the form shown again by the back button says nothing of the saved call"
    assert "电话劝阻 · 未接触到人" in recorded.inner_text()
    box = recorded.bounding_box()
    assert box["y"] + box["height"] <= SMALL["height"], "what is recorded is below the first screen"
    _fits(page, SMALL)
    assert not errors, errors


# -- a finger high -------------------------------------------------------------------------------------

# A checkbox or radio is tapped on its label: the taller of the box and its labels counts (a box with
# its label above it, as a plain form field, is a 13px target). Links count too, a text link in a
# sentence as much as one styled as a button.
SMALL_TARGETS_JS = """
(root, finger) => {
  const out = [];
  const targets = 'a[href], button, input, select, textarea, label.form-check-label';
  for (const el of root.querySelectorAll(targets)) {
    if (el.type === 'hidden') continue;
    const boxes = [el, ...(['checkbox', 'radio'].includes(el.type) ? Array.from(el.labels) : [])];
    const shown = boxes.map((b) => b.getBoundingClientRect()).filter((r) => r.width && r.height);
    if (!shown.length) continue;
    const height = Math.max(...shown.map((r) => r.height));
    const name = (el.innerText || el.name || '').trim().slice(0, 12);
    if (height < finger) out.push(`${el.tagName} ${name}: ${Math.round(height)}px`);
  }
  return out;
}
"""


def _finger_high(page: Any, selector: str = "main") -> None:
    small = page.locator(selector).evaluate(SMALL_TARGETS_JS, FINGER)
    assert not small, f"{page.url}: targets under {FINGER}px tall: {small}"


def test_the_loops_controls_are_a_finger_high(new_context: Any, live_world: World) -> None:
    warning = _signed(live_world)
    errors: list[str] = []
    page = _phone(new_context, errors)
    page.goto(f"/warnings/{warning.pk}/")
    log_in(page, "grid_cd")
    _finger_high(page)  # 记录, 转交, 办结, the note and its 添加
    _finger_high(page, "nav")  # the menu's toggle
    page.get_by_role("link", name="转交").tap()
    page.wait_for_url("**/handover/")
    _finger_high(page)

    centre = _phone(new_context, errors)
    centre.goto("/warnings/")
    log_in(centre, "analyst")
    _finger_high(centre)  # the filters, 筛选, 中心待分派
    centre.goto("/imports/new/warnings/")
    _finger_high(centre)  # the file, 仅检查, 上传并检查
    _fits(centre, SMALL)
    assert not errors, errors


def _case_with_links(world: World) -> Case:
    """A case drafted from a warning (预警 #, 人员页, the related warnings), with a payment under a
    stop-payment (its buttons) and an attachment (its link)."""
    officer = world.users["police_cg"]
    case = case_draft_from_warning(actor=officer, warning=make_warning(3))
    send_stop(add_payment(case, officer), officer)
    attachment_add(actor=officer, case=case, title="转账截图", data=images.png())
    return case


def test_the_case_pages_links_are_a_finger_high(new_context: Any, live_world: World) -> None:
    """The case page an officer opens on a phone: its links (承办民警, the warning, the person, the
    attachment, back to the list) are as tall as its buttons, not a line of small text."""
    case = _case_with_links(live_world)
    errors: list[str] = []
    page = _phone(new_context, errors)
    page.goto(f"/cases/{case.pk}/")
    log_in(page, "police_cg")
    for name in ("更换承办民警", f"预警 #{case.warning_id}", "人员页", "转账截图", "返回案件列表"):
        assert page.locator("main").get_by_role("link", name=name).count() >= 1, f"no link {name}"
    _finger_high(page)
    _fits(page, SMALL)
    assert not errors, errors
