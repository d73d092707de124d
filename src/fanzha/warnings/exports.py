"""Feedback to the sender (反馈): each pushed list's layout plus outcome columns; the centre's list export.

Personal data is masked in every export; each export is audited as ``pii.export``.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.core import access
from fanzha.core.exports import CSV_TYPE, as_attachment, csv_lines, safe_cell
from fanzha.core.models.areas import AreaLevel
from fanzha.core.pii.masking import mask, scrub_text
from fanzha.imports.readers import header_as_written
from fanzha.warnings import reveal, selectors, typology
from fanzha.warnings.intake import DERIVED_ID_PREFIX, shown_source_id, source_label
from fanzha.warnings.models import Contact, PushedLayout, Warning, WarningRepush, WarningSourceRef
from fanzha.warnings.services import CELL, KEPT_AS_PUSHED, own_source_id

PUSHED = [
    ("source_id", "预警编号"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("address", "现住址"),
    ("fraud_type", "诈骗类型"),
    ("source", "预警来源"),
    ("warned_at", "预警时间"),
    ("amount", "涉案金额"),
    ("notes", "备注"),
]
PUSHED_FIELDS = frozenset(name for name, _ in PUSHED)
TIME = "time:"  # a sender's date or time column, filled from the pushed row's 预警时间 (see _time_keys)
# Other columns a file may carry a kept value in (the amount in 万元 is kept as written, "8万").
KEPT_AS = {"amount_wan": "amount"}
# What a pushed row keeps: 户籍地址 and the others of services.KEPT_AS_PUSHED when it has them.
KEPT_FIELDS = PUSHED_FIELDS | {"registered_address", *KEPT_AS_PUSHED}
OUTCOME_HEADER = [
    "处置状态",
    "处置结果",
    "签收时间",
    "首次联系时间",
    "联系方式",
    "处置单位",
    "处置人",
    "办结时间",
    "是否合并",
]
OUTCOME = "outcome:"
# A sender's own names for the columns it leaves for the answer, as OUTCOME_HEADER names them.
OUTCOME_COLUMNS = {label: label for label in OUTCOME_HEADER} | {
    "处置情况": "处置结果",
    "劝阻结果": "处置结果",
    "劝阻情况": "处置结果",
    "反馈结果": "处置结果",
    "反馈情况": "处置结果",
    "核查结果": "处置结果",
    "核查情况": "处置结果",
    "处置进度": "处置状态",
    "签收状态": "处置状态",
    "联系时间": "首次联系时间",
    "劝阻时间": "首次联系时间",
    "劝阻方式": "联系方式",
    "处置方式": "联系方式",
    "处置民警": "处置人",
    "处置人员": "处置人",
    "劝阻人": "处置人",
    "劝阻民警": "处置人",
    "承办单位": "处置单位",
    "劝阻单位": "处置单位",
    "反馈时间": "办结时间",
    "处置时间": "办结时间",
}
_DROP = re.compile(r"[\s:：*]+")
# One column for two answers, as senders write it (劝阻人/单位, 处置单位及民警): the parts' names, a part
# naming only the second thing (单位, 民警) taking the first part's verb (劝阻人/单位 → 劝阻人, 劝阻单位).
_JOINED = re.compile(r"[/／、]|及|和")
OUTCOME_VERBS = ("处置", "劝阻", "承办")
LIST_HEADER = [
    "编号",
    "来源",
    "预警编号",
    "等级",
    "定级理由",
    "状态",
    "姓名",
    "手机号",
    "区划",
    "诈骗类型",
    "承办单位",
    "承办人",
    "接收时间",
    "签收时限",
    "签收时间",
    "联系时间",
    "处置结果",
    "超时升级",
]


# The figures of a statistics sheet's row, after the names of its group (the statistics page's columns,
# the counts behind each rate beside it).
FIGURES_HEADER = [
    "预警",
    "未办结",
    "劝阻成功",
    "劝阻率",
    "应按时签收",
    "按时签收",
    "按时签收率",
    "应按时联系",
    "按时联系",
    "联系及时率",
    "平均签收用时（分钟）",
    "平均联系用时（分钟）",
]
# The statistics sheets of the list's export, as the statistics page shows them for its filters: per
# person (按人员), per area (按区划) and per unit (按单位), the last two ending in the page's totals (合计).
PERSON_HEADER = ["承办单位", "承办人", *FIGURES_HEADER]
AREA_HEADER = ["区划", *FIGURES_HEADER]
UNIT_HEADER = ["承办单位", *FIGURES_HEADER]
TOTAL = "合计"
QUEUE = "中心待分派"  # no unit yet: the centre's queue (the list's, the statistics' and the feedback's word)


def _time(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _first_contacts(warning_ids: list[int]) -> dict[int, Contact]:
    first: dict[int, Contact] = {}
    for contact in Contact.objects.filter(warning_id__in=warning_ids).order_by("contacted_at", "id"):
        first.setdefault(contact.warning_id, contact)
    return first


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local days ``start`` to ``end`` (both included) as aware [since, until) bounds (days at the
    ends of the calendar are read as the first or last a warning can have: 9999-12-31 has no next day)."""
    start, end, midnight = selectors.usable_day(start), selectors.usable_day(end), dt.time()
    return (
        timezone.make_aware(dt.datetime.combine(start, midnight)),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), midnight)),
    )


