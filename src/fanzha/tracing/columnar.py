"""Statements at scale: CSV → columns in DuckDB (parsing, classification, dedupe, balance check in SQL).

``import_statement_csv(paths)`` reads one or more CSV statements of a known layout (or the given
mapping) with DuckDB's CSV reader and returns numpy columns. The rules are those of
``fanzha.tracing.statements`` (same aliases, flags, keywords and duplicate rule), written in SQL.
DuckDB runs in-process, with extension auto-install/auto-load off and a memory limit; with
``database=`` the rows are also kept in the ``trace_transaction`` table (``SCHEMA_SQL``, which
PostgreSQL accepts unchanged) and ``index_from_store`` builds the trace index from it.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fanzha.tracing.index import TransferIndex
from fanzha.tracing.kinds import CODE
from fanzha.tracing.layouts import FIELDS, Mapping, find_header, flag_key, layouts, preamble_account
from fanzha.tracing.statements import UnknownLayout, decode
from fanzha.tracing.text import (
    AMOUNT_CEILING_FEN,
    DB2_TIMESTAMP,
    DECIMAL_COMMA,
    FEN_SLACK,
    GROUPED_BY_COMMAS,
    GROUPED_BY_DOTS,
    ISO_WITH_OFFSET,
    UNCLEAR_POINT,
    digits_lost,
    not_an_amount,
    not_grouped,
    unclear_point,
)

FULL = "０１２３４５６７８９．，－＋（）￥：／"
HALF = "0123456789.,-+()¥:/"
TIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y%m%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y%m%d %H:%M",
    "%Y%m%d %H%M%S",
    "%Y%m%d%H%M%S",
    "%Y-%m-%d",
    "%Y%m%d",
]
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS trace_transaction (
    file INTEGER NOT NULL,
    line BIGINT NOT NULL,
    account VARCHAR(64) NOT NULL,
    ts TIMESTAMP NOT NULL,
    amount BIGINT NOT NULL,
    balance BIGINT,
    counterparty_account VARCHAR(64) NOT NULL,
    counterparty_name VARCHAR(200) NOT NULL,
    counterparty_bank VARCHAR(200) NOT NULL,
    serial VARCHAR(100) NOT NULL,
    description VARCHAR(500) NOT NULL,
    category SMALLINT NOT NULL,
    platform VARCHAR(50) NOT NULL
);
"""


@dataclass
class StatementColumns:
    """Deduplicated transactions as columns, sorted by account and time. Amounts in fen."""

    account: NDArray[np.object_]
    time: NDArray[np.int64]  # seconds since 1970 (local time read as UTC)
    amount: NDArray[np.int64]  # + in / − out
    balance: NDArray[np.int64]  # 0 where has_balance is False
    has_balance: NDArray[np.bool_]
    counterparty_account: NDArray[np.object_]
    counterparty_name: NDArray[np.object_]
    serial: NDArray[np.object_]
    category: NDArray[np.int8]  # kinds.CATEGORIES
    platform: NDArray[np.object_]
    file: NDArray[np.int32]
    line: NDArray[np.int64]
    rows_read: int = 0
    duplicates: int = 0
    error_lines: list[tuple[int, int, str]] = field(default_factory=list)  # (file, line, message)
    errors: int = 0
    balance_breaks: list[tuple[int, str, int]] = field(default_factory=list)  # (file, account, line)

    def __len__(self) -> int:
        return int(self.amount.size)


def connect(database: str = ":memory:", *, memory_limit: str = "2GB", threads: int | None = None) -> Any:
    import duckdb

    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": memory_limit,
    }
    if threads:
        config["threads"] = threads
    return duckdb.connect(database, config=config)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


MONEY = ("amount", "debit", "credit", "balance")
NUMERIC: tuple[str, ...] = ("own_account", "time", "date", "time_of_day", "amount", "debit", "credit")
NUMERIC += ("balance", "counterparty_account", "serial")


def _norm(col: str, *, digits: bool = True) -> str:
    """Trimmed; full-width digits and signs made half-width in the columns that hold numbers
    (pure-ASCII cells, the usual case, skip the translation)."""
    cell = f"trim(coalesce({col}, ''), ' ' || chr(9) || chr(10) || chr(13))"  # as str.strip()
    if not digits:
        return cell
    wide = f"translate({cell}, {_literal(FULL)}, {_literal(HALF)})"
    return f"CASE WHEN strlen({cell}) = length({cell}) THEN {cell} ELSE {wide} END"


def _number(col: str, decimal: str) -> str:
    return f"TRY_CAST(rtrim(trim({col}, '()'), '-') AS {decimal})"


def _amount(col: str, scale: int = 1) -> str:
    """Over ``a<k>``, the normalised cell without separators and units (see ``_layers``). Up to 13 digits
    before the point (a larger number is NULL, and refused by ``_not_an_amount``), so the fen fit.
    ``scale``: the yuan one unit of the column is (``Mapping.scale``, 10,000 for 万元; six decimals)."""
    sign = f"CASE WHEN {col} LIKE '(%)' OR {col} LIKE '_%-' THEN -1 ELSE 1 END"
    if scale != 1:
        return f"CAST(round({sign} * {_number(col, 'DECIMAL(18, 6)')} * {100 * scale}) AS BIGINT)"
    return f"CAST(round({sign} * {_number(col, 'DECIMAL(15, 2)')} * 100) AS BIGINT)"


def _money(m: Mapping, name: str) -> str:
    return _amount(f"a{m.columns[name]}", m.scale(name))


def _sub_fen(m: Mapping) -> str:
    """Whether a money cell holds a real fraction of a fen (``text.parse_amount``'s 金额精度超过分): more
    than ``FEN_SLACK`` off a whole fen; only cells with three or more decimals are looked at."""
    checks = []
    for name in MONEY:
        if name in m.columns:
            col = f"a{m.columns[name]}"
            cents = f"({_number(col, 'DECIMAL(38, 10)')} * {100 * m.scale(name)})"
            off = f"coalesce(abs({cents} - round({cents})) > {FEN_SLACK}, false)"
            checks.append(f"(regexp_matches({col}, '\\.[0-9]{{3}}') AND {off})")
    return " OR ".join(checks) or "false"


def _not_an_amount(m: Mapping) -> str:
    """``text.parse_amount``'s row error for a money cell of ``AMOUNT_CEILING_FEN`` or more (an account
    number in the column), naming the first such column; NULL when there is none."""
    checks = []
    for name in MONEY:
        if name in m.columns:
            col = f"a{m.columns[name]}"
            value = _number(col, "DECIMAL(38, 2)")  # only long cells are cast
            scale = m.scale(name)
            long = 12 - (len(str(scale)) - 1)  # 万元: a figure of 9 characters may already be too large
            too_large = (
                f"(length({col}) > {long} AND "
                f"coalesce(abs({value}) * {100 * scale} >= {AMOUNT_CEILING_FEN}, false))"
            )
            checks.append(f"WHEN {too_large} THEN {_literal(not_an_amount(FIELDS[name]))}")
    return f"CASE {' '.join(checks)} END" if checks else "NULL"


def _signed_form(core: str) -> str:
    """A money cell (units taken away) that is ``core`` with a sign or accounting brackets around it."""
    return _literal(f"^\\(?[-+]?(?:{core})\\)?-?$")


def _with_separators(col: str) -> str:
    """Whether the cell has a comma or more than one dot (a single dot is a decimal point)."""
    return f"(strpos({col}, ',') > 0 OR regexp_matches({col}, '\\..*\\.'))"


def _plain(col: str) -> str:
    """``text.parse_amount``'s separators over ``u<k>`` (units taken away): the number with a decimal
    point (1.000,00 → 1000.00); NULL for a cell they leave unclear (the row error is ``_unclear``'s)."""
    return f"""CASE WHEN regexp_matches({col}, {_signed_form(UNCLEAR_POINT)}) THEN NULL
        WHEN NOT {_with_separators(col)} THEN {col}
        WHEN regexp_matches({col}, {_signed_form(GROUPED_BY_COMMAS)}) THEN replace({col}, ',', '')
        WHEN regexp_matches({col}, {_signed_form(GROUPED_BY_DOTS)})
            THEN replace(replace({col}, '.', ''), ',', '.')
        WHEN regexp_matches({col}, {_signed_form(DECIMAL_COMMA)}) THEN replace({col}, ',', '.') END"""


