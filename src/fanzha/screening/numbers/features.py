# ruff: noqa: S608 -- SQL is built from fixed fragments; file paths are quoted, values are bound parameters
"""Per-number behavioural features from raw operator records, in DuckDB SQL.

Inputs (CSV or Parquet, one or more files per kind; column names are matched through the aliases in
inputs.ALIASES — English, Chinese and the Sichuan competition names; see inputs.py for encodings,
malformed lines and the value spellings that are read):

* calls, subscriber view: phone, opposite, call_type (1 outgoing, 2 incoming, 3 forwarded), start_time,
  duration (seconds) [, city, county, imei]
* calls, caller/callee view: caller, callee, start_time, duration [, city, county, imei] — each record
  gives the caller an outgoing row (with city / handset) and the callee an incoming row.
* sms: phone, opposite, sms_type (1 sent, 2 received), time — or sender, receiver, time.
* apps (traffic): phone, busi_name, flow, month
* spending: phone, month, arpu

Output: node_id, phone_no_m and the 55 columns of the Sichuan set (FEATURE_NAMES). The SQL is plain
aggregates, joins and window functions (percentile_cont, row_number) so that it ports to Spark SQL;
DuckDB-specific bits (file readers, value parsing) are confined to inputs.py.
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from fanzha.screening.numbers.inputs import (
    ALIASES,
    CALL_TYPE_SQL,
    DURATION_SECONDS,
    FOOTER,
    FOOTER_HALF,
    FOOTER_LABEL,
    FOOTER_SAID,
    NONFINITE,
    SMS_TYPE_SQL,
    TIME_SQL,
    Cols,
    InputError,
    Prepared,
    ambiguous_zero_one,
    amount_sql,
    bad_lines,
    call_type_raw,
    columns,
    cut_value,
    date_only_sql,
    duration_cols,
    duration_sql,
    error_line,
    fast_number,
    file_order,
    flow_sql,
    footer_sql,
    header_unit,
    imei_lossy_sql,
    imei_sql,
    is_parquet,
    month_sql,
    need,
    nonfinite_durations,
    note_unread_columns,
    number_issue_sql,
    number_pre_sql,
    number_sql,
    number_text,
    optional,
    pair_reading,
    paired_columns,
    prepare,
    reader,
    record_roles,
    rejected,
    scaled_text,
    subscriber_sides,
    text_sql,
    time_cols,
)

__all__ = ["ALIASES", "FEATURE_NAMES", "InputError", "Sources", "build", "connect", "features_from_files"]

FEATURE_NAMES = [
    "opposite_count",
    "opposite_unique",
    "voccalltype1",
    "imeis",
    "voc_calltype1",
    "city_name_call",
    "county_name_call",
    "phone2opposite_mean",
    "phone2opposite_median",
    "phone2opposite_max",
    "phone2oppo_sum_mean",
    "phone2oppo_sum_median",
    "phone2oppo_sum_max",
    "call_dur_mean",
    "call_dur_median",
    "call_dur_max",
    "call_dur_min",
    "city_name_nunique",
    "county_name_nunique",
    "calltype_id_unique",
    "voc_hour_mode",
    "voc_hour_mode_count",
    "voc_hour_nunique",
    "voc_day_mode",
    "voc_day_mode_count",
    "voc_day_nunique",
    "sms_count",
    "sms_nunique",
    "sms_rate",
    "calltype_2",
    "calltype_rate",
    "hour_mode",
    "hour_mode_count",
    "hour_nunique",
    "day_mode",
    "day_mode_count",
    "day_nunique",
    "busi_count",
    "flow_mean",
    "flow_median",
    "flow_min",
    "flow_max",
    "flow_var",
    "flow_sum",
    "month_ids",
    "flow_month",
    "arpu_mean",
    "arpu_var",
    "arpu_max",
    "arpu_min",
    "arpu_median",
    "arpu_sum",
    "arpu_skew",
    "arpu_sem",
    "arpu_quantile",
]


def _number_sql(x: str) -> str:
    """The whole number normalisation of one text expression (the cleaning runs it in three steps)."""
    v = number_pre_sql(x)
    return number_sql(v, number_issue_sql(v))


@dataclass
class Sources:
    calls: list[Path]
    sms: list[Path]
    apps: list[Path]
    spending: list[Path]


def connect(
    memory_limit: str = "2GB", threads: int = 2, temp_dir: str | None = None, database: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a memory limit, a thread count, spilling, and no extension downloads.

    ``database``: a scratch database file (optional). The build itself uses temp tables: in memory up to
    the memory limit, spilled to ``temp_dir`` past it — so extracts larger than memory work either way,
    without the cost of compressing every intermediate table into a database file.
    """
    con = duckdb.connect(
        database or ":memory:",
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    con.execute("SET autoinstall_known_extensions=false")
    con.execute("SET autoload_known_extensions=false")
    con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute(f"SET threads={int(threads)}")
    con.execute(f"SET temp_directory='{temp_dir or tempfile.gettempdir()}'")
    con.execute("SET preserve_insertion_order=false")
    return con


CALL_ROLES = ["phone", "opposite", "call_type", "start_time", "duration"]
SMS_ROLES = ["phone", "opposite", "sms_type", "time"]


def _call_selects(con: duckdb.DuckDBPyConnection, f: Prepared, notes: list[str]) -> list[str]:
    cols = columns(con, f)
    note_unread_columns(f, cols, notes)
    src = reader(f)
    extra = ", ".join(f"{optional(cols, role)} AS {role}" for role in ("city", "county", "imei"))
    c = record_roles(f.source, cols, CALL_ROLES, "call_type", ("caller", "callee"))
    if c is None:
        c = need(f.source, cols, ["caller", "callee", "start_time", "duration"])
        return _network_calls(f, cols, c, extra, notes)
    ambiguous = ambiguous_zero_one(con, src, c["call_type"])
    reading = pair_reading(con, src, cols, c, ambiguous)
    pair = paired_columns(cols, c)
    if ambiguous and reading.zero_outgoing is None and pair is not None and c["phone"] == pair[0]:
        notes.append(
            f"{f.source}：呼叫类型为 0/1 编码（没有 2），从记录中也看不出哪个是主叫：不用类型列，按主叫号码→"
            "被叫号码读取每条记录（主叫方呼出、被叫方呼入，双方都计入）"
        )
        return _network_calls(f, cols, {**c, "caller": pair[0], "callee": pair[1]}, extra, notes)
    if ambiguous and reading.zero_outgoing is None:
        notes.append(
            f"{f.source}：呼叫类型为 0/1 编码（没有 2），无法判断哪个是主叫，未猜测：这些记录计入 "
            "ambiguous_call_type，不参与主被叫相关特征"
        )
    elif ambiguous:
        out, inc = ("0", "1") if reading.zero_outgoing else ("1", "0")
        notes.append(
            f"{f.source}：呼叫类型为 0/1 编码（没有 2）：本机号码在 {out} 记录的主叫号码一侧、{inc} 记录的"
            f"被叫号码一侧，按 {out} 为主叫、{inc} 为被叫读取"
        )
    kind = call_type_raw(c["call_type"], ambiguous, reading.zero_outgoing)
    direction = CALL_TYPE_SQL.format(x=kind)
    ph, op = subscriber_sides(f.source, cols, c, direction, notes, reading.forwarded_by_callee)
    scale = header_unit(f.source, cols, c["duration"], "duration", notes)
    footer = footer_sql(f, cols, [c["phone"], c["opposite"], *(pair or ())])
    return [
        f"SELECT {ph} AS phone_raw, {op} AS opp_raw, {kind} AS type_raw, {time_cols(cols, c['start_time'])}, "
        f"{duration_cols(cols, c['duration'], scale)}, {extra}, false AS mirror, {footer} AS footer "
        f"FROM {src}"
    ]


def _network_calls(f: Prepared, cols: Cols, c: dict[str, str], extra: str, notes: list[str]) -> list[str]:
    """Caller/callee records read by their columns: one outgoing row per record for the caller (load_raw
    adds the callee's incoming row after de-duplication)."""
    scale = header_unit(f.source, cols, c["duration"], "duration", notes)
    common = f"{time_cols(cols, c['start_time'])}, {duration_cols(cols, c['duration'], scale)}"
    footer = footer_sql(f, cols, [c["caller"], c["callee"]])
    return [
        f"SELECT {number_text(cols, c['caller'])} AS phone_raw, {number_text(cols, c['callee'])} "
        f"AS opp_raw, '1' AS type_raw, {common}, {extra}, true AS mirror, {footer} AS footer "
        f"FROM {reader(f)}",
    ]


def _sms_selects(con: duckdb.DuckDBPyConnection, f: Prepared, notes: list[str]) -> list[str]:
    cols = columns(con, f)
    note_unread_columns(f, cols, notes)
    src = reader(f)
    c = record_roles(f.source, cols, SMS_ROLES, "sms_type", ("sender", "receiver"))
    if c is None:
        c = need(f.source, cols, ["sender", "receiver", "time"])
        t = time_cols(cols, c["time"])
        s, r = number_text(cols, c["sender"]), number_text(cols, c["receiver"])
        line, half = (
            footer_sql(f, cols, [c["sender"], c["receiver"]], code) for code in (FOOTER, FOOTER_HALF)
        )
        return [
            f"SELECT {s} AS phone_raw, {r} AS opp_raw, '1' AS type_raw, {t}, {line} AS footer, "
            f"false AS receiver_side FROM {src}",
            f"SELECT {r} AS phone_raw, {s} AS opp_raw, '2' AS type_raw, {t}, {half} AS footer, "
            f"true AS receiver_side FROM {src}",
        ]
    kind = f"CAST({c['sms_type']} AS VARCHAR)"
    ph, op = subscriber_sides(f.source, cols, c, SMS_TYPE_SQL.format(x=kind), notes)
    t = time_cols(cols, c["time"])
    pair = paired_columns(cols, c) or ()
    footer = footer_sql(f, cols, [c["phone"], c["opposite"], *pair])
    return [
        f"SELECT {ph} AS phone_raw, {op} AS opp_raw, {kind} AS type_raw, {t}, {footer} AS footer, "
        f"false AS receiver_side FROM {src}"
    ]


def _app_selects(con: duckdb.DuckDBPyConnection, f: Prepared, notes: list[str]) -> list[str]:
    cols = columns(con, f)
    note_unread_columns(f, cols, notes)
    c = need(f.source, cols, ["phone", "flow", "month"])
    flow = scaled_text(f"CAST({c['flow']} AS VARCHAR)", header_unit(f.source, cols, c["flow"], "flow", notes))
    return [
        f"SELECT {number_text(cols, c['phone'])} AS phone_raw, {optional(cols, 'busi_name')} AS busi_name, "
        f"{flow} AS flow_raw, CAST({c['month']} AS VARCHAR) AS month_raw, "
        f"{footer_sql(f, cols, [c['phone']])} AS footer FROM {reader(f)}"
    ]


def _spend_selects(con: duckdb.DuckDBPyConnection, f: Prepared, notes: list[str]) -> list[str]:
    cols = columns(con, f)
    note_unread_columns(f, cols, notes)
    c = need(f.source, cols, ["phone", "month", "arpu"])
    arpu = scaled_text(f"CAST({c['arpu']} AS VARCHAR)", header_unit(f.source, cols, c["arpu"], "arpu", notes))
    return [
        f"SELECT {number_text(cols, c['phone'])} AS phone_raw, CAST({c['month']} AS VARCHAR) AS month_raw, "
        f"{arpu} AS arpu_raw, {footer_sql(f, cols, [c['phone']])} AS footer FROM {reader(f)}"
    ]


def _union(selects: list[str], empty: str) -> str:
    return " UNION ALL ".join(selects) if selects else empty


def load_raw(con: duckdb.DuckDBPyConnection, src: Sources) -> dict[str, Any]:
    """Create the cleaned, de-duplicated temp tables; return the data-quality report.

    Tables: ``ids`` (normalised number -> integer key, in number order), ``calls_keyed`` (the distinct
    call records, numbers as keys), ``sms``, ``apps``, ``spending``. Views: ``calls_clean`` (the call
    records with their numbers) and ``calls`` (plus the callee's incoming rows of caller/callee records).
    GBK files are transcoded into a temporary folder that is deleted before this returns.
    """
    report: dict[str, Any] = {}
    notes: list[str] = []
    specs = [
        ("calls", src.calls, _call_selects, _CALL_EMPTY, _CALL_CLEAN),
        ("sms", src.sms, _sms_selects, _SMS_EMPTY, _SMS_CLEAN),
        ("apps", src.apps, _app_selects, _APP_EMPTY, _APP_CLEAN),
        ("spending", src.spending, _spend_selects, _SPEND_EMPTY, _SPEND_CLEAN),
    ]
    with tempfile.TemporaryDirectory(prefix="fanzha-input-") as work:
        for name, paths, builder, empty, clean in specs:
            files = [prepare(Path(p), Path(work), next(_FILE_NO)) for p in paths]
            table = "calls_text" if name == "calls" else name
            notes.extend(_load_kind(con, name, files, builder, empty, clean))
            notes.extend(note for f in files for note in f.notes)
            skipped = _reject_nonfinite_durations(con, files, notes) if name == "calls" else {}
            footers = _set_footers_aside(con, name, files, builder, notes)
            cut = rejected(con, files, notes)  # malformed lines, and totals lines cut short
            report[name] = {
                "files": len(paths),
                **_quality(con, table, name),
                "bad_lines": cut["bad_lines"],
                **skipped,
                "footer_lines": footers + cut["footer_lines"],
            }
            notes.extend(_located_notes(con, name, files, builder, report[name]))
    _key_calls(con)
    report["calls"]["view_overlaps"] = int(con.execute(OVERLAP_SQL).fetchall()[0][0])
    report["notes"] = notes + _view_notes(report)
    return report


def _view_notes(report: dict[str, Any]) -> list[str]:
    """Notes on calls given in both views and on times without a time of day."""
    notes = []
    if n := report["calls"]["view_overlaps"]:
        notes.append(f"{n} 个通话同时出现在主叫/被叫格式和被叫方本机视角的话单中：被叫方的记录只计一次")
    for kind, name in (("calls", "通话"), ("sms", "短信")):
        if n := report[kind].get("date_only_time"):
            notes.append(
                f"{n} 条{name}记录的时间列只有日期，没有时刻：与时段有关的特征不计这些记录"
                "（只有这类记录的号码，这些特征为空）"
            )
    return notes


KIND_NAMES = {"calls": "话单", "sms": "短信", "apps": "上网流量", "spending": "消费记录"}
Builder = Callable[[duckdb.DuckDBPyConnection, Prepared, list[str]], list[str]]
_FILE_NO = itertools.count(1)  # names the rejects tables: unique on a connection that loads twice


def _load_kind(
    con: duckdb.DuckDBPyConnection, name: str, files: list[Prepared], builder: Builder, empty: str, clean: str
) -> list[str]:
    """Read one kind of record into its cleaned table; a CSV DuckDB cannot parse strictly is read again
    leniently, any other read error becomes a Chinese message (never a traceback). Returns notes."""
    table = "calls_text" if name == "calls" else name
    for _attempt in range(2):
        notes: list[str] = []
        try:
            selects = [s for f in files if f.path is not None for s in builder(con, f, notes)]
            con.execute(f"CREATE OR REPLACE TEMP VIEW raw_{name} AS {_union(selects, empty)}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {clean}")
        except duckdb.Error as exc:
            if not [f.relax() for f in files if f.path is not None and f.rejects and not f.lenient]:
                raise InputError(f"无法读取{KIND_NAMES[name]}文件：{error_line(exc)}") from exc
            continue
        finally:
            con.execute(f"DROP VIEW IF EXISTS raw_{name}")
        return notes
    raise InputError(f"无法读取{KIND_NAMES[name]}文件")  # pragma: no cover - the second attempt is lenient


def _reject_nonfinite_durations(
    con: duckdb.DuckDBPyConnection, files: list[Prepared], notes: list[str]
) -> dict[str, int]:
    """Calls whose duration is not a finite number (``inf``, ``-inf``, ``nan``, ``1e309``) are rejected
    whole — not counted as calls, nor merged as duplicates of one another — and named in the notes by
    file, line, column and value (the files are read again for that only when there are such calls)."""
    bad = NONFINITE.format(x="dur_num")
    total = int(con.execute(f"SELECT coalesce(sum(lines), 0) FROM calls_text WHERE {bad}").fetchall()[0][0])
    if total:
        con.execute(f"DELETE FROM calls_text WHERE {bad}")
        notes.extend(note for f in files if (note := _nonfinite_note(con, f)))
    return {"nonfinite_duration": total}


NONFINITE_SHOWN = 20


def _set_footers_aside(
    con: duckdb.DuckDBPyConnection, name: str, files: list[Prepared], builder: Builder, notes: list[str]
) -> int:
    """Totals lines (合计, 总计, 小计 … with no number: inputs.footer_sql) are no records: taken out of the
    kind's table before it is counted, counted (``footer_lines``) and named by line in the notes (the
    files are read again for that only when there are such lines)."""
    table = "calls_text" if name == "calls" else name
    found = con.execute(f"SELECT coalesce(sum(lines), 0) FROM {table} WHERE footer = {FOOTER}").fetchall()
    total = int(found[0][0])
    if total:
        con.execute(f"DELETE FROM {table} WHERE footer <> 0")
        label: dict[str, tuple[str, str | None]] = {"footer_lines": (FOOTER_LABEL, None)}
        counts = {"footer_lines": total}
        notes.extend(_located_notes(con, name, files, builder, counts, label, FOOTER_CHECK, FOOTER_SAID))
    return total


def _nonfinite_note(con: duckdb.DuckDBPyConnection, f: Prepared) -> str:
    """The file's rejected calls, e.g. 列“call_dur”，行号 2（inf），行号 5（nan）; "" when it has none."""
    column, rows = nonfinite_durations(con, f, show=NONFINITE_SHOWN)
    if not rows:
        return ""
    where = "第 {} 条记录" if f.path is not None and is_parquet(f.path) else "行号 {}"
    named = "，".join(f"{where.format(n)}（{raw}）" for n, raw in rows)
    more = " …" if len(rows) == NONFINITE_SHOWN else ""
    return f"{f.source}：通话时长不是有限数值，整条记录未计入：列“{column}”，{named}{more}"


def _key_calls(con: duckdb.DuckDBPyConnection) -> None:
    """Numbers -> integer keys; the call records then keep only the keys (every aggregate groups on
    integers, and the records take far less memory). Temp tables: in memory, spilled past the limit."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE ids AS {IDS_SQL}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE calls_keyed AS {CALLS_KEYED}")
    con.execute("DROP TABLE calls_text")
    con.execute(f"CREATE OR REPLACE TEMP VIEW calls_clean AS {CALLS_TEXT}")
    keep = ", ".join(CALL_KEEP)
    # a view: the callee's mirrored rows are not written out (the features read calls_keyed)
    con.execute(f"CREATE OR REPLACE TEMP VIEW calls AS SELECT {keep} FROM calls_clean UNION ALL {_MIRROR}")


# problems named by their rows in the notes: label, the raw value shown (None: a number — never shown)
LOCATED: dict[str, dict[str, tuple[str, str | None]]] = {
    "calls": {
        "bad_time": ("时间无法识别", "t_raw"),
        "bad_duration": ("通话时长无法识别", "dur_raw"),
        "negative_duration": ("通话时长为负", "dur_raw"),
        "long_duration": ("通话时长超过一天", "dur_raw"),
        "bad_call_type": ("主被叫类型无法识别", "type_raw"),
    },
    "sms": {"bad_time": ("时间无法识别", "t_raw"), "bad_sms_type": ("收发类型无法识别", "type_raw")},
    "apps": {"bad_flow": ("流量无法识别", "flow_raw"), "negative_flow": ("流量为负", "flow_raw")},
    "spending": {"bad_arpu": ("消费金额无法识别", "arpu_raw")},
}
_NUMBERS_LOCATED = {
    "masked_number": ("号码已打码", None),
    "lossy_number": ("号码不完整", None),
    "unusable_number": ("号码无法使用", None),
}
ROWS_SQL: dict[str, Callable[[str], str]] = {}  # filled below: each kind's cleaned rows, one per row read
LOCATED_SHOWN = 20


FOOTER_CHECK = {"footer_lines": f"footer = {FOOTER}"}
_KEPT_SAID = "（已计入统计，未丢弃）"


def _located_notes(
    con: duckdb.DuckDBPyConnection,
    name: str,
    files: list[Prepared],
    builder: Builder,
    counts: dict[str, int],
    located: dict[str, tuple[str, str | None]] | None = None,
    conditions: dict[str, str] | None = None,
    said: str = _KEPT_SAID,
) -> list[str]:
    """Each file's records with a value that could not be read (a bad time, duration, type, number …),
    named by line (a Parquet file: record number) with the value as written — a number's never — e.g.
    “voc.csv：时间无法识别 1 条（已计入统计，未丢弃）：行号 16（2026-13-45 99:00）”. The files are read
    again for this only when there are such records."""
    located = located or {**LOCATED[name], **_NUMBERS_LOCATED}
    wanted = {k: v for k, v in located.items() if counts.get(k)}
    if not wanted:
        return []
    checks = {k: (conditions or QUALITY[name])[k] for k in wanted}
    if conditions is None:  # totals lines are set aside (footer_lines), named apart
        checks = {k: f"({c}) AND footer = 0" for k, c in checks.items()}
    if name == "calls" and conditions is None:  # rejected whole (nonfinite_duration), named already
        checks = {
            k: f"({c}) AND NOT coalesce({NONFINITE.format(x='dur_num')}, false)" for k, c in checks.items()
        }
    notes: list[str] = []
    for f in files:
        if f.path is None:
            continue
        lined = " UNION ALL ".join(
            f"SELECT row_number() OVER () AS line_no, * FROM ({s}) r" for s in builder(con, f, [])
        )
        flags = ", ".join(f"{c} AS {k}" for k, c in checks.items())
        values = ", ".join(sorted({v for _, v in wanted.values() if v}))
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw_{name} AS {lined}")
        try:
            with file_order(con):
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE located AS "
                    + ROWS_SQL[name]("line_no, ")
                    + f"SELECT * FROM (SELECT line_no, {values + ', ' if values else ''}{flags} FROM q) x "
                    + f"WHERE {' OR '.join(checks)}"
                )
            notes.extend(_located_lines(con, f, wanted, said))
        finally:
            con.execute(f"DROP VIEW IF EXISTS raw_{name}")
            con.execute("DROP TABLE IF EXISTS located")
    return notes


def _located_lines(
    con: duckdb.DuckDBPyConnection, f: Prepared, wanted: dict[str, tuple[str, str | None]], said: str
) -> list[str]:
    """The notes of one file's located records (table ``located``)."""
    parquet = f.path is not None and is_parquet(f.path)
    skipped = [] if parquet else bad_lines(con, f, show=1 << 62)[1]
    notes = []
    for key, (label, value) in wanted.items():
        n = con.execute(f"SELECT count(DISTINCT line_no) FROM located WHERE {key}").fetchall()[0][0]
        if not n:
            continue
        shown = "any_value(" + value + ")" if value else "NULL"
        rows = con.execute(
            f"SELECT line_no, {shown} FROM located WHERE {key} GROUP BY line_no ORDER BY line_no "
            f"LIMIT {LOCATED_SHOWN}"
        ).fetchall()
        where = [_record_place(int(k), parquet, skipped) for k, _ in rows]
        named = "，".join(
            w + (f"（{_masked(cut_value(str(v)))}）" if v is not None else "")
            for w, (_, v) in zip(where, rows, strict=True)
        )
        more = " …" if n > len(rows) else ""
        notes.append(f"{f.source}：{label} {n} 条{said}：{named}{more}")
    return notes


_DIGIT_RUN = re.compile(r"[0-9]{7,}")


def _masked(value: str) -> str:
    """A value as a note may show it: a run of seven or more digits (a number in a shifted column) keeps
    its first 3 and last 4 digits (its first and last 2 when shorter than 11): ``139****9000``."""

    def mask(m: re.Match[str]) -> str:
        d = m.group()
        keep = (3, 4) if len(d) >= 11 else (2, 2)
        return d[: keep[0]] + "*" * (len(d) - sum(keep)) + d[-keep[1] :]

    return _DIGIT_RUN.sub(mask, value)


def _record_place(k: int, parquet: bool, skipped: list[int]) -> str:
    """The ``k``-th record read as the analyst finds it: 第 k 条记录 (Parquet) or its line in the CSV
    (the header is line 1; lines skipped as malformed come in between)."""
    if parquet:
        return f"第 {k} 条记录"
    line = k + 1
    for s in skipped:  # ascending
        if s <= line:
            line += 1
    return f"行号 {line}"


def _clean_sql(cols: list[str], extra: str = "", lines: str = "count(*)") -> str:
    """De-duplicate normalised rows (identical records in several files count once), keeping ``lines``:
    how many lines of the files each row stands for (the report counts them)."""
    keys = ", ".join(cols)
    return f"SELECT {keys}, {lines} AS lines{extra} FROM q GROUP BY {keys}"


# number problems (inputs.number_issue_sql: 1 masked, 2 lossy, 3 unusable), of the number and of its
# counterpart, kept as one small code per record: num_issue = 4 × number's + counterpart's
def _issue(code: int) -> str:
    return f"((num_issue >= {4 * code} AND num_issue < {4 * code + 4}) OR num_issue % 4 = {code})"


_NUMBER_CHECKS = {
    "masked_number": _issue(1),
    "lossy_number": _issue(2),
    "unusable_number": _issue(3),
    "missing_number": "phone IS NULL",
}
# a call record longer than a day is not a call (the Sichuan calls last at most 6 hours): like a negative
# duration, it counts as a call but not in the duration statistics, and is counted as long_duration
MAX_DURATION = 86400
# data-quality counters, derived from the de-duplicated rows (sum of lines where the condition holds)
QUALITY: dict[str, dict[str, str]] = {
    "calls": {
        "bad_time": "t_bad IS NOT NULL",
        "missing_time": "ts IS NULL AND t_bad IS NULL",
        "date_only_time": "no_clock",
        "negative_duration": "dur_num < 0",
        "long_duration": f"dur_num > {MAX_DURATION}",
        "bad_duration": "dur_bad IS NOT NULL",
        "missing_duration": "dur_num IS NULL AND dur_bad IS NULL",
        "bad_call_type": "ctype IS NULL",
        "lossy_imei": "imei_lossy",
        "ambiguous_call_type": "ctype = 0",
        **_NUMBER_CHECKS,
        "missing_opposite": "opposite IS NULL",
    },
    "sms": {
        "bad_time": "t_bad IS NOT NULL",
        "missing_time": "ts IS NULL AND t_bad IS NULL",
        "date_only_time": "no_clock",
        "bad_sms_type": "stype IS NULL",
        **_NUMBER_CHECKS,
        "missing_opposite": "opposite IS NULL",
    },
    "apps": {
        "bad_flow": "flow_bad IS NOT NULL",
        "negative_flow": "flow < 0",
        **_NUMBER_CHECKS,
    },
    "spending": {"bad_arpu": "arpu_bad IS NOT NULL", **_NUMBER_CHECKS},
}


def _bad(value: str, raw: str) -> str:
    """The raw text when it could not be parsed (NULL when it parsed or was blank)."""
    return f"CASE WHEN {value} IS NULL THEN nullif(trim({raw}), '') END"


# a time read from a date alone (a DATE column, "2026-11-28"): its day counts, its hour (00) does not
_NO_CLOCK = f"CASE WHEN ts IS NOT NULL AND {date_only_sql('t_raw')} THEN true ELSE false END AS no_clock"


def _numbers(table: str, opposite: bool = True) -> str:
    """Number normalisation in steps (plain mobile?, folded text, problem code), from ``table``."""
    sides = [("phone_raw", "ph")] + ([("opp_raw", "op")] if opposite else [])
    ok = ", ".join(f"{fast_number(raw)} AS {s}_ok" for raw, s in sides)
    pre = ", ".join(f"{number_pre_sql(raw, f'{s}_ok')} AS {s}0" for raw, s in sides)
    weights = (4, 1)[: len(sides)]
    code = " + ".join(
        f"{w} * coalesce({number_issue_sql(f'{s}0', f'{s}_ok')}, 0)"
        for (_, s), w in zip(sides, weights, strict=True)
    )
    return (
        f"(SELECT *, CAST({code} AS TINYINT) AS num_issue FROM "
        f"(SELECT *, {pre} FROM (SELECT *, {ok} FROM {table}) r0) r1)"
    )


_PHONE = number_sql("ph0", "CASE WHEN num_issue >= 4 THEN 1 END", "ph_ok")
_OPP = number_sql("op0", "nullif(num_issue % 4, 0)", "op_ok")
_TS = f"coalesce(ts0, {TIME_SQL.format(x='t_raw')})"

_CALL_EMPTY = (
    "SELECT CAST(NULL AS VARCHAR) AS phone_raw, CAST(NULL AS VARCHAR) AS opp_raw, CAST(NULL AS "
    "VARCHAR) AS type_raw, CAST(NULL AS VARCHAR) AS t_raw, CAST(NULL AS TIMESTAMP) AS ts0, "
    "CAST(NULL AS VARCHAR) AS dur_raw, CAST(NULL AS DOUBLE) AS dur0, CAST(NULL AS VARCHAR) AS city, "
    "CAST(NULL AS VARCHAR) AS county, CAST(NULL AS VARCHAR) AS imei, false AS mirror, "
    "CAST(0 AS TINYINT) AS footer WHERE false"
)
# A call is the same call whatever optional columns a file adds: one file with city, county and
# handset and another without count it once (it keeps the values one of them gives).
CALL_COLS = ["phone", "opposite", "ctype", "ts", "t_bad", "dur_num", "dur_bad"]
CALL_OPTIONAL = ", max(city) AS city, max(county) AS county, max(imei) AS imei"
# a call given both as a caller/callee record and as the caller's own record is one call (mirror: either)
CALL_VIEWS = ", bool_or(mirror) AS mirror, bool_and(no_clock) AS no_clock"
# caller/callee records: the callee's side (incoming, no city / handset known), added after de-duplication
CALL_KEEP = ["phone", "opposite", "ctype", "ts", "t_bad", "dur", "city", "county", "imei"]
# ... unless a subscriber-view file holds the callee's own record of that call (same numbers, time and
# duration): then that record is the callee's row (an anti-join; the overlaps are counted, OVERLAP_SQL)
_OWN_RECORD = (
    "SELECT 1 FROM calls_keyed s WHERE s.ctype = 2 AND s.phone = m.opposite AND s.opposite = m.phone "
    "AND s.ts IS NOT DISTINCT FROM m.ts AND s.t_bad IS NOT DISTINCT FROM m.t_bad "
    "AND s.dur IS NOT DISTINCT FROM m.dur"
)


def _mirrored(joins: str = "", own: str = "NOT EXISTS") -> str:
    """FROM … WHERE of the caller/callee records that give the callee a row (``own``: EXISTS, the others)."""
    return (
        f"FROM calls_keyed m {joins} WHERE m.mirror AND m.ctype = 1 AND m.opposite IS NOT NULL "
        f"AND {own} ({_OWN_RECORD})"
    )


OVERLAP_SQL = f"SELECT count(*) {_mirrored(own='EXISTS')}"
_MIRROR = (
    "SELECT j.num AS phone, i.num AS opposite, 2 AS ctype, m.ts, m.t_bad, m.dur, "
    "CAST(NULL AS VARCHAR) AS city, CAST(NULL AS VARCHAR) AS county, CAST(NULL AS VARCHAR) AS imei "
    + _mirrored("LEFT JOIN ids i ON i.k = m.phone LEFT JOIN ids j ON j.k = m.opposite")
)


def _call_rows(carry: str = "") -> str:
    """The cleaned call records, one per row read (``carry``: raw columns kept, e.g. ``line_no, ``)."""
    return (
        f"WITH p AS (SELECT {carry}t_raw, dur_raw, type_raw, {_PHONE} AS phone, {_OPP} AS opposite, "
        f"num_issue, {CALL_TYPE_SQL.format(x='type_raw')} AS ctype, {_TS} AS ts, "
        f"{DURATION_SECONDS.format(dur_raw=duration_sql('dur_raw'))} AS dur_num, "
        f"{text_sql('city')} AS city, {text_sql('county')} AS county, {imei_sql('imei')} AS imei, "
        f"{imei_lossy_sql('imei')} AS imei_lossy, mirror, footer FROM {_numbers('raw_calls')} n), "
        f"q AS (SELECT *, {_bad('ts', 't_raw')} AS t_bad, {_bad('dur_num', 'dur_raw')} AS dur_bad, "
        f"{_NO_CLOCK} FROM p) "
    )


_CALL_CLEAN = _call_rows() + _clean_sql(
    [*CALL_COLS, "num_issue", "footer"],
    f", CASE WHEN dur_num >= 0 AND dur_num <= {MAX_DURATION} THEN dur_num END AS dur"
    + CALL_OPTIONAL
    + ", bool_or(imei_lossy) AS imei_lossy"
    + CALL_VIEWS,
)

_SMS_EMPTY = (
    "SELECT CAST(NULL AS VARCHAR) AS phone_raw, CAST(NULL AS VARCHAR) AS opp_raw, CAST(NULL AS "
    "VARCHAR) AS type_raw, CAST(NULL AS VARCHAR) AS t_raw, CAST(NULL AS TIMESTAMP) AS ts0, "
    "CAST(0 AS TINYINT) AS footer, false AS receiver_side WHERE false"
)


def _sms_rows(carry: str = "") -> str:
    return (
        f"WITH p AS (SELECT {carry}t_raw, type_raw, {_PHONE} AS phone, {_OPP} AS opposite, num_issue, "
        f"{SMS_TYPE_SQL.format(x='type_raw')} AS stype, {_TS} AS ts, footer, receiver_side "
        f"FROM {_numbers('raw_sms')} n), "
        f"q AS (SELECT *, {_bad('ts', 't_raw')} AS t_bad, {_NO_CLOCK} FROM p) "
    )


# a sender/receiver line is two rows, the sender's and the receiver's: the line is counted with the first
# (a receiver's own record merged with the second is a duplicate of that line: DISTINCT_LINE)
_SMS_CLEAN = _sms_rows() + _clean_sql(
    ["phone", "opposite", "stype", "ts", "t_bad", "num_issue", "footer"],
    ", bool_and(no_clock) AS no_clock, bool_or(receiver_side) AS receiver_side",
    lines="sum(CASE WHEN receiver_side THEN 0 ELSE 1 END)",
)

_APP_EMPTY = (
    "SELECT CAST(NULL AS VARCHAR) AS phone_raw, CAST(NULL AS VARCHAR) AS busi_name, CAST(NULL AS "
    "VARCHAR) AS flow_raw, CAST(NULL AS VARCHAR) AS month_raw, CAST(0 AS TINYINT) AS footer WHERE false"
)


def _app_rows(carry: str = "") -> str:
    return (
        f"WITH p AS (SELECT {carry}flow_raw, {_PHONE} AS phone, num_issue, {text_sql('busi_name')} AS "
        f"busi_name, {flow_sql('flow_raw')} AS flow, {month_sql('month_raw')} AS month, footer "
        f"FROM {_numbers('raw_apps', False)} n), "
        f"q AS (SELECT *, {_bad('flow', 'flow_raw')} AS flow_bad FROM p) "
    )


_APP_CLEAN = _app_rows() + _clean_sql(
    ["phone", "busi_name", "flow", "flow_bad", "month", "num_issue", "footer"]
)

_SPEND_EMPTY = (
    "SELECT CAST(NULL AS VARCHAR) AS phone_raw, CAST(NULL AS VARCHAR) AS month_raw, CAST(NULL AS "
    "VARCHAR) AS arpu_raw, CAST(0 AS TINYINT) AS footer WHERE false"
)


def _spend_rows(carry: str = "") -> str:
    return (
        f"WITH p AS (SELECT {carry}arpu_raw, {_PHONE} AS phone, num_issue, "
        f"{month_sql('month_raw')} AS month, {amount_sql('arpu_raw')} AS arpu, footer "
        f"FROM {_numbers('raw_spending', False)} n), "
        f"q AS (SELECT *, {_bad('arpu', 'arpu_raw')} AS arpu_bad FROM p) "
    )


_SPEND_CLEAN = _spend_rows() + _clean_sql(["phone", "month", "arpu", "arpu_bad", "num_issue", "footer"])


ROWS_SQL.update(calls=_call_rows, sms=_sms_rows, apps=_app_rows, spending=_spend_rows)


# the rows that are a distinct line: not the receiver's side of a sender/receiver SMS line (the lines
# merged with it — the receiver's own record of that SMS — repeat that line)
DISTINCT_LINE = {"sms": "lines > 0 AND NOT receiver_side"}


def _quality(con: duckdb.DuckDBPyConnection, table: str, kind: str) -> dict[str, int]:
    """The kind's counters, in lines of the files: a row that stands for no line of its own (the
    receiver's side of a sender/receiver SMS line) is in none of them."""
    checks = QUALITY[kind]
    sums = ", ".join(f"coalesce(sum(CASE WHEN {cond} THEN lines ELSE 0 END), 0)" for cond in checks.values())
    distinct = DISTINCT_LINE.get(kind, "lines > 0")
    row = con.execute(
        f"SELECT coalesce(sum(lines), 0), count(CASE WHEN {distinct} THEN 1 END), {sums} FROM {table}"
    ).fetchall()[0]
    out = {"records": int(row[0]), "distinct_records": int(row[1]), "duplicates": int(row[0] - row[1])}
    out.update({name: int(v) for name, v in zip(checks, row[2:], strict=True)})
    return out


def _counts_sql(table: str, part: str) -> str:
    """Records per phone and hour (or day of month); a time that was only a date has no hour."""
    clock = " AND NOT no_clock" if part == "HOUR" else ""
    return (
        f"SELECT phone, EXTRACT({part} FROM ts) AS v, count(*) AS n FROM {table} "
        f"WHERE phone IS NOT NULL AND ts IS NOT NULL{clock} GROUP BY phone, EXTRACT({part} FROM ts)"
    )


def _mode_sql(counts: str, prefix: str) -> str:
    """Most frequent hour/day (ties: the smallest), its count and the number of distinct values, per phone.

    ``counts`` names a CTE of _counts_sql(). One GROUP BY, no window and no join back: the largest of
    ``n * 64 + (63 - v)`` (hours 0..23 and days 1..31 are below 64) is the largest count, and among equal
    counts the smallest value; integer arithmetic, so it runs the same on Spark.
    """
    return (
        f"SELECT phone, 63 - x % 64 AS {prefix}_mode, "
        f"CAST((x - x % 64) / 64 AS BIGINT) AS {prefix}_mode_count, k AS {prefix}_nunique "
        f"FROM (SELECT phone, max(n * 64 + (63 - v)) AS x, count(*) AS k FROM {counts} GROUP BY phone) m"
    )


def _median(x: str) -> str:
    return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {x})"


