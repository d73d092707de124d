"""Fund tracing speed (issue 5): a 6-hop FIFO trace on 10M transfers, and a 1M-row statement import.

    .venv/bin/python bench/trace.py [--transfers 10000000] [--accounts 1000000] [--rows 1000000]

Generated data (vectorised numpy, seeded): every account pays 2–5 regular counterparties (fan-out 2–5
per hop) at random times over 30 days, with some ATM cash-outs and third-party payments; a mule
network is planted from one victim payment — each mule forwards what it received to 2–5 next mules
within an hour, over 6 levels, the last levels partly cashing out. The trace runs in Python over the
numpy CSR index (engine: numpy); the statement import runs in DuckDB (in-process, extension
auto-loading off, memory limit 2 GB). Prints `figure: …` lines at the end.
"""

from __future__ import annotations

import os
import sys

# bench/warnings.py shares its name with the standard library module: keep this folder off the path.
_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.index import TransferIndex
from fanzha.tracing.kinds import CASH_OUT, THIRD_PARTY, TRANSFER
from fanzha.tracing.trace import trace

DAY = 86_400
START = 1_717_200_000  # 2024-06-01


def noise(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, ...]:
    """m transfers: each account pays 2–5 regular counterparties; 3 % ATM, 3 % third-party."""
    fan = rng.integers(2, 6, n)
    pair_src = np.repeat(np.arange(n, dtype=np.int64), fan)
    pair_dst = rng.integers(0, n, pair_src.size)
    pick = rng.integers(0, pair_src.size, m)
    src, dst = pair_src[pick], pair_dst[pick]
    roll = rng.random(m)
    kind = np.where(roll < 0.03, CASH_OUT, np.where(roll < 0.06, THIRD_PARTY, TRANSFER)).astype(np.int8)
    dst = np.where(kind == TRANSFER, dst, -1)
    amount = np.exp(rng.normal(np.log(30_000), 1.2, m)).astype(np.int64) + 100
    when = START + rng.integers(0, 30 * DAY, m)
    return src, dst, amount, when, kind


def mules(
    rng: np.random.Generator, n: int, payee: int, amount: int, at: int, levels: int
) -> tuple[np.ndarray, ...]:
    """The planted network: level by level, each mule forwards 95–100 % to 2–5 mules within an hour."""
    out: list[tuple[np.ndarray, ...]] = []
    acct, got, when = np.array([payee]), np.array([amount]), np.array([at])
    for level in range(levels):
        fan = rng.integers(2, 6, acct.size)
        parent = np.repeat(np.arange(acct.size), fan)
        weights = rng.random(parent.size) + 0.2
        share = weights / np.bincount(parent, weights)[parent]
        sent = (got[parent] * share * rng.uniform(0.95, 1.0, parent.size)).astype(np.int64)
        child_time = when[parent] + rng.integers(60, 3_600, parent.size)
        child = rng.integers(0, n, parent.size)
        cash = (level >= 3) & (rng.random(parent.size) < 0.3)
        kind = np.where(cash, CASH_OUT, TRANSFER).astype(np.int8)
        out.append((acct[parent], np.where(cash, -1, child), sent, child_time, kind))
        keep = ~cash
        acct, got, when = child[keep], sent[keep], child_time[keep]
    return tuple(np.concatenate(parts) for parts in zip(*out, strict=True))


def generate(
    m: int, n: int, seed: int = 5
) -> tuple[TransferIndex | None, tuple[np.ndarray, ...], dict[str, int]]:
    rng = np.random.default_rng(seed)
    payee, victim, amount, at = int(rng.integers(0, n)), int(rng.integers(0, n)), 50_000_000, START + 10 * DAY
    planted = mules(rng, n, payee, amount, at, levels=6)
    background = noise(rng, n, m - planted[0].size - 1)
    payment = (
        np.array([victim]),
        np.array([payee]),
        np.array([amount]),
        np.array([at]),
        np.array([TRANSFER]),
    )
    columns = tuple(np.concatenate(parts) for parts in zip(background, planted, payment, strict=True))
    return None, columns, {"account": payee, "amount": amount, "time": at, "planted": int(planted[0].size)}


