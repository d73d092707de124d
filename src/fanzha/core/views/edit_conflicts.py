"""Edit forms refuse a save over a change made since the form was opened (a lost update).

Several analysts edit the same records, and imports fill and change them: a form opened before such a
change, saved afterwards, wrote the values it was opened with back over it. Each edit form now carries
an *edit token* in a hidden field: for each field the form writes, a keyed digest of the value stored
when the page was opened (HMAC with the site's secret key, bound to the record — no value in clear, and
the same phone number of two people gives two digests). On the save, the record's row is locked and
read again and the digests made anew: a field whose digest differs was changed meanwhile. The save is
then refused with a message naming those fields (a personal field's value now masked) and the form is
shown again with the values stored now; nothing is written.

A field changed meanwhile to just what the post stores loses nothing and is not refused (保存 clicked
twice; a masked field left blank, which keeps the value stored now). A form posted without a token (a
client that never opened the page) is not checked; a token that is not this site's (altered, or signed
with another key) counts every field as changed — an old key kept in ``SECRET_KEY_FALLBACKS`` after a
rotation still reads the token and its digests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

TOKEN_FIELD = "edit_token"  # noqa: S105  (a form field's name)
_SALT = "fanzha.edit_conflicts"
_DIGEST_CHARS = 20  # 80 bits of an HMAC-SHA256: enough to tell a changed value, and short

T = TypeVar("T")

# The stored values the form writes, by field name, read from the record as it is now.
StoredValues = Callable[[Any], Mapping[str, Any]]
# The values the posted form would store, by the same names, given the record as stored now (a masked
# field left blank keeps what is stored now).
Written = Callable[[Any], Mapping[str, Any]]

REFUSED = (
    "您打开本页后，{fields}已被修改（其他用户保存或导入）。为免覆盖，本次修改未保存；"
    "下方已换成现在的内容，请核对后重新修改并保存。"
)


def _digest(record: models.Model, name: str, value: Any, secret: str | None = None) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    message = f"{record._meta.label_lower}:{record.pk}:{name}:{text}"
    return salted_hmac(_SALT, message, secret=secret, algorithm="sha256").hexdigest()[:_DIGEST_CHARS]


def _opened_as(record: models.Model, name: str, value: Any, opened: str | None) -> bool:
    """Whether ``opened`` (the token's digest of ``name``) is that of ``value``: under the secret key, or
    an old one kept in ``SECRET_KEY_FALLBACKS`` (a page opened before the key was rotated, whose token
    the signature check reads with that key too)."""
    if opened is None:
        return False
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(opened == _digest(record, name, value, key) for key in keys)


def edit_token(record: models.Model, values: Mapping[str, Any]) -> str:
    """The token of ``values`` (the record's stored values the form writes), signed."""
    return signing.dumps({name: _digest(record, name, value) for name, value in values.items()}, salt=_SALT)


def carry_token(form: forms.Form, record: models.Model, stored: StoredValues) -> None:
    """Add the hidden token field to ``form``: filled with the record's token now when the page is
    opened; a posted form keeps the token it was opened with."""
    form.fields[TOKEN_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
    form.initial[TOKEN_FIELD] = edit_token(record, stored(record))


def _opened_with(request: HttpRequest) -> dict[str, str] | None:
    """The digests the posted form was opened with; None without a token, {} for one not this site's."""
    token = request.POST.get(TOKEN_FIELD, "")
    if not token:
        return None
    try:
        digests = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return {}
    return digests if isinstance(digests, dict) else {}


class Changed(list[str]):
    """The names of the fields changed since the form was opened that the save would write over (a
    list: empty when none), with ``now``, the values stored now that the check read (every field of the
    token, by name) — :func:`unchanged` reads the others' names there instead of reading them again."""

    def __init__(self, names: Iterable[str] = (), now: Mapping[str, Any] | None = None) -> None:
        super().__init__(names)
        self.now: Mapping[str, Any] = now or {}


def changed_since_opened(
    request: HttpRequest, record: models.Model, stored: StoredValues, written: Written | None = None
) -> Changed:
    """The fields of ``stored`` changed since the posted form was opened that the save would write
    over (empty for none, or no token).

    A field changed meanwhile to what the posted form stores (``written``) loses nothing: 保存 clicked
    twice (the second post finds what the first stored), or a masked field left blank, which keeps
    what another user stored. Call it inside the transaction that saves: the record's row is locked
    (``FOR UPDATE`` on PostgreSQL) and ``record`` read again in place, so nothing changes between this
    check and the save, and the save starts from the values stored now."""
    opened = _opened_with(request)
    if opened is None:
        return Changed()
    type(record)._base_manager.select_for_update().filter(pk=record.pk).values_list("pk").first()
    record.refresh_from_db()
    now = stored(record)
    posted = written(record) if written is not None else {}
    names = [
        name
        for name, value in now.items()
        if not _opened_as(record, name, value, opened.get(name))
        and not _rewrites(record, name, value, posted)
    ]
    return Changed(names, now)


def _rewrites(record: models.Model, name: str, now: Any, posted: Mapping[str, Any]) -> bool:
    """Whether the post stores in ``name`` what is stored now (compared as the token compares)."""
    return name in posted and _digest(record, name, posted[name]) == _digest(record, name, now)


def save_unless_changed(
    request: HttpRequest,
    record: models.Model,
    stored: StoredValues,
    save: Callable[[], T],
    written: Written | None = None,
) -> tuple[Changed, T | None]:
    """In one transaction: the fields changed since the form was opened that the save would write over
    (:func:`changed_since_opened`) and nothing saved, or ([], what ``save()`` returned). A service's
    ValidationError passes through (nothing saved)."""
    with transaction.atomic():
        changed = changed_since_opened(request, record, stored, written)
        if changed:
            return changed, None
        return changed, save()


def refused_message(
    changed: list[str],
    labels: Mapping[str, str],
    shown: Mapping[str, str] | None = None,
    template: str = REFUSED,
) -> str:
    """The refusal: the changed fields by label, each with its value now where ``shown`` gives one (a
    personal field's value, masked), in ``template``'s ``{fields}`` (a refused deletion says so)."""
    shown = shown or {}
    names = [_named(labels.get(n, n), shown.get(n)) for n in changed]
    return template.format(fields="、".join(names))


def _named(label: str, now: str | None) -> str:
    return label if now is None else f"{label}（现为 {now or '空'}）"


def show_refused(
    form: forms.Form, message: str, typed: forms.Form | None = None, kept: Iterable[str] = ()
) -> forms.Form:
    """``form`` (a new, unbound one with the values stored now and a fresh token) with the refusal.

    What the user typed into the fields named in ``kept`` (those of the token that nobody changed
    meanwhile: the token's names are the form's) is shown again from ``typed``, the refused form, as
    typed — an amount in yuan as written, not the fen it was cleaned to — so only the changed fields
    need another look; a field the token does not cover (a checkbox such as 删除工作电话) starts afresh."""
    if typed is not None:
        for name in kept:
            if name in form.fields and name in typed.fields:
                form.initial[name] = typed[name].value()
    form.cleaned_data = {}  # an unbound form has none; add_error reads it
    form.add_error(None, message)
    return form


def unchanged(changed: Changed) -> list[str]:
    """The fields of the token not changed since the form was opened: what the user typed into them
    can be shown again. Their names are those of the values the check read (``changed.now``): not read
    again."""
    return [name for name in changed.now if name not in changed]
