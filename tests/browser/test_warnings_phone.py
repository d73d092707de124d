"""The warning loop in a real browser at phone size: a pushed list, then the grid worker's visit."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command

from fanzha.warnings.models import Status, Warning
from tests.browser.conftest import log_in
from tests.personas import World
from tests.warnings import images
from tests.warnings.files import row, warning_csv

PHONE = {"width": 375, "height": 667}
PNG = images.png()


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"


def test_a_pushed_warning_ends_in_a_recorded_visit(
    new_context: Any, live_world: World, tmp_path: Path
) -> None:
    pushed = tmp_path / "推送清单.csv"
    pushed.write_bytes(warning_csv([row(1, fraud_type="网络游戏产品虚假交易")]))
    out = io.StringIO()
    call_command("warnings", "import", str(pushed), stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected"
    warning = Warning.objects.get()
    assert warning.assignee.username == "grid_cd"

    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/warnings/mine/")
    log_in(page, "grid_cd")
    _fits(page)
    page.get_by_test_id("my-tasks").get_by_role("link").first.click()
    page.wait_for_url(f"**/warnings/{warning.pk}/")
    _fits(page)
    page.get_by_role("button", name="签收").click()
    page.wait_for_selector("text=已签收，请尽快联系当事人。")
    page.get_by_role("link", name="记录电话 / 上门劝阻").click()
    page.get_by_label("上门劝阻").check()
    page.get_by_label("劝阻成功").check()
    page.fill("#id_arrived_at", "2026-11-28T10:15")
    page.fill("#id_notes", "已上门讲解游戏交易诈骗手法，当事人表示不再转账")
    page.set_input_files("#id_photos", files=[{"name": "visit.png", "mimeType": "image/png", "buffer": PNG}])
    _fits(page)
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=劝阻情况已记录。")
    _fits(page)
    assert "上门劝阻 · 劝阻成功" in page.content()
    warning.refresh_from_db()
    assert warning.status == Status.CLOSED and warning.contacts.get().photos.count() == 1


def test_the_menu_is_reachable_on_a_phone_without_javascript(new_context: Any, live_world: World) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False).new_page()
    page.goto("/warnings/mine/")
    log_in(page, "grid_cd")
    menu = page.locator("#nav")
    assert menu.is_visible(), "the menu stays folded: its toggle needs JavaScript"
    assert not page.locator(".navbar-toggler").is_visible()
    _fits(page)
