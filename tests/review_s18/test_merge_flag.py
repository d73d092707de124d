"""A merged report written with an unknown 诈骗类型 does not flag a warning whose type is known."""

from __future__ import annotations

from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import Warning
from fanzha.warnings.type_aliases import fraud_type_alias_save
from tests.warnings.files import row, warning_csv


def test_a_later_report_of_an_unknown_type_leaves_a_known_type_unflagged(world) -> None:  # type: ignore[no-untyped-def]
    rows = [row(5, fraud_type="刷单返利"), row(5, source_id="YJ900005", fraud_type="0103")]
    import_run(actor=world.users["leader"], importer="warnings", file_name="a.csv", data=warning_csv(rows))
    warning = Warning.objects.get()
    assert warning.fraud_type not in ("", "other_fraud")  # the first report's 刷单返利
    assert "fraud_type_unknown" not in warning.quality_flags  # not 诈骗类型无法识别，按“其他诈骗”处理
    fraud_type_alias_save(actor=world.users["leader"], text="0103", fraud_type="fake_loan")
    assert "fraud_type_unknown" not in Warning.objects.get().quality_flags