# distinct cities, counties (all calls; outgoing ones) and handsets (outgoing calls) per number: one row
# per (number, value), then counted. The callee's mirrored rows carry no city / handset: calls_keyed suffices.
_DISTINCT_OF = (
    ("city", "city", "CASE WHEN ctype = 1 THEN 1 ELSE 0 END"),
    ("county", "county", "CASE WHEN ctype = 1 THEN 1 ELSE 0 END"),
    ("imei", "imei", "1"),
)
DISTINCT_AGG = (
    "SELECT phone, "
    + ", ".join(
        f"count(CASE WHEN g = '{g}' THEN 1 END) AS {g}_n, "
        f"sum(CASE WHEN g = '{g}' THEN o ELSE 0 END) AS {g}_out"
        for g, _, _ in _DISTINCT_OF
    )
    + " FROM ("
    + " UNION ALL ".join(
        f"SELECT phone, '{g}' AS g, max({o}) AS o FROM calls_keyed "
        f"WHERE phone IS NOT NULL AND {col} IS NOT NULL"
        + (" AND ctype = 1" if g == "imei" else "")
        + f" GROUP BY phone, {col}"
        for g, col, o in _DISTINCT_OF
    )
    + ") x GROUP BY phone"
)

CALL_AGG = f"""SELECT b.phone, opposite_count, call_dur_mean, call_dur_median, call_dur_max, call_dur_min,
  coalesce(d.city_n, 0) AS city_name_nunique, coalesce(d.county_n, 0) AS county_name_nunique,
  calltype_id_unique, short_call_share, n_out,
  CASE WHEN n_out > 0 THEN coalesce(d.imei_n, 0) END AS imeis,
  CASE WHEN n_out > 0 THEN coalesce(d.city_out, 0) END AS city_name_call,
  CASE WHEN n_out > 0 THEN coalesce(d.county_out, 0) END AS county_name_call
FROM (SELECT phone,
  count(*) AS opposite_count,
  avg(dur) AS call_dur_mean, {_median("dur")} AS call_dur_median, max(dur) AS call_dur_max, min(dur) AS
      call_dur_min,
  max(CASE WHEN ctype = 1 THEN 1 ELSE 0 END) + max(CASE WHEN ctype = 2 THEN 1 ELSE 0 END)
    + max(CASE WHEN ctype = 3 THEN 1 ELSE 0 END) AS calltype_id_unique,
  CAST(sum(CASE WHEN dur < 10 THEN 1 ELSE 0 END) AS DOUBLE) / nullif(count(dur), 0) AS short_call_share,
  sum(CASE WHEN ctype = 1 THEN 1 ELSE 0 END) AS n_out
FROM ck WHERE phone IS NOT NULL GROUP BY phone) b LEFT JOIN cd d ON d.phone = b.phone"""

