"""号码研判: the potential victims' numbers (and the proposed fraud numbers) are masked on the run's page
for everyone who may open it; the page offers no way to read them in clear. A victim sent as a warning
is revealed where every person is, on the person page (audited ``pii.read``)."""

from __future__ import annotations

from django.urls import reverse

from fanzha.core import access
from fanzha.numbers.services import PERMISSION
from tests.numbers.factories import stored_run
from tests.personas import USERS, login


def test_the_run_page_shows_victims_and_proposals_masked_to_everyone_who_may_open_it(world, client) -> None:  # type: ignore[no-untyped-def]
    run = stored_run(world)
    readers = [name for name, _, _ in USERS if access.user_can(world.users[name], PERMISSION)]
    assert readers

    seen = []
    for name in readers:
        response = login(client, world.users[name]).get(reverse("numbers_run_detail", args=[run.pk]))
        if response.status_code == 404:  # another organisation's run
            continue
        html = response.content.decode()
        assert "139****9999" in html and "170****9999" in html
        assert "13905799999" not in html and "17012349999" not in html
        assert "reveal" not in html
        seen.append(name)
    assert "analyst" in seen
