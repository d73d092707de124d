"""The name parts of the demo county, read from ``names.json`` beside this module."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

NAMES_FILE = Path(__file__).with_name("names.json")


@lru_cache(maxsize=1)
def names() -> dict[str, Any]:
    with NAMES_FILE.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded
