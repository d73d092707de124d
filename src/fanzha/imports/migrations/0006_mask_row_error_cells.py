"""Row errors of the other importers (warnings, people, areas, …) stored before their columns' cells were
masked quoted a non-personal column's raw cell — a misaligned column may hold an ID, phone or account
number; mask the values already stored as ``Field.masked`` now does (cases were masked by 0005)."""

from django.db import migrations

from fanzha.core.pii.masking import mask_cell


def mask_row_error_cells(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    for batch in ImportBatch.objects.exclude(importer="cases").only("pk", "errors").iterator():
        errors = batch.errors or []
        masked = [
            {**e, "value": mask_cell(e.get("value", ""), 100)}
            if isinstance(e, dict) and e.get("value")
            else e
            for e in errors
        ]
        if masked != errors:
            ImportBatch.objects.filter(pk=batch.pk).update(errors=masked)


class Migration(migrations.Migration):
    dependencies = [("imports", "0005_mask_case_list_errors")]

    operations = [migrations.RunPython(mask_row_error_cells, migrations.RunPython.noop)]