def _seen_by(user: Any) -> Exists:
    """Of a warning ``user`` sees, tested row by row: ``warning_id IN (the warnings they see)`` listed a
    county's whole history first (≈ 3 s a query at 1,000,000 warnings), whatever the period."""
    return Exists(Warning.objects.visible_to(user).filter(pk=OuterRef("warning_id")))


def feedback_parts(user: Any, source: str, start: dt.date, end: dt.date) -> tuple[Any, Any]:
    """:func:`feedback_refs` in two parts that share no row: those first received in the period (read
    from the index on (source, received_at), in the order they came), then those first received before
    (or after) it and pushed again unchanged in it (:class:`WarningRepush`, a few)."""
    since, until = day_bounds(start, end)
    window = Q(received_at__gte=since, received_at__lt=until)
    refs = WarningSourceRef.objects.filter(_seen_by(user), source=source)
    again = WarningRepush.objects.filter(window, ref__source=source).values("ref_id")
    return refs.filter(window), refs.filter(pk__in=again).exclude(window)


def feedback_refs(user: Any, source: str, start: dt.date, end: dt.date) -> Any:
    """The pushed rows of ``source`` received in the local days ``start`` to ``end`` — first, or again
    unchanged in a later list (:class:`WarningRepush`) — of warnings the user sees (one feedback row
    each, however often the row came in the period)."""
    first, again = feedback_parts(user, source, start, end)
    return WarningSourceRef.objects.filter(pk__in=first.values("pk").union(again.values("pk"), all=True))


def feedback_count(user: Any, source: str, start: dt.date, end: dt.date) -> int:
    """How many rows :func:`feedback_refs` has, counted on its two parts' indexes."""
    return sum(part.count() for part in feedback_parts(user, source, start, end))


def pushed_sources() -> list[str]:
    """Every source a pushed row came from, each the next one in the index on (source, …): a lookup a
    source, not a read of a million rows."""
    refs = WarningSourceRef.objects.order_by("source").values_list("source", flat=True)
    found: list[str] = []
    while (code := (refs.filter(source__gt=found[-1]) if found else refs).first()) is not None:
        found.append(code)
    return found


def feedback_sources(user: Any) -> list[str]:
    """The sources of the pushed rows of the warnings ``user`` sees: what the feedback page offers
    (another county's senders are not named to this one). A source is offered once one of its rows is
    of a warning the user sees — found at once when the user sees its warnings; a source none of whose
    rows the user sees is read through to its end."""
    if not Warning.objects.visible_to(user).exists():
        return []
    seen = _seen_by(user)
    return [code for code in pushed_sources() if WarningSourceRef.objects.filter(seen, source=code).exists()]


