"""The screening engine: explainable recognition of fraud in texts, links, numbers and accounts.

Django-free by design (a test asserts it): pure functions over text and records, used by the
platform, the CLI (`fanzha screen …`), the API and batch jobs. Importing this package is cheap; the
models load on first use.

    from fanzha.screening import screen_texts
    [r.level for r in screen_texts(["您的快递丢失，我是客服，现在给您办理理赔…"])]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fanzha.screening.engine import Engine
    from fanzha.screening.types import Result


def default_engine() -> Engine:
    from fanzha.screening.engine import Engine

    return Engine.default()


def screen_texts(texts: Sequence[object]) -> list[Result]:
    """One Result per text, in order; a text that cannot be screened gets `error` set."""
    return default_engine().screen_texts(texts)


def screen_text(text: str) -> Result:
    return default_engine().screen_text(text)


def screen_urls(urls: Sequence[object]) -> list[Result]:
    return default_engine().screen_urls(urls)


def screen_url(url: str) -> Result:
    return default_engine().screen_url(url)


def result_dict(result: Result) -> dict[str, Any]:
    """A JSON-ready form of a Result (entity values as extracted: callers mask what they show)."""
    from fanzha.screening.typology import load_typology

    typology = load_typology()
    return {
        "score": result.score,
        "level": result.level,
        "category": result.category,
        "category_name": typology.get(result.category).name if result.category in typology.codes() else "",
        "reasons": [
            {"symbol": h.symbol, "weight": h.weight, "category": h.category, "explanation": h.explanation}
            for h in result.reasons
        ],
        "entities": [{"kind": e.kind, "value": e.value, **e.detail} for e in result.entities],
        "error": result.error,
    }


def reasons_text(result: Result) -> str:
    """The reasons on one line, for a CSV cell: `SYMBOL(+2.5) 说明；…`."""
    parts = []
    for h in result.reasons:
        weight = f"({h.weight:+g})" if h.weight else ""
        parts.append(f"{h.symbol}{weight} {h.explanation}")
    return "；".join(parts)
