"""The centre's core loop end to end in a real browser, each user on their own screen.

The analyst, at a desk, imports the superior's pushed list (an XLSX with its Chinese headers) and reads
the import's report; the warning no village could be found for waits in the centre's queue and is placed
by hand. A grid worker, on a 390×844 phone, signs for a routed warning and records a home visit with a
photo; a police officer, on a phone, records 已被骗 on the urgent one and opens the case draft it made.
Back at the desk, the feedback of that source and period comes back with the outcomes filled, and the
list, board, statistics and home page count what happened. Every page: no JavaScript error, personal
data masked, and on the phones nothing past the screen's edge.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook

from fanzha.cases.models import Case
from fanzha.warnings.models import OPEN_STATUSES, Outcome, Status, Warning
from tests.browser.conftest import log_in
from tests.browser.test_probe_s23_phone import PHONE, _fits
from tests.personas import World
from tests.warnings import images
from tests.warnings.files import row, warning_xlsx

DESK = {"width": 1280, "height": 800}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PUSHED_AT = dt.datetime(2026, 11, 28, 9, 30)  # a date cell, as the superior's system writes it
URGENT_ID = "330102195701010013"  # 69 years old on the list's day; full numbers must never show


def _screen(new_context: Any, errors: list[str], viewport: dict[str, int]) -> Any:
    phone = viewport == PHONE
    context = new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"{page.url}: {msg.text}"))
    return page


def _masked(page: Any) -> None:
    shown = page.locator("body").inner_text()
    for clear in ("张伟", "李娜", "王芳", URGENT_ID, "13700000001", "13700000002", "某某新村"):
        assert clear not in shown, f"{page.url} shows {clear} unmasked"


def _pushed_list() -> bytes:
    """An urgent one (50,000 yuan, 冒充公检法), a medium one of 城东社区, one whose address places nowhere."""
    game, at = "网络游戏产品虚假交易", PUSHED_AT
    return warning_xlsx(
        [
            row(1, name="张伟", id_number=URGENT_ID, fraud_type="冒充公检法", amount=50000, warned_at=at),
            row(2, name="李娜", fraud_type=game, warned_at=at),
            row(3, name="王芳", fraud_type=game, address="青溪县某某新村7号", warned_at=at),
        ]
    )


def _import(desk: Any) -> None:
    """The analyst uploads the list and reads the report: counts, the row to place, the batch's link."""
    desk.goto("/imports/new/warnings/")
    log_in(desk, "analyst")
    pushed = {"name": "预警推送清单.xlsx", "mimeType": XLSX, "buffer": _pushed_list()}
    desk.set_input_files("#id_file", files=[pushed])
    desk.get_by_role("button", name="上传并检查").click()
    desk.wait_for_url("**/imports/*/")
    assert desk.get_by_test_id("batch-status").inner_text() == "已导入"
    assert desk.get_by_test_id("counts").inner_text() == "共 3 行：新增 3，更新 0，未变 0，有误 0"
    notices = desk.get_by_test_id("notices").inner_text()
    assert "5\t现住址\t地址无法定位到村（社区），待中心定位" in notices, notices  # the sheet's own row 5
    _masked(desk)
    desk.get_by_test_id("batch-warnings").click()
    desk.wait_for_url("**/warnings/?batch=*")
    assert desk.locator("tbody tr").count() == 3


def _place(desk: Any, world: World) -> Warning:
    """The one in the centre's queue is placed by hand in 石桥村, chosen, never preselected."""
    desk.goto("/warnings/?queue=1")
    assert desk.locator("tbody tr").count() == 1
    desk.locator("tbody tr").first.get_by_role("link").click()
    desk.get_by_role("link", name="人工定位").click()
    desk.wait_for_url("**/place/")
    assert desk.locator("#id_area").input_value() == "", "人工定位 opens with a village chosen"
    desk.select_option("#id_area", str(world.area("石桥村").pk))
    desk.get_by_role("button", name="确定").click()
    desk.wait_for_selector("text=已定位到 石桥村，该地址今后自动定位到此。")
    _masked(desk)
    placed = Warning.objects.get(source_id="YJ000003")
    assert (placed.status, placed.assignee.username) == (Status.ASSIGNED, "grid_sq")
    return placed


def _open_my_task(page: Any, username: str, warning: Warning) -> None:
    page.goto("/warnings/mine/")
    log_in(page, username)
    _fits(page)
    page.get_by_test_id("my-tasks").get_by_role("link").first.tap()
    page.wait_for_url(f"**/warnings/{warning.pk}/")
    _fits(page)
    _masked(page)
    page.get_by_role("button", name="签收").tap()
    page.wait_for_selector("text=已签收，请尽快联系当事人。")
    page.get_by_role("link", name="记录电话 / 上门劝阻").tap()
    page.wait_for_url("**/contact/")
    _fits(page)


def _save(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="保存").tap()
    page.wait_for_selector("text=劝阻情况已记录。")
    _fits(page)
    _masked(page)


