"""A person with a Latin-script name (a foreign resident) written in another letter case, with other
spacing or in full-width letters by another list is the same person: names compare without case,
spaces collapsed, full-width letters folded — on the one-warning path, the file path and in the search
hash. Before, "JOHN SMITH" and "John Smith" under one phone were two people (the names' hashes
differed, so the phone's person was "someone else with that landline")."""

from __future__ import annotations

import hashlib
import hmac
import io

import pytest
from django.core.management import call_command

from fanzha.core.models import Person
from fanzha.core.pii import crypto
from fanzha.imports.pipeline import import_run
from fanzha.warnings import people, services
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning
from tests.warnings.files import row, warning_csv

SPELLINGS = ["JOHN SMITH", "John Smith", "john  smith", " John\tSMITH ", "ＪＯＨＮ　ＳＭＩＴＨ"]


def _old_digest(name: str) -> str:
    """The name hash as stored before (no case folding): Chinese names must keep it."""
    message = f"name:{name}".encode()
    return hmac.new(crypto._key("search"), message, hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_latin_names_hash_alike_in_any_case_spacing_or_width() -> None:
    digests = {crypto.search_hash("name", written) for written in SPELLINGS}
    assert len(digests) == 1
    intake = services.Intake()
    assert {intake.hash("name", written) for written in SPELLINGS} == digests
    assert intake.hash("name", "JOHN") == crypto.search_hash("name", "john")  # the fast path too


@pytest.mark.django_db
def test_chinese_names_keep_their_stored_hash() -> None:
    for name in ("张三", "买买提·艾力", "欧阳娜娜"):
        assert crypto.search_hash("name", name) == _old_digest(name)
        assert services.Intake().hash("name", name) == _old_digest(name)
    assert crypto.search_hash("name", " 张 三 ") == _old_digest("张三")


def test_the_row_and_the_known_person_are_the_same_person() -> None:
    upper = ("", "", crypto.search_hash("name", "JOHN SMITH"))
    lower = ("", "", crypto.search_hash("name", "john smith"))
    assert people.same_person(upper, lower)


def _people(phone: str) -> int:
    return Person.objects.filter(phone_hash=crypto.search_hash("phone", phone)).count()


def _receive(n: int, name: str, phone: str = "13905718801") -> services.Received:
    data = WarningInput(
        source="上级推送",
        source_id=f"LATIN{n}",
        name=name,
        phone=phone,
        address="青溪县城关镇城东社区幸福路8号",
        fraud_type="刷单返利",
        warned_at="2026-11-28 09:00:00",
    )
    return services.receive(intake=services.Intake(), data=data)


@pytest.mark.django_db
def test_one_warning_at_a_time_finds_the_person_by_phone_in_any_letter_case(world) -> None:  # type: ignore[no-untyped-def]
    first = _receive(1, "JOHN SMITH")
    again = _receive(2, "john  smith")
    assert _people("13905718801") == 1
    assert again.warning.person_id == first.warning.person_id
    assert again.outcome == "merged"
    assert not any(column == "姓名" for column, _ in again.notices)  # no "other name" notice


@pytest.mark.django_db
def test_a_file_finds_the_person_by_phone_in_any_letter_case(world) -> None:  # type: ignore[no-untyped-def]
    lines = [
        row(1, name="JOHN SMITH", id_number="", phone="13905718802"),
        row(2, name="John Smith", id_number="", phone="13905718802", warned_at="2026-11-28 10:30:00"),
        row(3, name="ｊｏｈｎ　ｓｍｉｔｈ", id_number="", phone="13905718802", warned_at="2026-11-28 11:00"),
    ]
    result = import_run(actor=None, importer="warnings", file_name="a.csv", data=warning_csv(lines))
    assert result.ok, result.errors
    assert _people("13905718802") == 1
    assert Warning.objects.count() == 1  # one person, one open warning: the later rows merged
    assert not any(n["column"] == "姓名" for n in result.batch.notices), result.batch.notices


@pytest.mark.django_db
def test_a_reused_warning_id_with_a_new_phone_is_the_same_person_in_any_letter_case(world) -> None:  # type: ignore[no-untyped-def]
    lines = [row(7, name="JOHN SMITH", id_number="", phone="13905718803")]
    assert import_run(actor=None, importer="warnings", file_name="a.csv", data=warning_csv(lines)).ok
    again = [row(7, name="John Smith", id_number="", phone="13905718804")]
    result = import_run(actor=None, importer="warnings", file_name="b.csv", data=warning_csv(again))
    assert result.ok
    assert Warning.objects.count() == 1 and not Warning.objects.filter(source_id__contains="~").exists()


@pytest.mark.django_db
def test_rehash_names_updates_the_hashes_stored_before(world) -> None:  # type: ignore[no-untyped-def]
    _receive(1, "JOHN SMITH")
    _receive(3, "王五", phone="13905718809")
    Person.objects.filter(phone_hash=crypto.search_hash("phone", "13905718801")).update(
        name_hash=_old_digest("JOHN SMITH")
    )
    out = io.StringIO()
    call_command("rehash_names", stdout=out)
    assert "已更新 1 名" in out.getvalue()  # not the Chinese names
    person = Person.objects.get(phone_hash=crypto.search_hash("phone", "13905718801"))
    assert person.name_hash == crypto.search_hash("name", "john smith")
    assert _receive(2, "John Smith").warning.person_id == person.pk
    out = io.StringIO()
    call_command("rehash_names", stdout=out)  # nothing left to do
    assert "已更新 0 名" in out.getvalue()


@pytest.mark.django_db
def test_the_migration_rewrites_the_hashes_stored_before(world) -> None:  # type: ignore[no-untyped-def]
    from importlib import import_module

    from django.apps import apps

    _receive(1, "JOHN SMITH")
    phone_hash = crypto.search_hash("phone", "13905718801")
    Person.objects.filter(phone_hash=phone_hash).update(name_hash=_old_digest("JOHN SMITH"))
    import_module("fanzha.core.migrations.0006_rehash_latin_names").rehash(apps, None)
    assert Person.objects.get(phone_hash=phone_hash).name_hash == crypto.search_hash("name", "john smith")
