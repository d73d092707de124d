"""A warnings setting that cannot be used is named by Django's system checks (``migrate``, ``check
--deploy``, ``make run``), before the platform serves: it was found only when the first warning came in."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from fanzha.warnings.checks import CHECK_ID, warning_settings


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("WARNING_SLA", "urgent=30/5", "urgent"),
        ("WARNING_REMIND_PERCENT", 150, "FANZHA_WARNING_REMIND_PERCENT"),
        ("WARNING_POLICE_GRADES", ["紧急", "高"], "FANZHA_WARNING_POLICE_GRADES"),
        ("WARNING_ASSIGNMENT", "round-robin", "FANZHA_WARNING_ASSIGNMENT"),
    ],
)
def test_a_setting_that_cannot_be_used_fails_the_system_check(name: str, value: object, said: str) -> None:
    with override_settings(**{name: value}):
        errors = warning_settings()
        assert [e.id for e in errors] == [CHECK_ID] and said in errors[0].msg
        with pytest.raises(SystemCheckError, match=said):
            call_command("check")


def test_the_default_settings_pass() -> None:
    assert warning_settings() == []
