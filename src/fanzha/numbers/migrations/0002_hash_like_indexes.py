"""Numbers' keyed hashes: drop PostgreSQL's unused ``_like`` indexes (see fanzha.core.pii.indexes)."""

from django.db import migrations

from fanzha.core.pii.indexes import drop_hash_like_indexes


class Migration(migrations.Migration):
    dependencies = [("numbers", "0001_initial")]

    operations = [
        drop_hash_like_indexes("numbers", model, ["number_hash"])
        for model in ("ScoredNumber", "PotentialVictim", "IndicatorProposal")
    ]