# per counterpart; records without a counterpart are left out (as pandas' groupby leaves out NaN keys)
PAIR_AGG = f"""SELECT phone, count(*) AS opposite_unique, avg(n) AS phone2opposite_mean, {_median("n")}
    AS phone2opposite_median,
  max(n) AS phone2opposite_max, avg(s) AS phone2oppo_sum_mean, {_median("s")} AS phone2oppo_sum_median,
  max(s) AS phone2oppo_sum_max,
  CAST(sum(CASE WHEN n_out > 0 AND n_in > 0 THEN 1 ELSE 0 END) AS DOUBLE)
    / nullif(sum(CASE WHEN n_out > 0 THEN 1 ELSE 0 END), 0) AS callback_rate
FROM (SELECT phone, opposite, count(*) AS n, sum(dur) AS s, sum(CASE WHEN ctype = 1 THEN 1 ELSE 0 END) AS
    n_out,
             sum(CASE WHEN ctype = 2 THEN 1 ELSE 0 END) AS n_in FROM ck
      WHERE phone IS NOT NULL AND opposite IS NOT NULL GROUP BY phone, opposite) pairs GROUP BY phone"""

SMS_AGG = """SELECT phone, count(*) AS sms_count, count(DISTINCT opposite) AS sms_nunique,
  sum(CASE WHEN stype = 2 THEN 1 ELSE 0 END) AS calltype_2
FROM sk WHERE phone IS NOT NULL GROUP BY phone"""

