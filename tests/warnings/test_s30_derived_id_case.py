"""A row without 预警编号 gets an id derived from the person's name as written: the same list saved again
with a Latin name in other letter case (JOHN SMITH → John Smith) got a new id, so it was received again
(a repeat report merged into the warning) instead of counted unchanged — though the name is the same
person's (names compare without case). The derived id now reads the name in lower case; warnings stored
under an id derived before (the name as written) are still found."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from fanzha.imports.pipeline import import_run
from fanzha.warnings import bulk, services
from fanzha.warnings.intake import CleanWarning, Memo, WarningInput, clean_warning, to_the_minute
from fanzha.warnings.models import Warning, WarningSourceRef
from tests.personas import id_number
from tests.warnings.files import row, warning_csv

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)

CHINESE = {"name": "赵秀兰", "id_number": id_number("331102", "19560101", "006"), "phone": "13912340001"}
LATIN = {"name": "JOHN SMITH", "id_number": "", "phone": "13912340002"}
UNTIMED = {"name": "MARY JONES", "id_number": "", "phone": "13912340003", "warned_at": ""}
OTHER_CASE = {"JOHN SMITH": "John Smith", "MARY JONES": "mary jones"}


def _line(n: int, person: dict[str, str], name: str | None = None) -> list[Any]:
    values = {**person, "name": name or person["name"]}
    return row(n, source_id="", source="运营商", address=f"青溪县城关镇城东社区幸福路{n}号", **values)


def _import(lines: list[list[Any]], file_name: str) -> Any:
    result = import_run(actor=None, importer="warnings", file_name=file_name, data=warning_csv(lines))
    assert result.ok, (result.batch.message, result.batch.errors)
    return result.batch


def test_the_same_list_again_is_unchanged_whatever_the_case_of_a_latin_name(world) -> None:  # type: ignore[no-untyped-def]
    people = [CHINESE, LATIN, UNTIMED]
    first = _import([_line(n, p) for n, p in enumerate(people, 1)], "list.csv")
    lines = [_line(n, p, OTHER_CASE.get(p["name"], p["name"])) for n, p in enumerate(people, 1)]
    again = _import(lines, "list-resaved.csv")
    assert (first.rows_new, again.rows_new, again.rows_updated, again.rows_unchanged) == (3, 0, 0, 3)
    assert Warning.objects.count() == 3 and not any(w.merged_count for w in Warning.objects.all())
    assert WarningSourceRef.objects.count() == 3


def test_a_chinese_name_keeps_the_id_it_had() -> None:
    values = {**CHINESE, "source": "运营商", "warned_at": "2026-11-27 14:05:37", "fraud_type": "刷单返利"}
    clean = clean_warning(WarningInput(**values), now=NOW)
    assert clean.source_id == _as_written(clean)
    assert clean.earlier_source_ids == (_to_the_second(clean),)  # only the older derivation


# ── ids derived before (the name as written) are still found ─────────────────

SENT = {
    "source": "运营商",
    "name": "JOHN SMITH",
    "phone": "13912340002",
    "address": "青溪县城关镇城东社区幸福路2号",
    "fraud_type": "刷单返利",
    "warned_at": "2026-11-27 14:05:37",
    "suspect_numbers": "17012345679",
}


def _as_written(clean: CleanWarning) -> str:
    """The id a timed row without 预警编号 was given before the name's case was folded."""
    minute = to_the_minute(clean.warned_at)
    return _hashed(clean, [minute, clean.suspect_numbers, clean.suspect_accounts])


def _untimed_as_written(clean: CleanWarning) -> str:
    what = [clean.address, str(clean.amount or ""), clean.suspect_numbers, clean.suspect_accounts]
    return _hashed(clean, what)


def _to_the_second(clean: CleanWarning) -> str:
    return _hashed(clean, [clean.warned_at.isoformat()])


def _hashed(clean: CleanWarning, what: list[str]) -> str:
    basis = "|".join([clean.id_number, clean.phone, clean.name, *what, clean.fraud_type])
    return "row:" + hashlib.sha256(basis.encode()).hexdigest()[:32]


def _one_by_one(rows: list[dict[str, Any]]) -> list[services.Received]:
    intake = services.Intake()
    return [services.receive(intake=intake, data=WarningInput(**values), now=NOW) for values in rows]


def _in_bulk(rows: list[dict[str, Any]]) -> list[services.Received]:
    memo = Memo()
    pairs = [(data, clean_warning(data, now=NOW, memo=memo)) for data in (WarningInput(**v) for v in rows)]
    return bulk.receive_many(intake=services.Intake(), rows=pairs, now=NOW)


PATHS = pytest.mark.parametrize("receive", [_one_by_one, _in_bulk], ids=["one", "bulk"])
FORMS = pytest.mark.parametrize(
    ("values", "old_id"),
    [(SENT, _as_written), ({**SENT, "warned_at": ""}, _untimed_as_written), (SENT, _to_the_second)],
    ids=["minute", "untimed", "second"],
)


def _stored_under_old_id(values: dict[str, Any], old_id: Any) -> str:
    [received] = _one_by_one([values])
    earlier = old_id(clean_warning(WarningInput(**values), now=NOW))
    Warning.objects.filter(pk=received.warning.pk).update(source_id=earlier)
    WarningSourceRef.objects.filter(warning=received.warning).update(source_id=earlier)
    return earlier


@PATHS
@FORMS
def test_a_warning_stored_under_an_id_derived_before_is_still_found(world, receive, values, old_id) -> None:  # type: ignore[no-untyped-def]
    """The same list again, its name as written then (a copy in other case cannot be matched to an id
    derived from the name as written: it is received once more, as a repeat report, as before)."""
    earlier = _stored_under_old_id(values, old_id)
    assert clean_warning(WarningInput(**values), now=NOW).source_id != earlier  # the id did change
    for _ in range(2):  # and again: still found under the id it has
        [again] = receive([values])
        assert (again.outcome, again.warning.merged_count) == ("unchanged", 0)
    assert list(WarningSourceRef.objects.values_list("source_id", flat=True)) == [earlier]
