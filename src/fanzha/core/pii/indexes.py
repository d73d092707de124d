"""Keyed search hashes need no ``LIKE`` index, and some no index at all: migration operations.

Django gives every indexed ``varchar`` column on PostgreSQL a second index with
``varchar_pattern_ops`` (``…_like``) for ``LIKE 'abc%'`` queries. A keyed hash is only ever compared
whole, so that index is written on every insert and never read. The plain index stays. Other
databases have no such index: nothing to do. (Django drops these indexes with ``IF EXISTS`` when a
later migration changes the field, so the model state keeps ``db_index=True``.)

A hash column that nothing looks up by, or whose lookups another index already serves, loses its plain
index too (:func:`drop_hash_indexes`) — by name, because Django's own ``AlterField`` to
``db_index=False`` on PostgreSQL also drops a partial unique index on the same column.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _like_names(schema_editor: Any, model: Any, fields: list[str]) -> list[str]:
    table = model._meta.db_table
    return [
        schema_editor._create_index_name(table, [model._meta.get_field(name).column], suffix="_like")
        for name in fields
    ]


def drop_hash_like_indexes(app_label: str, model_name: str, fields: list[str]) -> migrations.RunPython:
    """The operation: drop the ``_like`` indexes of ``fields`` of the model (reversible)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = apps.get_model(app_label, model_name)
        for name in _like_names(schema_editor, model, fields):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = apps.get_model(app_label, model_name)
        for name in fields:
            sql = schema_editor._create_like_index_sql(model, model._meta.get_field(name))
            if sql is not None:
                schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)


def drop_hash_indexes(app_label: str, model_name: str, fields: list[str]) -> migrations.RunPython:
    """The database side of ``fields`` becoming ``db_index=False``: their own indexes dropped by name.

    Only the index ``db_index=True`` made (and a ``_like`` one left on PostgreSQL): a constraint's index
    on the same column stays. Pair it with the ``AlterField`` state operations in a
    ``SeparateDatabaseAndState``. Reversible (the plain index comes back; ``_like`` stays dropped).
    """

    def indexed(apps: Any) -> tuple[Any, list[Any]]:
        model = apps.get_model(app_label, model_name)
        return model, [model._meta.get_field(name) for name in fields]

    def forwards(apps: Any, schema_editor: Any) -> None:
        model, found = indexed(apps)
        for field in found:
            for suffix in ("", "_like"):
                name = schema_editor._create_index_name(model._meta.db_table, [field.column], suffix=suffix)
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def backwards(apps: Any, schema_editor: Any) -> None:
        model, found = indexed(apps)
        for field in found:
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.RunPython(forwards, backwards)
