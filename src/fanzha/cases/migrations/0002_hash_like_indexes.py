"""Cases' keyed hashes: drop PostgreSQL's unused ``_like`` indexes (see fanzha.core.pii.indexes)."""

from django.db import migrations

from fanzha.core.pii.indexes import drop_hash_like_indexes


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        drop_hash_like_indexes("cases", "Payment", ["to_account_hash"]),
        drop_hash_like_indexes("cases", "Suspect", ["value_hash"]),
        drop_hash_like_indexes("cases", "Measure", ["account_hash"]),
    ]
