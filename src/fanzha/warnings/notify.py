"""Messages about warnings (inbox; SMS/IM through the gateway for urgent ones). Names masked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fanzha.core import access
from fanzha.core.models import Organisation, User
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.roles import ROLES, SUPERVISING_ROLES
from fanzha.jobs.models import Notification, NotificationLevel
from fanzha.jobs.services import notify
from fanzha.warnings.models import GRADE_ORDER, Grade, Warning

CENTRE_ROLES = ("centre_leader", "centre_analyst")
# The supervisors a breach can reach, as the warning's history names them (``Supervisors.groups``).
UNIT_HEADS = "单位负责人"
PARENT_UNIT = "上级单位"
CENTRE = "反诈中心"


def _link(warning: Warning) -> str:
    return reverse("warning_detail", kwargs={"pk": warning.pk})


NO_NAME = "（未提供姓名）"  # as 我的预警 and the board name a warning pushed without the name


def _who(warning: Warning) -> str:
    """The person's masked name (Person.__str__); a title ended in “：” and named nobody without one."""
    return str(warning.person) or NO_NAME


def notify_assigned(warning: Warning) -> None:
    urgent = warning.grade in (Grade.URGENT, Grade.HIGH)
    notify(
        recipients=[warning.assignee],
        title=f"新预警（{warning.get_grade_display()}）：{_who(warning)}",
        body=_what_to_do(warning) + "；".join(warning.grade_reasons),
        link=_link(warning),
        level=NotificationLevel.DANGER if urgent else NotificationLevel.WARNING,
    )


def _what_to_do(warning: Warning) -> str:
    """签收 by its deadline — or, handed over inside a unit that signed for it already, go on."""
    if warning.acknowledged_at is None:
        return f"请于 {timezone.localtime(warning.due_ack_at):%m-%d %H:%M} 前签收。"
    if warning.contacted_at is None:
        due = timezone.localtime(warning.due_contact_at)
        return f"本单位已签收，请继续联系当事人（联系时限 {due:%m-%d %H:%M}）。"
    return "本单位已签收并已联系到当事人，请继续跟进办结。"


class AssignmentNotices:
    """The warnings assigned in one transaction: each assignee gets one message, written in it.

    The owner of the transaction calls :meth:`flush` at its end (the form's or API's one warning, a
    partner's push, a file's or a batch push's commit hook, the numbers send): the inbox rows are written
    with the warnings and commit or roll back with them — nothing is told of a rolled-back intake (a
    rejected file, a dry run). An import of thousands of rows sends each user one summary, not one
    message a warning. Written after the commit they were a second write transaction, which on SQLite
    queued behind the next writer (a 100,000-row file, past the busy timeout) and failed: the assignee of
    an urgent warning was never told. What nobody flushed (a handover's own notices) is still sent once
    the transaction commits; one that fails then is logged, the committed work not turned into an error.
    """

    def __init__(self) -> None:
        self.by_user: dict[int, list[Warning]] = {}

    def add(self, warning: Warning) -> None:
        if not self.by_user:
            transaction.on_commit(self.send, robust=True)  # the fallback: what was not flushed
        self.by_user.setdefault(warning.assignee_id, []).append(warning)

    def flush(self) -> None:
        """Write the notices of the warnings added so far now, inside the transaction (one a user)."""
        self.send()

    def send(self) -> None:
        pending, self.by_user = self.by_user, {}
        for warnings in pending.values():
            if len(warnings) == 1:
                notify_assigned(warnings[0])
            else:
                _notify_many(warnings)


def _notify_many(warnings: list[Warning]) -> None:
    by_grade: dict[str, int] = {}
    for w in warnings:
        by_grade[w.grade] = by_grade.get(w.grade, 0) + 1
    labels = dict(Grade.choices)
    counts = {labels.get(grade, grade): n for grade, n in by_grade.items()}
    urgent = any(grade in (Grade.URGENT, Grade.HIGH) for grade in by_grade)
    notify(
        recipients=[warnings[0].assignee],
        title=f"新预警 {len(warnings)} 条（" + "、".join(f"{k} {v}" for k, v in counts.items()) + "）",
        body=_what_to_do_many(warnings),
        link=reverse("warning_mine"),
        level=NotificationLevel.DANGER if urgent else NotificationLevel.WARNING,
    )


