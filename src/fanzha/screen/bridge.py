"""The one place this app calls the engine (``fanzha.screening``); tests replace these functions.

Items longer than ``MAX_ITEM_CHARS`` are cut here (bounding the memory of one request) and the
engine screens a bounded prefix of what is left; either way the result says ``truncated``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fanzha.screening.types import Result
    from fanzha.screening.typology import FraudType, Typology

logger = logging.getLogger(__name__)

MAX_ITEM_CHARS = 100_000
KINDS = ("text", "url")
_URL_ONLY = re.compile(
    r"(?:(?:https?|ftp)://\S+|www\.\S+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?::\d+)?(?:[/?#]\S*)?)",
    re.IGNORECASE,
)


def bound(value: str) -> tuple[str, bool]:
    """The value cut to MAX_ITEM_CHARS, and whether it was cut."""
    if len(value) > MAX_ITEM_CHARS:
        return value[:MAX_ITEM_CHARS], True
    return value, False


def guess_kind(value: str) -> str:
    """``url`` when the whole input is one link (no spaces, looks like a URL or domain), else ``text``."""
    stripped = value.strip()
    if stripped and len(stripped) <= 2000 and _URL_ONLY.fullmatch(stripped):
        return "url"
    return "text"


class EngineUnavailable(RuntimeError):
    """The engine failed as a whole (not one item): its models are missing or broken."""


def screen(values: Sequence[str], kind: str) -> list[Result]:
    """One Result per value, in order (``kind``: text or url).

    The engine gives a row-level ``error`` for an item it cannot screen; when the whole call fails
    the error is logged by its type only (an exception message could quote the text).
    """
    try:
        from fanzha import screening

        if kind == "url":
            return screening.screen_urls(list(values))
        return screening.screen_texts(list(values))
    except Exception as exc:
        logger.error("screening engine failed: %s", type(exc).__name__)
        raise EngineUnavailable(type(exc).__name__) from None


def typology() -> Typology:
    from fanzha.screening.typology import load_typology

    return load_typology()


def fraud_type(code: str) -> FraudType | None:
    types = typology()
    return types.get(code) if code in types else None
