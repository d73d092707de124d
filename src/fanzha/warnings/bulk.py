"""Receiving a whole file at once: the same decisions as :func:`services.receive`, written in bulk.

Every lookup is read up front in a few queries (known source ids and people by ID number and phone
hash, first as plain ``IN`` lists of a few thousand values, then the few found; their open warnings,
the area tree and placements), each row is decided in memory in file order (so a person warned twice
in one file is merged like one warned twice in two files) with the grading, SLA clocks, unit lookup,
masks and hashes worked out once per distinct value (:class:`services.Intake`), and the new people,
warnings, history lines and source ids are written by :mod:`fastwrite` (history lines and source ids
as rows made here, not as instances), the merged warnings with :func:`fastwrite.update`. Call it inside the
file's one transaction. ``tests/warnings/test_bulk_path.py`` holds it to the one-warning path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from fanzha.core.locks import lock_intake
from fanzha.core.models import Area, Person
from fanzha.warnings import fastwrite, routing
from fanzha.warnings.intake import CleanWarning, WarningInput, retype_by_table
from fanzha.warnings.models import OPEN_STATUSES, Warning, WarningEvent, WarningRepush, WarningSourceRef
from fanzha.warnings.people import (
    FILLED_FIELDS,
    Keys,
    age_on_record,
    fill_person,
    keys_of,
    new_person,
    person_keys,
    phone_match,
    same_person,
)
from fanzha.warnings.services import (
    MERGED,
    NEW,
    UNCHANGED,
    Intake,
    Received,
    alias_source_id,
    changed_notices,
    locate,
    merge_into,
    new_warning_line,
    partner_source_id,
    realias,
    row_values,
    same_episode,
)

CHUNK = 500
LOOKUP = 5000  # values a plain lookup query (below SQLite's 32,766 parameters)
STREAM = 2000  # rows decided between two hand-overs to the writer thread
CACHE_KIB = 256 * 1024
SAME = ("address",)  # equal addresses may share a token: Warning.address_hash shows their equality anyway
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
    # The clock: a merge's upgrade tightens it, and a merge's address that routes a warning from the
    # centre's queue to a unit restarts it (services.merge_into).
    "clock_started_at",
    "due_ack_at",
    "due_contact_at",
    "remind_ack_at",
    "remind_contact_at",
    "ack_reminded",
    "ack_breached",
    "contact_reminded",
    "contact_breached",
    "escalated",
    "merged_count",
    "version",
    "organisation",
    "assignee",
    "status",
    "assigned_at",
    "area",
    "needs_placement",
]


def filled_columns(codes: Iterable[str]) -> list[str]:
    """The person's columns of what rows filled in (people.FILLED codes), rewritten at the end for a
    person written before: those only, so an edit of the person's other columns committed meanwhile
    (their address corrected on the person page) is not undone."""
    return [*(name for code in sorted(codes) for name in FILLED_FIELDS[code]), "updated_at"]


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
    ref_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # the refs received before this file
    # The person each ref's warning is of: their hashes, or themselves when in memory (they may learn more).
    who: dict[tuple[str, str], Keys | Person] = field(default_factory=dict)
    pushed: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # their rows as pushed
    pushers: dict[tuple[str, str], int | None] = field(default_factory=dict)  # the partner each came from
    by_id: dict[str, Person] = field(default_factory=dict)
    by_phone: dict[str, list[Person]] = field(default_factory=dict)
    open_of: dict[int, Warning] = field(default_factory=dict)  # id(person) → their open warning
    merging: bool = True  # WARNING_MERGE_HOURS > 0: a person warned again joins their open warning

    def person(self, intake: Intake, clean: CleanWarning) -> Person | None:
        """Like :func:`people.match_person`: by ID number, else by phone (one without another ID)."""
        if clean.id_number:
            found = self.by_id.get(intake.hash("id_number", clean.id_number))
            if found is not None:
                return found
        if clean.phone:
            found = self.by_phone.get(intake.hash("phone", clean.phone))
            if found:
                name = intake.hash("name", clean.name)
                return next((person for person in found if phone_match(clean, name, person)), None)
        return None

    def remember(self, person: Person) -> None:
        if person.id_number_hash:
            self.by_id.setdefault(person.id_number_hash, person)
        if person.phone_hash:
            self.by_phone.setdefault(person.phone_hash, []).append(person)

    def learned(self, person: Person, filled: list[str]) -> None:
        """Later rows find ``person`` by the ID number or phone a row just filled in."""
        if "id_number" in filled:
            self.by_id.setdefault(person.id_number_hash, person)
        if "phone" in filled:
            same = self.by_phone.setdefault(person.phone_hash, [])
            same.append(person)
            same.sort(key=lambda p: p.pk)  # in id order, as people.match_person reads them

    def keys(self, key: tuple[str, str]) -> Keys:
        """The hashes of the person of the warning received under ``key``, as they are now."""
        who = self.who[key]
        return keys_of(who) if isinstance(who, Person) else who


def _may_be_other(row: Keys, known: Keys) -> bool:
    """Whether a row may name another person than the known warning's: now, or once that person has
    learned an ID number or name from an earlier row of the file (an upper bound, for what is read and
    reserved up front; the row itself is decided on the person as they are by then)."""
    (row_id, row_phone, row_name), (known_id, known_phone, known_name) = row, known
    if (row_id and row_id == known_id) or (row_phone and row_phone == known_phone):
        return False
    return not same_person(row, known) or bool(row_id and not known_id) or bool(row_name and not known_name)


def _present(table: str, column: str, values: Iterable[str], where: str = "", params: Any = ()) -> set[str]:
    """The ``values`` found in ``table.column`` (one plain query a few thousand values: most are new)."""
    quote = connection.ops.quote_name
    found: set[str] = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(values, LOOKUP):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {quote(column)} FROM {quote(table)} WHERE {where}{quote(column)} IN ({marks})",  # noqa: S608
                [*params, *chunk],
            )
            found.update(value for (value,) in cursor.fetchall())
    return found


def _load_refs(known: _Known, keys: Iterable[tuple[str, str]]) -> None:
    """The source ids among ``keys`` received before, with the hashes of their warnings' people."""
    sources: dict[str, set[str]] = {}
    for source, source_id in keys:
        sources.setdefault(source, set()).add(source_id)
    table = WarningSourceRef._meta.db_table
    found: dict[tuple[str, str], Warning] = {}
    for source, ids in sources.items():
        for chunk in _chunks(_present(table, "source_id", ids, "source = %s AND ", [source])):
            refs = WarningSourceRef.objects.filter(source=source, source_id__in=chunk).select_related(
                "warning"
            )
            for ref in refs:
                key = (ref.source, ref.source_id)
                found[key] = ref.warning
                known.ref_ids[key] = ref.pk
                known.pushed[key], known.pushers[key] = ref.row_values, ref.pushed_by_id
    person_ids = {warning.person_id for warning in found.values()}
    hashes: dict[int, Keys] = {}
    for chunk in _chunks(person_ids):
        rows = Person.objects.filter(pk__in=chunk).values_list(
            "pk", "id_number_hash", "phone_hash", "name_hash"
        )
        hashes.update(
            {
                pk: (id_hash or "", phone_hash or "", name_hash or "")
                for pk, id_hash, phone_hash, name_hash in rows
            }
        )
    known.refs.update(found)
    known.who.update({key: hashes[warning.person_id] for key, warning in found.items()})