APP_AGG = f"""SELECT phone, count(*) AS busi_count, avg(flow) AS flow_mean, {_median("flow")} AS flow_median,
  min(flow) AS flow_min, max(flow) AS flow_max, var_samp(flow) AS flow_var, sum(flow) AS flow_sum,
  count(DISTINCT month) AS month_ids
FROM ak WHERE phone IS NOT NULL GROUP BY phone"""

SPEND_AGG = f"""SELECT m.phone, avg(a) AS arpu_mean, var_samp(a) AS arpu_var, max(a) AS arpu_max, min(a)
    AS arpu_min,
  {_median("a")} AS arpu_median, sum(a) AS arpu_sum, stddev_samp(a) / sqrt(count(*)) AS arpu_sem,
  count(*) AS n_months, avg((a - mu) * (a - mu)) AS m2, avg((a - mu) * (a - mu) * (a - mu)) AS m3
FROM (SELECT phone, month, avg(arpu) AS a FROM spk WHERE phone IS NOT NULL AND arpu IS NOT NULL
      GROUP BY phone, month) m
JOIN (SELECT phone, avg(arpu_m) AS mu FROM (SELECT phone, month, avg(arpu) AS arpu_m FROM spk
      WHERE phone IS NOT NULL AND arpu IS NOT NULL GROUP BY phone, month) x GROUP BY phone) s ON s.phone
          = m.phone
GROUP BY m.phone"""


