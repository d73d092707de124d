"""People: no index of its own on ``name_hash`` (nothing looks a person up by name alone) nor on
``id_number_hash`` (the partial unique index ``core_person_unique_id_number`` serves those lookups).
Each was written on every new person and never read (see fanzha.core.pii.indexes)."""

from django.db import migrations, models

from fanzha.core.pii.indexes import drop_hash_indexes


class Migration(migrations.Migration):
    dependencies = [("core", "0003_person_hash_like_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[drop_hash_indexes("core", "Person", ["name_hash", "id_number_hash"])],
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="id_number_hash",
                    field=models.CharField(blank=True, editable=False, max_length=64),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="name_hash",
                    field=models.CharField(editable=False, max_length=64),
                ),
            ],
        )
    ]
