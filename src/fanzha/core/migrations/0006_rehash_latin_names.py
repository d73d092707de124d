"""Names compare without letter case (2026-12): the search hashes of names stored with capitals are made
again (Chinese names have no case: their hashes stay). ``fanzha rehash_names`` does the same by hand."""

from django.db import migrations


def rehash(apps, schema_editor):  # type: ignore[no-untyped-def]
    from fanzha.core.services.persons import REHASH_CHUNK, stale_name_hashes

    person = apps.get_model("core", "Person")
    changed = stale_name_hashes(person.objects.all())
    person.objects.bulk_update(changed, ["name_hash"], batch_size=REHASH_CHUNK)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_userrole_unit_leader"),
    ]

    operations = [
        migrations.RunPython(rehash, migrations.RunPython.noop),
    ]
