"""Start-up check that the configured personal-data key reads the personal data already stored
(Django's system checks with a database: ``migrate``, ``check --database default``, and ``fanzha run``
and ``fanzha worker`` before they start).

A FANZHA_PII_KEY set to another key, or one generated afresh (a lost ``var/pii_key``, a new server
pointed at the old PostgreSQL database), used to pass every check: each name, ID number, phone and
address then failed to decrypt, and what was written meanwhile was under a second key. One stored
value of each kind of record is decrypted with the configured key; the check reads no personal data
out and names only the table and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

from fanzha.core.pii import crypto
from fanzha.core.pii.fields import EncryptedTextField

PII_KEY_CHECK_ID = "fanzha.core.E001"
# Small tables whose optional encrypted columns are searched for a value (the others: their first row,
# by primary key, of a required column; scanning a large table for a rare value would slow every start).
SEARCHED_TABLES = frozenset({"core_user"})


def _columns() -> Iterator[tuple[Any, str, bool]]:
    """(model, column, whether to search for a filled value) for each encrypted column worth sampling."""
    for model in apps.get_models():
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            if table in SEARCHED_TABLES or not field.blank:
                yield model, field.column, table in SEARCHED_TABLES


def _sample(connection: Any, model: Any, column: str, search: bool) -> str | None:
    """One stored value of ``column`` (raw, as stored), or None when there is none."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    where = f" WHERE {quote(column)} LIKE %s" if search else ""
    sql = f"SELECT {quote(column)} FROM {table}{where} ORDER BY {pk} LIMIT 1"  # noqa: S608 - quoted names
    with connection.cursor() as cursor:
        cursor.execute(sql, ["v1:%"] if search else [])
        row = cursor.fetchone()
    return row[0] if row else None


def _unreadable(connection: Any) -> list[str]:
    """The ``table.column`` of each sampled value the configured key cannot decrypt."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        return []  # the command that needs the database says so
    found = []
    for model, column, search in _columns():
        try:
            value = _sample(connection, model, column, search)
        except DatabaseError:
            continue  # a table not migrated yet (``migrate`` checks before it migrates) holds nothing
        if not crypto.key_reads(value):
            found.append(f"{model._meta.db_table}.{column}")
    return found


def pii_key_reads_the_data(
    app_configs: Any = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """An error when FANZHA_PII_KEY cannot decrypt the personal data in a database checked."""
    if not databases or not settings.PII_KEY:
        return []
    errors = []
    for alias in databases:
        unreadable = _unreadable(connections[alias])
        if unreadable:
            errors.append(checks.Error(_message(unreadable), hint=_HINT, id=PII_KEY_CHECK_ID))
    return errors


def _message(unreadable: list[str]) -> str:
    return (
        "FANZHA_PII_KEY cannot decrypt the personal data already in the database "
        f"({', '.join(unreadable)}): it is not the key that data was written with. Starting with it would "
        "leave every encrypted name, ID number, phone and address unreadable."
    )


_HINT = (
    "设置写入这些数据时使用的 FANZHA_PII_KEY（本地运行时放回原来的 var/pii_key）；见 docs/personal-data.md"
)
