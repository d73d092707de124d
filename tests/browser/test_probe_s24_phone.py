"""Probe s24: the two pages added in s24, in a real browser.

- 向转入账户止付: a bank answered 资金已转出 naming two accounts; the case officer, on a 390×844 phone,
  splits what moved on between them — an over-ask is refused next to the fields and nothing is sent,
  a valid split sends both and the case page lists them.
- 预警统计 · 按人员: the centre leader on a phone and on a desk screen — the wide table scrolls in its
  own box, the tabs keep the filters, and the export of the same filters downloads.

Every page is checked as s23's probe does: no sideways scrolling, nothing past the screen's edge, no
JavaScript or console error; the amount inputs and the submit button are targets a finger can hit.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from fanzha.cases import measures
from fanzha.cases.models import Measure
from tests.browser.conftest import log_in
from tests.browser.test_probe_s23_phone import FINGER, OUTSIDE_JS, PHONE
from tests.cases.helpers import add_payment, make_case, send_stop
from tests.personas import World, login
from tests.warnings.helpers import make_warning

DESK = {"width": 1280, "height": 800}
TWO_LINES = 60  # px: a table heading on two lines at most
ONWARD_A = "6222020000000000017"  # 工商银行 cards (BIN 622202): both have a bank unit here
ONWARD_B = "6222021001199887766"


def _screen_page(new_context: Any, errors: list[str], viewport: dict[str, int]) -> Any:
    phone = viewport == PHONE
    screen = {"viewport": viewport, "is_mobile": phone, "has_touch": phone}
    context = new_context(**screen, timezone_id="Asia/Shanghai", accept_downloads=True)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"{page.url}: {msg.text}"))
    return page


def _fits(page: Any, viewport: dict[str, int] = PHONE) -> None:
    found = page.evaluate(OUTSIDE_JS)
    assert found["scrollWidth"] <= viewport["width"], f"{page.url} scrolls sideways: {found}"
    assert not found["outside"], f"{page.url}: elements past the screen's edge: {found['outside']}"


def _big_enough(locator: Any, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["height"] >= FINGER, f"{what}: a {box['height']:.0f}px tall target to tap"


# -- 向转入账户止付 ---------------------------------------------------------------------------------


def _moved_on(world: World) -> Measure:
    """A 50,000 yuan payment's stop: the bank held 20,000, the 30,000 rest moved on to two accounts."""
    officer, bank = world.users["police_cg"], world.users["bank"]
    stop = send_stop(add_payment(make_case(world), officer), officer)
    data = measures.AnswerData(
        "stopped", effective_fen=2_000_000, moved_to=f"{ONWARD_A}、{ONWARD_B}", executed_at=timezone.now()
    )
    return measures.measure_answer(actor=bank, measure=stop, data=data)


def _amounts(page: Any) -> list[Any]:
    inputs = page.locator("[data-testid=subform] input[name^=amount_]")
    assert inputs.count() == 2, "the form does not list the two accounts the money moved on to"
    return [inputs.nth(0), inputs.nth(1)]


def _look_at_the_form(page: Any) -> None:
    _fits(page)
    shown = page.locator("main").inner_text()
    assert "可申请止付余额 30,000.00 元" in shown, shown
    assert ONWARD_A not in shown and ONWARD_B not in shown, "the onward accounts are shown unmasked"
    for n, field in enumerate(_amounts(page)):
        _big_enough(field, f"amount {n}")
        label = page.locator(f"label[for={field.get_attribute('id')}]").inner_text()
        assert "请求金额" in label and "*" in label, f"amount {n}'s label names no masked account: {label}"
    _big_enough(page.get_by_role("button", name="确定"), "the submit button")


def _error_next_to_the_fields(page: Any) -> None:
    """The refusal is shown in the form, with the amounts it is about, on the first screen after the
    reload (no scrolling to find why nothing was sent), the typed amounts kept."""
    form = page.locator("[data-testid=subform]")
    error = form.get_by_text("超过可申请止付余额 30,000.00 元")
    assert error.count() == 1, f"the over-ask's refusal is not in the form: {form.inner_text()}"
    assert error.is_visible()
    assert "合计 40,000.00 元" in error.inner_text()
    box = error.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], "the refusal is below the first screen"
    first = _amounts(page)[0].bounding_box()
    assert 0 <= first["y"] - (box["y"] + box["height"]) < 120, "the refusal is not next to the amounts"
    for n, field in enumerate(_amounts(page)):
        assert field.input_value() == "20000", f"amount {n} lost what was typed"


