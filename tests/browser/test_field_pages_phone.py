"""The field pages at 360 px wide (a small Android phone), checked element by element.

A grid worker and a police officer work their warnings on a phone: the login, the home page it leads
to, 我的预警, a warning (签收 first, then a call, a visit with a photo and a 回访日期), 转交 with its reason,
the live board, 消息, and the case draft that 已被骗 opens. Every page, with its menu opened too, is
checked over all its elements, so a later change that breaks the phone layout fails here:

- nothing wider than the screen: no sideways scrolling, no element past its edge (outside a box that
  scrolls it, as a wide table's);
- every control a finger high (44 px): links, buttons, fields, a choice's label, a row opened by a tap
  anywhere on it (a ``stretched-link``: its row is the target);
- every field with a label on the screen (not only a placeholder, gone once the worker types);
- a word or an amount (a table's heading or cell, a link, a label) on one line, not cut into pieces.

The check is over the page's DOM, never a screenshot comparison.
"""

from __future__ import annotations

from typing import Any

from fanzha.warnings import workflow
from fanzha.warnings.models import Outcome, Warning
from tests.browser.conftest import log_in
from tests.browser.test_probe_s23_phone import FINGER
from tests.personas import World
from tests.warnings import images
from tests.warnings.helpers import make_warning

NARROW = {"width": 360, "height": 740}

PHONE_LAYOUT_JS = r"""
(finger) => {
  const width = document.documentElement.clientWidth;
  const shown = (r) => r.width > 1 && r.height > 1;
  const named = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} `
    + `"${(el.innerText || el.value || el.name || el.placeholder || '').trim().slice(0, 16)}"`;
  const scrolled = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  // The box a tap lands on: a stretched link's row (its ::after covers its positioned ancestor), a
  // checkbox's or radio's label when taller than the box.
  const targetBoxes = (el) => {
    if (el.classList.contains('stretched-link')) {
      for (let p = el.parentElement; p; p = p.parentElement) {
        if (getComputedStyle(p).position !== 'static') return [p.getBoundingClientRect()];
      }
    }
    const labels = ['checkbox', 'radio'].includes(el.type) ? Array.from(el.labels) : [];
    return [el, ...labels].map((b) => b.getBoundingClientRect());
  };
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set(Array.from(range.getClientRects()).filter(shown).map((r) => Math.round(r.top))).size;
  };
  const found = {scrollWidth: document.documentElement.scrollWidth, width, outside: [], small: [],
                 unlabelled: [], split: []};
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (shown(r) && !scrolled(el) && (r.right > width + 1 || r.left < -1)) {
      found.outside.push(`${named(el)} ${Math.round(r.left)}..${Math.round(r.right)}px`);
    }
  }
  const controls = 'a[href], button, input, select, textarea, summary, label.form-check-label';
  for (const el of document.querySelectorAll(controls)) {
    if (el.type === 'hidden' || !shown(el.getBoundingClientRect())) continue;
    const height = Math.max(...targetBoxes(el).filter(shown).map((r) => r.height));
    if (height < finger) found.small.push(`${named(el)} ${Math.round(height)}px`);
    if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) || el.type === 'submit') continue;
    const labels = Array.from(el.labels || []).filter((l) => shown(l.getBoundingClientRect()));
    if (!labels.some((l) => l.innerText.trim())) found.unlabelled.push(named(el));
  }
  // A word or an amount (a table's heading or cell, a link, a label: short text with no element in it)
  // broken over two lines: 已返还 as 已返 / 还, 0.00 元 as 0.00 / 元, 人员页 one character a line.
  for (const el of document.querySelectorAll('main *, nav *')) {
    const text = el.innerText ? el.innerText.trim() : '';
    const short = el.tagName === 'TD' || el.tagName === 'TH' ? 10 : 6;
    if (el.children.length || !text || text.length > short || !shown(el.getBoundingClientRect())) continue;
    if (lines(el) > 1) found.split.push(`${el.tagName.toLowerCase()} "${text}"`);
  }
  return found;
}
"""