def _aliases(intake: Intake, known: _Known, cleans: list[CleanWarning]) -> set[tuple[str, str]]:
    """The alias ids rows may take (their 预警编号 received before for another person, or repeated
    in this file), read up front like the rest."""
    seen: set[tuple[str, str]] = set()
    aliases: set[tuple[str, str]] = set()
    for clean in cleans:
        key = (clean.source, clean.source_id)
        if key in known.refs:
            if _may_be_other(person_keys(intake, clean), known.keys(key)):
                aliases.add((clean.source, alias_source_id(clean)))
        elif key in seen:
            aliases.add((clean.source, alias_source_id(clean)))
        seen.add(key)
    return aliases


def _partner_ids(known: _Known, cleans: list[CleanWarning], pushed_by: Any) -> set[tuple[str, str]]:
    """Rows of a partner's push whose 预警编号 another sender used first take the partner's own id
    (:func:`services.partner_source_id`), as :func:`services.receive` gives them; their keys."""
    renamed = set()
    for clean in cleans:
        key = (clean.source, clean.source_id)
        if key in known.refs and known.pushers[key] != pushed_by.pk:
            clean.source_id = partner_source_id(clean.source_id, pushed_by)
            renamed.add((clean.source, clean.source_id))
    return renamed


def _earlier_ids(known: _Known, cleans: list[CleanWarning]) -> None:
    """Rows without 预警编号 whose id is not known but an id derived for them before is
    (:func:`intake.earlier_source_ids`: a list imported before): they take that id again — the newest
    found —, as :func:`services.receive` gives it (read in one go, only for the rows not found)."""
    unknown = [c for c in cleans if c.earlier_source_ids and (c.source, c.source_id) not in known.refs]
    if not unknown:
        return
    _load_refs(known, {(clean.source, earlier) for clean in unknown for earlier in clean.earlier_source_ids})
    for clean in unknown:
        found = [earlier for earlier in clean.earlier_source_ids if (clean.source, earlier) in known.refs]
        if found:
            clean.source_id = found[0]


