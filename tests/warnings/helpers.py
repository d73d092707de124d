"""Warnings for the tests, received through the services as an import or the API would."""

from __future__ import annotations

from typing import Any

from fanzha.warnings import services
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning
from tests.personas import id_number


def make_warning(n: int = 1, **overrides: Any) -> Warning:
    """Warning ``n`` for a new person of 城东社区, aged 60-69 (medium: to the grid worker) by default."""
    values: dict[str, Any] = {
        "source": "上级推送",
        "source_id": f"T{n:05d}",
        "name": f"测试{n}",
        "id_number": id_number("331102", f"{1956 + n % 10}0301", f"{n % 1000:03d}"),
        "phone": f"136{n:08d}",
        "address": "青溪县城关镇城东社区幸福路1号",
        "fraud_type": "网络游戏产品虚假交易",
        "warned_at": "2026-11-28 09:00:00",
    }
    values.update(overrides)
    return services.receive(intake=services.Intake(), data=WarningInput(**values)).warning


def chengdong_warning(world: Any) -> Warning:
    """The matrix's warning: one per test database, made on first use."""
    existing = Warning.objects.filter(source_id="MATRIX").first()
    return existing or make_warning(9001, source_id="MATRIX")
