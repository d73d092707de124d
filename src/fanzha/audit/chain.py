"""The hash that chains one audit record to the previous one."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64

HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_organisation",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "fields",
    "details",
    "ip",
    "request_id",
    "channel",
)


def canonical(values: dict[str, Any]) -> bytes:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(prev_hash: str, values: dict[str, Any]) -> str:
    material = {name: values[name] for name in HASHED_FIELDS}
    material["at"] = values["at"].isoformat(timespec="microseconds")
    return hashlib.sha256(prev_hash.encode() + canonical(material)).hexdigest()