def _load(
    intake: Intake, cleans: list[CleanWarning], now: dt.datetime, pushed_by: Any = None, merging: bool = True
) -> _Known:
    known = _Known()
    _load_refs(known, {(clean.source, clean.source_id) for clean in cleans})
    _earlier_ids(known, cleans)
    if pushed_by is not None:
        _load_refs(known, _partner_ids(known, cleans, pushed_by))
    _load_refs(known, _aliases(intake, known, cleans))
    id_hashes = {intake.hash("id_number", c.id_number) for c in cleans if c.id_number}
    phone_hashes = {intake.hash("phone", c.phone) for c in cleans if c.phone}
    people: dict[int, Person] = {}
    table = Person._meta.db_table
    # The partial unique index's own condition, as with_id_number_hash adds it (the ORM's IN list of
    # 100,000 values costs 0.55 s against 0.22 s for this plain query).
    for chunk in _chunks(_present(table, "id_number_hash", id_hashes, "NOT (id_number_hash = '') AND ")):
        people.update({p.pk: p for p in Person.objects.with_id_number_hash(*chunk).order_by()})
    for chunk in _chunks(_present(table, "phone_hash", phone_hashes)):
        people.update({p.pk: p for p in Person.objects.filter(phone_hash__in=chunk).order_by()})
    _with_areas(people.values())
    for person in sorted(people.values(), key=lambda p: p.pk):
        known.remember(person)
    if people:  # a ref's person met again may learn more from a row before the ref's id comes again
        for key, warning in known.refs.items():
            if warning.person_id in people:
                known.who[key] = people[warning.person_id]
    _load_open(known, list(people.values()), now, merging)
    return known


def _load_open(known: _Known, people: list[Person], now: dt.datetime, merging: bool = True) -> None:
    hours = getattr(settings, "WARNING_MERGE_HOURS", 72) if merging else 0
    known.merging = hours > 0
    if hours <= 0 or not people:
        return
    since = now - dt.timedelta(hours=hours)
    by_pk = {p.pk: p for p in people}
    # Locked to the commit, as receive() locks the one it merges into: a handover or a 签收 committed
    # while the file is decided would otherwise be overwritten when a merged warning is rewritten at the
    # end (on PostgreSQL; SQLite's writers already queue). They wait for the file instead.
    found = _lock_open(Q(status__in=OPEN_STATUSES, received_at__gte=since), list(by_pk))
    _with_areas(found)
    for warning in sorted(found, key=lambda w: (w.received_at, w.pk)):
        if warning.person_id not in by_pk:  # given to another person since its id was read
            continue
        warning.person = by_pk[warning.person_id]
        known.open_of[id(warning.person)] = warning  # the latest wins, as in receive()


