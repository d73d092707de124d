"""The warning work on the role home pages: a field worker's own tasks, the centre's open warnings."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from fanzha.warnings.models import Status, Warning
from fanzha.warnings.selectors import home_figures
from tests.personas import World, login
from tests.warnings.helpers import make_warning


def test_it_shows_a_grid_worker_their_tasks_most_urgent_first(world: World, client) -> None:  # type: ignore[no-untyped-def]
    first, second = make_warning(1), make_warning(2)
    assert first.assignee == second.assignee == world.users["grid_cd"]
    Warning.objects.filter(pk=second.pk).update(due_ack_at=timezone.now() - dt.timedelta(minutes=5))
    login(client, world.users["grid_cd"])
    page = client.get(reverse("home")).content.decode()
    assert (
        'data-testid="count-my-warnings">2<' in page and 'data-testid="count-my-overdue">1 条已超时' in page
    )
    assert page.index(reverse("warning_detail", args=[second.pk])) < page.index(
        reverse("warning_detail", args=[first.pk])
    )
    assert "超时" in page and 'data-testid="home-warnings"' not in page  # no centre figures
    login(client, world.users["grid_sq"])  # another village: none of these
    assert 'data-testid="count-my-warnings">0<' in client.get(reverse("home")).content.decode()


def test_it_shows_the_centre_its_open_overdue_queue_and_todays(world: World, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    late = make_warning(2)
    Warning.objects.filter(pk=late.pk).update(status=Status.ACKNOWLEDGED, due_contact_at=timezone.now())
    make_warning(3, address="青溪县某某新村7号", phone="")  # unplaceable: the centre's queue
    closed = make_warning(4)
    Warning.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    figures = home_figures(world.users["leader"])
    assert (figures["open"], figures["overdue"], figures["queue"], figures["today"]) == (3, 1, 1, 4)
    assert "mine" not in figures
    login(client, world.users["leader"])
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="count-open-warnings">3<' in page and 'data-testid="count-queue-warnings">1<' in page


def test_it_shows_nothing_of_warnings_to_a_bank(world: World, client) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    assert home_figures(world.users["bank"]) == {}
    login(client, world.users["bank"])
    assert "预警任务" not in client.get(reverse("home")).content.decode()


def test_it_tells_the_centre_of_open_warnings_left_with_an_inactive_account(world: World, client) -> None:  # type: ignore[no-untyped-def]
    held = make_warning(1)
    make_warning(2, address="青溪县某某新村7号", phone="")  # the centre's queue: nobody's by design
    assert home_figures(world.users["leader"])["stranded"] == 0
    type(held.assignee).objects.filter(pk=held.assignee_id).update(is_active=False)  # as Django's admin
    assert home_figures(world.users["leader"])["stranded"] == 1
    login(client, world.users["leader"])
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="count-stranded-warnings">1<' in page and "redispatch-stranded" in page