def _unclear(m: Mapping) -> str:
    """``text.parse_amount``'s row error for a money cell whose separators say no one number (1.000:
    1 yuan or 1,000?; 1,2345), naming the first such column; NULL when there is none."""
    checks = []
    for name in MONEY:
        if name in m.columns:
            k = m.columns[name]
            unclear = f"regexp_matches(u{k}, {_signed_form(UNCLEAR_POINT)})"
            checks.append(f"WHEN {unclear} THEN {_literal(unclear_point(FIELDS[name]))}")
            checks.append(
                f"WHEN a{k} IS NULL AND {_with_separators(f'u{k}')} "
                f"THEN {_literal(not_grouped(FIELDS[name]))}"
            )
    return f"CASE {' '.join(checks)} END" if checks else "NULL"


def _time_text(text: str) -> str:
    """Over a normalised text: 年月/ → -, 日 → space, 时分 → :, 秒 dropped, fractions of seconds dropped,
    2024.03.05 → 2024-03-05. The result is materialised (``tt``) before ``_time`` parses it."""
    ascii_ = f"replace({text}, '/', '-')"
    wide = f"translate({text}, '年月/日时分秒', '--- ::')"
    text = f"CASE WHEN strlen({text}) = length({text}) THEN {ascii_} ELSE {wide} END"
    text = f"regexp_replace({text}, {_literal(DB2_TIMESTAMP)}, '\\1 \\2:\\3:\\4')"  # text.parse_time
    dots = f"regexp_replace(regexp_replace({text}, '\\.\\d+$', ''), '\\.', '-', 'g')"
    return f"rtrim(trim(CASE WHEN contains({text}, '.') THEN {dots} ELSE {text} END), ':')"


def _on_china_clock(column: str) -> str:
    """An ISO time with its offset (2026-11-20T10:00:02.000+08:00, …Z) as China's clock reads it, as
    ``text.parse_time`` reads it; any other text, and one whose day or offset cannot be (2026-02-30), as
    written (no format reads the latter: the row's time is unreadable)."""
    iso = _literal(ISO_WITH_OFFSET)
    day, clock, sign, hours, minutes = (f"regexp_extract({column}, {iso}, {n})" for n in (1, 2, 4, 5, 6))
    local = f"try_strptime({day} || ' ' || {clock}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M'])"
    hours, minutes = (f"coalesce(try_cast(nullif({n}, '') AS INTEGER), 0)" for n in (hours, minutes))
    east = f"(CASE WHEN {sign} = '-' THEN -1 ELSE 1 END) * ({hours} * 60 + {minutes})"
    china = f"strftime({local} + (480 - {east}) * INTERVAL 1 MINUTE, '%Y-%m-%d %H:%M:%S')"
    possible = f"{hours} < 24 AND {minutes} < 60"
    read = f"coalesce({china}, {column})"
    return f"CASE WHEN regexp_matches({column}, {iso}) AND {possible} THEN {read} ELSE {column} END"


def _time(column: str, best: str = "") -> str:
    every = f"try_strptime({column}, {TIME_FORMATS!r})"
    return f"coalesce(try_strptime({column}, {_literal(best)}), {every})" if best else every


def _best_format(con: Any) -> str:
    """The format most of the first rows are in (one format is much faster than the list)."""
    sample = [str(r[0]) for r in con.execute("SELECT tt FROM stage WHERE tt <> '' LIMIT 200").fetchall()]
    for fmt in TIME_FORMATS:
        try:
            for text in sample:
                datetime.strptime(text, fmt)  # noqa: DTZ007 - statements are in local time
        except ValueError:
            continue
        return fmt
    return ""


def _moment_text(m: Mapping) -> str:
    """The time as one text over the normalised cells (a date and a time column are joined)."""
    c = m.columns
    if "time" in c:
        return f"n{c['time']}"
    if "time_of_day" not in c:
        return f"n{c['date']}"
    day, clock = f"n{c['date']}", f"n{c['time_of_day']}"
    compact = f"length({clock}) IN (5, 6) AND NOT contains({clock}, ':')"
    clock = f"CASE WHEN {compact} THEN lpad({clock}, 6, '0') ELSE {clock} END"
    return f"CASE WHEN length({clock}) > 10 THEN {clock} ELSE {day} || ' ' || {clock} END"


