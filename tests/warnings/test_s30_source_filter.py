"""The list's 来源 filter and the statistics of a source: every warning the source reported, first or
merged into a warning another source reported first (its source id is kept as a WarningSourceRef),
not only the warnings it reported first (``Warning.source``)."""

from __future__ import annotations

from django.urls import reverse

from fanzha.warnings import selectors
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Outcome, Warning, WarningSourceRef
from fanzha.warnings.services import MERGED, Intake, receive
from fanzha.warnings.workflow import ContactData, warning_contact_record
from tests.personas import login
from tests.warnings.helpers import make_warning
from tests.warnings.test_list import LIST_QUERIES


def _also_from_the_bank(n: int, source_id: str) -> Warning:
    """Person ``n`` (warned first by the superior platform's list) reported again by a bank: the bank's
    row merges into the open warning."""
    again = WarningInput(
        source="银行",
        source_id=source_id,
        name=f"测试{n}",
        phone=f"136{n:08d}",
        address="青溪县城关镇城东社区幸福路1号",
        fraud_type="网络游戏产品虚假交易",
        warned_at="2026-11-28 10:00:00",
    )
    received = receive(intake=Intake(), data=again)
    assert received.outcome == MERGED
    return received.warning


def _ids(qs) -> set[int]:  # type: ignore[no-untyped-def]
    return set(qs.values_list("pk", flat=True))


def test_a_warning_the_bank_also_reported_is_listed_under_the_bank(world) -> None:  # type: ignore[no-untyped-def]
    both = make_warning(1)  # 上级推送 first
    merged = _also_from_the_bank(1, "ICBC-1")
    assert merged.pk == both.pk and merged.source == "superior"
    superior_only = make_warning(2)
    bank_only = make_warning(3, source="银行", source_id="ICBC-3")
    leader = world.users["leader"]
    bank, applied = selectors.filtered(leader, {"source": "bank"})
    assert applied == {"source": "bank"}
    assert _ids(bank) == {both.pk, bank_only.pk}
    assert _ids(selectors.filtered(leader, {"source": "上级推送"})[0]) == {both.pk, superior_only.pk}


def test_a_source_reporting_a_warning_twice_lists_it_once(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1, source="银行", source_id="ICBC-1")
    _also_from_the_bank(1, "ICBC-2")
    assert WarningSourceRef.objects.filter(warning=warning, source="bank").count() == 2
    bank, _ = selectors.filtered(world.users["leader"], {"source": "bank"})
    assert list(bank) == [warning] and bank.count() == 1


def test_the_source_filter_stays_in_the_users_scope(world) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    _also_from_the_bank(1, "ICBC-1")
    far = make_warning(2, address="青溪县龙泉乡石桥村3号", source="银行", source_id="ICBC-2")
    grid = world.users["grid_cd"]  # 城东社区's grid worker: not 石桥村
    assert far.pk not in _ids(selectors.filtered(grid, {"source": "bank"})[0])
    assert len(_ids(selectors.filtered(grid, {"source": "bank"})[0])) == 1


def test_the_list_page_shows_it_with_the_same_number_of_queries(  # type: ignore[no-untyped-def]
    world, client, django_assert_num_queries
) -> None:
    make_warning(1)
    _also_from_the_bank(1, "ICBC-1")
    login(client, world.users["leader"])
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("warning_list"), {"source": "bank"})
    assert response.status_code == 200
    assert [w.pk for w in response.context["page"]] == [Warning.objects.get().pk]


def test_the_statistics_of_a_source_count_what_its_reports_led_to(world, client) -> None:  # type: ignore[no-untyped-def]
    both = make_warning(1)
    _also_from_the_bank(1, "ICBC-1")
    make_warning(2)  # the superior platform's alone, not reached
    warning_contact_record(
        actor=world.users["grid_cd"],
        warning=Warning.objects.get(pk=both.pk),
        data=ContactData(kind="call", outcome=Outcome.DISSUADED),
    )
    login(client, world.users["leader"])
    bank = client.get(reverse("warning_stats"), {"source": "bank"}).context["totals"]
    assert (bank["total"], bank["dissuaded"], bank["dissuasion_rate"]) == (1, 1, "100.0%")
    superior = client.get(reverse("warning_stats"), {"source": "superior"}).context["totals"]
    assert (superior["total"], superior["dissuaded"]) == (2, 1)
