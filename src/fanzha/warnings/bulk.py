"""Receiving a whole file at once: the same decisions as :func:`services.receive`, written in bulk.

Every lookup is read up front in a few queries (known source ids, people by ID number and phone hash,
their open warnings, the area tree and placements), each row is decided in memory in file order (so a
person warned twice in one file is merged like one warned twice in two files), and the new people,
warnings, history lines and source ids are written with ``bulk_create``, the merged warnings with
``bulk_update``. Call it inside the file's one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from fanzha.core.models import Person
from fanzha.warnings import fastwrite
from fanzha.warnings.intake import CleanWarning, WarningInput
from fanzha.warnings.models import OPEN_STATUSES, Warning, WarningEvent, WarningSourceRef
from fanzha.warnings.services import (
    MERGED,
    NEW,
    UNCHANGED,
    Intake,
    Received,
    build_new,
    locate,
    merge_into,
    new_person,
    row_values,
)

CHUNK = 500
BATCH = 1000
MERGED_FIELDS = [
    "amount",
    "suspect_numbers",
    "suspect_accounts",
    "notes",
    "facts",
    "fraud_type",
    "quality_flags",
    "grade",
    "grade_reasons",
    "due_ack_at",
    "due_contact_at",
    "remind_ack_at",
    "remind_contact_at",
    "merged_count",
    "version",
    "organisation",
    "assignee",
    "status",
    "assigned_at",
]


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """``[1, 2, 3, 7]`` → ``[[1, 3], [7, 7]]``: the ids of a bulk write, short enough for an audit record."""
    ranges: list[list[int]] = []
    for pk in sorted(set(ids)):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


def _chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Known:
    """What the database already holds for the rows of this file, updated as rows are decided."""

    refs: dict[tuple[str, str], Warning] = field(default_factory=dict)
    by_id: dict[str, Person] = field(default_factory=dict)
    by_phone: dict[str, list[Person]] = field(default_factory=dict)
    open_of: dict[int, Warning] = field(default_factory=dict)  # id(person) → their open warning

    def person(self, intake: Intake, clean: CleanWarning) -> Person | None:
        """Like :func:`services.match_person`: by ID number, else by phone (one without another ID)."""
        if clean.id_number:
            found = self.by_id.get(intake.hash("id_number", clean.id_number))
            if found is not None:
                return found
        if clean.phone:
            for person in self.by_phone.get(intake.hash("phone", clean.phone), []):
                if not clean.id_number or not person.id_number_hash:
                    return person
        return None

    def remember(self, person: Person) -> None:
        if person.id_number_hash:
            self.by_id.setdefault(person.id_number_hash, person)
        if person.phone_hash:
            self.by_phone.setdefault(person.phone_hash, []).append(person)


def _load(intake: Intake, cleans: list[CleanWarning], now: dt.datetime) -> _Known:
    known = _Known()
    sources: dict[str, set[str]] = {}
    for clean in cleans:
        sources.setdefault(clean.source, set()).add(clean.source_id)
    for source, ids in sources.items():
        for chunk in _chunks(ids):
            refs = WarningSourceRef.objects.filter(source=source, source_id__in=chunk).select_related(
                "warning"
            )
            known.refs.update({(r.source, r.source_id): r.warning for r in refs})
    id_hashes = {intake.hash("id_number", c.id_number) for c in cleans if c.id_number}
    phone_hashes = {intake.hash("phone", c.phone) for c in cleans if c.phone}
    people: dict[int, Person] = {}
    for chunk in _chunks(id_hashes):
        people.update(
            {p.pk: p for p in Person.objects.filter(id_number_hash__in=chunk).select_related("area")}
        )
    for chunk in _chunks(phone_hashes):
        people.update({p.pk: p for p in Person.objects.filter(phone_hash__in=chunk).select_related("area")})
    for person in sorted(people.values(), key=lambda p: p.pk):
        known.remember(person)
    _load_open(known, list(people.values()), now)
    return known


def _load_open(known: _Known, people: list[Person], now: dt.datetime) -> None:
    hours = getattr(settings, "WARNING_MERGE_HOURS", 72)
    if hours <= 0 or not people:
        return
    since = now - dt.timedelta(hours=hours)
    by_pk = {p.pk: p for p in people}
    for chunk in _chunks(by_pk):
        open_q = Q(person_id__in=chunk, status__in=OPEN_STATUSES, received_at__gte=since)
        for warning in Warning.objects.filter(open_q).select_related("area").order_by("received_at", "id"):
            warning.person = by_pk[warning.person_id]
            known.open_of[id(warning.person)] = warning  # the latest wins, as in receive()


@dataclass
class _Writes:
    people: list[Person] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    merged: dict[int, Warning] = field(default_factory=dict)
    events: list[WarningEvent] = field(default_factory=list)
    refs: list[WarningSourceRef] = field(default_factory=list)

    def flush(self) -> None:
        sealer = fastwrite.Sealer()
        fastwrite.insert(self.people, sealer=sealer, returning=True)
        fastwrite.insert(self.warnings, sealer=sealer, returning=True)
        Warning.objects.bulk_update(list(self.merged.values()), MERGED_FIELDS, batch_size=BATCH)
        fastwrite.insert(self.events, sealer=sealer)
        fastwrite.insert(self.refs, sealer=sealer)


def _decide(
    intake: Intake, known: _Known, writes: _Writes, clean: CleanWarning, now: dt.datetime
) -> Received:
    person = known.person(intake, clean)
    existing = known.open_of.get(id(person)) if person is not None else None
    if existing is not None:
        writes.events += merge_into(intake, existing, clean, now)
        if existing.pk is not None:
            writes.merged[existing.pk] = existing
        return Received(existing, MERGED, clean.notices)
    place = locate(intake, clean, person)
    if person is None:
        person = new_person(clean, place.area, intake)
        writes.people.append(person)
        known.remember(person)
    warning, events = build_new(intake, clean, person, place, now)
    writes.warnings.append(warning)
    writes.events += events
    known.open_of[id(person)] = warning
    return Received(warning, NEW, clean.notices)


def receive_many(
    *,
    intake: Intake,
    rows: list[tuple[WarningInput, CleanWarning]],
    now: dt.datetime | None = None,
    created_people: list[int] | None = None,
) -> list[Received]:
    """One outcome per row, in order: new, merged or unchanged (cleaned rows only: none is unusable).

    ``created_people`` (a list) receives the ids of the people first met in these rows.
    """
    now = now or timezone.now()
    known = _load(intake, [clean for _, clean in rows], now)
    writes = _Writes()
    results = []
    for data, clean in rows:
        key = (clean.source, clean.source_id)
        if key in known.refs:
            results.append(Received(known.refs[key], UNCHANGED, []))
            continue
        received = _decide(intake, known, writes, clean, now)
        known.refs[key] = received.warning
        writes.refs.append(
            fastwrite.build(
                WarningSourceRef,
                source=clean.source,
                source_id=clean.source_id,
                warning=received.warning,
                received_at=now,
                row_values=row_values(data, clean),
            )
        )
        results.append(received)
    writes.flush()
    if created_people is not None:
        created_people.extend(person.pk for person in writes.people)
    return results
