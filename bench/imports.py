"""People import throughput: the whole pipeline (read, map, validate, encrypt, hash, upsert, audit)
against the per-row work it cannot avoid (CSV parse, ID/phone checks, three search hashes and four
encryptions), measured in the same run.

Run: .venv/bin/python bench/imports.py [ROWS]   (a scratch SQLite database; DATABASE_URL for PostgreSQL)
Prints `figure: NAME = VALUE UNIT` lines.
"""

from __future__ import annotations

import os
import sys

# bench/warnings.py shares its name with the standard library module: keep this folder off the path.
_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]

import csv
import io
import random
import tempfile
import time

SCRATCH = tempfile.mkdtemp(prefix="fanzha-bench-")
os.environ.setdefault("FANZHA_VAR_DIR", SCRATCH)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanzha.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from fanzha.core.pii import crypto, idcard, phone  # noqa: E402
from fanzha.core.services import areas, organisations  # noqa: E402
from fanzha.imports.pipeline import import_run  # noqa: E402

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英建国志强丽娟海燕明华桂兰玉梅文军"


def id_number(rng: random.Random, seq: int) -> str:
    birth = f"{rng.randrange(1940, 2010)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    body = f"331102{birth}{seq % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def people_csv(rows: int, area_code: str) -> bytes:
    rng = random.Random(2026)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号", "手机号", "现住址", "区划代码", "重点人群"])
    seen: set[str] = set()
    while len(seen) < rows:
        number = id_number(rng, len(seen))
        if number in seen:
            continue
        seen.add(number)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        mobile = rng.choice(["139", "138", "150", "187"]) + f"{rng.randrange(10**8):08d}"
        writer.writerow([name, number, mobile, f"青溪县城关镇城东社区{len(seen)}号", area_code, "老年人"])
    return out.getvalue().encode()


def baseline(data: bytes) -> None:
    reader = csv.reader(io.StringIO(data.decode()))
    next(reader)
    for name, number, mobile, address, _code, _groups in reader:
        check = idcard.check_id_number(number)
        info = phone.phone_info(mobile)
        for kind, value in (("name", name), ("id_number", check.normalized), ("phone", info.normalized)):
            crypto.search_hash(kind, value)
        for value in (name, check.normalized, info.normalized, address):
            crypto.encrypt(value)


def setup_world():  # type: ignore[no-untyped-def]
    call_command("migrate", verbosity=0)
    county = areas.area_create(actor=None, code="331199000000", name="青溪县", level="district", parent=None)
    town = areas.area_create(actor=None, code="331199100000", name="城关镇", level="township", parent=county)
    village = areas.area_create(
        actor=None, code="331199100001", name="城东社区", level="village", parent=town
    )
    centre = organisations.organisation_create(actor=None, name="青溪县反诈中心", kind="centre", area=county)
    analyst = organisations.user_create(
        actor=None,
        username="bench",
        password="Bench#2026pass",  # noqa: S106 - a scratch database
        organisation=centre,
        roles=["centre_analyst"],
    )
    return analyst, village


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    analyst, village = setup_world()
    data = people_csv(rows, village.code)
    started = time.perf_counter()
    baseline(data)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    result = import_run(actor=analyst, importer="people", file_name="people.csv", data=data)
    first = time.perf_counter() - started
    assert result.ok, result.summary()
    started = time.perf_counter()
    again = import_run(actor=analyst, importer="people", file_name="people-again.csv", data=data + b"\n")
    second = time.perf_counter() - started
    print(f"# {result.summary()} | re-import: {again.summary()}", file=sys.stderr)
    print(f"figure: people_import = {rows / first:.0f} rows/s")
    print(f"figure: people_reimport_unchanged = {rows / second:.0f} rows/s")
    print(f"figure: per_row_floor = {rows / floor:.0f} rows/s")
    print(f"figure: people_import_vs_floor = {first / floor:.2f} x")


if __name__ == "__main__":
    main()
