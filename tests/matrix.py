"""The permission matrix every view joins.

Each app lists its views in ``tests/<app>/matrix.py`` as ``CASES = {url_name: Case(...)}``.
``expect`` gives the status for each persona in PERSONAS order, as one string of codes:
200 (ok), 302 (redirect after success), 403 (role may not), 404 (record outside the user's scope
— the same answer as a missing record), 405 (method not allowed). The test fails for a named URL
that no matrix lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = [
    "leader",
    "analyst",
    "police_cg",
    "police_lq",
    "grid_cd",
    "grid_sq",
    "bank",
    "telecom",
    "auditor",
    "admin",
    "head_cg",  # 城关派出所's head (单位负责人): last, so each expectation gained one code at its end
]


@dataclass(frozen=True)
class Case:
    expect: str
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    method: str = "GET"
    data: Callable[[Any], dict[str, Any]] | dict[str, Any] = field(default_factory=dict)
    public: bool = False  # reachable without logging in

    def statuses(self) -> dict[str, int]:
        codes = self.expect.split()
        assert len(codes) == len(PERSONAS), f"expect needs {len(PERSONAS)} codes: {self.expect!r}"
        return dict(zip(PERSONAS, (int(c) for c in codes), strict=True))


def everyone(status: int) -> str:
    return " ".join([str(status)] * len(PERSONAS))
