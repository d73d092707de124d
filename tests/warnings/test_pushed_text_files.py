"""Pushed warning lists as text files (CSV, Excel's "Unicode 文本") through `fanzha warnings import
FILE`: a row whose cells no longer line up with the header is named, never imported with its columns
shifted."""

from __future__ import annotations

from typing import Any

from fanzha.warnings.models import Warning
from tests.warnings.files import HEADER, row
from tests.warnings.test_cli import command

ADDRESS = "江州市青溪县城关镇城东社区幸福路1号"


def text_file(lines: list[list[str]], delimiter: str = ",") -> str:
    """The lines joined as a system without quoting writes them: a delimiter inside a cell splits it."""
    return "".join(delimiter.join(cells) + "\r\n" for cells in lines)


def run(tmp_path: Any, data: bytes, name: str = "list.csv") -> tuple[str, int]:
    file = tmp_path / name
    file.write_bytes(data)
    return command("warnings", "import", str(file))


def test_a_row_split_by_an_unquoted_comma_is_refused_not_shifted(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """幸福路1号,3单元 unquoted made two cells: 3单元 was read as the type, the type as the source, the
    amount as a suspect's number — imported with four flags and a wrong source."""
    split = row(1, address=f"{ADDRESS},3单元", amount="5000")
    out, code = run(tmp_path, text_file([HEADER, split, row(2), row(3)]).encode())
    assert code == 1, out
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 0 unchanged, 1 rejected", out
    assert "第 2 行" in out and "比表头多 1 格" in out and "错位" in out
    assert ADDRESS not in out and "3单元" not in out  # no cell quoted
    assert not Warning.objects.exists()


def test_a_tab_inside_a_cell_of_a_unicode_text_file_is_refused_too(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    split = row(2, notes="已劝阻\t家属在场")
    data = b"\xff\xfe" + text_file([HEADER, row(1), split, row(3)], "\t").encode("utf-16-le")
    out, code = run(tmp_path, data, "list.txt")
    assert code == 1 and "第 3 行" in out and "比表头多 1 格" in out, out
    assert not Warning.objects.exists()


def test_rows_that_all_end_with_one_more_delimiter_are_read(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A system that ends every data row with a comma (not its header): no row is shifted."""
    lines = ",".join(HEADER) + "\r\n" + "".join(",".join(row(n)) + ",\r\n" for n in (1, 2, 3))
    out, code = run(tmp_path, lines.encode())
    assert code == 0 and out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected", out
    assert "比表头多" not in out


def test_cells_a_system_marked_as_text_with_an_apostrophe_are_read_without_it(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """'YJ000001, '13700000001, '2026-11-28 09:30:00 as a system writes them for Excel to keep as text:
    the 预警编号, the name, the suspect's number kept with the ', the time and the amount unreadable."""
    plain = row(1, amount="5000", suspect="17012345678")
    marked = ["'" + cell if cell else cell for cell in plain]
    out, code = run(tmp_path, text_file([HEADER, marked]).encode())
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected", out
    warning = Warning.objects.get()
    assert (warning.source_id, warning.person.name) == ("YJ000001", "预警1号")
    assert warning.suspect_numbers == "17012345678" and str(warning.amount) == "5000.00"
    assert warning.warned_at.isoformat() == "2026-11-28T01:30:00+00:00" and warning.quality_flags == []
    again = tmp_path / "plain.csv"
    again.write_bytes(text_file([HEADER, plain]).encode())
    out, code = command("warnings", "import", str(again))
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 1 unchanged, 0 rejected", out


def test_an_apostrophe_inside_a_cell_stays(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    noted = row(1, notes="当事人称'客服'让其转账")
    out, code = run(tmp_path, text_file([HEADER, noted]).encode())
    assert code == 0, out
    assert Warning.objects.get().notes == "当事人称'客服'让其转账"
