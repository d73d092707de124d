"""Warning intake, round 24: derived ids that survive a spreadsheet's re-save, and the age of a person on
record graded when a later report carries only their phone — on the one-warning path
(``services.receive``), the bulk path (``bulk.receive_many``) and the file import that uses it."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from fanzha.imports.pipeline import import_run
from fanzha.warnings import bulk, services
from fanzha.warnings.intake import CleanWarning, Memo, WarningInput, clean_warning
from fanzha.warnings.models import Warning, WarningEvent, WarningSourceRef
from tests.personas import id_number
from tests.warnings.files import row, warning_csv

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
BORN_1950 = id_number("331102", "19501129", "031")  # 75 on 2026-11-28 (76 by the birth year alone)

# One report without 预警编号 (its ID number ends in X) as first sent, and the same report after a
# centre re-saved the list in a spreadsheet: seconds gone, the day written another way, the phone with
# +86 and spaces, the ID number's x in lower case, the amount with separators, a suspect number with +86.
SENT = {
    "source": "运营商",
    "name": "赵秀兰",
    "id_number": id_number("331102", "19560101", "006"),
    "phone": "13912340001",
    "address": "青溪县城关镇城东社区幸福路1号",
    "fraud_type": "刷单返利",
    "warned_at": "2026-11-27 14:05:37",
    "amount": "12000",
    "suspect_numbers": "17012345679",
}
RESAVED = {
    **SENT,
    "id_number": SENT["id_number"].lower(),
    "phone": "+86 139 1234 0001",
    "warned_at": "2026/11/27 14:05",
    "amount": "12,000.00",
    "suspect_numbers": "+86 170 1234 5679",
}


def _one_by_one(rows: list[dict[str, Any]]) -> list[services.Received]:
    intake = services.Intake()
    return [services.receive(intake=intake, data=WarningInput(**values), now=NOW) for values in rows]


def _in_bulk(rows: list[dict[str, Any]]) -> list[services.Received]:
    memo = Memo()
    pairs = [(data, clean_warning(data, now=NOW, memo=memo)) for data in (WarningInput(**v) for v in rows)]
    return bulk.receive_many(intake=services.Intake(), rows=pairs, now=NOW)


PATHS = pytest.mark.parametrize("receive", [_one_by_one, _in_bulk], ids=["one", "bulk"])


# ── 1. derived ids stable across a re-save ───────────────────────────────────


@pytest.mark.parametrize(
    "changed",
    [
        {"warned_at": "2026-11-27 14:05"},
        {"warned_at": "2026/11/27 14:05"},
        {"warned_at": "2026年11月27日 14:05"},
        {"warned_at": "2026-11-27T06:05:37Z"},  # the same moment in UTC
        {"warned_at": dt.datetime(2026, 11, 27, 14, 5, 36, 999_999)},  # a spreadsheet's float
        {"phone": "+86 139 1234 0001"},
        {"id_number": SENT["id_number"].lower()},
        {"amount": "12,000.00"},
        {"suspect_numbers": "+86 170-1234-5679"},
        RESAVED,
    ],
)
def test_a_row_without_id_keeps_its_derived_id_when_the_list_is_saved_again(changed: dict[str, Any]) -> None:
    first = clean_warning(WarningInput(**SENT), now=NOW)
    again = clean_warning(WarningInput(**{**SENT, **changed}), now=NOW)
    assert first.source_id.startswith("row:") and again.source_id == first.source_id


def test_another_minute_or_another_suspect_number_is_another_derived_id() -> None:
    first = clean_warning(WarningInput(**SENT), now=NOW).source_id
    later = clean_warning(WarningInput(**{**SENT, "warned_at": "2026-11-27 14:06:01"}), now=NOW).source_id
    assert later != first
    other = clean_warning(WarningInput(**{**SENT, "suspect_numbers": "17012345670"}), now=NOW).source_id
    assert other != first


@PATHS
def test_a_re_saved_list_is_unchanged_not_a_repeat_report(world, receive) -> None:  # type: ignore[no-untyped-def]
    [first] = receive([SENT])
    [again] = receive([RESAVED])
    assert (first.outcome, again.outcome) == ("new", "unchanged")
    warning = Warning.objects.get()
    assert warning.merged_count == 0 and again.warning == warning
    assert not WarningEvent.objects.filter(warning=warning, kind="merged").exists()
    assert WarningSourceRef.objects.count() == 1


def _csv(values: dict[str, Any]) -> bytes:
    return warning_csv(
        [
            row(
                1,
                source_id="",
                name=values["name"],
                id_number=values["id_number"],
                phone=values["phone"],
                address=values["address"],
                fraud_type=values["fraud_type"],
                source=values["source"],
                warned_at=values["warned_at"],
                amount=values["amount"],
                suspect=values["suspect_numbers"],
            )
        ]
    )


def test_a_re_saved_file_imports_as_unchanged(world) -> None:  # type: ignore[no-untyped-def]
    first = import_run(actor=None, importer="warnings", file_name="list.csv", data=_csv(SENT))
    again = import_run(actor=None, importer="warnings", file_name="list2.csv", data=_csv(RESAVED))
    assert first.ok and again.ok, (again.batch.message, again.batch.errors)
    assert (first.batch.rows_new, again.batch.rows_unchanged, again.batch.rows_updated) == (1, 1, 0)
    assert Warning.objects.get().merged_count == 0


def _earlier_form(clean: CleanWarning) -> str:
    """The id a row without 预警编号 was given before ids read the time to the minute (to the second)."""
    basis = "|".join(
        [
            clean.id_number or clean.id_number_raw,
            clean.phone_written or clean.phone or clean.phone_raw,
            clean.name,
            clean.warned_at.isoformat(),
            clean.fraud_type,
        ]
    )
    return "row:" + hashlib.sha256(basis.encode()).hexdigest()[:32]


def _as_received_before(values: dict[str, Any]) -> str:
    """Receive ``values`` and store it under the id it had been given before the change."""
    [received] = _one_by_one([values])
    earlier = _earlier_form(clean_warning(WarningInput(**values), now=NOW))
    Warning.objects.filter(pk=received.warning.pk).update(source_id=earlier)
    WarningSourceRef.objects.filter(warning=received.warning).update(source_id=earlier)
    return earlier


@PATHS
def test_a_list_imported_before_the_change_is_still_unchanged(world, receive) -> None:  # type: ignore[no-untyped-def]
    earlier = _as_received_before(SENT)
    assert clean_warning(WarningInput(**SENT), now=NOW).source_id != earlier  # the form did change
    [again] = receive([SENT])
    assert again.outcome == "unchanged" and again.warning.merged_count == 0
    assert list(WarningSourceRef.objects.values_list("source_id", flat=True)) == [earlier]
    [once_more] = receive([SENT])  # and again: still found under the id it has
    assert once_more.outcome == "unchanged" and WarningSourceRef.objects.count() == 1


def test_a_file_imported_before_the_change_is_still_unchanged(world) -> None:  # type: ignore[no-untyped-def]
    _as_received_before(SENT)
    again = import_run(actor=None, importer="warnings", file_name="list.csv", data=_csv(SENT))
    assert again.ok and (again.batch.rows_unchanged, again.batch.rows_updated) == (1, 0)


@PATHS
def test_two_reports_of_one_person_in_one_minute(world, receive) -> None:  # type: ignore[no-untyped-def]
    """Different suspect numbers: two reports, the second merged. The same report with other seconds
    (nothing else differs): one report, received once."""
    other = {**SENT, "warned_at": "2026-11-27 14:05:52", "suspect_numbers": "17012345670"}
    same = {**SENT, "warned_at": "2026-11-27 14:05:52"}
    outcomes = [received.outcome for received in receive([SENT, other, same])]
    assert outcomes == ["new", "merged", "unchanged"]
    warning = Warning.objects.get()
    assert warning.merged_count == 1 and warning.suspect_numbers == "17012345679\n17012345670"


# ── 2. the age of a person on record ─────────────────────────────────────────

PHONE_ONLY = {"source": "运营商", "phone": "13905710001", "fraud_type": "网络游戏产品虚假交易"}


@PATHS
def test_a_phone_only_report_is_graded_by_the_age_of_the_person_on_record(world, receive) -> None:  # type: ignore[no-untyped-def]
    """王秀英 (born 1950-03-12) is on record with her ID number; an operator's row gives her phone only."""
    [received] = receive([{**PHONE_ONLY, "warned_at": "2026-11-28 09:00:00"}])
    warning = received.warning
    assert warning.person == world.people["chengdong"]
    assert (warning.grade, warning.grade_reasons, warning.facts["age"]) == ("high", ["76 岁"], 76)