def _f(expr: str, name: str) -> str:
    return f"CAST({expr} AS DOUBLE) AS {name}"


def _ratio(a: str, b: str) -> str:
    return f"CASE WHEN {b} > 0 THEN CAST({a} AS DOUBLE) / {b} END"


# extra columns after the 55: not in the Sichuan set (so not model inputs), used by explanations
EXTRA_NAMES = ["short_call_share", "callback_rate"]

FINAL_EXPR: dict[str, str] = {name: name for name in FEATURE_NAMES}
FINAL_EXPR.update(
    {
        # a missing counterpart (counted as missing_opposite) is no counterpart: 0 when all are missing
        "opposite_unique": "CASE WHEN c.opposite_count > 0 THEN coalesce(pr.opposite_unique, 0) END",
        "voccalltype1": "nullif(c.n_out, 0)",
        "voc_calltype1": _ratio("nullif(c.n_out, 0)", "c.opposite_count"),
        "sms_rate": _ratio("s.sms_count", "s.sms_nunique"),
        "calltype_rate": _ratio("s.calltype_2", "s.sms_count"),
        "busi_count": "coalesce(a.busi_count, 0)",
        "flow_mean": "coalesce(a.flow_mean, 0)",
        "flow_median": "coalesce(a.flow_median, 0)",
        "flow_min": "coalesce(a.flow_min, 0)",
        "flow_max": "coalesce(a.flow_max, 0)",
        "flow_sum": "coalesce(a.flow_sum, 0)",
        "month_ids": "coalesce(a.month_ids, 0)",
        "flow_month": _ratio("a.flow_sum", "a.month_ids"),
        "arpu_skew": "CASE WHEN p.n_months >= 3 AND p.m2 = 0 THEN 0 WHEN p.n_months >= 3 THEN "
        "sqrt(p.n_months * (p.n_months - 1.0)) / (p.n_months - 2) * p.m3 / power(p.m2, 1.5) END",
        "arpu_quantile": "p.arpu_median",
    }
)


