"""A list's ?area= that is no id of ours — a superscript digit ("²", a digit to ``str.isdigit`` but not
to ``int``), an id of 5,000 digits, one past 64 bits — is read in one place (``access.visible_area``):
the warning, case and people lists and the people export answer it, never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.personas import login

NOT_OURS = ["²", "9" * 30, "9" * 5000]


@pytest.mark.parametrize("value", NOT_OURS)
@pytest.mark.parametrize("page", ["warning_list", "case_list", "person_list", "person_export"])
def test_an_area_that_is_no_id_of_ours_is_answered(world, client, page, value) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["leader"])
    assert client.get(reverse(page), {"area": value}).status_code == 200