Columns = tuple[tuple[str, str], ...]  # (column name, what it holds): see feedback_columns
Section = tuple[list[str], list[list[Any]]]  # a header and its rows


def feedback_sections(user: Any, source: str, start: dt.date, end: dt.date) -> list[Section]:
    """The feedback list of ``source`` for the local days ``start`` to ``end``: one section per layout
    its rows came in (in the order of their first row), each with its own header. One row per pushed
    warning the user sees, received in the period (a merged one keeps its row)."""
    since, until = day_bounds(start, end)
    layouts = _Layouts(source, since, until)
    sections: dict[Columns, tuple[list[str], list[list[Any]]]] = {}
    for chunk in _chunks(_in_order(feedback_parts(user, source, start, end)), 1000):
        contacts = _first_contacts([r.warning_id for r in chunk])
        layouts.read_first([ref.received_at for ref in chunk])
        for ref in chunk:
            columns = layouts.columns_of(ref.received_at)
            section = sections.get(columns)
            if section is None:
                section = sections[columns] = ([key for _, key in columns], [])
            section[1].append(_feedback_row(ref, contacts.get(ref.warning_id), section[0]))
    if not sections:  # nothing in the period: the header what comes without a file goes back in
        return [([text for text, _ in feedback_columns(source)], [])]
    return [([text for text, _ in columns], rows) for columns, (_, rows) in sections.items()]


# What a feedback row reads of its pushed row, its warning, unit and officer (the warning's other fields,
# its clock's datetimes above all, are not read: a third of the rows' time at 70,000 rows).
FEEDBACK_READ = (
    *("source", "source_id", "warning", "received_at", "row_values", "pushed_by"),
    *("warning__source", "warning__source_id", "warning__status", "warning__outcome"),
    *("warning__acknowledged_at", "warning__closed_at", "warning__organisation__name"),
    *("warning__assignee__display_name", "warning__assignee__username"),
)


def _in_order(parts: tuple[Any, Any]) -> Iterator[WarningSourceRef]:
    """The rows of :func:`feedback_parts` by first receipt (then id): the period's as the index gives
    them, the few pushed again merged in (each part ordered on its own; nothing sorts the period)."""
    first, again = (
        part.select_related("warning__organisation", "warning__assignee")
        .only(*FEEDBACK_READ)
        .order_by("received_at", "id")
        for part in parts
    )
    return heapq.merge(
        first.iterator(chunk_size=1000), list(again), key=lambda ref: (ref.received_at, ref.pk)
    )


class _Layouts:
    """The layouts the rows of one source received in [since, until) came in."""

    def __init__(self, source: str, since: dt.datetime, until: dt.datetime) -> None:
        saved = PushedLayout.objects.filter(source=source)
        # A file's (or a push's) rows, all received at one instant.
        self.saved, self.since, self.until = saved, since, until
        self.brought: dict[dt.datetime, list[list[str]] | None] = dict(
            saved.filter(received_at__gte=since, received_at__lt=until).values_list("received_at", "columns")
        )
        # Saved before layouts were kept per file: the layout of the rows received until then.
        self.before = saved.filter(received_at=None).values_list("updated_at", "columns").first()
        self.standing = standing_layout(source)
        self._made: dict[tuple[tuple[str, ...], ...], Columns] = {}

    def read_first(self, instants: Iterable[dt.datetime]) -> None:
        """The layouts of rows first received before the period and pushed again in it (their first
        files'), those not read yet, in one query."""
        wanted = {at for at in instants if at not in self.brought and not self.since <= at < self.until}
        if wanted:
            found = dict(self.saved.filter(received_at__in=wanted).values_list("received_at", "columns"))
            self.brought.update({at: found.get(at) for at in wanted})

    def columns_of(self, received_at: dt.datetime) -> Columns:
        """The feedback columns of a row received at ``received_at``: its file's layout (the first
        file's, for a row pushed again); else (a form, a single API call) the layout saved before
        per-file layouts when it came before that, else the latest file's."""
        self.read_first([received_at])
        pushed = self.brought.get(received_at)
        if pushed is None:
            before = self.before
            pushed = before[1] if before is not None and received_at <= before[0] else self.standing
        key = tuple(tuple(column) for column in pushed)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = tuple(layout_feedback_columns(pushed))
        return made


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def partner_refs(organisation: Any, since: dt.datetime, until: dt.datetime) -> Any:
    """The source ids ``organisation`` pushed in [since, until), first or again unchanged: one ``IN`` over
    both id lists, each read from its index (``id IN (…) OR …`` made PostgreSQL test every source id)."""
    window = Q(received_at__gte=since, received_at__lt=until)
    first = WarningSourceRef.objects.filter(window, pushed_by=organisation).values("pk")
    again = WarningRepush.objects.filter(window, pushed_by=organisation).values("ref_id")
    return WarningSourceRef.objects.filter(pk__in=first.union(again, all=True)).select_related("warning")


