"""Two sends of the same run's potential victims into warnings at once: the warnings are made once,
and each victim keeps the moment it was really sent (the one its warning's source id was received
at), not the later caller's; the later caller is told the victims had already been sent."""

from __future__ import annotations

import threading

from django.db import connections

from fanzha.numbers.models import PotentialVictim
from fanzha.numbers.services import numbers_send_warnings
from fanzha.warnings.models import Warning, WarningSourceRef
from tests.numbers.factories import run_now, submit_extract
from tests.personas import build_world
from tests.warnings.helpers import waiting


def _sender(user, run, barrier, results) -> None:  # type: ignore[no-untyped-def]
    try:
        barrier.wait(timeout=30)
        results.append(waiting(lambda: numbers_send_warnings(actor=user, run=run, top=3)))
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        results.append(exc)
    finally:
        connections.close_all()


def test_two_sends_at_once_make_the_warnings_once(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    analyst = world.users["analyst"]  # two clicks on the button, a second apart or at once
    run = run_now(submit_extract(analyst))
    _ = analyst.role_codes, analyst.organisation  # loaded before the race
    barrier = threading.Barrier(2)
    results: list = []
    threads = [threading.Thread(target=_sender, args=(u, run, barrier, results)) for u in (analyst, analyst)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(not isinstance(r, BaseException) for r in results), results
    assert sorted((r.new, r.unchanged) for r in results) == [(0, 3), (3, 0)]
    assert Warning.objects.count() == 3 and WarningSourceRef.objects.count() == 3
    received = {ref.warning_id: ref.received_at for ref in WarningSourceRef.objects.all()}
    sent = PotentialVictim.objects.filter(run=run, sent_at__isnull=False)
    assert {v.warning_id: v.sent_at for v in sent} == received
