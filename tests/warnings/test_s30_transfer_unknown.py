"""正在转账 that nobody stated is unknown, not 否. Before, an empty cell, a list without the column and
an unreadable word (“待核实”) were all stored as False — the same as an explicit 否 — so a grading rule
with the condition 正在转账 否 graded warnings nobody said anything about, and “待核实” passed without
a notice."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from fanzha.imports.pipeline import import_run
from fanzha.warnings import grading, services
from fanzha.warnings.intake import WarningInput, clean_warning
from fanzha.warnings.models import GradingRule, Warning
from tests.personas import login
from tests.warnings.files import HEADER, row, warning_csv
from tests.warnings.test_api_batch import item, push
from tests.warnings.test_api_key import a_key

NOW = timezone.make_aware(dt.datetime(2026, 11, 28, 12, 0))


def _clean(said: str | bool, notes: str = "") -> tuple[bool | None, list[tuple[str, str]]]:
    clean = clean_warning(WarningInput(phone="13905710001", notes=notes, transfer_in_progress=said), now=NOW)
    return clean.facts["transfer"], [n for n in clean.notices if n[0] == "正在转账"]


@pytest.mark.parametrize(("said", "fact"), [("是", True), ("正在转账", True), ("否", False), ("无", False)])
def test_a_column_saying_yes_or_no_is_read(said: str, fact: bool) -> None:
    assert _clean(said) == (fact, [])


@pytest.mark.parametrize("said", ["", "不详", "未知", "/", False])
def test_a_column_saying_nothing_is_unknown(said: str | bool) -> None:
    assert _clean(said) == (None, [])


@pytest.mark.parametrize("said", ["待核实", "可能", "?"])
def test_an_unreadable_word_is_unknown_with_a_notice(said: str) -> None:
    fact, notices = _clean(said)
    assert fact is None
    [(_, message)] = notices
    assert said in message and "未知" in message


def test_notes_still_say_a_transfer_is_under_way_where_the_column_does_not() -> None:
    assert _clean("", notes="正在向对方转账")[0] is True
    assert _clean("待核实", notes="正在向对方转账")[0] is True
    assert _clean("否", notes="正在向对方转账")[0] is False


def test_a_rule_on_transfer_no_grades_only_warnings_that_said_no() -> None:
    rule = GradingRule(name="未转账", grade="low", reason="未转账", transfer_in_progress=False)
    said_no = grading.Facts.of("", "superior", None, {"transfer": False})
    unknown = grading.Facts.of("", "superior", None, {"transfer": None})
    assert grading.matches(rule, said_no)
    assert not grading.matches(rule, unknown)


TRANSFER_HEADER = [*HEADER, "正在转账"]


@pytest.mark.django_db
def test_a_file_stores_yes_no_and_unknown_apart(world) -> None:  # type: ignore[no-untyped-def]
    GradingRule.objects.create(
        name="未转账的中年人", position=5, grade="high", reason="未转账", transfer_in_progress=False
    )
    lines = [[*row(n), said] for n, said in enumerate(["是", "否", "", "不详", "待核实"], start=1)]
    result = import_run(
        actor=None, importer="warnings", file_name="t.csv", data=warning_csv(lines, TRANSFER_HEADER)
    )
    assert result.ok, result.errors
    facts = {w.source_id: w.facts["transfer"] for w in Warning.objects.all()}
    assert facts == {
        "YJ000001": True,
        "YJ000002": False,
        "YJ000003": None,
        "YJ000004": None,
        "YJ000005": None,
    }
    notices = [n for n in result.batch.notices if n["column"] == "正在转账"]
    assert [n["row"] for n in notices] == [6] and "待核实" in notices[0]["message"]
    graded = {w.source_id: w.grade_reasons for w in Warning.objects.all()}
    assert "未转账" in graded["YJ000002"]
    assert not any("未转账" in graded[i] for i in ("YJ000001", "YJ000003", "YJ000004", "YJ000005"))


@pytest.mark.django_db
def test_a_later_report_that_says_nothing_keeps_what_was_said(world) -> None:  # type: ignore[no-untyped-def]
    def receive(n: int, said: str) -> Warning:
        data = WarningInput(
            source="上级推送",
            source_id=f"TR{n}",
            name="赵某",
            phone="13905718811",
            fraud_type="刷单返利",
            warned_at="2026-11-28 09:00:00",
            transfer_in_progress=said,
        )
        return services.receive(intake=services.Intake(), data=data).warning

    receive(1, "")
    assert receive(2, "否").facts["transfer"] is False  # unknown, then 否: 否
    assert receive(3, "").facts["transfer"] is False  # 否, then nothing said: still 否
    assert receive(4, "是").facts["transfer"] is True
    assert receive(5, "否").facts["transfer"] is True  # once under way, a later 否 does not undo it


SENT = [{}, {"transfer_in_progress": False}, {"transfer_in_progress": True}, {"transfer_in_progress": "否"}]


@pytest.mark.django_db
def test_the_api_tells_false_from_not_sent(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    for n, extra in enumerate(SENT):
        body = {"source_id": f"API{n}", "name": f"钱{n}", "phone": f"1390571882{n}", **extra}
        answer = client.post("/api/warnings", json.dumps(body), content_type="application/json")
        assert answer.status_code == 201, answer.content
    facts = {w.source_id: w.facts["transfer"] for w in Warning.objects.all()}
    assert [facts[f"API{n}"] for n in range(len(SENT))] == [None, False, True, False]


@pytest.mark.django_db
def test_a_batch_tells_false_from_not_sent(world) -> None:  # type: ignore[no-untyped-def]
    _, token = a_key(world)
    items = []
    for n, extra in enumerate(SENT):
        body = {**item(n), **extra}
        if not extra:
            del body["transfer_in_progress"]
        items.append(body)
    answer = push(Client(enforce_csrf_checks=True), {"warnings": items}, token)
    assert answer.status_code == 201, answer.content
    facts = {w.source_id: w.facts["transfer"] for w in Warning.objects.all()}
    assert [facts[f"ICBC-{n:04d}"] for n in range(len(SENT))] == [None, False, True, False]
