"""A stand-in engine with known answers, and partner keys for the API tests.

Tests that check how the platform shows a result (spans, masking, order) use ``fake_engine``, whose
answers are fixed; the real engine's answers can change with its models. Tests marked by
``real_engine`` use the committed engine and skip with a reason when it cannot load.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest

from fanzha.screen import bridge
from fanzha.screen.services import api_key_issue
from fanzha.screening.types import Entity, Hit, Normalised, Result, Span
from tests.personas import World

MOBILE = re.compile(r"1[3-9]\d{9}")
CARD = re.compile(r"62\d{14,17}")


def fake_result(text: str, kind: str = "text") -> Result:
    """High risk (bank points phishing) when the text mentions 积分; evidence spans on each 积分."""
    normalised = Normalised(original=text, text=text.strip(), model_text=text, truncated=len(text) > 10_000)
    spans = tuple(Span(m.start(), m.end()) for m in re.finditer("积分", normalised.text))
    entities = [
        Entity("mobile", m.group(), Span(m.start(), m.end())) for m in MOBILE.finditer(normalised.text)
    ]
    entities += [
        Entity("bank_card", m.group(), Span(m.start(), m.end())) for m in CARD.finditer(normalised.text)
    ]
    if kind == "url":
        entities.append(Entity("url", text.lower(), Span(0, len(text)), {"domain": "example.cc"}))
    if spans:
        hit = Hit("BANK_POINTS", 3.5, "bank_points_phishing", "以积分兑换现金为由诱导点击链接", spans)
        return Result(0.97, "high", "bank_points_phishing", (hit,), tuple(entities), normalised)
    return Result(0.02, "none", "normal", (), tuple(entities), normalised)


class FakeEngine:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def screen(self, values: Sequence[str], kind: str) -> list[Result]:
        self.calls.append((kind, len(values)))
        return [fake_result(v, kind) for v in values]


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    engine = FakeEngine()
    monkeypatch.setattr(bridge, "screen", engine.screen)
    return engine


def real_engine_or_skip() -> Any:
    try:
        from fanzha.screening import screen_texts

        screen_texts(["测试"])
    except Exception as exc:  # noqa: BLE001 - any failure to load means "not available here"
        pytest.skip(f"the screening engine cannot load its models here: {exc!r}")
    return screen_texts


@pytest.fixture
def partner_key(world: World) -> tuple[Any, str]:
    """A key of the operator (中国移动青溪营业厅), issued by the administrator: (ApiKey, token)."""
    return api_key_issue(
        actor=world.users["admin"],
        organisation=world.orgs["中国移动青溪营业厅"],
        name="短信筛查",
        rate_per_minute=60,
    )
