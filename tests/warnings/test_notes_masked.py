"""Notes kept before free text masked passports, QQ numbers and WeChat ids are masked where they are
shown: the warning's history and the feedback export's 备注."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django.utils import timezone

from fanzha.warnings.models import EventKind, WarningEvent
from tests.personas import login
from tests.warnings.helpers import make_warning

OLD_NOTE = "对方QQ: 12345678，微信号 zhangsan_88，护照E12345678"
MASKED_NOTE = "对方QQ: 12****78，微信号 zh*******88，护照E1*****78"


def test_the_history_masks_a_note_kept_in_clear(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    WarningEvent.objects.create(warning=warning, at=timezone.now(), kind=EventKind.NOTE, message=OLD_NOTE)

    html = (
        login(client, world.users["grid_cd"])
        .get(reverse("warning_detail", args=[warning.pk]))
        .content.decode()
    )

    assert MASKED_NOTE in html
    for clear in ("12345678", "zhangsan_88", "E12345678"):
        assert clear not in html


def test_the_feedback_export_masks_a_pushed_note_kept_in_clear(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1, notes="已电话提醒")
    ref = warning.source_refs.get()
    ref.row_values = {**ref.row_values, "notes": OLD_NOTE}
    ref.save(update_fields=["row_values"])
    today = timezone.localdate().isoformat()

    response = login(client, world.users["analyst"]).get(
        reverse("warning_feedback"), {"source": "superior", "start": today, "end": today, "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    notes = rows[1][rows[0].index("备注")]
    assert notes == MASKED_NOTE