def _what_to_do_many(warnings: list[Warning]) -> str:
    """签收 by the earliest deadline; those a unit signed for already (a deactivated colleague's, handed
    on inside the unit) are to be carried on."""
    waiting = [w for w in warnings if w.acknowledged_at is None]
    parts = []
    if waiting:
        first_due = min(w.due_ack_at for w in waiting)
        parts.append(f"最早须于 {timezone.localtime(first_due):%m-%d %H:%M} 前签收")
    if len(waiting) < len(warnings):
        parts.append(f"{len(warnings) - len(waiting)} 条本单位已签收，请继续跟进")
    return "；".join(parts) + "。"


def _holder(warning: Warning) -> list[User]:
    """The assignee, as the SLA job's notices reach them: only an account in force (``access.in_force``:
    active, of an active unit). A unit deactivated while still holding the warning has lost every
    permission, and its holder could not open the notice."""
    assignee = warning.assignee
    return [assignee] if assignee is not None and access.in_force(assignee) else []


# A sweep's first reminders (and breaches) a user is told of one notice each; the rest summed up.
ONE_BY_ONE = 5
REMINDER = "预警即将超时"
ESCALATION = "预警超时督办"


@dataclass
class _Summary:
    """What one user was told of in one summary notice of a sweep (the row, once written)."""

    kind: str
    by_step: dict[str, int] = field(default_factory=dict)  # 签收 / 联系 → how many
    by_grade: dict[str, int] = field(default_factory=dict)
    pk: int | None = None

    def count(self, what: str, grade: str) -> None:
        self.by_step[what] = self.by_step.get(what, 0) + 1
        self.by_grade[grade] = self.by_grade.get(grade, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.by_step.values())

    def title(self) -> str:
        steps = "、".join(f"{what} {n} 条" for what, n in self.by_step.items())
        return f"{self.kind}：本轮另有 {self.total} 条（{steps}）"

    def body(self) -> str:
        labels = dict(Grade.choices)
        grades = "、".join(f"{labels[g]} {self.by_grade[g]} 条" for g in GRADE_ORDER if g in self.by_grade)
        where = "实时看板（按剩余时间排列，已超时的在最前）"
        return f"等级：{grades}。本轮前 {ONE_BY_ONE} 条已逐条通知，其余不再逐条发送，请在{where}查看。"


