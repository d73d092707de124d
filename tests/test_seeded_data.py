"""Transactional tests flush the database after them; the seeded grading rules come back for the next."""

from __future__ import annotations

import importlib

import pytest

from fanzha.warnings.models import GradingRule
from tests.conftest import restore_seeded_data

pytestmark = pytest.mark.usefixtures("allow_audit_flush")  # the flush after each (PostgreSQL's TRUNCATE)

SEEDED = [
    *importlib.import_module("fanzha.warnings.migrations.0002_seed").RULES,
    importlib.import_module("fanzha.warnings.migrations.0013_seed_callback_rule").RULE,
    *importlib.import_module("fanzha.warnings.migrations.0016_pushed_levels").RULES,
]


def test_a_transactional_test_starts_with_the_seeded_grading_rules(transactional_db: None) -> None:
    assert sorted(GradingRule.objects.values_list("name", flat=True)) == sorted(r["name"] for r in SEEDED)


def test_the_seeded_rules_are_restored_after_a_flush_emptied_them(transactional_db: None) -> None:
    GradingRule.objects.all().delete()  # what the previous transactional test's flush left
    restore_seeded_data()
    assert GradingRule.objects.count() == len(SEEDED)