@PATHS
def test_the_age_of_a_person_first_met_in_an_earlier_warning(world, receive) -> None:  # type: ignore[no-untyped-def]
    """The first report gives the ID number, a later one (another episode: a new warning) only the phone;
    the later one is graded as if its row had the ID number: the same reason, the birth date's age."""
    person = {
        "name": "钱桂芳",
        "phone": "13912340077",
        "fraud_type": "网络游戏产品虚假交易",
        "source": "运营商",
    }
    first = {**person, "id_number": BORN_1950, "warned_at": "2026-11-01 09:00:00"}
    later = {**person, "name": "", "warned_at": "2026-11-28 09:00:00"}
    with_id = {**later, "id_number": BORN_1950}
    results = receive([first, later])
    assert [r.outcome for r in results] == ["new", "new"]
    graded = results[1].warning
    assert graded.person == results[0].warning.person
    assert (graded.grade, graded.grade_reasons, graded.facts["age"]) == ("high", ["75 岁"], 75)
    on_row = clean_warning(WarningInput(**with_id), now=NOW)
    assert services.Intake().grade("", "operator", None, on_row.facts).reasons == ["75 岁"]


def test_a_file_of_phones_is_graded_by_the_ages_on_record(world) -> None:  # type: ignore[no-untyped-def]
    data = warning_csv([row(1, source_id="", name="", id_number="", phone="13905710001", fraud_type="")])
    result = import_run(actor=None, importer="warnings", file_name="phones.csv", data=data)
    assert result.ok, (result.batch.message, result.batch.errors)
    warning = Warning.objects.get()
    assert warning.person == world.people["chengdong"] and warning.grade_reasons == ["76 岁"]


@PATHS
def test_an_id_number_on_the_row_still_decides_the_age(world, receive) -> None:  # type: ignore[no-untyped-def]
    """A row with its own ID number (another person's, 60-69) is graded by it, not by a record."""
    own = id_number("331102", "19600101", "051")
    [received] = receive(
        [{**PHONE_ONLY, "id_number": own, "name": "孙某", "warned_at": "2026-11-28 09:00:00"}]
    )
    assert received.warning.facts["age"] == 66 and received.warning.grade == "medium"