def partner_feedback(
    organisation: Any, since: dt.datetime, until: dt.datetime, offset: int, limit: int
) -> list[dict[str, Any]]:
    """What became of the warnings a partner's key pushed in [since, until): its own ids, the status and
    outcome, when acknowledged, first contacted and closed — no personal data, no unit or officer. A
    warning it pushed again unchanged in the window is answered too (``received_at``: its first receipt)."""
    pushed = partner_refs(organisation, since, until).order_by("received_at", "id")
    refs = list(pushed[offset : offset + limit])
    contacts = _first_contacts([ref.warning_id for ref in refs])
    out = []
    for ref in refs:
        w, contact = ref.warning, contacts.get(ref.warning_id)
        out.append(
            {
                "source_id": own_source_id(ref.source_id, organisation),
                "received_at": _iso(ref.received_at),
                "status": w.get_status_display(),
                "outcome": w.get_outcome_display() if w.outcome else "",
                "acknowledged_at": _iso(w.acknowledged_at),
                "contacted_at": _iso(contact.contacted_at if contact else None),
                "closed_at": _iso(w.closed_at),
            }
        )
    return out


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def remember_layouts(
    batch: Any, sources: Iterable[str], received_at: dt.datetime, columns: list[list[str]]
) -> None:
    """``columns`` (a file's, ``[]`` for our own list's) become the layout of the rows of each of
    ``sources`` that ``batch`` brought, all received at ``received_at``."""
    for source in sorted(set(sources)):
        PushedLayout.objects.create(source=source, batch=batch, received_at=received_at, columns=columns)


def standing_layout(source: str) -> list[list[str]]:
    """The columns of the latest file received from ``source`` (``[]`` if none): what came from it
    without a file (a form, a single API call) goes back in these."""
    latest = PushedLayout.objects.filter(source=source).exclude(columns=[]).order_by("-id")
    return latest.values_list("columns", flat=True).first() or []


def feedback_columns(source: str) -> list[tuple[str, str]]:
    """The feedback columns of what came from ``source`` without a file: its latest file's layout's
    (see :func:`layout_feedback_columns`)."""
    return layout_feedback_columns(standing_layout(source))


