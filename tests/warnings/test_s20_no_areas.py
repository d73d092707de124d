"""A platform without its area tree yet: a warning list is refused, saying what to load first (s20)."""

from __future__ import annotations

import pytest

from fanzha.warnings.models import Warning
from tests.warnings.files import row, warning_csv
from tests.warnings.test_cli import command


@pytest.mark.django_db
def test_a_list_before_any_area_is_refused_naming_the_area_import(tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv([row(1), row(2)]))
    out, code = command("warnings", "import", str(file))
    assert code != 0
    assert "请先导入本中心的行政区划" in out and "fanzha import_file areas" in out
    assert Warning.objects.count() == 0
