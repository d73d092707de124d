"""What a unit head (单位负责人, ``unit_leader``: ``head_cg`` of 城关派出所) may do with warnings: read,
hand over, close and export those of the station's jurisdiction (城关镇) only; never work them, edit
the grading rules, import, issue API keys or manage users."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from fanzha.core import access
from fanzha.warnings import rules
from fanzha.warnings.models import GradingRule, Status
from fanzha.warnings.workflow import warning_place
from tests.personas import login
from tests.warnings.helpers import make_warning

NOT_A_HEADS = (
    "warning.grade_rules",
    "warning.import",
    "warning.create",
    "warning.work",
    "person.import",
    "person.edit",
    "person.reveal",
    "apikey.manage",
    "user.manage",
    "organisation.manage",
    "audit.view",
)


@pytest.mark.parametrize("permission", NOT_A_HEADS)
def test_a_head_does_not_hold(world, permission: str) -> None:  # type: ignore[no-untyped-def]
    assert not access.user_can(world.users["head_cg"], permission)


def test_a_head_cannot_edit_the_grading_rules(world, client) -> None:  # type: ignore[no-untyped-def]
    head = world.users["head_cg"]
    rule = GradingRule.objects.order_by("id").first()
    assert rule is not None
    rule.name = "所长改的规则"
    with pytest.raises(PermissionDenied):
        rules.grading_rule_save(actor=head, rule=rule)
    with pytest.raises(PermissionDenied):
        rules.grading_rule_delete(actor=head, rule=rule)
    login(client, head)
    edit = reverse("warning_rule_edit", args=[rule.pk])
    assert client.post(edit, {"name": "所长改的规则", "save": "1"}).status_code == 403
    assert GradingRule.objects.get(pk=rule.pk).name != "所长改的规则"


def test_a_head_hands_over_a_warning_of_the_jurisdiction(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)  # medium, 城东社区: the grid worker's
    assert warning.assignee == world.users["grid_cd"]
    login(client, world.users["head_cg"])
    police = world.users["police_cg"]
    url = reverse("warning_handover", args=[warning.pk])
    response = client.post(
        url, {"to_user": police.pk, "reason": "独居老人，需民警上门", "version": warning.version}
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.assignee == police and warning.status == Status.ASSIGNED
    assert warning.events.get(kind="handed_over").actor == world.users["head_cg"]


def test_a_head_cannot_reach_another_stations_warning(world, client) -> None:  # type: ignore[no-untyped-def]
    shiqiao = make_warning(2, address="龙泉乡石桥村2组")  # 龙泉派出所's jurisdiction
    login(client, world.users["head_cg"])
    for name in ("warning_detail", "warning_handover", "warning_close", "warning_place"):
        assert client.get(reverse(name, args=[shiqiao.pk])).status_code == 404, name
    data = {"to_user": world.users["grid_sq"].pk, "reason": "改派", "version": shiqiao.version}
    assert client.post(reverse("warning_handover", args=[shiqiao.pk]), data).status_code == 404
    shiqiao.refresh_from_db()
    assert shiqiao.assignee == world.users["grid_sq"]


def test_a_head_places_a_warning_only_inside_the_jurisdiction(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    with pytest.raises(ValidationError, match="辖区内"):
        warning_place(actor=world.users["head_cg"], warning=warning, area=world.area("石桥村"))


def test_a_head_exports_the_jurisdictions_warnings_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    chengdong = make_warning(1)
    make_warning(2, address="龙泉乡石桥村2组")
    login(client, world.users["head_cg"])
    response = client.get(reverse("warning_export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and 城东社区's warning; not 石桥村's
    assert chengdong.person.phone not in " ".join(str(c) for c in rows[1])
    stats = client.get(reverse("warning_stats")).content.decode()
    assert "城东社区" in stats and "石桥村" not in stats


def test_a_heads_home_page_counts_the_jurisdictions_open_warnings(world, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    make_warning(2, address="龙泉乡石桥村2组")
    login(client, world.users["head_cg"])
    body = client.get(reverse("home")).content.decode()
    assert "单位负责人工作台" in body
    assert '<div class="fs-4" data-testid="count-open-warnings">1</div>' in body  # 城东社区's, not 石桥村's
