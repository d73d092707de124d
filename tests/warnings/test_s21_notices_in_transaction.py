"""The assignees' notices of an intake are written inside its transaction, at its end.

Written after the commit, they were a second write transaction: on SQLite a push committing while a
100,000-row file held the write lock (≈ 25 s, past the 20 s busy timeout) then failed to write its
notice, only logged — the assignee of a possibly urgent warning was never told. Now each owner of an
intake's transaction (the form or API's one warning, a partner's push, a file's or a batch push's commit,
the numbers send) writes them before it commits: they commit, or roll back, with the warnings. One
message a user a transaction, as before.

Every test here runs with the commit callbacks captured and NOT executed: what is found was written
inside the transaction.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from fanzha.jobs.models import Notification
from fanzha.numbers.services import numbers_send_warnings
from fanzha.screen.services import api_key_issue
from fanzha.warnings import routing
from fanzha.warnings.batchpush import warnings_push_batch
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning
from fanzha.warnings.notify import AssignmentNotices
from fanzha.warnings.services import warning_push, warning_receive
from tests.numbers.factories import run_now, submit_extract
from tests.personas import World
from tests.warnings.files import row, warning_csv

FIELDS = ["source_id", "name", "id_number", "phone", "address", "fraud_type", "source", "warned_at"]


def _input(n: int, **overrides: Any) -> WarningInput:
    return WarningInput(**{**dict(zip(FIELDS, row(n)[: len(FIELDS)], strict=True)), **overrides})


def _items(numbers: range) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in zip(FIELDS, row(n)[: len(FIELDS)], strict=True)} for n in numbers]


def _titles(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_a_single_warning_is_told_before_its_transaction_commits(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        received = warning_receive(actor=world.users["leader"], data=_input(1))
        assignee = received.warning.assignee
        assert assignee is not None
        notices = list(Notification.objects.filter(recipient=assignee))
    assert [n.title for n in notices] == [f"新预警（高）：{received.warning.person}"]
    assert notices[0].link == f"/warnings/{received.warning.pk}/"


def test_a_partners_push_is_told_before_its_transaction_commits(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    key, _ = api_key_issue(
        actor=world.users["admin"],
        organisation=world.orgs["工商银行青溪支行"],
        name="银行预警推送",
        rate_per_minute=60,
        scopes=["warnings"],
    )
    with django_capture_on_commit_callbacks(execute=False):
        received = warning_push(key=key, data=_input(2, source=""))
        assert Notification.objects.filter(recipient=received.warning.assignee).count() == 1


def test_a_file_of_three_rows_to_one_user_gives_one_notice_inside_the_transaction(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    data = warning_csv([row(1), row(2), row(3)])  # 刷单返利: high, all three to the station's officer
    with django_capture_on_commit_callbacks(execute=False):
        result = import_run(actor=world.users["analyst"], importer="warnings", file_name="a.csv", data=data)
    assert result.batch.status == BatchStatus.COMMITTED
    assert set(Warning.objects.values_list("assignee", flat=True)) == {world.users["police_cg"].pk}
    titles = _titles(world.users["police_cg"])
    assert titles == ["新预警 3 条（高 3）"]
    assert Notification.objects.count() == 1


def test_a_batch_push_answers_received_and_its_notice_is_written(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        result = warnings_push_batch(actor=world.users["leader"], items=_items(range(1, 6)))
    assert result.ok and {item.outcome for item in result.items} == {"received"}
    titles = _titles(world.users["police_cg"])
    assert titles == ["新预警 5 条（高 5）"]


def test_the_numbers_send_tells_each_assignee_once_inside_its_transaction(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    village = next(area for area in world.areas.values() if area.name == "城东社区")
    placed = routing.Placement(village, True, "按手机号定位")  # a number alone is placed in a city
    monkeypatch.setattr(routing.Locator, "by_phone", lambda self, number: placed)
    analyst = world.users["analyst"]
    run = run_now(submit_extract(analyst))
    with django_capture_on_commit_callbacks(execute=False):
        result = numbers_send_warnings(actor=analyst, run=run, top=3)
    assert result.sent
    assignees = set(Warning.objects.exclude(assignee=None).values_list("assignee", flat=True))
    assert Warning.objects.filter(assignee__in=assignees).count() == 3
    told = list(Notification.objects.values_list("recipient", flat=True))
    assert sorted(told) == sorted(assignees)  # one message each, however many warnings


class _RolledBack(Exception):
    pass


def test_a_rolled_back_intake_leaves_no_notice(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(_RolledBack), transaction.atomic():
        warning_receive(actor=world.users["leader"], data=_input(1))
        assert Notification.objects.exists()  # written inside…
        raise _RolledBack
    assert not Warning.objects.exists()
    assert not Notification.objects.exists()  # …and gone with the warning


def test_a_checked_file_leaves_no_notice(world: World, django_capture_on_commit_callbacks: Any) -> None:
    data = warning_csv([row(1), row(2)])
    with django_capture_on_commit_callbacks(execute=True):
        result = import_run(
            actor=world.users["analyst"], importer="warnings", file_name="a.csv", data=data, dry_run=True
        )
    assert result.batch.status == BatchStatus.CHECKED
    assert not Notification.objects.exists()


def test_notices_not_flushed_are_still_sent_once_it_commits_and_flushed_ones_only_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        warning = warning_receive(actor=world.users["leader"], data=_input(1)).warning
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):  # a handover's own notices: nobody flushes
        AssignmentNotices().add(warning)
        assert not Notification.objects.exists()
    assert Notification.objects.count() == 1
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notices = AssignmentNotices()
        notices.add(warning)
        notices.flush()
        assert Notification.objects.count() == 1
    assert callbacks  # the fallback ran, and had nothing left to send
    assert Notification.objects.count() == 1


def test_a_placement_tells_the_assignee_inside_its_transaction(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from fanzha.warnings.workflow import warning_place
    from tests.warnings.helpers import make_warning

    lost = make_warning(1, address="青溪县某某新村7号", phone="")
    assert lost.needs_placement and lost.assignee is None
    with django_capture_on_commit_callbacks(execute=False):
        placed = warning_place(actor=world.users["analyst"], warning=lost, area=world.area("城东社区"))
        assert _titles(placed.assignee) == [f"新预警（{placed.get_grade_display()}）：{placed.person}"]


def test_a_deactivation_tells_who_takes_the_warnings_inside_its_transaction(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from fanzha.core.services.organisations import user_deactivate
    from tests.warnings.helpers import make_warning, second_grid_worker

    make_warning(1)
    make_warning(2)
    colleague = second_grid_worker(world)
    with django_capture_on_commit_callbacks(execute=False):
        user_deactivate(actor=world.users["admin"], user=world.users["grid_cd"])
        assert len(_titles(colleague)) == 1  # one message for the two