def write_statement(path: Path, rows: int, seed: int = 9) -> None:
    """A 1M-row CSV in a debit/credit layout with title lines, thousands separators, full-width digits,
    a running balance and a re-exported page (2 % of rows listed twice)."""
    rng = np.random.default_rng(seed)
    unique = int(rows * 0.98)
    fen = np.exp(rng.normal(np.log(20_000), 1.3, unique)).astype(np.int64) + 1
    inflow = rng.random(unique) < 0.5
    balance = 10**9 + np.cumsum(np.where(inflow, fen, -fen))
    seconds = START + np.sort(rng.integers(0, 180 * DAY, unique))
    stamp = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    summaries = np.array(["网银转账", "ATM取款", "财付通快捷支付", "支付宝提现", "柜面转账", "手机银行转账"])
    summary = summaries[rng.integers(0, summaries.size, unique)]
    counter = rng.integers(6_222_000_000_000_000, 6_222_999_999_999_999, unique)
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("中国某某银行个人账户交易明细\n账号：6222020000000001,户名：张某\n")
        fh.write(
            "交易日期,交易时间,借方发生额,贷方发生额,余额,对方账号,对方户名,对方开户行,摘要,交易流水号\n"
        )
        lines = []
        for i in range(unique):
            yuan = f'"{fen[i] // 100:,}.{fen[i] % 100:02d}"'
            if i % 100 == 7:
                yuan = yuan.translate(full)
            debit, credit = ("", yuan) if inflow[i] else (yuan, "")
            bal = f"{balance[i] // 100}.{balance[i] % 100:02d}"
            lines.append(
                f"{stamp[i][:10].replace('-', '')},{stamp[i][11:]},{debit},{credit},{bal},"
                f"{counter[i]},某某{i % 997},"
                f"某某银行分行,{summary[i]},SN{i:010d}\n"
            )
        repeat = lines[unique // 2 : unique // 2 + rows - unique]
        fh.writelines(lines[: unique // 2] + repeat + lines[unique // 2 :])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--hops", type=int, default=6)
    args = parser.parse_args()

    started = time.perf_counter()
    _, columns, start = generate(args.transfers, args.accounts)
    print(
        f"generated {columns[0].size:,} transfers ({start['planted']:,} planted) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    index = TransferIndex.build(*columns, n_accounts=args.accounts)
    build = time.perf_counter() - started
    del columns
    print(f"index build (numpy sort + CSR): {build:.2f} s")
    started = time.perf_counter()
    result = trace(
        index, account=start["account"], amount=start["amount"], time=start["time"], hops=args.hops
    )
    took = time.perf_counter() - started
    print(
        f"trace: {len(result.accounts):,} accounts touched, {len(result.edges):,} edges, "
        f"held {result.held / 100:,.2f} 元 in {len(result.still_held()):,} accounts, "
        f"cash-out {result.cash_out / 100:,.2f} 元, third-party {result.third_party / 100:,.2f} 元, "
        f"beyond hop {args.hops} {result.beyond / 100:,.2f} 元"
    )
    for hop in result.hops:
        print(
            f"  hop {hop.hop}: {hop.amount / 100:,.2f} 元 over {hop.edges:,} transfers, "
            f"{hop.accounts:,} new accounts"
        )

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "statement.csv"
        began = time.perf_counter()
        write_statement(path, args.rows)
        print(
            f"statement written ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - began:.1f} s"
        )
        began = time.perf_counter()
        imported = import_statement_csv(path, memory_limit="2GB")
        loaded = time.perf_counter() - began
    print(
        f"statement: {imported.rows_read:,} rows read, {len(imported):,} kept, "
        f"{imported.duplicates:,} duplicates, "
        f"{imported.errors:,} errors, balance breaks {imported.balance_breaks[:3]}"
    )
    print(f"peak RSS: {peak_mb():,.0f} MB")
    print("engines: index build and trace on numpy (Python FIFO over touched accounts); import on DuckDB")
    label = f"{args.transfers // 1_000_000}M" if args.transfers >= 1_000_000 else f"{args.transfers // 1000}k"
    print(f"figure: index_build_{label} = {build:.2f} s")
    print(f"figure: trace_{args.hops}hop_{label} = {took:.3f} s")
    rows = f"{args.rows // 1_000_000}M" if args.rows >= 1_000_000 else f"{args.rows // 1000}k"
    print(f"figure: statement_import_{rows} = {loaded:.2f} s")
    print(f"figure: trace_peak_rss_mb = {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