def _signed(m: Mapping) -> str:
    c = m.columns
    if m.split:
        debit = _money(m, "debit") if "debit" in c else "NULL"
        credit = _money(m, "credit") if "credit" in c else "NULL"
        neither = f"{debit} IS NULL AND {credit} IS NULL"
        return f"CASE WHEN {neither} THEN NULL ELSE coalesce({credit}, 0) - coalesce({debit}, 0) END"
    amount = _money(m, "amount")
    if "direction" not in c:
        return amount
    flag = f"lower(replace(n{c['direction']}, ' ', ''))"
    ins = ", ".join(_literal(v) for v in sorted(layouts().direction_in))
    outs = ", ".join(_literal(v) for v in sorted(layouts().direction_out))
    return f"CASE WHEN {flag} IN ({ins}) THEN {amount} WHEN {flag} IN ({outs}) THEN -abs({amount}) END"


def _layers(m: Mapping) -> str:
    """raw → n<k> (normalised cells), u<k> (amount cells without units) and a<k> (those without
    separators: a plain decimal number, or NULL when the separators leave it unclear)."""
    numeric = {m.columns[n] for n in NUMERIC if n in m.columns}
    used = sorted(set(m.columns.values()))
    norms = ", ".join(f"{_norm(f'c{k}', digits=k in numeric)} AS n{k}" for k in used)
    money = sorted({m.columns[n] for n in MONEY if n in m.columns})
    units = "'[\\s元¥'']|人民币|rmb|cny'"
    unitless = "".join(f", regexp_replace({_norm(f'c{k}')}, {units}, '', 'gi') AS u{k}" for k in money)
    plain = "".join(f", {_plain(f'u{k}')} AS a{k}" for k in money)
    return f"""SELECT *{plain} FROM (SELECT file, line, {norms}{unitless}, {_FOOTER} AS footer, filled,
        header_again FROM raw WHERE replace(raw_text, '|', '') <> '')"""  # noqa: S608


def _text(m: Mapping, name: str) -> str:
    return f"n{m.columns[name]}" if name in m.columns else "''"


def _pattern(words: Sequence[str]) -> str:
    return _literal("|".join(re.escape(w) for w in words))


def _category() -> str:
    """SQL over ``d`` (description, lower case), ``cp`` (counterparty) and ``amount``."""
    parts = []
    for name, words in layouts().classes.items():
        guard = " AND NOT inflow" if name == "cash_out" else " AND inflow" if name == "cash_in" else ""
        parts.append(f"WHEN regexp_matches(d, {_pattern(words)}){guard} THEN {CODE[name]}")
    every = [w for words in layouts().platforms.values() for w in words]
    parts.append(f"WHEN regexp_matches(cp || ' ' || d, {_pattern(every)}) THEN {CODE['third_party']}")
    return "CASE " + " ".join(parts) + f" ELSE {CODE['transfer']} END"


def _platform() -> str:
    parts = [
        f"WHEN regexp_matches(cp || ' ' || d, {_pattern(words)}) THEN {_literal(name)}"
        for name, words in layouts().platforms.items()
    ]
    return "CASE " + " ".join(parts) + " ELSE '' END"


def _identifier(m: Mapping, name: str) -> str:
    """``text.parse_identifier`` over a normalised cell: ``="…"``, a leading ``'`` and ``.0`` removed."""
    cell = _text(m, name)
    unwrapped = f"regexp_replace({cell}, '^=\"(.*)\"$', '\\1')"
    unmarked = f"trim(regexp_replace({unwrapped}, '^[''`]+', ''), ' ' || chr(9))"
    return f"regexp_replace({unmarked}, '^([0-9]+)\\.0+$', '\\1')"


def _digits_lost() -> str:
    """``text.parse_identifier``'s row error for a number Excel wrote as 6.2E+18 (over ``lines``)."""
    scientific = "'^[0-9]+(\\.[0-9]+)?[eE]\\+?[0-9]+$'"
    columns = {"account": "own_account", "counterparty_account": "counterparty_account", "serial": "serial"}
    return " ".join(
        f"WHEN amount <> 0 AND regexp_matches({column}, {scientific}) "
        f"THEN {_literal(digits_lost(FIELDS[name]))}"
        for column, name in columns.items()
    )


