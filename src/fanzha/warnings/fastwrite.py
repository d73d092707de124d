"""Raw bulk INSERTs for the bulk intake (the ORM's per-value compile costs more than the write).

:func:`build` makes unsaved instances without ``Model.__init__``'s per-field descriptor work;
:func:`insert` reads each model's columns straight from them with one converter per field, chosen
once: encrypted fields go through :class:`Sealer` (one AES-GCM object for the whole file, the same
tokens as :func:`fanzha.core.pii.crypto.encrypt`), datetimes, JSON and decimals through the
connection's own adapters. SQLite gets ``INSERT … VALUES (…), (…) [RETURNING id]`` in chunks under its
parameter limit (ids in VALUES order, as Django's ``bulk_create`` relies on); PostgreSQL gets ``COPY``
with ids drawn from the table's sequence first. Call it inside the caller's transaction.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone

from fanzha.core.pii import crypto
from fanzha.core.pii.fields import EncryptedTextField

MAX_PARAMS = 30000  # below SQLite's 32766 and PostgreSQL's 65535
Convert = Callable[[Any], Any]
M = TypeVar("M", bound=models.Model)


class Sealer:
    """``crypto.encrypt`` with the key and AES-GCM object set up once (SM4: the plain function)."""

    def __init__(self) -> None:
        cipher = crypto._configured_cipher()
        self._aes = AESGCM(crypto._key("aes")) if cipher == "aes" else None
        self._prefix = f"{crypto.VERSION}:{cipher}"
        self._aad = self._prefix.encode("ascii")

    def __call__(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        if self._aes is None:
            return crypto.encrypt(str(value))
        nonce = os.urandom(crypto.NONCE_BYTES)
        sealed = self._aes.encrypt(nonce, str(value).encode("utf-8"), self._aad)
        return f"{self._prefix}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


_CONSTANT = (str, int, float, bool, type(None))


class _Spec:
    """Per model: constant defaults (copied), default factories (called), and the related fields."""

    def __init__(self, model: type[models.Model]) -> None:
        self.constants: dict[str, Any] = {}
        self.factories: list[tuple[str, Callable[[], Any]]] = []
        self.related: dict[str, str] = {}  # name → attname
        self.attnames: set[str] = set()
        for f in model._meta.concrete_fields:
            self.attnames.add(f.attname)
            if f.is_relation:
                self.related[f.name] = f.attname
            factory = f._get_default
            if f.has_default() and callable(f.default):
                self.factories.append((f.attname, factory))
                continue
            value = factory()
            if isinstance(value, _CONSTANT):
                self.constants[f.attname] = value
            else:
                self.factories.append((f.attname, factory))


_SPECS: dict[type, _Spec] = {}


def build(model: type[M], **values: Any) -> M:
    """An unsaved instance like ``model(**values)`` without the per-field descriptor work of ``__init__``.

    Only concrete fields by name or attname; a related field by name takes an instance (saved or not)
    or None.
    """
    spec = _SPECS.get(model)
    if spec is None:
        spec = _SPECS[model] = _Spec(model)
    obj = model.__new__(model)
    obj._state = state = ModelState()
    attrs = obj.__dict__
    attrs.update(spec.constants)
    for attname, factory in spec.factories:
        if attname not in values:
            attrs[attname] = factory()
    for name, value in values.items():
        attname = spec.related.get(name)
        if attname is not None:
            attrs[attname] = value.pk if value is not None else None
            state.fields_cache[name] = value
        elif name in spec.attnames:
            attrs[name] = value
        else:
            raise TypeError(f"{model.__name__} has no field {name}")
    return obj


def _datetime(ops: Any) -> Convert:
    memo: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if value not in memo:
            memo[value] = ops.adapt_datetimefield_value(value)
        return memo[value]

    return convert


def _converter(field: models.Field, sealer: Sealer, now: Any) -> Convert | None:
    ops = connection.ops
    if isinstance(field, EncryptedTextField):
        return sealer
    if isinstance(field, models.DateTimeField):
        convert = _datetime(ops)
        if field.auto_now or field.auto_now_add:
            return lambda _value: convert(now)
        return convert
    if isinstance(field, models.JSONField):
        return lambda value: ops.adapt_json_value(value, field.encoder)
    if isinstance(field, models.DecimalField | models.DateField | models.BinaryField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _getter(field: models.Field) -> Callable[[models.Model], Any]:
    attname = field.attname
    if not field.is_relation:
        return lambda obj: getattr(obj, attname)
    name = field.name

    def related(obj: models.Model) -> Any:
        value = getattr(obj, attname)
        if value is None:  # an instance saved in this run after it was attached
            cached = obj._state.fields_cache.get(name)
            value = cached.pk if cached is not None else None
        return value

    return related


def _row_maker(columns: list) -> Callable[[models.Model], list[Any]]:
    """The column values of one instance (plain values as they are, the others converted)."""
    pairs = [(get, convert) for _, get, convert in columns]

    def make(obj: models.Model) -> list[Any]:
        return [get(obj) if convert is None else convert(get(obj)) for get, convert in pairs]

    return make


def _chunked(
    cursor: Any, head: str, one: str, tail: str, objs: Sequence[models.Model], columns: list, returning: bool
) -> None:
    """SQLite: multi-row VALUES in chunks below the parameter limit."""
    size = max(1, MAX_PARAMS // len(columns))
    for start in range(0, len(objs), size):
        chunk = objs[start : start + size]
        make = _row_maker(columns)
        params = [value for obj in chunk for value in make(obj)]
        cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
        if returning:
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk


def _copy(
    raw: Any, model: type[models.Model], objs: Sequence[models.Model], columns: list, returning: bool
) -> None:
    """PostgreSQL: ``COPY … FROM STDIN``, primary keys taken from the table's sequence first when wanted.

    (A multi-row VALUES of thousands of placeholders costs psycopg more to split than the server to run.)
    """
    meta = model._meta
    quote = connection.ops.quote_name
    names = [c for c, _, _ in columns]
    if returning:
        raw.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, raw.fetchall(), strict=True):
            obj.pk = pk
        names = [meta.pk.column, *names]
    statement = f"COPY {quote(meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    make = _row_maker(columns)
    with raw.copy(statement) as copy:
        for obj in objs:
            row = make(obj)
            copy.write_row([obj.pk, *row] if returning else row)


def insert(objs: Sequence[models.Model], *, sealer: Sealer, returning: bool = False) -> None:
    """Insert unsaved instances of one model; with ``returning``, set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    columns = [(f.column, _getter(f), _converter(f, sealer, now)) for f in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c, _, _ in columns)
    head = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "  # noqa: S608  (names from the model)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, model, objs, columns, returning)
        else:
            _chunked(cursor, head, one, tail, objs, columns, returning)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
