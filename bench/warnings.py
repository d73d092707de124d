"""Warning intake throughput (read, clean, match, grade, locate, route, write) and the list page's p95.

Run: .venv/bin/python bench/warnings.py [ROWS] [--postgres-url URL] [--list-rows N] [--cli]

Each database runs in a child process on a scratch database: SQLite in a temporary folder; PostgreSQL
at ``--postgres-url`` (a database it may fill), else a throwaway PostgreSQL 15 cluster started in /tmp
the way .ci/run does (skipped, with the reason printed, when PostgreSQL 15 is not installed).
After the import, the SQLite database is grown to ``--list-rows`` warnings (default 1,000,000) with
plain SQL (``INSERT … SELECT`` copies of the imported rows, not the service) and the centre's list page
is timed through the Django test client. Before the timed import a list of 200 rows is imported once
(:func:`warm_up`: modules loaded on first use). ``--cli`` also times ``fanzha warnings import FILE``
end to end.
The baseline, in the same run on each database: the one-warning path (``services.warning_receive``, as
the API and the form run it: a transaction, lookups and an audit record a warning) on 1,000 rows of a
second list, after an ``ANALYZE`` (PostgreSQL's autovacuum soon does it after a big import; until then
its plans for the fresh tables are those of empty ones); ``warnings_bulk_speedup_*`` is the bulk
import's rate over it.
Prints ``figure: NAME = VALUE UNIT`` lines.
"""

from __future__ import annotations

import os
import sys

# This file is called warnings.py: keep its folder off the path, or it would stand in for the stdlib module.
_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]

import argparse  # noqa: E402
import csv  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def _bench_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", os.path.join(_HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


benchdb = _bench_module("benchdb")  # scratch databases: a child per database, a throwaway PostgreSQL
size_label = benchdb.size_label


WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
TYPES = ["刷单返利", "冒充公检法", "虚假网络贷款", "网络游戏产品虚假交易", "网络婚恋、交友", "虚假征信"]
VILLAGES = [("城关镇", "城东社区"), ("城关镇", "城西社区"), ("龙泉乡", "石桥村"), ("龙泉乡", "松坪村")]


