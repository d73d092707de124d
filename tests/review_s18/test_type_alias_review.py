"""Review of the fraud-type table (诈骗类型对照): a corrected entry, names the typology knows, merges."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fanzha.audit.models import AuditEvent
from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import FraudTypeAlias, Warning
from fanzha.warnings.type_aliases import fraud_type_alias_save
from tests.warnings.files import row, warning_csv

AUTHORITY = "impersonate_authority"  # graded high by the default rules


def _import(world, rows, name="list.csv"):  # type: ignore[no-untyped-def]
    result = import_run(
        actor=world.users["leader"], importer="warnings", file_name=name, data=warning_csv(rows)
    )
    assert result.batch.rows_rejected == 0, result.batch.errors
    return result


def test_correcting_an_entry_retypes_the_open_warnings_it_typed(world) -> None:  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    _import(world, [row(1, fraud_type="0199")])  # re-typed by the entry when it is made
    fraud_type_alias_save(actor=leader, text="0199", fraud_type="fake_loan")
    _import(world, [row(2, fraud_type="0199")], "later.csv")  # typed by the entry at intake
    # typed by its first report's own name, a second report (merged) written as the code: not the entry's
    _import(world, [row(3, fraud_type="虚假贷款"), row(3, source_id="YJ900003", fraud_type="0199")], "n.csv")
    assert Warning.objects.count() == 3  # the two reports of person 3 are one warning
    assert set(Warning.objects.values_list("fraud_type", flat=True)) == {"fake_loan"}

    corrected = fraud_type_alias_save(actor=leader, text="0199", fraud_type=AUTHORITY)

    assert corrected.retyped == 2
    by_id = dict(Warning.objects.values_list("source_refs__source_id", "fraud_type"))
    assert by_id == {
        "YJ000001": AUTHORITY,
        "YJ000002": AUTHORITY,
        "YJ000003": "fake_loan",
        "YJ900003": "fake_loan",
    }
    assert {w.grade for w in Warning.objects.filter(fraud_type=AUTHORITY)} == {"high"}
    record = AuditEvent.objects.filter(action="warning.type_alias").order_by("-id").first()
    assert record.details["fraud_type_before"] == "fake_loan" and record.details["retyped"] == 2


@pytest.mark.parametrize("text", ["正常", "合法广告营销"])
def test_a_screening_verdict_the_typology_knows_is_refused(world, text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="不是诈骗类型"):
        fraud_type_alias_save(actor=world.users["leader"], text=text, fraud_type=AUTHORITY)
    assert not FraudTypeAlias.objects.exists()


def test_a_text_longer_than_the_table_once_compared_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    text = "㌀" * 20  # 20 characters, compared as アパート × 20 (80): more than the table keeps
    with pytest.raises(ValidationError, match="写法过长"):
        fraud_type_alias_save(actor=world.users["leader"], text=text, fraud_type=AUTHORITY)
