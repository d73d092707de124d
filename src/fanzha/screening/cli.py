"""`fanzha screen …`: screen tables of texts or links, evaluate on labelled data, train the models.

Needs no database and no settings: `fanzha` routes `screen` here before Django starts.

    fanzha screen texts INPUT --text-column 短信内容 --output OUT.csv [--jobs 2] [--excel]
    fanzha screen urls INPUT --url-column url --output OUT.csv [--excel]
    fanzha screen eval FILE --text-column text --label-column label
    fanzha screen train [--data ../shared/data] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import sys
import time
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, TextIO

from fanzha.screening.tables import (
    Row,
    Table,
    TableError,
    column_key,
    excel_cell,
    open_table,
    output_columns,
)

BATCH = 2_000
TEXT_COLUMN_GUESSES = ("text", "content", "message", "sms", "短信内容", "内容", "文本", "消息", "短信")
URL_COLUMN_GUESSES = ("url", "link", "链接", "网址", "域名", "domain")

Outcome = tuple[str, str, str, str, str]  # score, level, category, reasons, error


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except TableError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fanzha screen", description="筛查文本与链接中的诈骗和违法推广")
    sub = parser.add_subparsers(required=True, metavar="{texts,urls,eval,train}")
    for kind, guesses in (("texts", TEXT_COLUMN_GUESSES), ("urls", URL_COLUMN_GUESSES)):
        p = sub.add_parser(kind, help=f"筛查表格中的{'文本' if kind == 'texts' else '链接'}")
        p.add_argument("input", type=Path, help="CSV、JSONL 或 XLSX 文件")
        p.add_argument(
            f"--{kind[:-1]}-column", dest="column", help=f"列名（默认从 {'/'.join(guesses[:4])} 等猜）"
        )
        p.add_argument("--output", type=Path, help="输出 CSV（默认 输入名.screened.csv）")
        p.add_argument(
            "--excel",
            action="store_true",
            help="输出给人用 Excel 打开：带 BOM 的 UTF-8，长数字串和以 0 开头的编号按文本，"
            "公式不执行（不供程序读取）",
        )
        p.add_argument("--jobs", type=int, default=1, help="并行进程数")
        p.add_argument("--quiet", action="store_true", help="不显示进度")
        p.set_defaults(run=_run_screen, kind=kind, guesses=guesses)
    p = sub.add_parser("eval", help="在有标签的数据上评估")
    p.add_argument("input", type=Path)
    p.add_argument("--text-column")
    p.add_argument("--url-column")
    p.add_argument("--label-column", required=True)
    p.set_defaults(run=_run_eval)
    p = sub.add_parser("train", help="从公开数据重新训练默认模型")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=_run_train)
    return parser


# ── screen ───────────────────────────────────────────────────────────────────


def _run_screen(args: argparse.Namespace) -> int:
    table = open_table(args.input, args.column, args.guesses)
    column = pick_column(table.columns, args.column, args.guesses)
    output = args.output or args.input.with_name(args.input.stem + ".screened.csv")
    header, _ = output_columns(table.columns)
    progress = Progress(table.approx_rows, enabled=not args.quiet)
    counts = {"rows": 0, "errors": 0, "risky": 0}
    with open_output(output, args.input, excel=args.excel) as out:
        writer = csv.writer(out)
        write = (lambda cells: writer.writerow(map(excel_cell, cells))) if args.excel else writer.writerow
        write(header)
        for rows, outcomes in _screen_batches(table, column, args.kind, args.jobs):
            for row, outcome in zip(rows, outcomes, strict=True):
                write([*(row.cells.get(c, "") for c in table.columns), *outcome])
                _count(counts, outcome)
            progress.update(len(rows))
    progress.done()
    print(
        f"screened: {counts['rows']} rows, {counts['risky']} at medium or high, "
        f"{counts['errors']} with errors → {output}",
        file=sys.stderr,
    )
    return 0


def open_output(output: Path, source: Path, *, excel: bool = False) -> IO[str]:
    """The output CSV opened for writing (``excel``: with the UTF-8 BOM Excel needs to read Chinese), or a
    TableError saying why it cannot be. Without ``excel`` there is no BOM: programs read the file.

    The input is read as the output is written: writing over it would empty it before it is read.
    """
    if output.exists() and output.samefile(source):
        raise TableError(f"输出文件不能是输入文件（{output}）：请用 --output 指定另一个文件")
    try:
        return output.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="")
    except OSError as exc:
        hint = "（文件夹是否存在、是否有写权限？）"
        raise TableError(f"无法写入输出文件 {output}：{exc.strerror}{hint}") from exc


def pick_column(columns: list[str], wanted: str | None, guesses: Sequence[str]) -> str:
    if not columns:
        raise TableError("文件是空的：没有表头，也没有数据行")
    if wanted:
        if wanted in columns:
            return wanted
        alike = [c for c in columns if column_key(c) == column_key(wanted)]
        if len(alike) == 1:
            return alike[0]
        raise TableError(f"文件中没有列“{wanted}”。现有的列：{'、'.join(columns) or '（无）'}")
    keys = {column_key(c): c for c in reversed(columns)}  # of two alike, the first
    for guess in guesses:
        if guess in keys:
            return keys[guess]
    if len(columns) == 1:
        return columns[0]
    raise TableError(f"请用参数指明要筛查的列。现有的列：{'、'.join(columns) or '（无）'}")


def _count(counts: dict[str, int], outcome: Outcome) -> None:
    counts["rows"] += 1
    counts["errors"] += bool(outcome[4])
    counts["risky"] += outcome[1] in ("medium", "high")


def _screen_batches(
    table: Table, column: str, kind: str, jobs: int
) -> Iterator[tuple[list[Row], list[Outcome]]]:
    batches = _batches(table.rows)
    if jobs <= 1:
        for rows in batches:
            yield rows, screen_rows(rows, column, kind)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs) as pool:
        pending = ((rows, column, kind) for rows in batches)
        for rows, outcomes in pool.imap(_screen_job, pending):
            yield rows, outcomes


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def _screen_job(job: tuple[list[Row], str, str]) -> tuple[list[Row], list[Outcome]]:
    rows, column, kind = job
    return rows, screen_rows(rows, column, kind)


def screen_rows(rows: list[Row], column: str, kind: str) -> list[Outcome]:
    """Score, level, category, reasons and error for each row (never fewer rows than given)."""
    from fanzha.screening import default_engine, reasons_text

    engine = default_engine()
    items = [row.cells.get(column, "") for row in rows]
    results = engine.screen_texts(items) if kind == "texts" else engine.screen_urls(items)
    outcomes = []
    for row, r in zip(rows, results, strict=True):
        error = "；".join(e for e in (row.error, r.error) if e)
        outcomes.append((f"{r.score:.4f}", r.level, r.category, reasons_text(r), error))
    return outcomes


class Progress:
    """A progress bar on stderr, redrawn at most a few times a second."""

    def __init__(self, total: int | None, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total, self.enabled, self.done_rows = total, enabled, 0
        self.stream = stream or sys.stderr
        self.started = self.last = time.monotonic()

    def update(self, n: int) -> None:
        self.done_rows += n
        now = time.monotonic()
        if self.enabled and now - self.last >= 0.25:
            self.last = now
            self._draw(now)

    def done(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, now: float) -> None:
        rate = self.done_rows / max(now - self.started, 1e-9)
        if self.total:
            share = min(self.done_rows / self.total, 1.0)
            bar = "#" * int(share * 30)
            line = f"\r[{bar:<30}] {share:4.0%} {self.done_rows}/{self.total} 行 {rate:,.0f} 行/秒"
        else:
            line = f"\r{self.done_rows} 行 {rate:,.0f} 行/秒"
        self.stream.write(line)
        self.stream.flush()


# ── eval and train ───────────────────────────────────────────────────────────


def _run_eval(args: argparse.Namespace) -> int:
    from fanzha.screening.evaluate import evaluate_table

    kind = "urls" if args.url_column else "texts"
    guesses = URL_COLUMN_GUESSES if kind == "urls" else TEXT_COLUMN_GUESSES
    table = open_table(args.input, args.url_column or args.text_column, guesses)
    column = pick_column(table.columns, args.url_column or args.text_column, guesses)
    label = pick_column(table.columns, args.label_column, ())
    print(evaluate_table(table, column, label, kind))
    return 0


def _run_train(args: argparse.Namespace) -> int:
    from fanzha.screening import train

    return int(train.main(list(args.rest)) or 0)


if __name__ == "__main__":
    sys.exit(main())
