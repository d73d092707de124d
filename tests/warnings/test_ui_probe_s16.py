"""Defects found walking the warnings pages as the centre, a police station and a village would."""

from __future__ import annotations

from django.urls import reverse

from fanzha.cases.models import Case
from fanzha.core.models import Area
from fanzha.core.services import areas as area_services
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import ContactData, warning_close, warning_contact_record
from tests.personas import login
from tests.warnings.helpers import make_warning


def _namesake_village(world) -> Area:  # type: ignore[no-untyped-def]
    """A second 城东社区, under 龙泉乡 (county trees repeat village names: three 中山社区 in the demo)."""
    return area_services.area_create(
        actor=None, code="331199200299", name="城东社区", level="village", parent=world.areas["331199200000"]
    )


def test_it_keeps_namesake_villages_apart_in_the_per_area_figures(world, client) -> None:  # type: ignore[no-untyped-def]
    other = _namesake_village(world)
    make_warning(1)
    moved = make_warning(2)
    Warning.objects.filter(pk=moved.pk).update(area=other)
    login(client, world.users["leader"])
    body = client.get(reverse("warning_stats")).content.decode()
    assert body.count("城东社区</td><td>1</td>") == 2  # not one 城东社区 row of 2
    assert "城关镇" in body and "龙泉乡" in body  # each row says which township


def test_it_says_when_the_per_area_table_is_cut(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings import views

    monkeypatch.setattr(views, "SUMMARY_ROWS", 1)
    make_warning(1)
    make_warning(2, address="龙泉乡石桥村2组")
    login(client, world.users["leader"])
    body = client.get(reverse("warning_stats")).content.decode()
    assert "仅显示前 1 个区划（共 2 个）" in body


def test_the_stats_rows_do_not_overflow_a_phone(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    body = client.get(reverse("warning_stats")).content.decode()
    # main has .5rem padding on phones; a default .row's -.75rem margins scroll the page sideways
    assert '<div class="row">' not in body


def test_the_area_filter_names_the_township_of_each_village(world, client) -> None:  # type: ignore[no-untyped-def]
    other = _namesake_village(world)
    login(client, world.users["leader"])
    body = client.get(reverse("warning_list")).content.decode()
    assert f'<option value="{other.pk}">龙泉乡 · 城东社区</option>' in body
    assert "城关镇 · 城东社区</option>" in body


def test_the_list_links_keep_filters_url_encoded(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    body = client.get(reverse("warning_list"), {"source": "银行 & 运营商"}).content.decode()
    assert "source=%E9%93%B6%E8%A1%8C+%26+%E8%BF%90%E8%90%A5%E5%95%86" in body


def test_a_defrauded_warning_links_to_its_case_draft(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    warning_contact_record(
        actor=world.users["grid_cd"], warning=warning, data=ContactData(kind="call", outcome="defrauded")
    )
    case = Case.objects.get(warning=warning)
    login(client, world.users["police_cg"])
    body = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert reverse("case_detail", args=[case.pk]) in body and "案件草稿" in body
    login(client, world.users["grid_cd"])  # no case.view: no link
    body = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert reverse("case_detail", args=[case.pk]) not in body


def test_closing_as_defrauded_opens_a_case_draft_too(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    warning_close(actor=world.users["analyst"], warning=warning, outcome="defrauded", reason="当事人已转账")
    assert Case.objects.filter(warning=warning).exists()


def test_the_menu_wraps_whole_entries_not_characters() -> None:
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("fanzha/fanzha.css")).read_text(encoding="utf-8")
    assert ".navbar .nav-link, .navbar .btn { white-space: nowrap; }" in css
    assert ".navbar-expand-lg .navbar-nav { flex-wrap: wrap; }" in css


def test_a_closed_warning_sends_handover_and_close_back_with_a_reason(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    warning_close(actor=world.users["analyst"], warning=warning, outcome="invalid", reason="重复预警")
    login(client, world.users["analyst"])
    for name, word in (("warning_handover", "转交"), ("warning_close", "办结")):
        response = client.get(reverse(name, args=[warning.pk]), follow=True)
        assert response.redirect_chain == [(reverse("warning_detail", args=[warning.pk]), 302)]
        assert f"该预警已办结，不能再{word}。" in response.content.decode()


def test_the_detail_names_the_township_of_the_village(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    login(client, world.users["police_cg"])
    body = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert '<dd class="col-8" data-testid="area">城关镇 · 城东社区</dd>' in body  # with its township


def test_a_long_source_id_wraps_on_a_phone_and_a_missing_name_is_said(world, client) -> None:  # type: ignore[no-untyped-def]
    # 号码研判 sends a phone only, under a 70-character id: it widened the phone page to 658 px
    warning = make_warning(1, name="", id_number="", source_id="号码研判:1:" + "d4a2" * 16)
    login(client, world.users["analyst"])
    body = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert '<dl class="row gx-2 small mb-0 text-break">' in body
    assert '<ol class="small text-break" data-testid="history">' in body
    assert "（未提供姓名）" in body


def test_the_board_and_my_tasks_say_when_there_is_no_name(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1, name="", id_number="")
    login(client, world.users[warning.assignee.username])
    for name in ("warning_mine", "warning_board", "warning_list"):
        body = client.get(reverse(name)).content.decode()
        assert "（未提供姓名）" in body, name


def test_the_date_filters_say_which_is_the_start(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["grid_cd"])
    body = client.get(reverse("warning_list")).content.decode()
    # two unlabelled "年/月/日" boxes on a phone: which one is the start?
    assert '<label class="input-group-text" for="f-start">接收自</label>' in body
    assert '<label class="input-group-text" for="f-end">至</label>' in body
    assert '<thead><tr class="text-nowrap">' in body  # headers not one character a line


def test_deleting_a_grading_rule_asks_first(world, client) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.models import GradingRule

    rule = GradingRule.objects.order_by("position").first()
    assert rule is not None
    login(client, world.users["analyst"])
    body = client.get(reverse("warning_rule_edit", args=[rule.pk])).content.decode()
    assert "确定删除这条规则？" in body  # one tap regraded every open warning, with no way back


def test_a_warning_closed_as_dissuaded_counts_as_reached(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings import selectors

    warning = make_warning(1)
    # the centre closes it from a phone call made outside the system: no contact record
    warning_close(actor=world.users["analyst"], warning=warning, outcome="dissuaded", reason="电话劝阻成功")
    totals = selectors.summary(Warning.objects.all())[0]
    assert (totals["dissuaded"], totals["reached"], totals["dissuasion_rate"]) == (1, 1, "100.0%")


def test_date_fields_render_in_the_format_a_date_input_reads(world, client) -> None:  # type: ignore[no-untyped-def]
    # zh-hans renders dates 2026/11/01, which <input type="date"> drops: the feedback page showed empty
    # dates, and a contact form sent back with an error lost its 回访日期
    from django.utils import timezone

    first = timezone.localdate().replace(day=1).isoformat()
    login(client, world.users["analyst"])
    body = client.get(reverse("warning_feedback")).content.decode()
    assert f'type="date" name="start" value="{first}"' in body
    warning = make_warning(1)
    login(client, world.users["grid_cd"])
    response = client.post(
        reverse("warning_contact", args=[warning.pk]),
        {"kind": "visit", "outcome": "refused", "follow_up_on": "2026-12-05", "version": warning.version},
    )
    assert response.status_code == 400  # a visit needs its arrival time
    assert 'value="2026-12-05"' in response.content.decode()
