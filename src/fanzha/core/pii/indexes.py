"""Keyed search hashes need no ``LIKE`` index: a migration operation that drops PostgreSQL's.

Django gives every indexed ``varchar`` column on PostgreSQL a second index with
``varchar_pattern_ops`` (``…_like``) for ``LIKE 'abc%'`` queries. A keyed hash is only ever compared
whole, so that index is written on every insert and never read. The plain index stays. Other
databases have no such index: nothing to do. (Django drops these indexes with ``IF EXISTS`` when a
later migration changes the field, so the model state keeps ``db_index=True``.)
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
