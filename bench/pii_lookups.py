"""How fast the validation helpers are for bulk imports: phone lookups cached by prefix vs uncached.

Run: .venv/bin/python bench/pii_lookups.py [N]
Prints figures as `figure: NAME = VALUE UNIT`. The baseline (phonenumbers' own parse + carrier +
geocoder for every number) is measured in the same run, so the ratio is comparable across machines.
"""

from __future__ import annotations

import os
import sys

# bench/warnings.py shares its name with the standard library module: keep this folder off the path.
_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]

import random
import time

import phonenumbers
from phonenumbers import carrier, geocoder

from fanzha.core.pii.idcard import check_id_number
from fanzha.core.pii.phone import phone_info

PREFIXES = ["138", "139", "150", "151", "158", "186", "187", "133", "153", "177", "180", "189", "199"]


def numbers(n: int, blocks: int, seed: int = 7) -> list[str]:
    """Numbers drawn from ``blocks`` 7-digit 号段: a county's residents use a few hundred of them."""
    rng = random.Random(seed)
    prefixes = [rng.choice(PREFIXES) + f"{rng.randrange(10**4):04d}" for _ in range(blocks)]
    return [rng.choice(prefixes) + f"{rng.randrange(10**4):04d}" for _ in range(n)]


def id_numbers(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    out = []
    for _ in range(n):
        body = f"330102{rng.randrange(1940, 2010)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        body += f"{rng.randrange(1000):03d}"
        out.append(body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11])
    return out


def baseline(values: list[str]) -> None:
    for value in values:
        parsed = phonenumbers.parse(value, "CN")
        phonenumbers.is_valid_number(parsed)
        carrier.name_for_number(parsed, "zh")
        geocoder.description_for_number(parsed, "zh")


def timed(fn, values) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(values)
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    county = numbers(n, blocks=400)
    scattered = numbers(n, blocks=n, seed=8)  # nearly every number in its own 号段: cache misses
    ids = id_numbers(n)
    base = timed(baseline, county)
    ours = timed(lambda vs: [phone_info(v) for v in vs], county)
    cold = timed(lambda vs: [phone_info(v) for v in vs], scattered)
    id_time = timed(lambda vs: [check_id_number(v) for v in vs], ids)
    print(f"figure: phone_lookup_baseline = {n / base:.0f} rows/s")
    print(f"figure: phone_lookup_county = {n / ours:.0f} rows/s")
    print(f"figure: phone_lookup_scattered = {n / cold:.0f} rows/s")
    print(f"figure: phone_lookup_speedup_county = {base / ours:.2f} x")
    print(f"figure: id_number_check = {n / id_time:.0f} rows/s")


if __name__ == "__main__":
    main()