# numbers -> integer keys (ordered like the numbers, so node ids follow), built by load_raw
IDS_SQL = """SELECT num, CAST(row_number() OVER (ORDER BY num) AS BIGINT) AS k FROM (
  SELECT phone AS num FROM calls_text UNION SELECT opposite FROM calls_text UNION SELECT phone FROM sms
  UNION SELECT opposite FROM sms UNION SELECT phone FROM apps UNION SELECT phone FROM spending) x
WHERE num IS NOT NULL"""
CALLS_KEYED = """SELECT i.k AS phone, j.k AS opposite, ctype, ts, t_bad, dur, city, county, imei, mirror,
  no_clock FROM calls_text c LEFT JOIN ids i ON i.num = c.phone LEFT JOIN ids j ON j.num = c.opposite"""
CALLS_TEXT = """SELECT i.num AS phone, j.num AS opposite, ctype, ts, t_bad, dur, city, county, imei, mirror
FROM calls_keyed c LEFT JOIN ids i ON i.k = c.phone LEFT JOIN ids j ON j.k = c.opposite"""
# every call row of a number, with the callee's incoming rows of caller/callee records; the columns the
# aggregates over all rows need (cities and handsets are read from calls_keyed: the mirrored rows have none).
# build() keeps it as a table sorted by number: the per-number aggregates (medians above all) then update
# one group after another instead of jumping around memory — about half the time of the whole step list.
CALLS_BOTH = f"""SELECT phone, opposite, ctype, ts, dur, no_clock FROM calls_keyed
UNION ALL SELECT m.opposite AS phone, m.phone AS opposite, 2 AS ctype, m.ts, m.dur, m.no_clock {_mirrored()}
ORDER BY phone"""
SMS_KEYED = """SELECT i.k AS phone, j.k AS opposite, stype, ts, no_clock FROM sms s
LEFT JOIN ids i ON i.num = s.phone LEFT JOIN ids j ON j.num = s.opposite"""
APPS_KEYED = "SELECT i.k AS phone, busi_name, flow, month FROM apps a LEFT JOIN ids i ON i.num = a.phone"
SPEND_KEYED = "SELECT i.k AS phone, month, arpu FROM spending s LEFT JOIN ids i ON i.num = s.phone"
NUMS_SQL = (
    "SELECT phone FROM c UNION SELECT phone FROM sk WHERE phone IS NOT NULL "
    "UNION SELECT phone FROM ak WHERE phone IS NOT NULL UNION SELECT phone FROM spk WHERE phone IS NOT NULL"
)
NODE_SQL = "SELECT phone, CAST(row_number() OVER (ORDER BY phone) - 1 AS BIGINT) AS node_id FROM nums"
# steps that build() keeps as views (cheap projections read by later steps), the rest become tables
VIEW_STEPS = frozenset({"sk", "ak", "spk"})


