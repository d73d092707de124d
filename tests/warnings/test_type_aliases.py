"""The centre's fraud-type table: type codes read as our types; open warnings re-typed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.imports.pipeline import import_run
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import EventKind, FraudTypeAlias, Status, Warning
from fanzha.warnings.services import Intake, receive
from fanzha.warnings.type_aliases import fraud_type_alias_delete, fraud_type_alias_save
from tests.warnings.files import row, warning_csv

AUTHORITY = "impersonate_authority"  # 冒充公检法及政府机关: graded high by the default rules


def _import(world, rows):  # type: ignore[no-untyped-def]
    result = import_run(
        actor=world.users["leader"], importer="warnings", file_name="list.csv", data=warning_csv(rows)
    )
    assert result.batch.rows_rejected == 0, result.batch.errors
    return result


def test_a_code_the_centre_names_retypes_and_regrades_the_open_warnings_received_with_it(world) -> None:  # type: ignore[no-untyped-def]
    _import(world, [row(1, fraud_type="0103"), row(2, fraud_type="0103"), row(3, fraud_type="刷单返利")])
    coded = Warning.objects.filter(fraud_type="other_fraud").order_by("id")
    assert coded.count() == 2 and all("fraud_type_unknown" in w.quality_flags for w in coded)
    closed = coded[1]
    Warning.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    grade_before = coded[0].grade

    saved = fraud_type_alias_save(actor=world.users["leader"], text=" 0103 ", fraud_type=AUTHORITY)

    assert (saved.retyped, saved.alias.text) == (1, "0103")
    first = Warning.objects.get(pk=coded[0].pk)
    assert first.fraud_type == AUTHORITY and "fraud_type_unknown" not in first.quality_flags
    assert first.grade == "high" != grade_before and saved.regraded == 1
    assert first.due_ack_at < coded[0].due_ack_at  # a high grade's shorter clock
    event = first.events.filter(kind=EventKind.GRADED).get()
    assert (
        "按诈骗类型对照表更正为“冒充公检法及政府机关”" in event.message
        and event.actor == world.users["leader"]
    )
    assert Warning.objects.get(pk=closed.pk).fraud_type == "other_fraud"  # closed: left as it was
    record = AuditEvent.objects.get(action="warning.type_alias")
    assert record.details["op"] == "create" and record.actor_id == world.users["leader"].pk


def test_later_lists_read_the_code_as_the_type(world) -> None:  # type: ignore[no-untyped-def]
    fraud_type_alias_save(actor=world.users["leader"], text="0103", fraud_type=AUTHORITY)
    _import(world, [row(5, fraud_type="０１０３")])  # full-width digits: the same code
    warning = Warning.objects.get()
    assert warning.fraud_type == AUTHORITY and warning.quality_flags == []
    one = receive(
        intake=Intake(), data=WarningInput(source_id="API-9", phone="13900000009", fraud_type="0103")
    )
    assert one.warning.fraud_type == AUTHORITY


def test_it_refuses_a_known_name_an_empty_text_and_an_unknown_type(world) -> None:  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    with pytest.raises(ValidationError, match="已能识别为“冒充公检法及政府机关”"):
        fraud_type_alias_save(actor=leader, text="冒充公检法", fraud_type="fake_loan")
    with pytest.raises(ValidationError, match="请填写"):
        fraud_type_alias_save(actor=leader, text=" ， ", fraud_type=AUTHORITY)
    with pytest.raises(ValidationError, match="请选择"):
        fraud_type_alias_save(actor=leader, text="0103", fraud_type="normal")
    assert not FraudTypeAlias.objects.exists()
    with pytest.raises(PermissionDenied):
        fraud_type_alias_save(actor=world.users["grid_cd"], text="0103", fraud_type=AUTHORITY)


def test_saving_the_same_text_again_changes_its_type_and_its_warnings_and_delete_keeps_them(world) -> None:  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    _import(world, [row(1, fraud_type="0199")])
    fraud_type_alias_save(actor=leader, text="0199", fraud_type="fake_loan")
    again = fraud_type_alias_save(actor=leader, text="0199", fraud_type=AUTHORITY)
    assert FraudTypeAlias.objects.get().fraud_type == AUTHORITY and again.retyped == 1  # the entry's
    fraud_type_alias_delete(actor=leader, alias=again.alias)
    assert Warning.objects.get().fraud_type == AUTHORITY and not FraudTypeAlias.objects.exists()
    ops = list(
        AuditEvent.objects.filter(action="warning.type_alias")
        .order_by("id")
        .values_list("details", flat=True)
    )
    assert [d["op"] for d in ops] == ["create", "update", "delete"]


def test_the_page_adds_lists_and_deletes(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    url = reverse("warning_type_alias_list")
    answer = client.post(url, {"text": "0103", "fraud_type": AUTHORITY}, follow=True)
    page = answer.content.decode()
    assert "已保存：“0103”→“冒充公检法及政府机关”" in page and "0 条未办结预警已更正类型" in page
    refused = client.post(url, {"text": "刷单返利", "fraud_type": AUTHORITY})
    assert refused.status_code == 400 and "已能识别为" in refused.content.decode()
    alias = FraudTypeAlias.objects.get()
    client.post(reverse("warning_type_alias_delete", args=[alias.pk]))
    assert not FraudTypeAlias.objects.exists()
    assert "诈骗类型对照" in client.get(reverse("warning_rule_list")).content.decode()


def test_an_entry_saved_while_a_list_waits_to_commit_types_that_list(world) -> None:  # type: ignore[no-untyped-def]
    """A file's rows are checked before its intake takes the lock: an entry saved in between still types
    them (the table is read again under the lock), in the bulk path and the one-warning path."""
    from fanzha.warnings import bulk
    from fanzha.warnings.intake import Memo, clean_warning

    listed = WarningInput(source_id="L-1", phone="13900000011", fraud_type="0107")
    pushed = WarningInput(source_id="P-1", phone="13900000012", fraud_type="0107")
    memo = Memo()
    clean = clean_warning(listed, memo=memo)
    assert clean.fraud_type == "other_fraud" and "fraud_type_unknown" in clean.flags

    fraud_type_alias_save(actor=world.users["leader"], text="0107", fraud_type=AUTHORITY)

    [received] = bulk.receive_many(intake=Intake(), rows=[(listed, clean)])
    one = receive(intake=Intake(), data=pushed)
    for warning in (received.warning, one.warning):
        warning = Warning.objects.get(pk=warning.pk)
        assert warning.fraud_type == AUTHORITY and warning.grade == "high"
        assert "fraud_type_unknown" not in warning.quality_flags
    assert not [n for n in received.notices if n[0] == "诈骗类型"]


def test_a_list_without_ids_imported_again_after_an_entry_is_unchanged(world) -> None:  # type: ignore[no-untyped-def]
    """Rows without 预警编号 get ids derived from what they say, their type included: an entry made
    between two imports of one list must not make it a new list."""
    rows = [row(1, fraud_type="0111", source_id=""), row(2, fraud_type="刷单返利", source_id="")]
    _import(world, rows)
    fraud_type_alias_save(actor=world.users["leader"], text="0111", fraud_type=AUTHORITY)
    again = _import(world, [*rows, row(3)])  # the list again, with one more row (another file)
    assert (again.batch.rows_new, again.batch.rows_unchanged) == (1, 2)
    assert Warning.objects.count() == 3
    assert Warning.objects.filter(fraud_type=AUTHORITY).count() == 1