def layout_feedback_columns(pushed: list[list[str]]) -> list[tuple[str, str]]:
    """(column name, what it holds) of the feedback list: the columns a file came in (``pushed``), in its
    order and with its names (``[]``: our own list's), then the outcome columns.

    A column the sender left for the answer (处置结果, 处置情况 …: :data:`OUTCOME_COLUMNS`) is filled in
    place rather than added again; another column not read (序号, 户籍地派出所, 涉案APP) gives back what
    the row said in it, masked (``"cell:"`` and its header; rows kept before such cells were: empty); an
    outcome column whose name
    the sender uses for something else (联系方式: its phone) is added as “联系方式（处置）”. What a column
    holds: a pushed field name, ``"time:"`` and a strftime layout, or ``"outcome:"`` and an outcome
    column's name.
    """
    pushed = pushed or [[label, name] for name, label in PUSHED]
    times = _time_keys({name for _, name in pushed})
    columns: list[tuple[str, str]] = []
    answered: set[str] = set()
    # A name the file repeats (备注, 备注) goes back as written, not as told apart on reading (备注 (2)).
    written = header_as_written([text for text, _ in pushed])
    for (text, name), shown in zip(pushed, written, strict=True):
        labels = outcome_labels(text)
        if not name and labels and answered.isdisjoint(labels):
            answered.update(labels)
            columns.append((shown, OUTCOME + JOINED_WITH.join(labels)))
        else:
            columns.append((shown, times.get(name, name) if name else CELL + text))
    taken = {text for text, _ in columns}
    added = [label for label in OUTCOME_HEADER if label not in answered]
    return columns + [(label + "（处置）" if label in taken else label, OUTCOME + label) for label in added]


JOINED_WITH = "/"  # the answers of a joined column (劝阻人/单位), in its order


def outcome_labels(text: str) -> list[str]:
    """The outcome columns (:data:`OUTCOME_HEADER` names) a sender's column ``text`` leaves for the
    answer: one (处置情况 → 处置结果), two for a joined one (劝阻人/单位 → 处置人, 处置单位), none."""
    name = _DROP.sub("", text)
    label = OUTCOME_COLUMNS.get(name)
    if label:
        return [label]
    parts = [part for part in _JOINED.split(name) if part]
    if len(parts) < 2:
        return []
    verb = next((v for v in OUTCOME_VERBS if parts[0].startswith(v)), "")
    labels = [OUTCOME_COLUMNS.get(part) or OUTCOME_COLUMNS.get(verb + part) for part in parts]
    if any(label is None for label in labels) or len(set(labels)) < len(labels):
        return []
    return [label for label in labels if label]


def _time_keys(names: set[str]) -> dict[str, str]:
    """What the sender's time columns hold: the 预警时间 kept (as read from its time column, or from the
    stand-in 通话时间 / 推送时间 when it has none), split when its day came from a date column of its own;
    a stand-in beside a 预警时间 column held another time the row does not keep: empty."""
    time_column = "warned_at" if "warned_at" in names else "other_time"
    split = "warned_date" in names
    keys = {"warned_at": "", "other_time": "", "warned_date": TIME + "%Y-%m-%d"}
    keys[time_column] = TIME + ("%H:%M:%S" if split else "%Y-%m-%d %H:%M:%S")
    return keys


def _pushed_cell(values: dict[str, str], key: str) -> str:
    """A pushed row's (masked) value for a column holding ``key``; "" for what the row does not keep."""
    if key.startswith(TIME):
        return _pushed_time(values.get("warned_at", ""), key[len(TIME) :])
    if key.startswith(CELL):  # masked on receipt (services.mask_unread)
        return values.get(key, "")
    name = KEPT_AS.get(key, key)
    if name == "notes":  # masked on receipt; again here for rows kept before the masking grew
        return scrub_text(values.get(name, ""))
    return values.get(name, "") if name in KEPT_FIELDS else ""


def _pushed_time(text: str, layout: str) -> str:
    try:
        return timezone.localtime(dt.datetime.fromisoformat(text)).strftime(layout) if text else ""
    except ValueError:
        return text


def outcome_text(w: Warning) -> str:
    """处置结果 as the sender reads it: the outcome of a closed warning; an open one says so, with where
    it stands ("未办结（待签收）", "未办结（拒绝配合）") — a blank reads as no answer at all."""
    if not w.is_open:
        return w.get_outcome_display() if w.outcome else ""
    return f"未办结（{w.get_outcome_display() if w.outcome else w.get_status_display()}）"


def _unit(w: Warning) -> str:
    """处置单位: the unit that holds (or held) the warning; an open one with none is in the centre's queue."""
    if w.organisation_id is None:
        return QUEUE if w.is_open else ""
    return str(w.organisation)


