"""Locating and assigning probed with addresses and settings as a centre really has them.

A wrong placement is worse than none; a setting that is misspelt must say so, not route otherwise.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from fanzha.core.models import Area
from fanzha.core.services import areas as area_services
from fanzha.warnings.routing import Assigner, Locator, Placement


def add(code: str, name: str, level: str, parent: Area | None) -> Area:
    return area_services.area_create(actor=None, code=code, name=name, level=level, parent=parent)


def place(address: str) -> Placement:
    return Locator().locate(address=address, number="", person_area=None)


# ── settings ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("grades", [["紧急", "高"], ["Urgent", "High"], ["urgent", "hihg"]])
def test_police_grades_that_are_no_grade_are_refused(world, settings, grades) -> None:  # type: ignore[no-untyped-def]
    # FANZHA_WARNING_POLICE_GRADES=紧急,高 matched no grade: every urgent warning went to the grid worker.
    settings.WARNING_POLICE_GRADES = grades
    with pytest.raises(ImproperlyConfigured, match="FANZHA_WARNING_POLICE_GRADES"):
        Assigner()


def test_police_grades_as_configured(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_POLICE_GRADES = ["urgent"]
    assigner = Assigner()
    assert assigner.assign(world.area("城东社区"), "high")[0].kind == "village_committee"
    assert assigner.assign(world.area("城东社区"), "urgent")[0].kind == "police_station"
    settings.WARNING_POLICE_GRADES = []  # none: every grade to the village's grid worker
    assert Assigner().assign(world.area("城东社区"), "urgent")[0].kind == "village_committee"


@pytest.mark.parametrize("mode", ["round-robin", "RoundRobin", "least-loaded", "轮流"])
def test_an_assignment_mode_that_is_none_is_refused(world, settings, mode) -> None:  # type: ignore[no-untyped-def]
    # FANZHA_WARNING_ASSIGNMENT=round-robin silently assigned least loaded.
    settings.WARNING_ASSIGNMENT = mode
    with pytest.raises(ImproperlyConfigured, match="FANZHA_WARNING_ASSIGNMENT"):
        Assigner()
