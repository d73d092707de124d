# ruff: noqa: S608 -- SQL is built from fixed fragments and quoted column names
"""Values of a features file for scoring (DuckDB SQL over the view ``rows``, so big files stay fast).

* A value is a number when DuckDB reads it as one; failing that, when it is written with thousands
  separators (``1,234``, ``1,234.5``: exactly ``\\d{1,3}(,\\d{3})+(\\.\\d+)?``) or in full-width digits
  (``１２３``, ``１，２３４``) — full-width digits, comma, point and space folded as NFKC does.
  A SIGNED feature may carry a leading minus there too (``-1,234``: a refund). Anything else is not a
  number (missing), as before.
* A feature that cannot be negative (NON_NEGATIVE: counts, distinct counts, durations, shares, hours,
  days, traffic, variances) is missing where the file gives a negative value; the spending amounts and
  their skewness (SIGNED) can be negative — refunds and credits — and are left alone.
* note_values() says which columns held such values, and how many.
"""

from __future__ import annotations

import duckdb

# spending in yuan over months: a refund or credit month makes them negative (the Sichuan file has such
# numbers); the skewness of the monthly amounts is negative for a left-skewed history
SIGNED = frozenset(
    {"arpu_mean", "arpu_max", "arpu_min", "arpu_median", "arpu_sum", "arpu_quantile", "arpu_skew"}
)  # every other feature (and extra column) is in NON_NEGATIVE: a test checks it
NON_NEGATIVE = frozenset(
    {
        # calls: counts, distinct counterparts / handsets / cities / counties / call types
        "opposite_count", "opposite_unique", "voccalltype1", "imeis", "city_name_call", "county_name_call",
        "city_name_nunique", "county_name_nunique", "calltype_id_unique",
        # shares of outgoing calls / received SMS, SMS per distinct counterpart (ratios of counts)
        "voc_calltype1", "calltype_rate", "sms_rate",
        # per-counterpart call counts and total durations (seconds), call durations (seconds)
        "phone2opposite_mean", "phone2opposite_median", "phone2opposite_max",
        "phone2oppo_sum_mean", "phone2oppo_sum_median", "phone2oppo_sum_max",
        "call_dur_mean", "call_dur_median", "call_dur_max", "call_dur_min",
        # modal hour (0–23) / day of month (1–31), their counts, distinct hours / days
        "voc_hour_mode", "voc_hour_mode_count", "voc_hour_nunique",
        "voc_day_mode", "voc_day_mode_count", "voc_day_nunique",
        "hour_mode", "hour_mode_count", "hour_nunique", "day_mode", "day_mode_count", "day_nunique",
        # SMS counts
        "sms_count", "sms_nunique", "calltype_2",
        # app traffic (MB) and its variance, traffic records, months
        "busi_count", "flow_mean", "flow_median", "flow_min", "flow_max", "flow_var", "flow_sum",
        "month_ids", "flow_month",
        # a variance and a standard error of spending
        "arpu_var", "arpu_sem",
        # shares (extra columns, explanations only)
        "short_call_share", "callback_rate",
    }
)  # fmt: skip

_FULL, _HALF = "０１２３４５６７８９，．　－", "0123456789,. -"
_GROUPED = "[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?"
_PLAIN = "[0-9]+(\\.[0-9]+)?"
_SIGN = "-?"  # only for the SIGNED features: a refund of "-1,234" yuan is -1234


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def spelled_sql(col: str, signed: bool = False) -> str:
    """SQL: the number the quoted column ``col`` writes with thousands separators or full-width digits;
    ``signed`` (a SIGNED feature): with a leading minus too (``-1,234``, ``－１，２３４``)."""
    f = f"trim(translate(trim(CAST({col} AS VARCHAR)), '{_FULL}', '{_HALF}'))"
    sign = _SIGN if signed else ""
    grouped = f"TRY_CAST(replace({f}, ',', '') AS DOUBLE)"
    return (
        f"CASE WHEN regexp_full_match({f}, '{sign}{_GROUPED}') THEN {grouped} "
        f"WHEN regexp_full_match({f}, '{sign}{_PLAIN}') THEN TRY_CAST({f} AS DOUBLE) END"
    )


def _signed(col: str) -> bool:
    """Whether the quoted column ``col`` is a SIGNED feature."""
    return col[1:-1].replace('""', '"') in SIGNED if col.startswith('"') else col in SIGNED