def _outcome_cells(w: Warning, ref: WarningSourceRef, contact: Contact | None) -> list[str]:
    """The outcome columns' values, in OUTCOME_HEADER order."""
    return [
        w.get_status_display(),
        outcome_text(w),
        _time(w.acknowledged_at),
        _time(contact.contacted_at if contact else None),
        contact.get_kind_display() if contact else "",
        _unit(w),
        str(w.assignee or ""),
        _time(w.closed_at),
        "是" if (w.source, w.source_id) != (ref.source, ref.source_id) else "否",
    ]


def _feedback_row(ref: WarningSourceRef, contact: Contact | None, keys: list[str]) -> list[Any]:
    outcome = dict(zip(OUTCOME_HEADER, _outcome_cells(ref.warning, ref, contact), strict=True))
    pushed = {**ref.row_values, "source_id": pushed_source_id(ref)}
    return [
        _outcome_cell(outcome, key[len(OUTCOME) :]) if key.startswith(OUTCOME) else _pushed_cell(pushed, key)
        for key in keys
    ]


def _outcome_cell(outcome: dict[str, str], labels: str) -> str:
    """An answer column's value; a joined one's answers (张三/城关派出所) less the empty ones."""
    return JOINED_WITH.join(value for label in labels.split(JOINED_WITH) if (value := outcome[label]))


# The suffix a 预警编号 used before for another person gets (``services.alias_source_id``).
_ALIAS = re.compile(r"~[0-9a-f]{8}$")


def pushed_source_id(ref: WarningSourceRef) -> str:
    """The row's 预警编号 as the sender wrote it: empty for a row that came without one (kept under a
    derived key), without the suffix a number another person had first was kept under (a daily list
    numbered from 001 again) or a partner's organisation suffix (two banks' 20261128001)."""
    if ref.source_id.startswith(DERIVED_ID_PREFIX):
        return ""
    own = _ALIAS.sub("", ref.source_id)
    return own.removesuffix(f"@{ref.pushed_by_id}") if ref.pushed_by_id else own


def area_name(area: Any) -> str:
    """A village or grid with the area above it ("城关镇 · 城东社区"): a county has several 城东社区."""
    if area.level in (AreaLevel.VILLAGE, AreaLevel.GRID) and area.parent is not None:
        return f"{area.parent.name} · {area.name}"
    return str(area.name)


# What the list export never shows: not read, so not decrypted (a tenth of its time).
UNSHOWN = (
    "address",
    "id_number_raw",
    "suspect_numbers",
    "suspect_accounts",
    "notes",
    "facts",
    "person__id_number",
    "person__address",
    "assignee__work_phone",
    "assignee__totp_secret",
    # Nor what it does not show of the warning's state: not read, so not converted (a fifth of the rows'
    # time at 90,000 rows, most of it the clock's datetimes).
    *("needs_placement", "amount", "address_hash", "quality_flags", "warned_at", "clock_started_at"),
    *("assigned_at", "acknowledged_by", "closed_at", "due_contact_at", "remind_ack_at", "remind_contact_at"),
    *("ack_reminded", "contact_reminded", "ack_breached", "contact_breached", "merged_count", "version"),
    "created_at",
)


def list_rows(qs: Any) -> Iterator[list[Any]]:
    labels = dict(typology.choices())
    related = qs.select_related("person", "area__parent", "organisation", "assignee")
    related = related.defer(*UNSHOWN).order_by("-received_at", "-id")
    for w in related.iterator(chunk_size=2000):
        yield [
            w.pk,
            source_label(w.source),
            shown_source_id(w.source_id),
            w.get_grade_display(),
            "；".join(w.grade_reasons),
            w.get_status_display(),
            mask("name", w.person.name),
            mask("phone", reveal.shown_value(w, "phone")),
            area_name(w.area),
            labels.get(w.fraud_type, w.fraud_type),
            str(w.organisation or ""),
            str(w.assignee or ""),
            _time(w.received_at),
            _time(w.due_ack_at),
            _time(w.acknowledged_at),
            _time(w.contacted_at),
            w.get_outcome_display() if w.outcome else "",
            "是" if w.escalated else "",
        ]