class SweepNotices:
    """The notices of one sweep of the SLA job, one kind (reminders or breaches): a user is told of
    their first :data:`ONE_BY_ONE` warnings one notice each, as before; the rest go into one summary
    notice a user for the sweep, linking to the board, written by the first chunk that needs it and
    brought up to date by each later chunk inside that chunk's transaction (:meth:`flush`) — a sweep
    stopped midway leaves each summary counting exactly the warnings whose flags it committed.

    A morning's pushed list of 30,000 warnings left a day gave each centre leader one notice a breach:
    18,330 for 10,000 warnings (签收 and 联系), as many rows as the inbox could list. Each warning's history
    line and 超时督办 flag still say, warning by warning, that it was escalated and whom it told."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.told: dict[int, int] = {}
        self.summaries: dict[int, _Summary] = {}
        self.changed: set[int] = set()

    def tell(self, users: list[User], warning: Warning, what: str, title: str, body: str) -> None:
        """Tell ``users`` of ``warning``: one notice to those told fewer than :data:`ONE_BY_ONE` times
        this sweep, the others counted in their summary."""
        one_by_one = []
        for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
            told = self.told.get(user.pk, 0)
            self.told[user.pk] = told + 1
            if told < ONE_BY_ONE:
                one_by_one.append(user)
            else:
                self.summaries.setdefault(user.pk, _Summary(self.kind)).count(what, warning.grade)
                self.changed.add(user.pk)
        level = NotificationLevel.DANGER if self.kind == ESCALATION else NotificationLevel.WARNING
        if one_by_one:
            notify(recipients=one_by_one, title=title, body=body, link=_link(warning), level=level)

    def flush(self) -> None:
        """Write the summaries changed since the last flush (inside the chunk's transaction)."""
        level = NotificationLevel.DANGER if self.kind == ESCALATION else NotificationLevel.WARNING
        for user_pk in sorted(self.changed):
            summary = self.summaries[user_pk]
            text = {"title": summary.title(), "body": summary.body()}
            if summary.pk is None:
                written = Notification.objects.create(
                    recipient_id=user_pk, link=reverse("warning_board"), level=level, **text
                )
                summary.pk = written.pk
            else:  # unread again: it tells of more than when it was read
                Notification.objects.filter(pk=summary.pk).update(read_at=None, **text)
        self.changed.clear()


def notify_reminder(warning: Warning, what: str, due: Any, notices: SweepNotices) -> None:
    """Remind the holder of ``warning`` (read as it stands, in the step's transaction)."""
    title = f"{REMINDER}（{what}）：{_who(warning)}"
    notices.tell(_holder(warning), warning, what, title, f"{what}时限 {due:%m-%d %H:%M}。")


@dataclass
class Supervisors:
    """Whom a breach is escalated to, and what the notice says about the choice (empty: nothing).

    ``groups`` names who among them was told, in order (``UNIT_HEADS``, ``PARENT_UNIT``, ``CENTRE``):
    a group with nobody who may open the warning is not named."""

    users: list[User]
    note: str = ""
    groups: list[str] = field(default_factory=list)

    def add(self, group: str, users: list[User], warning: Warning) -> None:
        """Add those of ``users`` who may open the warning (:func:`_may_open`), each once, and name
        ``group`` when any of them is told."""
        known = {u.pk for u in self.users}
        openers = [u for u in users if u.pk in known or _may_open(u, warning)]
        if openers and group not in self.groups:
            self.groups.append(group)
        self.users += [u for u in {u.pk: u for u in openers}.values() if u.pk not in known]


class Candidates:
    """The users a breach can be escalated to, read once and kept for one sweep of the SLA job: the
    centres' leaders and analysts and each unit's active users, with what ``core.access`` reads of them
    (``access.with_checks_loaded``: roles, unit, jurisdiction), and the parent units with their
    jurisdictions. Whether each may open a warning (:func:`_may_open`) is then worked out from them
    without a query; each chunk of breaches still reads its warnings as they stand (``escalation._held``).

    Without it every breach read them all again and every check read a user's roles and jurisdiction:
    with 20 centre staff about 59 queries a breach, 11,766 for 200 breaches at once (a night's pushed list
    whose 签收 deadlines pass together); now a few a unit and a few once a sweep. A supervisor's account,
    unit or roles changed during a sweep counts from the next sweep (a minute later)."""

    def __init__(self) -> None:
        self._centre: list[User] | None = None
        self._users: dict[int, list[User]] = {}
        self._units: dict[int, Organisation] = {}

    def centre_staff(self) -> list[User]:
        """The active leaders and analysts of the active centres (those covering the warning's area are
        kept by :func:`_may_open`)."""
        if self._centre is None:
            staff = User.objects.filter(
                organisation__kind=OrganisationKind.CENTRE,
                organisation__is_active=True,
                is_active=True,
                roles__role__in=CENTRE_ROLES,
            )
            self._centre = access.with_checks_loaded(staff.distinct())
        return self._centre

    def users_of(self, unit: Organisation) -> list[User]:
        """The unit's active users (by username)."""
        if unit.pk not in self._users:
            active = User.objects.filter(organisation_id=unit.pk, is_active=True)
            self._users[unit.pk] = access.with_checks_loaded(active)
        return self._users[unit.pk]

    def unit(self, pk: int) -> Organisation:
        """The unit ``pk`` with its area and covered areas (its jurisdiction, ``organisation_covers``)."""
        if pk not in self._units:
            found = Organisation.objects.select_related("area").prefetch_related("covered_areas")
            self._units[pk] = found.get(pk=pk)
        return self._units[pk]


def supervisors(warning: Warning, candidates: Candidates | None = None) -> Supervisors:
    """Whom a breach is escalated to: the heads of the assignee's own unit (its holders of a leader-type
    role, never the assignee), the supervisors of its parent unit when the warning is in that unit's
    jurisdiction (:func:`_parent_unit_supervisors`; a centre above the unit is the centre) and the
    leaders and analysts of the centres; each once, and only those who may open the warning — active
    users of active units whose jurisdiction holds its area (:func:`_may_open`, the warning page's own
    check). ``candidates``: the users read for the sweep (:class:`Candidates`; read anew when not given)."""
    candidates = candidates or Candidates()
    found = Supervisors(users=[])
    org = warning.organisation
    if org is not None and org.is_active:
        found.add(UNIT_HEADS, _unit_heads(candidates.users_of(org), warning.assignee_id), warning)
    parent = candidates.unit(org.parent_id) if org is not None and org.parent_id is not None else None
    if parent is not None and parent.is_active and access.organisation_covers(parent, warning.area):
        above = _parent_unit_supervisors(parent, candidates.users_of(parent), warning)
        found.add(CENTRE if parent.kind == OrganisationKind.CENTRE else PARENT_UNIT, above.users, warning)
        found.note = above.note
    found.add(CENTRE, candidates.centre_staff(), warning)
    return found


def _may_open(user: User, warning: Warning) -> bool:
    """Whether ``user`` could open the notice's link: the warning page's check (``warning.view`` and
    the warning's area in the user's jurisdiction, ``core.access``)."""
    return access.user_can(user, "warning.view") and access.area_visible_to(user, warning.area)


def _supervising(users: list[User]) -> list[User]:
    """Those of ``users`` holding a leader-type role (``SUPERVISING_ROLES``: a police station's 所长 or
    教导员)."""
    return [u for u in users if u.role_codes & SUPERVISING_ROLES]


def _unit_heads(unit_users: list[User], assignee_id: int | None) -> list[User]:
    """The unit's own active holders of a leader-type role (:func:`_supervising`) other than the
    assignee: a head who let his own warning run out is not his own supervisor. Nobody else of the unit
    is told — the colleagues do not supervise each other."""
    return [u for u in _supervising(unit_users) if u.pk != assignee_id]


def _parent_unit_supervisors(parent: Organisation, parent_users: list[User], warning: Warning) -> Supervisors:
    """The parent unit's active users holding a leader-type role (:func:`_supervising`). A unit where
    nobody holds one (a police station or township of officers only) is told whole — each of its active
    users who may open the warning (:func:`_may_open`), never an account that could not open the
    notice's link — and the notice says so. The caller checked that the warning is in its jurisdiction."""
    leaders = _supervising(parent_users)
    if leaders:
        return Supervisors(users=leaders)
    viewers = [u for u in parent_users if _may_open(u, warning)]
    role_names = "、".join(ROLES[code].name for code in sorted(SUPERVISING_ROLES))
    if not viewers:
        return Supervisors(users=[], note=f"上级单位{parent}无可查看预警的在岗人员，未能通知。")
    told = f"已通知该单位全部可查看预警的人员（{len(viewers)} 人）"
    return Supervisors(users=viewers, note=f"上级单位{parent}无人担任督办角色（{role_names}），{told}。")


def notify_escalation(
    warning: Warning, what: str, candidates: Candidates, notices: SweepNotices
) -> Supervisors:
    """Tell the supervisors (:func:`supervisors`, from the sweep's ``candidates``) and the holder of a
    breach (``warning`` read as it stands, in the step's transaction); returns whom it told."""
    told = supervisors(warning, candidates)
    unit = warning.organisation or "中心待分派"
    body = f"{warning.get_grade_display()}预警，承办：{unit} {warning.assignee or ''}".rstrip()
    title = f"{ESCALATION}（{what}）：{_who(warning)}"
    notices.tell(
        [*told.users, *_holder(warning)], warning, what, title, f"{body}。{told.note}" if told.note else body
    )
    return told
