"""Case-list row errors stored before they were masked quoted the raw cell of 报案时间, 损失金额, 转账金额,
案件状态 or 诈骗类型 (a misaligned column: a phone, an ID or card number); mask the quoted values of those
already stored, as cases.common.masked_cell now does on import (cases 0004 did it for statements)."""

import re
import unicodedata

from django.db import migrations

from fanzha.core.pii.masking import mask_bank_card, mask_id_number, quoted

DIGIT_RUN = re.compile(r"\d{4}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4})?|\d(?: ?\d){5,}")


def _digits(match):
    digits = re.sub(r"\D", "", match.group())
    return mask_bank_card(digits) if len(digits) >= 12 else mask_id_number(digits)


def _masked(value):
    return DIGIT_RUN.sub(_digits, quoted(unicodedata.normalize("NFKC", str(value or "")), 60))


def mask_case_list_errors(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    for batch in ImportBatch.objects.filter(importer="cases").only("pk", "errors").iterator():
        errors = batch.errors or []
        masked = [{**e, "value": _masked(e.get("value", ""))} if isinstance(e, dict) else e for e in errors]
        if masked != errors:
            ImportBatch.objects.filter(pk=batch.pk).update(errors=masked)


class Migration(migrations.Migration):
    dependencies = [("imports", "0004_row_notices")]

    operations = [migrations.RunPython(mask_case_list_errors, migrations.RunPython.noop)]