# Control characters a worksheet cannot hold (XML 1.0 forbids them): a pushed cell may carry them as
# written (a vertical tab for a line break, a stray \x1a), and openpyxl refuses the whole workbook.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_text(value: Any) -> str:
    """A cell's text for a worksheet: inert (:func:`safe_cell`), each control character a worksheet
    cannot hold written as a space."""
    return safe_cell(_NOT_IN_XLSX.sub(" ", "" if value is None else str(value)))


Sheet = tuple[str, list[str], Iterable[list[Any]]]  # a worksheet's name, header and rows
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Made:
    """An export as made, before it goes anywhere: its file name, type, body — the workbook's bytes, or
    the CSV's lines, written as they are read — and how many rows it holds. The request answers with it
    (:meth:`response`), the worker stores it (:meth:`content`): the same bytes either way."""

    filename: str
    content_type: str
    body: bytes | Iterable[str]
    rows: int

    def response(self) -> HttpResponse | StreamingHttpResponse:
        if isinstance(self.body, bytes):
            return as_attachment(HttpResponse(self.body, content_type=self.content_type), self.filename)
        return as_attachment(StreamingHttpResponse(self.body, content_type=self.content_type), self.filename)

    def content(self) -> bytes:
        """The file's bytes (a CSV's lines in UTF-8, as the streamed response encodes them)."""
        if isinstance(self.body, bytes):
            return self.body
        return b"".join(line.encode("utf-8") for line in self.body)