def _parsed_sql(m: Mapping, account: str, best: str) -> str:
    own = f"coalesce(nullif({_identifier(m, 'own_account')}, ''), {_literal(account)})"
    desc = " || ' / ' || ".join(_text(m, n) for n in ("summary", "kind", "channel") if n in m.columns) or "''"
    names = ("counterparty_name", "counterparty_bank")
    cp = "lower(" + " || ' ' || ".join(_text(m, n) for n in names) + ")"
    balance = _money(m, "balance") if "balance" in m.columns else "NULL"
    # Built from the reviewed data file and column numbers; values go through _literal. Same below.
    return f"""
        SELECT file, line, {own} AS account, {_time("tt", best)} AS ts, {_signed(m)} AS amount,
               {balance} AS balance,
               {_identifier(m, "counterparty_account")} AS counterparty_account,
               {_text(m, "counterparty_name")} AS counterparty_name,
               {_text(m, "counterparty_bank")} AS counterparty_bank,
               {_identifier(m, "serial")} AS serial, trim({desc}, ' /') AS description,
               lower(trim({desc}, ' /')) AS d, {cp} AS cp, {_sub_fen(m)} AS sub_fen,
               {_not_an_amount(m)} AS not_an_amount, {_unclear(m)} AS unclear, footer, filled,
               header_again
        FROM stage
    """  # noqa: S608


def _cell(name: str) -> str:
    return f"trim(coalesce({name}, ''), ' ' || chr(9) || chr(10) || chr(13))"


def _filled(names: list[str]) -> str:
    """How many cells of a raw line are filled (a note of one cell is no row: statements._blank_or_footer)."""
    return " + ".join(f"CAST({_cell(n)} <> '' AS INTEGER)" for n in names)


def _repeats_header(names: list[str], header: Sequence[str]) -> str:
    """Whether a raw line is the header again (statements.repeats_header), cells compared trimmed."""
    cells = [str(c).strip() for c in header][: len(names)]
    cells += [""] * (len(names) - len(cells))
    row = "concat_ws(chr(31), " + ", ".join(_cell(n) for n in names) + ")"
    return f"({row} = {_literal(chr(31).join(cells))})"


# statements._FOOTER: a line with one of these words and no time of its own is a footer, not a row.
_FOOTER = "regexp_matches(raw_text, '合计|小计|总计|共[0-9]+笔')"
_DEDUPE = """
CREATE OR REPLACE TEMP TABLE kept AS
WITH k AS (
    SELECT *, CASE WHEN serial <> '' THEN account || '|s|' || serial || '|' || amount
                   ELSE account || '|t|' || CAST(ts AS VARCHAR) || '|' || amount
                        || '|' || counterparty_account
              END AS key
    FROM parsed WHERE error IS NULL AND amount <> 0
), o AS (
    SELECT *, CASE WHEN serial <> '' THEN 1
                   ELSE row_number() OVER (PARTITION BY key, file ORDER BY line) END AS occ
    FROM k
)
SELECT * EXCLUDE (key, occ, error) FROM o
QUALIFY row_number() OVER (PARTITION BY key, occ ORDER BY file, line) = 1
"""
_BREAKS = """
WITH b AS (
    SELECT file, account, line, amount, balance,
           lag(balance) OVER w AS pb, lag(amount) OVER w AS pa,
           first_value(ts) OVER w2 AS t_first, last_value(ts) OVER w2 AS t_last
    FROM parsed WHERE error IS NULL AND amount <> 0 AND balance IS NOT NULL
    WINDOW w AS (PARTITION BY file, account ORDER BY line),
           w2 AS (PARTITION BY file, account ORDER BY line
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT file, account, min(line) FROM b
WHERE pb IS NOT NULL AND CASE WHEN t_first > t_last THEN pb <> balance + pa ELSE balance <> pb + amount END
GROUP BY file, account ORDER BY file, account
"""


