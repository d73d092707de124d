"""People's keyed hashes: drop PostgreSQL's unused ``_like`` indexes (see fanzha.core.pii.indexes)."""

from django.db import migrations

from fanzha.core.pii.indexes import drop_hash_like_indexes


class Migration(migrations.Migration):
    dependencies = [("core", "0002_user_totp_last_step")]

    operations = [drop_hash_like_indexes("core", "Person", ["name_hash", "id_number_hash", "phone_hash"])]
