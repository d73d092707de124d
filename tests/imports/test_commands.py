"""``fanzha import_file`` and ``fanzha areas``: summary line, row errors, exit codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanzha.core.models import Area, Person
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row, unique_people


def command(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return out.getvalue(), int(exc.code or 0)
    return out.getvalue(), 0


def test_it_imports_people_from_the_command_line(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "people.csv"
    file.write_bytes(csv_bytes(PEOPLE_HEADER, unique_people(1, 2), encoding="gbk"))
    out, code = command("import_file", "people", str(file), "--user", "leader", "--dry-run")
    assert code == 0
    assert out.splitlines()[-1] == "checked, not imported: 2 new, 0 updated, 0 unchanged, 0 rejected"
    assert Person.objects.count() == 2
    out, code = command("import_file", "people", str(file), "--user", "leader")
    assert code == 0 and out.splitlines()[-1] == "imported: 2 new, 0 updated, 0 unchanged, 0 rejected"
    assert Person.objects.count() == 4
    out, code = command("import_file", "people", str(file), "--user", "leader")
    assert out.splitlines()[-1] == "imported: 0 new, 0 updated, 2 unchanged, 0 rejected"


def test_it_prints_row_errors_and_exits_1(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "people.csv"
    file.write_bytes(csv_bytes(PEOPLE_HEADER, [person_row(1), person_row(2, id_number="330102199001011235")]))
    out, code = command("import_file", "people", str(file), "--user", "leader")
    assert code == 1
    assert "第 3 行 身份证号 3301**********1235：" in out
    assert "330102199001011235" not in out
    assert out.splitlines()[-1] == "imported: 0 new, 0 updated, 0 unchanged, 1 rejected"
    assert Person.objects.count() == 2
    with pytest.raises(CommandError, match="无权导入"):
        command("import_file", "people", str(file))
    with pytest.raises(CommandError, match="无权导入"):
        command("import_file", "people", str(file), "--user", "grid_cd")


def test_it_exports_and_imports_areas(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in ("areas.csv", "areas.xlsx"):
        out, code = command("areas", "export", str(tmp_path / name))
        assert code == 0 and out.startswith("已导出 9 个区划")
        out, code = command("areas", "import", str(tmp_path / name))
        assert code == 0 and out.splitlines()[-1] == "imported: 0 new, 0 updated, 9 unchanged, 0 rejected"
    text = (tmp_path / "areas.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "more.csv").write_text(text + "331199700000,东岭镇,镇,331199000000,,\n", encoding="utf-8")
    out, code = command("areas", "import", str(tmp_path / "more.csv"), "--user", "admin")
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 updated, 9 unchanged, 0 rejected"
    assert Area.objects.get(code="331199700000").parent.code == "331199000000"
    with pytest.raises(CommandError):
        command("areas", "export", str(tmp_path / "areas.txt"))