def _utf8(path: Path, scratch: Path) -> tuple[Path, str]:
    """The file as UTF-8 (GBK / GB18030 exports are transcoded to a scratch copy) and its text head."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        target = scratch / f"{path.stem}.utf8.csv"
        text = decode(data)
        target.write_text(text, encoding="utf-8")
        return target, text[:200_000]
    return path, data[:200_000].decode("utf-8", errors="ignore").lstrip("\ufeff")


def _head(text: str) -> tuple[list[list[str]], str]:
    lines = text.splitlines()[:40]
    delimiter = max(",\t|;", key="\n".join(lines).count)
    return [list(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)], delimiter


def _load(con: Any, number: int, path: Path, text: str, mapping: Mapping | None, account: str) -> None:
    rows, delimiter = _head(text)
    if mapping is None:
        found = find_header(rows)
        if found is None:
            raise UnknownLayout([list(r) for r in rows[:30]])
        start, mapping = found
    else:
        wanted = list(mapping.header)
        start = next((i for i, r in enumerate(rows) if [c.strip() for c in r] == wanted), 0)
    account = account or preamble_account(rows[:start])
    width = max(len(rows[start]), max(mapping.columns.values()) + 1)
    names = [f"c{i}" for i in range(width)]
    types = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE raw AS
        SELECT {number} AS file, CAST(row_number() OVER () + {start + 1} AS BIGINT) AS line, *,
               concat_ws('|', {", ".join(names)}) AS raw_text, {_filled(names)} AS filled,
               {_repeats_header(names, rows[start])} AS header_again
        FROM read_csv(?, header = false, skip = {start + 1}, delim = ?, quote = '"', escape = '"',
                      columns = {types}, null_padding = true, strict_mode = false, auto_detect = false)""",  # noqa: S608
        [str(path), delimiter],
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE norm AS {_layers(mapping)}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stage AS SELECT *, {_time_text("moment")} AS tt
        FROM (SELECT *, {_on_china_clock("moment_written")} AS moment
              FROM (SELECT *, {_moment_text(mapping)} AS moment_written FROM norm))"""  # noqa: S608
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE lines AS {_parsed_sql(mapping, account, _best_format(con))}")
    # Categories over the distinct descriptions only (statements repeat a few hundred of them).
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE classes AS
        SELECT d, cp, inflow, {_category()} AS category, {_platform()} AS platform
        FROM (SELECT DISTINCT d, cp, coalesce(amount > 0, false) AS inflow FROM lines)"""  # noqa: S608
    )
    con.execute(
        f"""INSERT INTO parsed
        SELECT file, line, account, ts, amount, balance, counterparty_account, counterparty_name,
               counterparty_bank, serial, description, category, platform,
               CASE WHEN ts IS NULL THEN '交易时间无法识别' WHEN unclear IS NOT NULL THEN unclear
                    WHEN not_an_amount IS NOT NULL THEN not_an_amount
                    WHEN amount IS NULL THEN '交易金额无法识别'
                    WHEN sub_fen THEN '交易金额精度超过分' {_digits_lost()} END
        FROM lines JOIN classes USING (d, cp)
        WHERE classes.inflow = coalesce(lines.amount > 0, false) AND NOT header_again
          AND NOT ((footer OR filled = 1) AND ts IS NULL)"""  # noqa: S608 - fixed text
    )
    con.execute("DROP TABLE raw; DROP TABLE norm; DROP TABLE stage; DROP TABLE lines; DROP TABLE classes")


def _fetch(con: Any) -> StatementColumns:
    got = con.execute(
        """SELECT account, CAST(epoch(ts) AS BIGINT) AS t, amount, coalesce(balance, 0) AS balance,
                  balance IS NOT NULL AS has_balance, counterparty_account, counterparty_name, serial,
                  CAST(category AS TINYINT) AS category, platform, CAST(file AS INTEGER) AS file, line
           FROM kept ORDER BY account, ts, file, line"""
    ).fetchnumpy()

    def plain(name: str, dtype: Any) -> Any:
        return np.asarray(got[name], dtype=dtype)

    return StatementColumns(
        account=plain("account", object),
        time=plain("t", np.int64),
        amount=plain("amount", np.int64),
        balance=plain("balance", np.int64),
        has_balance=plain("has_balance", np.bool_),
        counterparty_account=plain("counterparty_account", object),
        counterparty_name=plain("counterparty_name", object),
        serial=plain("serial", object),
        category=plain("category", np.int8),
        platform=plain("platform", object),
        file=plain("file", np.int32),
        line=plain("line", np.int64),
    )