def test_onward_stop_payments_are_split_on_a_phone(new_context: Any, live_world: World) -> None:
    errors: list[str] = []
    source = _moved_on(live_world)
    page = _screen_page(new_context, errors, PHONE)
    page.goto(f"/cases/{source.case_id}/")
    log_in(page, "police_cg")
    _fits(page)

    page.get_by_test_id(f"follow-money-{source.pk}").tap()
    page.wait_for_url("**/follow-money/")
    _look_at_the_form(page)

    first, second = _amounts(page)
    first.fill("20000")
    second.fill("20000")
    with page.expect_navigation():
        page.get_by_role("button", name="确定").tap()
    assert page.url.endswith("/follow-money/"), "an over-ask left the form"
    _fits(page)
    _error_next_to_the_fields(page)
    assert not Measure.objects.filter(onward_from=source).exists(), "an over-ask sent requests"

    first, second = _amounts(page)
    first.fill("18000")
    second.fill("12000")
    page.get_by_role("button", name="确定").tap()
    page.wait_for_url(f"**/cases/{source.case_id}/")
    page.wait_for_selector("text=已向转入账户发送止付请求。")
    _fits(page)
    sent = list(Measure.objects.filter(onward_from=source).order_by("requested_fen"))
    assert [m.requested_fen for m in sent] == [1_200_000, 1_800_000]
    for measure in sent:
        row = page.get_by_test_id(f"measure-{measure.pk}")
        assert row.count() == 1, f"the case page does not list request {measure.pk}"
        text = row.inner_text()
        assert measure.account not in text, "the case page shows an onward account unmasked"
    assert "12,000.00" in page.get_by_test_id("measures").inner_text()
    assert "18,000.00" in page.get_by_test_id("measures").inner_text()
    assert not errors, errors


# -- 预警统计 · 按人员 ------------------------------------------------------------------------------


FILTERS = {"source": ["superior"], "start": ["2026-01-01"]}


def _has_filters(href: str) -> None:
    query = parse_qs(urlsplit(href).query)
    for name, value in FILTERS.items():
        assert query.get(name) == value, f"{href} dropped the filter {name}"


def _headers_whole(page: Any) -> None:
    """A column heading on a line or two (a line of .9rem text is ~30px with the cell's padding), not
    squeezed into one character a line to fit the screen."""
    for header in page.locator("main table th").all():
        box = header.bounding_box()
        cut = f"{page.url}: heading {header.inner_text()!r} is cut into one character a line"
        assert box["height"] <= TWO_LINES, cut


def _people_tab(page: Any, viewport: dict[str, int]) -> None:
    _fits(page, viewport)
    table = page.get_by_test_id("by-person")
    assert "没有预警" not in table.inner_text(), "the filters found none of the test's warnings"
    _headers_whole(page)
    scroller = table.locator("xpath=..")
    overflow = scroller.evaluate("el => getComputedStyle(el).overflowX")
    assert overflow in ("auto", "scroll"), "the per-person table does not scroll in its own box"
    if viewport == PHONE:
        wide = scroller.evaluate("el => el.scrollWidth > el.clientWidth")
        assert wide, "on a phone the 11 columns fit only by wrapping each cell"
    tabs = page.get_by_test_id("stats-tabs").locator("a")
    assert tabs.count() == 2
    for n in range(2):
        _has_filters(tabs.nth(n).get_attribute("href"))
    assert "active" in (tabs.nth(1).get_attribute("class") or "")


def _export(page: Any) -> None:
    """The export of the same filters downloads a workbook (its 按人员 sheet has these figures)."""
    link = page.get_by_role("link", name="导出 Excel（脱敏）")
    assert link.count() == 1, "the statistics page offers no export of its figures"
    _has_filters(link.get_attribute("href"))
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    assert download.failure() is None
    with open(download.path(), "rb") as workbook:
        assert workbook.read(2) == b"PK", "the download is not an .xlsx workbook"


def test_the_per_person_statistics_on_a_phone_and_a_desk(new_context: Any, live_world: World) -> None:
    for n in range(1, 4):
        make_warning(n, warned_at=f"2026-11-28 09:0{n}:00")
    errors: list[str] = []
    query = "source=superior&start=2026-01-01&tab=people"
    for viewport in (PHONE, DESK):
        page = _screen_page(new_context, errors, viewport)
        page.goto(f"/warnings/stats/?{query}")
        log_in(page, "leader")
        if "/stats/" not in page.url:
            page.goto(f"/warnings/stats/?{query}")
        _people_tab(page, viewport)
        _export(page)
        with page.expect_navigation():
            page.get_by_test_id("stats-tabs").get_by_role("link", name="按区划、单位").click()
        _headers_whole(page)
        _has_filters(page.url)
        _fits(page, viewport)
    assert not errors, errors


def test_the_statistics_export_link_is_only_for_those_who_may_export(world: World, client: Any) -> None:
    """A station's officer sees the figures (warning.view) but may not export: no link to a 403."""
    login(client, world.users["police_cg"])
    page = client.get("/warnings/stats/?tab=people").content.decode()
    assert "按人员" in page and 'data-testid="stats-export"' not in page
    login(client, world.users["leader"])
    assert 'data-testid="stats-export"' in client.get("/warnings/stats/?tab=people").content.decode()