def number_sql(col: str) -> str:
    """SQL: the quoted column ``col`` as DOUBLE (NULL: not a number); the spellings only where DuckDB
    cannot read the value itself (CASE evaluates them for those rows only; coalesce would not)."""
    cast = f"TRY_CAST({col} AS DOUBLE)"
    return f"CASE WHEN {cast} IS NOT NULL THEN {cast} ELSE {spelled_sql(col, _signed(col))} END"


def negative_sql(name: str, value: str) -> str:
    """SQL: ``value`` (an expression for the feature ``name``) is negative where it cannot be (-inf is
    left to the infinite-value rule)."""
    if name not in NON_NEGATIVE:
        return "false"
    return f"coalesce({value} < 0 AND NOT isinf({value}), false)"


def value_sql(name: str, value: str) -> str:
    """SQL: the number ``value`` of feature ``name``, NULL when negative where it cannot be."""
    if name not in NON_NEGATIVE:
        return value
    return f"CASE WHEN {negative_sql(name, value)} THEN NULL ELSE {value} END"


def note_values(con: duckdb.DuckDBPyConnection, names: list[str], notes: list[str]) -> None:
    """Notes on the columns ``names`` of ``rows``: values that are not numbers (with an example), values
    read through their spelling, negative values of features that cannot be negative (missing)."""
    if not names:
        return
    parts = ", ".join(
        f"count(*) FILTER (WHERE TRY_CAST({c} AS DOUBLE) IS NULL AND trim(CAST({c} AS VARCHAR)) <> ''), "
        f"count(*) FILTER (WHERE {negative_sql(n, f'TRY_CAST({c} AS DOUBLE)')})"  # the spellings have no sign
        for n, c in ((n, ident(n)) for n in names)
    )
    (row,) = con.sql(f"SELECT {parts} FROM rows").fetchall()
    unread = [n for i, n in enumerate(names) if row[2 * i]]  # most files: none, and no second pass
    text, spelled = _unread(con, unread) if unread else ([], [])
    if text:
        shown = "；".join(f"{n} {k} 个（如 “{ex}”）" for n, k, ex in text[:5])
        notes.append(f"特征文件有不是数字的值，按缺失值打分：{shown}{_more(text)}")
    if spelled:
        notes.append(f"特征文件有带千位分隔符或全角数字的值，已按数字读取：{_counts(spelled)}")
    negative = [(n, row[2 * i + 1]) for i, n in enumerate(names) if row[2 * i + 1]]
    if negative:
        notes.append(f"特征文件有不可能为负数的特征取了负值，按缺失值打分：{_counts(negative)}")


def _unread(
    con: duckdb.DuckDBPyConnection, names: list[str]
) -> tuple[list[tuple[str, int, str]], list[tuple[str, int]]]:
    """Of the values DuckDB cannot read as numbers: (column, count, an example) of those that are not
    numbers at all, (column, count) of those read through their spelling."""
    cells = ", ".join(
        f"CAST({c} AS VARCHAR) AS t{i}, TRY_CAST({c} AS DOUBLE) IS NULL AND trim(CAST({c} AS VARCHAR)) <> '' "
        f"AS u{i}, CASE WHEN TRY_CAST({c} AS DOUBLE) IS NULL THEN {spelled_sql(c, _signed(c))} END AS s{i}"
        for i, c in enumerate(map(ident, names))
    )  # CASE: the regular expressions only for the values DuckDB cannot read (FILTER would run them all)
    bad = "(WHERE u{i} AND s{i} IS NULL)"
    parts = ", ".join(
        f"count(*) FILTER {bad.format(i=i)}, any_value(t{i}) FILTER {bad.format(i=i)}, "
        f"count(*) FILTER (WHERE s{i} IS NOT NULL)"
        for i in range(len(names))
    )
    (row,) = con.sql(f"SELECT {parts} FROM (SELECT {cells} FROM rows)").fetchall()
    found = [(n, *row[3 * i : 3 * i + 3]) for i, n in enumerate(names)]
    return [(n, k, ex) for n, k, ex, _ in found if k], [(n, k) for n, _, _, k in found if k]


def _counts(found: list[tuple[str, int]]) -> str:
    return "、".join(f"{n} {k} 个" for n, k in found[:5]) + _more(found)


def _more(found: list[tuple[str, int]] | list[tuple[str, int, str]]) -> str:
    return f" 等 {len(found)} 列" if len(found) > 5 else ""