def _visit(grid: Any, warning: Warning) -> None:
    """The grid worker signs for it and records the home visit that dissuaded, with a photo."""
    _open_my_task(grid, "grid_cd", warning)
    grid.get_by_text("上门劝阻", exact=True).tap()
    grid.get_by_text("劝阻成功", exact=True).tap()
    arrived = timezone.localtime() - dt.timedelta(minutes=1)
    grid.fill("#id_arrived_at", arrived.strftime("%Y-%m-%dT%H:%M"))
    grid.fill("#id_notes", "已上门讲解游戏交易诈骗手法，当事人手机13700000002已装国家反诈中心APP")
    grid.set_input_files(
        "#id_photos", files=[{"name": "visit.png", "mimeType": "image/png", "buffer": images.png()}]
    )
    _save(grid)
    assert "上门劝阻 · 劝阻成功" in grid.locator("main").inner_text()


def _defrauded(police: Any, warning: Warning) -> Case:
    """The officer's call finds the person already defrauded: the warning closes, a case draft opens."""
    _open_my_task(police, "police_cg", warning)
    police.get_by_text("电话劝阻", exact=True).tap()
    police.get_by_text("已被骗", exact=True).tap()
    police.fill("#id_notes", "当事人已按对方要求转账5万元")
    _save(police)
    case = Case.objects.get(warning=warning)
    told = f"已生成案件草稿 {case.number}，由城关派出所核实案情、及时止付。"
    assert told in police.locator("main").inner_text()
    police.get_by_role("link", name=f"案件草稿 {case.number}").first.tap()
    police.wait_for_url(f"**/cases/{case.pk}/")
    _fits(police)
    _masked(police)
    assert "预警转案件" in police.locator("main").inner_text()
    return case


def _feedback(desk: Any) -> dict[str, dict[str, Any]]:
    """预警 → 反馈上级 for 上级推送 and this month: one row per pushed warning, by 预警编号."""
    desk.goto("/warnings/")
    desk.get_by_role("link", name="反馈上级").click()
    desk.wait_for_url("**/warnings/feedback/")
    today = timezone.localdate()
    assert desk.locator("#id_start").input_value() == today.replace(day=1).isoformat()
    assert desk.locator("#id_end").input_value() == today.isoformat()
    with desk.expect_download() as download:
        desk.get_by_role("button", name="导出").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return {r[0]: dict(zip(header, r, strict=True)) for r in rows}


def _centre_counts(desk: Any) -> None:
    desk.goto("/warnings/board/")
    board = desk.get_by_test_id("board").inner_text()
    still_open = Warning.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True)
    shown = re.findall(r"#(\d+) ", board)
    assert shown == [str(pk) for pk in still_open] and len(shown) == 1, board  # the open one only
    assert "剩 3 小时" in board, board  # medium: 4 h to sign for, counted from the placement
    desk.goto("/warnings/stats/")
    stats = desk.locator("main").inner_text()
    # 劝阻成功 1 of the 2 reached; both signed for in time; the placed one not yet due
    for figure in ("劝阻率\n50.0%", "按时签收率\n100.0%", "未办结\n1"):
        assert figure in stats, f"{figure!r} not in the statistics: {stats}"
    desk.goto("/")
    home = desk.locator("main").inner_text()
    assert "在办预警\n1" in home and "中心待分派\n0" in home and "今日接收\n3" in home, home
    _masked(desk)


def test_a_pushed_list_goes_round_the_centres_loop(new_context: Any, live_world: World) -> None:
    errors: list[str] = []
    desk = _screen(new_context, errors, DESK)
    _import(desk)
    urgent, medium = (Warning.objects.get(source_id=f"YJ00000{n}") for n in (1, 2))
    assert (urgent.grade, urgent.assignee.username) == ("urgent", "police_cg")
    assert (medium.grade, medium.assignee.username) == ("medium", "grid_cd")
    _place(desk, live_world)

    _visit(_screen(new_context, errors, PHONE), medium)
    case = _defrauded(_screen(new_context, errors, PHONE), urgent)
    assert case.warning_id == urgent.pk
    for warning, outcome in ((medium, Outcome.DISSUADED), (urgent, Outcome.DEFRAUDED)):
        warning.refresh_from_db()
        assert (warning.status, warning.outcome) == (Status.CLOSED, outcome)
    assert medium.contacts.get().photos.count() == 1
    assert "13700000002" not in medium.contacts.get().notes

    rows = _feedback(desk)
    assert sorted(rows) == ["YJ000001", "YJ000002", "YJ000003"]
    assert (rows["YJ000001"]["处置结果"], rows["YJ000001"]["联系方式"]) == ("已被骗", "电话劝阻")
    assert (rows["YJ000002"]["处置结果"], rows["YJ000002"]["联系方式"]) == ("劝阻成功", "上门劝阻")
    assert rows["YJ000003"]["处置结果"] == "未办结（待签收）"
    assert (rows["YJ000002"]["处置单位"], rows["YJ000002"]["处置人"]) == ("城东社区居委会", "grid_cd")
    assert all(rows[n]["签收时间"] and rows[n]["办结时间"] for n in ("YJ000001", "YJ000002"))
    assert (rows["YJ000001"]["姓名"], rows["YJ000001"]["身份证号"]) == ("张*", "3301**********0013")

    _centre_counts(desk)
    assert not errors, errors
