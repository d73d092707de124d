"""Bank statements imported into a case on the platform: a 1,000,000-row CSV through the columnar
path (DuckDB parse + one raw bulk write, accounts encrypted), on SQLite and PostgreSQL.

Run: .venv/bin/python bench/statements.py [ROWS] [--postgres-url URL] [--baseline-rows N]

Baseline in the same run: the row-by-row path (Python parse, ORM ``bulk_create``) on ``--baseline-rows``
rows (default 20,000) of the same statement, as seconds per million rows. The statement is the one
bench/trace.py writes (title lines, debit/credit columns, thousands separators, full-width digits,
2 % of rows listed twice). Prints ``figure: NAME = VALUE UNIT`` lines.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]  # bench/ holds warnings.py

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def _bench_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", os.path.join(_HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


benchdb = _bench_module("benchdb")


def _case() -> Any:
    from django.core.management import call_command

    sys.path.insert(0, os.path.dirname(_HERE))  # the personas and case helpers of the test suite
    call_command("migrate", verbosity=0)
    from tests.cases.helpers import make_case
    from tests.personas import build_world

    world = build_world()
    return world.users["police_cg"], make_case(world)


def _import(officer: Any, case: Any, path: Path, force_rows: bool) -> tuple[float, float, Any]:
    from django.db import transaction

    from fanzha.cases import statements

    statements.LARGE_BYTES = 10**12 if force_rows else 0
    wall, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        statement, _ = statements.statement_upload(
            actor=officer, case=case, file_name=path.name, data=path.read_bytes()
        )
    return time.perf_counter() - wall, time.process_time() - cpu, statement


def child(rows: int, baseline_rows: int, label: str) -> None:
    benchdb.django_setup()
    write_statement = _bench_module("trace").write_statement
    officer, case = _case()
    scratch = Path(tempfile.mkdtemp(prefix="fanzha-statement-"))
    small, large = scratch / "baseline.csv", scratch / "statement.csv"
    write_statement(small, baseline_rows, seed=11)
    write_statement(large, rows)
    took, cpu, base = _import(officer, case, small, force_rows=True)
    per_million = took * 1_000_000 / baseline_rows
    print(f"{label}: row path {base.rows_added:,} rows in {took:.2f} s ({cpu:.2f} s CPU)")
    took, cpu, statement = _import(officer, case, large, force_rows=False)
    print(
        f"{label}: columnar path {statement.rows_read:,} rows read, {statement.rows_added:,} stored, "
        f"{statement.duplicates:,} duplicates in {took:.2f} s ({cpu:.2f} s CPU); "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    size = benchdb.size_label(rows)
    print(f"figure: statement_platform_import_{size}_{label} = {took:.2f} s")
    print(f"figure: statement_row_path_per_1M_{label} = {per_million:.1f} s")
    print(f"figure: statement_platform_speedup_{label} = {per_million * rows / 1_000_000 / took:.1f} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="sqlite", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.rows, args.baseline_rows, args.label)
        return
    common = [str(args.rows), "--baseline-rows", str(args.baseline_rows), "--child"]
    benchdb.run_child(__file__, common, {})
    with benchdb.postgres_url(args.postgres_url) as url:
        if url is None:
            print("# PostgreSQL skipped: no --postgres-url and PostgreSQL 15 is not installed")
        else:
            benchdb.run_child(__file__, [*common, "--label", "postgres"], {"DATABASE_URL": url})
    print(
        "engines: parse/classify/dedupe on DuckDB; rows written by executemany (SQLite) / COPY (PostgreSQL)"
    )


if __name__ == "__main__":
    main()
