# ruff: noqa: S608 -- SQL is built from fixed fragments; file paths are quoted, values are bound parameters
"""Potential victims (潜在受害人): subscribers contacted by high-risk numbers, ranked.

For every subscriber reached by at least one high-risk number (by call or SMS) the rows give which
high-risk numbers (``suspect_numbers``, highest score first), how often and how long
(``total_duration``: the calls received; ``callback_duration``: the calls back, made after the first
contact; ``longest_call``: either), whether they called back, when (first / last contact, calls back
included, in local China time as the cleaned records hold it) and a grade:

    high    ≥ 5 minutes of talk with high-risk numbers (calls back included), or a call back
    medium  one call of ≥ 30 s, or ≥ 3 SMS
    low     otherwise

The rows are ranked by grade, then within a grade by

    priority = max risk score × (1 + ln(1 + talk minutes)) × (1.5 if they called back) + 0.1 × min(SMS, 10)

then by number (a stable order). Never listed (a warning to them would be wrong): numbers that are
themselves high-risk; numbers used in a high-risk number's handset (its owner's other SIMs); numbers
that are no subscriber's (service numbers such as 10086, 95xxx, 400 / 800 numbers, 106 SMS senders,
foreign numbers) — only the SUBSCRIBER_NUMBERS shapes are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import duckdb

# The numbers a warning can reach, as the cleaned records write them (inputs.py: +86 dropped, a
# landline's trunk 0 and area code kept, separators removed). Anything else is a service number.
SUBSCRIBER_NUMBERS = {
    "mobile": "1[3-9][0-9]{9}",  # 11 digits, 13x–19x (10x: 10086, 106 SMS senders; 12x: 12345 …)
    "landline": "0[1-9][0-9]{8,10}",  # 0 + a 2–3 digit area code + a 7–8 digit local number
}
_SUBSCRIBER = "|".join(f"(?:{p})" for p in SUBSCRIBER_NUMBERS.values())

# A handset id shared with a high-risk number makes a number its owner's other SIM; placeholders
# (blank, too short, one digit repeated: 000000000000000) tie no numbers together.
_REAL_HANDSET = "length(imei) >= 8 AND length(replace(imei, left(imei, 1), '')) > 0"
# The handsets the high-risk numbers were used in (a ``risk`` table of their numbers in scope).
_RISK_HANDSETS = (
    f"SELECT imei FROM calls WHERE imei IS NOT NULL AND {_REAL_HANDSET} AND phone IN (SELECT phone FROM risk)"
)

VICTIM_SQL = f"""
WITH risk AS (SELECT phone, max(score) AS score FROM risky WHERE phone IS NOT NULL GROUP BY phone),
own AS (
  SELECT DISTINCT phone FROM calls WHERE phone IS NOT NULL AND imei IN (
    {_RISK_HANDSETS})),
ev AS (
  SELECT DISTINCT CASE WHEN ctype = 1 THEN phone ELSE opposite END AS caller,
                  CASE WHEN ctype = 1 THEN opposite ELSE phone END AS callee, ts, t_bad, dur
  FROM calls WHERE phone IS NOT NULL AND opposite IS NOT NULL AND ctype IN (1, 2)),
inbound AS (SELECT e.callee AS victim, e.caller AS risk_no, e.ts, e.dur FROM ev e
  WHERE e.caller IN (SELECT phone FROM risk)),
sm AS (
  SELECT DISTINCT CASE WHEN stype = 1 THEN phone ELSE opposite END AS sender,
                  CASE WHEN stype = 1 THEN opposite ELSE phone END AS receiver, ts, t_bad
  FROM sms WHERE phone IS NOT NULL AND opposite IS NOT NULL AND stype IN (1, 2)),
sms_in AS (SELECT s.receiver AS victim, s.sender AS risk_no, s.ts FROM sm s
  WHERE s.sender IN (SELECT phone FROM risk)),
reached AS (
  SELECT victim, risk_no, min(ts) AS first_ts FROM (
    SELECT victim, risk_no, ts FROM inbound UNION ALL SELECT victim, risk_no, ts FROM sms_in)
  GROUP BY victim, risk_no),
back AS (
  SELECT e.caller AS victim, e.callee AS risk_no, e.ts, e.dur FROM ev e
  JOIN reached c ON c.victim = e.caller AND c.risk_no = e.callee
   AND (e.ts >= c.first_ts OR e.ts IS NULL OR c.first_ts IS NULL)),
contacts AS (
  SELECT victim, risk_no, ts, dur, 1 AS is_call, 0 AS is_back, 0 AS is_sms FROM inbound
  UNION ALL SELECT victim, risk_no, ts, dur, 0, 1, 0 FROM back
  UNION ALL SELECT victim, risk_no, ts, CAST(NULL AS DOUBLE), 0, 0, 1 FROM sms_in),
kept AS (
  SELECT c.*, r.score FROM contacts c JOIN risk r ON r.phone = c.risk_no
  WHERE regexp_full_match(c.victim, '{_SUBSCRIBER}')
    AND c.victim NOT IN (SELECT phone FROM risk) AND c.victim NOT IN (SELECT phone FROM own)),
named AS (
  SELECT victim, string_agg(risk_no, '、' ORDER BY score DESC, risk_no) AS suspect_numbers
  FROM (SELECT DISTINCT victim, risk_no, score FROM kept) GROUP BY victim),