def _lock_open(still_open: Q, person_ids: list[int]) -> list[Warning]:
    """The warnings ``still_open`` of these people, locked in id order — the order every path that locks
    several warnings takes them (a deactivation's redispatch, a regrade: ``sla.HELD``). In the order
    they were received, a list and a deactivation handing the same warnings on could each hold one the
    other waits for (a deadlock, on PostgreSQL). Their ids first, then locked by id."""
    candidates = Warning.objects.filter(still_open)
    ids = [
        pk
        for chunk in _chunks(person_ids)
        for pk in candidates.filter(person_id__in=chunk).values_list("pk", flat=True)
    ]
    held = Warning.objects.select_for_update(of=("self",)).filter(still_open).order_by("pk")
    return [warning for chunk in _chunks(sorted(ids)) for warning in held.filter(pk__in=chunk)]


def _with_areas(objs: Iterable[Person | Warning]) -> None:
    """Each object's area attached, read in one query of its own rather than joined to the lookup.

    Joined, the lookup's plan depends on the tables' statistics: PostgreSQL, told by them that a table
    is empty (vacuumed after a rolled-back load, or not analysed since a load in the same transaction),
    walked every area and scanned every person under it for each ID number or phone looked up — seconds
    a query. Alone, each lookup is one index scan whatever the statistics say."""
    objs = list(objs)
    areas = Area.objects.in_bulk({obj.area_id for obj in objs if obj.area_id is not None})
    for obj in objs:
        obj._state.fields_cache["area"] = areas.get(obj.area_id) if obj.area_id is not None else None


# The column order of the rows made here (checked against the models when written).
EVENT_ATTNAMES = ["warning_id", "at", "actor_id", "kind", "from_status", "to_status", "message", "data"]
REF_ATTNAMES = ["source", "source_id", "warning_id", "received_at", "row_values", "pushed_by_id", "batch_id"]
REPUSH_ATTNAMES = ["ref_id", "received_at", "pushed_by_id", "batch_id"]
# receive_many's ``shape``: (the row, its new warning, its first history line, its source id) → None.
Shape = Callable[[CleanWarning, Warning, list[Any], list[Any]], None]


def _event_row(event: WarningEvent) -> list[Any]:
    """A built WarningEvent (a merge's history) as a row in EVENT_ATTNAMES order."""
    warning = event._state.fields_cache.get("warning") or event.warning_id
    status = [event.from_status, event.to_status]
    return [warning, event.at, event.actor_id, event.kind, *status, event.message, event.data]


