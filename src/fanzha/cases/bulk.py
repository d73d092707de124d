"""Large CSV statements: parsed, classified and deduplicated by DuckDB, written with one raw bulk write.

The row-by-row path (``statements``) reads a statement through Python objects — fine for the few
thousand rows of a card's statement, far too slow for a million. Here the engine's columnar import
(``fanzha.tracing.columnar``, the same rules in SQL) hands back numpy columns; accounts, counterparties
and names are encrypted once per distinct value, the duplicate key of each row is the same keyed hash
the row path computes, and the rows go into ``cases_transaction`` with ``executemany`` (SQLite) or
``COPY`` (PostgreSQL) inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hmac
import zoneinfo
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection

from fanzha.cases.common import account_hash, clean_account, masked_row_error, require_account
from fanzha.cases.models import Statement, Transaction
from fanzha.core.pii import crypto
from fanzha.tracing.columnar import StatementColumns, import_statement_csv
from fanzha.tracing.kinds import CODE
from fanzha.tracing.layouts import Mapping
from fanzha.warnings.fastwrite import Sealer, copy_rows

LARGE_BYTES = 1024 * 1024  # CSV statements above this take the columnar path
COLUMNS = (
    "case_id", "statement_id", "key_hash", "line", "account", "account_hash", "time", "amount_fen",
    "balance_fen", "counterparty", "counterparty_hash", "counterparty_name", "counterparty_bank", "serial",
    "category", "platform", "refund",
)  # fmt: skip
REFUNDS = (CODE["refund"], CODE["reversal"])


def row_key(account: str, serial: str, amount: int, moment: str, counterparty: str) -> str:
    """The natural key both paths hash: the serial number when there is one, else time + counterparty."""
    if serial:
        return f"{account}|s|{serial}|{amount}"
    return f"{account}|t|{moment}|{amount}|{counterparty}"


def key_hashes(keys: list[str], serials: list[str]) -> list[str]:
    """Keyed hashes of the keys; a key without a serial listed k times in one statement counts k times."""
    secret = crypto._key("search")  # the search-hash key: keys of transactions are never stored in clear
    seen: Counter[str] = Counter()
    out = []
    for key, serial in zip(keys, serials, strict=True):
        seen[key] += 1
        occurrence = 1 if serial else seen[key]
        out.append(hmac.digest(secret, f"statement-row:{key}#{occurrence}".encode(), "sha256").hex())
    return out


class _Once:
    """One ciphertext and one hash per distinct value within an import (equal values, equal tokens)."""

    def __init__(self) -> None:
        self.sealer = Sealer()
        self.sealed: dict[str, str] = {}
        self.hashed: dict[str, str] = {}
        self.secret = crypto._key("search")

    def seal(self, value: str) -> str:
        if not value:
            return ""
        found = self.sealed.get(value)
        if found is None:
            found = self.sealed[value] = self.sealer(value)
        return found

    def digest(self, value: str) -> str:
        """``account_hash`` (the same value), with the card-number case computed without re-normalising."""
        if not value:
            return ""
        found = self.hashed.get(value)
        if found is None:
            if value.isascii() and value.isdigit():
                message = f"bank_account:{value}".encode()
                found = hmac.digest(self.secret, message, "sha256").hex()
            else:
                found = account_hash(value)
            self.hashed[value] = found
        return found


def _utc(seconds: np.ndarray) -> list[dt.datetime]:
    """Bank local times (epoch seconds of the naive time) as aware UTC datetimes, per distinct day offset."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    offsets: dict[int, int] = {}
    out = []
    for value in seconds.tolist():
        day = value // 86400
        if day not in offsets:
            naive = dt.datetime(1970, 1, 1) + dt.timedelta(days=day, hours=12)
            offsets[day] = int(naive.replace(tzinfo=zone).utcoffset().total_seconds())  # type: ignore[union-attr]
        out.append(dt.datetime.fromtimestamp(value - offsets[day], dt.UTC))
    return out


def _moments(seconds: np.ndarray) -> list[str]:
    return [
        s.replace("T", " ") for s in np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").tolist()
    ]


def _rows(
    statement: Statement, cols: StatementColumns, account: str, known: set[str]
) -> Iterator[tuple[Any, ...]]:
    cleaned: dict[str, str] = {}

    def clean(value: str) -> str:
        found = cleaned.get(value)
        if found is None:
            found = cleaned[value] = clean_account(value)
        return found

    accounts = [clean(a or account) for a in cols.account.tolist()]
    others = [clean(c) for c in cols.counterparty_account.tolist()]
    serials = [str(s) for s in cols.serial.tolist()]
    amounts = cols.amount.tolist()
    keys = [
        row_key(a, s, m, t, c)
        for a, s, m, t, c in zip(accounts, serials, amounts, _moments(cols.time), others, strict=True)
    ]
    hashes = key_hashes(keys, serials)
    times, once = _utc(cols.time), _Once()
    balances = np.where(cols.has_balance, cols.balance, 0).tolist()
    has_balance, names, platforms = (
        cols.has_balance.tolist(),
        cols.counterparty_name.tolist(),
        cols.platform.tolist(),
    )
    categories, lines = cols.category.tolist(), cols.line.tolist()
    for i, digest in enumerate(hashes):
        if digest in known:
            continue
        known.add(digest)
        yield (
            statement.case_id,
            statement.pk,
            digest,
            lines[i],
            once.seal(accounts[i]),
            once.digest(accounts[i]),
            times[i],
            amounts[i],
            balances[i] if has_balance[i] else None,
            once.seal(others[i]),
            once.digest(others[i]),
            once.seal(str(names[i])),
            "",
            serials[i][:100],
            categories[i],
            str(platforms[i])[:50],
            categories[i] in REFUNDS,
        )


def _write(rows: Iterator[tuple[Any, ...]]) -> int:
    table = Transaction._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            return copy_rows(raw, table, list(COLUMNS), rows)
        marks = ", ".join("?" * len(COLUMNS))
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608 - fixed names
        # In key order the unique index grows at its end instead of splitting pages all over it; a
        # bigger page cache for this connection keeps the indexes' pages in memory while it writes.
        ordered = sorted(((*row[:6], _sqlite_time(row[6]), *row[7:]) for row in rows), key=lambda r: r[2])
        raw.execute("PRAGMA cache_size = -262144")
        try:
            raw.executemany(sql, ordered)
        finally:
            raw.execute("PRAGMA cache_size = -2000")  # SQLite's default again for this connection
        return len(ordered)


def _sqlite_time(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(sep=" ")


def import_columnar(
    statement: Statement, path: Path, account: str, mapping: Mapping | None = None
) -> StatementColumns:
    """Parse ``path`` with DuckDB and add its rows to the case (those it does not hold yet).

    Sets the statement's counts, errors and balance break; raises UnknownLayout for an unknown layout.
    """
    cols = import_statement_csv(path, mapping=mapping, account=account, memory_limit="1GB")
    require_account(account, cols.account.tolist())
    known = set(Transaction.objects.filter(case_id=statement.case_id).values_list("key_hash", flat=True))
    own = account or (str(cols.account[0]) if len(cols) else "")
    statement.account = clean_account(own)
    statement.account_hash = account_hash(own) if own else ""
    statement.rows_added = _write(_rows(statement, cols, statement.account, known))
    statement.rows_read = cols.rows_read
    statement.duplicates = cols.duplicates + len(cols) - statement.rows_added
    statement.errors = [
        {"row": line, "message": masked_row_error(message)} for _, line, message in cols.error_lines
    ]
    statement.balance_break = {"row": cols.balance_breaks[0][2]} if cols.balance_breaks else None
    return cols