def _phone(new_context: Any, errors: list[str]) -> Any:
    context = new_context(viewport=NARROW, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return page


def _fits_a_phone(page: Any, what: str) -> None:
    """The page, then the page with its menu opened, as a 360 px phone shows them."""
    _checked(page, what)
    toggle = page.locator(".navbar-toggler")
    if toggle.is_visible():
        toggle.tap()
        page.locator("#nav.show").wait_for()
        page.wait_for_function("() => !document.querySelector('#nav.collapsing')")
        _checked(page, f"{what} (menu opened)")
        toggle.tap()
        page.wait_for_function("() => !document.querySelector('#nav.show, #nav.collapsing')")


def _checked(page: Any, what: str) -> None:
    found = page.evaluate(PHONE_LAYOUT_JS, FINGER)
    where = f"{what} ({page.url})"
    assert found["scrollWidth"] <= NARROW["width"], f"{where} scrolls sideways: {found['scrollWidth']}px"
    assert not found["outside"], f"{where}: past the screen's edge: {found['outside'][:5]}"
    assert not found["small"], f"{where}: targets under {FINGER}px tall: {found['small']}"
    assert not found["unlabelled"], f"{where}: fields without a label on the screen: {found['unlabelled']}"
    assert not found["split"], f"{where}: a word or an amount cut onto two lines: {found['split']}"


def _on_the_first_screen(locator: Any, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["y"] + box["height"] <= NARROW["height"], f"{what} is below the first screen"


def _submit(page: Any, name: str, check: bool = True) -> None:
    """Tap the form's button; ``check=False`` sends it without the browser's own required-field bubble,
    as an old phone browser does, to see the server's messages next to the fields."""
    if not check:
        page.evaluate("document.querySelectorAll('main form').forEach((f) => { f.noValidate = true; })")
    with page.expect_navigation():
        page.get_by_role("button", name=name).tap()


def _error_under(page: Any, field: str, text: str) -> None:
    """The field's message is right under it, not only at the top of the form."""
    message = page.locator(f"#{field} ~ .invalid-feedback", has_text=text)
    assert message.count() == 1, f"no message {text!r} under #{field}"
    below = message.bounding_box()["y"] - page.locator(f"#{field}").bounding_box()["y"]
    assert 0 < below < 120, f"the message {text!r} is {below:.0f}px from #{field}"


def _worker_day(page: Any, world: World) -> None:
    """The grid worker: login, home, 我的预警, 签收, a call, a visit with a photo, 转交, board, 消息."""
    first = make_warning(1, name="欧阳建国")
    second = make_warning(2, name="")  # a pushed list without the name
    page.goto("/")
    _fits_a_phone(page, "the login")
    log_in(page, "grid_cd")
    _fits_a_phone(page, "the worker's home")
    page.goto("/warnings/mine/")
    _fits_a_phone(page, "我的预警")
    shown = page.locator("main").inner_text()
    for warning in (first, second):
        person = warning.person
        assert person.phone not in shown and person.id_number not in shown, "我的预警 shows a number in full"

    page.goto(f"/warnings/{first.pk}/")
    _fits_a_phone(page, "a warning before 签收")
    _on_the_first_screen(page.get_by_role("button", name="签收"), "签收")
    _submit(page, "签收")
    _fits_a_phone(page, "a warning after 签收")
    _on_the_first_screen(page.get_by_role("link", name="记录电话 / 上门劝阻"), "记录电话 / 上门劝阻")

    page.get_by_role("link", name="记录电话 / 上门劝阻").tap()
    page.wait_for_url("**/contact/")
    _fits_a_phone(page, "记录劝阻")
    _submit(page, "保存", check=False)
    _fits_a_phone(page, "记录劝阻 sent empty")
    for group, told in (("方式", "请选择劝阻方式"), ("结果", "请选择劝阻结果")):
        fieldset = page.get_by_role("group", name=group)
        assert fieldset.locator(".invalid-feedback", has_text=told).count() == 1, f"{group}: not {told}"
    page.get_by_text("电话劝阻", exact=True).tap()
    page.get_by_text("未接触到人", exact=True).tap()
    page.fill("#id_notes", "电话无人接听")
    _submit(page, "保存")

    page.get_by_role("link", name="记录电话 / 上门劝阻").tap()
    page.wait_for_url("**/contact/")
    page.get_by_text("上门劝阻", exact=True).tap()
    page.get_by_text("劝阻成功", exact=True).tap()
    page.fill("#id_arrived_at", "2026-11-30T10:15")
    page.fill("#id_notes", "已上门讲解游戏交易诈骗手法")
    page.fill("#id_follow_up_on", "2026-12-15")
    photo = {"name": "visit.png", "mimeType": "image/png", "buffer": images.png()}
    page.set_input_files("#id_photos", files=[photo])
    _fits_a_phone(page, "记录劝阻 filled in")
    _submit(page, "保存")
    page.wait_for_selector("text=劝阻情况已记录。")
    _fits_a_phone(page, "a warning with a call and a visit with a photo")

    page.goto(f"/warnings/{second.pk}/handover/")
    _fits_a_phone(page, "转交")
    _submit(page, "确定", check=False)
    _fits_a_phone(page, "转交 sent empty")
    _error_under(page, "id_to_user", "请选择转交给谁")
    _error_under(page, "id_reason", "请填写转交原因")

    for url, what in (("/warnings/board/", "the live board"), ("/inbox/", "消息")):
        page.goto(url)
        _fits_a_phone(page, what)
    unnamed = "a notice of the warning without a name names nobody"
    assert "（未提供姓名）" in page.locator("main").inner_text(), unnamed


def _officer_day(page: Any, world: World) -> None:
    """The police officer: a warning handed to them, 已被骗 on a call, the case draft it opens."""
    officer = world.users["police_cg"]
    warning = make_warning(4, name="司马光明")
    workflow.warning_handover(
        actor=world.users["analyst"],
        warning=warning,
        reason="派出所处置",
        to_user=officer,
        version=warning.version,
    )
    page.goto("/warnings/mine/")
    log_in(page, "police_cg")
    _fits_a_phone(page, "the officer's 我的预警")
    page.goto("/")
    _fits_a_phone(page, "the officer's home")
    page.goto(f"/warnings/{warning.pk}/")
    _submit(page, "签收")
    page.get_by_role("link", name="记录电话 / 上门劝阻").tap()
    page.wait_for_url("**/contact/")
    page.get_by_text("电话劝阻", exact=True).tap()
    page.get_by_text("已被骗", exact=True).tap()
    page.fill("#id_notes", "当事人已转账三万元")
    _submit(page, "保存")
    _fits_a_phone(page, "a warning just marked 已被骗")
    drafted = page.get_by_role("alert").filter(has_text="已生成案件草稿")
    _on_the_first_screen(drafted, "the case draft's message")
    with page.expect_navigation():
        drafted.get_by_role("link").tap()
    case_url = page.url
    _fits_a_phone(page, "the case draft")
    forms = (("edit/", "修改案件信息"), ("victims/add/", "增加受害人"), ("payments/add/", "登记付款"))
    for path, what in forms:
        page.goto(case_url + path)
        _fits_a_phone(page, what)
    page.goto(case_url + "victims/add/")
    assert page.locator("#id_phone").get_attribute("type") == "tel", "a victim's phone opens no number pad"
    page.goto("/warnings/board/")
    _fits_a_phone(page, "the officer's live board")
    assert Warning.objects.get(pk=warning.pk).outcome == Outcome.DEFRAUDED


def test_the_field_pages_fit_a_360px_phone(new_context: Any, live_world: World) -> None:
    errors: list[str] = []
    _worker_day(_phone(new_context, errors), live_world)
    _officer_day(_phone(new_context, errors), live_world)
    assert not errors, errors
