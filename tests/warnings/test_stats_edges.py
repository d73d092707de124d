"""The list, the statistics page and the list's export at their edges, through the real services: a
local midnight between two warnings, a repeat report merged, a station head's scope, an empty result."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fanzha.warnings import services
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning
from fanzha.warnings.workflow import warning_acknowledge, warning_handover
from tests.personas import World, id_number, login
from tests.warnings.test_s25_stats_probe import SHIQIAO


def _received(n: int, at: dt.datetime, **changes: Any) -> services.Received:
    """Report ``n`` about a person of 城东社区, received at ``at``."""
    values: dict[str, Any] = {
        "source": "上级推送",
        "source_id": f"E{n:05d}",
        "name": f"测试{n}",
        "id_number": id_number("331102", f"{1956 + n % 10}0301", f"{n % 1000:03d}"),
        "phone": f"136{n:08d}",
        "address": "青溪县城关镇城东社区幸福路1号",
        "fraud_type": "网络游戏产品虚假交易",
        "warned_at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
        **changes,
    }
    return services.receive(intake=services.Intake(), data=WarningInput(**values), now=at)


def _counts(client: Client, query: dict[str, Any]) -> tuple[int, int, list[list[Any]]]:
    """The list's count, the statistics page's total and the export's list rows for ``query``."""
    listed = client.get(reverse("warning_list"), query).context["page"].paginator.count
    total = client.get(reverse("warning_stats"), query).context["totals"]["total"]
    book = load_workbook(io.BytesIO(client.get(reverse("warning_export"), query).content))
    return listed, total, [list(r) for r in book["预警"].iter_rows(min_row=2, values_only=True)]


def test_a_day_is_a_local_day_on_the_list_the_page_and_the_export(world: World, client) -> None:  # type: ignore[no-untyped-def]
    day = timezone.localdate() - dt.timedelta(days=2)
    before = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 30)))
    late, early = _received(1, before).warning, _received(2, before + dt.timedelta(minutes=1)).warning
    login(client, world.users["leader"])
    for on, warning in ((day, late), (day + dt.timedelta(days=1), early)):
        listed, total, rows = _counts(client, {"start": on.isoformat(), "end": on.isoformat()})
        assert (listed, total, [r[0] for r in rows]) == (1, 1, [warning.pk]), on


def test_a_repeat_report_merged_is_one_warning_everywhere(world: World, client) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    first = _received(3, now - dt.timedelta(hours=1))
    again = _received(3, now, source_id="E-again", source="银行")
    assert again.outcome == services.MERGED and again.warning.pk == first.warning.pk
    listed, total, rows = _counts(login(client, world.users["leader"]), {})
    assert (listed, total, len(rows)) == (1, 1, 1)


def test_a_station_head_counts_and_exports_its_jurisdiction_only(world: World, client) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    here = _received(4, now).warning
    there = _received(5, now, **SHIQIAO).warning
    there = warning_acknowledge(actor=there.assignee, warning=there, version=there.version)
    warning_handover(
        actor=world.users["leader"], warning=there, reason="调整承办", to_user=world.users["police_lq"]
    )
    login(client, world.users["head_cg"])
    listed, total, rows = _counts(client, {})
    assert (listed, total, [r[0] for r in rows]) == (1, 1, [here.pk])
    book = load_workbook(io.BytesIO(client.get(reverse("warning_export")).content))
    assert [r[0] for r in book["按单位"].iter_rows(min_row=2, values_only=True)] == ["城东社区居委会", "合计"]
    assert "*" in rows[0][6] and "*" in rows[0][7]  # 姓名, 手机号 masked


def test_an_empty_result_has_totals_of_nothing(world: World, client) -> None:  # type: ignore[no-untyped-def]
    _received(6, timezone.now())
    login(client, world.users["leader"])
    listed, total, rows = _counts(client, {"grade": "urgent"})
    assert (listed, total, rows) == (0, 0, [])
    book = load_workbook(io.BytesIO(client.get(reverse("warning_export"), {"grade": "urgent"}).content))
    for sheet in ("按区划", "按单位"):
        assert [r[:5] for r in book[sheet].iter_rows(min_row=2, values_only=True)] == [("合计", 0, 0, 0, "—")]
    assert Warning.objects.count() == 1
