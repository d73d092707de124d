"""The stats page's totals row (no grouping) counts every handover line's clock, not one of them."""

from __future__ import annotations

from fanzha.warnings import selectors
from fanzha.warnings.models import Status, Warning
from fanzha.warnings.workflow import warning_handover
from tests.warnings.helpers import make_warning
from tests.warnings.test_s20_handover_clock import _shift
from tests.warnings.test_s22_clock_attribution import _figures, _units
from tests.warnings.test_s22_queue_clock import _dispatch


def _queued(world, n: int, minutes: int) -> Warning:  # type: ignore[no-untyped-def]
    """Warning ``n`` handed back to the centre's queue by the grid worker, ``minutes`` of its 4 h gone."""
    back = warning_handover(
        actor=world.users["grid_cd"], warning=make_warning(n), reason="不属本辖区", to_user=None
    )
    assert back.status == Status.NEW and back.organisation_id is None
    return _shift(back, minutes, received=False)


def test_the_totals_count_every_line_that_took_a_warning_out_of_the_queue(world) -> None:  # type: ignore[no-untyped-def]
    _dispatch(world, _queued(world, 1, 300))  # past the queue's 4 h: late
    _dispatch(world, _queued(world, 2, 60))  # within them: on time
    assert selectors.handed_on(Warning.objects.all()) == {(): (1, 2)}
    by_unit = sum(_figures(row)[1] for row in _units().values())
    assert selectors.summary(Warning.objects.all())[0]["ack_due"] == by_unit  # totals add up the units
