"""``fanzha demo_logins`` prints nothing unless the demo was loaded (the demo's own test covers that case)."""

from __future__ import annotations

import io

from django.core.management import call_command


def test_it_prints_nothing_on_an_empty_database(db: None) -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert out.getvalue() == ""


def test_it_prints_nothing_for_a_real_leader_account(world) -> None:  # type: ignore[no-untyped-def]
    assert world.users["leader"].username == "leader"
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert out.getvalue() == ""


def test_it_refuses_the_demo_in_production(db, settings) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from django.core.management.base import CommandError

    from fanzha.core.models import Area

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产模式"):
        call_command("demo", stdout=io.StringIO())
    call_command("demo", "--if-empty", stdout=io.StringIO())
    assert not Area.objects.exists()
