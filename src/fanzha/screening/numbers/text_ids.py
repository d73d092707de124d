# ruff: noqa: S608 -- SQL is built from fixed fragments (column names quoted by the caller)
"""Text node ids in a features file (hashed numbers in hex, ``+8613800138000``, ``N000123`` …).

A features file whose ``node_id`` holds text gets one internal integer per distinct id (the temp table
``id_map``, kept in DuckDB so a big edges file is mapped by a join, not in Python); the edges file's
``src``/``dst`` go through the same map and the scores carry each row's id as written. An id written as
a whole number (``12``, ``12.0``, ``+12``) is the same id however it is spelled, as in an integer file;
any other text is compared as written, surrounding spaces aside. A whole number too long for 64 bits
(a 20-digit ICCID) is text.
"""

from __future__ import annotations

import re

import duckdb
import numpy as np

_WHOLE = r"[+-]?[0-9]+(\.0*)?"  # 12, +12, 12.0
_FRACTION = r"[+-]?[0-9]*\.[0-9]*[1-9][0-9]*"  # 12.5, .5: a mangled number, never an id


def _trimmed(col: str) -> str:
    return f"trim(CAST({col} AS VARCHAR))"


def key_sql(col: str) -> str:
    """SQL: the id's key — a whole number's digits (``+012.0`` → ``12``), else the trimmed text."""
    t = _trimmed(col)
    whole = f"CAST(TRY_CAST({t} AS BIGINT) AS VARCHAR)"
    return f"CASE WHEN regexp_full_match({t}, '{_WHOLE}') AND {whole} IS NOT NULL THEN {whole} ELSE {t} END"


_INT64 = 2**63


def key(node: object) -> str:
    """:func:`key_sql` in Python: ``"007"``, ``"+7"``, ``"7.0"`` → ``"7"``; other text trimmed. For
    ids read from another file (a split file, the scores) to meet the features file's."""
    text = str(node).strip()
    if re.fullmatch(_WHOLE, text) and -_INT64 <= (number := int(text.partition(".")[0])) < _INT64:
        return str(number)
    return text


def usable_sql(col: str) -> str:
    """SQL: ``col`` can name a node — not empty, not a fractional number."""
    t = _trimmed(col)
    return f"coalesce({t} <> '' AND NOT regexp_full_match({t}, '{_FRACTION}'), false)"


def has_text(con: duckdb.DuckDBPyConnection, col: str, int_ok: str) -> bool:
    """Whether some ``col`` of the view ``rows`` is text: neither a 64-bit integer, nor empty, nor
    another number — a whole number too long for 64 bits (a 20-digit ICCID) is text, kept as written."""
    t = _trimmed(col)
    ((found,),) = con.sql(
        f"SELECT count(*) FROM (SELECT 1 FROM rows WHERE NOT {int_ok} AND {t} <> '' "
        f"AND (TRY_CAST({t} AS DOUBLE) IS NULL OR regexp_full_match({t}, '{_WHOLE}')) LIMIT 1)"
    ).fetchall()
    return bool(found)


def check(con: duckdb.DuckDBPyConnection, col: str) -> None:
    """Refuse empty ids and fractional numbers (as for integer ids); counts only, never the ids."""
    ((bad,),) = con.sql(f"SELECT count(*) FROM rows WHERE NOT {usable_sql(col)}").fetchall()
    if bad:
        raise ValueError(
            f"特征文件有 {bad} 行的 node_id 为空或是带小数的数字：编号须为整数或文本（如号码的哈希值），"
            "请补全或改正后再打分"
        )


def note_duplicates(con: duckdb.DuckDBPyConnection, col: str, notes: list[str]) -> None:
    """Rows sharing an id are each scored (and share the id's edges); say how many, not which."""
    ((rows, ids),) = con.sql(
        f"SELECT coalesce(sum(k), 0), count(*) FROM (SELECT {key_sql(col)} AS key, count(*) AS k "
        "FROM rows GROUP BY 1 HAVING count(*) > 1)"
    ).fetchall()
    if ids:
        notes.append(
            f"特征文件的 node_id 有重复：{ids} 个编号共 {int(rows)} 行；每行都照样打分，"
            "同一编号的行共用边文件中该编号的边"
        )


def build_map(con: duckdb.DuckDBPyConnection, col: str, keys: np.ndarray) -> np.ndarray:
    """The temp table ``id_map`` (key, nid: 0, 1, … in key order) of the view ``rows``; returns the
    internal number of each of ``keys`` (the rows' :func:`key_sql`, fetched with their features)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE id_map AS SELECT key, "
        "CAST(row_number() OVER (ORDER BY key) - 1 AS BIGINT) AS nid "
        f"FROM (SELECT DISTINCT {key_sql(col)} AS key FROM rows)"
    )
    nid = dict(con.sql("SELECT key, nid FROM id_map").fetchall())
    return np.fromiter((nid[k] for k in keys), dtype=np.int64, count=len(keys))


def edge_sql(src: str, dst: str) -> tuple[str, str, str]:
    """(usable condition, select of the two ends' numbers — -1 for an id not in ``id_map`` —, FROM)."""
    ends = "coalesce(s.nid, -1) AS src, coalesce(d.nid, -1) AS dst"
    joins = f"rows LEFT JOIN id_map s ON s.key = {key_sql(src)} LEFT JOIN id_map d ON d.key = {key_sql(dst)}"
    return f"{usable_sql(src)} AND {usable_sql(dst)}", ends, joins
