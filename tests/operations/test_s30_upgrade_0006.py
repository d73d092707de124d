"""Upgrading a database of the release before names compared without letter case: ``migrate`` runs
core 0006 through Django's migration executor, on the historical Person model of the schema before it
(not the live model the other 0006 test passes). Its encrypted name must decrypt there, the stale hash
of a Latin name in capitals be rewritten, and a Chinese name's hash stay as it was."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fanzha.core.models import Person
from fanzha.core.pii import crypto

BEFORE = ("core", "0005_userrole_unit_leader")
REHASH = ("core", "0006_rehash_latin_names")


def _old_digest(name: str) -> str:
    """The name hash as the release before stored it (NFKC, spaces folded, letter case kept)."""
    return hmac.new(crypto._key("search"), f"name:{name}".encode(), hashlib.sha256).hexdigest()


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_migrate_from_the_release_before_rewrites_the_stale_name_hashes(allow_audit_flush) -> None:  # type: ignore[no-untyped-def]
    executor = _executor()
    executor.migrate([BEFORE])  # back to the schema of the release before (0006 has no reverse work)
    old = _executor().loader.project_state(BEFORE).apps
    area_model, person_model = old.get_model("core", "Area"), old.get_model("core", "Person")
    area = area_model.objects.create(code="331199001001", name="中山社区", level="village", path="/u6/")
    latin = person_model.objects.create(name="JOHN SMITH", name_hash=_old_digest("JOHN SMITH"), area=area)
    chinese = person_model.objects.create(name="王五", name_hash=_old_digest("王五"), area=area)
    unnamed = person_model.objects.create(name="", name_hash="", area=area)

    _executor().migrate([REHASH])

    assert Person.objects.get(pk=latin.pk).name_hash == crypto.search_hash("name", "john smith")
    assert Person.objects.get(pk=latin.pk).name == "JOHN SMITH"  # the name itself untouched
    assert Person.objects.get(pk=chinese.pk).name_hash == _old_digest("王五")
    assert Person.objects.get(pk=unnamed.pk).name_hash == ""
    assert not _executor().migration_plan(_executor().loader.graph.leaf_nodes())  # schema as before