def feature_steps() -> list[tuple[str, str]]:
    """The per-number aggregates in order: (name, SQL). Each reads the cleaned tables or earlier steps."""
    return [
        ("ck", CALLS_BOTH),
        ("sk", SMS_KEYED),
        ("ak", APPS_KEYED),
        ("spk", SPEND_KEYED),
        ("cd", DISTINCT_AGG),
        ("c", CALL_AGG),
        ("nums", NUMS_SQL),
        ("pr", PAIR_AGG),
        ("vhc", _counts_sql("ck", "HOUR")),
        ("vdc", _counts_sql("ck", "DAY")),
        ("shc", _counts_sql("sk", "HOUR")),
        ("sdc", _counts_sql("sk", "DAY")),
        ("vh", _mode_sql("vhc", "voc_hour")),
        ("vd", _mode_sql("vdc", "voc_day")),
        ("s", SMS_AGG),
        ("sh", _mode_sql("shc", "hour")),
        ("sd", _mode_sql("sdc", "day")),
        ("a", APP_AGG),
        ("p", SPEND_AGG),
        ("node", NODE_SQL),
    ]


def final_sql() -> str:
    """Join the step results into one row per number: node_id, phone_no_m, the 55 + extra columns."""
    cols = ",\n  ".join(_f(FINAL_EXPR.get(n, n), n) for n in [*FEATURE_NAMES, *EXTRA_NAMES])
    joins = " ".join(
        f"LEFT JOIN {t} ON {t}.phone = nums.phone" for t in ("c", "pr", "vh", "vd", "s", "sh", "sd", "a", "p")
    )
    return (
        f"SELECT node.node_id, ids.num AS phone_no_m,\n  {cols}\n"
        "FROM nums JOIN node ON node.phone = nums.phone "
        f"JOIN ids ON ids.k = nums.phone {joins}"
    )