def xlsx_book_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook of one sheet per (name, header, rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet_name, header, rows in sheets:
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([xlsx_text(text) for text in header])  # a sender's own column names: from its file
        for row in rows:
            sheet.append([cell if isinstance(cell, int) else xlsx_text(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def feedback_made(*, actor: Any, source: str, start: dt.date, end: dt.date, fmt: str, **noted: Any) -> Made:
    """The feedback file of ``source`` for the days ``start`` to ``end``, audited as ``pii.export``
    (``noted``: more for the record's details — the stored export's id when the worker made it)."""
    access.require(actor, "warning.export")
    sections = feedback_sections(actor, source, start, end)
    rows = sum(len(rows) for _, rows in sections)
    audit_record(
        actor=actor,
        action="pii.export",
        object_type="warnings.feedback",
        details={
            "source": source,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "rows": rows,
            "layouts": len(sections),
            "masked": True,
            **noted,
        },
    )
    name = f"预警反馈_{source_label(source)}_{start:%Y%m%d}-{end:%Y%m%d}"
    if fmt == "csv":
        return Made(name + ".csv", CSV_TYPE, csv_lines(*_one_table(sections), digits_as_text=True), rows)
    if len(sections) == 1:
        sheets: list[Sheet] = [("反馈", *sections[0])]
    else:
        sheets = [(f"反馈{n}", header, rows) for n, (header, rows) in enumerate(sections, start=1)]
    return Made(name + ".xlsx", XLSX_TYPE, xlsx_book_bytes(sheets), rows)


def export_feedback(
    *, actor: Any, source: str, start: dt.date, end: dt.date, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    return feedback_made(actor=actor, source=source, start=start, end=end, fmt=fmt).response()


def _one_table(sections: list[Section]) -> tuple[list[str], Iterator[list[Any]]]:
    """The sections as one CSV table: each after the first behind an empty line, under its own header."""
    (header, rows), rest = sections[0], sections[1:]

    def lines() -> Iterator[list[Any]]:
        yield from rows
        for other, more in rest:
            yield []
            yield other
            yield from more

    return header, lines()


def _minutes(value: dt.timedelta | None) -> int | str:
    """Whole minutes, as the statistics page counts them (1 小时 29 分 is 89, not 90)."""
    return int(value.total_seconds() // 60) if value is not None else ""


def _figures(r: dict[str, Any]) -> list[Any]:
    """A summary row's figures, in :data:`FIGURES_HEADER` order."""
    return [
        r["total"],
        r["open"],
        r["dissuaded"],
        r["dissuasion_rate"],
        r["ack_due"],
        r["acked_on_time"],
        r["on_time_rate"],
        r["contact_due"],
        r["contacted_on_time"],
        r["contact_on_time_rate"],
        _minutes(r["mean_ack"]),
        _minutes(r["mean_contact"]),
    ]


def person_rows(summary: list[dict[str, Any]]) -> list[list[Any]]:
    """The per-person figures (:data:`selectors.PERSON_FIELDS`), as the 按人员 sheet's rows: staff names in
    clear (the people of the centre's units, not of the public), as the list's 承办人."""
    rows = []
    for r in summary:
        person = (
            (r["assignee__display_name"] or r["assignee__username"]) if r["assignee_id"] else "（未分派到人）"
        )
        rows.append([r["organisation__name"] or QUEUE, person, *_figures(r)])
    return rows


def area_rows(summary: list[dict[str, Any]], totals: dict[str, Any]) -> list[list[Any]]:
    """The 按区划 sheet's rows: each area named as the page names it (城关镇 · 城东社区), then 合计."""
    rows = []
    for r in summary:
        parent = r["area__parent__name"]
        rows.append([f"{parent} · {r['area__name']}" if parent else r["area__name"], *_figures(r)])
    return [*rows, [TOTAL, *_figures(totals)]]


def unit_rows(summary: list[dict[str, Any]], totals: dict[str, Any]) -> list[list[Any]]:
    """The 按单位 sheet's rows (中心待分派: the centre's queue, no unit yet), then 合计."""
    rows = [[r["organisation__name"] or QUEUE, *_figures(r)] for r in summary]
    return [*rows, [TOTAL, *_figures(totals)]]


# The statistics sheets' groupings, counted together in one pass over the warnings.
SHEET_GROUPINGS = ((), selectors.PERSON_FIELDS, selectors.AREA_FIELDS, selectors.UNIT_FIELDS)


def list_made(*, actor: Any, qs: Any, applied: dict[str, str], **noted: Any) -> Made:
    """The filtered list (masked), and on the next sheets the statistics page's figures of the same
    warnings: per person, per area and per unit (with the totals); audited as ``pii.export``.

    Read outside a transaction, as :func:`feedback_made` is: on SQLite every transaction takes the write
    lock (``BEGIN IMMEDIATE``), and a city's month takes about a minute to read — every acknowledgement,
    visit and import would wait that long, and past 20 s fail. The audit record is its own short
    transaction, written once the file is made."""
    access.require(actor, "warning.export")
    (totals,), people, areas, units = selectors.summaries(qs, SHEET_GROUPINGS)
    rows = _Counted(list_rows(qs))  # written to the sheet as they are read, not held in a list
    sheets: list[Sheet] = [
        ("预警", LIST_HEADER, rows),
        ("按人员", PERSON_HEADER, person_rows(people)),
        ("按区划", AREA_HEADER, area_rows(areas, totals)),
        ("按单位", UNIT_HEADER, unit_rows(units, totals)),
    ]
    content = xlsx_book_bytes(sheets)
    audit_record(
        actor=actor,
        action="pii.export",
        object_type="warnings.warning",
        details={"filters": applied, "rows": rows.count, "masked": True, **noted},
    )
    return Made(f"预警清单_{timezone.localdate():%Y%m%d}.xlsx", XLSX_TYPE, content, rows.count)


def export_list(*, actor: Any, qs: Any, applied: dict[str, str]) -> HttpResponse | StreamingHttpResponse:
    return list_made(actor=actor, qs=qs, applied=applied).response()


class _Counted:
    """Rows passed on as they come, counted (for the audit record, written once they are all out)."""

    def __init__(self, rows: Iterable[list[Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.count += 1
            yield row
