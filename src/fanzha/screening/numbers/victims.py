# ruff: noqa: S608 -- SQL is built from fixed fragments; file paths are quoted, values are bound parameters
"""Potential victims (潜在受害人): subscribers contacted by high-risk numbers, ranked.

For every subscriber reached by at least one high-risk number (by call or SMS) the rows give how often
and how long, whether they called back, when (first / last contact) and a priority:

    priority = max risk score × (1 + ln(1 + answered minutes)) × (1.5 if they called back) + 0.1 × SMS

and a grade: high (≥ 5 answered minutes or a call back), medium (an answered call ≥ 30 s, or ≥ 3 SMS),
low otherwise. Numbers that are themselves high-risk are not listed as victims.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

VICTIM_SQL = """
WITH risk AS (SELECT phone, score FROM risky),
ev AS (
  SELECT DISTINCT CASE WHEN ctype = 1 THEN phone ELSE opposite END AS caller,
                  CASE WHEN ctype = 1 THEN opposite ELSE phone END AS callee, ts, t_bad, dur
  FROM calls WHERE phone IS NOT NULL AND opposite IS NOT NULL AND ctype IN (1, 2)),
inbound AS (
  SELECT e.callee AS victim, e.caller AS risk_no, r.score, e.ts, e.dur FROM ev e JOIN risk r ON r.phone =
      e.caller),
back AS (
  SELECT e.caller AS victim, e.callee AS risk_no, e.ts FROM ev e JOIN risk r ON r.phone = e.callee),
sm AS (
  SELECT DISTINCT CASE WHEN stype = 1 THEN phone ELSE opposite END AS sender,
                  CASE WHEN stype = 1 THEN opposite ELSE phone END AS receiver, ts, t_bad
  FROM sms WHERE phone IS NOT NULL AND opposite IS NOT NULL AND stype IN (1, 2)),
sms_in AS (
  SELECT s.receiver AS victim, s.sender AS risk_no, r.score, s.ts FROM sm s JOIN risk r ON r.phone =
      s.sender),
contacts AS (
  SELECT victim, risk_no, score, ts, dur, 1 AS is_call, 0 AS is_sms FROM inbound
  UNION ALL SELECT victim, risk_no, score, ts, CAST(NULL AS DOUBLE) AS dur, 0 AS is_call, 1 AS is_sms
      FROM sms_in),
agg AS (
  SELECT victim, count(DISTINCT risk_no) AS risk_numbers, max(score) AS max_score,
         sum(is_call) AS calls, sum(is_sms) AS sms,
         sum(CASE WHEN is_call = 1 AND dur > 0 THEN 1 ELSE 0 END) AS answered_calls,
         coalesce(sum(CASE WHEN is_call = 1 THEN dur END), 0) AS total_duration,
         coalesce(max(CASE WHEN is_call = 1 THEN dur END), 0) AS longest_call,
         min(ts) AS first_contact, max(ts) AS last_contact
  FROM contacts WHERE victim NOT IN (SELECT phone FROM risk) GROUP BY victim),
cb AS (
  SELECT b.victim, count(*) AS callbacks, min(b.ts) AS first_callback FROM back b
  JOIN (SELECT victim, risk_no, min(ts) AS first_ts FROM contacts GROUP BY victim, risk_no) c
    ON c.victim = b.victim AND c.risk_no = b.risk_no AND (b.ts >= c.first_ts OR b.ts IS NULL OR
        c.first_ts IS NULL)
  GROUP BY b.victim)
SELECT a.victim AS phone, a.risk_numbers, a.max_score, a.calls, a.answered_calls, a.total_duration,
    a.longest_call,
       a.sms, coalesce(cb.callbacks, 0) AS callbacks, cb.first_callback, a.first_contact, a.last_contact,
       a.max_score * (1 + ln(1 + a.total_duration / 60.0)) * CASE WHEN cb.callbacks > 0 THEN 1.5 ELSE 1 END
         + 0.1 * a.sms AS priority,
       CASE WHEN a.total_duration >= 300 OR coalesce(cb.callbacks, 0) > 0 THEN 'high'
            WHEN a.longest_call >= 30 OR a.sms >= 3 THEN 'medium' ELSE 'low' END AS grade
FROM agg a LEFT JOIN cb ON cb.victim = a.victim
ORDER BY priority DESC, a.victim
"""

GRADE_ZH = {"high": "高", "medium": "中", "low": "低"}
COLUMNS = ["phone", "risk_numbers", "max_score", "calls", "answered_calls", "total_duration", "longest_call"]
COLUMNS += [
    "sms",
    "callbacks",
    "first_callback",
    "first_contact",
    "last_contact",
    "priority",
    "grade",
    "reasons",
]


def potential_victims(
    con: duckdb.DuckDBPyConnection, risky: Iterable[tuple[str, float]], limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows for subscribers reached by ``risky`` (normalised number, score) pairs.

    ``con`` must hold the cleaned ``calls`` and ``sms`` tables (features.load_raw).
    """
    con.execute("CREATE OR REPLACE TEMP TABLE risky (phone VARCHAR, score DOUBLE)")
    pairs = [(str(p), float(s)) for p, s in risky]
    if pairs:
        con.executemany("INSERT INTO risky VALUES (?, ?)", pairs)
    sql = VICTIM_SQL + (f" LIMIT {int(limit)}" if limit is not None else "")
    rel = con.sql(sql)
    cols = rel.columns
    rows = [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    for row in rows:
        row["reasons"] = reasons_zh(row)
    return rows


def reasons_zh(row: dict[str, Any]) -> str:
    """One Chinese sentence of evidence for a potential victim."""
    parts = [f"被 {row['risk_numbers']} 个高风险号码联系（最高风险 {row['max_score']:.2f}）"]
    if row["calls"]:
        parts.append(
            f"来电 {row['calls']} 次、接通 {row['answered_calls']} 次、累计 {row['total_duration'] / 60:.1f} "
            "分钟"
        )
    if row["sms"]:
        parts.append(f"收到短信 {row['sms']} 条")
    if row["callbacks"]:
        parts.append(f"曾回拨 {row['callbacks']} 次")
    if row["first_contact"] is not None:
        parts.append(f"首次 {row['first_contact']:%Y-%m-%d %H:%M}，最近 {row['last_contact']:%Y-%m-%d %H:%M}")
    return "；".join(parts) + f"。预警等级：{GRADE_ZH[row['grade']]}"
