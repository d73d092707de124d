"""The demo logins' inboxes as they stand on the demo's day: what came long ago was read when it came.

The case services notify as they run (a stop-payment request to the bank, the bank's answer to the
officer, a case drafted from a warning to the station), once the demo's transaction commits, so every
message carries the load's time. Here each message is moved back to the step it tells of and marked read
(:func:`fanzha.jobs.services.notification_mark_read`) the way its recipient would have: by the time
they next acted on the case (the bank answered the request, the officer accepted the case), or within
the hours after it came once it is older than READ_AFTER. What stays unread is recent: the requests
still waiting, the last days' answers, this morning's follow-up reminder.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from fanzha.cases.models import Case, CaseEvent, EventKind, Measure
from fanzha.jobs.models import Notification
from fanzha.jobs.services import notification_mark_read

READ_AFTER = dt.timedelta(days=3)  # older messages were all read
READ_WITHIN_MINUTES = (3, 120)  # how soon after it came a message was read
ANSWERED = "银行已反馈"  # the title of the bank's answer to the officer (cases.measures.measure_answer)

_Key = tuple[int, int]  # (case id, user id)


class _Subjects:
    """When the step each message tells of happened, and which case it is about."""

    def __init__(self) -> None:
        self.requests = {m.pk: (m.sent_at, m.case_id) for m in Measure.objects.only("sent_at", "case_id")}
        self.reported = dict(Case.objects.values_list("pk", "created_at"))
        self.answers: dict[int, list[dt.datetime]] = defaultdict(list)
        self.acts: dict[_Key, list[dt.datetime]] = defaultdict(list)
        for case_id, actor_id, kind, at in CaseEvent.objects.order_by("id").values_list(
            "case_id", "actor_id", "kind", "at"
        ):
            if kind == EventKind.ANSWER:
                self.answers[case_id].append(at)
            if actor_id is not None:
                self.acts[(case_id, actor_id)].append(at)
        self.told: dict[_Key, int] = defaultdict(int)  # answers already matched, by case and recipient

    def of(self, message: Notification) -> tuple[dt.datetime, int | None]:
        """The time of the step ``message`` tells of and its case; the message's own time (and no case)
        for what is not about a case step."""
        try:
            match = resolve(message.link) if message.link else None
        except Resolver404:
            match = None
        if match is not None and match.url_name == "case_bank_measure":
            return self.requests[match.kwargs["pk"]]
        if match is not None and match.url_name == "case_detail":
            case_id = match.kwargs["pk"]
            if message.title.startswith(ANSWERED):
                # The k-th answer a recipient heard of on a case is the case's k-th answer.
                key = (case_id, message.recipient_id)
                answers, index = self.answers[case_id], self.told[key]
                self.told[key] += 1
                return (answers[index] if index < len(answers) else message.created_at), case_id
            return self.reported[case_id], case_id
        return message.created_at, None

    def next_act(self, case_id: int | None, user_id: int, after: dt.datetime) -> dt.datetime | None:
        """When ``user_id`` next acted on the case after ``after``, or None."""
        if case_id is None:
            return None
        return min((at for at in self.acts[(case_id, user_id)] if at > after), default=None)


def _read_at(
    rng: random.Random, sent: dt.datetime, acted: dt.datetime | None, now: dt.datetime
) -> dt.datetime | None:
    """When the recipient read a message sent at ``sent``: by the time they acted on it, or soon after it
    came when it is old; None while it waits unread."""
    soon = sent + dt.timedelta(minutes=rng.uniform(*READ_WITHIN_MINUTES))
    if acted is not None:
        return min(acted, soon)
    if now - sent >= READ_AFTER:
        return min(soon, now)
    return None


@transaction.atomic
def demo_inboxes(*, seed: int, now: dt.datetime | None = None) -> int:
    """Date the demo's messages by their steps and mark read what their recipients had read; returns how
    many were marked read. Run once the demo's notifications are written (after its commit)."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}:inbox")
    subjects = _Subjects()
    marked = 0
    for message in Notification.objects.select_related("recipient").order_by("id"):
        sent, case_id = subjects.of(message)
        sent = min(sent, now)
        Notification.objects.filter(pk=message.pk).update(created_at=sent)
        message.created_at = sent
        at = _read_at(rng, sent, subjects.next_act(case_id, message.recipient_id, sent), now)
        if at is not None:
            marked += notification_mark_read(actor=message.recipient, notification=message, at=at)
    return marked