class _Writes:
    """The rows decided so far, handed to the writer thread every ``STREAM`` rows.

    New people and warnings get their ids when they are made (reserved up front), so each chunk's
    people, warnings, history lines and source ids are complete rows written while the next rows are
    decided. A warning a later row merges into (of this file or an earlier one) is rewritten at the end.
    """

    def __init__(self, writer: fastwrite.Writer, people: int, warnings: int) -> None:
        sealer = fastwrite.Sealer()
        self.writer = writer
        self.person_ids = fastwrite.reserve_ids(Person, people)
        self.warning_ids = fastwrite.reserve_ids(Warning, warnings)
        self.person_plan = fastwrite.Plan(Person, sealer, same=SAME, with_id=True)
        self.warning_plan = fastwrite.Plan(Warning, sealer, same=SAME, with_id=True)
        self.event_plan = fastwrite.Plan(WarningEvent, sealer)
        self.ref_plan = fastwrite.Plan(WarningSourceRef, sealer, unique=("row_values",))
        self.repush_plan = fastwrite.Plan(WarningRepush, sealer)
        planned = (self.event_plan.attnames, self.ref_plan.attnames, self.repush_plan.attnames)
        if planned != (EVENT_ATTNAMES, REF_ATTNAMES, REPUSH_ATTNAMES):
            raise RuntimeError("WarningEvent/WarningSourceRef/WarningRepush columns changed: update bulk.py")
        self.created: list[Person] = []
        self.people: list[Person] = []
        self.warnings: list[Warning] = []
        self.merged: dict[int, Warning] = {}
        # People written already who learned more, with what (people.FILLED codes): rewritten at the end.
        self.filled: dict[int, tuple[Person, set[str]]] = {}
        self.events: list[list[Any]] = []  # EVENT_ATTNAMES order, the warning itself
        self.refs: list[list[Any]] = []  # REF_ATTNAMES order, the warning itself
        self.repushes: dict[int, list[Any]] = {}  # ref id → its row in REPUSH_ATTNAMES order (one a file)

    def add_person(self, person: Person) -> None:
        person.__dict__["id"] = next(self.person_ids)
        self.people.append(person)
        self.created.append(person)

    def add_warning(self, warning: Warning) -> None:
        warning.__dict__["id"] = next(self.warning_ids)
        self.warnings.append(warning)

    def hand_over(self) -> None:
        """The pending rows, converted, to the writer (people and warnings before what refers to them)."""
        put, alias = self.writer.put, connection.alias
        for plan, objs in ((self.person_plan, self.people), (self.warning_plan, self.warnings)):
            put(plan.model, plan.columns, plan.rows(objs, resolve=()))
            for obj in objs:
                state = obj._state
                state.adding = False
                state.db = alias
        put(WarningEvent, self.event_plan.columns, self.event_plan.convert(self.events))
        put(WarningSourceRef, self.ref_plan.columns, self.ref_plan.convert(self.refs))
        self.people, self.warnings, self.events, self.refs = [], [], [], []

    def finish(self) -> None:
        """The last rows, all inserts done, then the merged warnings rewritten."""
        self.hand_over()
        if self.repushes:
            self.writer.put(
                WarningRepush, self.repush_plan.columns, self.repush_plan.convert([*self.repushes.values()])
            )
        self.writer.close()
        fastwrite.update(list(self.merged.values()), MERGED_FIELDS)
        at = timezone.now()
        by_codes: dict[frozenset[str], list[Person]] = {}
        for person, codes in self.filled.values():
            person.updated_at = at
            by_codes.setdefault(frozenset(codes), []).append(person)
        for codes, people in by_codes.items():
            fastwrite.update(people, filled_columns(codes))


@contextmanager
def roomy_cache(kib: int = CACHE_KIB) -> Iterator[None]:
    """SQLite: a page cache large enough for a big file's index pages for the duration of the writes.

    (The default 2 MiB spills dirty index pages to the WAL and reads them back; the cache size is the
    connection's own setting and has nothing to do with durability.) Other databases: nothing.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-abs(int(kib))}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _fill(
    intake: Intake,
    known: _Known,
    writes: _Writes,
    person: Person,
    clean: CleanWarning,
    place: routing.Placement | None,
) -> list[str]:
    """:func:`people.fill_person` on a known person, the file's lookups kept in step (no query: every
    holder of the file's ID numbers was read up front)."""
    filled = fill_person(intake, person, clean, place, known.by_id.get)
    if filled:
        known.learned(person, filled)
        if not person._state.adding:  # written already (earlier file or chunk): rewritten at the end
            writes.filled.setdefault(person.pk, (person, set()))[1].update(filled)
    return filled