def id_number(rng: random.Random, seq: int) -> str:
    birth = f"{rng.randrange(1940, 2010)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    body = f"331102{birth}{seq % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


# Where a county's warnings come from (预警来源), as the database holds them after months: mostly pushed
# down, then the operators', the banks', the screening engine's and the public's. The list's filter by
# source is timed on this mix (a database of one source hides what the planner does with a rare one).
SOURCE_MIX = (("上级推送", 70), ("运营商", 15), ("银行", 8), ("系统筛查", 5), ("群众举报", 2))


def warnings_csv(rows: int, prefix: str = "B", seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    sources = random.Random(seed + 1).choices(
        [name for name, _ in SOURCE_MIX], weights=[weight for _, weight in SOURCE_MIX], k=rows
    )
    # A county's phones come from a few hundred 号段 (7-digit prefixes), not from all of them.
    prefixes = [f"1{rng.choice('3589')}{rng.randrange(10**5):05d}" for _ in range(400)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["预警编号", "姓名", "身份证号", "手机号", "现住址", "诈骗类型", "预警来源", "预警时间", "涉案金额"]
    )
    for n in range(rows):
        town, village = rng.choice(VILLAGES)
        writer.writerow(
            [
                f"{prefix}{n:07d}",
                f"人员{n}",
                id_number(rng, n),
                f"{rng.choice(prefixes)}{rng.randrange(10**4):04d}",
                f"青溪县{town}{village}{n % 300}号",
                rng.choice(TYPES),
                sources[n],
                "2026-11-28 09:00:00",
                rng.choice(["", "", "3000", "20000", "80000"]),
            ]
        )
    return out.getvalue().encode()


def setup_world():  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from fanzha.core.services import areas, organisations

    call_command("migrate", verbosity=0)
    county = areas.area_create(actor=None, code="331199000000", name="青溪县", level="district", parent=None)
    centre = organisations.organisation_create(actor=None, name="青溪县反诈中心", kind="centre", area=county)
    towns: dict[str, object] = {}
    for i, (town, village) in enumerate(VILLAGES, start=1):
        if town not in towns:
            towns[town] = areas.area_create(
                actor=None, code=f"3311991{len(towns)}0000", name=town, level="township", parent=county
            )
            station = organisations.organisation_create(
                actor=None, name=f"{town}派出所", kind="police_station", area=towns[town]
            )
            organisations.user_create(
                actor=None,
                username=f"police{len(towns)}",
                password="Bench#2026pass",  # noqa: S106
                organisation=station,
                roles=["police_officer"],
            )
        area = areas.area_create(
            actor=None, code=f"33119919000{i}", name=village, level="village", parent=towns[town]
        )
        committee = organisations.organisation_create(
            actor=None, name=f"{village}委员会", kind="village_committee", area=area
        )
        organisations.user_create(
            actor=None,
            username=f"grid{i}",
            password="Bench#2026pass",  # noqa: S106
            organisation=committee,
            roles=["grid_worker"],
        )
    return organisations.user_create(
        actor=None,
        username="leader",
        password="Bench#2026pass",  # noqa: S106
        organisation=centre,
        roles=["centre_leader"],
    )


def list_p95(leader, requests: int = 60) -> float:  # type: ignore[no-untyped-def]
    """The list page as a centre leader sees it: by grade, by status, by area, by source, first and later
    pages."""
    from django.test import Client

    from fanzha.core.models import Area

    client = Client()
    client.force_login(leader)
    village = Area.objects.get(name="城东社区").pk
    filters = [
        {"grade": "high"},
        {"grade": "medium", "status": "assigned"},
        {"area": str(village)},
        {"source": "superior"},  # the source of most rows
        {"source": "tip"},  # a rare source (2 %)
        {},
    ]
    timings = []
    for i in range(requests):
        params = {**filters[i % len(filters)], "page": str(1 + (i // len(filters)) % 5)}
        started = time.perf_counter()
        response = client.get("/warnings/", params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.quantiles(timings[len(filters) :], n=20)[-1]  # the first round warms caches


def grow(total: int) -> int:
    """Copy the imported warnings (new source ids, received up to a year earlier) until ``total``."""
    from django.db import connection, transaction

    from fanzha.warnings.models import Warning

    have = Warning.objects.count()
    copies = max(0, -(-(total - have) // have))
    fields = [f for f in Warning._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        shift = {"received_at": "w.received_at - k.n * interval '37 hours'"}
    else:
        shift = {"received_at": "datetime(w.received_at, '-' || (k.n * 37) || ' hours')"}
    shift["source_id"] = "w.source_id || '~' || k.n"
    names = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(shift.get(f.column, f"w.{quote(f.column)}") for f in fields)
    sql = (
        "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < %s) "  # noqa: S608
        f"INSERT INTO {quote(Warning._meta.db_table)} ({names}) SELECT {values} "
        f"FROM {quote(Warning._meta.db_table)} w CROSS JOIN k WHERE w.id <= %s"
    )
    last = Warning.objects.order_by("-id").values_list("id", flat=True).first()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [copies, last])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Warning.objects.count()


def child(rows: int, list_rows: int, vendor_label: str) -> None:
    """One database: import ``rows`` warnings, then (``list_rows`` > 0) grow and time the list page."""
    benchdb.django_setup()
    from fanzha.core.checkpoints import wait_for_checkpoints
    from fanzha.imports.pipeline import import_run

    leader = setup_world()
    warm_up(import_run, vendor_label)
    data = warnings_csv(rows)
    started, cpu = time.perf_counter(), time.process_time()
    result = import_run(actor=None, importer="warnings", file_name="bench.csv", data=data)
    seconds = time.perf_counter() - started
    assert result.ok, result.summary()
    print(f"# {vendor_label}: {result.summary()}; {time.process_time() - cpu:.1f} s CPU in this process")
    print(f"figure: warnings_import_{size_label(rows)}_{vendor_label} = {seconds:.1f} s")
    print(f"figure: warnings_import_rate_{vendor_label} = {rows / seconds:.0f} rows/s", flush=True)
    if vendor_label == "sqlite":  # its WAL checkpoint, after the commit, beside the caller (checkpoints.py)
        started = time.perf_counter()
        wait_for_checkpoints()
        waited = time.perf_counter() - started
        print(f"figure: warnings_checkpoint_after_import_{size_label(rows)}_sqlite = {waited:.1f} s")
    analyze()  # as autovacuum (PostgreSQL) soon would: fresh tables' statistics, not the empty ones
    row_rate = row_by_row_rate(leader, BASELINE_ROWS)
    print(f"figure: warnings_row_by_row_rate_{vendor_label} = {row_rate:.0f} rows/s")
    print(f"figure: warnings_bulk_speedup_{vendor_label} = {rows / seconds / row_rate:.1f} x", flush=True)
    if list_rows > 0:
        started = time.perf_counter()
        have = grow(list_rows)
        print(
            f"# {vendor_label}: grew to {have} warnings in {time.perf_counter() - started:.0f} s", flush=True
        )
        suffix = "" if vendor_label == "sqlite" else f"_{vendor_label}"
        print(f"figure: warnings_list_p95_{size_label(list_rows)}{suffix} = {list_p95(leader):.0f} ms")


BASELINE_ROWS = 1000
WARM_UP_ROWS = 200


def warm_up(import_run, vendor_label: str) -> None:  # type: ignore[no-untyped-def]
    """A small list imported first, as a running server has done: the modules loaded on first use (the
    URL map for the assignees' notices, the phone geocoder's data) are then loaded outside the timing.
    The process start is timed by ``--cli``."""
    started = time.perf_counter()
    result = import_run(
        actor=None, importer="warnings", file_name="warm-up.csv", data=warnings_csv(WARM_UP_ROWS, "W", 7)
    )
    assert result.ok, result.summary()
    print(f"# {vendor_label}: warm-up list of {WARM_UP_ROWS} rows in {time.perf_counter() - started:.2f} s")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def row_by_row_rate(actor, count: int) -> float:  # type: ignore[no-untyped-def]
    """The baseline: the one-warning path as the API and the form run it (``services.warning_receive``:
    its own transaction, lookups and audit record per warning) on the first ``count`` rows of a second
    list of other people, into the database the bulk import just filled. Rows per second."""
    from fanzha.warnings.intake import WarningInput
    from fanzha.warnings.services import warning_receive

    names = [
        "source_id",
        "name",
        "id_number",
        "phone",
        "address",
        "fraud_type",
        "source",
        "warned_at",
        "amount",
    ]
    reader = csv.reader(io.StringIO(warnings_csv(count, prefix="R", seed=7).decode()))
    next(reader)
    inputs = [WarningInput(**dict(zip(names, values, strict=True))) for values in reader]
    started = time.perf_counter()
    for data in inputs:
        warning_receive(actor=actor, data=data, channel="bench")
    return count / (time.perf_counter() - started)


def cli_child(rows: int) -> None:
    """``fanzha warnings import FILE`` end to end (process start included) on a prepared scratch database."""
    benchdb.django_setup()
    setup_world()
    path = Path(os.environ["FANZHA_VAR_DIR"]) / "bench.csv"
    path.write_bytes(warnings_csv(rows))
    fanzha = Path(sys.executable).with_name("fanzha")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(fanzha), "warnings", "import", str(path)], capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    assert done.returncode == 0, last
    print(f"# cli: {last}; {cpu:.1f} s CPU in the command's process")
    print(f"figure: warnings_cli_{size_label(rows)}_sqlite = {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--postgres-url", default="", help="a scratch PostgreSQL database the bench may fill")
    parser.add_argument(
        "--list-rows", type=int, default=1_000_000, help="warnings in the database for the list"
    )
    parser.add_argument("--cli", action="store_true", help="also time `fanzha warnings import FILE`")
    parser.add_argument("--child", choices=["db", "cli"], help=argparse.SUPPRESS)
    parser.add_argument("--label", default="sqlite", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "db":
        child(args.rows, args.list_rows, args.label)
        return
    if args.child == "cli":
        cli_child(args.rows)
        return
    rows = [str(args.rows)]
    benchdb.run_child(__file__, [*rows, "--child", "db", "--list-rows", str(args.list_rows)], {})
    if args.cli:
        benchdb.run_child(__file__, [*rows, "--child", "cli"], {})
    pg_args = [*rows, "--child", "db", "--label", "postgres", "--list-rows", "0"]
    with benchdb.postgres_url(args.postgres_url) as url:
        if url is None:
            print(
                f"# warnings_import_{size_label(args.rows)}_postgres skipped: "
                f"no --postgres-url and no {benchdb.PG_BIN}"
            )
        else:
            benchdb.run_child(__file__, pg_args, {"DATABASE_URL": url})


if __name__ == "__main__":
    main()
