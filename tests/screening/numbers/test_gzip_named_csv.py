"""An operator's calls file gzipped but named .csv (renamed, or a download tool that kept the name) is
read as the gzip it is, as the same file named .csv.gz: it was refused as neither UTF-8 nor GBK."""

from __future__ import annotations

import gzip
from pathlib import Path

from fanzha.screening.numbers.cli import main
from tests.screening.numbers.conftest import synthetic_calls


def _features(tmp_path: Path, calls: Path, name: str) -> str:
    out = tmp_path / f"{name}.csv"
    assert main(["features", "--calls", str(calls), "--output", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_a_gzipped_calls_file_named_csv_is_read_as_gzip(tmp_path: Path) -> None:
    plain, _fraud = synthetic_calls(tmp_path / "plain.csv")
    renamed = tmp_path / "话单.csv"
    renamed.write_bytes(gzip.compress(plain.read_bytes()))
    named_gz = tmp_path / "话单.csv.gz"
    named_gz.write_bytes(renamed.read_bytes())
    expected = _features(tmp_path, plain, "plain")
    assert _features(tmp_path, renamed, "renamed") == expected
    assert _features(tmp_path, named_gz, "named_gz") == expected
