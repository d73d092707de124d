"""Probe s19: the legal clocks are counted on China's calendar, whatever zone the moment comes in."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from fanzha.cases import clocks

CHINA = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("executed", "expires"),
    [
        (dt.datetime(2026, 8, 31, 6, 0), dt.datetime(2027, 2, 28, 6, 0)),  # 08-30 22:00 UTC
        (dt.datetime(2026, 3, 31, 7, 30), dt.datetime(2026, 9, 30, 7, 30)),
        (dt.datetime(2026, 11, 30, 23, 59), dt.datetime(2027, 5, 30, 23, 59)),
        (dt.datetime(2026, 12, 31, 0, 5), dt.datetime(2027, 6, 30, 0, 5)),
    ],
)
def test_a_freeze_runs_six_months_on_chinas_calendar(settings, executed, expires):
    settings.CASE_FREEZE_MONTHS = 6
    now = executed.replace(tzinfo=CHINA).astimezone(dt.UTC)  # what timezone.now() gives
    assert timezone.localtime(clocks.freeze_expires(now)).replace(tzinfo=None) == expires


def test_a_stop_payment_runs_48_hours(settings):
    settings.CASE_STOP_HOURS = 48
    now = dt.datetime(2026, 11, 29, 16, 30, tzinfo=dt.UTC)  # 11-30 00:30 in China
    assert clocks.stop_expires(now) == now + dt.timedelta(hours=48)