agg AS (
  SELECT victim, count(DISTINCT risk_no) AS risk_numbers, max(score) AS max_score,
         sum(is_call) AS calls, sum(is_sms) AS sms, sum(is_back) AS callbacks,
         sum(CASE WHEN is_call = 1 AND dur > 0 THEN 1 ELSE 0 END) AS answered_calls,
         coalesce(sum(CASE WHEN is_call = 1 THEN dur END), 0) AS total_duration,
         coalesce(sum(CASE WHEN is_back = 1 THEN dur END), 0) AS callback_duration,
         coalesce(max(dur), 0) AS longest_call,
         min(CASE WHEN is_back = 1 THEN ts END) AS first_callback,
         min(ts) AS first_contact, max(ts) AS last_contact
  FROM kept GROUP BY victim),
ranked AS (
  SELECT a.*, n.suspect_numbers,
    a.max_score * (1 + ln(1 + (a.total_duration + a.callback_duration) / 60.0))
      * CASE WHEN a.callbacks > 0 THEN 1.5 ELSE 1 END + 0.1 * least(a.sms, 10) AS priority,
    CASE WHEN a.total_duration + a.callback_duration >= 300 OR a.callbacks > 0 THEN 'high'
         WHEN a.longest_call >= 30 OR a.sms >= 3 THEN 'medium' ELSE 'low' END AS grade
  FROM agg a JOIN named n ON n.victim = a.victim)
SELECT victim AS phone, suspect_numbers, risk_numbers, max_score, calls, answered_calls, total_duration,
       longest_call, sms, callbacks, callback_duration, first_callback, first_contact, last_contact,
       priority, grade
FROM ranked
ORDER BY CASE grade WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, priority DESC, victim
"""

# The numbers left out as a high-risk number's other SIMs, counted for the run's message (never unsaid).
SHARED_HANDSET_SQL = f"""
WITH risk AS (SELECT DISTINCT phone FROM risky WHERE phone IS NOT NULL)
SELECT count(DISTINCT phone) FROM calls
WHERE phone IS NOT NULL AND phone NOT IN (SELECT phone FROM risk) AND imei IN (
  {_RISK_HANDSETS})
"""
SHARED_HANDSET_NOTE = (
    "另有 {count} 个号码与高风险号码用过同一部手机（IMEI 相同），视为其机主的其他号码，未列为潜在受害人。"
)

GRADE_ZH = {"high": "高", "medium": "中", "low": "低"}
COLUMNS = ["phone", "suspect_numbers", "risk_numbers", "max_score", "calls", "answered_calls"]
COLUMNS += [
    "total_duration",
    "longest_call",
    "sms",
    "callbacks",
    "callback_duration",
    "first_callback",
    "first_contact",
    "last_contact",
    "priority",
    "grade",
    "reasons",
]
SEPARATOR = "、"  # between the high-risk numbers of a row's suspect_numbers


def potential_victims(
    con: duckdb.DuckDBPyConnection, risky: Iterable[tuple[str, float]], limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows for subscribers reached by ``risky`` (normalised number, score) pairs, ranked.

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


def victims_found(con: duckdb.DuckDBPyConnection) -> int:
    """How many potential victims the last :func:`potential_victims` found, past its ``limit`` too."""
    (count,) = con.execute(f"SELECT count(*) FROM ({VICTIM_SQL})").fetchone() or (0,)
    return int(count)


def shared_handset_note(con: duckdb.DuckDBPyConnection) -> str:
    """How many numbers the last :func:`potential_victims` left out as a high-risk number's other SIMs,
    in words ("" when none)."""
    (count,) = con.execute(SHARED_HANDSET_SQL).fetchone() or (0,)
    return SHARED_HANDSET_NOTE.format(count=count) if count else ""


def duration_zh(seconds: float) -> str:
    """``40 秒``, ``8 分 20 秒``, ``12 分钟``."""
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} 秒"
    return f"{minutes} 分 {rest} 秒" if rest else f"{minutes} 分钟"


def contact_zh(row: dict[str, Any], show: Callable[[str], str] = str) -> str:
    """How the high-risk numbers reached the person, e.g. 被高风险号码 …… 呼叫 5 次（接通 2 次），曾回拨
    2 次，最长通话 12 分钟. ``show``: how a high-risk number is written (masked on the platform's pages)."""
    names = SEPARATOR.join(show(n) for n in str(row.get("suspect_numbers") or "").split(SEPARATOR) if n)
    calls, answered = int(row["calls"] or 0), int(row["answered_calls"] or 0)
    parts = []
    if calls:
        how = "（未接通）" if not answered else ("" if answered == calls else f"（接通 {answered} 次）")
        parts.append(f"被高风险号码 {names} 呼叫 {calls} 次{how}")
        if row["sms"]:
            parts.append(f"收到短信 {row['sms']} 条")
    elif row["sms"]:
        parts.append(f"收到短信 {row['sms']} 条（来自高风险号码 {names}）")
    if row["callbacks"]:
        parts.append(f"曾回拨 {row['callbacks']} 次")
    talk = float(row["total_duration"] or 0) + float(row.get("callback_duration") or 0)
    if row["longest_call"]:
        parts.append(f"最长通话 {duration_zh(row['longest_call'])}")
    if talk > float(row["longest_call"] or 0):
        parts.append(f"累计 {duration_zh(talk)}")
    return "，".join(parts)


def reasons_zh(row: dict[str, Any], show: Callable[[str], str] = str) -> str:
    """The evidence for a potential victim in plain Chinese: the contacts, when, the grade."""
    parts = [contact_zh(row, show)]
    first, last = row.get("first_contact"), row.get("last_contact")
    if first is not None and last is not None:
        when = f"{first:%Y-%m-%d %H:%M}"
        parts.append(
            f"时间 {when}（北京时间）"
            if first == last
            else f"首次 {when}，最近 {last:%Y-%m-%d %H:%M}（北京时间）"
        )
    parts.append(f"号码最高风险分 {row['max_score']:.2f}")
    return "；".join(parts) + f"。预警等级：{GRADE_ZH[row['grade']]}"
