"""Row errors stored before they were masked quoted the raw cell (金额无法识别：<an account number>);
mask the quoted value of those already stored, as cases.common.masked_row_error now does on import."""

import re
import unicodedata

from django.db import migrations

from fanzha.core.pii.masking import mask_bank_card, mask_id_number, quoted

DIGIT_RUN = re.compile(r"\d{4}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4})?|\d(?: ?\d){5,}")


def _digits(match):
    digits = re.sub(r"\D", "", match.group())
    return mask_bank_card(digits) if len(digits) >= 12 else mask_id_number(digits)


def _masked(message):
    problem, colon, cell = str(message).partition("：")
    if not colon:
        return DIGIT_RUN.sub(_digits, problem)
    cell = quoted(unicodedata.normalize("NFKC", cell), 60)
    return f"{problem}{colon}{DIGIT_RUN.sub(_digits, cell)}"


def mask_stored_errors(apps, schema_editor):
    Statement = apps.get_model("cases", "Statement")
    for statement in Statement.objects.only("pk", "errors").iterator():
        errors = statement.errors or []
        masked = [{**e, "message": _masked(e.get("message", ""))} for e in errors if isinstance(e, dict)]
        if masked != errors:
            Statement.objects.filter(pk=statement.pk).update(errors=masked)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_measure_answer_overdue")]

    operations = [migrations.RunPython(mask_stored_errors, migrations.RunPython.noop)]
