"""The notification gateway setting (FANZHA_NOTIFICATION_GATEWAY) is checked at start-up by Django's
system checks (``migrate``, ``check``, ``make run``): a misspelt class was found only when the first
urgent warning's SMS was handed over, after the warning was saved."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from fanzha.jobs.checks import CHECK_ID, gateway_setting


@pytest.mark.parametrize(
    "value",
    [
        "fanzha.jobs.gateways.SmsGatewy",  # a misspelt class
        "fanzha.jobs.gatways.OutboxGateway",  # a misspelt module
        "OutboxGateway",  # not a dotted path
        "fanzha.jobs.gateways.OutgoingMessage",  # a class, but no gateway (no send)
        "fanzha.jobs.gateways.logger",  # not a class
        "",
    ],
)
def test_a_gateway_that_cannot_be_used_fails_the_system_check(value: str) -> None:
    with override_settings(NOTIFICATION_GATEWAY=value):
        errors = gateway_setting()
        assert [e.id for e in errors] == [CHECK_ID]
        assert "FANZHA_NOTIFICATION_GATEWAY" in errors[0].msg
        with pytest.raises(SystemCheckError, match="FANZHA_NOTIFICATION_GATEWAY"):
            call_command("check")


@pytest.mark.parametrize("value", ["fanzha.jobs.gateways.OutboxGateway", "fanzha.jobs.gateways.LogGateway"])
def test_the_gateways_the_platform_ships_pass(value: str) -> None:
    with override_settings(NOTIFICATION_GATEWAY=value):
        assert gateway_setting() == []