def _decide(
    intake: Intake, known: _Known, writes: _Writes, clean: CleanWarning, now: dt.datetime
) -> Received:
    person = known.person(intake, clean)
    age_on_record(intake, clean, person)
    existing = known.open_of.get(id(person)) if person is not None else None
    if person is not None and existing is not None and same_episode(existing, clean):
        filled = _fill(intake, known, writes, person, clean, None)
        writes.events += [_event_row(event) for event in merge_into(intake, existing, clean, now, filled)]
        if not existing._state.adding:  # written already (earlier file or chunk): rewritten at the end
            writes.merged[existing.pk] = existing
        return Received(existing, MERGED, clean.notices)
    place = locate(intake, clean, person)
    if person is None:
        person, filled = new_person(clean, place.area, intake), []
        writes.add_person(person)
        known.remember(person)
    else:
        filled = _fill(intake, known, writes, person, clean, place)
    warning, (kind, message, was, to, data) = new_warning_line(intake, clean, person, place, now, filled)
    writes.add_warning(warning)
    writes.events.append([warning, now, None, kind, was, to, message, data])
    if known.merging:  # a later row of this file for the same person joins it (the window is open)
        known.open_of[id(person)] = warning
    return Received(warning, NEW, clean.notices)


def receive_many(
    *,
    intake: Intake,
    rows: list[tuple[WarningInput, CleanWarning]],
    now: dt.datetime | None = None,
    created_people: list[int] | None = None,
    pushed_by: Any = None,
    batch: Any = None,
    merging: bool = True,
    repushing: bool = True,
    shape: Shape | None = None,
) -> list[Received]:
    """One outcome per row, in order: new, merged or unchanged (cleaned rows only: none is unusable).

    ``created_people`` (a list) receives the ids of the people first met in these rows. ``pushed_by``:
    the partner organisation whose API key pushed the rows (recorded on their source ids); ``batch``:
    the import batch (file or push) the rows came in, recorded on the source ids written (new and merged
    rows alike: the list's 本批预警). ``merging=False``: no row joins an open warning, of the database
    or of the file (a history ledger: each row is a warning the centre already handled on its own).
    ``repushing=False``: a row received before is not recorded as pushed again (a ledger is no push:
    its rows would otherwise join the feedback of the day it was imported again). ``shape``: called
    with each new warning's row, the warning, its first history line and its source id (rows in
    ``EVENT_ATTNAMES`` / ``REF_ATTNAMES`` order) before they are written, to change them in place
    (a ledger dates them by the row's 预警时间 and gives the warning to the unit that worked it).
    """
    now = now or timezone.now()
    lock_intake()
    retype_by_table(rows)
    known = _load(intake, [clean for _, clean in rows], now, pushed_by, merging)
    pusher = pushed_by.pk if pushed_by is not None else None
    batch_id = batch.pk if batch is not None else None
    # At most this many new people and warnings (a row given an alias id may yet be unchanged).
    fresh = sum(
        1
        for _, clean in rows
        if (key := (clean.source, clean.source_id)) not in known.refs
        or _may_be_other(person_keys(intake, clean), known.keys(key))
    )
    results = []
    with roomy_cache(), fastwrite.checked_as_written(), fastwrite.Writer() as writer:
        writes = _Writes(writer, people=fresh, warnings=fresh)
        for data, clean in rows:
            key = (clean.source, clean.source_id)
            if key in known.refs and not same_person(person_keys(intake, clean), known.keys(key)):
                key = realias(clean)
            if key in known.refs:
                notices = changed_notices(known.pushed.get(key, {}), row_values(data, clean, intake))
                results.append(Received(known.refs[key], UNCHANGED, notices))
                # Pushed again in a later list (a ledger's rows are no push).
                if repushing and (ref_id := known.ref_ids.get(key)) is not None:
                    writes.repushes.setdefault(ref_id, [ref_id, now, pusher, batch_id])
                continue
            received = _decide(intake, known, writes, clean, now)
            known.refs[key] = received.warning
            known.who[key] = received.warning.person
            known.pushers[key] = pusher
            values = row_values(data, clean, intake)
            ref = [clean.source, clean.source_id, received.warning, now, values, pusher, batch_id]
            writes.refs.append(ref)
            if shape is not None and received.outcome == NEW:
                shape(clean, received.warning, writes.events[-1], ref)
            results.append(received)
            if len(writes.refs) >= STREAM:
                writes.hand_over()
        writes.finish()
    if created_people is not None:
        created_people.extend(person.pk for person in writes.created)
    return results
