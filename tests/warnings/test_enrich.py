"""A known person met again fills in what they lacked (ID number, name, phone, area), on both intake paths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fanzha.core.models import Person
from fanzha.core.pii import crypto
from fanzha.warnings import bulk, people, services
from fanzha.warnings.intake import Memo, WarningInput, clean_warning
from fanzha.warnings.models import EventKind, Warning, WarningEvent
from tests.personas import id_number

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
ID = id_number("331102", "19560101", "018")  # a woman born 1956 (even sequence)
PHONE = "13912340001"
PLACED = "江州市青溪县城关镇城东社区9号"
PATHS = ["one", "file", "files", "stream"]


def _data(source_id: str, **values: Any) -> WarningInput:
    base = {"source": "运营商", "source_id": source_id, "name": "", "id_number": "", "phone": PHONE}
    base |= {"address": "", "fraud_type": "刷单返利", "warned_at": "2026-11-28 09:00:00"}
    return WarningInput(**{**base, **values})


def _receive(path: str, rows: list[WarningInput], monkeypatch: Any) -> list[services.Received]:
    """``one``: the one-warning service row by row; ``file``: one bulk call; ``files``: a bulk call per
    row (people read from the database); ``stream``: one bulk call, every row handed to the writer."""
    if path == "one":
        return [services.receive(intake=services.Intake(), data=data, now=NOW) for data in rows]
    if path == "stream":
        monkeypatch.setattr(bulk, "STREAM", 1)
    batches = [[data] for data in rows] if path == "files" else [rows]
    results = []
    for batch in batches:
        memo = Memo()
        pairs = [(data, clean_warning(data, now=NOW, memo=memo)) for data in batch]
        results += bulk.receive_many(intake=services.Intake(), rows=pairs, now=NOW)
    return results


def _person(phone: str = PHONE) -> Person:
    return Person.objects.get(phone_hash=crypto.search_hash("phone", phone))


def _lines(warning: Warning, kind: str) -> list[WarningEvent]:
    return list(WarningEvent.objects.filter(warning=warning, kind=kind).order_by("at", "id"))


@pytest.mark.parametrize("path", PATHS)
def test_it_fills_a_phone_only_person_from_a_later_report_with_name_and_id(world, monkeypatch, path) -> None:  # type: ignore[no-untyped-def]
    rows = [_data("A1"), _data("A2", name="赵敏", id_number=ID), _data("A3", phone="", id_number=ID)]
    results = _receive(path, rows, monkeypatch)
    assert [r.outcome for r in results] == ["new", "merged", "merged"]
    person = _person()
    assert (person.name, person.id_number, person.sex, person.birth_year) == ("赵敏", ID, "女", 1956)
    assert person.name_hash == crypto.search_hash("name", "赵敏")
    assert Person.objects.with_id_number_hash(crypto.search_hash("id_number", ID)).get() == person
    assert Person.objects.count() == 3  # the world's two and this one: the ID-only row found them
    merged = _lines(results[0].warning, EventKind.MERGED)
    assert "补充了人员的身份证号、姓名" in merged[0].message and merged[0].data["person_filled"] == [
        "id_number",
        "name",
    ]
    assert (
        "赵敏" not in merged[0].message and ID not in merged[0].message and ID[-4:] not in merged[0].message
    )
    assert "补充" not in merged[1].message and "person_filled" not in merged[1].data


@pytest.mark.parametrize("path", PATHS)
def test_it_fills_an_empty_address_and_keeps_one_the_person_has(world, monkeypatch, path) -> None:  # type: ignore[no-untyped-def]
    rows = [_data("B1"), _data("B2", address="城东社区9号"), _data("B3", address="石桥村3组")]
    results = _receive(path, rows, monkeypatch)
    assert [r.outcome for r in results] == ["new", "merged", "merged"]
    assert _person().address == "城东社区9号"  # the first address given; a later one changes nothing
    merged = _lines(results[0].warning, EventKind.MERGED)
    assert (
        merged[0].data["person_filled"] == ["address", "area"]
        and "补充了人员的现住址、所属区划" in merged[0].message
    )
    assert "person_filled" not in merged[1].data


@pytest.mark.parametrize("path", PATHS)
def test_it_fills_the_person_of_a_new_warning_and_the_phone_of_one_found_by_id(
    world, monkeypatch, path
) -> None:  # type: ignore[no-untyped-def]
    """Another episode (warned 20 days before): a new warning for the known person, who learns too; a
    person known by ID number alone learns the phone."""
    other = id_number("331102", "19610505", "022")
    rows = [
        _data("B1"),
        _data("B2", name="钱多", id_number=ID, warned_at="2026-11-08 09:00:00"),
        _data("C1", name="孙立", id_number=other, phone=""),
        _data("C2", id_number=other, phone="13912340002"),
    ]
    results = _receive(path, rows, monkeypatch)
    assert [r.outcome for r in results] == ["new", "new", "new", "merged"]
    assert results[1].warning.person_id == results[0].warning.person_id
    assert (_person().name, _person().id_number) == ("钱多", ID)
    [created] = _lines(results[1].warning, EventKind.CREATED)
    assert created.message.endswith("；补充了人员的身份证号、姓名")
    assert created.data["person_filled"] == ["id_number", "name"]
    known = _person("13912340002")
    assert (known.name, known.id_number) == ("孙立", other)
    assert _lines(results[2].warning, EventKind.MERGED)[0].data["person_filled"] == ["phone"]


@pytest.mark.parametrize("path", PATHS)
def test_it_never_overwrites_a_name_id_number_or_phone_the_person_has(world, monkeypatch, path) -> None:  # type: ignore[no-untyped-def]
    known = world.people["chengdong"]  # 王秀英, with ID number and phone
    other_id = id_number("331102", "19700101", "031")
    rows = [
        _data("D1", name="王秀", id_number=known.id_number, phone="13912340003"),
        _data("D2", name="王秀英", id_number=other_id, phone=known.phone),  # both have IDs: not them
    ]
    results = _receive(path, rows, monkeypatch)
    assert results[0].warning.person_id == known.pk and results[1].warning.person_id != known.pk
    known.refresh_from_db()
    before = ("王秀英", id_number("331102", "19500312", "002"), "13905710001")
    assert (known.name, known.id_number, known.phone) == before
    assert ("姓名", people.NAME_DIFFERS) in results[0].notices
    [line] = _lines(results[0].warning, EventKind.CREATED)
    assert "补充" not in line.message and "person_filled" not in line.data


@pytest.mark.parametrize("path", PATHS)
def test_it_places_an_unplaced_person_by_a_later_address_that_places_them(world, monkeypatch, path) -> None:  # type: ignore[no-untyped-def]
    rows = [_data("E1", name="周正", address="某某地方"), _data("E2", name="周正", address=PLACED)]
    results = _receive(path, rows, monkeypatch)
    assert not Warning.objects.get(pk=results[0].warning.pk).needs_placement  # placed by the second report
    assert _person().area == world.area("城东社区")
    line = _lines(results[0].warning, EventKind.MERGED)[0]
    assert line.data["person_filled"] == ["area"] and line.message.endswith("补充了人员的所属区划")
    assert PLACED not in line.message


@pytest.mark.parametrize("path", PATHS)
def test_it_moves_no_person_placed_already_nor_out_of_their_area(world, monkeypatch, path) -> None:  # type: ignore[no-untyped-def]
    known = world.people["chengdong"]  # placed in 城东社区第一网格
    rows = [_data("F1", name=known.name, id_number=known.id_number, address="青溪县龙泉乡石桥村5组")]
    results = _receive(path, rows, monkeypatch)
    known.refresh_from_db()
    assert known.area == world.area("城东社区第一网格") and results[0].warning.area == world.area("石桥村")


def test_it_leaves_an_id_number_another_person_holds_with_a_row_notice(world) -> None:  # type: ignore[no-untyped-def]
    """(Receiving matches by ID number first, so this is the helper's guard: both paths' holders.)"""
    services.receive(intake=services.Intake(), data=_data("G1"), now=NOW)
    held = world.people["shiqiao"].id_number
    for holder in ("services", "bulk"):
        person, intake = _person(), services.Intake()
        clean = clean_warning(_data("G2", name="吴用", id_number=held), now=NOW)
        if holder == "services":
            filled = people.fill_person(intake, person, clean, None, people.id_holder)
        else:
            known = bulk._load(intake, [clean], NOW)
            filled = people.fill_person(intake, person, clean, None, known.by_id.get)
        assert filled == ["name"], holder
        assert ("身份证号", people.ID_HELD) in clean.notices
        assert person.id_number == "" and person.id_number_hash == "" and person.sex == ""


@pytest.mark.parametrize("path", PATHS)
def test_it_tells_a_reused_id_from_the_person_as_they_have_learned(world, monkeypatch, path) -> None:  # type: ignore[no-untyped-def]
    """A 预警编号 received for a phone-only person comes again for someone else after that person
    learned an ID number and name: another person (received under an alias id), whether the id was
    received in an earlier file or earlier in this one."""
    first = _data("H1")
    learn = _data("H2", name="郑和", id_number=ID)
    other = _data("H1", name="冯远", id_number=id_number("331102", "19800101", "041"), phone="13912340009")
    runs = [[first], [learn, other]] if path == "files" else [[first, learn, other]]
    results = [r for rows in runs for r in _receive("file" if path == "files" else path, rows, monkeypatch)]
    assert [r.outcome for r in results] == ["new", "merged", "new"]
    assert results[2].warning.source_id.startswith("H1~") and results[2].warning.person.name == "冯远"
    again = _receive("one", [first, learn, other], monkeypatch)
    assert [r.outcome for r in again] == ["unchanged"] * 3
