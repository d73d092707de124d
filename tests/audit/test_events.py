"""Every audit action code written anywhere is declared in EVENT_TYPES."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fanzha
from fanzha.audit.events import EVENT_TYPES
from fanzha.audit.models import AuditEvent
from fanzha.audit.services import audit_record

WRITERS = {"audit_record", "audit_change"}
SOURCE = Path(fanzha.__file__).parent


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _action_codes() -> dict[str, str]:
    """Each literal ``action=`` given to an audit writer in the source, with where it is."""
    found: dict[str, str] = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called_name(node) in WRITERS:
                for keyword in node.keywords:
                    if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                        found[str(keyword.value.value)] = f"{path.relative_to(SOURCE)}:{node.lineno}"
    return found


def test_it_declares_every_action_code_written() -> None:
    codes = _action_codes()
    assert {"audit.search", "audit.export", "audit.verify", "audit.purge", "record.create"} <= set(codes)
    undeclared = {code: where for code, where in codes.items() if code not in EVENT_TYPES}
    assert not undeclared, f"add these to fanzha/audit/events.py: {undeclared}"


def test_it_declares_the_pii_read_code() -> None:
    assert "pii.read" in EVENT_TYPES


def test_it_refuses_an_undeclared_code(db: None) -> None:
    with pytest.raises(ValueError, match="undeclared audit event type"):
        audit_record(actor=None, action="audit.edit")
    assert not AuditEvent.objects.exists()