def import_statement_csv(
    paths: str | Path | Sequence[str | Path],
    *,
    mapping: Mapping | None = None,
    account: str = "",
    database: str = ":memory:",
    memory_limit: str = "2GB",
    threads: int | None = None,
) -> StatementColumns:
    """Parse, classify and deduplicate CSV statements; raises UnknownLayout for an unknown layout.

    ``account`` is the statement's account when the file has no 本方账号 column. With a database path
    the deduplicated rows are appended to its ``trace_transaction`` table.
    """
    files = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    con = connect(database, memory_limit=memory_limit, threads=threads)
    try:
        temp = SCHEMA_SQL.replace("TABLE IF NOT EXISTS trace_transaction", "OR REPLACE TEMP TABLE parsed")
        con.execute(temp.replace("NOT NULL", ""))
        con.execute("ALTER TABLE parsed ADD COLUMN error VARCHAR")
        with tempfile.TemporaryDirectory(prefix="fanzha-statement-") as scratch:
            for number, path in enumerate(files):
                source, text = _utf8(path, Path(scratch))
                _load(con, number, source, text, mapping, account)
        con.execute(_DEDUPE)
        columns = _fetch(con)
        columns.rows_read = int(con.execute("SELECT count(*) FROM parsed").fetchone()[0])
        columns.errors = int(con.execute("SELECT count(*) FROM parsed WHERE error IS NOT NULL").fetchone()[0])
        columns.error_lines = [
            (int(f), int(n), str(e))
            for f, n, e in con.execute(
                "SELECT file, line, error FROM parsed WHERE error IS NOT NULL ORDER BY file, line LIMIT 100"
            ).fetchall()
        ]
        good = int(
            con.execute("SELECT count(*) FROM parsed WHERE error IS NULL AND amount <> 0").fetchone()[0]
        )
        columns.duplicates = good - len(columns)
        columns.balance_breaks = [(int(f), str(a), int(n)) for f, a, n in con.execute(_BREAKS).fetchall()]
        if database != ":memory:":
            con.execute(SCHEMA_SQL)
            con.execute("INSERT INTO trace_transaction SELECT * FROM kept")
        return columns
    finally:
        con.close()


_EDGES = """
WITH t AS (SELECT * FROM trace_transaction),
acc AS (SELECT DISTINCT account FROM t),
edges AS (
    SELECT account AS a,
           CASE WHEN category IN ({ends}) OR counterparty_account = '' THEN NULL
                ELSE counterparty_account END AS b,
           -amount AS amt, ts, category
    FROM t WHERE amount < 0
    UNION ALL
    SELECT counterparty_account, account, amount, ts, category FROM t
    WHERE amount > 0 AND counterparty_account <> '' AND category IN ({moves})
      AND counterparty_account NOT IN (SELECT account FROM acc)
),
names AS (
    SELECT name, CAST(row_number() OVER (ORDER BY name) - 1 AS BIGINT) AS id
    FROM (SELECT a AS name FROM edges UNION SELECT b FROM edges WHERE b IS NOT NULL)
)
SELECT na.id AS src, coalesce(nb.id, -1) AS dst, amt, CAST(epoch(ts) AS BIGINT) AS t,
       CAST(CASE WHEN b IS NULL AND category NOT IN ({ends}) THEN {cash} ELSE category END AS TINYINT) AS kind
FROM edges JOIN names na ON na.name = edges.a LEFT JOIN names nb ON nb.name = edges.b
"""


def index_from_store(database: str, *, memory_limit: str = "2GB") -> TransferIndex:
    """The trace index over every statement in a DuckDB database's ``trace_transaction`` table.

    A statement account's outflows come from its own statement; its inflows only from accounts without
    a statement of their own (the others' outflows already hold them), so nothing counts twice.
    """
    ends = ", ".join(str(CODE[n]) for n in ("cash_out", "third_party", "fee", "interest", "cash_in"))
    moves = ", ".join(str(CODE[n]) for n in ("transfer", "refund", "reversal"))
    con = connect(database, memory_limit=memory_limit)
    try:
        query = _EDGES.format(ends=ends, moves=moves, cash=CODE["transfer"])
        got = con.execute(query).fetchnumpy()
        names = [
            str(r[0])
            for r in con.execute(
                query.split("SELECT na.id")[0] + "SELECT name FROM names ORDER BY id"  # noqa: S608
            ).fetchall()
        ]
    finally:
        con.close()
    return TransferIndex.build(
        got["src"], got["dst"], got["amt"], got["t"], got["kind"], n_accounts=len(names), labels=names
    )


def normalise_flag(value: str) -> str:  # re-exported for callers that build SQL filters
    return flag_key(value)