def feature_sql() -> str:
    """The whole feature computation as one query (e.g. for Spark SQL); build() runs it step by step."""
    ctes = ",\n".join(f"{name} AS ({sql})" for name, sql in feature_steps())
    return f"WITH {ctes}\n{final_sql()}"


# call-graph edges (reads calls_keyed and the step node): distinct calls per ordered pair of numbers. The
# callee's mirrored incoming rows (ck) are left out: each has the same (caller, callee, time, duration) key
# as the outgoing row it mirrors, so the distinct calls are those of calls_keyed.
EDGE_SQL = """SELECT n1.node_id AS src, n2.node_id AS dst, e.weight
FROM (SELECT a, b, count(*) AS weight
      FROM (SELECT DISTINCT CASE WHEN ctype = 2 THEN opposite ELSE phone END AS a,
                            CASE WHEN ctype = 2 THEN phone ELSE opposite END AS b, ts, t_bad, dur
            FROM calls_keyed WHERE phone IS NOT NULL AND opposite IS NOT NULL AND ctype IN (1, 2)) d
      WHERE a <> b GROUP BY a, b) e
JOIN node n1 ON n1.phone = e.a JOIN node n2 ON n2.phone = e.b"""


def _kind(name: str) -> str:
    return "TEMP VIEW" if name in VIEW_STEPS else "TEMP TABLE"


def build(con: duckdb.DuckDBPyConnection, src: Sources) -> dict[str, Any]:
    """Load, clean and aggregate: leaves tables ``features`` and ``edges``; returns the report."""
    report = load_raw(con, src)
    # one aggregate at a time: bounded memory (each step's state only), results are small per-number tables
    for name, sql in feature_steps():
        con.execute(f"CREATE OR REPLACE {_kind(name)} {name} AS {sql}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE features AS {final_sql()}")
    # the steps go before the edges are built (the sorted call rows ck are the largest), except node
    for name, _ in reversed(feature_steps()):
        if name != "node":
            con.execute(f"DROP {_kind(name).removeprefix('TEMP ')} {name}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE edges AS {EDGE_SQL}")
    con.execute("DROP TABLE node")
    n = con.execute("SELECT count(*) FROM features").fetchall()[0]
    e = con.execute("SELECT count(*) FROM edges").fetchall()[0]
    report["numbers"] = int(n[0]) if n else 0
    report["edges"] = int(e[0]) if e else 0
    report["message"] = _message(report)
    return report


# counters that are not problems; bad_lines and nonfinite_duration are skipped records (named in the
# notes), not kept ones
_SKIPPED = ("bad_lines", "nonfinite_duration", "footer_lines")
_NOT_PROBLEMS = ("files", "records", "distinct_records", *_SKIPPED)


def _message(report: dict[str, Any]) -> str:
    notes = report.get("notes") or []
    tail = (" 说明：" + "；".join(notes)) if notes else ""
    problems = _counted(report, lambda k: k not in _NOT_PROBLEMS)
    skipped = _counted(report, lambda k: k in _SKIPPED)
    body = " 数据问题（已计入统计，未丢弃）：" + "；".join(problems) if problems else ""
    body += " 已跳过的记录（未计入，行号见说明）：" + "；".join(skipped) if skipped else ""
    if report["numbers"] == 0:  # records read, none usable (no number in any): the counts say why
        return "输入中没有任何有效记录，未生成特征（结果为空）。" + body + tail
    head = f"生成 {report['numbers']} 个号码的特征、{report['edges']} 条通话边。"
    return head + (body or " 未发现数据问题。") + tail


def _counted(report: dict[str, Any], chosen: Callable[[str], bool]) -> list[str]:
    """``calls: bad_time=1, negative_duration=2`` for each kind of record with chosen non-zero counters."""
    parts = []
    for kind, q in report.items():
        if isinstance(q, dict):
            issues = {k: v for k, v in q.items() if v and chosen(k)}
            if issues:
                parts.append(f"{kind}: " + ", ".join(f"{k}={v}" for k, v in issues.items()))
    return parts


def write(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """``table`` to CSV or Parquet, sorted by every column: one order whatever the threads did (edges
    sharing a caller came out in another order run to run when sorted by the first column alone)."""
    p = str(path).replace("'", "''")
    fmt = "(FORMAT parquet)" if str(path).lower().endswith(".parquet") else "(HEADER, DELIMITER ',')"
    con.execute(f"COPY (SELECT * FROM {table} ORDER BY ALL) TO '{p}' {fmt}")


def features_from_files(
    src: Sources,
    out_features: Path,
    out_edges: Path | None = None,
    *,
    memory_limit: str = "2GB",
    threads: int = 2,
) -> dict[str, Any]:
    """Raw record files in, features (and edges) files out; returns the data-quality report.

    The work happens in a scratch database file in a temporary folder (deleted afterwards).
    """
    with tempfile.TemporaryDirectory(prefix="fanzha-numbers-") as scratch:
        con = connect(memory_limit, threads, temp_dir=scratch, database=str(Path(scratch) / "work.duckdb"))
        try:
            report = build(con, src)
            write(con, "features", Path(out_features))
            if out_edges is not None:
                write(con, "edges", Path(out_edges))
        finally:
            con.close()
    return report
