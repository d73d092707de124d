"""A tiny generated operator extract: a few fraud-like numbers calling many people briefly."""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta

FRAUD = ["17012340001", "17012340002", "17012340003"]
BASE = datetime(2026, 3, 2, 9, 0, 0)


def _normal_numbers(n: int) -> list[str]:
    return [f"139057{i:05d}" for i in range(n)]


def _call(rows: list[list[str]], caller: str, callee: str, at: datetime, seconds: int, imei: str) -> None:
    rows.append([caller, callee, at.strftime("%Y-%m-%d %H:%M:%S"), str(seconds), "成都", "金牛区", imei])


def _fraud_calls(rows: list[list[str]], rng: random.Random, victims: list[str]) -> None:
    for k, number in enumerate(FRAUD):
        for j, victim in enumerate(victims):
            # a burst of a few days, as fraud numbers live (the labelled Sichuan ones: 7 active days)
            at = BASE + timedelta(days=j % 5, hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
            _call(rows, number, victim, at, rng.randint(2, 9), f"imei-f{k}-{j % 6}")


def _normal_calls(rows: list[list[str]], rng: random.Random, people: list[str]) -> None:
    for i, person in enumerate(people):
        friends = [people[(i + d) % len(people)] for d in (1, 2, 3)]
        for day in range(20):
            friend = friends[day % 3]
            at = BASE + timedelta(days=day, hours=rng.randint(8, 20), minutes=rng.randint(0, 59))
            _call(rows, person, friend, at, rng.randint(60, 600), f"imei-{person}")
            _call(rows, friend, person, at + timedelta(hours=2), rng.randint(60, 600), f"imei-{friend}")


def call_records(seed: int = 7, people: int = 80) -> list[list[str]]:
    """Rows of caller,callee,start_time,duration,city,county,imei; the 3 fraud numbers call 40 people."""
    rng = random.Random(seed)
    everyone = _normal_numbers(people)
    rows: list[list[str]] = []
    _normal_calls(rows, rng, everyone)
    victims = everyone[:40]
    _fraud_calls(rows, rng, victims)
    # two victims talk long and call a fraud number back
    _call(rows, FRAUD[0], victims[0], BASE + timedelta(days=21), 420, "imei-f0-0")
    _call(rows, victims[0], FRAUD[0], BASE + timedelta(days=21, hours=1), 180, f"imei-{victims[0]}")
    _call(rows, victims[1], FRAUD[1], BASE + timedelta(days=22), 60, f"imei-{victims[1]}")
    return rows


def calls_csv(**kwargs: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["caller", "callee", "start_time", "duration", "city", "county", "imei"])
    writer.writerows(call_records(**kwargs))
    return out.getvalue().encode("utf-8")


def spending_csv(people: int = 80) -> bytes:
    """Monthly spending (phone, month, arpu) of the normal subscribers; the fraud numbers have none."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["phone", "month", "arpu"])
    for i, number in enumerate(_normal_numbers(people)):
        for month in ("2026-01", "2026-02", "2026-03"):
            writer.writerow([number, month, f"{40 + (i * 7) % 60 + int(month[-1]) * 3:.2f}"])
    return out.getvalue().encode("utf-8")
