"""Warning intake throughput (read, clean, match, grade, locate, route, write) and the list page's p95.

Run: .venv/bin/python bench/warnings.py [ROWS]   (a scratch SQLite database; DATABASE_URL for PostgreSQL)
Prints `figure: NAME = VALUE UNIT` lines. The issue's targets (100,000 rows in 10 s; the list page at
1,000,000 warnings in 300 ms p95) need a bulk write path that this version does not have yet: the
figures here measure the per-row service path honestly, at whatever size is given.
"""

from __future__ import annotations

import os
import sys

# This file is called warnings.py: keep its folder off the path, or it would stand in for the stdlib module.
_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]

import csv  # noqa: E402
import io  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

SCRATCH = tempfile.mkdtemp(prefix="fanzha-bench-")
os.environ.setdefault("FANZHA_VAR_DIR", SCRATCH)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanzha.settings")
os.environ.setdefault("FANZHA_DEBUG", "false")  # as in production: no per-query logging

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from fanzha.core.services import areas, organisations  # noqa: E402
from fanzha.imports.pipeline import import_run  # noqa: E402

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
TYPES = ["刷单返利", "冒充公检法", "虚假网络贷款", "网络游戏产品虚假交易", "网络婚恋、交友", "虚假征信"]
VILLAGES = [("城关镇", "城东社区"), ("城关镇", "城西社区"), ("龙泉乡", "石桥村"), ("龙泉乡", "松坪村")]


def id_number(rng: random.Random, seq: int) -> str:
    birth = f"{rng.randrange(1940, 2010)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    body = f"331102{birth}{seq % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def warnings_csv(rows: int) -> bytes:
    rng = random.Random(2026)
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
                f"B{n:07d}",
                f"人员{n}",
                id_number(rng, n),
                f"{rng.choice(prefixes)}{rng.randrange(10**4):04d}",
                f"青溪县{town}{village}{n % 300}号",
                rng.choice(TYPES),
                "上级推送",
                "2026-11-28 09:00:00",
                rng.choice(["", "", "3000", "20000", "80000"]),
            ]
        )
    return out.getvalue().encode()


def setup_world():  # type: ignore[no-untyped-def]
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


def list_p95(leader, requests: int = 40) -> float:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(leader)
    timings = []
    for i in range(requests):
        started = time.perf_counter()
        response = client.get("/warnings/", {"grade": ["high", "medium"][i % 2], "page": str(1 + i % 5)})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.quantiles(timings, n=20)[-1]


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    leader = setup_world()
    data = warnings_csv(rows)
    started, cpu = time.perf_counter(), time.process_time()
    result = import_run(actor=None, importer="warnings", file_name="bench.csv", data=data)
    seconds = time.perf_counter() - started
    print(f"# import: {seconds:.1f} s wall, {time.process_time() - cpu:.1f} s CPU in this process", file=sys.stderr)
    assert result.ok, result.summary()
    vendor = "postgres" if connection.vendor == "postgresql" else "sqlite"
    size = f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)
    print(f"# {result.summary()}", file=sys.stderr)
    print(f"figure: warnings_import_{size}_{vendor} = {seconds:.1f} s")
    print(f"figure: warnings_import_rate_{vendor} = {rows / seconds:.0f} rows/s")
    print(f"figure: warnings_list_p95_{size} = {list_p95(leader):.0f} ms")


if __name__ == "__main__":
    main()
